"""PDF: pdfplumber (default: text with paragraphs, headings and tables) or pypdfium2 (fast text),
and the other one when the first cannot read the file.

pdfplumber, page by page and ``page.close()`` after each (its layout caches otherwise grow ~7 MB a
page): ruled tables are found only on pages that have ruling lines (``find_tables`` is the
expensive part; skipped with a warning on pages with more than
:data:`~extractors.settings.MAX_PDF_PAGE_SEGMENTS` line segments, plans and maps), their characters
are filtered out of the running text and the table is rendered in place, one row a line with
cells joined by " | ". Text lines come from ``extract_text_lines`` (layout off); a vertical gap
larger than :data:`PARAGRAPH_GAP` line heights starts a new paragraph; a line in a larger or bold
font is a heading. Lines of one paragraph are reflowed into one line with line-end hyphens removed
when the next line starts lower-case ("Förder-\\nprogramm").

pypdfium2 (``backend="pdfium"`` or ``FOERDERRADAR_PDF_BACKEND=pdfium``): plain text per page,
about ten times faster, no tables; paragraphs are guessed from line length and punctuation.

Either backend reads every page on its own (one bad page costs that page) and notes per page
whether it had text, only images (a scan: OCR needed) or undecodable glyphs ("(cid:12)": a font
without a Unicode map; the placeholders are removed). When the chosen backend cannot open the
file, finds no pages, no text, or mostly undecodable text, the other backend reads it, and the
one with more readable text wins; ``Document.pdf_backend`` says which, ``Document.pages`` how
many pages the file has. When neither finds text, the message says why: damaged file, no pages,
scanned images (OCR), fonts without a Unicode map, or pages with neither text nor images.
Library warnings (pdfminer's log, ``warnings``) are kept in ``Document.warnings``.

Each page with text becomes a :class:`Section` with its page number and first heading.
"""
from __future__ import annotations

import io
import logging
import os
import re
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from statistics import median

from extractors import settings
from extractors.parse import ParseError
from extractors.parse.normalize import TextBuilder, clean_line, dehyphenate_lines
from models.records import Document, Section

BACKENDS = ("pdfplumber", "pdfium")
BACKEND_ENV = "FOERDERRADAR_PDF_BACKEND"
PARAGRAPH_GAP = 0.5          # extra vertical space, in line heights, that separates paragraphs
HEADING_SIZE_RATIO = 1.15    # font size over the page's body size that makes a line a heading
HEADING_MAX_CHARS = 100
SHORT_LINE_RATIO = 0.7       # pdfium: a line shorter than this share of the longest ends a paragraph
MIN_TEXT_CHARS = 20          # less readable text than this in the whole PDF: no text layer
UNDECODABLE_SHARE = 0.5      # a page whose characters are mostly unmapped glyphs is not decodable
LETTER_SHARE = 0.5           # letters among the characters of text that replaces undecodable glyphs
MAX_WARNINGS = 20            # library warnings kept per document
PLACEHOLDER_TITLES = frozenset({"untitled", "anonymous", "titel", "title", "microsoft word"})
_BULLET = re.compile(r"^(?:[•●▪■◦‣\-–*]|\d+(?:\.\d+)*[.)]|[a-z][.)]|§\s*\d+)\s")
_SENT_END = re.compile(r"[.!?:;]$")
_CID = re.compile(r"\(cid:\d+\)")
# pdfminer's words for a stream it could not inflate
_DAMAGED_STREAM = re.compile(r"decompress|zlib|corrupt|flate|decode", re.I)

DAMAGED_HINT = "download it again or repair it (e.g. with qpdf)"
OCR_HINT = "run OCR on it (e.g. ocrmypdf) first"


def _encrypted_message() -> ParseError:
    return ParseError("PDF is encrypted (password protected); save an unprotected copy and extract that")


def _damaged(detail: str | None = None) -> ParseError:
    detail = f" ({detail})" if detail else ""
    return ParseError(f"PDF is damaged{detail}; {DAMAGED_HINT}")


def _is_encrypted(data: bytes) -> bool:
    """The file's own state: a trailer or xref stream that names an /Encrypt dictionary."""
    return b"/Encrypt" in data


def _detail(exc: BaseException) -> str:
    msg = str(exc).strip()
    return msg.splitlines()[0][:120] if msg else type(exc).__name__


