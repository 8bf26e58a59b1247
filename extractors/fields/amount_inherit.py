"""Inherited currency: amounts whose currency stands only at another money amount of the sentence.

"400 Mio. Euro zur Verfügung; davon entfallen 50 Mio. auf Kommunen", "Von den 12 Millionen Euro
gehen 8 Millionen an Städte", "50.000 Euro, davon 20.000 für Personal", "mit je 2.500". A number
inherits (rule ``amount:inherited``) when it has a scale word, or a link word stands before it
(``amount_inherit.txt``: "davon", "je", and a number coordinated with an inherited one: "und
250.000") and it is at most the sentence's largest amount and at least a thousandth of it; never
when a unit, a capitalised word (a noun: "1,2 Millionen Einwohner") or an attribute of one ("2
Millionen neue Stellen") follows. Never across sentences (a ";" on one line joins them here).
"von 2,5 auf 3 Millionen Euro" is read by the core forms of :mod:`extractors.fields.amounts`.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from decimal import Decimal
from functools import lru_cache

from extractors.fields.amount_cues import AmountFound, Hit, cues, records
from extractors.fields.numbers import LETTER, number_regex, read_number, vocabulary, word_alt
from extractors.fields.rules import alternation, read_table
from extractors.fields.text import TextIndex

INHERIT_MIN_SHARE = Decimal("0.001")  # a linked number without scale word ("davon 20.000"): at
INHERIT_MAX_SHARE = Decimal(1)        # least this share of the sentence's largest amount, at most it
SCOPE_JOIN_MAX = 3           # sentences joined across ";" into one inheritance scope
LOOKAHEAD_WORDS = 3          # words read after "8 Millionen gehen" for a noun or a preposition
_SPACES = " \t\u00a0\u202f\u2009"
_PUNCT = frozenset(",;.:)]!?\"“”»«'’-–")


class Words:
    """The word classes of ``amount_inherit.txt`` and the regexes built on them (:func:`words`)."""

    def __init__(self) -> None:
        kinds: dict[str, set[str]] = {k: set() for k in ("link", "stop", "prep", "conj", "det")}
        for word, kind in read_table("amount_inherit.txt"):
            if kind not in kinds:
                raise ValueError(f"amount_inherit.txt: unknown kind {kind!r} for {word!r}")
            kinds[kind].add(word.casefold())
        self.stop, self.prep = frozenset(kinds["stop"]), frozenset(kinds["prep"])
        self.free = frozenset(kinds["prep"] | kinds["conj"] | kinds["link"])  # right after a number
        self.number = re.compile(number_regex("i"))
        scales = vocabulary().scale
        self.cue = re.compile(rf"(?i:{word_alt(list(scales) + list(kinds['link']))})(?!{LETTER})")
        # where an inheriting number may stand: a capitalised scale word without a currency
        # after it, a "davon" link word, another link word with a number soon after
        currency = word_alt(w.casefold() for w, _ in read_table("amount_currency.txt"))
        caps = [w for w, _ in read_table("amount_scales.txt") if w[0].isupper()]
        von = [w for w in kinds["link"] if w.endswith("von")]
        near_number = [w for w in kinds["link"] if not w.endswith("von")]
        self.candidate_scale = re.compile(rf"(?:{alternation(caps)})(?![\s-]*+(?i:{currency}))")
        # on the folded text; a literal first lets the regex engine skip ahead (the letter
        # before is checked by _candidate): twice as fast as a leading look-behind (bench)
        self.candidate_link = re.compile(
            rf"{alternation(von)}|{alternation(near_number)}\s++(?:{LETTER}++\.?\s++){{0,2}}\d")
        links = word_alt(kinds["link"])
        self.link_in = re.compile(rf"(?i:{links})(?!{LETTER})")          # in the cue chain
        self.link_before = re.compile(rf"(?i:{links})[\s,:]*$")             # before it
        self.conj_before = re.compile(rf"(?:(?i:{word_alt(kinds['conj'])})|,)\s*$")
        self.word = re.compile(r"[^\W\d_][\w²³.]*")
        self.det_before = re.compile(rf"(?i:{word_alt(kinds['det'])})\s+$")


@lru_cache(maxsize=1)
def words() -> Words:
    """The words of ``amount_inherit.txt``, read and compiled once per process."""
    return Words()


def find_inherited(text: str, low: str, found: list[AmountFound], index: TextIndex) -> list[AmountFound]:
    """Inherited amounts of ``text`` (``low``: folded) given the amounts ``found`` (in text
    order, not overlapping).

    Only a sentence that holds a found amount and, outside the found amounts, a capitalised
    scale word or a link word is read: the parts between its found amounts (:func:`_read_gap`).
    """
    out: list[AmountFound] = []
    done_to = -1
    for a in found:
        if a.start < done_to:
            continue                             # its sentence was read
        s0, s1 = _scope(text, index.sentence_starts, a.start)
        done_to = s1
        in_scope = [b for b in found if s0 <= b.start < s1]
        gaps = _gaps(in_scope, s0, s1)
        if not any(_candidate(text, low, g0, g1, s1) for g0, g1 in gaps):
            continue
        top = max(b.value_eur for b in in_scope)
        for g0, g1 in gaps:
            _read_gap(text, g0, g1, top, index, out)
    return out


def _candidate(text: str, low: str, g0: int, g1: int, s1: int) -> bool:
    """Does a capitalised scale word or a link word start in text[g0:g1] (sentence end ``s1``)?"""
    w = words()
    m = w.candidate_scale.search(text, g0, s1)
    if m is not None and m.start() < g1:
        return True
    pos = g0
    while (m := w.candidate_link.search(low, pos, s1)) is not None and m.start() < g1:
        if m.start() == 0 or not low[m.start() - 1].isalpha():
            return True
        pos = m.start() + 1
    return False


def _gaps(in_scope: list[AmountFound], s0: int, s1: int) -> list[tuple[int, int]]:
    """The parts of the sentence [s0, s1) between its money phrases."""
    cur, gaps = s0, []
    for r in in_scope:
        if r.start > cur + 1:
            gaps.append((cur, r.start))
        cur = max(cur, r.end)
    if cur + 1 < s1:
        gaps.append((cur, s1))
    return gaps


def _read_gap(text: str, g0: int, g1: int, top: Decimal, index, out: list[AmountFound]) -> None:
    """Inherited amounts in text[g0:g1], a sentence part between money phrases (``top``: the
    largest money amount of the sentence)."""
    w = words()
    if w.cue.search(text, g0, g1) is None:
        return
    floor, linked = g0, False
    for m in w.number.finditer(text, g0, g1):
        if m.start() < floor:
            continue
        num = read_number(m, "i")
        if num is None:
            continue
        value = num.value
        if not num.has_scale and (num.is_word or num.year_like()
                                  or not top * INHERIT_MIN_SHARE <= value <= top * INHERIT_MAX_SHARE):
            continue                     # a linked plain number: digits, no year, a plausible share
        chain_start = cues().pre_chain(text, m.start(), floor)[0]
        lo = max(floor, chain_start - 12)
        if w.det_before.search(text, lo, chain_start):
            continue                     # "der rund 4 Mio. in ländlichen Räumen lebenden …"
        if not num.has_scale and not _linked(text, m.start(), chain_start, lo, linked):
            continue
        if not _money_follows(text, num.end, g1):
            continue
        recs = records([Hit(value, None, m.start(), num.end, "amount:inherited", None)],
                       m.start(), num.end, text, floor, index)
        out.extend(recs)
        floor = recs[-1].end
        linked = True            # "davon 500.000 für Kommunen und 250.000 für Vereine"


def _linked(text: str, start: int, chain_start: int, lo: int, linked: bool) -> bool:
    """Does a link word stand in the cue chain or before it ("davon 20.000", "je 2.500"), or a
    conjunction after an inherited number ("und 250.000")?"""
    w = words()
    return (w.link_in.search(text, chain_start, start) is not None
            or w.link_before.search(text, lo, chain_start) is not None
            or bool(linked and w.conj_before.search(text, lo, chain_start)))


def _scope(text: str, starts: list[int], pos: int) -> tuple[int, int]:
    """The sentence holding ``pos`` (``starts``: the sentence starts of a TextIndex), joined
    with its neighbours across a ";" on the same line."""
    i = bisect_right(starts, pos) - 1
    j = i + 1
    for _ in range(SCOPE_JOIN_MAX):
        if i <= 0 or not text[starts[i] - 4:starts[i]].rstrip(_SPACES).endswith(";"):
            break
        i -= 1
    last = len(starts)
    for _ in range(SCOPE_JOIN_MAX):
        if j >= last or not text[starts[j] - 4:starts[j]].rstrip(_SPACES).endswith(";"):
            break
        j += 1
    return (starts[i] if i >= 0 else 0), (starts[j] if j < last else len(text))


def _money_follows(text: str, end: int, limit: int) -> bool:
    """May the number ending at ``end`` be money by what follows it? A post cue ("pro Jahr"),
    punctuation, a preposition or conjunction ("8 Millionen an Städte") yes; a digit, a unit,
    a symbol, a capitalised word (a noun, another currency: "1,2 Millionen Einwohner") no;
    another lower-case word (a verb or an attribute) yes unless a capitalised word follows
    before a preposition or punctuation ("3 Mio. kleine und mittlere Unternehmen")."""
    w = words()
    if cues().post_rx.match(text, end) is not None:
        return True
    j = end
    while j < limit and text[j].isspace():
        j += 1
    if j >= limit:
        return True
    c = text[j]
    if c in _PUNCT:
        return c not in "-–" or j > end          # "3 Mio. – davon", not "3-Millionen-Programm"
    if not c.isalpha() or c.isupper() or j == end:
        return False
    word = w.word.match(text, j)
    bare = word.group().casefold()
    if bare in w.stop or bare.rstrip(".") in w.stop:
        return False
    if bare in w.free or bare.rstrip(".") in w.free:
        return True
    return _no_noun_follows(text, word.end(), limit)


def _no_noun_follows(text: str, k: int, limit: int) -> bool:
    """After a lower-case word: no capitalised word (a noun) within a few words, before a
    preposition or punctuation ("2 Millionen neue Arbeitsplätze" is no money)."""
    w = words()
    for _ in range(LOOKAHEAD_WORDS):
        while k < limit and text[k].isspace():
            k += 1
        if k >= limit:
            return True
        c = text[k]
        if c.isupper():
            return False
        if not c.isalpha():
            return True                          # punctuation, a number
        m = w.word.match(text, k)
        word = m.group().casefold()
        if word in w.prep or word.rstrip(".") in w.prep:
            return True                          # "8 Millionen gehen an Städte"
        k = m.end()
    return True
