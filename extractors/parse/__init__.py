"""Parse: pure functions, bytes in, :class:`models.Document` out.

``parse_bytes`` detects the kind from the content (magic bytes, markup), not only from the name,
and dispatches to the html, pdf, xml or text parser. Expected failures raise :class:`ParseError`
with a message a user can act on; callers record it in the document's ``errors``.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from models.records import Document


class ParseError(Exception):
    """An expected parse failure (empty, binary, corrupt, encrypted, too large)."""


def sniff(data: bytes, name: str = "") -> str:
    head = data[:2048].lstrip()
    if head.startswith(b"%PDF"):
        return "pdf"
    low = head.lower()
    if low.startswith(b"<?xml") or low.startswith(b"<rss") or low.startswith(b"<feed"):
        return "xml" if b"<html" not in low else "html"
    if b"<html" in low or b"<!doctype html" in low or b"<body" in low or b"<div" in low or b"<p>" in low:
        return "html"
    suffix = Path(name).suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    return "txt"


def parse_bytes(data: bytes, source: str, content_type: str | None = None) -> Document:
    kind = sniff(data, source)
    sha = hashlib.sha256(data).hexdigest()
    if kind == "pdf":
        from extractors.parse.pdf import parse_pdf
        doc = parse_pdf(data, source)
    elif kind == "html":
        from extractors.parse.html import parse_html
        doc = parse_html(data, source, content_type)
    elif kind == "xml":
        from extractors.parse.text import parse_text
        doc = parse_text(data, source)
    else:
        from extractors.parse.text import parse_text
        doc = parse_text(data, source)
    doc.sha256 = sha
    return doc


def parse_path(path: str | Path) -> Document:
    p = Path(path)
    data = p.read_bytes()
    return parse_bytes(data, str(p))


def read_document(path: str | Path) -> Document:
    """Read and parse one file; never raises for expected problems.

    Failures (unreadable, too large, empty, binary, corrupt or encrypted PDF) come back as a
    :class:`Document` with empty text and a message in ``errors``.
    """
    from extractors.settings import MAX_DOCUMENT_BYTES

    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise ParseError(f"file is {size / 1e6:.0f} MB, more than the {MAX_DOCUMENT_BYTES // 2**20} MiB limit; "
                             "split it or raise extractors.settings.MAX_DOCUMENT_BYTES")
        data = p.read_bytes()
        return parse_bytes(data, str(p))
    except ParseError as exc:
        return Document(source=str(p), kind="txt", text="", errors=[str(exc)])
    except OSError as exc:
        return Document(source=str(p), kind="txt", text="", errors=[f"cannot read file: {exc.strerror or exc}"])