def backend_from_env(backend: str | None) -> str:
    b = (backend or os.environ.get(BACKEND_ENV) or "pdfplumber").strip().lower()
    if b not in BACKENDS:
        raise ParseError(f"unknown PDF backend {b!r}; choose one of {', '.join(BACKENDS)} "
                         f"(argument or {BACKEND_ENV})")
    return b


def _page_list(pages: list[int]) -> str:
    """[2, 3, 7] -> "pages 2–3, 7"."""
    runs: list[list[int]] = []
    for p in sorted(pages):
        if runs and p == runs[-1][1] + 1:
            runs[-1][1] = p
        else:
            runs.append([p, p])
    text = ", ".join(f"{a}–{b}" if b > a else str(a) for a, b in runs)
    return ("page " if len(pages) == 1 else "pages ") + text


@dataclass
class _Reading:
    """What one backend made of the file."""
    backend: str
    out: TextBuilder = field(default_factory=TextBuilder)
    sections: list[Section] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    title: str | None = None
    meta_title: object = None
    pages: int = 0                                  # pages the file has (0: none found)
    image_pages: list[int] = field(default_factory=list)       # no text, but images: scanned
    undecodable_pages: list[int] = field(default_factory=list)  # mostly glyphs without Unicode
    bad_pages: list[int] = field(default_factory=list)          # could not be read at all
    oversized_pages: list[int] = field(default_factory=list)    # content over the inflation cap
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failure: ParseError | None = None               # the file could not be opened

    @property
    def chars(self) -> int:
        return len(self.out.text().strip()) if self.out.length else 0

    @property
    def good(self) -> bool:
        """Readable text, and not mostly undecodable pages."""
        return (self.failure is None and self.chars >= MIN_TEXT_CHARS
                and len(self.undecodable_pages) * 2 <= max(1, self.pages))


def parse_pdf(data: bytes, source: str, backend: str | None = None) -> Document:
    first = backend_from_env(backend)
    reading = _read(first, data)
    if not reading.good and not reading.oversized_pages:     # pdfium would inflate the bomb
        other = _read(BACKENDS[1] if first == BACKENDS[0] else BACKENDS[0], data)
        if _rank(other) > _rank(reading) and _reads_better(other, reading.undecodable_pages):
            why = ("could not open the file" if reading.failure is not None else
                   "found no pages" if not reading.pages else
                   "found only undecodable text" if reading.undecodable_pages else
                   "found no text")
            other.warnings.insert(0, f"{reading.backend} {why}; read with {other.backend}")
            reading = other
    return _document(reading, data, source)


def _reads_better(other: _Reading, undecodable: list[int]) -> bool:
    """pdfium has no reliable sign of a glyph without Unicode (its FPDFText_HasUnicodeMapError marks
    correctly decoded text too) and prints glyph ids as characters ("$%&'()*+,-./0123"): its text
    replaces pages pdfplumber could not decode only where it is mostly letters."""
    if not undecodable:
        return True
    text = "".join(other.out.text()[s.start:s.end] for s in other.sections if s.page in undecodable)
    chars = [c for c in text if not c.isspace()]
    return len(chars) >= MIN_TEXT_CHARS and sum(c.isalpha() for c in chars) >= LETTER_SHARE * len(chars)


def _rank(r: _Reading) -> tuple:
    """Which reading to keep: readable text first, then more of it, then one that opened the file."""
    return (r.good, r.chars - 10 * len(r.undecodable_pages), r.failure is None, r.pages > 0)


def _document(r: _Reading, data: bytes, source: str) -> Document:
    text = r.out.text()
    if len(text.strip()) < MIN_TEXT_CHARS:
        raise _why_no_text(r, data)
    errors = list(r.errors)
    if r.image_pages:
        errors.append(f"{_page_list(r.image_pages)} {'is' if len(r.image_pages) == 1 else 'are'} images only "
                      "(OCR needed); the text of the other pages was read")
    if r.undecodable_pages:
        errors.append(f"{_page_list(r.undecodable_pages)}: text layer not decodable (fonts without Unicode "
                      "mapping); run OCR on those pages for their text")
    title = r.title or _meta_title(r.meta_title) or next((ln for ln in text.split("\n") if ln.strip()), None)
    return Document(source=source, kind="pdf", text=text, title=title, sections=r.sections, tables=r.tables,
                    errors=errors, warnings=r.warnings[:MAX_WARNINGS], pdf_backend=r.backend, pages=r.pages)


