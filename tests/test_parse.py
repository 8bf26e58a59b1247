"""Golden tests for parsing: text, HTML (boilerplate, charset), PDF (tables, pages, hyphens), XML.

Trafilatura style: what the text must contain, what it must not contain, plus the structure
(title, sections with offsets, tables, pages). All inputs are the project's own texts.
"""
from __future__ import annotations

import io
import random

import pytest

from extractors.parse import ParseError, parse_bytes, read_document, sniff
from extractors.parse.normalize import clean_line, dehyphenate_lines, normalize_text


def assert_sections_point_into_text(doc):
    for s in doc.sections:
        assert 0 <= s.start < s.end <= len(doc.text)
        if s.title and s.page is None:
            assert doc.text[s.start:s.start + len(s.title)] == s.title


# -- normalisation -------------------------------------------------------------------------------

def test_normalize_text_rules():
    raw = ("Förder\u00adprogramm\u200b  für\t\tKommunen\r\nZweite   Zeile\r\n\r\n\r\n\r\nDritter Absatz"
           "\nBetrag: 50\u00a0000\u00a0Euro, Ort:\u00a0Bonn\n")
    text = normalize_text(raw)
    assert text == ("Förderprogramm für Kommunen\nZweite Zeile\n\nDritter Absatz\n"
                    "Betrag: 50\u00a0000\u00a0Euro, Ort: Bonn")


def test_decomposed_umlauts_are_composed():
    assert clean_line("Fo\u0308rderung fu\u0308r Gemeinden") == "Förderung für Gemeinden"


@pytest.mark.parametrize("lines, expected", [
    (["Das Förder-", "programm hilft."], "Das Förderprogramm hilft."),
    (["Bundes-", "und Landesmittel"], "Bundes- und Landesmittel"),
    (["die E-", "Mobilität"], "die E-Mobilität"),
    (["Förder-", "oder Beratungsprogramme"], "Förder- oder Beratungsprogramme"),
    (["erste Zeile", "zweite Zeile"], "erste Zeile zweite Zeile"),
])
def test_dehyphenation(lines, expected):
    assert dehyphenate_lines(lines) == expected


# -- plain text ------------------------------------------------------------------------------------

def test_sample_text_document(sample_dir):
    doc = read_document(sample_dir / "bmwk_foerderaufruf_klimaresiliente_quartiere.txt")
    assert doc.kind == "txt" and not doc.errors and doc.sha256
    assert doc.title == "Förderaufruf „Klimaresiliente Quartiere 2025“"
    assert "bis zum 15. Mai 2025, 12:00 Uhr" in doc.text
    assert "\n\n\n" not in doc.text
    titles = [s.title for s in doc.sections]
    assert "3. Zweistufiges Verfahren" in titles and "2. Wer kann sich bewerben?" in titles
    assert "10115 Berlin" not in titles
    assert_sections_point_into_text(doc)
    verfahren = next(s for s in doc.sections if s.title == "3. Zweistufiges Verfahren")
    assert "Projektskizzen" in doc.text[verfahren.start:verfahren.end]
    assert "Informationsveranstaltung" not in doc.text[verfahren.start:verfahren.end]


def test_text_in_legacy_encoding_decodes_umlauts():
    data = "Zuschüsse für Dorfläden: höchstens 5.000 € je Maßnahme.".encode("cp1252")
    doc = parse_bytes(data, "alt.txt")
    assert doc.text == "Zuschüsse für Dorfläden: höchstens 5.000 € je Maßnahme."


def test_utf16_text_with_bom():
    doc = parse_bytes("Antragsfrist für Gemeinden: 31. März 2025".encode("utf-16"), "u16.txt")
    assert doc.kind == "txt" and doc.text == "Antragsfrist für Gemeinden: 31. März 2025"


# -- HTML ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def portal(sample_dir):
    return read_document(sample_dir / "landesportal_nahversorgung_im_dorf.html")


@pytest.mark.parametrize("phrase", [
    "Mit dem Förderprogramm „Nahversorgung im Dorf“ unterstützt das Land Sachsen-Anhalt",
    "höchstens 200\u00a0000\u00a0Euro je Vorhaben",
    "• Kühltheken, Kassensysteme und Warenautomaten,",
    "Gemeinden und Verbandsgemeinden | 60 % | 200.000 €",
    "Antragsfrist\nAnträge für das Programmjahr 2025 sind bis zum 28. Februar 2025",
    "Stand: 18.11.2024",
])
def test_portal_keeps_content(portal, phrase):
    assert phrase in portal.text


@pytest.mark.parametrize("phrase", [
    "Cookies", "Alle akzeptieren", "Direkt zum Inhalt", "Hauptnavigation", "Wirtschaft",
    "Sie sind hier", "Startseite", "Seite teilen", "Facebook", "Das könnte Sie auch interessieren",
    "LEADER", "Impressum", "© 2024", "Nach oben", "Suchbegriff", "gtag", "position:fixed",
])
def test_portal_drops_boilerplate(portal, phrase):
    assert phrase not in portal.text


