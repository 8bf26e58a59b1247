"""Text helpers shared by the field components.

The spaCy ``Doc`` is built from :func:`prepare` (same length as the parsed text, every whitespace
character a plain space), so character offsets stay valid while the tokenizer runs at full speed:
text full of newlines (bs4 ``get_text("\\n")``, PDF lines) tokenises many times slower otherwise.
Components that need line or paragraph structure read :class:`TextIndex`, built once per text.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property

_WS = {c: " " for c in "\n\r\t\v\f\u00a0\u2007\u202f\u2009\u200a\u2028\u2029\u3000"}
_WS_TABLE = str.maketrans(_WS)


def prepare(text: str) -> str:
    """Same-length copy of ``text`` with every whitespace character replaced by a space."""
    return text.translate(_WS_TABLE)


# A sentence ends at . ! ? ; or : followed by space and an upper-case letter or a digit-less line
# start, or at a line break that ends a paragraph, a heading or a bullet. Abbreviations and
# ordinals ("31. Juli", "ca.", "Nr.", "d. J.") do not end sentences.
_ABBREV = frozenset("""
abs aufl bzw ca co dr evtl etc ggf gem hr frau inkl insb jh jhd lfd max min mio mrd nr rd s
sog str tel tsd u usw vgl z zb zzgl zt ziff art bd dgl abschn anm d j v vj lt i e o ä a
""".split())
# The character class comes first so that the regex engine can skip ahead to candidates fast
# (twice as fast as the plain alternation, with the same matches).
_SENT_END = re.compile(r"[.!?;\n](?:(?<=[.!?;])(?=[\s\"“”»«)]+\S)"
                       r"|(?<=\n)(?:\s*\n|(?=\s*(?:[-•*–·▪]|\d+\.\s|[A-ZÄÖÜ]))))")


@dataclass
class TextIndex:
    """Sentence and line boundaries of one text, computed lazily and once."""
    text: str
    _sent_starts: list[int] | None = field(default=None, repr=False)

    @cached_property
    def sentence_starts(self) -> list[int]:
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
        return [0] + [m.end() for m in re.finditer("\n", self.text)]

    def sentence(self, pos: int) -> tuple[int, int]:
        """(start, end) of the sentence holding character ``pos``."""
        starts = self.sentence_starts
        i = bisect.bisect_right(starts, pos) - 1
        start = starts[max(i, 0)]
        end = starts[i + 1] if i + 1 < len(starts) else len(self.text)
        return start, end

    def line(self, pos: int) -> tuple[int, int]:
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
