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


# -- HTML: lxml pre-pass (bs4 builds only what boilerplate removal keeps) ----------------------------

def _tree_after_removal(soup):
    """What parse_html reads from a soup: scan results before removal, the tree after it."""
    from bs4 import Doctype

    from extractors.parse import html as H

    scan = H._Scan(soup, H.rules())
    before = (H._published(scan.metas, scan.times), H.inline_text(scan.h1) if scan.h1 is not None else None,
              scan.base)
    H.remove_boilerplate(scan)
    for d in [d for d in soup.contents if isinstance(d, Doctype)]:
        d.extract()
    return before, str(soup).rstrip(), H.content_root(soup, scan).name


def _full_soup(text):
    from bs4 import BeautifulSoup

    return BeautifulSoup(text, "lxml", multi_valued_attributes=None)


TRICKY_PAGES = [
    # an <h1> inside navigation: the only heading, so it is the title (read before removal)
    "<html><body><nav class='kopf'><h1>Dorfentwicklung <button>Menü</button></h1></nav>"
    "<p>Zuschüsse für Dorfgemeinschaftshäuser.</p></body></html>",
    # <time> and <meta itemprop> inside a share block that is removed
    "<html><body><div class='share'><time datetime='2024-03-05'>5. März</time><a href='/x'>Teilen</a></div>"
    "<div class='footer'><meta itemprop='datePublished' content='2023-01-02'></div>"
    "<main><p>Antragsfrist: 30.06.2024.</p></main></body></html>",
    # share words separated by removed buttons stay separate strings (each matches a text rule)
    "<html><body><div>Teilen<button>f</button>Drucken<input type='button'>Nach oben</div>"
    "<p>Förderfähig sind Vereine mit Sitz im Landkreis.</p></body></html>",
    # <main> inside an element whose class looks like boilerplate keeps it alive
    "<html><body><div class='page-navigation-wrapper'><main><h2>Programm</h2><p>Bis zu 80 % Förderung.</p>"
    "</main></div><aside>Weitere Themen</aside></body></html>",
    # header/footer inside <article> are kept, outside removed; a nav inside <article> always goes
    "<html><body><header>Logo Land</header><article><header><p>Pressemitteilung vom 2. Mai 2024</p></header>"
    "<nav>Zurück | Weiter</nav><p>Das Land fördert Radwege mit 5 Mio. Euro.</p><footer>Quelle: Ministerium</footer>"
    "</article><footer>Impressum</footer></body></html>",
    # hidden elements, roles, aria labels; a comment before the root; tails after removed elements
    "<!-- vorher --><html><body><div hidden>Versteckt</div>Text davor<div role='navigation'>A | B</div>danach"
    "<ul aria-label='Breadcrumb'><li>Start</li></ul><p style='display:none'>weg</p><pre>Zeile 1\n  Zeile 2</pre>"
    "<table><tr><td>Betrag</td><td>50.000 €</td></tr><tr><td class='print'>x</td><td>y</td></tr></table>"
    "</body></html><!-- danach -->",
    # malformed: unclosed tags, stray end tags, a list item outside a list, a cell outside a table
    "<body><p>Erster Absatz<div class='social'>Facebook</div><p>Zweiter <b>fett<li>Punkt</p></div>"
    "<td>Zelle</td><span class='skip-link'>Zum Inhalt</span>Schluss",
]


@pytest.mark.parametrize("page", TRICKY_PAGES)
def test_prepass_tree_equals_full_bs4_parse(page):
    from extractors.parse.html import build_soup

    assert _tree_after_removal(build_soup(page)) == _tree_after_removal(_full_soup(page))


def _random_page(rng):
    words = "Förderung Gemeinde Zuschuss Antrag bis 31.03.2025 höchstens 50.000 Euro Teilen Drucken Zurück".split()
    classes = ["content", "nav-item", "footer", "breadcrumb", "cookie-hint", "share", "text", "sidebar", ""]
    names = ["div", "p", "nav", "header", "footer", "aside", "main", "article", "section", "ul", "li", "h1",
             "h2", "span", "a", "button", "time", "table", "tr", "td", "form", "pre", "br", "meta"]
    out = []

    def node(depth):
        if depth > 5 or rng.random() < 0.3:
            out.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 6))))
            return
        name = rng.choice(names)
        attrs = f' class="{rng.choice(classes)}"' if rng.random() < 0.4 else ""
        attrs += ' role="navigation"' if rng.random() < 0.05 else ""
        attrs += ' datetime="2024-02-01"' if name == "time" else ""
        attrs += ' itemprop="datePublished" content="2024-05-06"' if name == "meta" else ""
        out.append(f"<{name}{attrs}>")
        for _ in range(rng.randint(0, 3)):
            node(depth + 1)
        if rng.random() < 0.9:
            out.append(f"</{name}>")

    out.append("<html><head><title>Portal</title></head><body>")
    for _ in range(rng.randint(1, 5)):
        node(0)
    return "".join(out)


def test_prepass_tree_equals_full_bs4_parse_on_random_pages():
    from extractors.parse.html import build_soup

    rng = random.Random(20250301)
    for _ in range(150):
        page = _random_page(rng)
        assert _tree_after_removal(build_soup(page)) == _tree_after_removal(_full_soup(page)), page


