"""Field component `foerderradar_dates`: every date, period and clock time in the text.

How it works (one pass over the text, no ``dateparser.search_dates``):

1. One compiled regex, built from the word lists in ``extractors/patterns/date_*.txt``, finds
   candidate spans: day-month forms ("31. Juli 2018", "1. Sept. 2023", "15 March 2024"),
   numeric forms ("31.07.2018", "31.7.18", "15.3.", ISO), day ranges ("vom 1. bis 30. Juni
   2023", "1.–15. März 2024"), months ("April 2024", "Ende April 2024"), quarters and half-years
   ("im zweiten Quartal 2024", "Q3/2024", "2. Halbjahr"), seasons ("Herbst 2023"), year ranges
   ("2020 bis 2024") and bare years after a period word ("bis Ende 2021", "ab 2021").
2. Values are normalised strictly here (month table, calendar check); ``dateparser.parse`` is
   only a cached fallback for odd month spellings.
3. Publication dates ("Datum: 19.10.2022", "Stand: …", "veröffentlicht am …", a dateline) are
   found first; when the caller gave no publication date the first one becomes
   ``ctx.published``.
4. Neighbouring dates joined by "bis"/"–" become one range; a date without a year takes it from
   its range partner, "d. J." (publication year), the one explicit year of its sentence, or the
   publication date. Otherwise the year stays unknown (``date=None``): the wall clock is never
   a year source.
5. The kind (publication, call_start, period_start, period_end, event, other) comes from the cue
   word nearest to the date in its sentence (``date_kind_cues.jsonl``) and the preposition right
   before it ("ab", "bis", "vom").
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from models.records import DateMention, fast_constructor

PATTERNS_DIR = Path(__file__).resolve().parents[1] / "patterns"

# --- heuristics (named, so they can be tuned in one place) ------------------------------------
YEAR_MIN, YEAR_MAX = 1950, 2099        # plausible years of funding texts
YEAR_RANGE_MAX_SPAN = 30               # "2020 bis 2024" yes; "1990 bis 2500" is no year range
ROLLOVER_DAYS = 60                     # a year-less date this far before publication is next year's
PUB_LOOKBACK = 45                      # chars before a date searched for "Datum:", "Stand:" …
DATELINE_MAX_OFFSET = 1500             # a dateline ("Berlin, 12. März 2024 –") stands near the top
KIND_CUE_MAX_DIST = 160                # a kind cue farther from the date than this is ignored
CLAUSE_PENALTY = 40                    # extra distance for each clause break between cue and date
LEFT_WINDOW = 40                       # chars before a date looked at for a preposition
TIME_WINDOW = 32                       # chars around a date looked at for a clock time


# --- data files -------------------------------------------------------------------------------

def read_lines(name: str) -> list[str]:
    """Lines of a pattern file without comments and blank lines."""
    out = []
    for line in (PATTERNS_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def read_jsonl(name: str) -> list[dict]:
    out = []
    for n, line in enumerate((PATTERNS_DIR / name).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{PATTERNS_DIR / name}:{n}: not JSON ({exc})") from None
        if "#" in obj and len(obj) == 1:
            continue
        out.append(obj)
    return out


def _alt(words, escape=True) -> str:
    words = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w) if escape else w for w in words)


def _pairs(name: str) -> dict[str, str]:
    return {w.split()[0].lower(): " ".join(w.split()[1:]) for w in read_lines(name)}


MONTHS = {k: int(v) for k, v in _pairs("date_months.txt").items()}
SEASONS = {k: tuple(int(x) for x in v.split()) for k, v in _pairs("date_seasons.txt").items()}
ORDINALS = {k: int(v) for k, v in _pairs("date_ordinals.txt").items()}
PERIOD_UNITS = _pairs("date_period_units.txt")
RELATIVE = _pairs("date_relative.txt")
WEEKDAYS = [w.lower() for w in read_lines("date_weekdays.txt")]
CURRENT_YEAR = read_lines("date_current_year.txt")
ANNUAL = read_lines("date_annual.txt")
YEAR_CUES = read_lines("date_year_cues.txt")
KIND_CUES = read_jsonl("date_kind_cues.jsonl")

# --- regex prefix analysis (shared with deadlines) ---------------------------------------------
# The cue and candidate regexes are long alternations. sre tries every alternative at every
# position, so a search over a sentence costs ~150 ns per character. Knowing which characters a
# match can start with lets a cheap first pass skip to the few positions where one can start;
# the regex itself (unchanged) then decides there, so results are exactly those of ``finditer``.

try:  # Python >= 3.11
    import re._parser as _sre_parse
    import re._constants as _sre_c
except ImportError:  # pragma: no cover
    import sre_constants as _sre_c
    import sre_parse as _sre_parse

PREFIX_SMALL_SET = 12       # a character class up to this size is expanded into its characters


def _prefix_item(op, av, k: int) -> set[tuple[str, bool]]:
    if op is _sre_c.LITERAL:
        return {(chr(av), True)}
    if op is _sre_c.IN:
        chars = []
        for o, a in av:
            if o is _sre_c.LITERAL:
                chars.append(chr(a))
            elif o is _sre_c.RANGE and a[1] - a[0] < PREFIX_SMALL_SET:
                chars += [chr(x) for x in range(a[0], a[1] + 1)]
            else:
                return {("", False)}
        if len(chars) > PREFIX_SMALL_SET:
            return {("", False)}
        return {(c, True) for c in chars}
    if op is _sre_c.BRANCH:
        out: set[tuple[str, bool]] = set()
        for alt in av[1]:
            out |= _prefix_seq(alt, k)
        return out
    if op is _sre_c.SUBPATTERN:
        return _prefix_seq(av[-1], k)
    if op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT):
        lo, _hi, body = av
        once = {(s, False) for s, _ in _prefix_seq(body, k)}
        return once | {("", True)} if lo == 0 else once
    if op in (_sre_c.ASSERT, _sre_c.ASSERT_NOT, _sre_c.AT):
        return {("", True)}             # zero width: ignoring it only lets more positions through
    return {("", False)}


def _prefix_seq(items, k: int) -> set[tuple[str, bool]]:
    states = {("", True)}               # (prefix so far, may the next item extend it)
    for op, av in items:
        new = set()
        for s, open_ in states:
            if not open_ or len(s) >= k:
                new.add((s, False))
                continue
            for t, o in _prefix_item(op, av, k - len(s)):
                u = (s + t)[:k]
                new.add((u, o and len(u) < k))
        states = new
    return states


def match_prefixes(pattern: str, k: int) -> frozenset[str]:
    """Strings (at most ``k`` chars) one of which every match of ``pattern`` starts with.

    "" in the result means a match can start with anything (no filtering possible).
    """
    return frozenset(s for s, _ in _prefix_seq(_sre_parse.parse(pattern), k))


def trie_regex(words, *, prefixes_only: bool = False) -> str:
    """An alternation of ``words`` as a character trie (sre skips a failing branch at its first
    character). ``prefixes_only``: a word that extends another one is left out (for a filter
    that only asks whether one of the words starts here)."""
    words = sorted(set(words))
    if prefixes_only:
        keep: list[str] = []
        for w in words:
            if not any(w.startswith(x) for x in keep):
                keep.append(w)
        words = keep

    def build(ws: list[str]) -> str:
        groups: dict[str, list[str]] = {}
        for w in ws:
            groups.setdefault(w[0], []).append(w[1:])
        alts = []
        for c, rest in sorted(groups.items()):
            longer = [r for r in rest if r]
            if not longer:
                alts.append(re.escape(c))
                continue
            sub = build(longer)
            if "" in rest:
                alts.append(re.escape(c) + f"(?:{sub})?")
            else:
                alts.append(re.escape(c) + (f"(?:{sub})" if "|" in sub else sub))
        return "|".join(alts)

    return build(words)


FACTOR_LEN = 4              # chars of a required factor a guard looks for


def _factors(items, k: int) -> frozenset[str] | None:
    """Strings (at most ``k`` chars) one of which every match of the sequence ``items`` contains,
    or None when none can be told."""
    for j in range(len(items)):
        ps = {s for s, _ in _prefix_seq(items[j:], k)}
        if "" not in ps:
            return frozenset(ps)
        op, av = items[j]
        alts = None
        if op is _sre_c.BRANCH:
            alts = av[1]
        elif op is _sre_c.SUBPATTERN:
            alts = [av[-1]]
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT) and av[0] >= 1:
            alts = [av[2]]
        if alts:
            found: set[str] = set()
            for alt in alts:
                f = _factors(list(alt), k)
                if f is None:
                    break
                found |= f
            else:
                return frozenset(found)
    return None


class Guarded:
    """A compiled regex with a cheap necessary condition: ``search`` and ``finditer`` first look
    for one of the literal strings every match contains (``_factors``) and skip the regex when
    none is there. Same results as the regex; ``match`` and the rest pass through."""

    def __init__(self, rx: re.Pattern, k: int = FACTOR_LEN):
        self.rx = rx
        self.pattern = rx.pattern
        factors = _factors(list(_sre_parse.parse(rx.pattern, rx.flags)), k)
        self.guard = re.compile(trie_regex(factors, prefixes_only=True)) if factors else None
        self.match = rx.match
        self.fullmatch = rx.fullmatch
        self.findall = rx.findall

    def search(self, string: str, pos: int = 0, endpos: int = sys.maxsize):
        if self.guard is not None and self.guard.search(string, pos, endpos) is None:
            return None
        return self.rx.search(string, pos, endpos)

    def finditer(self, string: str, pos: int = 0, endpos: int = sys.maxsize):
        if self.guard is not None and self.guard.search(string, pos, endpos) is None:
            return iter(())
        return self.rx.finditer(string, pos, endpos)


def guarded(pattern: str, flags: int = 0) -> Guarded:
    return Guarded(re.compile(pattern, flags))


# --- the candidate regex ------------------------------------------------------------------------

_Y = r"(?:19|20)\d\d"
_D = r"(?:0?[1-9]|[12]\d|3[01])"
_M = r"(?:0?[1-9]|1[0-2])"
# abbreviations ("Jan.", "Sept.") may take a dot; a full name's dot ends the sentence
_ABBR = {w for w in MONTHS if any(o != w and o.startswith(w) for o in MONTHS)
         or (len(w) <= 3 and w not in ("mai", "may"))}
_MON = rf"(?:(?:{_alt(_ABBR)})(?![a-zäöüß])\.?|(?:{_alt(set(MONTHS) - _ABBR)})(?![a-zäöüß]))"
_REL = rf"(?:{_alt(RELATIVE)})(?![a-zäöüß])"
_WD = rf"(?:(?:{_alt(w.rstrip('.') for w in WEEKDAYS)})\.?,?\s+(?:den\s+)?)?"
_CY = rf"(?:{_alt(CURRENT_YEAR, escape=False)})"
_ANN = rf"(?:{_alt(ANNUAL, escape=False)})"
_TAIL = rf"(?:\s*,?\s*(?P<y>{_Y})(?![\d])|\s+(?P<cy>{_CY})|\s+(?P<ann>{_ANN}))?"
_TO = r"(?:bis(?:\s+(?:zum|einschließlich|einschl\.))?|[-–—]|to|until)"
_SEASON = rf"(?:{_alt(SEASONS)})(?:s|es)?(?![a-zäöüß])"
_ORD = rf"(?:{_alt(ORDINALS)})(?![a-zäöüß])"
_UNIT = rf"(?:{_alt(PERIOD_UNITS)})(?![a-zäöüß])"

_ALTERNATIVES = {
    # 1.–15. März 2024 / vom 1. bis 30. Juni 2023 / 18. bis 20. Oktober
    "rng": rf"(?P<d1>{_D})\.?\s*{_TO}\s*(?P<d2>{_D})\.\s*(?P<mon>{_MON}){_TAIL}",
    # Freitag, 15. März 2024 / 1. Sept. 2023 / 15 March 2024 / 30. September d. J.
    "dmn": rf"{_WD}(?P<d>{_D})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?(?P<mon>{_MON}){_TAIL}",
    # March 15, 2024
    "mdn": rf"(?P<mon>{_MON})\s+(?P<d>{_D})(?:st|nd|rd|th)?,?\s+(?P<y>{_Y})(?!\d)",
    # 31.07.2018 / 31.7.18 / 15.3. / 30.09. jeden Jahres
    "num": rf"{_WD}(?P<d>{_D})\.\s?(?P<m>{_M})\.(?:\s?(?P<y>{_Y}|\d\d)(?!\d)|\s+(?P<cy>{_CY})|\s+(?P<ann>{_ANN}))?(?!\d|\.\d)",
    # 2024-03-31
    "iso": rf"(?P<y>{_Y})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?!\d)",
    # im zweiten Quartal 2024 / 3. Quartal 2024 / Q3/2024 / 2. Halbjahr / H1 2025
    "qtr": rf"(?:(?:(?P<ord>{_ORD})|(?P<ordn>[1-4])\.)\s*(?P<unit>{_UNIT})|(?P<qq>[qh])(?P<qn>[1-4]))(?:\s*(?:/|des\s+jahres|of)?\s*(?P<y>{_Y})(?!\d))?",
    # Frühjahr 2024 / Ende des Sommers 2023 / Winter 2023/24
    "sea": rf"(?:(?P<rel>{_REL})\s+(?:des\s+|im\s+)?)?(?P<sea>{_SEASON})(?:\s+(?P<y>{_Y})(?:\s*/\s*(?:{_Y}|\d\d))?(?!\d))?",
    # Ende April 2024 / April 2024 / Mitte Mai
    "mon": rf"(?:(?P<rel>{_REL})\s+(?:des\s+(?:monats\s+)?|of\s+)?)?(?P<mon>{_MON})(?:\s*,?\s*(?P<y>{_Y})(?!\d))?",
    # 2020 bis 2024 / 2021–2027
    "yrng": rf"(?P<y1>{_Y})\s*(?:bis(?:\s+(?:einschließlich|zum\s+jahr|ende))?|[-–—/]|to)\s*(?P<y2>{_Y}|\d\d)(?![\d]|[.,]\d)",
    # bis Ende 2021 / ab 2021 / im Jahr 2020
    "yr": rf"(?:(?P<rel>{_REL})\s+(?:des\s+jahres\s+|of\s+)?)?(?P<y>{_Y})(?![\d]|[.,]\d|\s*(?:€|%|euro|eur\b|mio|mrd|millionen|milliarden|tsd))",
}


def _prefixed(name: str, pattern: str) -> str:
    body = re.sub(r"\(\?P<(\w+)>", lambda m: f"(?P<{name}_{m.group(1)}>", pattern)
    return f"(?P<{name}>{body})"


CANDIDATE_RE = re.compile(
    r"(?<![\w./-])(?:" + "|".join(_prefixed(n, p) for n, p in _ALTERNATIVES.items()) + ")")
# Anchors, searched in the original text: digit runs and capitalised month, season and period
# words. sre skips quickly to the few characters that can start one; CANDIDATE_RE is then only
# tried at an anchor (or at the weekday / "Ende" / ordinal word right before it).
_KEYWORDS = frozenset((*MONTHS, *SEASONS, *PERIOD_UNITS))
# as written: "April", "APRIL", "Herbstes", "Sommers"
_KEYWORD_FORMS = frozenset(f(w + suffix) for w in _KEYWORDS for suffix in ("", "s", "es")
                           for f in (str.capitalize, str.upper))
_LEFT_EXT_RE = guarded(
    rf"(?<![\w])(?:(?:{_alt(w.rstrip('.') for w in WEEKDAYS)})\.?,?\s+(?:den\s+)?"
    rf"|{_REL}\s+(?:des\s+(?:monats\s+|jahres\s+)?|im\s+|of\s+)?"
    rf"|{_ORD}\s*|[qh])$")
# last words that can start a candidate before its anchor (weekday, "Ende", ordinal, "des", "den")
_LEFT_WORDS = frozenset((*(w.rstrip(".") for w in WEEKDAYS), *RELATIVE, *ORDINALS,
                         "den", "des", "monats", "jahres", "im", "of", "q", "h"))
_AFTER_DAY_RE = re.compile(rf"[.–—-]|(?:st|nd|rd|th)\b|\s+(?:of\s+)?(?:{_alt(MONTHS)})(?![a-zäöüß])")


def lower_text(text: str) -> str:
    """``text.lower()`` with the same length (offsets stay valid)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in text)

