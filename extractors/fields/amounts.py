"""Field component ``foerderradar_amounts``: euro amounts as exact Decimals with qualifier and unit.

How it works
------------
* Word lists are data (``extractors/patterns/amount_*.txt``): currency words with a factor
  (``TEUR`` = 1,000 EUR), scale words and number words (:mod:`extractors.fields.numbers`),
  connectors of ranges and coordinations, qualifier and unit cues
  (:mod:`extractors.fields.amount_cues`), negative contexts (``Euro-6-Norm``, ``Euro-Cent``) and
  the words of inherited currency.
* A currency word is required in every money phrase: numbers without one ("Drei Millionen für
  die City", "50 Prozent", "73 Modellprojekte", years, dates, phone numbers, ``§ 44``) are never
  amounts. The text is scanned for currency words; the core regex then runs over a small window
  before each one, so the cost is proportional to the number of currency words.
* Core forms: suffix currency ("1,5 Mio. €", "400 Millionen Euro", "1.000.000,- €",
  "50 000 Euro", "eine halbe Milliarde Euro", "150 T€"), prefix currency ("EUR 2.500,00",
  "Euro 5.000", "TEUR 150", "€ 500,-"), ranges ("zwischen 10.000 und 50.000 Euro", "1 bis 2
  Mio. €", "5.000–10.000 €", "EUR 5.000 bis 10.000") and coordinations ("10.000 oder 20.000
  Euro", "mindestens 10.000 und höchstens 50.000 Euro"). The first number of a range or
  coordination borrows the currency (and the scale word, when it is not larger than the second
  number: "1 bis 2 Mio." = 1 Mio. to 2 Mio., but "500.000 bis 2 Mio." keeps 500,000).
* Inherited currency (rule ``amount:inherited``, :mod:`extractors.fields.amount_inherit`): in a
  sentence that holds a money phrase, a number whose currency stands only there counts too
  ("400 Mio. Euro zur Verfügung; davon entfallen 50 Mio. auf Kommunen", "von 2,5 auf 3
  Millionen Euro").
* Qualifier and unit come from cue words before and after the number and earlier in the
  sentence; ``text``/``start``/``end`` cover the adjacent cue words ("ca. 400 Millionen Euro",
  "20 Millionen Euro pro Jahr"). The role (budget, grant, award …) comes from role cues of the
  sentence (:mod:`extractors.fields.roles`).

Ranges and the scorer
---------------------
A range is ONE statement but TWO values; the gold counts both and the scorer reads ``value_eur``
only. So a range yields two records over the same span: the upper bound (``value_eur`` = upper,
``low_eur`` = lower, qualifier ``max``, rule ``amount:range``) and the lower bound
(``value_eur`` = lower, qualifier ``min``, rule ``amount:range_low``). An approximation cue
("ca. 1 bis 2 Mio. €") makes both ``approx``. Consumers that want one row per statement drop
rule ``amount:range_low``. A coordination ("10.000 oder 20.000 Euro") yields one record per
number, each over its own span. Otherwise every mention is one record (no de-duplication).
"""
from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from spacy.language import Language

from extractors.fields import amount_inherit, numbers
from extractors.fields.amount_cues import AmountFound, Hit, cues, key, records
from extractors.fields.numbers import (LETTER, SEP, Num, capitalised_too, clean, number_regex,
                                       read_number, word_alt)
from extractors.fields.pipeline import field_component
from extractors.fields.roles import assign_roles
from extractors.fields.rules import alternation, fold, read_lines, read_table

WINDOW_BEFORE = 60           # chars scanned before a currency word (ranges, number words)
WINDOW_AFTER = 45            # chars scanned after it (prefix form "EUR 1.000.000,00 bis 2.000.000,00")
NEG_CONTEXT = 25             # chars around a candidate searched for negative contexts
PREFIX_MIN_PLAIN_INT = 10    # "Euro 6" (emission standard) is no amount; "EUR 50" is
CHANGE_MAX_RATIO = Decimal(100)   # "von 2,5 auf 3 Millionen Euro": the values at most this far apart
_PSEP = r"[ \t\u00a0\u202f\u2009]{0,2}+"     # between a prefix currency and its number
_WORD_START = r"(?<![\w.,§/])"               # every money phrase starts at a word start
_DIGIT_AFTER = re.compile(r"[ \t\u00a0]*\d")
_LETTER_RUN = re.compile(r"[^\W\d_]*")