def test_prepass_hands_bs4_only_what_removal_keeps(sample_dir):
    from extractors.parse.html import _RAW_TEXT, build_soup

    text = _RAW_TEXT.sub(" ", (sample_dir / "landesportal_nahversorgung_im_dorf.html").read_text(encoding="utf-8"))
    pruned, full = build_soup(text), _full_soup(text)
    assert len(pruned.find_all(True)) < 0.8 * len(full.find_all(True))
    assert pruned.find("nav") is None and full.find("nav") is not None
    assert _tree_after_removal(pruned) == _tree_after_removal(full)


def test_prepass_read_values_before_removal():
    nav_h1, share_time = TRICKY_PAGES[0], TRICKY_PAGES[1]
    doc = parse_bytes(nav_h1.encode(), "n.html")
    assert doc.title == "Dorfentwicklung Menü" and doc.text == "Zuschüsse für Dorfgemeinschaftshäuser."
    doc = parse_bytes(share_time.encode(), "s.html")
    assert str(doc.published) == "2023-01-02" and doc.text == "Antragsfrist: 30.06.2024."
    doc = parse_bytes(TRICKY_PAGES[2].encode(), "t.html")
    assert doc.text == "Förderfähig sind Vereine mit Sitz im Landkreis."


@pytest.mark.parametrize("depth, wrapper", [(300, "div"), (2100, "div"), (2100, "nav")])
def test_deeply_nested_page_keeps_its_text(depth, wrapper):
    # libxml2 building a tree stops at 256 levels (2048 with huge_tree); bs4 streaming does not
    page = (f"<html><body><{wrapper}>" + "<div>" * depth + "Tief verschachtelt" + "</div>" * depth
            + f"</{wrapper}><p>Anträge bis 1. März 2025.</p></body></html>")
    doc = parse_bytes(page.encode(), "tief.html")
    assert doc.text.endswith("Anträge bis 1. März 2025.")
    assert ("Tief verschachtelt" in doc.text) == (wrapper == "div")


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
    assert doc.text.endswith("Inhalt Ende")                    # the text after it is kept
    assert doc.warnings == ["external entity &x; not loaded (external files and URLs are never read); left out"]


def test_xml_internal_entities_are_resolved():
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE d [<!ENTITY auml "ä"><!ENTITY lk "Landkreis M&auml;rz">]>'
           "<d><titel>F&auml;rderung</titel><text>Antr&auml;ge im &lk; bis 15. Mai 2025.</text><text>Ende.</text></d>")
    doc = parse_bytes(xml.encode(), "d.xml")
    assert doc.text == "Färderung\n\nAnträge im Landkreis März bis 15. Mai 2025.\n\nEnde." and doc.warnings == []


def test_xml_entity_bomb_is_left_out_and_the_rest_kept():
    levels = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    xml = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY l0 "lol">{levels}<!ENTITY a "&b;"><!ENTITY b "&a;">]>'
           "<d><a>Vorher: Förderung.</a><b>&l9;</b><c>&a;</c><c>Danach: Anträge bis 15. Mai 2025.</c></d>")
    doc = parse_bytes(xml.encode(), "bombe.xml")
    assert doc.text == "Vorher: Förderung.\n\nDanach: Anträge bis 15. Mai 2025."
    assert doc.warnings == ["entity &l9; would expand to 3,000,000,000 characters (an entity bomb?); left out",
                            "entity &a; refers to itself (an entity bomb?); left out"]


def test_rss_with_html_entity_names():
    rss = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Aufrufe</title>'
           "<item><title>Zusch&uuml;sse f&uuml;r D&ouml;rfer</title><description>Antr&auml;ge bis 15. Mai 2025 "
           "&amp; mehr &ndash; &lt;sofort&gt;.</description></item></channel></rss>")
    doc = parse_bytes(rss.encode(), "feed.xml")
    assert doc.text == "Zuschüsse für Dörfer\n\nAnträge bis 15. Mai 2025 & mehr – <sofort>."


def test_xml_declared_utf8_but_written_in_cp1252():
    xml = ('<?xml version="1.0" encoding="UTF-8"?><d><titel>Förderaufruf Dorfläden</titel>'
           "<text>Anträge für Zuschüsse bis 15. Mai 2025, höchstens 15.000 € je Gemeinde.</text></d>").encode("cp1252")
    doc = parse_bytes(xml, "d.xml")
    assert doc.text == ("Förderaufruf Dorfläden\n\nAnträge für Zuschüsse bis 15. Mai 2025, höchstens 15.000 € "
                        "je Gemeinde.")
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith("declared UTF-8 but is not; read as cp125")


@pytest.mark.slow
def test_nested_tables_cost_linear_time():
    """Each table asked "do you hold a table?" of its whole subtree: 4,000 levels took 7 s."""
    import time

    n = 6000
    page = "<html><body>" + "<table><tr><td>Zelle" * n + "</td></tr></table>" * n + "<p>Ende.</p></body></html>"
    t = time.perf_counter()
    doc = parse_bytes(page.encode(), "tabellen.html")
    took = time.perf_counter() - t
    assert doc.text.count("Zelle") == n and doc.text.endswith("Ende.")
    assert took < 8, took


def test_titles_are_capped():
    doc = parse_bytes(("Förderaufruf " + "sehr lang " * 100_000).encode(), "eine_zeile.txt")
    assert len(doc.title) == 300 and doc.title.endswith("…") and len(doc.text) > 1_000_000


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
    with pytest.raises(ParseError, match="neither text nor images"):
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
