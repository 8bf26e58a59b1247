"""The Förderdatenbank programme catalogue as a user meets it: `foerderradar catalogue build` from
export files or from what the FDB sources loaded into a real warehouse, the `fdb:` key in
`foerderradar extract`, the catalogue's stamp in the extractor version, and the ingest flow
re-extracting after a catalogue with other titles (and only then)."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from extractors.version import EXTRACTOR_VERSION

REPO = Path(__file__).resolve().parents[1]
FIX = REPO / "tests" / "fixtures" / "sources"
SHARED = REPO.parent / "shared" / "sites"
PROG = "BMWI/FDB/Content/DE/Foerderprogramm/Land/Nordland/{}.xml"
DORF_KEY = "fdb:/FDB/Content/DE/Foerderprogramm/Land/Nordland/dorfladen-offensive"
MENTION = "Mit dem Förderprogramm „Dorfladen-Offensive“ unterstützt das Land Nordland Dorfläden.\n"


def programme_xml(name: str, title: str) -> bytes:
    """The fixture programme of the XML export under another name and title."""
    data = (FIX / "foerderdatenbank" / "programm-kommunal.xml").read_text(encoding="utf-8")
    data = data.replace('name="klimafit-kommunen"', f'name="{name}"')
    return data.replace("Klimafit Kommunen – Förderung kommunaler Klimaschutzprojekte", title).encode("utf-8")


def export_zip(titles: dict[str, str]) -> bytes:
    """An export archive with one programme per (name, title) and a funder beside them."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, title in titles.items():
            zf.writestr(PROG.format(name), programme_xml(name, title))
        zf.writestr("BMWI/FDB/Content/DE/Foerdergeber/N/umweltministerium-nordland.xml",
                    (FIX / "foerderdatenbank" / "foerdergeber.xml").read_bytes())
    return buf.getvalue()


TITLES = {"dorfladen-offensive": "Dorfladen-Offensive (DLO)",
          "klimafit-kommunen": "Klimafit Kommunen – Förderung kommunaler Klimaschutzprojekte"}


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FOERDERRADAR_CATALOGUE", raising=False)
    return tmp_path / "home"


def cli(*args):
    from flows.cli import app
    return CliRunner().invoke(app, [str(a) for a in args])


def extract_programmes(tmp_path: Path, text: str = MENTION) -> tuple[list[dict], str]:
    f = tmp_path / "aufruf.txt"
    f.write_text(text, encoding="utf-8")
    res = cli("extract", f)
    assert res.exit_code == 0, res.output
    rec = json.loads(res.stdout.splitlines()[0])
    return rec["programmes"], rec["extractor_version"]


# ------------------------------------------------------------------------------ from export files

def test_build_from_an_export_zip_links_a_text_through_the_cli(home, tmp_path):
    before, v0 = extract_programmes(tmp_path)
    assert [(p["name"], p["catalogue_key"]) for p in before] == [("Dorfladen-Offensive", None)]
    assert v0 == EXTRACTOR_VERSION

    (tmp_path / "export.zip").write_bytes(export_zip(TITLES))
    res = cli("catalogue", "build", tmp_path / "export.zip")
    assert res.exit_code == 0, res.output
    assert "2 programmes" in res.stdout and str(home / "programme_catalogue.jsonl") in res.stdout
    assert "re-extracts every document" in res.stdout

    after, v1 = extract_programmes(tmp_path)
    assert [(p["name"], p["catalogue_key"]) for p in after] == [("Dorfladen-Offensive", DORF_KEY)]
    assert v1.startswith(EXTRACTOR_VERSION + "+fdb2-") and v1 in res.stdout
    # the acronym of the title links too; titles and acronyms are not searched for by themselves
    acr, _ = extract_programmes(tmp_path, "Anträge im Förderprogramm DLO sind bis 3. Mai 2026 möglich.\n")
    assert [p["catalogue_key"] for p in acr] == [DORF_KEY]
    assert extract_programmes(tmp_path, "Die DLO-Mittel und die Dlo-Region. Dorfladen-Offensive!\n")[0] == []