class Grammar:
    """The money phrase regexes compiled from the pattern files, once per process (:func:`grammar`)."""

    def __init__(self) -> None:
        self.currency = {w.casefold(): Decimal(f) for w, f in read_table("amount_currency.txt")}
        self.connectors = {key(w): kind for w, kind in read_table("amount_connectors.txt")}
        self.negative = re.compile("|".join(f"(?:{rx})" for rx in read_lines("amount_negative.txt")))
        self.cur = rf"(?i:{word_alt(self.currency)})(?!{LETTER})"
        self.anchors = sorted({"€" if "€" in w else "eur" if "eur" in w else w for w in self.currency})
        self.longest_currency = max(map(len, self.currency))
        self.scale_before = re.compile(rf"(?i:{word_alt(numbers.vocabulary().scale)})\s*$")
        by_kind = {k: [w for w, kind in self.connectors.items() if kind == k]
                   for k in ("range", "list", "change", "opener")}
        self.opener = alternation(capitalised_too(by_kind["opener"]))
        forms = self._forms(by_kind)
        self.core = re.compile(rf"{_WORD_START}(?:{forms['range']}|{forms['prange']}"
                               rf"|{forms['suffix']}|{forms['prefix']})")
        self.single = re.compile(rf"{forms['suffix']}|{forms['prefix']}")   # when a range is refused
        self.starts = re.compile(rf"{_WORD_START}(?:\d|{self.opener}|{numbers.number_word_start()})")

    def _forms(self, by_kind: dict[str, list[str]]) -> dict[str, str]:
        """The four money phrase forms as named groups: range, prange, suffix, prefix."""
        def cur(name: str) -> str:
            return rf"(?P<{name}>{self.cur})"

        conn_range = alternation(by_kind["range"])
        conn_word = alternation(by_kind["list"] + by_kind["change"])
        q2 = alternation(cues().range_qualifiers())
        range_suffix = (
            rf"(?:(?P<ro>{self.opener})\s++)?{number_regex('a')}(?:{SEP}{cur('ac')})?"
            rf"\s*+(?P<conn>(?i:{conn_range}|(?<!{LETTER})(?:{conn_word})(?!{LETTER})))\s*+"
            rf"(?:(?P<q2>(?i:{q2}))\s++)?{number_regex('b', False)}{SEP}{cur('bc')}")
        range_prefix = (
            rf"{cur('pac')}{_PSEP}{number_regex('pa', words=False)}"
            rf"\s*+(?P<pconn>(?i:{conn_range}))\s*+"
            rf"(?:{cur('pbc')}{_PSEP})?{number_regex('pb', False, words=False)}")
        return {"range": f"(?P<range>{range_suffix})", "prange": f"(?P<prange>{range_prefix})",
                "suffix": rf"(?P<suffix>{number_regex('s')}{SEP}{cur('sc')})",
                "prefix": rf"(?P<prefix>{cur('pc')}{_PSEP}{number_regex('p', words=False)})"}

    def factor(self, surface: str) -> Decimal:
        return self.currency[surface.casefold()]


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    """The grammar of the pattern files, compiled once per process."""
    return Grammar()


def find_amounts(ctx) -> list[AmountFound]:
    """All amounts of ``ctx.text`` (``ctx``: a :class:`~extractors.fields.pipeline.Context`:
    text, folded text, sentence index).

    For each currency word, the places before it where a number (or a range opener) starts are
    tried in order; the first money phrase that reaches the currency wins, else the prefix form
    starting at the currency itself. Then the numbers that inherit a currency are added, and
    every amount gets its role (:mod:`extractors.fields.roles`).
    """
    g = grammar()
    text, index = ctx.text, ctx.index
    out: list[AmountFound] = []
    prev_end, n = 0, len(text)
    for cs, ce in _currency_words(ctx.folded):
        if cs < prev_end:
            continue                             # inside the last phrase ("EUR 5 bis EUR 10")
        lo, hi = max(cs - WINDOW_BEFORE, prev_end), min(ce + WINDOW_AFTER, n)
        starts = [m.start() for m in g.starts.finditer(text, lo, cs)] + [cs]
        for p in starts:
            found = _phrase_at(text, p, hi, ce)
            if found is None:
                continue
            m, hits = found
            recs = records(hits, m.start(), m.end(), text, prev_end, index)
            out.extend(recs)
            prev_end = max(m.end(), max(r.end for r in recs))
            break
    if out:
        inherited = amount_inherit.find_inherited(text, ctx.folded, out, index)
        if inherited:
            out = sorted(out + inherited, key=lambda a: a.start)   # stable: range pairs keep order
        assign_roles(text, ctx.folded, out, index)
    return out


