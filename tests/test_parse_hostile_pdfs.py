"""PDFs as they really come (tests/hostile_pdfs.py writes each class byte by byte): the right text
with the backend and page count that produced it, or the right message; and a budget no parse can
ignore (extractors/parse/guard.py)."""
from __future__ import annotations

import time

import pytest

import hostile_pdfs as H
from extractors.parse import ParseError, parse_bytes, sniff
from extractors.parse.guard import ParseGuard, read_file

BACKENDS = ("pdfplumber", "pdfium")


def parsed(data: bytes, backend: str):
    return parse_bytes(data, "test.pdf", pdf_backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_wrong_xref_offset_is_read(backend):
    doc = parsed(H.wrong_xref_offset(), backend)
    assert "Die Frist endet am 15. Mai 2025." in doc.text and doc.pages == 2
    assert doc.pdf_backend in BACKENDS and doc.errors == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_truncated_tail_is_read_by_the_backend_that_can(backend):
    doc = parsed(H.truncated_tail(), backend)
    assert "Seite 2." in doc.text and "Bewilligungsbehoerde" in doc.text
    assert doc.pdf_backend == "pdfium" and doc.pages == 2 and doc.errors == []
    if backend == "pdfplumber":            # it says who read it instead
        assert doc.warnings[0] == "pdfplumber could not open the file; read with pdfium"


@pytest.mark.parametrize("backend", BACKENDS)
def test_page_tree_loop_costs_at_most_one_page(backend):
    doc = parsed(H.page_tree_loop(), backend)
    assert "Die Frist endet am 15. Mai 2025." in doc.text
    assert all("internal" not in e for e in doc.errors)
    assert doc.errors in ([], ["page 2: could not be read (damaged page object)"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_image_only_pages_between_text_pages_are_named(backend):
    doc = parsed(H.image_only_middle_pages(), backend)
    assert "Seite 1." in doc.text and "Seite 4." in doc.text and doc.pages == 4
    assert doc.pdf_backend == backend
    assert doc.errors == ["pages 2–3 are images only (OCR needed); the text of the other pages was read"]
    assert [s.page for s in doc.sections] == [1, 4]


def test_font_without_unicode_map_is_not_passed_off_as_text():
    """pdfplumber sees "(cid:N)"; pdfium prints the glyph ids as characters ("$%&'()*+,-./0123"),
    which are not taken for text. (pdfium alone cannot tell: see pdf._reads_better.)"""
    with pytest.raises(ParseError, match=r"not decodable \(fonts without Unicode mapping\)"):
        parsed(H.font_without_tounicode(), "pdfplumber")


def test_cid_placeholders_are_removed_and_the_page_named():
    """One undecodable page among readable ones: the text has no "(cid:N)", the page is named."""
    good = H.text_content(["Seite 1."] + H.SENTENCES)
    cid = H.font_without_tounicode()
    # the CID page's objects renumbered into a two-page document
    objects = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [10 0 R 12 0 R] /Count 2 >>",
               3: H.FONT,
               10: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                   b"/Contents 11 0 R >>",
               11: H.stream(good)}
    import re
    for num, body in re.findall(rb"(\d+) 0 obj\n(.*?)\nendobj", cid, re.S):
        n = int(num)
        if n in (3, 4, 5):
            objects[n + 20] = body.replace(b"4 0 R", b"24 0 R").replace(b"5 0 R", b"25 0 R")
        if n == 11:
            objects[13] = body
    objects[12] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 23 0 R >> >> "
                   b"/Contents 13 0 R >>")
    doc = parsed(H.build(objects), "pdfplumber")
    assert "(cid:" not in doc.text and "Seite 1." in doc.text
    assert doc.errors == ["page 2: text layer not decodable (fonts without Unicode mapping); run OCR on those "
                          "pages for their text"]


def test_fifty_thousand_line_segments_cost_no_seconds():
    t = time.perf_counter()
    doc = parsed(H.many_line_segments(50_000), "pdfplumber")
    took = time.perf_counter() - t
    assert "Lageplan Gewerbegebiet Nord." in doc.text and "15. Mai 2025" in doc.text
    assert any("50,000 line segments" in w and "FOERDERRADAR_MAX_PDF_PAGE_SEGMENTS" in w for w in doc.warnings)
    assert took < 5, took          # 7-10 s before: pdfminer laid out every segment


def test_junk_before_the_header_and_no_header():
    junk = H.junk_before_header()
    assert sniff(junk, "download.bin") == "pdf"
    assert "Die Frist endet" in parsed(junk, "pdfplumber").text
    headerless = H.text_pdf(1)
    headerless = headerless[headerless.index(b"1 0 obj"):]
    assert sniff(headerless, "download") == "pdf"
    doc = parse_bytes(headerless, "download")
    assert doc.kind == "pdf" and "Die Frist endet" in doc.text and doc.title != "1 0 obj"


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_reason_for_no_text_has_its_own_message(backend):
    with pytest.raises(ParseError, match="page tree is broken"):
        parsed(H.broken_page_tree(), backend)
    with pytest.raises(ParseError, match="neither text nor images"):
        parsed(H.no_text_no_images(), backend)
    scan = H.pages_doc([b"q 400 0 0 600 90 120 cm /Im1 Do Q"],
                       resources=b"<< /XObject << /Im1 90 0 R >> >>",
                       extra_objects={90: H.stream(bytes(1600), b" /Type /XObject /Subtype /Image /Width 40 "
                                                   b"/Height 40 /ColorSpace /DeviceGray /BitsPerComponent 8")})
    with pytest.raises(ParseError, match="images only.*OCR"):
        parsed(scan, backend)


def test_damaged_flate_stream_is_not_called_a_scan():
    doc = parsed(H.damaged_flate(), "pdfplumber")        # pdfium reads what pdfplumber cannot
    assert "Die Frist endet am 15. Mai 2025." in doc.text and doc.pdf_backend == "pdfium"
    # cut so that nothing is left: the message says damaged, never "no text layer / OCR"
    data = H.damaged_flate().replace(b"/Length", b"/Foo 1 /Length")
    body_start = data.index(b"stream\n") + 7
    end = data.index(b"\nendstream")
    data = data[:body_start] + b"\x00" * (end - body_start) + data[end:]
    with pytest.raises(ParseError) as err:
        parsed(data, "pdfplumber")
    assert "OCR" not in str(err.value)


def test_pdfium_errors_come_from_the_file_not_the_previous_one(make_pdf):
    from reportlab.lib.pdfencrypt import StandardEncryption

    from extractors.parse.pdf import parse_pdf

    locked = make_pdf([("p", "Vertraulich.")], encrypt=StandardEncryption("geheim", canPrint=0))
    with pytest.raises(ParseError, match="encrypted"):
        parse_pdf(locked, "a.pdf", backend="pdfium")
    with pytest.raises(ParseError) as err:
        parse_pdf(b"%PDF-1.4\n" + b"\x00garbage" * 50, "b.pdf", backend="pdfium")
    assert "encrypted" not in str(err.value) and "Success" not in str(err.value)


def test_library_warnings_are_kept_not_printed(capfd):
    doc = parsed(H.truncated_tail(), "pdfplumber")
    out, err = capfd.readouterr()
    assert err == "" and out == ""
    assert doc.warnings


# -- the budget ----------------------------------------------------------------------------------

def test_page_content_cap_stops_a_decompression_bomb(monkeypatch):
    from extractors import settings

    monkeypatch.setattr(settings, "MAX_PDF_PAGE_CONTENT_BYTES", 8 * 2**20)
    t = time.perf_counter()
    with pytest.raises(ParseError, match="inflates to more than 8 MiB.*decompression bomb"):
        parsed(H.decompression_bomb(64), "pdfplumber")
    assert time.perf_counter() - t < 10


def test_reference_loop_is_stopped_by_the_watchdog_and_the_worker_restarts(tmp_path):
    """6 -> 7 -> 6: pdfminer resolves references forever. The guard kills it; the next file is read."""
    loop, good = tmp_path / "schleife.pdf", tmp_path / "gut.pdf"
    loop.write_bytes(H.reference_loop())
    good.write_bytes(H.text_pdf(1))
    with ParseGuard(timeout=4) as guard:
        for backend in BACKENDS:
            t = time.perf_counter()
            with pytest.raises(ParseError, match="took longer than 4 s"):
                guard.call(read_file, str(loop), backend)
            assert time.perf_counter() - t < 20
            doc = guard.call(read_file, str(good), backend)
            assert "Die Frist endet" in doc.text
        assert guard.restarts == 2


def test_memory_limit_stops_a_bomb_the_caps_let_through(tmp_path, monkeypatch):
    monkeypatch.setenv("FOERDERRADAR_MAX_PDF_PAGE_CONTENT_MB", "100000")      # caps off: only the limit
    bomb = tmp_path / "bombe.pdf"
    bomb.write_bytes(H.decompression_bomb(768))
    with ParseGuard(timeout=120, memory=600 * 2**20) as guard:
        with pytest.raises(ParseError, match="more than 600 MiB of memory"):
            guard.call(read_file, str(bomb), "pdfplumber")
        assert "Die Frist endet" in guard.call(read_file, str(_small(tmp_path)), None).text


def _small(tmp_path):
    p = tmp_path / "klein.pdf"
    p.write_bytes(H.text_pdf(1))
    return p


def test_ingest_parse_task_survives_a_hanging_document(tmp_path, monkeypatch):
    """The flow's parse step runs each document under the same budget and records the failure."""
    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    monkeypatch.setenv("FOERDERRADAR_PARSE_TIMEOUT", "4")
    from extractors import settings

    monkeypatch.setattr(settings, "PARSE_TIMEOUT_SECONDS", 4.0)
    from extractors.rawstore import RawStore
    from extractors.sources import get_source
    from flows.tasks import parse_documents

    store = RawStore()
    recs = []
    for i, data in enumerate([H.reference_loop(), H.text_pdf(1)]):
        recs.append(store.put("web", data, url=f"https://x.example/{i}.pdf", status=200,
                              content_type="application/pdf"))
    source = get_source("web", url="https://x.example/")
    parsed_out, _secs = parse_documents.fn(source, recs)
    loop_doc, good_doc = parsed_out[0].documents[0], parsed_out[1].documents[0]
    assert loop_doc.text == "" and "took longer than 4 s" in loop_doc.errors[0]
    assert "Die Frist endet" in good_doc.text and good_doc.pdf_backend == "pdfplumber"


def test_a_slow_pdfplumber_hands_the_remaining_pages_to_pdfium(monkeypatch):
    """Past half the parse budget the rest of the document is read by pdfium instead of being lost
    to the watchdog (real table-heavy reports took over 60 s with pdfplumber, 0.6 s with pdfium)."""
    from extractors import settings

    monkeypatch.setattr(settings, "PARSE_TIMEOUT_SECONDS", 0.0)      # every page is past half of it
    doc = parsed(H.text_pdf(3), "pdfplumber")
    assert doc.pdf_backend == "pdfplumber" and doc.pages == 3 and doc.errors == []
    assert all(f"Seite {n}." in doc.text for n in (1, 2, 3))
    assert doc.warnings == ["pdfplumber took more than 0 s (half of FOERDERRADAR_PARSE_TIMEOUT); pages 1–3 read "
                            "as plain text with pdfium, no tables"]