def test_portal_structure(portal):
    assert portal.kind == "html" and not portal.errors
    assert portal.title == "Nahversorgung im Dorf"
    assert str(portal.published) == "2024-11-18"
    assert portal.text.startswith("Nahversorgung im Dorf\n\nMit dem Förderprogramm")
    assert "\n\n\n" not in portal.text
    assert [s.title for s in portal.sections] == [
        "Nahversorgung im Dorf", "Was wird gefördert?", "Wie hoch ist die Förderung?", "Bisherige Projekte",
        "Fristen", "Ansprechpartner"]
    assert_sections_point_into_text(portal)
    assert portal.tables == [[["Antragsteller", "Fördersatz", "Höchstbetrag"],
                              ["Gemeinden und Verbandsgemeinden", "60 %", "200.000 €"],
                              ["Genossenschaften und Vereine", "50 %", "150.000 €"]]]
    # bullets of one list on consecutive lines, paragraphs separated by a blank line
    assert "Ladenflächen,\n• Kühltheken" in portal.text
    assert "zum Beispiel:\n\n• Umbau" in portal.text


def test_municipal_page(sample_dir):
    doc = read_document(sample_dir / "gemeinde_kirchlinteln_buergerbudget.html")
    assert doc.title == "Bürgerbudget 2024 startet: Ideen für das Dorfleben gesucht"
    assert str(doc.published) == "2024-04-22"
    assert "bis zum 30. Juni 2024 im Rathaus einreichen" in doc.text
    for junk in ("Leichte Sprache", "Rathaus & Politik", "Zurück zur Übersicht", "Teilen auf Facebook",
                 "Drucken", "27308", "Datenschutz"):
        assert junk not in doc.text


PAGE = """<html><head><title>Zuschüsse für Dorfläden | Landkreis</title></head><body>
<div class="nav">Start | Förderung</div>
<h1>Zuschüsse für Dorfläden</h1><p>Gefördert werden Dorfläden in Gemeinden mit höchstens 2.000 Einwohnern.
Der Zuschuss beträgt bis zu 15.000 €.</p></body></html>"""


@pytest.mark.parametrize("data, content_type", [
    (PAGE.encode("cp1252"), None),                                             # no charset at all
    (PAGE.replace("<head>", '<head><meta charset="utf-8">').encode("cp1252"), None),   # wrong meta
    (PAGE.encode("cp1252"), "text/html; charset=utf-8"),                         # wrong HTTP header
    (PAGE.replace("<head>", '<head><meta charset="iso-8859-1">').encode("utf-8"), None),  # claims latin-1
    (PAGE.encode("iso-8859-15").replace(b"\xa4", b"\x80"), "text/html; charset=windows-1252"),
    (b"\xef\xbb\xbf" + PAGE.encode("utf-8"), "text/html; charset=iso-8859-1"),    # BOM wins
])
def test_html_charset_wrong_or_missing(data, content_type):
    doc = parse_bytes(data, "page.html", content_type)
    assert doc.title == "Zuschüsse für Dorfläden"
    assert "Gefördert werden Dorfläden in Gemeinden mit höchstens 2.000 Einwohnern. Der Zuschuss beträgt bis zu 15.000 €." in doc.text
    assert "Start | Förderung" not in doc.text


def test_html_content_inside_form_and_wrappers_is_kept():
    html = """<html><body><form id="aspnetForm"><div class="page has-sidebar">
    <nav><a href="/">Start</a></nav>
    <div class="content"><h1>Förderaufruf Ortskerne</h1><p>Skizzen bis zum 1. Juni 2025.</p></div>
    <div class="sidebar"><p>Weitere Programme</p></div></div></form></body></html>"""
    doc = parse_bytes(html.encode(), "x.html")
    assert doc.text == "Förderaufruf Ortskerne\n\nSkizzen bis zum 1. Juni 2025."


def test_article_header_with_h1_is_kept_and_links_resolved():
    html = """<html><body><header class="site"><a href="/">Logo</a></header><main><article>
    <header><h1>Gigabit im Kreis</h1><time datetime="2024-02-01">1. Februar 2024</time></header>
    <p>Details im <a href="/richtlinie.pdf">Merkblatt</a>; Anträge <br>bis 30.04.2024.</p></article></main>
    <footer>Kontakt</footer></body></html>"""
    doc = parse_bytes(html.encode(), "https://kreis.example.org/foerderung/gigabit")
    assert doc.title == "Gigabit im Kreis" and str(doc.published) == "2024-02-01"
    assert doc.text == "Gigabit im Kreis\n\n1. Februar 2024\n\nDetails im Merkblatt; Anträge\nbis 30.04.2024."
    assert [(lk.url, lk.text) for lk in doc.links] == [("https://kreis.example.org/richtlinie.pdf", "Merkblatt")]