_YEAR_CUE_RE = guarded(rf"(?:^|[\s(,:;])(?:{'|'.join(YEAR_CUES)})\s*$", 0)
# a bare month or season needs a preposition before it ("im April", "bis Mai", "ab Herbst")
_MONTH_PREP_RE = guarded(
    r"(?:^|[\s(])(?:im|in|bis(?:\s+(?:zum|ende|anfang|mitte))?|ab|seit|zum|von|vom|monat|monats|"
    r"ende|anfang|mitte|des|until|by|from|since|of)\s*$",
    0,
)
# numbers that look like day.month but are section numbers ("Nr. 2.1.", "Ziffer 5.3.")
_SECTION_RE = guarded(
    r"(?<![\w])(?:nr|nummer|ziffer|ziff|abschnitt|kapitel|kap|punkt|abs|absatz|tz|rn|randnummer|§|art|"
    r"artikel|anlage|anhang|version|v|tabelle|abb|seite|s)\.?\s*$",
    0,
)
# between the two dates of a range; a clock time may follow the first ("15. Januar (10 Uhr) bis …")
_RANGE_GAP_RE = re.compile(
    r"(?:\s*,?\s*\(?\s*(?:um\s+)?(?:[01]?\d|2[0-4])(?:[:.][0-5]\d)?\s*uhr\s*\)?\s*,?(?=\s*(?:bis|[-–—])))?"
    rf"\s*(?:{_TO}|und(?:\s+dem)?|and)\s*(?:den\s+|dem\s+)?$", 0)
