"""Text structure shared by the field components: sentences, lines, clauses, asides, cue distance.

The spaCy ``Doc`` is built from :func:`prepare` (same length as the parsed text, every whitespace
character a plain space), so character offsets stay valid while the tokenizer runs at full speed:
text full of newlines (bs4 ``get_text("\\n")``, PDF lines) tokenises many times slower otherwise.
Components that need line or paragraph structure read :class:`TextIndex`, built once per text.

On top of it:

- :func:`sentence_bounds`: the sentence around a span, also cut after a year that ends a sentence
  ("… bis 2024. Die …"), which TextIndex reads as an ordinal;
- :func:`cue_distance`: how far a cue word stands from a date, in characters plus a penalty per
  clause break (``CLAUSE_BREAK_RE``; commas between list items are none), parentheticals between
  them skipped as asides;
- :func:`in_aside`: whether a cue stands in a qualifying parenthetical ("(für Vorhaben ab 2025)")
  that does not hold the date;
- :func:`cue_regex`: one word-start regex over named alternatives (cue files become regexes);
  :func:`compound_heads`: cue words as the last part of a compound ("Einreichschluss").

Offsets are the same in the original and the folded text (:func:`extractors.fields.rules.fold`);
the functions below take whichever text the caller searches (cues are searched folded).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Iterable

from extractors.fields.rules import alternation, fragment_tree, read_lines

# a regex, not str.translate: translating with a table took 1.0-1.1 ms for 12 kB of German text
# (1,500 words), the regex 0.09 ms, with the same result
_WS_RE = re.compile("[\n\r\t\v\f\u00a0\u2007\u202f\u2009\u200a\u2028\u2029\u3000]")


def prepare(text: str) -> str:
    """Same-length copy of ``text`` with every whitespace character replaced by a space."""
    return _WS_RE.sub(" ", text)


# A sentence ends at . ! ? ; or : followed by space and an upper-case letter or a digit-less line
# start, or at a line break that ends a paragraph, a heading or a bullet. Abbreviations and
# ordinals ("31. Juli", "ca.", "Nr.", "d. J.") do not end sentences.
_ABBREV = frozenset(read_lines("text_abbreviations.txt"))
# The character class comes first so that the regex engine can skip ahead to candidates fast
# (twice as fast as the plain alternation, with the same matches).
_SENT_END = re.compile(r"[.!?;\n](?:(?<=[.!?;])(?=[\s\"“”»«)]+\S)"
                       r"|(?<=\n)(?:\s*\n|(?=\s*(?:[-•*–·▪]|\d+\.\s|[A-ZÄÖÜ]))))")
# a year, a dot and a capital letter end a sentence ("… bis 2024. Die …")
_YEAR_STOP_RE = re.compile(r"\.(?<=[12]\d{3}\.)\s+(?=[A-ZÄÖÜ„\"])")


@dataclass(frozen=True)
class TextIndex:
    """Sentence and line boundaries of one text, computed lazily and once."""
    text: str

    @cached_property
    def sentence_starts(self) -> list[int]:
        """Where each sentence starts (abbreviations and ordinals do not end one)."""
        text = self.text
        starts = [0]
        for m in _SENT_END.finditer(text):
            ch = m.group(0)[0]
            if ch == ".":
                # abbreviation or ordinal before the dot?
                j = m.start()
                k = j
                while k > 0 and (text[k - 1].isalnum()):
                    k -= 1
                word = text[k:j].lower()
                if word.isdigit() or word in _ABBREV or len(word) == 1:
                    continue
            end = m.end()
            while end < len(text) and text[end].isspace():
                end += 1
            if end > starts[-1]:
                starts.append(end)
        return starts

    @cached_property
    def line_starts(self) -> list[int]:
        """Where each line starts."""
        return [0] + [m.end() for m in re.finditer("\n", self.text)]

    @cached_property
    def year_stops(self) -> list[tuple[int, int]]:
        """Spans of "2024. " where a year ends a sentence (see :func:`sentence_bounds`)."""
        return [m.span() for m in _YEAR_STOP_RE.finditer(self.text)]

    def sentence(self, pos: int) -> tuple[int, int]:
        """(start, end) of the sentence holding character ``pos``."""
        starts = self.sentence_starts
        i = bisect.bisect_right(starts, pos) - 1
        start = starts[max(i, 0)]
        end = starts[i + 1] if i + 1 < len(starts) else len(self.text)
        return start, end

    def line(self, pos: int) -> tuple[int, int]:
        """(start, end) of the line holding character ``pos`` (end without its newline)."""
        starts = self.line_starts
        i = bisect.bisect_right(starts, pos) - 1
        start = starts[max(i, 0)]
        end = starts[i + 1] - 1 if i + 1 < len(starts) else len(self.text)
        return start, end

    def window(self, start: int, end: int, before: int = 120, after: int = 120) -> tuple[int, int]:
        """A context window around [start, end) clipped to the enclosing sentence."""
        s0, _ = self.sentence(start)
        _, s1 = self.sentence(max(end - 1, start))
        return max(s0, start - before), min(s1, end + after)


def sentence_bounds(index: TextIndex, start: int, end: int) -> tuple[int, int]:
    """The sentence around [start, end): TextIndex sentences, also cut after a year that ends a
    sentence ("Die Laufzeit endet 2024. Anträge sind bis zum 1. März einzureichen")."""
    s0, _ = index.sentence(start)
    _, s1 = index.sentence(max(end - 1, start))
    stops = index.year_stops
    i = bisect.bisect_left(stops, (s0, -1))
    while i < len(stops) and stops[i][1] < s1:
        m_start, m_end = stops[i]
        if m_end <= start:
            s0 = m_end
        elif m_start >= end:
            s1 = m_start + 1
            break
        i += 1
    return s0, s1


# --- clauses and asides ---------------------------------------------------------------------------

CLAUSE_PENALTY = 40         # extra distance for each clause break between a cue and a date
ASIDE_MAX_CHARS = 160       # a qualifying parenthetical is looked for this far before a cue
CLAUSE_BREAK_RE = re.compile(r",\s|;|\s[–—-]\s|\(|\)|\n\s*\n")
_PAREN_RE = re.compile(r"\([^()\n]*\)")
# a parenthetical that qualifies what it follows ("(für einen Projektbeginn im Folgejahr)")
_QUALIFIER_PAREN_RE = re.compile(
    r"\(\s*(?:nur\s+|jeweils\s+)?(?:" + alternation(read_lines("text_aside_words.txt")) + r")(?![\w])")


# what follows a comma inside a list: a short item, then another comma or a conjunction
# ("Vereine, Schulen, Kirchengemeinden und Stiftungen"): such a comma is no clause break
_LIST_ITEM_RE = re.compile(
    r"(?:[^\s,;.()]+[ \t]+){0,3}?[^\s,;.()]+(?:,\s|[ \t]+(?:" + alternation(read_lines("text_list_conjunctions.txt"))
    + r")[ \t])")


def _breaks(text: str, lo: int, hi: int) -> int:
    """Clause breaks in ``text[lo:hi]``; commas between the items of a list do not count."""
    n = 0
    for m in CLAUSE_BREAK_RE.finditer(text, lo, hi):
        if m.group(0)[0] == "," and _LIST_ITEM_RE.match(text, m.end()):
            continue
        n += 1
    return n


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
    if text.find("(", lo, hi) < 0:
        return hi - lo + CLAUSE_PENALTY * _breaks(text, lo, hi)
    dist, p = 0, lo
    for blk in _PAREN_RE.finditer(text, lo, hi):
        dist += blk.start() - p + CLAUSE_PENALTY * _breaks(text, p, blk.start())
        p = blk.end()
    return dist + hi - p + CLAUSE_PENALTY * _breaks(text, p, hi)


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


def compound_heads(rx: re.Pattern, low: str, s0: int, s1: int):
    """(start of the word, match) for each match of ``rx`` in ``low[s0:s1]`` that is the last part
    of a compound ("Einreich|schluss", "Zukunfts|werkstatt"); a match at a word start is none.
    Searching the heads themselves is fast (a literal start), unlike a regex that must try every
    word start and backtrack through it."""
    for m in rx.finditer(low, s0, s1):
        ws = m.start()
        while ws > s0 and low[ws - 1].isalnum():
            ws -= 1
        if ws < m.start():
            yield ws, m


def cue_regex(alternatives: Iterable[tuple[str, str]]) -> re.Pattern:
    """One regex of named regex fragments, each matched at a word start:
    :func:`~extractors.fields.rules.fragment_name` of a match says which fragment matched (the
    first one listed wins at a position)."""
    return re.compile(r"(?<![\w])(?:" + fragment_tree(alternatives) + ")")
