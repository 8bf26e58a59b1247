"""Field component `foerderradar_deadlines`: dates by which something must be submitted.

Reads the ``DateMention`` records of ``foerderradar_dates`` and decides, sentence by sentence,
which of them are submission deadlines for the programme (XFLB 2.0 ``antragsfrist`` kinds:
fristdatum, fristJaehrlich, fristFest, fristSpanne; plus laufend and stichtage).

A date is a deadline when its sentence (or the heading line above a date list) carries deadline
evidence — a deadline noun ("Antragsfrist", "Bewerbungsschluss", "Stichtag"), a strong
submission verb ("einzureichen", "beantragt", "anmelden"), or a submission subject ("Anträge",
"Projektskizzen", "Fragen") with a verb or a "bis" right before the date — and that evidence is
nearer to the date than every competing cue attached to it: programme periods ("Laufzeit",
"zur Verfügung"), completion ("abgeschlossen"), events, call starts, publication, post-award
submissions ("Verwendungsnachweis", "Mittelabruf"), statistical cut-offs ("Einwohnerzahl zum
Stichtag"). A competing cue belongs to the date nearest to it, so "startet am 1. März und endet
am 30. April" gives the start cue to the first date only. Dates right after "ab", "seit", "vom"
(no range), "vor dem", "etwa"/"ca." are never deadlines. A day range that a call or what is due
opens ("Der Förderaufruf ist vom 1. März bis 30. April 2024 geöffnet") gives its end as the
deadline, unless a project word or any competing cue speaks of the range (a project period).
Parentheticals between cue and date are asides; a qualifying one ("(für einen Projektbeginn im
laufenden Jahr)") neither competes with a date outside it nor makes a date inside it a deadline.
Cue lists: ``patterns/deadline_*``.

Rolling calls ("laufend", "bis zur Ausschöpfung der Mittel") and durations ("innerhalb von drei
Monaten nach …") are found by their own patterns, only in sentences about submissions; they have
no date. Dedup: one Deadline per (date, subject) and document, an annual one per (month, day,
subject); the first mention wins.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from extractors.fields import dates as D
from models.records import DateMention, Deadline

# --- heuristics ----------------------------------------------------------------------------------
MAX_CUE_DIST = 220          # deadline evidence farther from the date than this (chars) is ignored
SUBJECT_BIS_DIST = 60       # "Anträge bis 31.3." / "Bewerbungen: bis 15. Mai": subject this near
END_PREP_BONUS = 25         # "bis"/"spätestens" right before the date favours the deadline reading
HEADING_MAX_LINES = 8       # lines searched upwards for a heading above a list of dates
HEADING_MAX_CHARS = 90      # a heading line is short
LEFT_WINDOW = 40
CONTINUATION_GAP = 3        # chars between a deadline's sentence and a continuing sentence
LABEL_MAX_CHARS = 90        # a sentence this short is a label line ("Fragen bis 1. März 2024 an …")

_CUES = D.read_jsonl("deadline_cues.jsonl")
_NEG = D.read_jsonl("deadline_negative.jsonl")

# one regex for all positive cues: group p<i> -> _CUES[i]
POS_RE = re.compile(
    "(?<![\\w])(?:" + "|".join(f"(?P<p{i}>{c['re']})" for i, c in enumerate(_CUES)) + ")")
_NEG_KINDS = ("post_award", "completion", "reference")
NEG_RE = re.compile(
    "(?<![\\w])(?:" + "|".join(f"(?P<{n['kind']}>{n['re']})" for n in _NEG if n["kind"] in _NEG_KINDS)
    + ")")
# the same matches, found fast (D.CueScanner: a first pass to the word starts where a cue can begin)
POS_SCAN = D.register_scanner(D.CueScanner("deadline_pos", [(f"p{i}", c["re"]) for i, c in enumerate(_CUES)]))
NEG_SCAN = D.register_scanner(D.CueScanner("deadline_neg", [(n["kind"], n["re"]) for n in _NEG
                                                            if n["kind"] in _NEG_KINDS]))
assert POS_SCAN.regex.pattern == POS_RE.pattern and NEG_SCAN.regex.pattern == NEG_RE.pattern
_LEFT = {n["kind"]: n["re"] for n in _NEG if n["kind"] not in _NEG_KINDS}
APPROX_RE = D.guarded(
    rf"(?<![\w])(?:{_LEFT['approx']})\s*(?:am|zum|den|dem|bis|ende|mitte|anfang)?\s*$", 0)
RELATIVE_RE = D.guarded(rf"(?<![\w])(?:{_LEFT['relative']})\s*$", 0)
START_RE = D.guarded(rf"(?<![\w])(?:{_LEFT['start']})\s*$", 0)
END_PREP_RE = D.guarded(
    r"(?<![\w])(?:bis|spätestens|zum|endet|endete|schluss|until|by|before)"
    r"(?:\s+(?:zum|spätestens|einschließlich|am|den|der|dem))?\s*[:,]?\s*$|:\s*$",
    0)
# a call inside a compound ("Ideenwettbewerb", "Sonderaufruf"); the word-start cues stay short so
# that their first pass is not slowed by common word starts ("Landes…", "Kommunal…")
CALL_INFIX_RE = D.guarded(r"wettbewerb|aufruf|ausschreibung|(?:portal|plattform)(?![\w])", 0)
WINDOW_RE = D.guarded(
    "(?<![\\w])(?:" + "|".join(f"(?:{a})" for a in D.read_lines("deadline_window.txt")) + ")", 0)
# what a programme funds ("die Projekte laufen vom … bis …") and what may govern it ("für Projekte")
PROJECT_RE = D.guarded(rf"(?<![\w])(?:{_LEFT['project']})", 0)
GOVERNED_RE = D.guarded(
    r"(?<![\w])(?:für|von|vom|zu|zur|zum|mit|bei|beim|im|in|an|aus|über|for|of)\s+(?:\S+\s+)?$", 0)
GOVERNED_LOOKBACK = 30      # chars before a project word searched for a governing preposition
RELATIVE_CLAUSE_RE = re.compile(r"\s*(?:die|der|das|welche[rsn]?|which|that)\s", 0)
ANTECEDENT_CHARS = 45       # chars before a relative clause searched for its project antecedent
# "nach dem 31. März 2024 eingehende Anträge werden nicht berücksichtigt": an implied deadline
LATE_LEFT_RE = D.guarded(r"(?<![\w])nach\s+(?:dem|the)\s*$")
LATE_RE = D.guarded(
    r"nicht\s+(?:mehr\s+)?(?:berücksichtigt|angenommen|bearbeitet|zugelassen)|ausgeschlossen|"
    r"verspätet|will\s+not\s+be\s+(?:considered|accepted)")
# what may stand right before a date that a submission verb governs (besides END_PREP_RE)
LINKED_LEFT_RE = D.guarded(
    r"(?<![\w])(?:am|an\s+dem|on|und|sowie|oder|bzw\.|and|or)(?:\s+(?:der|dem|den|spätestens))?\s*$")
# a sentence that only amends the deadline of the sentence before
CONTINUATION_RE = D.guarded(
    r"(?<![\w])(?:abweichend|ausnahmsweise|stattdessen|verlängert|verschoben|hingegen|"
    r"jedoch\s+(?:bereits|erst|schon)|gilt\s+(?:der|als\s+frist)|extended|postponed)")
# the word-start check stands once before the alternation (the same matches as one check in
# front of each alternative, but sre can skip an alternative at its first character)
ANNUAL_RE = D.guarded(
    "(?<![\\w])(?:" + "|".join(f"(?:{a})(?![\\w])" for a in D.read_lines("deadline_annual.txt")) + ")", 0)
ROLLING_RE = D.guarded(
    "(?<![\\w])(?:" + "|".join(f"(?:{a})" for a in D.read_lines("deadline_rolling.txt")) + ")", 0)
_NUMBER_WORDS = {k: int(v) for k, v in (l.split() for l in D.read_lines("deadline_duration.txt"))}
_NUM = rf"(?:\d{{1,3}}|{'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})"
# "innerhalb von drei Monaten nach …", "spätestens sechs Wochen vor Maßnahmebeginn",
# "mindestens vier Wochen vor Beginn" ("mindestens … nach" is a waiting time, not a deadline)
DURATION_RE = D.guarded(
    rf"(?<![\w])(?P<lead>innerhalb|binnen|spätestens|mindestens)\s+(?:von\s+|eines\s+|einer\s+)?(?P<n>{_NUM})"
    rf"(?:\s*(?:bis|-|–)\s*(?P<n2>{_NUM}))?\s+(?P<u>werktag\w*|arbeitstag\w*|tag\w*|woche\w*|monat\w*|jahr\w*)"
    r"\s+(?P<rel>nach|vor)(?![\w])",
    0)
_BULLET_RE = re.compile(r"^[\s\-•*–·▪◦>|]*(?:\d{1,2}[.)]\s+|[a-z][.)]\s+)?(?:[\w ]{0,25}:\s*)?$", 0)
UNDATED_KEYS = tuple(D.read_lines("deadline_undated_keys.txt"))
# DURATION_RE starts with one of these: it is tried right at their occurrences, not sentence-wide
DURATION_LEADS = ("innerhalb", "binnen", "spätestens", "mindestens")
ROLLING_KEYS = tuple(k for k in UNDATED_KEYS if k not in DURATION_LEADS)
_SUBMISSION_HINT = re.compile(
    r"antr|bewerb|einreich|skizz|frist|stichtag|schluss|interessenbekund|anmeld|angebot|deadline|"
    r"submi|einsend|vorzulegen|vorgelegt|beantrag|jederzeit|laufend|ausschöpfung|mittel|teilnahme",
    0)
_UNIT = {"tag": "D", "werktag": "D", "arbeitstag": "D", "woche": "W", "monat": "M", "jahr": "Y"}


@dataclass
class Hit:
    start: int
    end: int
    type: str          # noun | verb | subject | post_award | completion | reference | <date kind>
    subject: str | None = None
    cue: str | None = None
    strong: bool = False
    label: bool = True          # a subject word that can head a label line ("Fragen bis …")


def _sentence_hits(text: str, s0: int, s1: int, index=None) -> tuple[list[Hit], list[Hit]]:
    """Deadline evidence (pos) and competing cues (neg) in ``text[s0:s1]``; with the document's
    TextIndex the result is kept for the next call on the same span."""
    if index is not None:
        memo = index.__dict__.setdefault("_fr_sentence_hits", {})
        res = memo.get((s0, s1))
        if res is None:
            res = memo[(s0, s1)] = _find_hits(text, s0, s1, index)
        return res
    return _find_hits(text, s0, s1, None)


def _find_hits(text: str, s0: int, s1: int, index) -> tuple[list[Hit], list[Hit]]:
    def scan(scanner):
        return scanner.hits(index, text, s0, s1) if index is not None else scanner.finditer(text, s0, s1)

    pos, neg = [], []
    for m in scan(POS_SCAN):
        c = _CUES[int(m.lastgroup[1:])]
        pos.append(Hit(m.start(), m.end(), c["type"], c.get("subject"), c.get("cue") or m.group(0),
                       bool(c.get("strong")), c.get("label", True)))
    if not pos:
        return pos, neg             # no deadline evidence: competing cues are not needed
    for m in scan(NEG_SCAN):
        neg.append(Hit(m.start(), m.end(), m.lastgroup, cue=m.group(0)))
    for m in scan(D.KIND_SCAN):
        neg.append(Hit(m.start(), m.end(), m.lastgroup, cue=m.group(0)))
    # a competing cue inside a positive cue ("Antragszeitraum", "Bewerbungsbeginn") is the positive's
    neg = [n for n in neg if not any(p.start <= n.start and n.end <= p.end and p.type == "noun"
                                     for p in pos)]
    return pos, neg


@lru_cache(maxsize=2048)
def _parts(text: str) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) written in a date mention's text."""
    cands = D.scan(text)
    if not cands:
        return None, None, None
    c = cands[0]
    return c.y, c.m, c.d