def _currency_words(low: str) -> list[tuple[int, int]]:
    """(start, end) of every currency word of the folded text. Speed: found by ``str.find`` of an
    anchor each currency word holds ("eur", "€"), then the letters around it are checked; a regex
    scan of the whole text costs more than all the rest of the component (bench_extract)."""
    g = grammar()
    found = set()
    for anchor in g.anchors:
        i = low.find(anchor)
        while i != -1:
            after = i + len(anchor)
            s, e = i, _LETTER_RUN.match(low, after).end()
            while s > 0 and low[s - 1].isalpha() and i - s <= g.longest_currency:
                s -= 1
            if low[s:e] in g.currency:
                found.add((s, e))
            elif not anchor[0].isalpha() and e == after:
                found.add((i, after))            # "Mio€": the bare symbol
            i = low.find(anchor, e)
    return sorted(found)


def _phrase_at(text: str, p: int, hi: int, ce: int) -> tuple[re.Match, list[Hit]] | None:
    """The money phrase starting at ``p`` and reaching the currency word ending at ``ce``: a
    range or coordination first, the single form where that reading is refused."""
    g = grammar()
    m = g.core.match(text, p, hi)
    if m is None or m.end() < ce:
        return None
    hits = _hits(m, text)
    if hits is None and (m.group("range") or m.group("prange")):
        m = g.single.match(text, p, hi)
        if m is None or m.end() < ce:
            return None
        hits = _hits(m, text)
    return (m, hits) if hits is not None else None


def _negative(m: re.Match, text: str) -> bool:
    """Does a negative context (``amount_negative.txt``) overlap the phrase?"""
    ctx0, ctx1 = max(0, m.start() - NEG_CONTEXT), min(len(text), m.end() + NEG_CONTEXT)
    start, end = m.start() - ctx0, m.end() - ctx0
    return any(nm.start() < end and nm.end() > start
               for nm in grammar().negative.finditer(fold(text[ctx0:ctx1])))


def _hits(m: re.Match, text: str) -> list[Hit] | None:
    """The values of a core match, or None where the match is no money phrase."""
    if _negative(m, text):
        return None
    kind = m.lastgroup                           # the outermost group closes last
    if kind == "suffix":
        return _single(m, text, "s", "sc")
    if kind == "prefix":
        return _single(m, text, "p", "pc")
    if kind == "prange":
        return _prefix_range(m, text)
    return _suffix_range(m, text)


def _single(m: re.Match, text: str, p: str, cur_group: str) -> list[Hit] | None:
    """One number with its currency after it ("1,5 Mio. €") or before it ("EUR 2.500")."""
    num = read_number(m, p)
    if num is None:
        return None
    end = m.end()
    if p == "s":
        if num.year_like() and _DIGIT_AFTER.match(text, end, end + 4):
            return None                          # "im Jahr 2024 EUR 5.000"
        if num.is_word and not num.has_scale and text[end:end + 1] == "-":
            return None                          # "Ein-Euro-Job"-like compounds
        rule = "amount:suffix:words" if num.is_word else "amount:suffix"
    else:
        if not _prefix_ok(m, cur_group, num, text):
            return None
        rule = "amount:prefix"
    value = clean(num.raw * num.mult * grammar().factor(m.group(cur_group)))
    return [Hit(value, None, m.start(), end, rule, None)]


def _prefix_range(m: re.Match, text: str) -> list[Hit] | None:
    """"EUR 5.000 bis 10.000", "€ 1.000,00 – € 5.000,00"."""
    a, b = read_number(m, "pa"), read_number(m, "pb")
    if a is None or b is None or not _prefix_ok(m, "pac", a, text):
        return None
    fa = grammar().factor(m.group("pac"))
    fb = grammar().factor(m.group("pbc")) if m.group("pbc") else fa
    return _range(a, b, fa, fb, m, is_range=True)


