"""Facets of a call: who may apply (applicant types from the text and the Förderdatenbank's
Förderberechtigte), the Förderdatenbank's facets, and the Land of every call (municipalities'
keys, else source, else text); the saved filters' land and applicant keys. Real extraction, and a
real warehouse (DuckDB files in tmp_path) loaded as the flow loads it."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from extractors.fields import Extractor
from extractors.fields.applicant_words import applicant_types, fdb_types
from extractors.fields.laender import land_code, land_in_text

TODAY = dt.date(2025, 4, 1)


@pytest.fixture(scope="module")
def extractor():
    return Extractor(gazetteer=None)


# ----------------------------------------------------------------------------- applicant types
@pytest.mark.parametrize("text, expected", [
    ("Antragsberechtigt sind Gemeinden und Landkreise.", ["kommune", "landkreis"]),
    ("Zuwendungsempfänger sind gemeinnützige Vereine.", ["verein"]),
    ("Antragsteller können Städte, Gemeinden und Zweckverbände sein.", ["kommune", "kommune", "kommune"]),
    ("Antragsberechtigt sind kleine und mittlere Unternehmen (KMU) mit Sitz im Land.", ["kmu", "kmu"]),
    ("Antragsberechtigt sind Hochschulen und außeruniversitäre Forschungseinrichtungen.",
     ["hochschule", "forschungseinrichtung"]),
    ("Antragsberechtigt sind:\nSchulträger, Kirchengemeinden und Stiftungen.", ["schule", "kirche", "stiftung"]),
    ("Zuwendungsempfänger können natürliche Personen sowie Unternehmen sein.", ["privatperson", "unternehmen"]),
    ("Das Programm richtet sich an Vereine und Verbände im ländlichen Raum.", ["verein", "verein"]),
    ("Antragsberechtigte Gebietskörperschaften erhalten einen Zuschuss.", ["kommune"]),
])
def test_applicant_types_from_sentences_that_say_who_may_apply(extractor, text, expected):
    found = extractor.extract_text(text).applicants
    assert [a.type for a in found] == expected
    for a in found:                                      # evidence: the span is the word
        assert text[a.start:a.end] == a.text


@pytest.mark.parametrize("text", [
    "Die Gemeinde Aachen und der Landkreis Düren beteiligen sich.",   # no cue: places, not applicants
    "Nicht antragsberechtigt sind Unternehmen und Privatpersonen.",   # negated
    "Antragsberechtigt sind nicht: Unternehmen.",
    "Vereine können sich bei der Gemeinde informieren.",              # no cue
    "Der Antragsteller muss den Antrag bis zum 1. März einreichen.",  # no type named
    "Für einen Antragsteller gibt es maximal 3.000 Euro von der Stadt.",  # the Stadt pays
    "Für die Antragsteller ist eine Obergrenze zu bedenken: 3.000 Euro von der Stadt.",
    "Die Vereinbarung zwischen Stadtwerken und Kreisverwaltung gilt.",  # words only inside compounds
])
def test_no_applicant_types_without_a_cue_or_when_negated(extractor, text):
    assert extractor.extract_text(text).applicants == []


def test_fdb_foerderberechtigte_map_onto_the_vocabulary():
    assert fdb_types(["Kommune", "Verband/Vereinigung", "Existenzgründer/in", "Unternehmen",
                      "Unbekannt"]) == ["kommune", "verein", "unternehmen"]
    assert fdb_types(None) == []
    vocab = applicant_types()
    assert {"kommune", "landkreis", "verein", "unternehmen", "kmu", "hochschule",
            "forschungseinrichtung", "privatperson", "schule", "kirche", "stiftung"} <= set(vocab)


def test_extract_output_has_the_applicants_key(extractor):
    rec = extractor.extract_text("Antragsberechtigt sind Landkreise.").model_dump(mode="json")
    assert rec["applicants"] == [{"text": "Landkreise", "start": 23, "end": 33, "type": "landkreis"}]


# ----------------------------------------------------------------------------------------- Land
@pytest.mark.parametrize("text, code", [
    ("Das Land Brandenburg fördert Vorhaben.", "12"),
    ("Der Freistaat Sachsen stellt Mittel bereit.", "14"),
    ("Richtlinie des Landes Nordrhein-Westfalen zur Förderung", "05"),
    ("Freistaat Bayern. Das Land Hessen und der Freistaat Bayern", "09"),   # most often named
    ("Die Stadt Sachsenheim und Brandenburg an der Havel", None),          # no state head word
    ("Landesprogramm Sachsen-Anhalt", None),
    ("", None),
])
def test_land_named_in_the_text(text, code):
    assert land_in_text(text) == code


def test_land_code():
    assert land_code("Brandenburg") == "12" == land_code("brandenburg") == land_code("12")
    assert land_code("Südland") is None and land_code("17") is None and land_code(None) is None


# ----------------------------------------------------------------------------------- warehouse
def _item(url, call, *, source="demo", extra="", fields=None, extractor=None):
    from warehouse import LoadItem
    from warehouse.synthetic import announcement, raw_record

    doc, ex = announcement(url, call, source=source)
    doc.text += extra
    doc.sha256 = ex.sha256 = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
    doc.fields = fields or {}
    ex.applicants = extractor.extract_text(doc.text).applicants
    return LoadItem(raw_record(url, doc.sha256, source=source, size=len(doc.text)), doc, ex)


@pytest.fixture(scope="module")
def facets_warehouse(tmp_path_factory, extractor):
    """Six calls: Land from a municipality key (although the text names another Land), from the
    source (demo_land given land = Brandenburg), from an FDB Fördergebiet, from the text, none, and a
    nationwide FDB entry whose text names a Land in passing."""
    from extractors.crawl import CrawlReport
    from extractors.sources import source_class
    from warehouse import Warehouse
    from warehouse.synthetic import TOWNS, Call

    fdb = {"Förderart": ["Zuschuss"], "Förderbereich": ["Umwelt & Naturschutz", "Energieeffizienz"],
           "Fördergebiet": ["Bayern"], "Förderberechtigte": ["Kommune", "Verband/Vereinigung"]}
    items = {
        "demo": [
            _item("https://x.example/a.html", Call("Klimaschutz Aachen", municipalities=[TOWNS[0]]),
                  extra=" Das Land Brandenburg beteiligt sich. Antragsberechtigt sind Gemeinden.",
                  extractor=extractor),
            _item("https://x.example/c.html", Call("Bayerische Dorfläden", municipalities=[]),
                  fields=fdb, extractor=extractor),
            _item("https://x.example/d.html", Call("Sächsische Vereinsförderung", municipalities=[]),
                  extra=" Der Freistaat Sachsen fördert. Zuwendungsempfänger sind gemeinnützige Vereine.",
                  extractor=extractor),
            _item("https://x.example/e.html", Call("Bundesweite Forschung", municipalities=[]),
                  extra=" Antragsberechtigt sind Hochschulen.", extractor=extractor),
            _item("https://x.example/f.html", Call("Bundesweite Gründung", municipalities=[]),
                  extra=" Wie im Freistaat Bayern werden Gründer gefördert.",
                  fields={"Fördergebiet": ["bundesweit"], "Förderberechtigte": ["Existenzgründer/in"]},
                  extractor=extractor)],
        "demo_land": [
            _item("https://x.example/b.html", Call("Brandenburger Sportstätten", municipalities=[]),
                  source="demo_land", extra=" Antragsberechtigt sind Landkreise und Vereine.",
                  extractor=extractor)],
    }
    root = tmp_path_factory.mktemp("facets")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(source_class("demo_land"), "land", "Brandenburg")
        with Warehouse(root) as wh:
            run = wh.start_run("ingest", {})
            for source, its in items.items():
                records = [i.raw for i in its]
                wh.record_crawl(run, CrawlReport(source=source, records=records), complete=True)
                wh.plan(run, source, records, "0.1.0")
                wh.load(run, its)
            wh.finish_run(run, "success", today=TODAY)
            wh.publish()
    return root


@pytest.fixture
def reader(facets_warehouse):
    from warehouse import connect
    con = connect(facets_warehouse, today=TODAY)
    yield con
    con.close()


def test_calls_have_land_applicants_and_fdb_facets(reader):
    rows = {r[0]: r[1:] for r in reader.execute(
        "SELECT programme, land, land_code, land_from, applicants, foerderart, foerderbereich, "
        "foerdergebiet, foerderberechtigte FROM calls").fetchall()}
    assert rows["Klimaschutz Aachen"][:4] == ("Nordrhein-Westfalen", "05", "municipalities", ["kommune"])
    assert rows["Brandenburger Sportstätten"][:4] == ("Brandenburg", "12", "source", ["landkreis", "verein"])
    assert rows["Bayerische Dorfläden"] == (
        "Bayern", "09", "source", ["kommune", "verein"], ["Zuschuss"],
        ["Energieeffizienz", "Umwelt & Naturschutz"], ["Bayern"], ["Kommune", "Verband/Vereinigung"])
    assert rows["Sächsische Vereinsförderung"][:4] == ("Sachsen", "14", "text", ["verein"])
    assert rows["Bundesweite Forschung"] == (None, None, None, ["hochschule"], [], [], [], [])
    # a nationwide FDB entry takes no Land from a passing mention in its text
    assert rows["Bundesweite Gründung"][:4] == (None, None, None, ["unternehmen"])
    # open_calls carries the same columns, documented
    cols = {r[0] for r in reader.execute("DESCRIBE open_calls").fetchall()}
    assert {"land", "land_code", "applicants", "foerderart", "foerderbereich", "foerdergebiet",
            "foerderberechtigte"} <= cols
    docs = {r[0] for r in reader.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'calls' AND comment IS NOT NULL").fetchall()}
    assert {"land", "applicants", "foerderart"} <= docs


def test_applicants_keep_their_evidence(reader):
    rows = reader.execute("SELECT type, origin, span_text, snippet FROM applicants "
                          "ORDER BY origin, type").fetchall()
    assert ("kommune", "fdb", None, None) in rows and ("verein", "fdb", None, None) in rows
    text = [r for r in rows if r[1] == "text" and r[0] == "verein" and r[2] == "gemeinnützige Vereine"]
    assert text and "Zuwendungsempfänger sind gemeinnützige Vereine" in text[0][3]


@pytest.mark.parametrize("spec, expected", [
    ({"land": ["Sachsen"]}, {"Sächsische Vereinsförderung"}),
    ({"land": ["05", "Bayern"]}, {"Klimaschutz Aachen", "Bayerische Dorfläden"}),
    ({"land": "brandenburg"}, {"Brandenburger Sportstätten"}),
    ({"applicant": ["verein"]}, {"Brandenburger Sportstätten", "Bayerische Dorfläden",
                                 "Sächsische Vereinsförderung"}),
    ({"applicant": "verein", "land": ["12"]}, {"Brandenburger Sportstätten"}),
    ({"applicant": ["kirche"]}, set()),
])
def test_filter_land_and_applicant_keys(reader, spec, expected):
    from warehouse.filters import parse_filter

    f = parse_filter("f", spec)
    got = {r[0] for r in reader.execute(
        f"SELECT programme FROM calls WHERE call_id IN ({f.calls_sql()})").fetchall()}
    assert got == expected
    assert f.gone_sql() == "FALSE"


@pytest.mark.parametrize("spec, message", [
    ({"land": ["Südland"]}, "is no Land"),
    ({"applicant": ["gemeinde"]}, "known: kommune"),
])
def test_filter_keys_refuse_unknown_values(spec, message):
    from warehouse.filters import FilterError, parse_filter

    with pytest.raises(FilterError, match=message):
        parse_filter("f", spec)
