"""The municipal register: GV100AD parsing and validation, the cache, and `foerderradar gazetteer`."""
from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractors.fields.gazetteer import Gazetteer, GazetteerError, install, norm_key, parse_gv100ad

FIXTURE = Path(__file__).parent / "fixtures" / "gv100ad_small.txt"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL = SHARED / "gazetteer" / "GV100AD_301123.txt"

STAND = "20231130"


# --------------------------------------------------------------------------- fixture writer

def gv100ad_line(satzart: int, ags: str, name: str, *, verband: str = "", seat: str = "",
                 type_code: str = "", area_ha: int = 0, population: int = 0, plz: str = "",
                 stand: str = STAND) -> str:
    """One record in the GV100AD fixed-width layout (1-based columns: 1-2 Satzart, 3-10
    Gebietsstand, 11-18 AGS, 19-22 Verband, 23-72 name, 73-122 seat, 123-124 type, 129-139 area,
    140-150 population, 151-161 male population, 166-170 postcode; 220 characters)."""
    line = f"{satzart:02d}{stand}{ags:<8}{verband:<4}{name:<50}{seat:<50}{type_code:<2}    "
    if satzart == 60:
        line += f"{area_ha:011d}{population:011d}{population // 2:011d}    {plz:<5}"
    return line.ljust(220)