_BETWEEN_RE = guarded(r"(?:zwischen|between)\s+(?:dem\s+|den\s+)?$", 0)

_TIME_AFTER_RE = re.compile(
    r"\s*(?:,|\(|um|bis|-|–|at)?\s*(?:um\s+|bis\s+)?(?P<h>[01]?\d|2[0-4])(?:[:.](?P<mi>[0-5]\d))?\s*"
    r"(?:uhr|h\b|(?<=\d\d)(?=\s*(?:mez|mesz|cet|cest|\)|$|[\s,.;])))",
    0,
)
_TIME_BEFORE_RE = guarded(
    r"(?P<h>[01]?\d|2[0-4])(?:[:.](?P<mi>[0-5]\d))?\s*uhr\s*(?:\((?:mez|mesz)\))?\s*,?\s*"
    r"(?:am|des|den|,)?\s*$",
    0,
)

_PUB_RE = guarded(
    r"(?<![\w])(?:datum|stand|veröffentlicht(?:\s+am)?|veroeffentlicht(?:\s+am)?|erschienen(?:\s+am)?|"
    r"erscheinungsdatum|(?:presse)?mitteilung(?:\s+nr\.\s*\S+)?\s+vom|pressemeldung\s+vom|"
    r"(?:meldung|nachricht|news|artikel|beitrag)\s+vom|erstellt\s+am|aktualisiert(?:\s+am)?|"
    r"(?:letzte\s+)?aktualisierung(?:\s+am)?|zuletzt\s+(?:geändert|aktualisiert)(?:\s+am)?|"
    r"letzte\s+änderung|published(?:\s+on)?|publication\s+date)\s*:?\s*$"
)
# "Date: …" only as a line of its own ("Opening date:", "Deadline date:" are not publication dates)
_PUB_LINE_RE = re.compile(r"^\s*(?:date|datum)\s*:?\s*$")
_DATELINE_RE = re.compile(r"^\s*[A-ZÄÖÜ][\w.\-/ ]{1,40}(?:\s*\([^)]{1,20}\))?,\s*(?:den\s+)?$")
_DATELINE_AFTER_RE = re.compile(r"^\s*(?:[-–—:|(]|$)")

_KIND_RES = {}
for _c in KIND_CUES:
    _KIND_RES.setdefault(_c["kind"], []).append(_c["re"])
