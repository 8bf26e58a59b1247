"""Field component `foerderradar_dates`: every date, period and clock time in the text.

How it works (one pass over the text, no ``dateparser.search_dates``):

1. One compiled regex (:mod:`extractors.fields.date_forms`), built from the word lists in
   ``extractors/patterns/date_*.txt``, finds
   candidate spans: day-month forms ("31. Juli 2018", "1. Sept. 2023", "15 March 2024"),
   numeric forms ("31.07.2018", "31.7.18", "15.3.", ISO), day ranges ("vom 1. bis 30. Juni
   2023", "1.–15. März 2024"), months ("April 2024", "Ende April 2024"), quarters and half-years
   ("im zweiten Quartal 2024", "Q3/2024", "2. Halbjahr"), seasons ("Herbst 2023"), year ranges
   ("2020 bis 2024") and bare years after a period word ("bis Ende 2021", "ab 2021"). It is tried
   only at anchors: digit runs and capitalised month, season and period words.
2. Values are normalised strictly here (month table, calendar check); ``dateparser.parse`` is
   only a cached fallback for odd month spellings.
3. Publication dates ("Datum: 19.10.2022", "Stand: …", "veröffentlicht am …", a dateline) are
   found first; when the caller gave no publication date the first one is the document's
   publication date, which :func:`find_dates` returns.
4. Neighbouring dates joined by "bis"/"–" become one range; a date without a year takes it from
   its range partner, "d. J." (publication year), the one explicit year of its sentence, or the
   publication date. Otherwise the year stays unknown (``date=None``): the wall clock is never
   a year source.
5. The kind (publication, call_start, period_start, period_end, event, other) comes from the cue
   word nearest to the date in its sentence (``date_kind_cues.jsonl``) and the preposition right
   before it ("ab", "bis", "vom").

Each date is a :class:`DateFound` record: the ``DateMention`` fields of the output plus what other
components need to know about it (a day range, Anfang/Mitte/Ende, annual, year written or not).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from spacy.tokens import Doc

from extractors.fields.date_forms import (LEFT_WINDOW, MONTHS, RANGE_TO, Cand, fragments, last_day,
                                         mkdate, preps_before, scan)
from extractors.fields.pipeline import field_component
from extractors.fields.rules import alternation, fragment_name, read_jsonl, read_lines
from extractors.fields.published import Publication, resolve
from extractors.fields.text import compound_heads, cue_distance, cue_regex, in_aside, sentence_bounds

# --- heuristics (named, so they can be tuned in one place) ------------------------------------
ROLLOVER_DAYS = 60                     # a year-less date this far before publication is next year's
PUB_LOOKBACK = 45                      # chars before a date searched for "Datum:", "Stand:" …
DATELINE_MAX_OFFSET = 1500             # a dateline ("Berlin, 12. März 2024 –") stands near the top
DATE_LINE_MAX_OFFSET = 300             # the first date of a text, alone on its line this near the top
KIND_CUE_MAX_DIST = 160                # a kind cue farther from the date than this is ignored
TIME_WINDOW = 32                       # chars around a date looked at for a clock time
RANGE_GAP_MAX = 25                     # chars between the two dates of a range


KIND_CUES = read_jsonl("date_kind_cues.jsonl")


# --- words around a date --------------------------------------------------------------------------

# between the two dates of a range; a clock time may follow the first ("15. Januar (10 Uhr) bis …")
_RANGE_GAP_RE = re.compile(
    r"(?:\s*,?\s*\(?\s*(?:um\s+)?(?:[01]?\d|2[0-4])(?:[:.][0-5]\d)?\s*uhr\s*\)?\s*,?(?=\s*(?:bis|[-–—])))?"
    rf"\s*(?:{RANGE_TO}|und(?:\s+dem)?|and)\s*(?:den\s+|dem\s+)?$")
_BETWEEN_RE = re.compile(r"(?:zwischen|between)\s+(?:dem\s+|den\s+)?$")
_TIME_AFTER_RE = re.compile(
    r"\s*(?:,|\(|um|bis|-|–|at)?\s*(?:um\s+|bis\s+)?(?P<h>[01]?\d|2[0-4])(?:[:.](?P<mi>[0-5]\d))?\s*"
    r"(?:uhr|h\b|(?<=\d\d)(?=\s*(?:mez|mesz|cet|cest|\)|$|[\s,.;])))")
_TIME_BEFORE_RE = re.compile(
    r"(?P<h>[01]?\d|2[0-4])(?:[:.](?P<mi>[0-5]\d))?\s*uhr\s*(?:\((?:mez|mesz)\))?\s*,?\s*"
    r"(?:am|des|den|,)?\s*$")
# "Stand:", "veröffentlicht am" … right before a date
_PUB_RE = re.compile(r"(?<![\w])(?:" + fragments("date_publication_lead.txt") + r")\s*:?\s*$")
# "Date: …" only as a line of its own ("Opening date:", "Deadline date:" are not publication dates)
_PUB_LINE_RE = re.compile(r"^\s*(?:date|datum)\s*:?\s*$")
_DATELINE_RE = re.compile(r"^\s*[A-ZÄÖÜ][\w.\-/ ]{1,40}(?:\s*\([^)]{1,20}\))?,\s*(?:den\s+)?$")
_DATELINE_AFTER_RE = re.compile(r"^\s*(?:[-–—:|(]|$)")
# a label line above a date ("Bewerbungsschluss", "Antragsfrist:")
_LABEL_END_RE = re.compile(r"(?:" + alternation(read_lines("date_label_ends.txt")) + r")\W*$|:\s*$")
# the rest of a line that holds only a date and maybe a clock time ("14. März 2019, 12:09 Uhr")
_DATE_LINE_REST_RE = re.compile(r"[ \t]*(?:,?[ \t]*(?:um[ \t]+)?\d{1,2}[:.]\d\d(?:[ \t]*uhr)?)?[ \t]*(?:\n|$)")
_KIND_RES: dict[str, list[str]] = {}
for _c in KIND_CUES:
    _KIND_RES.setdefault(_c["kind"], []).append(_c["re"])
KIND_RE = cue_regex((k, "|".join(v)) for k, v in _KIND_RES.items())
# kind cues as the last part of a compound ("Zukunftswerkstatt"): date_kind_heads.jsonl
KIND_HEADS_RE = re.compile("|".join(f"(?P<{h['kind']}>{h['head']})" for h in read_jsonl("date_kind_heads.jsonl")))
_START_PREP_RE = preps_before("date_start_preps.txt", r"(?:\s+(?:dem|den|der|jahr|anfang|mitte|ende))?")
_END_PREP_RE = preps_before("date_end_preps.txt", r"(?:\s+(?:jahr|ende))?")
_FROM_PREP_RE = preps_before("date_from_preps.txt", r"(?:\s+(?:dem|den))?")
_CALL_WORDS_RE = re.compile(fragments("date_call_words.txt"))



# --- records --------------------------------------------------------------------------------------

@dataclass(slots=True, frozen=True)
class DateFound:
    """A date of the document: the ``DateMention`` fields, then what it means for other fields."""
    text: str
    start: int
    end: int
    date: dt.date | None
    date_end: dt.date | None
    granularity: str
    kind: str
    time: str | None
    rule: str
    day_range: bool = False         # a range of days: date_end is the range's last day
    month_range: bool = False       # a range of months ("März bis Juni 2022")
    position: str | None = None     # "start" | "mid" | "end": Anfang, Mitte, Ende of the period
    annual: bool = False            # "jeden Jahres": the same day every year
    year_written: bool = True       # False: the year was inferred, not written
    year_source: str = "written"    # written | range | cy | sentence | publication
    month: int | None = None        # month and day as written (first day of a range)
    day: int | None = None


def _find_time(low: str, c: Cand) -> None:
    """A clock time right after or before a day ("31. März 2024, 12:00 Uhr")."""
    after = _TIME_AFTER_RE.match(low, c.end, min(len(low), c.end + TIME_WINDOW))
    if after and (after.group("mi") or re.search(r"uhr|h\b", after.group(0))):
        c.time = f"{int(after.group('h')):02d}:{after.group('mi') or '00'}"
        return
    before = _TIME_BEFORE_RE.search(low, max(0, c.start - TIME_WINDOW), c.start)
    if before:
        c.time = f"{int(before.group('h')):02d}:{before.group('mi') or '00'}"


def _is_publication(low: str, text: str, c: Cand) -> bool:
    """A day after "Stand:", "veröffentlicht am" …, on a "Datum:" line, or in a dateline near the
    top ("Berlin, 12. März 2024 –")."""
    if c.granularity != "day" or c.d_end is not None:
        return False
    line_start = low.rfind("\n", 0, c.start) + 1
    left = low[max(line_start, c.start - PUB_LOOKBACK):c.start]
    if _PUB_RE.search(left) or _PUB_LINE_RE.match(low, line_start, c.start):
        return True
    return c.start <= DATELINE_MAX_OFFSET and bool(_DATELINE_RE.match(text[line_start:c.start])) \
        and bool(_DATELINE_AFTER_RE.match(low[c.end:c.end + 5]))


def _is_date_line(low: str, c: Cand) -> bool:
    """Is ``c`` a day alone on its line near the top ("25.09.2024", "14. März 2019, 12:09 Uhr"),
    not under a label ("Antragsfrist:"): the date of the page or article?"""
    line_start = low.rfind("\n", 0, c.start) + 1
    above = low[:line_start].rstrip()
    return c.start <= DATE_LINE_MAX_OFFSET and c.granularity == "day" and c.d_end is None \
        and c.y is not None and not low[line_start:c.start].strip(" \t|") \
        and not _LABEL_END_RE.search(above[-40:]) and bool(_DATE_LINE_REST_RE.match(low, c.end))


# --- years and values ---------------------------------------------------------------------------

def _joinable(a: Cand, b: Cand, low: str) -> bool:
    """Are days ``a`` and ``b`` the two ends of one range ("1. Juni bis 31. August", "zwischen
    dem 2. und dem 22. Oktober")?"""
    if a.range_with is not None or a.granularity != "day" or b.granularity != "day" \
            or a.d_end is not None or b.d_end is not None:
        return False
    gap = low[a.end:b.start]
    if len(gap) > RANGE_GAP_MAX or not _RANGE_GAP_RE.fullmatch(" " + gap):
        return False
    return not gap.strip().startswith(("und", "and")) \
        or bool(_BETWEEN_RE.search(low[max(0, a.start - 20):a.start]))


def _join_ranges(cands: list[Cand], low: str) -> None:
    """Neighbouring days joined by "bis", "–", "zwischen … und" become a range; a year written on
    one side is the other's too ("vom 1. Juni bis 31. August 2024", "01.12.–31.01.2025")."""
    for a, b in zip(cands, cands[1:]):
        if not _joinable(a, b, low):
            continue
        a.range_with, b.range_with = 1, -1
        if a.y is None and b.y is not None and not a.cy:
            a.y = b.y - 1 if (a.m or 0) > (b.m or 0) else b.y
            a.year_source = "range"
        if b.y is None and a.y is not None and not b.cy:
            b.y = a.y if (b.m or 0) >= (a.m or 0) else a.y + 1
            b.year_source = "range"


def _sentence_years(cands: list[Cand], index) -> dict[tuple[int, int], set[int]]:
    """The years written in each sentence (publication dates left out)."""
    out: dict[tuple[int, int], set[int]] = {}
    for c in cands:
        if c.y is not None and not c.publication:
            years = out.setdefault(sentence_bounds(index, c.start, c.end), set())
            years.update(y for y in (c.y, c.y_end) if y)
    return out


# a year right after a name, not followed by a noun or money ("Preis der Bürgerstiftung Hamburg
# 2015", "Kiezfonds 2025"; not "Insgesamt 2000 Vereine", "Förderung 2000 Euro")
_NAMED_YEAR_RE = re.compile(r"[A-ZÄÖÜ][a-zäöüß]+[ \t](?P<y>(?:19|20)\d\d)(?![\d.,/-]|[ \t]+[A-ZÄÖÜ\d]|\s*(?:€|%|euro|eur\b|mio|mrd|millionen|tsd))")


def _named_years(text: str, s0: int, s1: int) -> set[int]:
    """Years written after a name in ``text[s0:s1]`` (a sentence without a date's year)."""
    return {int(m.group("y")) for m in _NAMED_YEAR_RE.finditer(text, s0, s1)}


def _publication_year(c: Cand, published: dt.date) -> int:
    """The publication year, or the next one for a day more than ROLLOVER_DAYS before it."""
    probe = mkdate(published.year, c.m or (c.season[0] if c.season else 1), min(c.d or 1, 28))
    if probe and probe < published - dt.timedelta(days=ROLLOVER_DAYS):
        return published.year + 1
    return published.year


def _infer_years(cands: list[Cand], index, published: dt.date | None) -> None:
    """A missing year: "d. J." is the publication year; else the one explicit year of the
    sentence ("Im Jahr 2024 ist die Antragstellung bis zum 06.12. möglich"), or the one year after
    a name in it ("… für den Preis der Stiftung 2015 bewerben"); else the publication year (see
    ``_publication_year``)."""
    for c in cands:
        if c.y is None and c.cy and published:
            c.y, c.inferred, c.year_source = published.year, True, "cy"
    pending = [c for c in cands if c.y is None and not c.cy and not c.annual and c.granularity != "year"]
    if not pending:
        return
    sent_years = _sentence_years(cands, index)
    for c in pending:
        bounds = sentence_bounds(index, c.start, c.end)
        ys = sent_years.get(bounds) or _named_years(index.text, *bounds)
        if len(ys) == 1:
            c.y, c.inferred, c.year_source = next(iter(ys)), True, "sentence"
        elif published is not None:
            c.y, c.inferred, c.year_source = _publication_year(c, published), True, "publication"


def _narrow(c: Cand, y0: int, m0: int, y1: int, m1: int) -> None:
    """``date``/``date_end`` of a quarter, half or season from month m0 of y0 to month m1 of y1,
    narrowed by Anfang (its first third), Mitte (the middle third), Ende (its last day)."""
    months = [(y0 + (m0 - 1 + i) // 12, (m0 - 1 + i) % 12 + 1)
              for i in range((y1 - y0) * 12 + m1 - m0 + 1)]
    third = max(1, len(months) // 3)
    if c.rel == "start":
        months = months[:third]
    elif c.rel == "mid":
        months = months[third:len(months) - third] or months
    (ya, ma), (yb, mb) = months[0], months[-1]
    c.date, c.date_end = dt.date(ya, ma, 1), dt.date(yb, mb, last_day(yb, mb))
    if c.rel == "end":
        c.date = c.date_end


def _set_values(c: Cand) -> None:
    """``date`` and ``date_end`` of a candidate whose year is known: the first and last day of its
    period; a month narrowed by Anfang (1–10), Mitte (11–20) and Ende (last day), coarser periods
    by ``_narrow``."""
    y = c.y
    if c.granularity == "day":
        c.date = mkdate(y, c.m, c.d)
        if c.d_end is not None:
            c.date_end = mkdate(y, c.m, c.d_end)
    elif c.granularity == "month" and c.m_end:
        y1 = y + 1 if c.m_end < c.m else y
        c.date, c.date_end = dt.date(y, c.m, 1), dt.date(y1, c.m_end, last_day(y1, c.m_end))
    elif c.granularity == "month":
        last = last_day(y, c.m)
        lo, hi = {"start": (1, 10), "mid": (11, 20), "end": (last, last)}.get(c.rel, (1, last))
        c.date, c.date_end = dt.date(y, c.m, lo), dt.date(y, c.m, hi)
    elif c.granularity in ("quarter", "half"):
        span = 3 if c.granularity == "quarter" else 6
        m0 = (c.n - 1) * span + 1
        _narrow(c, y, m0, y, m0 + span - 1)
    elif c.granularity == "season":
        m0, m1 = c.season
        _narrow(c, y, m0, y + 1 if m1 < m0 else y, m1)
    elif c.granularity == "year":
        y1 = c.y_end or y
        c.date, c.date_end = dt.date(y, 1, 1), dt.date(y1, 12, 31)
        if c.rel == "end" and c.y_end is None:
            c.date = c.date_end
        elif c.rel == "start" and c.y_end is None:
            c.date_end = dt.date(y, 3, 31)


def _resolve(cands: list[Cand], low: str, index, published: dt.date | None) -> list[Cand]:
    """Ranges joined, years inferred, values set; the candidates that stay (a range's right date
    is merged into its left one)."""
    _join_ranges(cands, low)
    _infer_years(cands, index, published)
    for c in cands:
        if c.y is not None:
            _set_values(c)
    for a, b in zip(cands, cands[1:]):
        if a.range_with == 1 and b.range_with == -1:
            a.date_end, a.end, a.time = b.date, b.end, a.time or b.time
            a.rule = f"{a.rule}+range"
    return [c for c in cands if c.range_with != -1]


# --- kinds --------------------------------------------------------------------------------------

def _kind_cues(low: str, s0: int, s1: int) -> list[tuple[int, int, str]]:
    """(start, end, kind) of the kind cues in a sentence: words and compound heads."""
    cues = [(m.start(), m.end(), fragment_name(m)) for m in KIND_RE.finditer(low, s0, s1)]
    heads = [(ws, m.end(), m.lastgroup) for ws, m in compound_heads(KIND_HEADS_RE, low, s0, s1)]
    return sorted(cues + heads) if heads else cues


def _nearest_kind_cue(low: str, c: Cand, s0: int, s1: int, cues: list[tuple[int, int, str]],
                      siblings: list[Cand]) -> str | None:
    """The kind of the cue nearest to ``c`` in its sentence (a cue belongs to the date nearest to
    it; a cue in a qualifying parenthetical that does not hold the date is ignored)."""
    best, best_dist, best_len = None, KIND_CUE_MAX_DIST + 1, 0
    paren = low.find("(", s0, s1) >= 0
    for start, end, kind in cues:
        if c.start <= start < c.end or (paren and in_aside(low, start, c.start, c.end)):
            continue
        dist = cue_distance(low, start, end, c.start, c.end)
        if any(o is not c and cue_distance(low, start, end, o.start, o.end) < dist
               for o in siblings):
            continue
        if dist < best_dist or (dist == best_dist and end - start > best_len):
            best, best_dist, best_len = kind, dist, end - start
    return best


def _after_start_prep(low: str, s0: int, s1: int, cue: str | None) -> str | None:
    """The kind of a date after "ab", "seit", "frühestens": a call start in a sentence about a
    call, else a period start (None: the cue says something else)."""
    if cue in (None, "call_start") and _CALL_WORDS_RE.search(low, s0, s1):
        return "call_start"
    if cue in (None, "period_start", "period_end", "call_start"):
        return "period_start" if cue != "call_start" else "call_start"
    return None


def _bare_year_kind(left: str) -> str:
    """A bare year is a period: "bis 2024" ends one, "ab 2021" starts one."""
    if _END_PREP_RE.search(left):
        return "period_end"
    if _START_PREP_RE.search(left) or _FROM_PREP_RE.search(left):
        return "period_start"
    return "other"


def classify(low: str, c: Cand, s0: int, s1: int, cue: str | None) -> str:
    """Kind of a date from its nearest cue word and the preposition right before it."""
    left = low[max(s0, c.start - LEFT_WINDOW):c.start]
    day_range = c.date_end is not None and c.granularity == "day"
    if _START_PREP_RE.search(left):
        kind = _after_start_prep(low, s0, s1, cue)
        if kind:
            return kind
    if cue == "publication":
        return "publication"
    if cue is None and day_range and _CALL_WORDS_RE.search(low, s0, s1):
        return "call_start"     # "Die Bewerbungsphase läuft vom 1. bis 31. Mai": a window opens
    if cue in ("period_end", "period_start"):
        if day_range or c.rule == "yrng" or _FROM_PREP_RE.search(left):
            return "period_start"
        return "period_end" if _END_PREP_RE.search(left) or cue == "period_end" else cue
    if cue is not None:
        return cue
    return _bare_year_kind(left) if c.granularity == "year" else "other"


def _rule_name(c: Cand) -> str:
    """The output's rule: the form, "_end" etc. for months, "+range", "+annual", "+inferred_year"."""
    rule = c.rule
    if c.granularity in ("month", "quarter", "half", "season") and c.rel:
        rule += f"_{c.rel}"
    if c.annual:
        rule += "+annual"
    if c.inferred:
        rule += "+inferred_year"
    return rule


def _record(text: str, c: Cand, kind: str) -> DateFound:
    """The record of a resolved candidate."""
    return DateFound(
        text=text[c.start:c.end], start=c.start, end=c.end, date=c.date, date_end=c.date_end,
        granularity=c.granularity, kind=kind, time=c.time, rule=_rule_name(c),
        day_range=c.granularity == "day" and c.date_end is not None, position=c.rel,
        month_range=c.m_end is not None,
        annual=c.annual, year_written=not c.inferred, year_source=c.year_source, month=c.m, day=c.d)


def _publication(ctx, cands: list[Cand]) -> Publication:
    """The document's publication (``extractors.fields.published``): the caller's or parser's
    date, a publication day in the text, a byline month, or the one year its dates share."""
    days = [mkdate(c.y, c.m, c.d) for c in cands if c.publication and c.y is not None]
    written = [c.y for c in cands if c.y is not None and not c.publication
               and c.granularity in ("day", "month")]
    given = ctx.published if (ctx.published is not None or ctx.published_given) else None
    return resolve(given, [d for d in days if d], ctx.folded, MONTHS, written)


def find_dates(ctx) -> tuple[list[DateFound], Publication]:
    """Every date of ``ctx.text``, and the document's publication (see ``_publication``)."""
    text, low, index = ctx.text, ctx.folded, ctx.index
    cands = scan(text, low)
    for i, c in enumerate(cands):
        c.publication = _is_publication(low, text, c) or (i == 0 and _is_date_line(low, c))
    pub = _publication(ctx, cands)
    if not cands:
        return [], pub
    kept = _resolve(cands, low, index, pub.reference)
    by_sentence: dict[tuple[int, int], list[Cand]] = {}
    for c in kept:
        by_sentence.setdefault(sentence_bounds(index, c.start, c.end), []).append(c)
    out = []
    for (s0, s1), group in by_sentence.items():
        cues = _kind_cues(low, s0, s1)
        for c in group:
            if c.granularity == "day":
                _find_time(low, c)
            if c.publication:
                kind = "publication"
            else:
                kind = classify(low, c, s0, s1, _nearest_kind_cue(low, c, s0, s1, cues, group))
            out.append(_record(text, c, kind))
    out.sort(key=lambda d: d.start)
    return out, pub


def _dates(ctx, doc: Doc):
    """``find_dates``; a publication date found in the text goes on in a changed Context."""
    found, pub = find_dates(ctx)
    if pub != ctx.publication:
        return found, replace(ctx, published=pub.date, publication=pub)
    return found


field_component("dates", _dates)
