"""Date forms: the words, the one candidate regex and a reader per form, for ``dates``.

``scan`` finds candidate spans with the parts as written (day, month, year, range ends, Anfang /
Mitte / Ende, "d. J.", "jeden Jahres"); :mod:`extractors.fields.dates` infers missing years, sets
the values and the kind. To add a form: a named alternative in ``_ALTERNATIVES`` (groups ``d``,
``m``, ``mon``, ``y`` …) and a reader in ``_READERS`` that fills the :class:`Cand`.

The regex is tried only at anchors (digit runs and capitalised month, season and period words),
found by two regexes that start with a character class, so sre skips fast to them.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from extractors.fields.rules import alternation, fold, read_lines, read_pairs

# --- heuristics (named, so they can be tuned in one place) ------------------------------------
YEAR_MIN, YEAR_MAX = 1950, 2099        # plausible years of funding texts
YEAR_RANGE_MAX_SPAN = 30               # "2020 bis 2024" yes; "1990 bis 2500" is no year range
LEFT_WINDOW = 40                       # chars before a date looked at for a preposition


# --- vocabulary ---------------------------------------------------------------------------------

MONTHS = {k: int(v) for k, v in read_pairs("date_months.txt").items()}
SEASONS = {k: tuple(int(x) for x in v.split()) for k, v in read_pairs("date_seasons.txt").items()}
ORDINALS = {k: int(v) for k, v in read_pairs("date_ordinals.txt").items()}
PERIOD_UNITS = read_pairs("date_period_units.txt")
RELATIVE = read_pairs("date_relative.txt")
WEEKDAYS = [w.lower() for w in read_lines("date_weekdays.txt")]


def _alt(words) -> str:
    """An alternation of literal words (a space is a space)."""
    return alternation(words, any_space=False)


def fragments(name: str) -> str:
    """The regex fragments of a pattern file as one alternation."""
    return alternation(read_lines(name), escape=False)


def preps_before(name: str, then: str = "") -> re.Pattern:
    """A file of words that stand right before a date ("bis", "ab dem"), as a regex that matches
    them (and ``then``, an optional word after them) at the end of the text before the date."""
    return re.compile(r"(?:^|[\s(])(?:" + fragments(name) + ")" + then + r"\s*$")


# --- the candidate regex ------------------------------------------------------------------------

_Y = r"(?:19|20)\d\d"
_D = r"(?:0?[1-9]|[12]\d|3[01])"
_M = r"(?:0?[1-9]|1[0-2])"
# abbreviations ("Jan.", "Sept.") may take a dot; a full name's dot ends the sentence
_ABBR = {w for w in MONTHS if any(o != w and o.startswith(w) for o in MONTHS)
         or (len(w) <= 3 and w not in ("mai", "may"))}
_MON = rf"(?:(?:{_alt(_ABBR)})(?![a-zäöüß])\.?|(?:{_alt(set(MONTHS) - _ABBR)})(?![a-zäöüß]))"
_REL = rf"(?:{_alt(RELATIVE)})(?![a-zäöüß])"
_WEEKDAY_WORDS = [w.rstrip(".") for w in WEEKDAYS]
_WD = rf"(?:(?:{_alt(_WEEKDAY_WORDS)})\.?,?\s+(?:den\s+)?)?"
_CY = rf"(?:{fragments('date_current_year.txt')})"
_ANN = rf"(?:{fragments('date_annual.txt')})"
_TAIL = rf"(?:\s*,?\s*(?P<y>{_Y})(?![\d])|\s+(?P<cy>{_CY})|\s+(?P<ann>{_ANN}))?"
RANGE_TO = r"(?:bis(?:\s+(?:zum|einschließlich|einschl\.))?|[-–—]|to|until)"
_SEASON = rf"(?:{_alt(SEASONS)})(?:s|es)?(?![a-zäöüß])"
_ORD = rf"(?:{_alt(ORDINALS)})(?![a-zäöüß])"
_UNIT = rf"(?:{_alt(PERIOD_UNITS)})(?![a-zäöüß])"

# what may follow a month and two digits that are no year ("im Mai 30 Projekte", "Juni 10 Uhr")
_NOT_YEAR = fragments("date_not_year_after.txt")

_ALTERNATIVES = {
    # 1.–15. März 2024 / vom 1. bis 30. Juni 2023 / 18. bis 20. Oktober
    "rng": rf"(?P<d1>{_D})\.?\s*{RANGE_TO}\s*(?P<d2>{_D})\.\s*(?P<mon>{_MON}){_TAIL}",
    # zwischen dem 2. und dem 22. Oktober (only after "zwischen")
    "brng": rf"(?:(?<=zwischen\s)|(?<=zwischen\sdem\s)|(?<=between\s)|(?<=between\sthe\s))(?P<d1>{_D})\.?\s*(?:und|and)\s+(?:dem\s+|the\s+)?(?P<d2>{_D})\.?\s*(?:of\s+)?(?P<mon>{_MON}){_TAIL}",
    # Freitag, 15. März 2024 / 1. Sept. 2023 / 15 March 2024 / 30. September d. J.
    "dmn": rf"{_WD}(?P<d>{_D})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?(?P<mon>{_MON}){_TAIL}",
    # March 15, 2024
    "mdn": rf"(?P<mon>{_MON})\s+(?P<d>{_D})(?:st|nd|rd|th)?,?\s+(?P<y>{_Y})(?!\d)",
    # 14.–15.10.2025 / 14./15.10. / 1. bis 3.7.2024
    "nrng": rf"(?P<d1>{_D})\.?\s*(?:{RANGE_TO}|/)\s*(?P<d2>{_D})\.\s?(?P<m>{_M})\.(?:\s?(?P<y>{_Y}|\d\d)(?!\d))?(?!\d|\.\d)",
    # 31.07.2018 / 31.7.18 / 15.3. / 30.09. jeden Jahres
    "num": rf"{_WD}(?P<d>{_D})\.\s?(?P<m>{_M})\.(?:\s?(?P<y>{_Y}|\d\d)(?!\d)|\s+(?P<cy>{_CY})|\s+(?P<ann>{_ANN}))?(?!\d|\.\d)",
    # bis zum 15.3 (no final dot; only after a preposition, see _read_day)
    "numd": rf"(?P<d>{_D})\.(?P<m>{_M})(?![\d.]|,\d|\s*(?:%|€|mio|mrd|euro|eur\b|prozent|uhr|h\b|std|km|m²|qm|ha\b))",
    # 05/2025 / 05.2025
    "nmon": rf"(?P<m>0?[1-9]|1[0-2])[./](?P<y>{_Y})(?![\d]|[./]\d)",
    # 2024-03-31
    "iso": rf"(?P<y>{_Y})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?!\d)",
    # im zweiten Quartal 2024 / 3. Quartal 2024 / Q3/2024 / 2. Halbjahr / H1 2025
    "qtr": rf"(?:(?P<rel>{_REL})\s+(?:des\s+|im\s+)?)?(?:(?:(?P<ord>{_ORD})|(?P<ordn>[1-4])\.)\s*(?P<unit>{_UNIT})|(?P<qq>[qh])(?P<qn>[1-4]))(?:\s*(?:/|des\s+jahres|of)?\s*(?P<y>{_Y})(?!\d))?",
    # Frühjahr 2024 / Ende des Sommers 2023 / Winter 2023/24
    "sea": rf"(?:(?P<rel>{_REL})\s+(?:des\s+|im\s+)?)?(?P<sea>{_SEASON})(?:\s+(?P<y>{_Y})(?:\s*/\s*(?:{_Y}|\d\d))?(?!\d))?",
    # März bis Juni 2022 / Januar–März
    "mrng": rf"(?P<mon1>{_MON})\s*(?:bis(?:\s+(?:einschließlich|ende))?|[-–—])\s*(?P<mon>{_MON})(?:\s*,?\s*(?P<y>{_Y})(?!\d))?",
    # Ende April 2024 / April 2024 / Mitte Mai
    "mon": rf"(?:(?P<rel>{_REL})\s+(?:des\s+(?:monats\s+)?|of\s+)?)?(?P<mon>{_MON})(?:\s*,?\s*(?P<y>{_Y})(?!\d)|\s+'?(?P<yy>\d\d)(?!\d|[.,:]\d|\s*(?:{_NOT_YEAR})))?",
    # 2020 bis 2024 / 2021–2027
    "yrng": rf"(?P<y1>{_Y})\s*(?:bis(?:\s+(?:einschließlich|zum\s+jahr|ende))?|[-–—/]|to)\s*(?P<y2>{_Y}|\d\d)(?![\d]|[.,]\d)",
    # bis Ende 2021 / ab 2021 / im Jahr 2020
    "yr": rf"(?:(?P<rel>{_REL})\s+(?:des\s+jahres\s+|of\s+)?)?(?P<y>{_Y})(?![\d]|[.,]\d|\s*(?:€|%|euro|eur\b|mio|mrd|millionen|milliarden|tsd))",
}


def _prefixed(name: str, pattern: str) -> str:
    """``pattern`` as group ``name``, its own groups renamed ``name_<group>``."""
    body = re.sub(r"\(\?P<(\w+)>", lambda m: f"(?P<{name}_{m.group(1)}>", pattern)
    return f"(?P<{name}>{body})"


CANDIDATE_RE = re.compile(
    r"(?<![\w./-])(?:" + "|".join(_prefixed(n, p) for n, p in _ALTERNATIVES.items()) + ")")
# group numbers of each rule's named groups by their short name: _GROUPS["dmn"]["mon"]
_GROUPS = {rule: {n[len(rule) + 1:]: i for n, i in CANDIDATE_RE.groupindex.items()
                  if n.startswith(rule + "_")} for rule in _ALTERNATIVES}

# Anchors, searched in the text: digit runs and capitalised month, season and period words. sre
# skips quickly to the few characters that can start one; CANDIDATE_RE is then only tried at an
# anchor (or at the weekday / "Ende" / ordinal word right before it).
_KEYWORDS = frozenset((*MONTHS, *SEASONS, *PERIOD_UNITS))
_ANCHOR_CLASS = "".join(sorted({w[0].upper() for w in _KEYWORDS}))
# as written: "April", "APRIL", "Herbstes", "Sommers"
_KEYWORD_FORMS = sorted(f(w + suffix) for w in _KEYWORDS for suffix in ("", "s", "es")
                        for f in (str.capitalize, str.upper))
_KW_ANCHOR_RE = re.compile(
    "(?:" + _alt(w for w in _KEYWORD_FORMS if re.fullmatch("[" + _ANCHOR_CLASS + r"][^\W\d_]*", w))
    + r")(?![^\W\d_])")
# a word-by-word view of the text: where an anchor word ("Q3", "April", "12") starts
ANCHOR_RE = re.compile("[0-9" + _ANCHOR_CLASS + r"][0-9]*[^\W\d_]*")
_AFTER_DAY = r"[./–—-]|(?:st|nd|rd|th)\b|\s+(?:of\s+)?(?:" + _alt(MONTHS) + r")(?![a-zäöüß])"
# searched in the folded text: a digit run not glued to a word, "./-" (except "Q3", "H1"), of
# 1–2 digits before ".", "–", "st" or a month, or a year 19xx/20xx
_DIGIT_ANCHOR_RE = re.compile(
    r"[0-9](?<![0-9][0-9])"
    r"(?:(?<=[qh][0-9])(?![0-9])"                                     # Q3/2024, H1 2025
    r"|(?<![^\W_][0-9])(?<![./-][0-9])"                               # not glued to a word
    r"(?:(?:(?<=1)9|(?<=2)0)[0-9]{2}(?![0-9])"                        # 19xx, 20xx
    rf"|[0-9]?(?![0-9])(?:(?={_AFTER_DAY})|\Z)))")                      # 1-2 digits before ". – st"
# the words a candidate can start with before its anchor (weekday, "Ende", ordinal, "des", "den")
_LEFT_EXT_RE = re.compile(
    rf"(?<![\w])(?:(?:{_alt(_WEEKDAY_WORDS)})\.?,?\s+(?:den\s+)?"
    rf"|{_REL}\s+(?:des\s+|im\s+)?(?:{_ORD}\s*|[1-4]\.\s*|[qh])"
    rf"|{_REL}\s+(?:des\s+(?:monats\s+|jahres\s+)?|im\s+|of\s+)?"
    rf"|{_ORD}\s*|[qh])$")
_LEFT_WORDS = frozenset((*_WEEKDAY_WORDS, *RELATIVE, *ORDINALS,
                         "den", "des", "monats", "jahres", "im", "of", "q", "h"))

# --- words before a candidate --------------------------------------------------------------------


_YEAR_CUE_RE = re.compile(rf"(?:^|[\s(,:;])(?:{'|'.join(read_lines('date_year_cues.txt'))})\s*$")
# a bare month or season needs a preposition before it ("im April", "bis Mai", "ab Herbst")
_MONTH_PREP_RE = preps_before("date_month_preps.txt")
# numbers that look like day.month but are section numbers ("Nr. 2.1.", "Ziffer 5.3.")
_SECTION_RE = re.compile(r"(?<![\w])(?:" + fragments("date_section_words.txt") + r")\.?\s*$")
_HEADING_AFTER_RE = re.compile(r"[ \t]+[A-ZÄÖÜ]")
_SHORT_DM_RE = re.compile(r"\d\.\d\.")


# --- records ------------------------------------------------------------------------------------

@dataclass(slots=True)
class Cand:
    """A candidate date while it is being read: the parts as written, then inferred."""
    start: int
    end: int
    rule: str
    granularity: str = "day"
    y: int | None = None            # explicit year
    m: int | None = None
    d: int | None = None
    d_end: int | None = None        # day range within one month
    m_end: int | None = None        # month range ("März bis Juni")
    y_end: int | None = None
    rel: str | None = None          # start | mid | end
    cy: bool = False                # "d. J."
    annual: bool = False            # "jeden Jahres"
    season: tuple[int, int] | None = None
    n: int | None = None            # which quarter or half
    time: str | None = None
    publication: bool = False
    inferred: bool = False          # the year was inferred, not written
    year_source: str = "written"    # written | range | cy | sentence | publication
    range_with: int | None = None   # merged into a range: 1 the left date, -1 the right one
    date: dt.date | None = None
    date_end: dt.date | None = None


# --- small helpers ------------------------------------------------------------------------------

def _year(s: str | None) -> int | None:
    """A written year ("2024", "24") if plausible, else None."""
    if not s:
        return None
    y = int(s)
    if len(s) == 2:
        y += 2000 if y < 70 else 1900
    return y if YEAR_MIN <= y <= YEAR_MAX else None


@lru_cache(maxsize=512)
def _month_fallback(word: str) -> int | None:
    """Month number of an odd spelling, via dateparser (cached; only for rare candidates)."""
    import dateparser

    parsed = dateparser.parse(f"1 {word} 2000", languages=["de", "en"],
                              settings={"STRICT_PARSING": True, "PREFER_DAY_OF_MONTH": "first"})
    return parsed.month if parsed else None


def month_number(word: str) -> int | None:
    """The month a word names ("Sept." → 9), or None."""
    w = word.lower().rstrip(".").strip()
    return MONTHS.get(w) or _month_fallback(w)


def last_day(y: int, m: int) -> int:
    """The last day of month ``m`` of year ``y``."""
    return calendar.monthrange(y, m)[1]


def mkdate(y: int | None, m: int | None, d: int | None) -> dt.date | None:
    """The date of (y, m, d) if all are known and it exists, else None."""
    if y is None or m is None or d is None:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


# --- candidates ---------------------------------------------------------------------------------

def _anchor_starts_at(text: str, p: int) -> bool:
    """Does the word-by-word anchor scan (``ANCHOR_RE``) start an anchor at ``p``?"""
    r = p
    while r > 0 and (text[r - 1] in "0123456789" or (text[r - 1].isalnum() and not text[r - 1].isdecimal())):
        r -= 1
    return any(a.start() == p for a in ANCHOR_RE.finditer(text, r, p + 1))


def _anchors(text: str, low: str) -> list[tuple[int, int]]:
    """(position the ``covered`` check uses, anchor start) of every anchor, in text order."""
    out = []
    for a in _DIGIT_ANCHOR_RE.finditer(low):
        p = a.start()
        if p and low[p - 1] in "qh" and text[p - 1] in "QH" and _anchor_starts_at(text, p - 1):
            out.append((p - 1, p))              # the scan met "Q3" at the "Q"
        else:
            out.append((p, p))
    kw = [(a.start(), a.start()) for a in _KW_ANCHOR_RE.finditer(text)
          if not (a.start() and (low[a.start() - 1].isalnum() or low[a.start() - 1] == "-"))]
    return sorted(out + kw) if kw else out


def _candidates(text: str, low: str):
    """CANDIDATE_RE matches at the anchors of ``text`` (left to right, not overlapping)."""
    covered = 0
    for pc, p in _anchors(text, low):
        if pc < covered:
            continue
        ext = None
        q = p - 1
        while q >= 0 and low[q] in " \t\n,":
            q -= 1
        if q >= 0 and (low[q] in "qh.s" or low[max(0, q - 9):q + 1].rsplit(None, 1)[-1] in _LEFT_WORDS):
            ext = _LEFT_EXT_RE.search(low, max(0, p - LEFT_WINDOW), p)
        for s in ((ext.start(), p) if ext else (p,)):
            mt = CANDIDATE_RE.match(low, s)
            if mt and mt.end() > p:
                covered = mt.end()
                yield mt
                break


def _heading_number(text: str, c: Cand) -> bool:
    """Is a year-less "2.1." (one digit each) at a line start followed by a capitalised word
    ("2.1. Stärkung der Rolle …"): a section number, not a date?"""
    if c.rule != "num" or c.y is not None or c.cy or c.annual or not _SHORT_DM_RE.fullmatch(text, c.start, c.end):
        return False
    line_start = text.rfind("\n", 0, c.start) + 1
    return not text[line_start:c.start].strip() and bool(_HEADING_AFTER_RE.match(text, c.end))


_DAY_PREP_RE = re.compile(r"(?:^|[\s(])(?:bis(?:\s+(?:zum|spätestens))?|zum|am|vom|ab(?:\s+dem)?|spätestens(?:\s+(?:am|zum|bis))?)\s*$")


def _read_day(c: Cand, v, left: str) -> bool:
    """Day forms ("31. Juli 2018", "1.–15. März", "14./15.10.", "March 15, 2024", "31.07.2018",
    "bis zum 15.3", ISO)."""
    if c.rule in ("num", "iso", "nrng", "numd"):
        c.m, c.y = int(v("m")), _year(v("y"))
        if v("y") and c.y is None:
            return False
        if c.y is None and _SECTION_RE.search(left) and c.rule != "iso":
            return False        # "Nr. 2.1."
        if c.rule == "numd" and not _DAY_PREP_RE.search(left):
            return False        # "15.3" alone is a number; "bis zum 15.3" a day
    else:
        c.m = month_number(v("mon"))
        c.y = _year(v("y"))
        if c.m is None:
            return False
    if c.rule in ("rng", "brng", "nrng"):
        c.d, c.d_end = int(v("d1")), int(v("d2"))
        if c.d_end <= c.d:
            return False
    else:
        c.d = int(v("d"))
    c.cy = bool(v("cy"))
    c.annual = bool(v("ann"))
    return True


def _read_quarter(c: Cand, v, left: str) -> bool:
    """Quarters and halves ("im zweiten Quartal 2024", "Q3/2024", "2. Halbjahr", "Ende Q3 2025")."""
    c.y = _year(v("y"))
    c.rel = RELATIVE.get((v("rel") or "").lower())
    if v("qq"):
        if c.y is None:
            return False        # "Q3" or "H1" alone is too often something else
        c.granularity = "quarter" if v("qq").lower() == "q" else "half"
        c.n = int(v("qn"))
    else:
        c.granularity = PERIOD_UNITS[v("unit").lower()]
        c.n = ORDINALS[v("ord").lower()] if v("ord") else int(v("ordn"))
    return not (c.granularity == "half" and c.n > 2)


def _read_season(c: Cand, v, left: str) -> bool:
    """Seasons ("Herbst 2023", "Ende des Sommers"); alone only after a preposition ("ab Herbst")."""
    c.y = _year(v("y"))
    c.rel = RELATIVE.get((v("rel") or "").lower())
    if c.y is None and c.rel is None and not _MONTH_PREP_RE.search(left):
        return False
    word = v("sea").lower()
    c.season = SEASONS[word if word in SEASONS else re.sub(r"(?:es|s)$", "", word)]
    c.granularity = "season"
    return True


def _read_month(c: Cand, v, left: str) -> bool:
    """Months ("April 2024", "Ende April", "Mai '25"); alone only after a preposition ("im April")."""
    c.m = month_number(v("mon"))
    c.y = _year(v("y") or v("yy"))
    c.rel = RELATIVE.get((v("rel") or "").lower())
    if c.y is None and c.rel is None and not _MONTH_PREP_RE.search(left):
        return False
    if v("mon").lower().rstrip(".") in ("may", "mar") and c.y is None:
        return False            # English modal verb / abbreviation without a year
    c.granularity = "month"
    return c.m is not None


def _read_numeric_month(c: Cand, v, left: str) -> bool:
    """A month and year in digits ("05/2025", "05.2025"), not after a section word."""
    c.m, c.y = int(v("m")), _year(v("y"))
    c.granularity = "month"
    return c.y is not None and not _SECTION_RE.search(left)


def _read_month_range(c: Cand, v, left: str) -> bool:
    """Month ranges ("März bis Juni 2022", "Januar–März"): one period."""
    c.m, c.m_end, c.y = month_number(v("mon1")), month_number(v("mon")), _year(v("y"))
    c.granularity = "month"
    return c.m is not None and c.m_end is not None and c.m_end != c.m


def _read_year_range(c: Cand, v, left: str) -> bool:
    """Year ranges ("2020 bis 2024", "2021–27") of at most YEAR_RANGE_MAX_SPAN years."""
    y2 = v("y2")
    c.y = _year(v("y1"))
    c.y_end = _year(y2) if len(y2) == 4 else None
    if c.y is not None and c.y_end is None and len(y2) == 2:
        c.y_end = c.y // 100 * 100 + int(y2)
    c.granularity = "year"
    return c.y is not None and c.y_end is not None and 0 < c.y_end - c.y <= YEAR_RANGE_MAX_SPAN


def _read_year(c: Cand, v, left: str) -> bool:
    """A bare year after a period word ("bis Ende 2021", "ab 2021", "im Jahr 2020")."""
    c.y = _year(v("y"))
    c.rel = RELATIVE.get((v("rel") or "").lower())
    c.granularity = "year"
    return c.y is not None and (c.rel is not None or bool(_YEAR_CUE_RE.search(left)))


_READERS = {"rng": _read_day, "brng": _read_day, "dmn": _read_day, "mdn": _read_day,
            "nrng": _read_day, "num": _read_day, "numd": _read_day, "nmon": _read_numeric_month,
            "iso": _read_day, "qtr": _read_quarter, "sea": _read_season, "mrng": _read_month_range,
            "mon": _read_month,
            "yrng": _read_year_range, "yr": _read_year}


def scan(text: str, low: str | None = None) -> list[Cand]:
    """Candidate date spans of ``text`` (``low``: its fold, if already made), with the parts as
    written (no year inference yet)."""
    low = fold(text) if low is None else low
    out: list[Cand] = []
    for mt in _candidates(text, low):
        rule = mt.lastgroup
        groups = _GROUPS[rule]

        def v(k, _groups=groups, _group=mt.group):
            i = _groups.get(k)
            return _group(i) if i is not None else None

        c = Cand(mt.start(), mt.end(), rule)
        if _READERS[rule](c, v, low[max(0, c.start - LEFT_WINDOW):c.start]) \
                and not _heading_number(text, c):
            out.append(c)
    return out
