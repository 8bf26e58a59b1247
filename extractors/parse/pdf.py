"""PDF: pdfplumber (default: text with paragraphs, headings and tables) or pypdfium2 (fast text).

pdfplumber, page by page and ``page.close()`` after each (its layout caches otherwise grow ~7 MB a
page): ruled tables are found only on pages that have ruling lines (``find_tables`` is the
expensive part), their characters are filtered out of the running text and the table is rendered
in place, one row a line with cells joined by " | ". Text lines come from ``extract_text_lines``
(layout off); a vertical gap larger than :data:`PARAGRAPH_GAP` line heights starts a new paragraph;
a line in a larger or bold font is a heading. Lines of one paragraph are reflowed into one line
with line-end hyphens removed when the next line starts lower-case ("Förder-\\nprogramm").

pypdfium2 (``backend="pdfium"`` or ``FOERDERRADAR_PDF_BACKEND=pdfium``): plain text per page,
about ten times faster, no tables; paragraphs are guessed from line length and punctuation.

Each page becomes a :class:`Section` with its page number and first heading.
"""
from __future__ import annotations

import io
import os
import re
from statistics import median

from extractors.parse import ParseError
from extractors.parse.normalize import TextBuilder, clean_line, dehyphenate_lines
from extractors.settings import MAX_PDF_PAGES
from models.records import Document, Section

BACKENDS = ("pdfplumber", "pdfium")
BACKEND_ENV = "FOERDERRADAR_PDF_BACKEND"
PARAGRAPH_GAP = 0.5          # extra vertical space, in line heights, that separates paragraphs
HEADING_SIZE_RATIO = 1.15    # font size over the page's body size that makes a line a heading
HEADING_MAX_CHARS = 100
SHORT_LINE_RATIO = 0.7       # pdfium: a line shorter than this share of the longest ends a paragraph
MIN_TEXT_CHARS = 20          # less text than this in the whole PDF: no text layer (scanned?)
PLACEHOLDER_TITLES = frozenset({"untitled", "anonymous", "titel", "title", "microsoft word"})
_BULLET = re.compile(r"^(?:[•●▪■◦‣\-–*]|\d+(?:\.\d+)*[.)]|[a-z][.)]|§\s*\d+)\s")
_SENT_END = re.compile(r"[.!?:;]$")


def _pdf_error(exc: BaseException) -> ParseError:
    name = type(exc).__name__
    msg = str(exc)
    cause = exc.__cause__ or exc.__context__
    names = {name, type(cause).__name__ if cause else ""}
    if "PDFPasswordIncorrect" in names or "password" in msg.lower() or "encrypt" in msg.lower():
        return ParseError("PDF is encrypted (password protected); save an unprotected copy and extract that")
    detail = msg.strip().splitlines()[0][:120] if msg.strip() else name
    return ParseError(f"PDF is damaged or not a PDF ({detail}); download it again or repair it (e.g. with qpdf)")


def backend_from_env(backend: str | None) -> str:
    b = (backend or os.environ.get(BACKEND_ENV) or "pdfplumber").strip().lower()
    if b not in BACKENDS:
        raise ParseError(f"unknown PDF backend {b!r}; choose one of {', '.join(BACKENDS)} "
                         f"(argument or {BACKEND_ENV})")
    return b


def parse_pdf(data: bytes, source: str, backend: str | None = None) -> Document:
    backend = backend_from_env(backend)
    if backend == "pdfium":
        return _parse_pdfium(data, source)
    return _parse_pdfplumber(data, source)


def _meta_title(value) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "ignore")
    if not isinstance(value, str):
        return None
    t = clean_line(value)
    if not t or t.casefold() in PLACEHOLDER_TITLES or t.casefold().startswith("microsoft word - "):
        return None
    return t


# -- pdfplumber --------------------------------------------------------------------------------

def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    cx = (obj["x0"] + obj["x1"]) / 2
    cy = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _is_bold(line: dict) -> bool:
    chars = line.get("chars") or ()
    return bool(chars) and all("bold" in (c.get("fontname") or "").lower() for c in chars if c["text"].strip())