def _why_no_text(r: _Reading, data: bytes) -> ParseError:
    """The clearest reason a file gave no text, from the reading that got furthest."""
    if r.failure is not None:
        return r.failure
    if not r.pages:
        return _damaged("no pages could be read: the page tree is broken")
    if r.oversized_pages:
        return ParseError(f"PDF content inflates to more than {settings.MAX_PDF_PAGE_CONTENT_BYTES // 2**20} MiB "
                          f"on {_page_list(r.oversized_pages)} (a decompression bomb?) and was not read; "
                          "raise FOERDERRADAR_MAX_PDF_PAGE_CONTENT_MB if the file is genuine")
    if r.undecodable_pages:
        return ParseError("PDF text layer is not decodable (fonts without Unicode mapping); " + OCR_HINT)
    if r.image_pages:
        return ParseError(f"PDF pages are images only, no text layer (a scan); {OCR_HINT}")
    if r.bad_pages and len(r.bad_pages) == r.pages:
        return _damaged(f"none of its {r.pages} pages could be read")
    if any(_DAMAGED_STREAM.search(w) for w in r.warnings):
        return _damaged("its content streams cannot be decompressed")
    return ParseError(f"PDF has {r.pages} page{'s' if r.pages != 1 else ''} but neither text nor images "
                      "(empty pages or drawings only); there is nothing to extract")


def _read(backend: str, data: bytes) -> _Reading:
    r = _Reading(backend)
    with _captured(r):
        try:
            (_read_pdfium if backend == "pdfium" else _read_pdfplumber)(data, r)
        except ParseError as exc:
            r.failure = exc
    return r


class _Collect(logging.Handler):
    def __init__(self, r: _Reading):
        super().__init__(logging.WARNING)
        self.r = r

    def emit(self, record: logging.LogRecord) -> None:
        _warn(self.r, record.getMessage())


def _warn(r: _Reading, message: str) -> None:
    message = f"{r.backend}: {clean_line(str(message))[:200]}"
    if message not in r.warnings and len(r.warnings) < MAX_WARNINGS:
        r.warnings.append(message)


