"""Plain text: decode, normalise, find headings.

A heading is a short stand-alone line (a paragraph of one line) without sentence punctuation at
its end, or a numbered / paragraph-sign line ("2. Gegenstand der Förderung", "§ 4 Antragsfrist").
"""
from __future__ import annotations

import re

from extractors.parse.charset import decode as _decode
from extractors.parse.normalize import normalize_text
from models.records import Document, Section

HEADING_MAX_CHARS = 90
HEADING_MAX_WORDS = 12
_NUMBERED = re.compile(r"^(?:§\s*\d+[a-z]?|\d{1,2}(?:\.\d{1,2})*\.?|[IVX]+\.|[A-H]\))\s+[A-ZÄÖÜ]")
_SENTENCE_END = re.compile(r"[.,;!]$")
_DATE_START = re.compile(r"^\d{1,2}\.\s*(?:\d{1,2}\.|(?:Jan|Feb|Mär|Apr|Mai|Jun|Jul|Aug|Sep|Okt|Nov|Dez)[a-zä]*\b)")


def decode(data: bytes, content_type: str | None = None) -> str:
    return _decode(data, content_type)[0]


def is_heading(line: str, standalone: bool) -> bool:
    if not line or len(line) > HEADING_MAX_CHARS or len(line.split()) > HEADING_MAX_WORDS:
        return False
    if _SENTENCE_END.search(line) or line.startswith(("•", "-", "*", "–")):
        return False
    if _DATE_START.match(line):
        return False
    if _NUMBERED.match(line):
        return True
    return standalone and line[0].isupper() and not line[-1].isdigit()


def find_sections(text: str) -> list[Section]:
    """Heading lines (stand-alone paragraphs or numbered) with the span up to the next heading."""
    heads: list[tuple[int, str]] = []
    pos = 0
    lines = text.split("\n")
    for i, ln in enumerate(lines):
        prev_blank = i == 0 or not lines[i - 1].strip()
        next_blank = i + 1 >= len(lines) or not lines[i + 1].strip()
        if i > 0 and is_heading(ln, prev_blank and next_blank):
            heads.append((pos, ln))
        pos += len(ln) + 1
    out = []
    for k, (start, title) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(text)
        while end > start + len(title) and text[end - 1] == "\n":
            end -= 1
        out.append(Section(title=title, start=start, end=end))
    return out


def parse_text(data: bytes | str, source: str, content_type: str | None = None) -> Document:
    raw = data if isinstance(data, str) else decode(data, content_type)
    text = normalize_text(raw)
    first = next((ln for ln in text.split("\n") if ln.strip()), None)
    return Document(source=source, kind="txt", text=text, title=first, sections=find_sections(text))
