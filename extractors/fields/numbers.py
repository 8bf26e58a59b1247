"""Numbers as German funding texts write them, with their scale words: the number grammar of amounts.

* Digits: "1.500" and "1 500" are thousands; "1,5" and "1.5" are decimals; a comma followed by
  exactly three digits ("1,500") is a thousands separator unless a scale word follows ("1,250
  Mio." = 1,250,000); several commas ("1,500,000") are English thousands; "500,-" is 500.
* Words (``amount_numbers.txt``): cardinals written as one word ("zweihundertfünfzigtausend",
  read by text2num), the article ("eine Million"), fractions ("anderthalb") and a half word
  between number and scale ("eine halbe Milliarde").
* Scale words (``amount_scales.txt``) multiply the number before them ("1,5 Mio.").

:func:`number_regex` gives the regex of one number with optional half and scale word, in named
groups ``<p>n``, ``<p>h``, ``<p>s``; :func:`read_number` turns such a match into a :class:`Num`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from text_to_num import text2num

from extractors.fields.rules import alternation, read_table

LETTER = r"[^\W\d_]"
NUM_WS = "[ \u00a0\u202f\u2009]"          # thousands separator spaces (no line break)
# between number, scale and currency; matched atomically: every token after it starts with a
# letter, a digit, "€" or a dash, so giving back a space or a hyphen never lets a match succeed
SEP = r"(?>\s{0,3}(?:-\s{0,2})?)"
YEAR_MIN, YEAR_MAX = 1900, 2099            # plain 4-digit numbers in this range may be years

DIGITS = (
    r"(?:\d{1,3}(?:\.\d{3})+(?:,(?:\d+|[ \n]\d\d(?!\d)))?"   # 1.000.000,50; 1.837, 32 (a PDF line break)
    rf"|\d{{1,3}}(?:{NUM_WS}\d{{3}})+(?:,\d+)?"        # 50 000
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"                   # 1,500,000.00 / 1,250
    # 1,5 / 2500 / 12.50; not where one group of three follows (the forms above read that)
    r"|(?!\d{1,3}[.,]\d{3}(?!\d))\d+(?:[.,]\d+)?)"
    r"(?:[,.][-–—]{1,2})?(?!\d|[.,]\d)"                # 500,- / 500.-
)
DIGITS_FIRST = r"(?<![\w.,§/])(?<!\d[-–—])" + DIGITS  # not "2025" of "2021-2025"
DIGITS_NEXT = r"(?<![\w.,§/])" + DIGITS


def word_alt(words) -> str:
    """Alternation of ``words`` (lower case, for use inside ``(?i:…)``) where an entry starting
    with a letter must not follow a letter."""
    words = set(words)
    letters = [w for w in words if w[:1].isalpha()]
    parts = [f"(?<!{LETTER})(?:{alternation(letters)})"] if letters else []
    if len(letters) < len(words):
        parts.append(alternation(w for w in words if not w[:1].isalpha()))
    return "|".join(parts)


def capitalised_too(words) -> set[str]:
    """The words and their capitalised forms (a number word may start a sentence)."""
    return {v for w in words for v in (w, w[:1].upper() + w[1:]) if len(v) == len(w)}


@dataclass(frozen=True)
class NumberWords:
    """The number vocabulary of the pattern files."""
    scale: dict[str, Decimal]
    morphs: tuple[str, ...]
    article: dict[str, Decimal]
    fraction: dict[str, Decimal]
    half: dict[str, Decimal]


@lru_cache(maxsize=1)
def vocabulary() -> NumberWords:
    """Read ``amount_scales.txt`` and ``amount_numbers.txt`` once."""
    kinds: dict[str, dict[str, Decimal]] = {"morph": {}, "article": {}, "fraction": {}, "half": {}}
    for row in read_table("amount_numbers.txt"):
        if row[1] not in kinds:
            raise ValueError(f"amount_numbers.txt: unknown kind {row[1]!r} for {row[0]!r}")
        kinds[row[1]][row[0].lower()] = Decimal(row[2]) if len(row) > 2 else Decimal(0)
    scale = {w.lower(): Decimal(f) for w, f in read_table("amount_scales.txt")}
    return NumberWords(scale, tuple(kinds["morph"]), kinds["article"], kinds["fraction"],
                       kinds["half"])


def _word_pieces() -> tuple[str, str]:
    """(a number word of its own: article or fraction, the first piece of a cardinal)."""
    v = vocabulary()
    return (alternation(capitalised_too(list(v.article) + list(v.fraction))),
            alternation(capitalised_too(m for m in v.morphs if m != "und")))


def number_word_start() -> str:
    """Where a number word may start (a cheap regex to find the starts of money phrases)."""
    single, first = _word_pieces()
    return f"{single}|{first}"


def number_word_regex() -> str:
    """A number written in words: an article or fraction word, or a cardinal of pieces, and
    further such numbers after a written-out scale word ("zwei Millionen dreihunderttausend")."""
    single, first = _word_pieces()
    word = rf"(?:{single}|{first}(?:{alternation(vocabulary().morphs)})*)"
    inner = alternation(w for w in vocabulary().scale if w.isalpha() and "viertel" not in w)
    return rf"(?<!{LETTER}){word}(?:\s+(?i:{inner})\s+{word})*(?!{LETTER})"


def scale_regex() -> str:
    """A scale word, case-insensitive, not inside a word."""
    return rf"(?i:{word_alt(vocabulary().scale)})(?!{LETTER})"


def number_regex(p: str, first: bool = True, words: bool = True) -> str:
    """One number in group ``<p>n``, optional half word ``<p>h`` and scale word ``<p>s``.
    ``first``: the number may not be the end of a year span ("2021-2025"); ``words``: number
    words and the half word are allowed (the prefix form "EUR 5 Mio." takes digits only)."""
    dig = DIGITS_FIRST if first else DIGITS_NEXT
    if not words:
        return rf"(?P<{p}n>{dig})(?:{SEP}(?P<{p}s>{scale_regex()}))?"
    half = alternation(vocabulary().half)
    return (rf"(?P<{p}n>{dig}|{number_word_regex()})"
            rf"(?:{SEP}(?P<{p}h>(?i:(?<!{LETTER})(?:{half})(?!{LETTER}))))?"
            rf"(?:{SEP}(?P<{p}s>{scale_regex()}))?")


def parse_digits(s: str, has_scale: bool) -> Decimal | None:
    """The value of a digit string as the module docstring reads it, or None."""
    s = s.rstrip("-–—")
    if s[-1] in ",.":
        s = s[:-1]                                 # 500,- / 500.-
    s = "".join(s.split())                       # "50 000"
    if "." in s and "," in s:
        if s.rfind(",") > s.rfind("."):            # German 1.500,50
            s = s.replace(".", "").replace(",", ".")
        else:                                      # English 1,500.50
            s = s.replace(",", "")
    elif "," in s:
        parts = s.split(",")
        if len(parts) > 2 or (len(parts[1]) == 3 and not has_scale):
            s = s.replace(",", "")                 # 1,500,000 / 1,500 (thousands)
        else:
            s = s.replace(",", ".")                # 1,5 / 1,250 Mio.
    elif "." in s:
        parts = s.split(".")
        if len(parts) > 2 or len(parts[1]) >= 3:
            s = s.replace(".", "")                 # 1.500 / 1.000.000 / typo 1.5000
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def parse_words(s: str) -> Decimal | None:
    """The value of a number written in words ("eine", "anderthalb", "zweihundertfünfzig")."""
    v = vocabulary()
    words = s.lower().split()
    w = " ".join(words)
    if w in v.article:
        return v.article[w]
    if w in v.fraction:
        return v.fraction[w]
    if words[0] in v.article:                  # "eine Million zweihunderttausend"
        w = " ".join(["ein"] + words[1:])
    try:
        return Decimal(text2num(w, "de"))
    except (ValueError, TypeError, IndexError, KeyError):
        return None


def clean(v: Decimal) -> Decimal:
    """Integral values without exponent or decimals, others without trailing zeros."""
    if v == v.to_integral_value():
        return v.quantize(Decimal(1))
    return v.normalize()


@dataclass(slots=True, frozen=True)
class Num:
    """A number read from the text."""
    raw: Decimal            # the number as written
    mult: Decimal           # half x scale
    has_scale: bool
    is_word: bool
    start: int
    end: int                # end of number (+ scale)
    plain: bool             # digits only, no separators, no scale

    @property
    def value(self) -> Decimal:
        return clean(self.raw * self.mult)

    def year_like(self) -> bool:
        """Four plain digits that may be a year."""
        return self.plain and len(str(self.raw)) == 4 and YEAR_MIN <= int(self.raw) <= YEAR_MAX


def read_number(m: re.Match, p: str) -> Num | None:
    """The number of groups ``<p>n``/``<p>h``/``<p>s`` of ``m``, or None where it is no amount
    (zero, unreadable, or an article without scale word: "eine Euro-…")."""
    v = vocabulary()
    groups = m.re.groupindex
    n, s = m.group(f"{p}n"), m.group(f"{p}s")
    h = m.group(f"{p}h") if f"{p}h" in groups else None
    is_word = not n[0].isdigit()
    if is_word and s and len(n.split()) > 1 and s.isalpha():
        n, s = f"{n} {s}", None              # "drei Milliarden fünfhundert Millionen": one cardinal
    raw = parse_words(n) if is_word else parse_digits(n, bool(s))
    if raw is None or raw == 0:
        return None
    if is_word and n.lower() in v.article and not (s or h):
        return None
    mult = Decimal(1)
    if h:
        mult *= v.half[h.lower()]
    if s:
        mult *= v.scale[" ".join(s.lower().split())]
    end = m.end(f"{p}s" if m.group(f"{p}s") else f"{p}h" if h else f"{p}n")
    return Num(raw, mult, bool(m.group(f"{p}s")), is_word, m.start(f"{p}n"), end, n.isdigit())
