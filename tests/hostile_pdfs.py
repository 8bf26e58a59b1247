"""PDFs as they really come, written byte by byte in the tests: broken xref, truncated tail, page
tree loop, image-only page, fonts without a Unicode map, 50,000 line segments, reference loops,
decompression bombs, junk before the header.

``build(objects)`` writes a complete PDF (header, the numbered objects, a correct xref table,
trailer) from ``{number: body}``; the case functions break one thing each.
"""
from __future__ import annotations

import zlib

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
SENTENCES = [
    "Die Frist endet am 15. Mai 2025.",
    "Gefoerdert werden Vorhaben mit bis zu 50.000 Euro je Projekt.",
    "Antraege sind bei der Bewilligungsbehoerde einzureichen.",
]


def stream(content: bytes, extra: bytes = b"", flate: bool = False) -> bytes:
    if flate:
        content = zlib.compress(content)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def text_content(lines: list[str], y: int = 760) -> bytes:
    ops = [b"BT /F1 11 Tf 14 TL 60 %d Td" % y]
    for ln in lines:
        ops.append(b"(" + ln.encode("latin-1").replace(b"(", b"\\(").replace(b")", b"\\)") + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def build(objects: dict[int, bytes], *, root: int = 1, header: bytes = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n",
          trailer_extra: bytes = b"", startxref_shift: int = 0) -> bytes:
    out = bytearray(header)
    offsets = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += (b"%010d 00000 n \n" % offsets[num]) if num in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, root, trailer_extra, xref + startxref_shift)
    return bytes(out)


def pages_doc(contents: list[bytes], *, flate: bool = False, extra_objects: dict[int, bytes] | None = None,
              resources: bytes = b"<< /Font << /F1 3 0 R >> >>", **kw) -> bytes:
    """A document with one page per content stream (objects: 1 catalog, 2 pages, 3 font, 10+ pages)."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: FONT}
    kids = []
    for i, content in enumerate(contents):
        page, cont = 10 + 2 * i, 11 + 2 * i
        kids.append(b"%d 0 R" % page)
        objects[page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources %s "
                         b"/Contents %d 0 R >>" % (resources, cont))
        objects[cont] = stream(content, flate=flate)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    objects.update(extra_objects or {})
    return build(objects, **kw)


def text_pdf(pages: int = 1, **kw) -> bytes:
    return pages_doc([text_content([f"Seite {n + 1}."] + SENTENCES) for n in range(pages)], **kw)


# -- the classes of broken files ------------------------------------------------------------------

def wrong_xref_offset() -> bytes:
    """startxref points 40 bytes off: readers must rebuild the xref by scanning."""
    return text_pdf(2, startxref_shift=-40)


def truncated_tail() -> bytes:
    """A download cut off after the last page: no xref table, no trailer."""
    data = text_pdf(2)
    return data[:data.rindex(b"xref")]


def page_tree_loop() -> bytes:
    """The page tree's Kids contain the tree itself next to a real page."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 3: FONT,
               2: b"<< /Type /Pages /Kids [10 0 R 2 0 R] /Count 2 >>",
               10: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                   b"/Contents 11 0 R >>",
               11: stream(text_content(SENTENCES))}
    return build(objects)


def image_only_middle_pages() -> bytes:
    """Pages 1 and 4 have text, pages 2-3 only a scanned image (a gray 40x40 raster)."""
    image = stream(bytes(range(40)) * 40, b" /Type /XObject /Subtype /Image /Width 40 /Height 40"
                   b" /ColorSpace /DeviceGray /BitsPerComponent 8")
    resources = b"<< /Font << /F1 3 0 R >> /XObject << /Im1 90 0 R >> >>"
    draw = b"q 400 0 0 600 90 120 cm /Im1 Do Q"
    return pages_doc([text_content(["Seite 1."] + SENTENCES), draw, draw, text_content(["Seite 4."] + SENTENCES)],
                     resources=resources, extra_objects={90: image})