def _line_size(line: dict) -> float:
    chars = line.get("chars") or ()
    sizes = [c["size"] for c in chars if c["text"].strip()]
    return median(sizes) if sizes else 0.0


def _page_blocks(page) -> tuple[list[tuple[float, str, str]], list[list[list[str]]]]:
    """Blocks of one page as (top, kind, text), kind in p/h/li/table, and the page's tables."""
    blocks: list[tuple[float, str, str]] = []
    tables: list[list[list[str]]] = []
    text_page = page
    if page.edges:                                   # ruled tables need ruling lines
        found = page.find_tables()
        boxes = []
        for t in found:
            rows = [[clean_line(c or "") for c in row] for row in t.extract()]
            rows = [r for r in rows if any(r)]
            if not rows or max(len(r) for r in rows) < 2:
                continue
            boxes.append(t.bbox)
            tables.append(rows)
            blocks.append((t.bbox[1], "table", "\n".join(" | ".join(r) for r in rows)))
        if boxes:
            text_page = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, boxes))
    try:
        lines = text_page.extract_text_lines(layout=False, strip=True, return_chars=True)
    finally:
        if text_page is not page:
            text_page.close()                        # a filtered page has caches of its own
    if not lines:
        return blocks, tables
    sizes = [_line_size(ln) for ln in lines]
    body = median(s for s in sizes if s) if any(sizes) else 0.0
    heights = [ln["bottom"] - ln["top"] for ln in lines if ln["bottom"] > ln["top"]]
    lh = median(heights) if heights else 10.0
    para: list[str] = []
    para_top = 0.0
    para_kind = "p"
    prev_bottom = None

    def close():
        nonlocal para
        if para:
            blocks.append((para_top, para_kind, dehyphenate_lines(para) if para_kind != "h" else " ".join(para)))
        para = []

    for ln, size in zip(lines, sizes):
        text = clean_line(ln["text"])
        if not text:
            continue
        heading = (len(text) <= HEADING_MAX_CHARS and not _SENT_END.search(text)
                   and ((body and size >= body * HEADING_SIZE_RATIO) or (_is_bold(ln) and size >= body)))
        kind = "h" if heading else ("li" if _BULLET.match(text) else "p")
        gap = prev_bottom is not None and ln["top"] - prev_bottom > PARAGRAPH_GAP * lh
        if not para or gap or kind in ("h", "li") or para_kind == "h":
            if not (para and para_kind == "h" and kind == "h" and not gap):
                close()
                para_top, para_kind = ln["top"], kind
        para.append(text)
        prev_bottom = ln["bottom"]
    close()
    blocks.sort(key=lambda b: b[0])
    return blocks, tables


def _parse_pdfplumber(data: bytes, source: str) -> Document:
    import pdfplumber

    out = TextBuilder()
    sections: list[Section] = []
    tables: list[list[list[str]]] = []
    errors: list[str] = []
    title = None
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for broken files
        raise _pdf_error(exc) from None
    with pdf:
        try:
            pages = pdf.pages
        except Exception as exc:  # noqa: BLE001
            raise _pdf_error(exc) from None
        if len(pages) > MAX_PDF_PAGES:
            errors.append(f"PDF has {len(pages)} pages; only the first {MAX_PDF_PAGES} were read "
                          "(extractors.settings.MAX_PDF_PAGES)")
        for no, page in enumerate(pages[:MAX_PDF_PAGES], start=1):
            try:
                blocks, page_tables = _page_blocks(page)
            except Exception as exc:  # noqa: BLE001 - one bad page must not lose the others
                errors.append(f"page {no}: could not be read ({type(exc).__name__}: {str(exc)[:100]})")
                blocks, page_tables = [], []
            finally:
                page.close()
            tables.extend(page_tables)
            first = out.length
            page_start = None
            page_title = None
            prev = ""
            for _top, kind, text in blocks:
                if kind == "table":
                    rows = text.split("\n")
                    span = out.add(rows[0], "\n\n")
                    for r in rows[1:]:
                        out.add(r, "\n")
                else:
                    sep = "\n" if kind == "li" and prev == "li" else "\n\n"
                    span = out.add(text, sep)
                    if kind == "h" and page_title is None:
                        page_title = text
                        if title is None and no == 1:
                            title = text
                prev = kind
                if span and page_start is None:
                    page_start = span[0]
            if page_start is not None:
                sections.append(Section(title=page_title, start=page_start, end=out.length, page=no))
            elif out.length == first:
                pass
        try:
            meta_title = (pdf.metadata or {}).get("Title")
        except Exception:  # noqa: BLE001
            meta_title = None
    text = out.text()
    if len(text.strip()) < MIN_TEXT_CHARS and not errors:
        raise ParseError("PDF has no text layer (a scanned image?); run OCR on it (e.g. ocrmypdf) first")
    if title is None:
        title = _meta_title(meta_title)
    if title is None:
        title = next((ln for ln in text.split("\n") if ln.strip()), None)
    return Document(source=source, kind="pdf", text=text, title=title, sections=sections,
                    tables=tables, errors=errors)