def test_html_without_text_reports_it():
    doc = parse_bytes(b"<html><body><nav><a href='/'>Start</a></nav><script>x()</script></body></html>", "n.html")
    assert doc.text == "" and "no text found" in doc.errors[0]


# -- sniffing and XML ------------------------------------------------------------------------------

def test_kind_comes_from_content_not_name(make_pdf):
    pdf = make_pdf([("p", "Ein kurzer Text über Förderung von Gemeinden.")])
    assert sniff(pdf, "bescheid.html") == "pdf"
    assert sniff(b"<!DOCTYPE html><html><body><p>Hallo</p></body></html>", "seite.txt") == "html"
    assert sniff(b"<p>Gefoerdert werden</p>\n<p>Dorflaeden</p>", "export") == "html"
    assert sniff(b"Antragsfrist: 31.03.2025 <siehe Merkblatt>", "notiz.html") == "txt"
    assert sniff(b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "feed") == "xml"
    assert sniff(b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>', "a") == "html"
    assert parse_bytes(pdf, "bescheid.html").kind == "pdf"


def test_rss_feed_items_become_sections():
    rss = """<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0"><channel><title>Förderticker</title>
<item><title>Neuer Aufruf: Dorfplätze</title><link>https://x.example.org/a</link>
<description>&lt;p&gt;Zuschüsse bis zu 80.000 Euro.&lt;/p&gt;&lt;p&gt;Frist: 1. März&lt;/p&gt;</description></item>
<item><title>Radwege</title><description>Anträge bis 15. Juli 2025.</description></item>
</channel></rss>""".encode("iso-8859-1")
    doc = parse_bytes(rss, "feed.xml")
    assert doc.kind == "xml" and doc.title == "Förderticker"
    assert doc.text == ("Neuer Aufruf: Dorfplätze\n\nZuschüsse bis zu 80.000 Euro.\n\nFrist: 1. März\n\n"
                        "Radwege\n\nAnträge bis 15. Juli 2025.")
    assert [s.title for s in doc.sections] == ["Neuer Aufruf: Dorfplätze", "Radwege"]
    assert doc.links[0].url == "https://x.example.org/a"


def test_xml_does_not_expand_external_entities(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("GEHEIM")
    xml = f"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>
<dokument><titel>Programm</titel><text>Inhalt &x; Ende</text></dokument>"""
    doc = parse_bytes(xml.encode(), "d.xml")
    assert "GEHEIM" not in doc.text and "Programm" in doc.text


# -- PDF -------------------------------------------------------------------------------------------

RICHTLINIE_BLOCKS = [
    ("h1", "Richtlinie zur Förderung von Bürgerhäusern"),
    ("p", "Der Landkreis gewährt Zuschüsse für die Sanierung von Bürgerhäusern in Städten und Gemeinden. "
          "Gefördert werden Maßnahmen zur Barrierefreiheit, Wärmedämmung und Modernisierung der Küchen."),
    ("p", "Anträge sind bis zum 31. Oktober 2025 beim Landratsamt einzureichen."),
    ("table", [["Maßnahme", "Fördersatz", "Höchstbetrag"],
               ["Barrierefreiheit", "60 %", "40.000 €"],
               ["Wärmedämmung", "50 %", "25.000 €"]]),
    ("pagebreak", None),
    ("h1", "Verfahren und Nachweise"),
    ("p", "Der Verwendungsnachweis ist innerhalb von drei Monaten nach Abschluss vorzulegen."),
]


@pytest.fixture(scope="module")
def richtlinie_pdf(make_pdf):
    return make_pdf(RICHTLINIE_BLOCKS, title="Richtlinie Bürgerhäuser")


def test_pdf_pdfplumber(richtlinie_pdf):
    doc = parse_bytes(richtlinie_pdf, "richtlinie.pdf")
    assert doc.kind == "pdf" and not doc.errors
    assert doc.title == "Richtlinie zur Förderung von Bürgerhäusern"
    for phrase in ("Der Landkreis gewährt Zuschüsse für die Sanierung von Bürgerhäusern in Städten und Gemeinden. "
                   "Gefördert werden Maßnahmen",               # lines of one paragraph reflowed
                   "Anträge sind bis zum 31. Oktober 2025 beim Landratsamt einzureichen.",
                   "Maßnahme | Fördersatz | Höchstbetrag\nBarrierefreiheit | 60 % | 40.000 €",
                   "Verfahren und Nachweise"):
        assert phrase in doc.text
    # the table's cells are not repeated as running text
    assert doc.text.count("Wärmedämmung | 50 % | 25.000 €") == 1 and doc.text.count("25.000 €") == 1
    assert "Küchen.\n\nAnträge" in doc.text                      # paragraphs stay apart
    assert doc.tables == [[["Maßnahme", "Fördersatz", "Höchstbetrag"], ["Barrierefreiheit", "60 %", "40.000 €"],
                           ["Wärmedämmung", "50 %", "25.000 €"]]]
    assert [(s.page, s.title) for s in doc.sections] == [
        (1, "Richtlinie zur Förderung von Bürgerhäusern"), (2, "Verfahren und Nachweise")]
    p1, p2 = doc.sections
    assert "40.000 €" in doc.text[p1.start:p1.end] and "Verwendungsnachweis" in doc.text[p2.start:p2.end]
    assert p1.end <= p2.start


def test_pdf_pdfium_backend(richtlinie_pdf, monkeypatch):
    from extractors.parse.pdf import parse_pdf

    fast = parse_pdf(richtlinie_pdf, "r.pdf", backend="pdfium")
    assert "Anträge sind bis zum 31. Oktober 2025 beim Landratsamt einzureichen." in fast.text
    assert "Wärmedämmung" in fast.text and fast.tables == []
    assert [s.page for s in fast.sections] == [1, 2]
    monkeypatch.setenv("FOERDERRADAR_PDF_BACKEND", "pdfium")
    assert parse_bytes(richtlinie_pdf, "r.pdf").tables == []
    monkeypatch.setenv("FOERDERRADAR_PDF_BACKEND", "pdfplumber")
    assert parse_bytes(richtlinie_pdf, "r.pdf").tables
    with pytest.raises(ParseError, match="unknown PDF backend"):
        parse_pdf(richtlinie_pdf, "r.pdf", backend="tesseract")


def _canvas_pdf(lines: list[str]) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("Helvetica", 11)
    y = 780
    for ln in lines:
        c.drawString(72, y, ln)
        y -= 14
    c.save()
    return buf.getvalue()


def test_pdf_line_end_hyphens():
    pdf = _canvas_pdf(["Das neue Förder-", "programm unterstützt Bundes-", "und Landesvorhaben in der E-",
                       "Mobilität mit Zuschüssen."])
    for backend in ("pdfplumber", "pdfium"):
        from extractors.parse.pdf import parse_pdf

        text = parse_pdf(pdf, "h.pdf", backend=backend).text
        assert "Das neue Förderprogramm unterstützt Bundes- und Landesvorhaben in der E-Mobilität" in text, backend


def test_pdf_without_text_layer():
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.rect(100, 100, 200, 200, fill=1)
    c.save()
    with pytest.raises(ParseError, match="no text layer"):
        parse_bytes(buf.getvalue(), "scan.pdf")


def test_encrypted_and_corrupt_pdf(make_pdf):
    from reportlab.lib.pdfencrypt import StandardEncryption

    from extractors.parse.pdf import parse_pdf

    locked = make_pdf([("p", "Vertraulicher Förderbescheid über 10.000 Euro.")],
                      encrypt=StandardEncryption("geheim", canPrint=0))
    for backend in ("pdfplumber", "pdfium"):
        with pytest.raises(ParseError, match="encrypted"):
            parse_pdf(locked, "locked.pdf", backend=backend)
    good = make_pdf([("p", "Ein Text über Förderung.")])
    for broken in (b"%PDF-1.7\n" + random.Random(7).randbytes(3000), good[:200]):
        for backend in ("pdfplumber", "pdfium"):
            with pytest.raises(ParseError, match="damaged"):
                parse_pdf(broken, "broken.pdf", backend=backend)


# -- other bad input -------------------------------------------------------------------------------

def test_bad_bytes(monkeypatch):
    with pytest.raises(ParseError, match="empty"):
        parse_bytes(b"", "leer.txt")
    with pytest.raises(ParseError, match="whitespace"):
        parse_bytes(b"  \n\t\n", "leer.txt")
    garbage = random.Random(42).randbytes(4096)
    with pytest.raises(ParseError, match="binary data"):
        parse_bytes(garbage, "zufall.txt")
    with pytest.raises(ParseError, match="ZIP archive"):
        parse_bytes(b"PK\x03\x04" + garbage, "antrag.docx")
    import extractors.settings as settings

    monkeypatch.setattr(settings, "MAX_DOCUMENT_BYTES", 1024)
    with pytest.raises(ParseError, match="limit"):
        parse_bytes(b"a" * 2048, "gross.txt")


def test_read_document_never_raises(tmp_path):
    missing = read_document(tmp_path / "fehlt.txt")
    assert missing.text == "" and "cannot read file" in missing.errors[0]
    (tmp_path / "leer.html").write_bytes(b"")
    empty = read_document(tmp_path / "leer.html")
    assert empty.kind == "html" and empty.errors == ["file is empty"]