def test_the_same_titles_again_change_nothing_other_titles_change_the_version(home, tmp_path):
    (tmp_path / "a.zip").write_bytes(export_zip(TITLES))
    (tmp_path / "b.zip").write_bytes(export_zip({**TITLES, "dorfladen-offensive": "Dorfladen-Initiative"}))
    assert cli("catalogue", "build", tmp_path / "a.zip").exit_code == 0
    _, v1 = extract_programmes(tmp_path)
    file = home / "programme_catalogue.jsonl"
    mtime = file.stat().st_mtime_ns

    again = cli("catalogue", "build", tmp_path / "a.zip")
    assert again.exit_code == 0 and "unchanged" in again.stdout and "nothing is re-extracted" in again.stdout
    assert file.stat().st_mtime_ns == mtime
    assert extract_programmes(tmp_path)[1] == v1

    changed = cli("catalogue", "build", tmp_path / "b.zip")
    assert changed.exit_code == 0 and "re-extracts every document" in changed.stdout
    progs, v2 = extract_programmes(tmp_path)
    assert v2 != v1 and v2.startswith(EXTRACTOR_VERSION + "+fdb2-")
    assert [p["catalogue_key"] for p in progs] == [None]      # "Dorfladen-Offensive" is no title now


def test_nothing_to_build_from_says_what_to_run_first(home, tmp_path):
    res = cli("catalogue", "build")
    assert res.exit_code == 1
    assert "nothing to build the programme catalogue from" in res.stderr
    assert "foerderradar ingest --source foerderdatenbank" in res.stderr
    assert "foerderradar catalogue build PATH" in res.stderr
    assert not (home / "programme_catalogue.jsonl").exists()

    (tmp_path / "export.zip").write_bytes(export_zip(TITLES))
    assert cli("catalogue", "build", tmp_path / "export.zip").exit_code == 0
    listing = FIX / "foerderdatenbank_html" / "overview.html"        # a page, but no programme
    res = cli("catalogue", "build", listing)
    assert res.exit_code == 1 and "no Förderdatenbank programme in" in res.stderr
    assert "unchanged" in res.stderr
    assert len((home / "programme_catalogue.jsonl").read_text().splitlines()) == 2   # the old one kept


def test_status_without_and_with_a_catalogue(home, tmp_path):
    res = cli("catalogue", "status")
    assert res.exit_code == 0 and "no Förderdatenbank programme catalogue" in res.stdout
    assert "foerderradar catalogue build" in res.stdout
    (tmp_path / "export.zip").write_bytes(export_zip(TITLES))
    cli("catalogue", "build", tmp_path / "export.zip")
    res = cli("catalogue", "status")
    assert res.exit_code == 0 and "2 Förderdatenbank programmes (stamp fdb2-" in res.stdout


# -------------------------------------------------------------------------- version and key space

def test_version_is_exactly_the_old_one_without_a_catalogue(home, tmp_path):
    from extractors.fields.catalogue import load_catalogue
    from extractors.fields.pipeline import Extractor, version_for

    register = SimpleNamespace(gebietsstand=dt.date(2023, 11, 30))
    assert load_catalogue().stamp is None
    assert version_for(None, load_catalogue()) == EXTRACTOR_VERSION
    assert version_for(register, load_catalogue()) == f"{EXTRACTOR_VERSION}+gv20231130"
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")                 # a catalogue without programmes
    assert version_for(register, load_catalogue(empty)) == f"{EXTRACTOR_VERSION}+gv20231130"
    assert Extractor(gazetteer=None).version == EXTRACTOR_VERSION


def test_a_rebuilt_catalogue_reaches_the_next_extractor_of_the_same_process(home):
    from extractors.fields.catalogue import load_catalogue, write_fdb_catalogue
    from extractors.fields.pipeline import Extractor, version_for
    from extractors.sources.foerderdatenbank import parse_programme_xml

    def docs(titles):
        return [parse_programme_xml(programme_xml(n, t), f"export#{PROG.format(n)}") for n, t in titles.items()]

    first = Extractor(gazetteer=None)
    write_fdb_catalogue(docs(TITLES))
    second = Extractor(gazetteer=None)
    assert first.version == EXTRACTOR_VERSION and second.version != first.version
    assert second.version == version_for(None, load_catalogue())
    assert [p.catalogue_key for p in second.extract_text(MENTION).programmes] == [DORF_KEY]
    assert [p.catalogue_key for p in first.extract_text(MENTION).programmes] == [None]
    # the same titles in another order: the same stamp; the register's part stays first
    write_fdb_catalogue(reversed(docs(TITLES)))
    assert Extractor(gazetteer=None).version == second.version
    stamp = load_catalogue().stamp
    register = SimpleNamespace(gebietsstand=dt.date(2023, 11, 30))
    assert version_for(register, load_catalogue()) == f"{EXTRACTOR_VERSION}+gv20231130.{stamp}"


