"""Qualifier and unit of a money amount, from the cue words around it.

Cues are data: ``amount_qualifiers.txt`` ("bis zu" max, "ca." approx …) and ``amount_units.txt``
("jährlich" per_year, "je Vorhaben" per_project …), each cue marked where it stands:

* ``pre``: a chain of cue words directly before the number ("jährlich bis zu", with fillers like
  "in Höhe von" between); read right to left, the cue nearest to the number wins;
* ``post``: directly after the currency ("pro Jahr", "/Monat", "nicht überschreiten"), not when
  a year follows ("im Jahr 2024");
* ``near``: a word part earlier in the same sentence ("Förderhöchstbetrag … 50.000 Euro"), used
  only where no pre or post cue decides; multi-word pre unit cues count there as whole phrases
  ("Je Vorhaben sind bis zu 50.000 Euro möglich").
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from extractors.fields.numbers import LETTER
from extractors.fields.rules import alternation, read_table

PRE_LOOKBACK = 90            # chars searched for the cue chain before a number
NEAR_LOOKBACK = 100          # chars (clipped to the sentence) searched for near cues
_WORDS = re.compile(r"[^\s,;:()„“\"]+")


def key(cue: str) -> str:
    """A cue as looked up: case-folded, white space normalised."""
    return " ".join(cue.casefold().split())


class Cues:
    """The qualifier and unit cues of the pattern files, compiled once (:func:`cues`)."""

    def __init__(self) -> None:
        places = ("pre", "post", "near")
        self.qual: dict[str, dict[str, str]] = {p: {} for p in places}
        self.unit: dict[str, dict[str, str]] = {p: {} for p in places}
        for cue, qual, where in read_table("amount_qualifiers.txt"):
            self.qual[where][key(cue)] = qual
        for cue, unit, where in read_table("amount_units.txt"):
            for p in (("pre", "post") if where == "both" else (where,)):
                self.unit[p][key(cue)] = unit
        pre_words = list(self.qual["pre"]) + list(self.unit["pre"])
        rev = alternation(w[::-1] for w in pre_words)
        self.pre_rev = re.compile(rf"[\s(„\"]*(?P<cue>(?i:{rev}))(?!{LETTER})")
        post = alternation(list(self.unit["post"]) + list(self.qual["post"]))
        self.post_rx = re.compile(
            rf"[ \t\u00a0]*(?P<cue>(?i:{post}))(?!{LETTER})(?!\s*(?:19|20)\d\d(?!\d))")
        self.unit_phrases = {k: v for k, v in self.unit["pre"].items()
                             if " " in k and v not in ("total", "per_unit") and k not in self.unit["near"]}
        self.unit_firsts = tuple(sorted({k.split(" ")[0] + " " for k in self.unit_phrases}))

    def range_qualifiers(self) -> list[str]:
        """Pre cues that may stand before the second number of a coordination."""
        return [k for k, v in self.qual["pre"].items() if v != "-"]

    def pre_chain(self, text: str, start: int, floor: int) -> tuple[int, str | None, str | None]:
        """Walk cue words leftwards from ``start`` (not before ``floor``): (span start,
        qualifier, unit); fillers ("in Höhe von") extend nothing and decide nothing."""
        lo = max(floor, start - PRE_LOOKBACK)
        rev = text[lo:start][::-1]
        pos, span_start, qual, unit = 0, start, None, None
        while (m := self.pre_rev.match(rev, pos)) is not None:
            cue = key(m.group("cue")[::-1])
            q, u = self.qual["pre"].get(cue), self.unit["pre"].get(cue)
            if q is None and u is None:
                break
            if q != "-":
                span_start = start - m.end()
                qual = qual or q
            unit = unit or u
            pos = m.end()
        return span_start, qual, unit

    def post(self, text: str, end: int) -> tuple[int, str | None, str | None]:
        """Up to two cue words right after the currency: (span end, qualifier, unit)."""
        pos, qual, unit = end, None, None
        for _ in range(2):
            m = self.post_rx.match(text, pos)
            if m is None:
                break
            cue = key(m.group("cue"))
            if cue in self.unit["post"] and unit is None:
                unit = self.unit["post"][cue]
            elif cue in self.qual["post"] and qual is None:
                qual = self.qual["post"][cue]
            else:
                break
            pos = m.end()
        return pos, qual, unit

    def near(self, text: str, start: int, floor: int, index) -> tuple[str | None, str | None]:
        """Qualifier and unit from word parts and phrases earlier in the sentence (at most
        NEAR_LOOKBACK characters back, not before ``floor`` nor the sentence start of ``index``)."""
        lo = max(floor, start - NEAR_LOOKBACK)
        if index is not None and lo < start:
            lo = max(lo, index.sentence(start)[0])
        if lo >= start:
            return None, None
        w = " ".join(text[lo:start].lower().split())
        return (_last_cue(w, self.qual["near"]),
                _last_cue(w + " ", self.unit["near"], self.unit_phrases, self.unit_firsts))


def _last_cue(window: str, parts: dict[str, str], phrases: dict[str, str] | None = None,
              firsts: tuple[str, ...] = ()) -> str | None:
    """The value of the cue standing last in ``window``: ``parts`` match inside words
    ("Förderhöchstbetrag"), ``phrases`` only as whole words (looked up by word n-grams)."""
    best, best_pos = None, -1
    for cue, value in parts.items():
        i = window.rfind(cue)
        if i > best_pos:
            best, best_pos = value, i
    if phrases and any(f in window for f in firsts):
        words = _WORDS.findall(window)
        pos = len(window)
        for k in range(len(words) - 1, -1, -1):
            pos = window.rfind(words[k], 0, pos)
            if pos <= best_pos:
                break
            for n in (2, 3, 4, 1):
                v = phrases.get(" ".join(words[k:k + n]))
                if v is not None:
                    return v
    return best


@dataclass(slots=True)
class AmountFound:
    """One amount as the component finds it (validated as ``models.records.Amount`` once, at
    the Extraction boundary). Fields and meaning as there."""
    text: str
    start: int
    end: int
    value_eur: Decimal
    low_eur: Decimal | None
    qualifier: str
    unit: str
    rule: str
    role: str | None = None


@dataclass(slots=True)
class Hit:
    """One value of a money phrase, before its cues are read."""
    value: Decimal
    low: Decimal | None
    start: int              # core start (before cue chain)
    end: int                # core end (before post cues)
    rule: str
    qualifier: str | None   # forced by the form (range bounds, in-phrase cue)
    sub: bool = False       # part of a coordination: own span, shares post cues


def records(hits: list[Hit], core_start: int, core_end: int, text: str, floor: int,
            index) -> list[AmountFound]:
    """The records of one money phrase: its hits with qualifier, unit and the span of
    the adjacent cue words (the cue nearest to the number wins; near cues only as a fallback)."""
    c = cues()
    post_end, post_q, post_u = c.post(text, core_end)
    chain_start, pre_q, pre_u = c.pre_chain(text, core_start, floor)
    near_q = near_u = None
    if pre_q is None and post_q is None or pre_u is None and post_u is None:
        near_q, near_u = c.near(text, chain_start, floor, index)
    unit = pre_u or post_u or near_u or "total"
    recs = []
    for i, h in enumerate(hits):
        if h.sub and i == 0:                     # first number of a coordination: cues before it
            start, end, q = chain_start, h.end, pre_q or near_q or "exact"
        elif h.sub:                              # a later one: its own cue, the cues after it
            start, end, q = h.start, post_end, post_q or h.qualifier or "exact"
        else:
            start, end, q = chain_start, post_end, _qualifier(h, pre_q or post_q, near_q)
        recs.append(AmountFound(text[start:end], start, end, h.value, h.low, q, unit, h.rule))
    return recs


def _qualifier(h: Hit, cue_q: str | None, near_q: str | None) -> str:
    """A range bound keeps its qualifier unless an approximation cue stands; otherwise the cue
    next to the number, then a near cue, decides."""
    if h.qualifier is not None:
        return "approx" if cue_q == "approx" else h.qualifier
    return cue_q or near_q or "exact"


@lru_cache(maxsize=1)
def cues() -> Cues:
    """The cues of the pattern files, read and compiled once per process."""
    return Cues()
