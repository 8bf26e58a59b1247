"""Förderdatenbank sources: own fixtures of the same structure, and the real samples in ../shared."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractors.crawl import crawl_source
from extractors.fetch import FetchSettings
from extractors.rawstore import RawRecord, RawStore
from extractors.sources import get_source
from extractors.sources.foerderdatenbank import parse_programme_xml
from extractors.sources.foerderdatenbank_html import parse_detail

FIX = Path(__file__).resolve().parent / "fixtures" / "sources"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "sites"


def test_programme_xml_fields_and_sections():
    data = (FIX / "foerderdatenbank" / "programm-kommunal.xml").read_bytes()
    geber = (FIX / "foerderdatenbank" / "foerdergeber.xml").read_bytes()
    doc = parse_programme_xml(data, "export#x.xml", lambda ref: geber if ref.endswith("umweltministerium-nordland") else None)
    assert doc.title == "Klimafit Kommunen – Förderung kommunaler Klimaschutzprojekte"
    f = doc.fields
    assert f["programme"] == doc.title
    assert f["Förderart"] == ["Zuschuss", "Darlehen"] and f["Fördergebiet"] == ["Thüringen"]
    assert f["Förderberechtigte"] == ["Kommune"]
    assert f["Förderbereich"] == ["Kultur, Medien & Sport", "Umwelt- & Naturschutz"]
    assert f["Fördergeber"] == ["Ministerium für Umwelt und Klima des Landes Nordland (MUK)"]
    assert str(doc.published) == "2030-05-02"
    assert "bis zu 200.000 Euro je Vorhaben" in doc.text.replace("\u00a0", " ")
    assert "31. März 2031" in doc.text and "Interner Vermerk" not in doc.text
    assert [s.title for s in doc.sections] == ["Kurztext", "Volltext", "Rechtsgrundlage"]
    for s in doc.sections:
        assert doc.text[s.start:s.end].startswith(s.title)
    # without a lookup the funder level is used; a funder document is not a programme
    assert parse_programme_xml(data, "x").fields["Fördergeber"] == ["Land"]
    assert parse_programme_xml(geber, "x") is None
    with pytest.raises(ValueError, match="not well-formed"):
        parse_programme_xml(b"<document><property", "x")


def test_extraction_runs_on_export_document():
    from extractors.fields.pipeline import Extractor
    import datetime as dt
    doc = parse_programme_xml((FIX / "foerderdatenbank" / "programm-kommunal.xml").read_bytes(), "x")
    ex = Extractor(gazetteer=None).extract(doc)
    assert ex.source == "x" and ex.title == doc.title and not ex.errors


def test_detail_page_fields_and_sections():
    doc = parse_detail((FIX / "foerderdatenbank_html" / "detail.html").read_bytes(), "https://x/FDB/Content/DE/Foerderprogramm/a.html")
    assert doc.title == "Dorfladen Plus – Nahversorgung im ländlichen Raum"
    f = doc.fields
    assert f["Förderart"] == ["Zuschuss"] and f["Fördergebiet"] == ["Sachsen"]
    assert f["Förderbereich"] == ["Kultur, Medien & Sport", "Regionalförderung"]
    assert f["Förderberechtigte"] == ["Kommune", "Verband/Vereinigung"]
    assert f["Fördergeber"] == ["Ministerium für Regionalentwicklung, Land und Dorf"]
    assert f["Ansprechpunkt"] == ["Förderbank Nordost"]
    assert [s.title for s in doc.sections] == ["Kurztext", "Volltext"]
    assert "bis zu 80.000 Euro" in doc.text and "Impressum" not in doc.text and "Drucken" not in doc.text


def test_listing_pagination_followed_filters_not(httpserver, tmp_path):
    base = httpserver.url_for("/")
    overview = (FIX / "foerderdatenbank_html" / "overview.html").read_text().replace("https://www.foerderdatenbank.de/", base)
    detail = (FIX / "foerderdatenbank_html" / "detail.html").read_bytes()
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/SiteGlobals/FDB/Forms/Suche/Foederprogrammsuche_Formular.html").respond_with_data(
        overview, content_type="text/html")
    for slug in ("Land/Sachsen/dorfladen-plus", "Bund/BMX/gruenden-mit-idee"):
        httpserver.expect_request(f"/FDB/Content/DE/Foerderprogramm/{slug}.html").respond_with_data(detail, content_type="text/html")
    src = get_source("foerderdatenbank_html", allowed_hosts=f"localhost:{httpserver.port}", allow_private_network=True,
                     listing_url=base + "SiteGlobals/FDB/Forms/Suche/Foederprogrammsuche_Formular.html?filterCategories=FundingProgram")
    store = RawStore(tmp_path / "raw")
    r = crawl_source(src, store, settings=FetchSettings.for_tests(state_path=str(tmp_path / "s.json")))
    assert sorted(rec.url.rsplit("/", 1)[-1] for rec in r.records) == ["dorfladen-plus.html", "gruenden-mit-idee.html"]
    asked = [req.query_string.decode() for req, _ in httpserver.log if "Formular" in req.path]
    assert any("gtp=" in q for q in asked)                       # page 2 fetched
    assert not any("cl2Processes" in q or "sortOrder" in q for q in asked)   # facet links not
    docs = src.documents(r.records[0], store.read(r.records[0]))
    assert docs[0].fields["Förderart"] == ["Zuschuss"]


# -- the real samples (skipped where ../shared is absent) -------------------------------------

shared = pytest.mark.skipif(not SHARED.exists(), reason="../shared/sites not present")


@shared
@pytest.mark.shared
@pytest.mark.parametrize("name", ["detail_single_desc.html", "detail_multi_desc.html", "detail_rechts_only.html",
                                  "detail_fail_07_25.html", "detail_fail_19_12.html", "details_single_desc_alt.html"])
def test_real_detail_pages_match_their_labelled_fields(name):
    from bs4 import BeautifulSoup
    data = (SHARED / "foerderdatenbank-html" / name).read_bytes()
    doc = parse_detail(data, name)
    soup = BeautifulSoup(data, "lxml")
    assert doc.fields["programme"] == " ".join(soup.find("h1").get_text(" ").split())
    dl = soup.select_one("dl.document-info-fundingprogram")
    for dt_el in dl.find_all("dt"):
        label = " ".join(dt_el.get_text().split()).rstrip(":")
        value = " ".join(dt_el.find_next_sibling("dd").get_text(" ").split())
        key = {"Foerderart": "Förderart", "Foerderbereich": "Förderbereich", "Foerdergebiet": "Fördergebiet",
               "Foerderberechtigte": "Förderberechtigte", "Foerdergeber": "Fördergeber"}.get(label, label)
        if key in ("Förderart", "Förderbereich", "Fördergebiet", "Förderberechtigte"):
            got = doc.fields[key]
            if label == key:        # the page shows labels: they must come back verbatim
                assert ", ".join(got) == value
            else:                   # the page shows raw slugs: each becomes a readable label
                assert len(got) == len(value.split(",")) and all("_" not in g for g in got)
        if key == "Fördergeber":
            assert all(n in value for n in doc.fields["Fördergeber"])
    assert doc.text.startswith(doc.title) and len(doc.text) > len(doc.title) + 50
    assert "Einwilligung in Tracking" not in doc.text


@shared
@pytest.mark.shared
def test_real_export_programmes_parse_with_funder_names():
    root = SHARED / "foerderdatenbank-export"
    files = sorted(root.rglob("Foerderprogramm/**/*.xml"))
    assert files

    def related(ref):
        p = root / (ref.lstrip("/") + ".xml")
        return p.read_bytes() if p.exists() else None
    for f in files:
        doc = parse_programme_xml(f.read_bytes(), str(f), related)
        assert doc is not None and doc.title and doc.fields["programme"] == doc.title
        for key in ("Förderart", "Förderbereich", "Fördergebiet", "Förderberechtigte", "Fördergeber"):
            assert doc.fields.get(key), (f.name, key)
        assert "<" not in doc.text and "&lt;" not in doc.text and "Ticket#" not in doc.text
    ffa = parse_programme_xml((root / "BMWI/FDB/Content/DE/Foerderprogramm/Bund/BKM/deutsch-franzoesische-kooperationen-film-ffa.xml").read_bytes(), "ffa", related)
    html = parse_detail((SHARED / "foerderdatenbank-html" / "detail_fail_07_25.html").read_bytes(), "ffa.html")
    assert ffa.fields["Förderart"] == html.fields["Förderart"] and ffa.fields["Förderbereich"] == html.fields["Förderbereich"]
