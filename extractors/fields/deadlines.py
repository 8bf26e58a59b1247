"""Field component `foerderradar_deadlines`: dates by which something must be submitted.

Reads the :class:`~extractors.fields.dates.DateFound` records of ``foerderradar_dates`` and
decides, sentence by sentence, which of them are submission deadlines for the programme (XFLB 2.0
``antragsfrist`` kinds: fristdatum, fristJaehrlich, fristFest, fristSpanne; plus laufend and
stichtage).

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
Distances, clauses and asides: :mod:`extractors.fields.text`; the cues of a sentence:
:mod:`extractors.fields.deadline_evidence`; rolling calls and durations:
:mod:`extractors.fields.deadline_undated`. Cue lists: ``patterns/deadline_*``.

Rolling calls ("laufend", "bis zur Ausschöpfung der Mittel") and durations ("innerhalb von drei
Monaten nach …") are found by their own patterns, only in sentences about submissions; they have
no date. Dedup: one deadline per (date, subject) and document, an annual one per (month, day,
subject); the first mention wins.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace


from extractors.fields.dates import DateFound
from extractors.fields.deadline_evidence import (KIND_RE, LEFT_PATTERNS, NEG_RE, DeadlineFound, Doc_,
                                                 Hit, words)
from extractors.fields.deadline_undated import undated
from extractors.fields.pipeline import field_component
from extractors.fields.rules import read_lines
from extractors.fields.text import CLAUSE_BREAK_RE, cue_distance, in_aside

# --- heuristics ----------------------------------------------------------------------------------
MAX_CUE_DIST = 220          # deadline evidence farther from the date than this (chars) is ignored
SUBJECT_BIS_DIST = 60       # "Anträge bis 31.3." / "Bewerbungen: bis 15. Mai": subject this near
END_PREP_BONUS = 25         # "bis"/"spätestens" right before the date favours the deadline reading
HEADING_MAX_LINES = 8       # non-blank lines searched upwards for a heading above a list of dates
HEADING_MAX_CHARS = 90      # a heading line is short
LEFT_WINDOW = 40
CONTINUATION_GAP = 3        # chars between a deadline's sentence and a continuing sentence
COORDINATION_GAP = 30       # chars between two coordinated dates ("31. März und 30. September")
LABEL_MAX_CHARS = 90        # a sentence this short is a label line ("Fragen bis 1. März 2024 an …")
GOVERNED_LOOKBACK = 30      # chars before a project word searched for a governing preposition
ANTECEDENT_CHARS = 45       # chars before a relative clause searched for its project antecedent


# right before the date
APPROX_RE = re.compile(rf"(?<![\w])(?:{LEFT_PATTERNS['approx']})\s*(?:am|zum|den|dem|bis|ende|mitte|anfang)?\s*$")
RELATIVE_RE = re.compile(rf"(?<![\w])(?:{LEFT_PATTERNS['relative']})\s*$")
START_RE = re.compile(rf"(?<![\w])(?:{LEFT_PATTERNS['start']})\s*$")
END_PREP_RE = re.compile(
    r"(?<![\w])(?:" + words("deadline_end_preps.txt") + r")"
    r"(?:\s+(?:zum|spätestens|einschließlich|am|im|den|der|dem))?\s*[:,]?\s*$|:\s*$")
# what may stand right before a date that a submission verb governs (besides END_PREP_RE)
LINKED_LEFT_RE = re.compile(
    r"(?<![\w])(?:" + words("deadline_linked_left.txt") + r")(?:\s+(?:der|dem|den|spätestens))?\s*$")
# "nach dem 31. März 2024 eingehende Anträge werden nicht berücksichtigt": an implied deadline
LATE_LEFT_RE = re.compile(r"(?<![\w])nach\s+(?:dem|the)\s*$")
LATE_RE = re.compile(words("deadline_late.txt"))
# a call inside a compound ("Ideenwettbewerb", "Sonderaufruf"), found anywhere in a word
CALL_INFIX_RE = re.compile(words("deadline_call_infix.txt"))
WINDOW_RE = re.compile("(?<![\\w])(?:" + "|".join(f"(?:{a})" for a in read_lines("deadline_window.txt")) + ")")
# what a programme funds ("die Projekte laufen vom … bis …") and what may govern it ("für Projekte")
PROJECT_RE = re.compile(rf"(?<![\w])(?:{LEFT_PATTERNS['project']})")
GOVERNED_RE = re.compile(r"(?<![\w])(?:" + words("deadline_governing_preps.txt") + r")\s+(?:\S+\s+)?$")
RELATIVE_CLAUSE_RE = re.compile(r"\s*(?:die|der|das|welche[rsn]?|which|that)\s")
# a sentence that only amends the deadline of the sentence before
CONTINUATION_RE = re.compile(r"(?<![\w])(?:" + words("deadline_continuation.txt") + ")")
# between two coordinated dates: a comma or a conjunction, maybe a preposition or article
_COORDINATION_RE = re.compile(
    r"\s*(?:[,;]\s*(?:(?:" + words("deadline_conjunctions.txt") + r")\s+)?|(?:" + words("deadline_conjunctions.txt")
    + r")\s+)(?:(?:spätestens|jeweils)\s+)?(?:(?:am|bis(?:\s+zum)?|zum|der|den|dem)\s+)?")
# "… ist der 15. Mai", "… lautet: 15. Mai": a sentence giving a value
_VALUE_LEFT_RE = re.compile(r"(?<![\w])(?:ist|lautet|wird|sind)\s+(?:jetzt\s+|nun\s+|nunmehr\s+)?(?:der|am)\s*$")
PAST_AUX_RE = re.compile(r"(?<![\w])(?:" + words("deadline_past_aux.txt") + r")(?![\w])")
# an event noun with what it is about ("Sprechstunde zur Antragstellung", "Workshop zum Aufruf")
_EVENT_OF_RE = re.compile(r"\s+(?:zur|zum|zu|für|über|on|about)\s+(?:\w+\s+)?")
_LABEL_COLON_RE = re.compile(r"[*\s]*:\s*")
_BULLET_RE = re.compile(r"^[\s\-•*–·▪◦>|]*(?:\d{1,2}[.)]\s+|[a-z][.)]\s+)?(?:[\w ]{0,25}:\s*)?$")
# competing cues that keep a heading from heading a list of deadlines
_HEADING_BLOCKERS = ("post_award", "reference", "event", "publication", "period_end", "period_start",
                     "completion")


@dataclass(slots=True)
class Found:
    """A dated deadline with the span its cues came from (sentence or heading), its subject, and
    the cue that made it one."""
    deadline: DeadlineFound
    group: tuple[int, int]
    subject: str | None
    cue: Hit | None = None
    end_prep: bool = False


def _project_in_clause(low: str, s0: int, s1: int, m: DateFound) -> bool:
    """Does a project word that no preposition governs stand in the clause of date ``m``, or
    right before a relative clause holding it ("Projekte, die vom … bis … laufen")?"""
    a = s0
    for br in CLAUSE_BREAK_RE.finditer(low, s0, m.start):
        a = br.end()
    br = CLAUSE_BREAK_RE.search(low, m.end, s1)
    b = br.start() if br else s1
    if a > s0 and RELATIVE_CLAUSE_RE.match(low, a) \
            and PROJECT_RE.search(low, max(s0, a - ANTECEDENT_CHARS), a):
        return True
    for pm in PROJECT_RE.finditer(low, a, b):
        if m.start <= pm.start() < m.end:
            continue
        if not GOVERNED_RE.search(low, max(a, pm.start() - GOVERNED_LOOKBACK), pm.start()):
            return True
    return False


def _dedup_key(dl: DeadlineFound) -> tuple:
    """One deadline per (date, subject); an annual one whose year is unknown per (month, day,
    subject), so that "jeweils bis zum 31. März oder 30. September" keeps both dates."""
    if dl.kind == "fristJaehrlich" and dl.date is None and dl.month_day:
        return ("annual", *dl.month_day, dl.subject)
    return (dl.date, dl.subject) if dl.date else (dl.date, dl.subject, dl.start)


def _is_line_start(low: str, pos: int) -> tuple[bool, int]:
    """(does a bullet or a line start stand right before ``pos``, the line's start)"""
    ls = low.rfind("\n", 0, pos) + 1
    return bool(_BULLET_RE.match(low[ls:pos])), ls


# --- dated deadlines -----------------------------------------------------------------------------

@dataclass(slots=True)
class _Left:
    """What stands right before a date."""
    end_prep: bool          # "bis", "spätestens", ":"
    late: bool              # "nach dem …" in a sentence that refuses late submissions
    linked: bool            # "am", "und" …: a verb may govern the date


def _left_of(doc: Doc_, m: DateFound, s0: int, s1: int) -> _Left | None:
    """The words right before date ``m``; None where they rule a deadline out ("etwa", "ab",
    "vier Wochen vor dem")."""
    low = doc.low
    left = low[max(s0, m.start - LEFT_WINDOW):m.start]
    if APPROX_RE.search(left):
        return None
    late_left = LATE_LEFT_RE.search(left)
    if not m.day_range and not late_left and START_RE.search(left):
        return None
    late = bool(late_left and LATE_RE.search(low, s0, s1))
    if not late and RELATIVE_RE.search(left):
        return None
    return _Left(bool(END_PREP_RE.search(left)), late, bool(LINKED_LEFT_RE.search(left)))


def _label_subject(h: Hit, m: DateFound, left: _Left, short: bool, d: int) -> bool:
    """A subject word heading a short label line right before "bis DATE" ("Fragen bis 1. März
    2024 an …", "Bewerbungen: bis 15. Mai 2024")."""
    return h.label and (left.end_prep or left.late) and short and h.end <= m.start \
        and d <= SUBJECT_BIS_DIST


def _admits(h: Hit, m: DateFound, left: _Left, subjects: bool, calls: bool, short: bool,
            d: int) -> bool:
    """Is cue ``h`` (at distance ``d``) deadline evidence for date ``m``?"""
    if h.type == "noun" or (h.type == "verb" and (h.strong or subjects)):
        return True
    if h.type == "verb":
        return h.cue == "endet" and calls      # "Der Förderaufruf läuft bis zum 31. Mai 2024"
    if h.type == "window":
        return m.day_range and (calls or subjects)  # "Der Förderaufruf ist vom 1. März bis 30. April 2024 geöffnet"
    # "Anträge, die nach dem 31. März eingehen, werden nicht berücksichtigt"
    return h.type == "subject" and (left.late or _label_subject(h, m, left, short, d))


def _calls(low: str, s0: int, s1: int, m: DateFound, pos: list[Hit]) -> bool:
    """Does the sentence speak of a call ("Förderaufruf", "Ideenwettbewerb" in a compound)?"""
    if any(h.type == "call" for h in pos):
        return True
    if m.day_range or any(h.cue == "endet" for h in pos):
        return CALL_INFIX_RE.search(low, s0, s1) is not None
    return False


def _labels_another(low: str, h: Hit, m: DateFound, siblings: list[DateFound]) -> bool:
    """Is ``h`` the label of another date ("Einreichschluss: 15. April 2017" labels that date
    only, not "(30.05.2017)" before it)?"""
    after = _LABEL_COLON_RE.match(low, h.end)
    return after is not None and any(o is not m and o.start == after.end() for o in siblings)


def _best_evidence(doc: Doc_, m: DateFound, s0: int, s1: int, pos: list[Hit],
                   left: _Left, siblings: list[DateFound]) -> tuple[int, Hit, list[Hit]] | None:
    """The nearest deadline evidence for ``m`` (distance, cue), and the subject words."""
    low = doc.low
    subjects = [h for h in pos if h.type == "subject" and not (m.start <= h.start < m.end)]
    calls = _calls(low, s0, s1, m, pos)
    if m.day_range and (calls or subjects):
        pos = pos + [Hit(w.start(), w.end(), "window", None, "geöffnet")
                     for w in WINDOW_RE.finditer(low, s0, s1)]
    short = s1 - s0 <= LABEL_MAX_CHARS
    best = None
    for h in pos:
        if m.start <= h.start < m.end or _labels_another(low, h, m, siblings):
            continue
        d = doc.dist(h, m)
        if _admits(h, m, left, bool(subjects), calls, short, d) and (best is None or d < best[0]):
            best = (d, h)
    if best is None or best[0] > MAX_CUE_DIST:
        return None
    return best[0], best[1], subjects


def _outcompeted(doc: Doc_, m: DateFound, neg: list[Hit], siblings: list[DateFound], best_d: int,
                 dp: int, label: bool, paren: bool) -> bool:
    """Does a competing cue attached to ``m`` (each to the date nearest to it) win over the
    evidence at distance ``best_d`` (``dp`` with the "bis" bonus)?"""
    for n in neg:
        if paren and in_aside(doc.low, n.start, m.start, m.end):
            continue        # "bis zum 31. März (für einen Projektbeginn im laufenden Jahr)"
        if m.day_range and n.type == "call_start":
            continue        # a submission window opens at the range start and closes at its end
        dn = doc.dist(n, m)
        if any(o is not m and cue_distance(doc.low, n.start, n.end, o.start, o.end) < dn
               for o in siblings):
            continue
        if n.type == "post_award" and dn <= best_d + END_PREP_BONUS:
            return True
        if dn < dp or label:
            return True
    return False


def _reported_or_after_award(low: str, m: DateFound, s0: int, s1: int, cue: Hit, left: _Left,
                             neg: list[Hit]) -> bool:
    """Does the sentence report a past submission ("hat seinen Antrag am 3. März gestellt"),
    stand after the award ("Im Fall einer Bewilligung sind … vorzulegen"), open a window of a
    given length at the date ("acht Wochen lang"), or is the deadline word what an event is about
    ("Sprechstunde zur Antragstellung am 4. April")?"""
    if any(n.type == "after_award" for n in neg):
        return True
    if not m.day_range and any(n.type == "window_length" and n.start > m.end for n in neg):
        return True         # "am 16. März … können acht Wochen lang Anträge gestellt werden"
    if cue.type == "verb" and not left.end_prep and PAST_AUX_RE.search(low, s0, s1):
        return True
    return cue.type == "noun" and any(
        n.type == "event" and n.end <= cue.start and _EVENT_OF_RE.fullmatch(low, n.end, cue.start)
        for n in neg)


def _ruled_out(doc: Doc_, m: DateFound, s0: int, s1: int, cue: Hit, left: _Left,
               neg: list[Hit]) -> bool:
    """Checks on the evidence found: a verb needs "bis", "am" … right before the date; reports,
    post-award sentences and event topics are out; a window word over a project period is none."""
    if cue.type != "noun" and not (left.end_prep or left.late or m.day_range or left.linked):
        return True
    if _reported_or_after_award(doc.low, m, s0, s1, cue, left, neg):
        return True
    # "Die Vorhaben des Förderaufrufs laufen vom … bis …": a project period
    return cue.type == "window" and _project_in_clause(doc.low, s0, s1, m)


def _judge(doc: Doc_, m: DateFound, s0: int, s1: int, pos: list[Hit], neg: list[Hit],
           siblings: list[DateFound]) -> Found | None:
    """Date ``m`` as a deadline of its sentence ``[s0, s1)``, or None."""
    if not pos:
        return None         # no deadline evidence in the sentence
    left = _left_of(doc, m, s0, s1)
    if left is None:
        return None
    ev = _best_evidence(doc, m, s0, s1, pos, left, siblings)
    if ev is None:
        return None
    best_d, cue, subjects = ev
    if _ruled_out(doc, m, s0, s1, cue, left, neg):
        return None
    dp = best_d - (END_PREP_BONUS if left.end_prep and cue.type != "subject" else 0)
    # a subject word alone ("Fragen bis 1. März 2024 an …") reads as a label line only when
    # nothing else in it speaks of the date ("Die Jury bewertet die Skizzen bis Ende Juli");
    # "geöffnet", "läuft" are weak evidence too: any other cue about the range wins
    label = (cue.type == "subject" and not left.late) or cue.type == "window"
    paren = doc.low.find("(", s0, s1) >= 0
    if paren and in_aside(doc.low, m.start, cue.start, cue.end):
        return None         # "Anträge (für Investitionen bis 31.12.2025) sind bis … einzureichen"
    if _outcompeted(doc, m, neg, siblings, best_d, dp, label, paren):
        return None
    res = _make(doc, m, cue, subjects, (s0, s1), left.end_prep, best_d)
    return None if res is not None and _event_registration(res, cue, neg) else res


def _event_registration(res: Found, cue: Hit, neg: list[Hit]) -> bool:
    """Registration for an info event or a consultation, not for the programme."""
    return "anmeldung" in (res.subject, cue.subject) and any(n.type == "event" for n in neg)


def _continuation(doc: Doc_, m: DateFound, s0: int, prev: Found) -> Found | None:
    """ "Antragsstichtag ist der 15.09. Für 2024 gilt abweichend der 30.04.2024." """
    if not CONTINUATION_RE.search(doc.low, s0, m.start):
        return None
    _, s1 = doc.sentence(m.start, m.end)
    for rx in (NEG_RE, KIND_RE):
        if any(not h.group(0).startswith("gilt") for h in rx.finditer(doc.low, s0, s1)):
            return None
    dl = replace(prev.deadline, text=m.text, start=m.start, end=m.end, date=m.date,
                 kind="fristdatum", time=m.time, rule=f"continuation:{prev.deadline.rule}")
    return Found(dl, (s0, m.end), prev.subject)


def _heading(doc: Doc_, m: DateFound, line_start: int, starts: set[int]) -> Found | None:
    """A date at the start of a line under a heading such as "Antragsfrist:" or "Stichtage"."""
    low = doc.low
    pos_line_end = line_start - 1
    lines = 0
    while lines < HEADING_MAX_LINES:
        if pos_line_end <= 0:
            return None
        ls = low.rfind("\n", 0, pos_line_end) + 1
        line = low[ls:pos_line_end]
        pos_line_end = ls - 1
        if not line.strip():
            continue            # blank lines between list items do not count
        lines += 1
        # a line that is itself a listed date: keep going up
        if any(ls <= s < ls + len(line) and _BULLET_RE.match(low[ls:s]) for s in starts):
            continue
        if len(line.strip()) > HEADING_MAX_CHARS:
            return None
        pos, neg = doc.hits(ls, ls + len(line))
        if any(n.type in _HEADING_BLOCKERS for n in neg):
            return None
        cues = [h for h in pos if h.type == "noun"] or \
               [h for h in pos if h.type == "subject" and line.rstrip().endswith(":")]
        if not cues:
            return None
        subjects = [h for h in pos if h.type == "subject"]
        return _make(doc, m, cues[0], subjects, (ls, ls + len(line)), True, 0)
    return None


def _deadline_date(m: DateFound, cue: Hit, end_prep: bool) -> tuple[bool, dt.date | None]:
    """(is it a deadline, its date): a day, a day range's end, the last day of a period that
    "Ende" closes; a plain month, quarter, half or season only after "bis" with a deadline noun
    or strong verb (its last day); "Anfang Mai", "Mitte Oktober", "bis 2025" never."""
    if m.day_range:
        return True, m.date_end
    if m.granularity == "day":
        return True, m.date
    if m.position == "end":
        return True, m.date_end     # "bis Ende April", "bis Ende 2025", "bis Ende Q3 2025"
    if m.granularity == "year":
        return False, None          # "bis 2025": the whole year, no deadline
    if m.position in ("start", "mid"):
        return False, None      # "Anfang Mai", "Mitte Oktober": approximate
    if end_prep and (cue.type == "noun" or cue.strong):
        return True, m.date_end
    return False, None


def _passed_at_publication(m: DateFound, date: dt.date | None, published: dt.date | None) -> bool:
    """A year-less date read in the publication year that had passed when the text was published
    ("Der 15. Januar ist der Stichtag", published on 20 January): this year's or next year's? Not
    certain, so no deadline."""
    return m.year_source == "publication" and date is not None and published is not None \
        and date < published


def _next_on_or_after(month: int | None, day: int | None, published: dt.date | None) -> dt.date | None:
    """The first (month, day) on or after publication, for an annual deadline."""
    if not (month and day and published):
        return None
    for year in (published.year, published.year + 1):
        try:
            cand = dt.date(year, month, day)
        except ValueError:
            continue
        if cand >= published:
            return cand
    return None


def _make(doc: Doc_, m: DateFound, cue: Hit, subjects: list[Hit], group: tuple[int, int],
          end_prep: bool, cue_dist: int) -> Found | None:
    """The deadline record of date ``m`` found by ``cue``: subject, date, kind."""
    # subject: the nearest subject word, unless the cue itself names a nearer one
    subject = cue.subject
    if subjects:
        near = min(subjects, key=lambda h: doc.dist(h, m))
        if subject is None or doc.dist(near, m) < cue_dist:
            subject = near.subject
    subject = subject or "other"
    ok, date = _deadline_date(m, cue, end_prep)
    if not ok:
        return None
    annual = m.annual or doc.annual(*doc.sentence(m.start, m.end))
    kind = "fristdatum"
    month_day = None
    if annual and not (m.year_written and date is not None):
        kind = "fristJaehrlich"
        date = _next_on_or_after(m.month, m.day, doc.annual_from)
        month_day = (m.month, m.day) if m.month and m.day else None
    elif date is None or _passed_at_publication(m, date, doc.published):
        return None
    if cue.cue and cue.cue.lower().startswith("stichtage"):
        kind = "stichtage"
    dl = DeadlineFound(text=m.text, start=m.start, end=m.end, date=date, kind=kind,
                       granularity=m.granularity, time=m.time, subject=subject,
                       cue=doc.text[cue.start:cue.end], rule=f"{cue.type}:{cue.cue}",
                       month_day=month_day)
    return Found(dl, group, subject, cue, end_prep)


def _coordinated(doc: Doc_, m: DateFound, prev: Found) -> Found | None:
    """A date joined to the deadline right before it by "und", "oder", "sowie", a comma
    ("Stichtage sind der 5. Januar 2022 und der 31. Januar 2022") is a deadline of the same kind."""
    gap = doc.low[prev.deadline.end:m.start]
    if prev.cue is None or not 0 < len(gap) <= COORDINATION_GAP or not _COORDINATION_RE.fullmatch(gap):
        return None
    res = _make(doc, m, prev.cue, [], prev.group, prev.end_prep, 0)
    if res is not None:
        res.subject = res.deadline.subject = prev.subject
    return res


def _from_sentence_before(doc: Doc_, m: DateFound, s0: int, starts: set[int]) -> Found | None:
    """A date in a sentence without cues, right after a sentence that names the deadline but no
    date ("Die Einreichungsfrist wurde verlängert. Neuer Termin ist der 15. Mai 2025.")."""
    left = doc.low[max(s0, m.start - LEFT_WINDOW):m.start]
    if s0 == 0 or "\n\n" in doc.low[max(0, s0 - CONTINUATION_GAP):s0] \
            or not (END_PREP_RE.search(left) or _VALUE_LEFT_RE.search(left)):
        return None
    p0, p1 = doc.sentence(s0 - 1, s0)
    if p1 < s0 - CONTINUATION_GAP or p1 > s0 or any(p0 <= x < p1 for x in starts):
        return None
    pos, neg = doc.hits(p0, p1)
    nouns = [h for h in pos if h.type == "noun"]
    if not nouns or any(n.type in _HEADING_BLOCKERS for n in neg):
        return None
    return _make(doc, m, nouns[-1], [h for h in pos if h.type == "subject"], (p0, m.end), False,
                 MAX_CUE_DIST)


def _continues(doc: Doc_, m: DateFound, s0: int, pos, neg, found: list[Found]) -> bool:
    """May date ``m`` (no cues in its sentence) amend the deadline found right before it?"""
    if pos or neg or m.granularity != "day" or m.date is None or not found:
        return False
    prev = found[-1]
    return prev.deadline.date is not None and 0 <= s0 - prev.group[1] <= CONTINUATION_GAP \
        and "\n\n" not in doc.low[prev.group[1]:s0]


def _may_be_deadline(low: str, m: DateFound, s0: int) -> bool:
    """Can ``m`` be a deadline at all (checked before its sentence is read)? Not a publication
    date, a month or year range; a year, quarter, half or season only with "Ende" or "bis"."""
    if m.kind == "publication" or m.month_range or m.rule.startswith("yrng"):
        return False
    if m.granularity in ("day", "month") or m.position == "end":
        return True
    return m.granularity != "year" and bool(END_PREP_RE.search(low, max(s0, m.start - LEFT_WINDOW), m.start))


def _dated(doc: Doc_, dates: list[DateFound]) -> list[Found]:
    """Deadlines among the dates: by their sentence, a continuing sentence, or a heading above."""
    by_sent: dict[tuple[int, int], list[DateFound]] = {}
    bounds = []
    for m in dates:
        b = doc.sentence(m.start, m.end)
        bounds.append(b)
        by_sent.setdefault(b, []).append(m)
    starts = {x.start for x in dates}
    found: list[Found] = []
    for m, (s0, s1) in zip(dates, bounds):
        if not _may_be_deadline(doc.low, m, s0):
            continue
        pos, neg = doc.hits(s0, s1)
        res = _judge(doc, m, s0, s1, pos, neg, by_sent[(s0, s1)])
        if res is None and found:
            res = _coordinated(doc, m, found[-1])
        if res is None and _continues(doc, m, s0, pos, neg, found):
            res = _continuation(doc, m, s0, found[-1])
        if res is None and not pos and not neg and m.granularity == "day":
            res = _from_sentence_before(doc, m, s0, starts)
        if res is None:
            at_line_start, ls = _is_line_start(doc.low, m.start)
            if not at_line_start or any(p.type in ("noun", "verb") for p in pos):
                continue
            res = _heading(doc, m, ls, starts)
            if res is None:
                continue
        found.append(res)
    return found


# --- the component -------------------------------------------------------------------------------

def _mark_stichtage(found: list[Found]) -> None:
    """Several cut-offs of the same subject in one sentence or list are stichtage."""
    groups: dict[tuple, list[DeadlineFound]] = {}
    for f in found:
        groups.setdefault((f.group, f.deadline.subject), []).append(f.deadline)
    for dls in groups.values():
        if len({d.date for d in dls if d.date and d.kind == "fristdatum"}) >= 2:
            for d in dls:
                if d.kind == "fristdatum":
                    d.kind = "stichtage"


def find_deadlines(ctx, dates: list[DateFound]) -> list[DeadlineFound]:
    """The submission deadlines of a document, given its dates (``find_dates``)."""
    doc = Doc_(ctx)
    found = _dated(doc, dates) if dates else []
    _mark_stichtage(found)
    out: list[DeadlineFound] = []
    seen: set[tuple] = set()
    specific = {f.deadline.date for f in found if f.deadline.subject != "other"}
    for f in found:
        dl = f.deadline
        if dl.subject == "other" and dl.date is not None and dl.date in specific:
            continue        # the same date is already known with what is due
        key = _dedup_key(dl)
        if key not in seen:
            seen.add(key)
            out.append(dl)
    for dl in undated(doc):
        key = (dl.kind, dl.subject, dl.duration)
        if key not in seen:
            seen.add(key)
            out.append(dl)
    return out


field_component("deadlines", lambda ctx, doc: find_deadlines(ctx, doc._.fr["dates"]), reads=("dates",))