# Real names and keys (AGS are public facts); populations rounded; other columns made up.
FIXTURE_RECORDS = [
    (10, "01", "Schleswig-Holstein", dict(seat="Kiel")),
    (40, "01054", "Nordfriesland", dict(seat="Husum", type_code="44")),
    (50, "01054", "Mittleres Nordfriesland", dict(verband="5494", seat="Bredstedt", type_code="51")),
    (60, "01054020", "Breklum", dict(verband="5494", type_code="64", area_ha=1007, population=2330, plz="25821")),
    (60, "01054019", "Bredstedt, Stadt", dict(verband="5494", type_code="63", area_ha=1740, population=5400, plz="25821")),
    (10, "03", "Niedersachsen", dict(seat="Hannover")),
    (20, "032", "Statistische Region Hannover", {}),
    (40, "03241", "Region Hannover", dict(seat="Hannover", type_code="44")),
    (50, "03241", "Hannover, Landeshauptstadt", dict(verband="0001", type_code="50")),
    (60, "03241001", "Hannover, Landeshauptstadt", dict(verband="0001", type_code="63", area_ha=20430, population=545045, plz="30159")),
    (40, "03358", "Heidekreis", dict(seat="Bad Fallingbostel", type_code="44")),
    (50, "03358", "Neuenkirchen", dict(verband="0017", type_code="50")),
    (60, "03358017", "Neuenkirchen", dict(verband="0017", type_code="64", area_ha=7000, population=5749, plz="29643")),
    (40, "03457", "Leer", dict(seat="Leer (Ostfriesland)", type_code="44")),
    (60, "03457013", "Leer (Ostfriesland), Stadt", dict(verband="0013", type_code="63", area_ha=7000, population=35663, plz="26789")),
    (10, "05", "Nordrhein-Westfalen", dict(seat="Düsseldorf")),
    (20, "051", "Reg.-Bez. Düsseldorf", dict(seat="Düsseldorf")),
    (40, "05113", "Essen, Stadt", dict(seat="Essen", type_code="41")),
    (60, "05113000", "Essen, Stadt", dict(verband="0000", type_code="61", area_ha=21034, population=584580, plz="45127")),
    (20, "053", "Reg.-Bez. Köln", dict(seat="Köln")),
    (40, "05382", "Rhein-Sieg-Kreis", dict(seat="Siegburg", type_code="43")),
    (60, "05382068", "Siegburg, Stadt", dict(verband="0068", type_code="63", area_ha=2340, population=41600, plz="53721")),
    (20, "055", "Reg.-Bez. Münster", dict(seat="Münster")),
    (40, "05566", "Steinfurt", dict(seat="Steinfurt", type_code="43")),
    (60, "05566008", "Emsdetten, Stadt", dict(verband="0008", type_code="63", area_ha=7200, population=36000, plz="48282")),
    (60, "05566012", "Greven, Stadt", dict(verband="0012", type_code="63", area_ha=14000, population=37700, plz="48268")),
    (60, "05566060", "Neuenkirchen", dict(verband="0060", type_code="64", area_ha=4700, population=14072, plz="48485")),
    (60, "05566076", "Rheine, Stadt", dict(verband="0076", type_code="63", area_ha=14500, population=77000, plz="48431")),
    (20, "057", "Reg.-Bez. Detmold", dict(seat="Detmold")),
    (40, "05754", "Gütersloh", dict(seat="Gütersloh", type_code="43")),
    (60, "05754012", "Halle (Westf.), Stadt", dict(verband="0012", type_code="63", area_ha=6900, population=21970, plz="33790")),
    (20, "059", "Reg.-Bez. Arnsberg", dict(seat="Arnsberg")),
    (40, "05958", "Hochsauerlandkreis", dict(seat="Meschede", type_code="43")),
    (60, "05958004", "Arnsberg, Stadt", dict(verband="0004", type_code="63", area_ha=19300, population=73600, plz="59755")),
    (40, "05962", "Märkischer Kreis", dict(seat="Lüdenscheid", type_code="43")),
    (60, "05962024", "Iserlohn, Stadt", dict(verband="0024", type_code="63", area_ha=12500, population=92000, plz="58636")),
    (40, "05974", "Soest", dict(seat="Soest", type_code="43")),
    (60, "05974028", "Lippstadt, Stadt", dict(verband="0028", type_code="63", area_ha=11400, population=68000, plz="59555")),
    (60, "05974040", "Soest, Stadt", dict(verband="0040", type_code="63", area_ha=8581, population=48607, plz="59494")),
    (10, "06", "Hessen", dict(seat="Wiesbaden")),
    (20, "064", "Reg.-Bez. Darmstadt", dict(seat="Darmstadt")),
    (40, "06412", "Frankfurt am Main, Stadt", dict(seat="Frankfurt am Main", type_code="41")),
    (60, "06412000", "Frankfurt am Main, Stadt", dict(verband="0000", type_code="61", area_ha=24831, population=773068, plz="60311")),
    (10, "09", "Bayern", dict(seat="München")),
    (20, "094", "Oberfranken", dict(seat="Bayreuth")),
    (40, "09464", "Hof", dict(seat="Hof", type_code="41")),
    (60, "09464000", "Hof", dict(verband="0000", type_code="61", area_ha=5800, population=46656, plz="95028")),
    (40, "09475", "Hof", dict(seat="Hof", type_code="44")),
    (50, "09475", "Naila, Stadt", dict(verband="5001", type_code="50")),
    (60, "09475151", "Naila, St", dict(verband="5001", type_code="63", area_ha=3200, population=7500, plz="95119")),
    (10, "11", "Berlin", dict(seat="Berlin")),
    (40, "11000", "Berlin, Stadt", dict(seat="Berlin", type_code="41")),
    (60, "11000000", "Berlin, Stadt", dict(verband="0000", type_code="61", area_ha=89112, population=3755251, plz="10178")),
    (10, "15", "Sachsen-Anhalt", dict(seat="Magdeburg")),
    (40, "15002", "Halle (Saale), Stadt", dict(seat="Halle (Saale)", type_code="41")),
    (60, "15002000", "Halle (Saale), Stadt", dict(verband="0000", type_code="61", area_ha=13502, population=242083, plz="06108")),
    (40, "15084", "Burgenlandkreis", dict(seat="Naumburg (Saale)", type_code="44")),
    (60, "15084590", "Zeitz, Stadt", dict(verband="5090", type_code="63", area_ha=8700, population=27000, plz="06712")),
]