def _window_hits(text: str, s0: int, s1: int, index) -> list[Hit]:
    """Window words ("geöffnet", "läuft") in ``text[s0:s1]`` (cached per sentence)."""
    memo = index.__dict__.setdefault("_fr_window_hits", {})
    res = memo.get((s0, s1))
    if res is None:
        res = memo[(s0, s1)] = [Hit(w.start(), w.end(), "window", None, "geöffnet")
                                for w in WINDOW_RE.finditer(text, s0, s1)]
    return res


def _project_in_clause(text: str, s0: int, s1: int, m) -> bool:
    """Does a project word that no preposition governs stand in the clause of mention ``m``, or
    right before a relative clause holding it ("Projekte, die vom … bis … laufen")?"""
    a = s0
    for br in D.CLAUSE_BREAK_RE.finditer(text, s0, m.start):
        a = br.end()
    br = D.CLAUSE_BREAK_RE.search(text, m.end, s1)
    b = br.start() if br else s1
    if a > s0 and RELATIVE_CLAUSE_RE.match(text, a) \
            and PROJECT_RE.search(text, max(s0, a - ANTECEDENT_CHARS), a):
        return True
    for pm in PROJECT_RE.finditer(text, a, b):
        if m.start <= pm.start() < m.end:
            continue
        if not GOVERNED_RE.search(text, max(a, pm.start() - GOVERNED_LOOKBACK), pm.start()):
            return True
    return False


