"""Text normalisation shared by the parsers, and a builder that tracks offsets.

Every parser assembles ``Document.text`` block by block through :class:`TextBuilder`; each block is
normalised *before* it is appended, so the offsets the builder hands out (sections, tables) refer
to the final text and nothing is deleted afterwards.

Rules (see :func:`clean_line`):
- Unicode NFC (PDFs and Mac pages often carry decomposed umlauts: "u" + U+0308).
- Soft hyphens (U+00AD), zero-width characters and other control characters are removed.
- Runs of spaces, tabs and exotic spaces become one space, except that a single no-break or
  narrow/figure space next to a digit is kept ("50 000 Euro", "€ 10 000"): the amount rules
  read it as a thousands separator.
- Line endings become ``\\n``; at most one blank line separates paragraphs.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Characters dropped outright (soft hyphen, zero-width, BOM, word joiner, bidi marks).
_DROP = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e"))
# C0 controls other than tab/newline/CR/FF/VT, and DEL, also go.
_DROP.update(dict.fromkeys([*range(0x00, 0x09), *range(0x0e, 0x20), 0x7f]))
_DROP_TABLE = _DROP

# Spaces that may be kept when they stand alone next to a digit (thousands separators).
NUMBER_SPACES = "\u00a0\u202f\u2007\u2009"
_SPACE_RUN = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_NEWLINES = re.compile(r"\r\n?|[\f\v\u2028\u2029\x85]")
_BLANK_RUNS = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")

# A line-end hyphen is removed only when the next line starts lower-case and its first word is
# not one of these (then the hyphen is a suspended compound: "Bundes- und Landesmittel").
KEEP_HYPHEN_BEFORE = frozenset("und oder bzw bzw. sowie bis als wie noch als auch".split())
_HYPHENS = "-\u2010\u2011"


def _space(m: re.Match) -> str:
    s = m.group(0)
    if len(s) == 1 and s in NUMBER_SPACES:
        text, i, j = m.string, m.start(), m.end()
        if (i > 0 and text[i - 1].isdigit()) or (j < len(text) and text[j].isdigit()):
            return s
    return " "


def clean_inline(s: str) -> str:
    """One line (or one inline run of HTML text): no newlines, spaces collapsed, not stripped."""
    if not s:
        return s
    s = s.translate(_DROP_TABLE)
    if not s.isascii():
        s = unicodedata.normalize("NFC", s)
    s = s.replace("\r", " ").replace("\n", " ")
    return _SPACE_RUN.sub(_space, s)


def clean_line(s: str) -> str:
    return clean_inline(s).strip()


def normalize_text(text: str) -> str:
    """A whole plain text: line endings unified, each line cleaned, at most one blank line."""
    text = _NEWLINES.sub("\n", text)
    text = text.translate(_DROP_TABLE)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    text = "\n".join(_SPACE_RUN.sub(_space, ln).strip() for ln in text.split("\n"))
    text = _BLANK_RUNS.sub("\n\n", text)
    return text.strip("\n")


def join_hyphenated(prev: str, nxt: str) -> tuple[str, bool]:
    """How to join two lines: returns (joiner, drop_hyphen).

    "Förder-" + "programm" -> drop the hyphen; "Bundes-" + "und" -> keep "Bundes- und";
    "E-" + "Mobilität" -> keep "E-Mobilität" (no space).
    """
    if prev and prev[-1] in _HYPHENS and len(prev) > 1 and prev[-2].isalpha():
        first = nxt.split(" ", 1)[0]
        if first[:1].islower() and first.lower() not in KEEP_HYPHEN_BEFORE:
            return "", True
        if first.lower() in KEEP_HYPHEN_BEFORE:
            return " ", False
        return "", False
    return " ", False


def dehyphenate_lines(lines: list[str]) -> str:
    """Reflow the lines of one paragraph into one line, removing line-end hyphenation."""
    out = ""
    for ln in lines:
        ln = ln.strip()
        if not ln:
            continue
        if not out:
            out = ln
            continue
        joiner, drop = join_hyphenated(out, ln)
        out = (out[:-1] if drop else out) + joiner + ln
    return out


@dataclass
class TextBuilder:
    """Appends normalised blocks; separators: a blank line between paragraphs, a newline between
    list items and table rows of one list or table."""
    parts: list[str] = field(default_factory=list)
    length: int = 0

    def add(self, block: str, sep: str = "\n\n") -> tuple[int, int] | None:
        """Append an already cleaned block; returns its (start, end) or None if empty."""
        block = block.strip()
        if not block:
            return None
        if self.length:
            self.parts.append(sep)
            self.length += len(sep)
        start = self.length
        self.parts.append(block)
        self.length += len(block)
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts)