KIND_RE = re.compile(
    "(?<![\\w])(?:" + "|".join(f"(?P<{k}>{'|'.join(v)})" for k, v in _KIND_RES.items()) + ")")
CLAUSE_BREAK_RE = re.compile(r",\s|;|\s[–—-]\s|\(|\)|\n\s*\n")
_START_PREP_RE = guarded(
    r"(?:^|[\s(])(?:ab|seit|beginnend(?:\s+(?:am|mit))?|frühestens(?:\s+(?:am|ab))?|from|since|starting)"
    r"(?:\s+(?:dem|den|der|jahr|anfang|mitte|ende))?\s*$",
    0,
)
_END_PREP_RE = guarded(
    r"(?:^|[\s(])(?:bis|spätestens|until|by)(?:\s+(?:zum|zur|spätestens|einschließlich|ende|in\s+das|ins))?"
    r"(?:\s+(?:jahr|ende))?\s*$",
    0,
)
_FROM_PREP_RE = guarded(r"(?:^|[\s(])(?:vom|von|zwischen)(?:\s+(?:dem|den))?\s*$", 0)
_CALL_WORDS_RE = guarded(
    r"antr[aä]g|bewerb|einreich|skizze|aufruf|interessenbekund|wettbewerb|ausschreibung|call\b|"
    r"application|proposal",
    0,
)


# --- candidates ---------------------------------------------------------------------------------

@dataclass
class Cand:
    start: int
    end: int
    rule: str
    granularity: str = "day"
    y: int | None = None            # explicit year
    m: int | None = None
    d: int | None = None
    d_end: int | None = None        # day range within one month
    m_end: int | None = None
    y_end: int | None = None
    rel: str | None = None          # start | mid | end
    cy: bool = False                # "d. J."
    annual: bool = False            # "jeden Jahres"
    season: tuple[int, int] | None = None
    unit: str | None = None         # quarter | half
    n: int | None = None
    time: str | None = None
    publication: bool = False
    inferred: bool = False          # the year was inferred, not written
    range_with: int | None = None   # merged into a range
    date: dt.date | None = None
    date_end: dt.date | None = None
    kind: str = "other"


def _year(s: str | None) -> int | None:
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
    w = word.lower().rstrip(".").strip()
    return MONTHS.get(w) or _month_fallback(w)


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _mkdate(y: int | None, m: int | None, d: int | None) -> dt.date | None:
    if y is None or m is None or d is None:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


_DIGITS = "0123456789"


CUE_PREFIX_LEN = 4          # chars of a cue's start the first pass checks
CUE_MEMO_MAX = 20000        # remembered cue starts (4-char keys) per scanner
_WORD_LEAD = r"(?<![\w])"
# a character before a word start: every non-word character (and a few word characters more)
_NOT_WORD_CHAR = "[^a-zäöüß0-9_]"


class CueScanner:
    """``finditer`` of a word-start alternation ``(?<![\w])(?:(?P<a>…)|(?P<b>…)|…)`` over a window,
    with the same matches, but fast: a first pass finds the word starts where one of the
    alternatives' first characters stand (``match_prefixes``); only there the alternatives that
    can start with them are tried, in their order. Window results are cached per text index."""

    def __init__(self, name: str, alternatives: list[tuple[str, str]]):
        self.name = name
        self.alternatives = alternatives
        self.regex = re.compile(_WORD_LEAD + "(?:" + "|".join(f"(?P<{n}>{f})" for n, f in alternatives) + ")")
        self._alt_res = [re.compile(_WORD_LEAD + f"(?P<{n}>{f})") for n, f in alternatives]
        prefixes = [match_prefixes(f, CUE_PREFIX_LEN) for _n, f in alternatives]
        self._fallback = any("" in ps for ps in prefixes)
        table: dict[str, list[int]] = {}
        for i, ps in enumerate(prefixes):
            for pre in ps:
                table.setdefault(pre, []).append(i)
        self._table = table
        self._lengths = sorted({len(pre) for pre in table})
        self._memo: dict[str, tuple] = {}
        self._first = None if self._fallback else re.compile(
            _NOT_WORD_CHAR + "(?=" + trie_regex(table, prefixes_only=True) + ")")

    def _alts_at(self, key: str) -> tuple:
        """``match`` methods of the alternatives that can start with ``key`` (CUE_PREFIX_LEN
        chars), in their order."""
        found: set[int] = set()
        for n in self._lengths:
            found.update(self._table.get(key[:n], ()))
        res = tuple(self._alt_res[i].match for i in sorted(found))
        if len(self._memo) > CUE_MEMO_MAX:
            self._memo.clear()
        self._memo[key] = res
        return res

    def finditer(self, low: str, s0: int, s1: int, starts=None) -> list[re.Match]:
        """The matches of ``self.regex.finditer(low, s0, s1)``. ``starts``: the possible cue starts
        in the window of every scanner (``_cue_starts``), if already known."""
        if self._first is None:
            return list(self.regex.finditer(low, s0, s1))
        if starts is None:
            starts = [q.end() for q in self._first.finditer(low, s0 - 1 if s0 else 0, s1)]
            if s0 == 0:         # a word at the very start has no character before it
                starts.insert(0, 0)
        out = []
        last = s0
        memo = self._memo
        for p in starts:
            if p < last:
                continue
            key = low[p:p + CUE_PREFIX_LEN]
            alts = memo.get(key)
            if alts is None:
                alts = self._alts_at(key)
            for match in alts:
                m = match(low, p, s1)
                if m:
                    out.append(m)
                    last = m.end()
                    break
        return out

    def hits(self, index, low: str, s0: int, s1: int) -> list[re.Match]:
        """``finditer`` cached on ``index`` (one TextIndex per document); the first pass is shared
        by all scanners."""
        memo = index.__dict__.setdefault("_fr_cue_hits", {})
        key = (self.name, s0, s1)
        res = memo.get(key)
        if res is None:
            starts = _cue_starts(index, low, s0, s1) if self._first is not None else None
            res = memo[key] = self.finditer(low, s0, s1, starts)
        return res


_SCANNERS: list[CueScanner] = []
_SHARED_FIRST: list = []    # [regex] of the union of all scanners' cue starts, built on first use


def _cue_starts(index, low: str, s0: int, s1: int) -> list[int]:
    """Positions in [s0, s1] where a cue of any scanner can start (one pass for all of them)."""
    memo = index.__dict__.setdefault("_fr_cue_starts", {})
    res = memo.get((s0, s1))
    if res is None:
        if not _SHARED_FIRST:
            table: set[str] = set()
            for sc in _SCANNERS:
                table.update(sc._table)
            _SHARED_FIRST.append(re.compile(_NOT_WORD_CHAR + "(?=" + trie_regex(table, prefixes_only=True) + ")"))
        res = [q.end() for q in _SHARED_FIRST[0].finditer(low, s0 - 1 if s0 else 0, s1)]
        if s0 == 0:
            res.insert(0, 0)
        memo[(s0, s1)] = res
    return res