def _dedup_key(dl: Deadline) -> tuple:
    """One deadline per (date, subject); an annual one whose year is unknown per (month, day,
    subject), so that "jeweils bis zum 31. März oder 30. September" keeps both dates."""
    if dl.kind == "fristJaehrlich" and dl.date is None:
        _y, mo, d = _parts(dl.text)
        if mo and d:
            return ("annual", mo, d, dl.subject)
    return (dl.date, dl.subject) if dl.date else (dl.date, dl.subject, dl.start)


def _annual_sentence(text: str, index, m) -> bool:
    """Does the sentence of mention ``m`` say "jährlich", "jeden Jahres" …? (cached per sentence)"""
    s0, s1 = D._sentence_bounds(index, m.start, m.end)
    memo = index.__dict__.setdefault("_fr_annual", {})
    res = memo.get((s0, s1))
    if res is None:
        res = memo[(s0, s1)] = bool(ANNUAL_RE.search(text, s0, s1))
    return res


def _is_line_start(text: str, pos: int) -> tuple[bool, int]:
    ls = text.rfind("\n", 0, pos) + 1
    return bool(_BULLET_RE.match(text[ls:pos])), ls


class DeadlinesComponent:
    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        ctx = doc._.fr_ctx
        if ctx is None:
            return doc
        orig = ctx.text
        text = D.lower_text(orig)
        out: list[Deadline] = doc._.fr["deadlines"]
        seen: set[tuple] = set()
        mentions: list[DateMention] = doc._.fr.get("dates") or []
        found: list[tuple[Deadline, tuple[int, int], str | None]] = []
        if mentions:
            found = self._dated(text, ctx, mentions)
        # several cut-offs of the same subject in one sentence or list -> stichtage
        groups: dict[tuple, list[Deadline]] = {}
        for dl, group, _ in found:
            groups.setdefault((group, dl.subject), []).append(dl)
        for dls in groups.values():
            if len({d.date for d in dls if d.date and d.kind == "fristdatum"}) >= 2:
                for d in dls:
                    if d.kind == "fristdatum":
                        d.kind = "stichtage"
        specific = {dl.date for dl, _, _ in found if dl.subject != "other"}
        for dl, _, _ in found:
            key = _dedup_key(dl)
            if dl.subject == "other" and dl.date is not None and dl.date in specific:
                continue        # the same date is already known with what is due
            if key in seen:
                continue
            seen.add(key)
            out.append(dl)
        if any(k in text for k in UNDATED_KEYS):
            for dl in self._undated(text, orig, ctx):
                key = (dl.kind, dl.subject, dl.duration)
                if key in seen:
                    continue
                seen.add(key)
                out.append(dl)
        return doc

    # --- dated deadlines -------------------------------------------------------------------------
    def _dated(self, text, ctx, mentions):
        index = ctx.index
        by_sent: dict[tuple[int, int], list[DateMention]] = {}
        bounds = {}
        for m in mentions:
            b = D._sentence_bounds(index, m.start, m.end)
            bounds[id(m)] = b
            by_sent.setdefault(b, []).append(m)
        hits_cache: dict[tuple[int, int], tuple[list[Hit], list[Hit]]] = {}
        found = []
        for m in mentions:
            if m.kind == "publication" or m.granularity in ("year", "quarter", "half", "season"):
                continue
            s0, s1 = bounds[id(m)]
            if (s0, s1) not in hits_cache:
                hits_cache[(s0, s1)] = _sentence_hits(text, s0, s1, index)
            pos, neg = hits_cache[(s0, s1)]
            res = self._judge(text, ctx, m, s0, s1, pos, neg, by_sent[(s0, s1)])
            if res is None and not pos and not neg and m.granularity == "day" and m.date is not None \
                    and found and found[-1][0].date is not None \
                    and 0 <= s0 - found[-1][1][1] <= CONTINUATION_GAP \
                    and "\n\n" not in text[found[-1][1][1]:s0]:
                res = self._continuation(text, ctx, m, s0, found[-1])
            if res is None:
                at_line_start, ls = _is_line_start(text, m.start)
                if not at_line_start or any(p.type in ("noun", "verb") for p in pos):
                    continue
                res = self._heading(text, ctx, m, ls, mentions)
                if res is None:
                    continue
            found.append(res)
        return found

    def _judge(self, text, ctx, m, s0, s1, pos, neg, siblings):
        if not pos:
            return None         # no deadline evidence in the sentence
        left = text[max(s0, m.start - LEFT_WINDOW):m.start]
        if APPROX_RE.search(left):
            return None
        is_range = m.date_end is not None and m.granularity == "day"
        late_left = LATE_LEFT_RE.search(left)
        if not is_range and not late_left and START_RE.search(left):
            return None
        end_prep = bool(END_PREP_RE.search(left))

        def dist(h: Hit) -> int:
            return D.cue_distance(text, h.start, h.end, m.start, m.end)

        subjects = [h for h in pos if h.type == "subject" and not (m.start <= h.start < m.end)]
        calls = any(h.type == "call" for h in pos)
        if not calls and (is_range or any(h.cue == "endet" for h in pos)):
            calls = CALL_INFIX_RE.search(text, s0, s1) is not None     # "Der Ideenwettbewerb läuft …"
        short = s1 - s0 <= LABEL_MAX_CHARS
        late = late_left and LATE_RE.search(text, s0, s1)
        if not late and RELATIVE_RE.search(left):     # (APPROX_RE is already ruled out above)
            return None
        best = None
        if is_range and (calls or subjects):
            pos = pos + _window_hits(text, s0, s1, ctx.index)
        for h in pos:
            if m.start <= h.start < m.end:
                continue
            d = dist(h)
            if h.type == "noun" or (h.type == "verb" and (h.strong or subjects)):
                pass
            elif h.type == "verb" and h.cue == "endet" and calls:
                pass            # "Der Förderaufruf läuft bis zum 31. Mai 2024"
            elif h.type == "window" and is_range and (calls or subjects):
                pass            # "Der Förderaufruf ist vom 1. März bis 30. April 2024 geöffnet"
            elif h.type == "subject" and h.label and (end_prep or late) and short and h.end <= m.start \
                    and d <= SUBJECT_BIS_DIST:
                pass            # "Fragen bis 1. März 2024 an …", "Bewerbungen: bis 15. Mai 2024"
            elif h.type == "subject" and late:
                pass            # "Anträge, die nach dem 31. März eingehen, werden nicht berücksichtigt"
            else:
                continue
            if best is None or d < best[0]:
                best = (d, h)
        if best is None or best[0] > MAX_CUE_DIST:
            return None
        if best[1].type != "noun" and not (end_prep or late or is_range or LINKED_LEFT_RE.search(left)):
            return None         # a verb alone needs "bis", "spätestens", "am" … right before the date
        if best[1].type == "window" and _project_in_clause(text, s0, s1, m):
            return None         # "Die Vorhaben des Förderaufrufs laufen vom … bis …": a project period
        dp = best[0] - (END_PREP_BONUS if end_prep and best[1].type != "subject" else 0)
        # a subject word alone ("Fragen bis 1. März 2024 an …") reads as a label line only when
        # nothing else in it speaks of the date ("Die Jury bewertet die Skizzen bis Ende Juli")
        label = best[1].type == "subject" and not late
        # "geöffnet", "läuft" are weak evidence too: any other cue about the range wins
        label = label or best[1].type == "window"
        paren = text.find("(", s0, s1) >= 0
        if paren and D.in_aside(text, m.start, best[1].start, best[1].end):
            return None         # "Anträge (für Investitionen bis 31.12.2025) sind bis … einzureichen"
        # competing cues, each attached to the date nearest to it
        for n in neg:
            if paren and D.in_aside(text, n.start, m.start, m.end):
                continue        # "bis zum 31. März (für einen Projektbeginn im laufenden Jahr)"
            if is_range and n.type == "call_start":
                continue        # a submission window opens at the range start and closes at its end
            dn = dist(n)
            if any(o is not m and D.cue_distance(text, n.start, n.end, o.start, o.end) < dn
                   for o in siblings):
                continue
            if n.type == "post_award" and dn <= best[0] + END_PREP_BONUS:
                return None
            if dn < dp or label:
                return None
        res = self._make(text, ctx, m, best[1], subjects, pos, (s0, s1), end_prep, best[0])
        if res is not None and "anmeldung" in (res[0].subject, best[1].subject) \
                and any(n.type == "event" for n in neg):
            return None         # registration for an info event or a consultation, not the programme
        return res

    def _continuation(self, text, ctx, m, s0, prev):
        """ "Antragsstichtag ist der 15.09. Für 2024 gilt abweichend der 30.04.2024." """
        if prev is None or not CONTINUATION_RE.search(text, s0, m.start):
            return None
        _, s1 = D._sentence_bounds(ctx.index, m.start, m.end)
        for rx in (NEG_RE, D.KIND_RE):
            if any(not h.group(0).startswith("gilt") for h in rx.finditer(text, s0, s1)):
                return None
        dl, group, subject = prev
        return (dl.model_copy(update=dict(text=ctx.text[m.start:m.end], start=m.start, end=m.end,
                                          date=m.date, kind="fristdatum", time=m.time,
                                          rule=f"continuation:{dl.rule}")), (s0, m.end), subject)

    def _heading(self, text, ctx, m, line_start, mentions):
        """A date at the start of a line under a heading such as "Antragsfrist:" or "Stichtage"."""
        starts = {x.start for x in mentions}
        pos_line_end = line_start - 1
        for _ in range(HEADING_MAX_LINES):
            if pos_line_end <= 0:
                return None
            ls = text.rfind("\n", 0, pos_line_end) + 1
            line = text[ls:pos_line_end]
            pos_line_end = ls - 1
            if not line.strip():
                continue
            # a line that is itself a listed date: keep going up
            if any(ls <= s < ls + len(line) and _BULLET_RE.match(text[ls:s]) for s in starts):
                continue
            if len(line.strip()) > HEADING_MAX_CHARS:
                return None
            pos, neg = _sentence_hits(text, ls, ls + len(line), ctx.index)
            if any(n.type in ("post_award", "reference", "event", "publication", "period_end",
                              "period_start", "completion") for n in neg):
                return None
            cues = [h for h in pos if h.type == "noun"] or \
                   [h for h in pos if h.type == "subject" and line.rstrip().endswith(":")]
            if not cues:
                return None
            subjects = [h for h in pos if h.type == "subject"]
            return self._make(text, ctx, m, cues[0], subjects, pos, (ls, ls + len(line)), True, 0)
        return None

    def _make(self, text, ctx, m, cue: Hit, subjects, pos, group, end_prep, cue_dist):
        # subject: the nearest subject word, unless the cue itself names a nearer one
        subject = cue.subject
        if subjects:
            near = min(subjects, key=lambda h: D.cue_distance(text, h.start, h.end, m.start, m.end))
            dn = D.cue_distance(text, near.start, near.end, m.start, m.end)
            if subject is None or dn < cue_dist:
                subject = near.subject
        subject = subject or "other"
        is_range = m.date_end is not None and m.granularity == "day"
        rule = m.rule or ""
        date = m.date_end if is_range else m.date
        granularity = m.granularity
        if m.granularity == "month":
            if rule.endswith("_end") or "_end+" in rule:
                date = m.date_end
            elif rule.endswith("_mid") or "_mid+" in rule:
                date = m.date.replace(day=15) if m.date else None
            elif rule.endswith("_start") or "_start+" in rule:
                return None
            elif end_prep and (cue.type == "noun" or cue.strong):
                date = m.date_end
            else:
                return None
        annual = "+annual" in rule or _annual_sentence(text, ctx.index, m)
        written_year = "+inferred_year" not in rule and (date is not None)
        kind = "fristdatum"
        if annual and not written_year:
            kind = "fristJaehrlich"
            y, mo, d = _parts(m.text)
            date = None
            if mo and d and ctx.published:
                for year in (ctx.published.year, ctx.published.year + 1):
                    try:
                        cand = dt.date(year, mo, d)
                    except ValueError:
                        continue
                    if cand >= ctx.published:
                        date = cand
                        break
        elif date is None:
            return None
        if cue.cue and cue.cue.lower().startswith("stichtage"):
            kind = "stichtage"
        dl = Deadline(text=m.text, start=m.start, end=m.end, date=date, kind=kind,
                      granularity=granularity, time=m.time, subject=subject,
                      cue=ctx.text[cue.start:cue.end], rule=f"{cue.type}:{cue.cue}")
        return dl, group, subject

    # --- rolling and duration deadlines ----------------------------------------------------------
    def _undated(self, text, orig, ctx):
        index = ctx.index
        out = []
        sentences = set()
        for key in ROLLING_KEYS:
            i = text.find(key)
            while i >= 0:
                sentences.add(D._sentence_bounds(index, i, i + len(key)))
                i = text.find(key, i + len(key))
        matches = []
        for s0, s1 in sentences:
            matches.extend((s0, 0, mt.start(), mt, "laufend") for mt in ROLLING_RE.finditer(text, s0, s1))
        for lead in DURATION_LEADS:
            i = text.find(lead)
            while i >= 0:
                s0, s1 = D._sentence_bounds(index, i, i + len(lead))
                mt = DURATION_RE.match(text, i, s1)
                if mt:
                    matches.append((s0, 1, i, mt, "fristFest"))
                i = text.find(lead, i + len(lead))
        matches.sort(key=lambda x: x[:3])     # sentence by sentence, rolling before durations
        for _s, _k, _p, mt, kind in matches:
                s0, s1 = D._sentence_bounds(index, mt.start(), mt.end())
                pos, neg = _sentence_hits(text, s0, s1, index)
                if any(n.type in ("post_award", "reference") for n in neg):
                    continue
                nouns = [h for h in pos if h.type == "noun"]
                subjects = [h for h in pos if h.type == "subject"]
                verbs = [h for h in pos if h.type == "verb"]
                if not nouns and not (subjects and verbs):
                    continue
                near = min(nouns + subjects, key=lambda h: D.cue_distance(
                    text, h.start, h.end, mt.start(), mt.end()))
                subject = near.subject
                if subject is None and subjects:
                    subject = min(subjects, key=lambda h: D.cue_distance(
                        text, h.start, h.end, mt.start(), mt.end())).subject
                duration = None
                k = kind
                if kind == "fristFest" and mt.group("lead") == "mindestens" and mt.group("rel") == "nach":
                    continue
                if kind == "fristFest":
                    unit = _UNIT.get(re.sub(r"(?:e|en|es|s|n)$", "", mt.group("u").lower()), None)
                    unit = unit or _UNIT.get(mt.group("u").lower()[:5].rstrip("e"), "D")
                    if mt.group("u").lower().startswith("woche"):
                        unit = "W"
                    elif mt.group("u").lower().startswith("monat"):
                        unit = "M"
                    elif mt.group("u").lower().startswith("jahr"):
                        unit = "Y"
                    else:
                        unit = "D"
                    n1 = _num(mt.group("n"))
                    duration = f"P{n1}{unit}"
                    if mt.group("n2"):
                        k = "fristSpanne"
                        duration = f"P{n1}{unit}/P{_num(mt.group('n2'))}{unit}"
                out.append(Deadline(text=orig[mt.start():mt.end()], start=mt.start(), end=mt.end(),
                                    date=None, kind=k, granularity="day", subject=subject or "other",
                                    duration=duration, cue=orig[near.start:near.end],
                                    rule=f"{k}:{mt.group(0).split()[0].lower()}"
                                     + ("+vor" if kind == "fristFest" and mt.group("rel") == "vor" else "")))
        return out


def _num(s: str) -> int:
    return int(s) if s.isdigit() else _NUMBER_WORDS[s.lower()]


@Language.factory("foerderradar_deadlines")
def make_component(nlp: Language, name: str):
    return DeadlinesComponent(nlp, name)
