"""Parse: pure functions, bytes in, :class:`models.Document` out.

``parse_bytes`` detects the kind from the content (magic bytes, markup), not only from the name,
and dispatches to the html, pdf, xml or text parser. Expected failures raise :class:`ParseError`
with a message a user can act on; :func:`read_document` records it in the document's ``errors``.
"""
from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

from models.records import Document


class ParseError(Exception):
    """An expected parse failure (empty, binary, corrupt, encrypted, too large)."""


SNIFF_BYTES = 2048
# Share of control bytes (other than tab, CR, LF, FF, ESC) above which data is binary, not text.
BINARY_CONTROL_SHARE = 0.01
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27)) + b"\x7f"
MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (or DOCX/XLSX/ODT); unpack it or save it as PDF"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
    (b"\x89PNG", "a PNG image; run OCR on it first"),
    (b"\xff\xd8\xff", "a JPEG image; run OCR on it first"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image; run OCR on it first"),
    (b"MM\x00*", "a TIFF image; run OCR on it first"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (DOC/XLS); save it as PDF first"),
    (b"{\\rtf", "an RTF file; save it as PDF or text first"),
    (b"7z\xbc\xaf", "a 7-Zip archive; unpack it first"),
    (b"Rar!", "a RAR archive; unpack it first"),
)
_HTML_MARKERS = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s|<title[\s>]"
                           rb"|<(?:div|p|h[1-6]|ul|table|article|main|section|span|a)[\s>]", re.I)
_XML_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF|urlset|sitemapindex)[\s>]", re.I)
# Readers find "%PDF-" anywhere in the first KB (junk before it: a server's error text, a BOM);
# a file that starts with a numbered object and holds "endobj" is a PDF without its header line.
PDF_HEADER_WINDOW = 1024
_HEADERLESS_PDF = re.compile(rb"\d{1,10}\s+\d{1,5}\s+obj\s*(?:<<|\[|\d|/|\()[\s\S]*?endobj")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def _binary_reason(head: bytes) -> str | None:
    for magic, what in MAGIC:
        if head.startswith(magic):
            return what
    if not head:
        return None
    controls = sum(head.count(bytes([b])) for b in _CONTROL)
    if controls / len(head) > BINARY_CONTROL_SHARE:
        return "binary data, not text, HTML, XML or PDF"
    return None


def sniff(data: bytes, name: str = "") -> str:
    """The kind of a document ("pdf", "html", "xml", "txt") from its first bytes, else its name."""
    head = data[:SNIFF_BYTES]
    if head.startswith(codecs.BOM_UTF8):
        head = head[3:]
    stripped = head.lstrip()
    if b"%PDF-" in data[:PDF_HEADER_WINDOW] or _HEADERLESS_PDF.match(stripped):
        return "pdf"
    low = stripped[:SNIFF_BYTES].lower()
    if low.startswith(b"<?xml") or _XML_ROOT.match(low):
        if b"<html" in low or b"xhtml" in low:
            return "html"
        if low.startswith(b"<?xml") and not _XML_ROOT.search(low) and _HTML_MARKERS.search(low) and b"<body" in low:
            return "html"
        return "xml"
    if low.startswith(b"<") and _HTML_MARKERS.search(low):
        return "html"
    if _HTML_MARKERS.search(low) and (b"</p>" in low or b"</div>" in low or b"<br" in low or b"<html" in low):
        return "html"
    suffix = Path(name).suffix.lower()
    if suffix in (".html", ".htm", ".xhtml") and low.lstrip().startswith(b"<"):
        return "html"
    if suffix == ".xml" and low.lstrip().startswith(b"<"):
        return "xml"
    return "txt"


def too_large(what: str, size: int, limit: int) -> str:
    """ "file is 52,428,801 bytes, more than the limit of 52,428,800 (50 MiB); …" """
    return (f"{what} is {size:,} bytes, more than the limit of {limit:,} ({limit / 2**20:g} MiB); "
            "split it or raise FOERDERRADAR_MAX_DOCUMENT_MB")


def _cap_titles(doc: Document) -> None:
    """A title is a line, not a document: a one-line 50 MiB file must not make a 50 MB title."""
    from extractors.settings import MAX_TITLE_CHARS

    def cap(t: str | None) -> str | None:
        return t if t is None or len(t) <= MAX_TITLE_CHARS else t[:MAX_TITLE_CHARS - 1].rstrip() + "…"

    doc.title = cap(doc.title)
    for s in doc.sections:
        s.title = cap(s.title)


def parse_bytes(data: bytes, source: str, content_type: str | None = None, *,
                pdf_backend: str | None = None) -> Document:
    """Parse one document. Raises :class:`ParseError` for expected failures."""
    from extractors.settings import MAX_DOCUMENT_BYTES

    if len(data) > MAX_DOCUMENT_BYTES:
        raise ParseError(too_large("document", len(data), MAX_DOCUMENT_BYTES))
    if not data.strip():
        raise ParseError("file is empty" if not data else "file holds only whitespace")
    sha = hashlib.sha256(data).hexdigest()
    if data.startswith(_UTF16_BOMS):             # UTF-16/32 text: sniff and parse it as UTF-8
        from extractors.parse.charset import decode
        data = decode(data)[0].encode("utf-8")
    kind = sniff(data, source)
    if kind != "pdf":
        why = _binary_reason(data[:8192])
        if why:
            raise ParseError(f"cannot read {why}")
    if kind == "pdf":
        from extractors.parse.pdf import parse_pdf
        doc = parse_pdf(data, source, backend=pdf_backend)
    elif kind == "html":
        from extractors.parse.html import parse_html
        doc = parse_html(data, source, content_type)
    elif kind == "xml":
        from extractors.parse.xml import parse_xml
        doc = parse_xml(data, source, content_type)
    else:
        from extractors.parse.text import parse_text
        doc = parse_text(data, source, content_type)
    if not doc.text.strip() and not doc.errors:
        doc.errors.append(f"no text found in this {kind.upper()} document (only markup or boilerplate?)")
    _cap_titles(doc)
    doc.sha256 = sha
    return doc


def parse_path(path: str | Path) -> Document:
    p = Path(path)
    return parse_bytes(p.read_bytes(), str(p))


def read_document(path: str | Path, *, pdf_backend: str | None = None) -> Document:
    """Read and parse one file; never raises for expected problems.

    Failures (unreadable, too large, empty, binary, corrupt or encrypted PDF) come back as a
    :class:`Document` with empty text and a message in ``errors``.
    """
    from extractors.settings import MAX_DOCUMENT_BYTES

    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise ParseError(too_large("file", size, MAX_DOCUMENT_BYTES))
        data = p.read_bytes()
        return parse_bytes(data, str(p), pdf_backend=pdf_backend)
    except ParseError as exc:
        return Document(source=str(p), kind=_kind_guess(p), text="", errors=[str(exc)])
    except IsADirectoryError:
        return Document(source=str(p), kind="txt", text="", errors=["is a directory, not a file"])
    except OSError as exc:
        return Document(source=str(p), kind="txt", text="", errors=[f"cannot read file: {exc.strerror or exc}"])
    except RecursionError:
        return Document(source=str(p), kind=_kind_guess(p), text="",
                        errors=["document is nested too deeply to parse"])


def _kind_guess(p: Path) -> str:
    return {".pdf": "pdf", ".html": "html", ".htm": "html", ".xml": "xml"}.get(p.suffix.lower(), "txt")