def _suffix_range(m: re.Match, text: str) -> list[Hit] | None:
    """A range ("zwischen 10.000 und 50.000 Euro"), a coordination ("10.000 oder 20.000 Euro")
    or a change ("von 2,5 auf 3 Millionen Euro") with the currency after the second number."""
    g = grammar()
    a, b = read_number(m, "a"), read_number(m, "b")
    if a is None or b is None:
        return None
    fb = g.factor(m.group("bc"))
    fa = g.factor(m.group("ac")) if m.group("ac") else fb
    if b.year_like() and _DIGIT_AFTER.match(text, m.end(), m.end() + 4):
        return None
    if a.year_like() and not m.group("ac") and not b.year_like():
        return None              # "ab 2024 bis zu 50.000 Euro": a year, then the amount
    conn = g.connectors[key(m.group("conn"))]
    opener = key(m.group("ro") or "")
    if conn == "change":
        return None if opener != "von" or m.group("ac") else _change(a, b, fb, m)
    is_range = conn == "range" or (opener == "zwischen" and conn == "list")
    if not is_range and m.group("ac"):
        return None              # "10.000 Euro und 20.000 Euro": two single amounts
    return _range(a, b, fa, fb, m, is_range=is_range)


def _prefix_ok(m: re.Match, cur_group: str, num: Num, text: str) -> bool:
    """A prefix currency with a plain number: no emission standard, year or table header."""
    if num.has_scale:
        return True
    if num.plain and num.raw < PREFIX_MIN_PLAIN_INT:
        return False                             # "Euro 6"
    if num.year_like():
        return False                             # "Euro 2024", table header "EUR 2023"
    if grammar().scale_before.search(text, max(0, m.start(cur_group) - 12), m.start(cur_group)):
        return False                             # header "in Mio. € 2022"
    nxt = text[m.end():m.end() + 1]
    return not (nxt and nxt.isalpha())          # "Euro 6d"


def _q2(m: re.Match) -> str | None:
    """The qualifier of a cue before the second number ("mindestens 10.000 und höchstens …")."""
    q2 = m.groupdict().get("q2")
    return cues().qual["pre"].get(key(q2)) if q2 else None


def _range(a: Num, b: Num, fa: Decimal, fb: Decimal, m: re.Match, is_range: bool) -> list[Hit]:
    """Two values: the bounds of a range, or the numbers of a coordination. The first number
    borrows the second's scale when it has none and is not larger."""
    mult_a = a.mult
    if not a.has_scale and b.has_scale and a.raw <= b.raw and a.mult == 1:
        mult_a = b.mult
    va, vb = clean(a.raw * mult_a * fa), clean(b.raw * b.mult * fb)
    if is_range:
        lo, hi = min(va, vb), max(va, vb)
        return [Hit(hi, lo, m.start(), m.end(), "amount:range", "max"),
                Hit(lo, None, m.start(), m.end(), "amount:range_low", "min")]
    first_end = m.end("ac") if m.group("ac") else a.end
    q2 = m.groupdict().get("q2")
    return [Hit(va, None, m.start(), first_end, "amount:list", None, sub=True),
            Hit(vb, None, m.start("q2") if q2 else b.start, m.end(), "amount:list",
                _q2(m) or "exact", sub=True)]


def _change(a: Num, b: Num, factor: Decimal, m: re.Match) -> list[Hit] | None:
    """"von 2,5 auf 3 Millionen Euro": the first number inherits the currency, and the scale
    word when it has none and is below a thousand (also when it is the larger one: "sinkt von
    3 auf 2,5 Millionen Euro"); refused when the two values are far apart in size."""
    mult_a = b.mult if not a.has_scale and a.mult == 1 and a.raw < 1000 else a.mult
    va, vb = clean(a.raw * mult_a * factor), clean(b.raw * b.mult * factor)
    if not (vb <= va * CHANGE_MAX_RATIO and va <= vb * CHANGE_MAX_RATIO):
        return None                              # "von 800 auf 1,2 Mio. Euro" is no 800 Mio.
    q2 = m.group("q2")
    return [Hit(va, None, m.start(), a.end, "amount:inherited", None, sub=True),
            Hit(vb, None, m.start("q2") if q2 else b.start, m.end(), "amount:suffix", _q2(m), sub=True)]


def _build(nlp: Language):
    """The grammar is compiled with the pipeline, not on its first document."""
    grammar()
    return lambda ctx, doc: find_amounts(ctx)


field_component("amounts", build=_build)