# -- pypdfium2 ---------------------------------------------------------------------------------

def _reflow(lines: list[str]) -> list[tuple[str, str]]:
    """Group plain lines into (kind, text) paragraphs by punctuation and line length."""
    lines = [ln for ln in (clean_line(x) for x in lines) if ln]
    if not lines:
        return []
    longest = max(len(ln) for ln in lines)
    out: list[tuple[str, str]] = []
    para: list[str] = []
    kind = "p"
    for i, ln in enumerate(lines):
        bullet = bool(_BULLET.match(ln))
        if para and bullet:
            out.append((kind, dehyphenate_lines(para)))
            para = []
        if not para:
            kind = "li" if bullet else "p"
        para.append(ln)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        continued = ln[-1] in "-‐" or nxt[:1].islower()
        if len(ln) < SHORT_LINE_RATIO * longest and not continued:
            out.append((kind, dehyphenate_lines(para)))
            para = []
    if para:
        out.append((kind, dehyphenate_lines(para)))
    return out


def _parse_pdfium(data: bytes, source: str) -> Document:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise _pdf_error(exc) from None
    out = TextBuilder()
    sections: list[Section] = []
    errors: list[str] = []
    try:
        n = len(pdf)
        if n > MAX_PDF_PAGES:
            errors.append(f"PDF has {n} pages; only the first {MAX_PDF_PAGES} were read "
                          "(extractors.settings.MAX_PDF_PAGES)")
        for i in range(min(n, MAX_PDF_PAGES)):
            page = pdf[i]
            try:
                tp = page.get_textpage()
                try:
                    raw = tp.get_text_range()
                finally:
                    tp.close()
            except pdfium.PdfiumError as exc:
                errors.append(f"page {i + 1}: could not be read ({exc})")
                raw = ""
            finally:
                page.close()
            page_start = None
            prev = ""
            # pdfium marks a line-end hyphen as U+FFFE (and may drop the line break after it)
            raw = raw.replace("\ufffe\r\n", "-\n").replace("\ufffe", "-\n")
            for kind, text in _reflow(raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
                span = out.add(text, "\n" if kind == "li" and prev == "li" else "\n\n")
                prev = kind
                if span and page_start is None:
                    page_start = span[0]
            if page_start is not None:
                sections.append(Section(title=None, start=page_start, end=out.length, page=i + 1))
        meta_title = (pdf.get_metadata_dict() or {}).get("Title") or None
    finally:
        pdf.close()
    text = out.text()
    if len(text.strip()) < MIN_TEXT_CHARS and not errors:
        raise ParseError("PDF has no text layer (a scanned image?); run OCR on it (e.g. ocrmypdf) first")
    title = _meta_title(meta_title) or next((ln for ln in text.split("\n") if ln.strip()), None)
    return Document(source=source, kind="pdf", text=text, title=title, sections=sections, errors=errors)