def register_scanner(scanner: CueScanner) -> CueScanner:
    """Let ``scanner`` share the first pass of ``CueScanner.hits``."""
    if scanner._first is not None:
        _SCANNERS.append(scanner)
        _SHARED_FIRST.clear()
    return scanner


KIND_SCAN = register_scanner(CueScanner("kind", [(k, "|".join(v)) for k, v in _KIND_RES.items()]))
assert KIND_SCAN.regex.pattern == KIND_RE.pattern


def doc_lower(index, text: str) -> str:
    """``lower_text(text)``, once per document (kept on its TextIndex)."""
    low = index.__dict__.get("_fr_low")
    if low is None:
        low = index.__dict__["_fr_low"] = lower_text(text)
    return low


# Anchors: digit runs and capitalised month, season and period words, found by two regexes that
# start with a character class (sre skips fast to the few characters that can start one). They
# find exactly the anchors of the word-by-word scan they replace (``ANCHOR_RE`` below, kept for
# the rare "Q3" check): a digit run not glued to a word, "./-" (except "Q3", "H1"), of 1–2 digits
# before ".", "–", "st" or a month, or a year 19xx/20xx; a keyword form as a whole word.
_ANCHOR_CLASS = "".join(sorted({w[0].upper() for w in _KEYWORDS}))
ANCHOR_RE = re.compile("[0-9" + _ANCHOR_CLASS + r"][0-9]*[^\W\d_]*")
_AFTER_DAY = (r"[.–—-]|(?:st|nd|rd|th)\b|\s+(?:of\s+)?(?:" + _alt(MONTHS) + r")(?![a-zäöüß])")
_DIGIT_ANCHOR_RE = re.compile(
    r"[0-9](?<![0-9][0-9])"
    r"(?:(?<=[qh][0-9])(?![0-9])"                                     # Q3/2024, H1 2025
    r"|(?<![^\W_][0-9])(?<![./-][0-9])"                               # not glued to a word
    r"(?:(?:(?<=1)9|(?<=2)0)[0-9]{2}(?![0-9])"                        # 19xx, 20xx
    rf"|[0-9]?(?![0-9])(?:(?={_AFTER_DAY})|\Z)))")                      # 1-2 digits before ". – st"
_KW_FORMS_WORDS = sorted(w for w in _KEYWORD_FORMS
                         if re.fullmatch("[" + _ANCHOR_CLASS + r"][^\W\d_]*", w))
_KW_ANCHOR_RE = re.compile("(?:" + trie_regex(_KW_FORMS_WORDS) + r")(?![^\W\d_])")


def _anchor_starts_at(text: str, p: int) -> bool:
    """Does the word-by-word anchor scan (``ANCHOR_RE``) start an anchor at ``p``?"""
    r = p
    while r > 0 and (text[r - 1] in _DIGITS or (text[r - 1].isalnum() and not text[r - 1].isdecimal())):
        r -= 1
    return any(a.start() == p for a in ANCHOR_RE.finditer(text, r, p + 1))


def _anchors_two_pass(text: str, low: str) -> list[tuple[int, int]]:
    """``_anchors`` with the two regexes above (the reference the one-pass scan is tested against)."""
    out = []
    for a in _DIGIT_ANCHOR_RE.finditer(low):
        p = a.start()
        if p and low[p - 1] in "qh" and text[p - 1] in "QH" and _anchor_starts_at(text, p - 1):
            out.append((p - 1, p))              # the scan met "Q3" at the "Q"
        else:
            out.append((p, p))
    kw = [(a.start(), a.start()) for a in _KW_ANCHOR_RE.finditer(text)
          if not (a.start() and (low[a.start() - 1].isalnum() or low[a.start() - 1] == "-"))]
    if kw:
        out = sorted(out + kw)
    return out


# One pass for both kinds of anchor, over the original text: an alternation whose every branch
# starts with a literal character (a digit or a keyword's capital), so sre skips to those
# characters as fast as with one class. The digit branches ask on the original text what
# ``_DIGIT_ANCHOR_RE`` asks on the lower-cased one: each lower-case letter is spelt as the class
# of the characters that lower-case to it (``LOWER_PREIMAGE``); lower-casing keeps whether a
# character is alphanumeric or whitespace, and nothing else lower-cases to a digit, ".", "/",
# "-", "–" or "—" (tests/test_dates.py checks these over all of Unicode).
LOWER_PREIMAGE_EXTRA = {"k": "\u212a", "ß": "\u1e9e"}     # KELVIN SIGN, CAPITAL SHARP S


def lower_preimage(ch: str) -> str:
    """The characters whose ``str.lower()`` is ``ch`` (``ch`` a lower-case letter or other)."""
    out = [ch]
    up = ch.upper()
    if len(up) == 1 and up != ch and up.lower() == ch:
        out.append(up)
    out += LOWER_PREIMAGE_EXTRA.get(ch, "")
    return "".join(out)


def _cased(word: str) -> str:
    """A regex matching the strings whose lower-case form is ``word``."""
    out = []
    for ch in word:
        pre = lower_preimage(ch)
        out.append(re.escape(ch) if len(pre) == 1 else "[" + "".join(re.escape(c) for c in pre) + "]")
    return "".join(out)


_LOWER_LETTERS_CASED = "".join(re.escape(c) for ch in "abcdefghijklmnopqrstuvwxyzäöüß"
                               for c in lower_preimage(ch))
_AFTER_DAY_CASED = (
    r"[.–—-]|(?:" + "|".join(_cased(w) for w in ("st", "nd", "rd", "th")) + r")\b|\s+(?:"
    + _cased("of") + r"\s+)?(?:"
    + "|".join(_cased(w) for w in sorted(set(MONTHS), key=lambda w: (-len(w), w)))
    + rf")(?![{_LOWER_LETTERS_CASED}])")
_DIGIT_REST_CASED = (
    r"(?<![0-9][0-9])"
    rf"(?:(?<=[{lower_preimage('q')}{lower_preimage('h')}][0-9])(?![0-9])"
    r"|(?<![^\W_][0-9])(?<![./-][0-9])"
    r"(?:(?:(?<=1)9|(?<=2)0)[0-9]{2}(?![0-9])"
    rf"|[0-9]?(?![0-9])(?:(?={_AFTER_DAY_CASED})|\Z)))")


def _kw_branches() -> list[str]:
    by_first: dict[str, list[str]] = {}
    for w in _KW_FORMS_WORDS:
        by_first.setdefault(w[0], []).append(w)
    out = []
    for c, words in sorted(by_first.items()):
        # not glued to a word or a hyphen before it; a whole word after it
        out.append(f"{re.escape(c)}(?<![^\\W_]{re.escape(c)})(?<!-{re.escape(c)})"
                   f"(?:{trie_regex([w[1:] for w in words if len(w) > 1])})"
                   + ("?" if c in words else "") + r"(?![^\W\d_])")
    return out