def test_export_and_web_page_of_one_programme_share_one_key():
    from extractors.fields.catalogue import fdb_rows
    from extractors.sources.foerderdatenbank import parse_programme_xml
    from extractors.sources.foerderdatenbank_html import parse_detail

    xml = parse_programme_xml(programme_xml("dorfladen-offensive", "Dorfladen-Offensive (DLO)"),
                              "https://www.foerderdatenbank.de/FDB/WS/export#" + PROG.format("dorfladen-offensive"))
    page = parse_detail((FIX / "foerderdatenbank_html" / "detail.html").read_bytes(),
                        "https://www.foerderdatenbank.de/FDB/Content/DE/Foerderprogramm/Land/Nordland/"
                        "dorfladen-offensive.html;jsessionid=ABC")
    other = SimpleNamespace(source="https://www.land.de/aufruf.html", fields={"programme": "Dorfglück"})
    rows = fdb_rows([xml, page, other])
    assert [r["key"] for r in rows] == [DORF_KEY, "fdb:https://www.land.de/aufruf.html"]
    assert rows[0]["name"] == "Dorfladen-Offensive"
    assert rows[0]["aliases"] == ["DLO", page.fields["programme"]]     # the page's title kept as an alias


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/sites is not here")
def test_build_from_the_real_export_and_pages(home):
    res = cli("catalogue", "build", SHARED / "foerderdatenbank-export", SHARED / "foerderdatenbank-html")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in (home / "programme_catalogue.jsonl").read_text().splitlines()]
    keys = [r["key"] for r in rows]
    assert len(keys) == len(set(keys)) >= 5 and all(k.startswith("fdb:/FDB/Content/DE/Foerderprogramm/") for k in keys)
    # the search listing is no programme; the page and the export of the same programme are one
    assert not any("Fördersuche" in r["name"] for r in rows)


# -------------------------------------------------------------------- from the warehouse, in the flow

@pytest.mark.slow
def test_build_from_the_warehouse_and_the_next_run_re_extracts(prefect_harness, home, tmp_path, httpserver):
    """The FDB source loads the export, `catalogue build` takes its programmes from the warehouse,
    the next ingest re-extracts every document with the new version, the one after none; a
    rebuild with the same titles changes nothing."""
    import warehouse
    from flows.ingest import ingest

    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/export").respond_with_data(export_zip(TITLES), content_type="application/zip")
    opts = {"foerderdatenbank": {"export_url": httpserver.url_for("/export"), "allow_private_network": True,
                                 "allowed_hosts": f"localhost:{httpserver.port}"}}

    def run():
        return ingest(sources=["foerderdatenbank"], options=opts, today=dt.date(2026, 3, 1)).sources["foerderdatenbank"]

    def versions():
        con = warehouse.connect()
        try:
            return {v for (v,) in con.execute(
                "SELECT DISTINCT e.extractor_version FROM documents d "
                "JOIN extractions e ON e.extraction_id = d.current_extraction_id").fetchall()}
        finally:
            con.close()

    first = run()
    assert first.extracted == first.fetched == 2
    assert versions() == {EXTRACTOR_VERSION}

    res = cli("catalogue", "build")
    assert res.exit_code == 0, res.output
    assert "2 programmes from the warehouse" in res.stdout
    assert "up to date with the warehouse" in cli("catalogue", "status").stdout

    relinked = run()
    assert relinked.extracted == 2                             # every document, no --force
    (version,) = versions()
    assert version.startswith(EXTRACTOR_VERSION + "+fdb2-")
    assert run().extracted == 0                                # and then cached again

    assert "unchanged" in cli("catalogue", "build").stdout     # same titles: nothing re-extracted
    assert run().extracted == 0
