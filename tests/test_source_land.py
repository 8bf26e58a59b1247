"""The source's Land, end to end: a source says which Land it covers (its ``land`` option, a
Förderdatenbank Fördergebiet naming one Land), its Documents carry it, and extraction resolves a
place name several Länder share by it (Neuenkirchen lies in Niedersachsen and in NRW)."""
from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from extractors.fields.gazetteer import Gazetteer
from extractors.fields.pipeline import Extractor
from extractors.rawstore import RawRecord
from extractors.sources import SourceError, get_source
from models.records import Document

TESTS = Path(__file__).resolve().parent
FIX = TESTS / "fixtures" / "sources"
SMALL_REGISTER = TESTS / "fixtures" / "gv100ad_small.txt"       # Neuenkirchen: 03358017, 05566060
REAL_REGISTER = TESTS.parents[1] / "shared" / "gazetteer" / "GV100AD_301123.txt"
NEUENKIRCHEN = "Die Gemeinde Neuenkirchen erhält 40.000 Euro für ihren Dorfladen."


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path / "home"))


@pytest.fixture(scope="module")
def extractor():
    return Extractor(gazetteer=Gazetteer.from_gv100ad(SMALL_REGISTER))


def keys(extraction) -> list[tuple[str, str | None]]:
    return [(m.name, m.ags) for m in extraction.municipalities]


def record(url: str) -> RawRecord:
    return RawRecord(url=url, source="x", sha256="0" * 64, path="x", content_type="text/html",
                     fetched_at="2031-01-01T00:00:00Z", status=200, final_url=url)


# -- extraction: the Document's Land reaches the municipality keys -----------------------------

@pytest.mark.parametrize("land,expected", [
    (None, [("Neuenkirchen", None)]),                 # two Länder have one: no key without a hint
    ("03", [("Neuenkirchen", "03358017")]),
    ("05", [("Neuenkirchen", "05566060")]),
    ("09", [("Neuenkirchen", None)]),                 # a Land that has none does not pick one
])
def test_document_land_resolves_a_shared_name(extractor, land, expected):
    doc = Document(source="x", kind="txt", text=NEUENKIRCHEN, land=land)
    assert keys(extractor.extract(doc)) == expected
    assert keys(extractor.extract_text(NEUENKIRCHEN, land=land)) == expected


def test_the_text_still_wins_over_the_source(extractor):
    # the Kreis the text names outweighs the Land of the source
    text = "Im Kreis Steinfurt erhält die Gemeinde Neuenkirchen 40.000 Euro."
    assert ("Neuenkirchen", "05566060") in keys(extractor.extract_text(text, land="03"))


def test_version_and_run_unchanged_without_a_land(extractor):
    doc = Document(source="x", kind="txt", text=NEUENKIRCHEN)
    assert extractor.extract(doc).extractor_version == extractor.version
    assert extractor.extract(doc.model_copy(update={"land": "03"})).extractor_version == extractor.version
    _doc, ctx = extractor.run(NEUENKIRCHEN)              # the old call, without a Land
    assert ctx.land is None
    _doc, ctx = extractor.run(NEUENKIRCHEN, land="03")
    assert ctx.land == "03"


@pytest.mark.parametrize("bad", ["Bayern", "9", "17", "00", ""])
def test_document_land_is_a_two_digit_code(bad):
    with pytest.raises(ValidationError, match="land"):
        Document(source="x", kind="txt", text="", land=bad)


@pytest.mark.shared
@pytest.mark.parametrize("land,ags", [
    (None, None), ("05", "05774028"), ("08", "08216028"), ("09", "09571175"), ("14", "14522330"),
    ("12", None),
])
def test_real_register_lichtenau_by_the_source_land(land, ags):
    if not REAL_REGISTER.exists():
        pytest.skip("../shared/gazetteer not available")
    ex = _real_extractor()
    rec = ex.extract_text("Die Stadt Lichtenau erhält 200.000 Euro für die Sanierung des Freibads.", land=land)
    assert [(m.name, m.ags, m.candidates) for m in rec.municipalities] == [("Lichtenau", ags, 4)]


_REAL: list[Extractor] = []


def _real_extractor() -> Extractor:
    if not _REAL:
        _REAL.append(Extractor(gazetteer=Gazetteer.from_gv100ad(REAL_REGISTER)))
    return _REAL[0]


# -- Förderdatenbank: the Fördergebiet ---------------------------------------------------------