_ANCHOR_ONE_RE = re.compile("|".join([d + _DIGIT_REST_CASED for d in _DIGITS] + _kw_branches()))


def _anchors(text: str, low: str) -> list[tuple[int, int]]:
    """(position the ``covered`` check uses, anchor start) of every anchor, in text order."""
    out = []
    for a in _ANCHOR_ONE_RE.finditer(text):
        p = a.start()
        if text[p] in _DIGITS and p and low[p - 1] in "qh" and text[p - 1] in "QH" \
                and _anchor_starts_at(text, p - 1):
            out.append((p - 1, p))              # the scan met "Q3" at the "Q"
        else:
            out.append((p, p))
    return out


# CANDIDATE_RE tried at a position only with the alternatives that can start with its character
_CAND_ALTS = [(n, _prefixed(n, p)) for n, p in _ALTERNATIVES.items()]
_CAND_FIRST = [(n, body, match_prefixes(body, 1)) for n, body in _CAND_ALTS]
_CAND_BY_CHAR: dict[str, re.Pattern] = {}


def _cand_re(ch: str) -> re.Pattern:
    rx = _CAND_BY_CHAR.get(ch)
    if rx is None:
        alts = [body for _n, body, first in _CAND_FIRST if "" in first or ch in first]
        rx = re.compile(r"(?<![\w./-])(?:" + "|".join(alts) + ")") if alts else re.compile(r"(?!)")
        _CAND_BY_CHAR[ch] = rx
    return rx


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
            mt = _cand_re(low[s]).match(low, s)
            if mt and mt.end() > p:
                covered = mt.end()
                yield mt
                break


# keyed by id (hashing a Pattern hashes its whole compiled code); _GROUP_REGEXES keeps every
# regex seen alive, so an id is never reused
_GROUP_INDEX: dict[tuple[int, str], dict[str, int]] = {}
_GROUP_REGEXES: list[re.Pattern] = []


def _group_index(rx: re.Pattern, rule: str) -> dict[str, int]:
    """Group numbers of ``rule``'s named groups in ``rx`` by their short name ("d", "mon")."""
    pre = rule + "_"
    _GROUP_REGEXES.append(rx)
    idx = _GROUP_INDEX[(id(rx), rule)] = {n[len(pre):]: i for n, i in rx.groupindex.items()
                                          if n.startswith(pre)}
    return idx


def scan(text: str, low: str | None = None) -> list[Cand]:
    """Candidate date spans of ``text``, with explicit parts only (no year inference yet)."""
    out: list[Cand] = []
    if low is None:
        low = lower_text(text)
    orig, text = text, low
    for mt in _candidates(orig, low):
        rule = mt.lastgroup
        idx = _GROUP_INDEX.get((id(mt.re), rule))
        if idx is None:
            idx = _group_index(mt.re, rule)

        def v(k, _idx=idx, _group=mt.group):
            i = _idx.get(k)
            return _group(i) if i is not None else None

        c = Cand(mt.start(), mt.end(), rule)
        left = text[max(0, c.start - LEFT_WINDOW):c.start]
        if rule in ("rng", "dmn", "mdn"):
            c.m = month_number(v("mon"))
            if rule == "rng":
                c.d, c.d_end = int(v("d1")), int(v("d2"))
                if c.d_end <= c.d:
                    continue
            else:
                c.d = int(v("d"))
            c.y = _year(v("y"))
            c.cy = bool(v("cy"))
            c.annual = bool(v("ann"))
        elif rule in ("num", "iso"):
            c.d, c.m, c.y = int(v("d")), int(v("m")), _year(v("y"))
            if v("y") and c.y is None:
                continue
            c.cy = bool(v("cy"))
            c.annual = bool(v("ann"))
            if rule == "num" and c.y is None and _SECTION_RE.search(left):
                continue
        elif rule == "qtr":
            c.y = _year(v("y"))
            if v("qq"):
                if c.y is None:
                    continue          # "Q3" or "H1" alone is too often something else
                c.unit = "quarter" if v("qq").lower() == "q" else "half"
                c.n = int(v("qn"))
            else:
                c.unit = PERIOD_UNITS[v("unit").lower()]
                c.n = ORDINALS[v("ord").lower()] if v("ord") else int(v("ordn"))
            if c.unit == "half" and c.n > 2:
                continue
            c.granularity = c.unit
        elif rule == "sea":
            c.y = _year(v("y"))
            c.rel = RELATIVE.get((v("rel") or "").lower())
            if c.y is None and c.rel is None and not _MONTH_PREP_RE.search(left):
                continue
            c.season = SEASONS[re.sub(r"(?:es|s)$", "", v("sea").lower())
                               if v("sea").lower() not in SEASONS else v("sea").lower()]
            c.granularity = "season"
        elif rule == "mon":
            c.m = month_number(v("mon"))
            c.y = _year(v("y"))
            c.rel = RELATIVE.get((v("rel") or "").lower())
            if c.y is None and c.rel is None and not _MONTH_PREP_RE.search(left):
                continue
            if v("mon").lower().rstrip(".") in ("may", "mar") and c.y is None:
                continue          # English modal verb / abbreviation without a year
            c.granularity = "month"
        elif rule == "yrng":
            c.y, c.y_end = _year(v("y1")), _year(v("y2")) if len(v("y2")) == 4 else None
            if c.y is not None and c.y_end is None and len(v("y2")) == 2:
                c.y_end = c.y // 100 * 100 + int(v("y2"))
            if c.y is None or c.y_end is None or not 0 < c.y_end - c.y <= YEAR_RANGE_MAX_SPAN:
                continue
            c.granularity = "year"
        elif rule == "yr":
            c.y = _year(v("y"))
            c.rel = RELATIVE.get((v("rel") or "").lower())
            if c.y is None or (c.rel is None and not _YEAR_CUE_RE.search(left)):
                continue
            c.granularity = "year"
        if c.m is None and rule in ("rng", "dmn", "mdn", "mon"):
            continue
        out.append(c)
    return out


def _find_time(text: str, c: Cand) -> None:
    after = _TIME_AFTER_RE.match(text, c.end, min(len(text), c.end + TIME_WINDOW))
    if after and (after.group("mi") or re.search(r"uhr|h\b", after.group(0))):
        c.time = f"{int(after.group('h')):02d}:{after.group('mi') or '00'}"
        return
    before = _TIME_BEFORE_RE.search(text, max(0, c.start - TIME_WINDOW), c.start)
    if before:
        c.time = f"{int(before.group('h')):02d}:{before.group('mi') or '00'}"