def font_without_tounicode() -> bytes:
    """Text in a composite (Type0, Identity-H) font without a ToUnicode map: glyph ids, no letters."""
    cid_font = (b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+Unbekannt "
                b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                b"/FontDescriptor 5 0 R /DW 600 >>")
    descriptor = (b"<< /Type /FontDescriptor /FontName /ABCDEF+Unbekannt /Flags 4 /FontBBox [0 0 1000 1000] "
                  b"/ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>")
    type0 = b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+Unbekannt /Encoding /Identity-H /DescendantFonts [4 0 R] >>"
    glyphs = b"".join(b"<%s> Tj T*" % (b"".join(b"%04X" % (36 + (i * 7 + k) % 60) for k in range(40)))
                      for i in range(12))
    content = b"BT /F1 11 Tf 14 TL 60 760 Td " + glyphs + b" ET"
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [10 0 R] /Count 1 >>",
               3: type0, 4: cid_font, 5: descriptor,
               10: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                   b"/Contents 11 0 R >>",
               11: stream(content)}
    return build(objects)


def many_line_segments(n: int = 50_000) -> bytes:
    """A plan page: ``n`` short stroked line segments, and one line of text."""
    segs = b"\n".join(b"%d %d m %d %d l" % (20 + i % 500, 20 + (i // 500) * 7, 25 + i % 500, 24 + (i // 500) * 7)
                      for i in range(n))
    content = b"0.2 w\n" + segs + b"\nS\n" + text_content(["Lageplan Gewerbegebiet Nord."] + SENTENCES, y=800)
    return pages_doc([content], flate=True)


def junk_before_header() -> bytes:
    """A server's error text and a BOM in front of ``%PDF`` (readers search the first KB)."""
    return b"\xef\xbb\xbfHTTP/1.1 200 OK\r\nX-Junk: " + b"x" * 300 + b"\r\n\r\n" + text_pdf(1)


def reference_loop() -> bytes:
    """The page's content is object 6, which is a reference to 7, which refers back to 6."""
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
               3: FONT,
               4: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                  b"/Contents 6 0 R >>",
               6: b"7 0 R", 7: b"6 0 R"}
    return build(objects)


def decompression_bomb(mib: int = 1024) -> bytes:
    """One page whose content stream inflates to ``mib`` MiB of text-showing operators."""
    comp = zlib.compressobj(9)
    chunk = b"(AAAAAAAA) Tj " * 4681 + b"\n"
    parts = [comp.compress(b"BT /F1 1 Tf 0 0 Td ")]
    for _ in range(mib * 2**20 // len(chunk)):
        parts.append(comp.compress(chunk))
    parts.append(comp.compress(b" ET") + comp.flush())
    data = b"".join(parts)
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [10 0 R] /Count 1 >>",
               3: FONT,
               10: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                   b"/Contents 11 0 R >>",
               11: b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"}
    return build(objects)


def damaged_flate() -> bytes:
    """The content stream says FlateDecode but its bytes are cut in the middle."""
    content = zlib.compress(text_content(SENTENCES * 20))
    broken = content[: len(content) // 2] + b"\x00garbage\xff" * 4
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [10 0 R] /Count 1 >>",
               3: FONT,
               10: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                   b"/Contents 11 0 R >>",
               11: b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(broken) + broken + b"\nendstream"}
    return build(objects)


def no_text_no_images() -> bytes:
    """Two pages with only vector drawing: nothing to read and nothing to OCR."""
    return pages_doc([b"0 0 1 rg 100 100 300 300 re f", b"1 0 0 RG 50 50 m 500 700 l S"])


def broken_page_tree() -> bytes:
    """The catalog's /Pages points at an object that is not a page tree."""
    objects = {1: b"<< /Type /Catalog /Pages 9 0 R >>", 3: FONT, 9: b"(kein Seitenbaum)"}
    return build(objects)
