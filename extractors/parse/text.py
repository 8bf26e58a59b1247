"""Plain text."""
from __future__ import annotations

from models.records import Document


def decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def parse_text(data: bytes, source: str) -> Document:
    text = decode(data)
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), None)
    return Document(source=source, kind="txt", text=text, title=first)