def _is_publication(text: str, orig: str, c: Cand) -> bool:
    if c.granularity != "day" or c.d_end is not None:
        return False
    line_start = text.rfind("\n", 0, c.start) + 1
    left = text[max(line_start, c.start - PUB_LOOKBACK):c.start]
    if _PUB_RE.search(left) or _PUB_LINE_RE.match(text, line_start, c.start):
        return True
    if c.start <= DATELINE_MAX_OFFSET and _DATELINE_RE.match(orig[line_start:c.start]) \
            and _DATELINE_AFTER_RE.match(text[c.end:c.end + 5]):
        return True
    return False


# TextIndex reads "2024." as an ordinal; a year, a dot and a capital letter end a sentence
_YEAR_STOP_RE = re.compile(r"\.(?<=[12]\d{3}\.)\s+(?=[A-ZÄÖÜ„\"])")


def _sentence_bounds(index, c_start: int, c_end: int) -> tuple[int, int]:
    """The sentence around [c_start, c_end) (TextIndex sentences, also cut after "… 2024. Die")."""
    memo = index.__dict__.setdefault("_fr_sentence_bounds", {})
    key = (c_start, c_end)
    if key not in memo:
        memo[key] = _sentence_bounds_uncached(index, c_start, c_end)
    return memo[key]


def _sentence_bounds_uncached(index, c_start: int, c_end: int) -> tuple[int, int]:
    s0, _ = index.sentence(c_start)
    _, s1 = index.sentence(max(c_end - 1, c_start))
    memo = index.__dict__.setdefault("_fr_year_stops", {})
    stops = memo.get((s0, s1))
    if stops is None:
        stops = memo[(s0, s1)] = [m.span() for m in _YEAR_STOP_RE.finditer(index.text, s0, s1)]
    for m_start, m_end in stops:
        if m_end <= c_start:
            s0 = m_end
        elif m_start >= c_end:
            s1 = m_start + 1
            break
    return s0, s1


def cue_distance(text: str, a0: int, a1: int, b0: int, b1: int) -> int:
    """Characters between spans a and b, plus CLAUSE_PENALTY for each clause break between. A
    parenthetical standing wholly between them is an aside and does not count ("bis zum 31. März
    (Eingang beim Amt) einzureichen")."""
    if a1 <= b0:
        lo, hi = a1, b0
    elif b1 <= a0:
        lo, hi = b1, a0
    else:
        return 0
    breaks = CLAUSE_BREAK_RE.findall(text, lo, hi)
    if "(" not in breaks:
        return hi - lo + CLAUSE_PENALTY * len(breaks)
    dist, p = 0, lo
    for blk in _PAREN_RE.finditer(text, lo, hi):
        dist += blk.start() - p + CLAUSE_PENALTY * len(CLAUSE_BREAK_RE.findall(text, p, blk.start()))
        p = blk.end()
    return dist + hi - p + CLAUSE_PENALTY * len(CLAUSE_BREAK_RE.findall(text, p, hi))


_PAREN_RE = re.compile(r"\([^()\n]*\)")
# a parenthetical that qualifies what it follows ("(für einen Projektbeginn im Folgejahr)")
_QUALIFIER_PAREN_RE = re.compile(
    r"\(\s*(?:nur\s+|jeweils\s+)?(?:für|bei|im\s+fall|wenn|falls|sofern|soweit|for|if|in\s+case)(?![\w])")
ASIDE_MAX_CHARS = 160       # a qualifying parenthetical is looked for this far before a cue


def in_aside(text: str, pos: int, d0: int, d1: int) -> bool:
    """Does ``pos`` (a cue) stand in a qualifying parenthetical ("(für einen Projektbeginn im
    laufenden Jahr)") that does not hold the date [d0, d1)? Such a cue says what the date is for,
    not what the date is."""
    o = text.rfind("(", max(0, pos - ASIDE_MAX_CHARS), pos)
    if o < 0 or text.find(")", o, pos) >= 0 or not _QUALIFIER_PAREN_RE.match(text, o):
        return False
    c = text.find(")", pos, pos + ASIDE_MAX_CHARS)
    if c < 0:
        return False
    return not (o < d0 and d1 <= c)


def _resolve(cands: list[Cand], text: str, index, published: dt.date | None) -> None:
    """Merge ranges, infer missing years, compute date/date_end."""
    # ranges between neighbours: "vom 1. Juni bis 31. August 2024", "01.03.–30.04.2024"
    for a, b in zip(cands, cands[1:]):
        if a.range_with is not None or a.granularity != "day" or b.granularity != "day" \
                or a.d_end is not None or b.d_end is not None:
            continue
        gap = text[a.end:b.start]
        if len(gap) > 25 or not _RANGE_GAP_RE.fullmatch(" " + gap):
            continue
        if gap.strip().lower().startswith(("und", "and")) and not _BETWEEN_RE.search(text[max(0, a.start - 20):a.start]):
            continue
        a.range_with = 1
        b.range_with = -1
        if a.y is None and b.y is not None and not a.cy:
            a.y = b.y - 1 if (a.m or 0) > (b.m or 0) else b.y
        if b.y is None and a.y is not None and not b.cy:
            b.y = a.y if (b.m or 0) >= (a.m or 0) else a.y + 1

    for c in cands:
        if c.y is None and c.cy and published:
            c.y = published.year
            c.inferred = True
    # the one explicit year of the sentence ("Im Jahr 2024 ist die Antragstellung bis zum 06.12. möglich")
    pending = [c for c in cands if c.y is None and not c.cy and not c.annual and c.granularity != "year"]
    if pending:
        sent_years: dict[tuple[int, int], set[int]] = {}
        for c in cands:
            if c.y is not None:
                sent_years.setdefault(_sentence_bounds(index, c.start, c.end), set()).add(c.y)
                if c.y_end:
                    sent_years[_sentence_bounds(index, c.start, c.end)].add(c.y_end)
        for c in pending:
            ys = sent_years.get(_sentence_bounds(index, c.start, c.end), set())
            if len(ys) == 1:
                c.y = next(iter(ys))
                c.inferred = True
            elif published is not None:
                c.y = published.year
                c.inferred = True
                probe = _mkdate(c.y, c.m or (c.season[0] if c.season else 1),
                                min(c.d or 1, 28))
                if probe and probe < published - dt.timedelta(days=ROLLOVER_DAYS):
                    c.y += 1

    for c in cands:
        y = c.y
        if y is None:
            continue
        if c.granularity == "day":
            c.date = _mkdate(y, c.m, c.d)
            if c.d_end is not None:
                c.date_end = _mkdate(y, c.m, c.d_end)
        elif c.granularity == "month":
            last = _last_day(y, c.m)
            lo, hi = {"start": (1, 10), "mid": (11, 20), "end": (last, last)}.get(c.rel, (1, last))
            c.date, c.date_end = dt.date(y, c.m, lo), dt.date(y, c.m, hi)
        elif c.granularity in ("quarter", "half"):
            span = 3 if c.granularity == "quarter" else 6
            m0 = (c.n - 1) * span + 1
            m1 = m0 + span - 1
            c.date, c.date_end = dt.date(y, m0, 1), dt.date(y, m1, _last_day(y, m1))
        elif c.granularity == "season":
            m0, m1 = c.season
            y1 = y + 1 if m1 < m0 else y
            c.date, c.date_end = dt.date(y, m0, 1), dt.date(y1, m1, _last_day(y1, m1))
        elif c.granularity == "year":
            y1 = c.y_end or y
            c.date, c.date_end = dt.date(y, 1, 1), dt.date(y1, 12, 31)
            if c.rel == "end" and c.y_end is None:
                c.date = c.date_end
            elif c.rel == "start" and c.y_end is None:
                c.date_end = dt.date(y, 3, 31)
    # merged day ranges: the left date carries the range, the right one is dropped
    for a, b in zip(cands, cands[1:]):
        if a.range_with == 1 and b.range_with == -1:
            a.date_end = b.date
            a.end = b.end
            a.time = a.time or b.time
            a.rule = f"{a.rule}+range"