EXPORT_MEMBER = "https://www.foerderdatenbank.de/FDB/WS/export/p.xml"   # no '#': no funder look-up
GEBIET = "target:/BMWI/SiteGlobals/Categories/FDB/Foerdergebiet/"


def _xml(*slugs: str) -> bytes:
    data = (FIX / "foerderdatenbank" / "programm-kommunal.xml").read_text(encoding="utf-8")
    one = f'<link xlink:href="{GEBIET}thueringen"/>'
    assert one in data
    return data.replace(one, "".join(f'<link xlink:href="{GEBIET}{s}"/>' for s in slugs)).encode("utf-8")


def _html(gebiet: str, sentence: str = "") -> bytes:
    data = (FIX / "foerderdatenbank_html" / "detail.html").read_text(encoding="utf-8")
    assert "<dd> Sachsen </dd>" in data and "<h3>Volltext</h3><p>" in data
    data = data.replace("<dd> Sachsen </dd>", f"<dd> {gebiet} </dd>")
    return data.replace("<h3>Volltext</h3><p>", f"<h3>Volltext</h3><p>{sentence} ").encode("utf-8")


@pytest.mark.parametrize("slugs,land", [
    (["thueringen"], "16"),
    (["de_ni"], "03"),                                    # an older slug of the same label
    (["niedersachsen", "de_ni"], "03"),                   # one Land, named twice
    (["sachsen", "bayern"], None),                        # several Länder
    (["bundesweit"], None),
    (["bundesweit", "bayern"], None),
    ([], None),
])
def test_export_programme_land_from_its_foerdergebiet(slugs, land):
    src = get_source("foerderdatenbank")
    (doc,) = src.read(record(EXPORT_MEMBER), _xml(*slugs))
    assert doc.land == land


@pytest.mark.parametrize("gebiet,land", [
    ("Sachsen", "14"), ("Nordrhein-Westfalen", "05"), ("Sachsen, Bayern", None),
    ("bundesweit", None), ("_bundesweit", None), ("Sachsen-Anhalt", "15"),
])
def test_detail_page_land_from_its_foerdergebiet(gebiet, land):
    src = get_source("foerderdatenbank_html")
    url = "https://www.foerderdatenbank.de/FDB/Content/DE/Foerderprogramm/Land/x/dorfladen.html"
    (doc,) = src.read(record(url), _html(gebiet))
    assert doc.land == land


@pytest.mark.parametrize("gebiet,ags", [
    ("Niedersachsen", "03358017"), ("Nordrhein-Westfalen", "05566060"), ("bundesweit", None),
    ("Niedersachsen, Nordrhein-Westfalen", None),
])
def test_detail_page_gebiet_keys_its_municipalities(extractor, gebiet, ags):
    src = get_source("foerderdatenbank_html")
    url = "https://www.foerderdatenbank.de/FDB/Content/DE/Foerderprogramm/Land/x/dorfladen.html"
    (doc,) = src.read(record(url), _html(gebiet, NEUENKIRCHEN))
    assert ("Neuenkirchen", ags) in keys(extractor.extract(doc))


def test_a_programmes_own_land_wins_over_the_sources_option():
    src = get_source("foerderdatenbank", land="Bayern")
    rec = record(EXPORT_MEMBER)
    assert [d.land for d in src.read(rec, _xml("thueringen"))] == ["16"]
    assert [d.land for d in src.read(rec, _xml("bundesweit"))] == ["09"]


# -- the web source's land option, over HTTP on loopback ----------------------------------------

PAGE = ("<html><head><title>Förderaufruf Dorfladen</title></head><body><main><h1>Förderaufruf "
        f"Dorfladen</h1><p>{NEUENKIRCHEN}</p><p>Anträge bis zum 15. Oktober 2031.</p></main></body></html>")


@pytest.mark.parametrize("option,land,ags", [
    ({"land": "Niedersachsen"}, "03", "03358017"),
    ({"land": "nrw"}, "05", "05566060"),
    ({"land": 5}, "05", "05566060"),                  # -o web.land=05 arrives as the int 5
    ({"land": "03"}, "03", "03358017"),
    ({}, None, None),
    ({"land": ""}, None, None),
])
def test_web_source_land_option_end_to_end(httpserver, tmp_path, extractor, option, land, ags):
    from extractors.crawl import crawl_source
    from extractors.fetch import FetchSettings
    from extractors.parse.guard import guarded_documents
    from extractors.rawstore import RawStore

    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/foerderung/dorfladen.html").respond_with_data(PAGE, content_type="text/html")
    src = get_source("web", url=httpserver.url_for("/foerderung/dorfladen.html"),
                     allow_private_network=True, **option)
    assert src.land == land
    store = RawStore(tmp_path / "raw")
    report = crawl_source(src, store, settings=FetchSettings.for_tests(state_path=str(tmp_path / "s.json")))
    (rec,) = report.records
    (doc,) = guarded_documents(src, rec, store.read(rec))     # the ingest flow's parse step
    assert doc.land == land
    assert keys(extractor.extract(doc)) == [("Neuenkirchen", ags)]