@contextmanager
def _captured(r: _Reading):
    """The libraries' warnings (pdfminer's log, pdfplumber's and pypdfium2's ``warnings``) go to the
    document's ``warnings`` instead of stderr."""
    handler = _Collect(r)
    loggers = [logging.getLogger(n) for n in ("pdfminer", "pdfplumber", "pypdfium2")]
    saved = [(lg, lg.propagate, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.propagate = False
        if lg.level == logging.NOTSET or lg.level > logging.WARNING:
            lg.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        for w in caught:
            _warn(r, w.message)
    finally:
        for lg, propagate, level in saved:
            lg.removeHandler(handler)
            lg.propagate = propagate
            lg.setLevel(level)


def _meta_title(value) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "ignore")
    if not isinstance(value, str):
        return None
    t = clean_line(_CID.sub("", value))
    if not t or t.casefold() in PLACEHOLDER_TITLES or t.casefold().startswith("microsoft word - "):
        return None
    return t


def _add_page(r: _Reading, no: int, blocks: list[tuple[str, str]], first_page_heading: bool) -> None:
    """Append one page's (kind, text) blocks to the text; the page becomes a section."""
    out = r.out
    page_start = None
    page_title = None
    prev = ""
    for kind, text in blocks:
        if kind == "table":
            rows = text.split("\n")
            span = out.add(rows[0], "\n\n")
            for row in rows[1:]:
                out.add(row, "\n")
        else:
            span = out.add(text, "\n" if kind == "li" and prev == "li" else "\n\n")
            if kind == "h" and page_title is None:
                page_title = text
                if r.title is None and no == 1 and first_page_heading:
                    r.title = text
        prev = kind
        if span and page_start is None:
            page_start = span[0]
    if page_start is not None:
        r.sections.append(Section(title=page_title, start=page_start, end=out.length, page=no))


def _classify(r: _Reading, no: int, text: str, unmapped_share: float, has_images: bool) -> None:
    """Note a page that is mostly glyphs without a Unicode map, or images without text."""
    if unmapped_share >= UNDECODABLE_SHARE:
        r.undecodable_pages.append(no)
    elif not text.strip() and has_images:
        r.image_pages.append(no)


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


# path-painting operators that make one line segment each (m starts a path, re is four segments)
_SEGMENT_OPS = re.compile(rb"(?<![A-Za-z*'\"])(?:l|c|v|y|re)(?![A-Za-z*'\"])")


def _page_content(page) -> tuple[int, int]:
    """(decompressed bytes, line segments) of the page's content streams, read no further than
    :data:`~extractors.settings.MAX_PDF_PAGE_CONTENT_BYTES` + 1 bytes (zlib's ``max_length``), so
    a decompression bomb is measured without being inflated. Streams with other filters or
    encrypted ones count as 0 (pdfminer reads them itself)."""
    import zlib

    from pdfminer.pdftypes import PDFStream, resolve1

    cap = settings.MAX_PDF_PAGE_CONTENT_BYTES
    size = segments = 0
    for obj in page.page_obj.contents:
        stream = resolve1(obj)
        if not isinstance(stream, PDFStream) or stream.rawdata is None or stream.decipher:
            continue
        filters = [getattr(f, "name", f) for f, _params in stream.get_filters()]
        if not filters:
            data = stream.rawdata[:cap + 1 - size]
        elif filters in (["FlateDecode"], ["Fl"]):
            try:
                data = zlib.decompressobj().decompress(stream.rawdata, cap + 1 - size)
            except zlib.error:
                continue
        else:
            continue
        size += len(data)
        if size > cap:
            break
        segments += len(_SEGMENT_OPS.findall(data))
    return size, segments


def _page_blocks(page) -> tuple[list[tuple[float, str, str]], list[list[list[str]]]]:
    """Blocks of one page as (top, kind, text), kind in p/h/li/table, and the page's tables."""
    blocks: list[tuple[float, str, str]] = []
    tables: list[list[list[str]]] = []
    text_page = page
    if page.edges:                                   # ruled tables need ruling lines
        found = page.find_tables()
        boxes = []
        for t in found:
            rows = [[clean_line(_CID.sub("", c or "")) for c in row] for row in t.extract()]
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
        text = clean_line(_CID.sub("", ln["text"]))
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


def _read_pdfplumber(data: bytes, r: _Reading) -> None:
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many types for broken files
        raise (_encrypted_message() if _is_encrypted(data) and _password_error(exc) else _damaged(_detail(exc))) \
            from None
    try:
        try:
            pages = pdf.pages
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - a broken page tree
            if _password_error(exc) and _is_encrypted(data):
                raise _encrypted_message() from None
            r.warnings.append(f"pdfplumber: page tree unreadable ({_detail(exc)})")
            pages = []
        r.pages = len(pages)
        _note_page_limit(r)
        plain: dict = {}                                # pdfium's copy, opened for plan pages only
        # past half the parse budget, the remaining pages are read by pdfium (ten times faster)
        # rather than losing the whole document to the watchdog
        slow_after = time.monotonic() + settings.PARSE_TIMEOUT_SECONDS / 2
        for no, page in enumerate(pages[:settings.MAX_PDF_PAGES], start=1):
            try:
                if time.monotonic() > slow_after:
                    if "slow" not in plain:
                        plain["slow"] = no
                        r.warnings.append(f"pdfplumber took more than {settings.PARSE_TIMEOUT_SECONDS / 2:g} s "
                                          f"(half of FOERDERRADAR_PARSE_TIMEOUT); pages {no}–{min(r.pages, settings.MAX_PDF_PAGES)} "
                                          "read as plain text with pdfium, no tables")
                    _plain_page(r, data, no, plain)
                    continue
                size, segments = _page_content(page)
                if size > settings.MAX_PDF_PAGE_CONTENT_BYTES:
                    r.errors.append(f"page {no}: skipped, its content inflates to more than "
                                    f"{settings.MAX_PDF_PAGE_CONTENT_BYTES // 2**20} MiB (a decompression bomb?; "
                                    "FOERDERRADAR_MAX_PDF_PAGE_CONTENT_MB)")
                    r.oversized_pages.append(no)
                    continue
                if segments > settings.MAX_PDF_PAGE_SEGMENTS:
                    # pdfminer's layout of a plan or map page costs seconds and hundreds of MB
                    r.warnings.append(f"page {no}: {segments:,} line segments (a plan or map?), more than "
                                      f"{settings.MAX_PDF_PAGE_SEGMENTS:,} (FOERDERRADAR_MAX_PDF_PAGE_SEGMENTS): "
                                      "read as plain text with pdfium, no tables")
                    _plain_page(r, data, no, plain)
                    continue
                blocks, page_tables = _page_blocks(page)
                raw_chars = page.chars
                unmapped = sum(c["text"].startswith("(cid:") for c in raw_chars)
                has_images = bool(page.images)
            except MemoryError:
                raise                                 # the whole document is over its budget
            except Exception as exc:  # noqa: BLE001 - one bad page must not lose the others
                r.errors.append(f"page {no}: could not be read ({_detail(exc)})")
                r.bad_pages.append(no)
                blocks, page_tables, unmapped, has_images = [], [], 0, False
            finally:
                try:
                    page.close()
                except Exception:  # noqa: BLE001
                    pass
            page_text = " ".join(t for _top, _k, t in blocks)
            readable = sum(not ch.isspace() for ch in page_text)
            _classify(r, no, page_text, unmapped / (unmapped + readable) if unmapped else 0.0, has_images)
            r.tables.extend(page_tables)
            _add_page(r, no, [(k, t) for _top, k, t in blocks], first_page_heading=True)
        try:
            r.meta_title = (pdf.metadata or {}).get("Title")
        except Exception:  # noqa: BLE001
            r.meta_title = None
        if "pdf" in plain:
            plain["pdf"].close()
    finally:
        try:
            pdf.close()          # re-reads a broken page list: its error must not replace ours
        except Exception:  # noqa: BLE001
            pass


def _password_error(exc: BaseException) -> bool:
    names = {type(exc).__name__}
    cause = exc.__cause__ or exc.__context__
    if cause is not None:
        names.add(type(cause).__name__)
    text = str(exc).lower()
    return "PDFPasswordIncorrect" in names or "password" in text or "encrypt" in text


def _note_page_limit(r: _Reading) -> None:
    if r.pages > settings.MAX_PDF_PAGES:
        r.errors.append(f"PDF has {r.pages} pages; only the first {settings.MAX_PDF_PAGES} were read "
                        "(FOERDERRADAR_MAX_PDF_PAGES)")


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


def _read_pdfium(data: bytes, r: _Reading) -> None:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        # pdfium's last-error code can be left over from an earlier file: judge by this file
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD and _is_encrypted(data):
            raise _encrypted_message() from None
        raise _damaged("pdfium cannot open it") from None
    try:
        r.pages = len(pdf)
        _note_page_limit(r)
        for i in range(min(r.pages, settings.MAX_PDF_PAGES)):
            no = i + 1
            has_images = False
            try:
                page = pdf[i]
            except pdfium.PdfiumError:
                r.errors.append(f"page {no}: could not be read (damaged page object)")
                r.bad_pages.append(no)
                continue
            try:
                tp = page.get_textpage()
                try:
                    raw = tp.get_text_range()
                finally:
                    tp.close()
                if not raw.strip():
                    has_images = any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE],
                                                                     max_depth=3))
            except pdfium.PdfiumError as exc:
                r.errors.append(f"page {no}: could not be read ({_detail(exc)})")
                r.bad_pages.append(no)
                raw = ""
            finally:
                page.close()
            # pdfium marks a line-end hyphen as U+FFFE (and may drop the line break after it)
            raw = raw.replace("\ufffe\r\n", "-\n").replace("\ufffe", "-\n")
            blocks = _reflow(raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
            _classify(r, no, raw, 0.0, has_images)
            _add_page(r, no, blocks, first_page_heading=False)
        try:
            r.meta_title = (pdf.get_metadata_dict() or {}).get("Title") or None
        except pdfium.PdfiumError:
            r.meta_title = None
    finally:
        pdf.close()


def _plain_page(r, data: bytes, no: int, plain: dict) -> None:
    """Page ``no`` read as plain text with pdfium (no tables), in place of pdfplumber's layout."""
    text, has_images = _pdfium_page(data, no - 1, plain)
    _classify(r, no, text, 0.0, has_images)
    _add_page(r, no, _reflow(text.split("\n")), first_page_heading=False)


def _pdfium_page(data: bytes, index: int, cache: dict) -> tuple[str, bool]:
    """One page's plain text read by pdfium (for a page pdfplumber would take too long over):
    (text, has images)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    if "pdf" not in cache:
        cache["pdf"] = pdfium.PdfDocument(data)
    page = cache["pdf"][index]
    try:
        tp = page.get_textpage()
        try:
            raw = tp.get_text_range()
        finally:
            tp.close()
        images = not raw.strip() and any(True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE],
                                                                          max_depth=3))
    finally:
        page.close()
    raw = raw.replace("\ufffe\r\n", "-\n").replace("\ufffe", "-\n").replace("\r\n", "\n").replace("\r", "\n")
    return raw, images