def classify(text: str, index, c: Cand, dates_in_sentence: list[Cand]) -> str:
    """Kind of a date from its nearest cue word and the preposition right before it."""
    if c.publication:
        return "publication"
    s0, s1 = _sentence_bounds(index, c.start, c.end)
    best, best_dist, best_len = None, KIND_CUE_MAX_DIST + 1, 0
    paren = text.find("(", s0, s1) >= 0
    for m in KIND_SCAN.hits(index, text, s0, s1):
        if c.start <= m.start() < c.end or (paren and in_aside(text, m.start(), c.start, c.end)):
            continue
        dist = cue_distance(text, m.start(), m.end(), c.start, c.end)
        # a cue belongs to the date nearest to it
        if any(o is not c and cue_distance(text, m.start(), m.end(), o.start, o.end) < dist
               for o in dates_in_sentence):
            continue
        if dist < best_dist or (dist == best_dist and m.end() - m.start() > best_len):
            best, best_dist, best_len = m.lastgroup, dist, m.end() - m.start()
    left = text[max(s0, c.start - LEFT_WINDOW):c.start]
    if _START_PREP_RE.search(left):
        if best in (None, "call_start") and _CALL_WORDS_RE.search(text, s0, s1):
            return "call_start"
        if best in (None, "period_start", "period_end", "call_start"):
            return "period_start" if best != "call_start" else "call_start"
    if best == "publication":
        return "publication"
    if best is None and c.date_end is not None and c.granularity == "day" \
            and _CALL_WORDS_RE.search(text, s0, s1):
        return "call_start"     # "Die Bewerbungsphase läuft vom 1. bis 31. Mai": a window opens
    if best in ("period_end", "period_start"):
        if c.date_end is not None and c.granularity == "day" or c.rule == "yrng" \
                or _FROM_PREP_RE.search(left):
            return "period_start"
        if _END_PREP_RE.search(left) or best == "period_end":
            return "period_end"
        return best
    if best is not None:
        return best
    if c.granularity == "year":
        # a bare year is a period: "bis 2024" ends one, "ab 2021" starts one
        if _END_PREP_RE.search(left):
            return "period_end"
        if _START_PREP_RE.search(left) or _FROM_PREP_RE.search(left):
            return "period_start"
    return "other"


class DatesComponent:
    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        ctx = doc._.fr_ctx
        if ctx is None:
            return doc
        orig = ctx.text
        text = doc_lower(ctx.index, orig)
        cands = scan(orig, text)
        if not cands:
            return doc
        for c in cands:
            c.publication = _is_publication(text, orig, c)
        if ctx.published is None and not ctx.published_given:
            for c in cands:
                if c.publication and c.y is not None:
                    found = _mkdate(c.y, c.m, c.d)
                    if found:
                        ctx.published = found
                        break
        _resolve(cands, text, ctx.index, ctx.published)
        kept = [c for c in cands if c.range_with != -1]
        by_sentence: dict[tuple[int, int], list[Cand]] = {}
        for c in kept:
            by_sentence.setdefault(_sentence_bounds(ctx.index, c.start, c.end), []).append(c)
        out = doc._.fr["dates"]
        for c in kept:
            if c.granularity == "day":
                _find_time(text, c)
            c.kind = classify(text, ctx.index, c, by_sentence[_sentence_bounds(ctx.index, c.start, c.end)])
            out.append(_mention(orig[c.start:c.end], c.start, c.end, c.date, c.date_end,
                                c.granularity, c.kind, c.time, _rule_name(c)))
        return doc


# ---------------------------------------------------------------------------- records

_MENTION_FIELDS = ("text", "start", "end", "date", "date_end", "granularity", "kind", "time", "rule")


def _validated_mention(text, start, end, date, date_end, granularity, kind, time, rule) -> DateMention:
    return DateMention(text=text, start=start, end=end, date=date, date_end=date_end,
                       granularity=granularity, kind=kind, time=time, rule=rule)


def _literal_values(name: str) -> frozenset | None:
    import typing

    ann = DateMention.__pydantic_fields__[name].annotation
    return frozenset(typing.get_args(ann)) if typing.get_origin(ann) is typing.Literal else None


def _mention_maker():
    """``DateMention(...)`` for the values this component builds, without pydantic's validation.

    Every value here is already of its field's type (str, int, ``datetime.date`` or None); the
    two Literal fields are checked against their allowed values and anything else goes through
    validation, which raises as before. The instance is filled by
    ``models.records.fast_constructor`` (validation itself where the model is not plain).
    tests/test_dates.py compares both."""
    grans, kinds = _literal_values("granularity"), _literal_values("kind")
    fill = fast_constructor(DateMention, _MENTION_FIELDS)
    if fill is None or grans is None or kinds is None:
        return _validated_mention
    date_type = dt.date

    def make(text, start, end, date, date_end, granularity, kind, time, rule) -> DateMention:
        if granularity not in grans or kind not in kinds \
                or (date is not None and type(date) is not date_type) \
                or (date_end is not None and type(date_end) is not date_type):
            return _validated_mention(text, start, end, date, date_end, granularity, kind, time, rule)
        return fill({"text": text, "start": start, "end": end, "date": date, "date_end": date_end,
                     "granularity": granularity, "kind": kind, "time": time, "rule": rule})

    return make


_mention = _mention_maker()


def _rule_name(c: Cand) -> str:
    rule = c.rule
    if c.granularity == "month" and c.rel:
        rule += f"_{c.rel}"
    if c.annual:
        rule += "+annual"
    if c.inferred:
        rule += "+inferred_year"
    return rule


@Language.factory("foerderradar_dates")
def make_component(nlp: Language, name: str):
    return DatesComponent(nlp, name)