@pytest.mark.parametrize("bad", ["Bavaria", "Südland", "17", 0, True, "Landkreis Emsland"])
def test_bad_land_option_says_what_to_write(bad):
    with pytest.raises(SourceError) as err:
        get_source("web", url="https://www.land.example/aufrufe/", land=bad)
    msg = str(err.value)
    assert msg.startswith("source 'web': land=") and "is no Land" in msg
    assert "Brandenburg" in msg and "Nordrhein-Westfalen" in msg and "01-16" in msg and "NRW" in msg


def test_bad_land_class_attribute_is_refused_too():
    from extractors.sources.base import Source

    class Nordland(Source):
        name = ""                      # not registered
        start_urls = ["https://www.land-nordland.example/"]
        land = "Nordland"

    with pytest.raises(ValueError, match="land='Nordland' is no Land"):
        Nordland()


def test_land_option_from_the_command_line_syntax():
    from flows.commands.options import parse_options

    opts = parse_options(["web.url=https://www.land.example/", "web.land=05", "web.allow_private_network=true"])
    assert get_source("web", **opts["web"]).land == "05"


def test_warehouse_records_the_documents_land_as_the_sources():
    from warehouse.rows import stated_land

    assert stated_land("web", "Das Land Brandenburg fördert …", "09") == {"land": "09", "land_from": "source"}
    assert stated_land("web", "Das Land Brandenburg fördert …") == {"land": "12", "land_from": "text"}
    assert stated_land("web", "Es fördert der Bund.") == {"land": None, "land_from": None}


# -- foerderradar extract --land ---------------------------------------------------------------

def test_extract_cli_land_option(tmp_path):
    from typer.testing import CliRunner

    from extractors.fields.gazetteer import install
    from flows.cli import app

    install(SMALL_REGISTER)
    f = tmp_path / "aufruf.txt"
    f.write_text(NEUENKIRCHEN + "\n", encoding="utf-8")

    def ags(*args):
        res = CliRunner().invoke(app, ["extract", *args, str(f)])
        assert res.exit_code == 0, res.stderr
        import json
        return [m["ags"] for m in json.loads(res.stdout)["municipalities"]]

    assert ags() == [None]
    assert ags("--land", "Niedersachsen") == ["03358017"]
    assert ags("--land", "05") == ["05566060"]
    res = CliRunner().invoke(app, ["extract", "--land", "Bavaria", str(f)])
    assert res.exit_code == 2 and "'Bavaria' is no Land" in res.stderr and "Bayern" in res.stderr


# -- the ingest flow: option -> source -> parse -> extraction -> warehouse -----------------------

def test_ingest_flow_keys_by_the_web_sources_land(prefect_harness, httpserver, tmp_path):
    """A real ingest (Prefect, loopback site, raw store, DuckDB): the web source's land option
    reaches its documents, their municipality keys and the warehouse's stated Land (without the
    option the same page gives neither: tests above)."""
    import datetime as dt

    from extractors.fields.gazetteer import install
    from flows.ingest import ingest, run_result
    from warehouse import connect

    install(SMALL_REGISTER)
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/foerderung/dorfladen.html").respond_with_data(PAGE, content_type="text/html")
    state = ingest(sources=["web"], today=dt.date(2031, 1, 1), return_state=True,
                   options={"web": {"url": httpserver.url_for("/foerderung/dorfladen.html"),
                                    "allow_private_network": True, "delay": 0, "land": "Niedersachsen"}})
    assert run_result(state).sources["web"].loaded == 1, state
    con = connect(tmp_path / "home" / "warehouse")
    assert con.execute("SELECT land, land_from FROM extractions").fetchall() == [("03", "source")]
    assert con.execute("SELECT name, ags FROM municipality_mentions").fetchall() == [("Neuenkirchen", "03358017")]