def write_fixture(path: Path, stand: str = STAND, records=FIXTURE_RECORDS) -> Path:
    lines = [gv100ad_line(sa, ags, name, stand=stand, **kw) for sa, ags, name, kw in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FOERDERRADAR_GAZETTEER", raising=False)
    monkeypatch.delenv("FOERDERRADAR_GAZETTEER_URL", raising=False)


def _cli(*args):
    from flows.cli import app
    return CliRunner().invoke(app, list(args))


def _cache() -> Path:
    from extractors import settings
    return settings.gazetteer_path()


# --------------------------------------------------------------------------- parsing

def test_committed_fixture_is_what_the_writer_writes(tmp_path):
    assert write_fixture(tmp_path / "f.txt").read_text(encoding="utf-8") == FIXTURE.read_text(encoding="utf-8")


def test_parse_fixture_levels_keys_and_types():
    g = Gazetteer.from_gv100ad(FIXTURE)
    assert g.counts == {"Land": 7, "Regierungsbezirk": 8, "Kreis": 17, "Gemeindeverband": 4, "Gemeinde": 22}
    assert g.gebietsstand.isoformat() == "2023-11-30"
    breklum = g.find("Breklum")[0]
    assert (breklum.key, breklum.ars, breklum.population, breklum.type_label) == \
        ("01054020", "010545494020", 2330, "Gemeinde")
    assert breklum.kreis == "01054" and breklum.land == "01"
    amt = g.find("Mittleres Nordfriesland", "verband")[0]
    assert (amt.key, amt.type_label) == ("010545494", "Amt")
    # a verbandsfreie Gemeinde's Satzart-50 twin is not indexed as a Verband
    assert g.find("Neuenkirchen", "verband") == []


@pytest.mark.parametrize("written,kind,keys", [
    ("Soest", "gemeinde", ["05974040"]),
    ("Soest", "kreis", ["05974"]),
    ("Halle (Saale)", "gemeinde", ["15002000"]),
    ("Halle/Saale", "gemeinde", ["15002000"]),
    ("Halle", "gemeinde", ["05754012", "15002000"]),
    ("Halle (Westf.)", "gemeinde", ["05754012"]),
    ("Frankfurt am Main", "gemeinde", ["06412000"]),
    ("Frankfurt", "gemeinde", ["06412000"]),
    ("Neuenkirchen", "gemeinde", ["03358017", "05566060"]),
    ("Hof", "kreis", ["09464", "09475"]),
    ("Hannover", "kreis", ["03241"]),
    ("Region Hannover", "kreis_uncued", ["03241"]),
    ("Rhein-Sieg-Kreis", "kreis_uncued", ["05382"]),
    ("Märkischer Kreis", "kreis_uncued", ["05962"]),
    ("Leer", "gemeinde", ["03457013"]),
    ("Naila", "gemeinde", ["09475151"]),
    ("Arnsberg", "rb", ["059"]),
    ("Hessen", "land", ["06"]),
])
def test_lookup_by_written_forms(written, kind, keys):
    g = Gazetteer.from_gv100ad(FIXTURE)
    assert sorted(e.key for e in g.find(written, kind)) == keys


def test_name_keys_fold_particles_and_punctuation():
    assert norm_key("Neustadt a.d. Aisch") == norm_key("Neustadt an der Aisch") == norm_key("Neustadt a. d. Aisch")
    assert norm_key("St. Ingbert") == norm_key("Sankt Ingbert")
    assert norm_key("Halle (Saale)") == norm_key("Halle/Saale")


@pytest.mark.parametrize("mutate,message", [
    (lambda t: t[: len(t) - 120], "cut off"),                                    # truncated download
    (lambda t: t.replace("\n60", "\n6X", 1), "unknown record type"),
    (lambda t: "\n".join(l for l in t.splitlines() if not l.startswith("60")) + "\n", "no Gemeinde records"),
    (lambda t: t.replace("20231130", "20239999", 1), "Gebietsstand"),
    (lambda t: "Name;AGS;Einwohner\nBreklum;01054020;2330\n", "not a valid GV100AD"),
    (lambda t: "\n".join(l for l in t.splitlines() if not l.startswith("40" + STAND + "05974")) + "\n", "missing"),
])
def test_invalid_files_are_refused_with_a_reason(tmp_path, mutate, message):
    bad = tmp_path / "bad.txt"
    bad.write_text(mutate(FIXTURE.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(GazetteerError, match=message):
        parse_gv100ad(bad)


def test_zip_as_published(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("GV100AD_301123.txt", FIXTURE.read_bytes())
    g = Gazetteer.from_gv100ad(buf.getvalue(), "GV100AD.zip")
    assert g.find("Breklum")[0].key == "01054020"


def test_cache_roundtrip_is_atomic_and_compact(tmp_path):
    assert Gazetteer.load_default() is None
    g, msg = install(FIXTURE)
    assert "loaded" in msg and _cache().exists()
    with gzip.open(_cache()) as fh:
        data = json.loads(fh.read())
    assert data["format"] == "foerderradar-gazetteer" and data["gebietsstand"] == "2023-11-30"
    g2 = Gazetteer.load_default()
    assert g2.find("Soest", "kreis")[0].key == "05974" and len(g2) == len(g)
    assert not [p for p in _cache().parent.iterdir() if p.name.endswith(".tmp")]


def test_damaged_cache_is_reported(tmp_path):
    _cache().parent.mkdir(parents=True)
    _cache().write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(GazetteerError, match="damaged"):
        Gazetteer.load_default()


# --------------------------------------------------------------------------- CLI

def test_cli_status_without_register():
    r = _cli("gazetteer", "status")
    assert r.exit_code == 0 and "no municipal register loaded" in r.output and "gazetteer load" in r.output


def test_cli_load_is_idempotent_and_status_reports(tmp_path):
    r = _cli("gazetteer", "load", str(FIXTURE))
    assert r.exit_code == 0, r.output
    assert "22 Gemeinde" in r.output
    before = _cache().read_bytes()
    r = _cli("gazetteer", "load", str(FIXTURE))
    assert r.exit_code == 0 and "unchanged" in r.output
    assert _cache().read_bytes() == before
    r = _cli("gazetteer", "status")
    assert r.exit_code == 0 and "2023-11-30" in r.output and "17 Kreis" in r.output and str(_cache()) in r.output


def test_cli_newer_replaces_older_is_refused_unless_forced(tmp_path):
    newer = write_fixture(tmp_path / "newer.txt", stand="20240331")
    older = write_fixture(tmp_path / "older.txt", stand="20221231")
    assert _cli("gazetteer", "load", str(FIXTURE)).exit_code == 0
    r = _cli("gazetteer", "load", str(newer))
    assert r.exit_code == 0 and "replaced" in r.output
    r = _cli("gazetteer", "load", str(older))
    assert r.exit_code == 1 and "older" in r.output and "--force" in r.output
    assert Gazetteer.load_default().gebietsstand.isoformat() == "2024-03-31"
    r = _cli("gazetteer", "load", "--force", str(older))
    assert r.exit_code == 0
    assert Gazetteer.load_default().gebietsstand.isoformat() == "2022-12-31"


@pytest.mark.parametrize("content", [
    lambda t: t[: len(t) // 2 + 37],             # truncated mid-record
    lambda t: "<html><body>Seite nicht gefunden</body></html>\n",
    lambda t: "\x00\x01binary" * 10,
])
def test_cli_bad_file_keeps_old_register(tmp_path, content):
    assert _cli("gazetteer", "load", str(FIXTURE)).exit_code == 0
    before = _cache().read_bytes()
    bad = tmp_path / "bad.txt"
    bad.write_text(content(FIXTURE.read_text(encoding="utf-8")), encoding="utf-8")
    r = _cli("gazetteer", "load", str(bad))
    assert r.exit_code == 1
    assert "Traceback" not in r.output and "unchanged" in r.output
    assert _cache().read_bytes() == before


def test_cli_far_smaller_register_is_refused_unless_forced(tmp_path):
    assert _cli("gazetteer", "load", str(FIXTURE)).exit_code == 0
    text = FIXTURE.read_text(encoding="utf-8")
    cut = text[: text.index("\n10" + STAND + "06")] + "\n"        # ends cleanly at a line: Länder 01-05 only
    part = tmp_path / "part.txt"
    part.write_text(cut.replace(STAND, "20240331"), encoding="utf-8")
    r = _cli("gazetteer", "load", str(part))
    assert r.exit_code == 1 and "incomplete" in r.output
    assert Gazetteer.load_default().gebietsstand.isoformat() == "2023-11-30"
    assert _cli("gazetteer", "load", "--force", str(part)).exit_code == 0


def test_cli_load_missing_file():
    r = _cli("gazetteer", "load", "/nonexistent/GV100AD.txt")
    assert r.exit_code == 1 and "no such file" in r.output


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("GV100AD_301123.txt", FIXTURE.read_bytes())
    return buf.getvalue()


def test_cli_update_downloads_from_server(httpserver):
    httpserver.expect_request("/GV100AD.zip").respond_with_data(_zip_bytes(), content_type="application/zip")
    r = _cli("gazetteer", "update", "--url", httpserver.url_for("/GV100AD.zip"))
    assert r.exit_code == 0, r.output
    assert Gazetteer.load_default().find("Iserlohn")[0].key == "05962024"


def test_cli_update_url_from_environment(httpserver, monkeypatch):
    httpserver.expect_request("/q.zip").respond_with_data(_zip_bytes())
    monkeypatch.setenv("FOERDERRADAR_GAZETTEER_URL", httpserver.url_for("/q.zip"))
    assert _cli("gazetteer", "update").exit_code == 0
    assert Gazetteer.load_default() is not None


def test_cli_update_http_error_and_offline_keep_register(httpserver):
    assert _cli("gazetteer", "load", str(FIXTURE)).exit_code == 0
    before = _cache().read_bytes()
    httpserver.expect_request("/missing.zip").respond_with_data("nope", status=404)
    r = _cli("gazetteer", "update", "--url", httpserver.url_for("/missing.zip"))
    assert r.exit_code == 1 and "404" in r.output and "Traceback" not in r.output
    httpserver.expect_request("/page.zip").respond_with_data("<html>Wartungsarbeiten</html>")
    r = _cli("gazetteer", "update", "--url", httpserver.url_for("/page.zip"))
    assert r.exit_code == 1 and "not a valid GV100AD" in r.output
    r = _cli("gazetteer", "update", "--url", "http://127.0.0.1:9/GV100AD.zip")   # nothing listens
    assert r.exit_code == 1 and "cannot reach" in r.output and "Traceback" not in r.output
    assert _cache().read_bytes() == before


def test_default_url_is_a_destatis_quarter_file():
    import datetime as dt

    from flows.commands.gazetteer import default_url
    url = default_url(dt.date(2024, 5, 2))
    assert url.startswith("https://www.destatis.de/") and "GV100AD3112.zip" in url


# --------------------------------------------------------------------------- the real register

@pytest.mark.shared
def test_real_register_loads_and_links():
    if not REAL.exists():
        pytest.skip("../shared/gazetteer not available")
    g, _ = install(REAL)
    assert g.counts["Gemeinde"] == 10981 and g.counts["Kreis"] == 400
    g = Gazetteer.load_default()
    assert [e.key for e in g.find("Breklum")] == ["01054020"]
    assert [e.key for e in g.find("Soest", "kreis")] == ["05974"]
    assert [e.key for e in g.find("Soest")] == ["05974040"]
    assert [e.key for e in g.find("Mittleres Nordfriesland", "verband")] == ["010545494"]
    assert len(g.find("Neuenkirchen")) == 11
    assert [e.key for e in g.find("Neustadt a.d. Aisch")] == ["09575153"]


def test_key_prefixes_hold_every_leading_part_of_every_key():
    gaz = Gazetteer.from_gv100ad(FIXTURE)
    prefixes = gaz.key_prefixes
    for index in gaz.index.values():
        for key in index:
            toks = key.split(" ")
            for n in range(1, len(toks) + 1):
                assert " ".join(toks[:n]) in prefixes
    assert "mittleres" in prefixes and "mittleres nordfriesland" in prefixes
    assert "nordfriesland mittleres" not in prefixes


def test_a_cache_of_an_older_index_version_is_reindexed_once_and_kept(tmp_path):
    path = tmp_path / "gazetteer.json.gz"
    Gazetteer.from_gv100ad(FIXTURE).save(path)
    data = json.loads(gzip.decompress(path.read_bytes()))
    data["index_version"] -= 1
    data["index"] = {k: {} for k in data["index"]}          # an older index: empty
    path.write_bytes(gzip.compress(json.dumps(data).encode("utf-8")))
    first = Gazetteer.load(path)
    assert first.reindexed and [e.key for e in first.find("Breklum")] == ["01054020"]
    again = Gazetteer.load(path)
    assert not again.reindexed and [e.key for e in again.find("Breklum")] == ["01054020"]
