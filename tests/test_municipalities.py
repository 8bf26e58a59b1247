"""The municipalities field: type words, bare register names, ambiguity, exclusions, AGS links."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.fields.gazetteer import Gazetteer, install
from extractors.fields.pipeline import FIELDS, Context, build_nlp
from extractors.fields.text import TextIndex, prepare

FIXTURE = Path(__file__).parent / "fixtures" / "gv100ad_small.txt"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL = SHARED / "gazetteer" / "GV100AD_301123.txt"
DEV = SHARED / "corpus" / "dev"


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("FOERDERRADAR_GAZETTEER", raising=False)


@pytest.fixture(scope="module")
def gaz():
    return Gazetteer.from_gv100ad(FIXTURE)


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(("foerderradar_municipalities",))


def find(nlp, text, gazetteer):
    nlp.get_pipe("foerderradar_municipalities").gazetteer = gazetteer
    ctx = Context(text=text, index=TextIndex(text), gazetteer=gazetteer)
    doc = nlp.make_doc(prepare(text))
    doc._.fr_ctx = ctx
    doc._.fr = {f: [] for f in FIELDS}
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    return doc._.fr["municipalities"]


def names(records):
    return [(m.name, m.type, m.ags) for m in records]


# (text, expected [(name, type, ags)] with the fixture register)
WITH_REGISTER = [
    # type words, AGS by level
    ("Die Stadt Soest wird Leitkommune.", [("Soest", "Stadt", "05974040")]),
    ("Projektpartner ist der Kreis Soest.", [("Soest", "Kreis", "05974")]),
    ("Die Stadt Soest und der Kreis Soest arbeiten zusammen.",
     [("Soest", "Stadt", "05974040"), ("Soest", "Kreis", "05974")]),
    ("Die Gemeinde Breklum liegt im Amt Mittleres Nordfriesland.",
     [("Breklum", "Gemeinde", "01054020"), ("Mittleres Nordfriesland", "Amt", "010545494")]),
    ("Ausgewählt wurden die Städte Iserlohn und Lippstadt sowie der Kreis Soest.",
     [("Iserlohn", "Stadt", "05962024"), ("Lippstadt", "Stadt", "05974028"), ("Soest", "Kreis", "05974")]),
    ("  • Leitkommune Stadt Soest\n  • Leitkommune Stadt Iserlohn\n",
     [("Soest", "Stadt", "05974040"), ("Iserlohn", "Stadt", "05962024")]),
    ("Im Landkreis Hof und in der Stadt Hof", [("Hof", "Landkreis", "09475"), ("Hof", "Stadt", "09464000")]),
    ("Die Landeshauptstadt Hannover und die Region Hannover",
     [("Hannover", "Landeshauptstadt", "03241001"), ("Hannover", "Region", "03241")]),
    # bare names: lists, locatives, datelines, event places, appositions
    ("Greven, Emsdetten und Rheine erhalten zusammen 2 Mio. Euro.",
     [("Greven", None, "05566012"), ("Emsdetten", None, "05566008"), ("Rheine", None, "05566076")]),
    ("In Iserlohn werden fünf Maßnahmen umgesetzt.", [("Iserlohn", None, "05962024")]),
    ("Berlin, 3. Mai 2024 – Das Ministerium startet einen Aufruf.", [("Berlin", None, "11000000")]),
    ("Die Fachtagung findet am 4. Juni in Berlin statt.", [("Berlin", None, "11000000")]),
    ("Breklum, eine kleine Gemeinde an der Nordsee, testet Telemedizin.", [("Breklum", None, "01054020")]),
    ("Der Rhein-Sieg-Kreis und der Märkische Kreis beteiligen sich.",
     [("Rhein-Sieg-Kreis", None, "05382"), ("Märkischer Kreis", None, "05962")]),
    ("Die Konferenz in Halle (Saale) und ein Workshop in Frankfurt am Main.",
     [("Halle (Saale)", None, "15002000"), ("Frankfurt am Main", None, "06412000")]),
    ("Gefördert werden Breklum, Bredstedt und Naila.",
     [("Breklum", None, "01054020"), ("Bredstedt", None, "01054019"), ("Naila", None, "09475151")]),
    # names that are ordinary words: only with evidence
    ("Die Messe findet in Essen statt.", [("Essen", None, "05113000")]),
    ("Essen, Iserlohn und Soest sind dabei.",
     [("Essen", None, "05113000"), ("Iserlohn", None, "05962024"), ("Soest", None, "05974040")]),
    ("Die Stadt Leer erhält Mittel.", [("Leer", "Stadt", "03457013")]),
    ("Das Essen in der Kantine war gut.", []),
    ("Auf dem Hof stehen zwei Traktoren.", []),
    ("Der Tank war leer. Leer stehende Gebäude werden umgebaut.", []),
    ("Wissen ist Macht. Waren im Wert von 500 Euro.", []),
    ("In Halle 3 der Messe stellen Kommunen aus.", []),
    ("Ministerpräsident Stephan Weil eröffnete die Tagung.", []),
    # several Gemeinden of one name: resolved by a Kreis in the text, else unresolved
    ("Die Gemeinde Neuenkirchen im Kreis Steinfurt erhält den Zuschlag.",
     [("Neuenkirchen", "Gemeinde", "05566060"), ("Steinfurt", "Kreis", "05566")]),
    ("Neuenkirchen (Heidekreis) nimmt teil.", [("Neuenkirchen", None, "03358017"), ("Heidekreis", None, "03358")]),
    ("Die Gemeinde Neuenkirchen erhält den Zuschlag.", [("Neuenkirchen", "Gemeinde", None)]),
    # not municipalities
    ("Für den Regierungsbezirk Arnsberg wurde ein Förderbescheid erteilt.", []),
    ("Die Bezirksregierung Arnsberg bewilligt die Mittel.", []),
    ("Die Stadtwerke Essen und die Sparkasse Soest fördern das Projekt.", []),
    ("Mit dem Digitalisierungszentrum Zeitz entsteht ein Experimentierraum.", []),
    ("Die Universität zu Köln und die TU Berlin forschen gemeinsam.", []),
    ("Der Gemeindetag Baden-Württemberg und der Städtetag begrüßen die Richtlinie.", []),
    ("Das Land Berlin und die Länder Brandenburg und Sachsen kooperieren.", []),
    ("Die hessischen Kommunen und das Land Hessen profitieren.", []),
    ("Die Region Südwestfalen, der Niederrhein und die Oberlausitz.", []),
    ("Kontakt: Stadt Iserlohn, Schillerplatz 7, 58636 Iserlohn, Tel. 02371 2170", []),
    ("Ansprechpartnerin\nStadt Soest\nFachbereich Digitales\nAm Vreithof 8\n59494 Soest\n", []),
    ("Die Essen GmbH und der Iserlohn e.V. bewerben sich.", []),
]


@pytest.mark.parametrize("text,expected", WITH_REGISTER)
def test_with_fixture_register(nlp, gaz, text, expected):
    assert names(find(nlp, text, gaz)) == expected


# without a register: type words only, AGS null
WITHOUT_REGISTER = [
    ("Die Stadt Soest wird Leitkommune.", [("Soest", "Stadt", None)]),
    ("Die Städte Iserlohn und Lippstadt sowie der Kreis Soest.",
     [("Iserlohn", "Stadt", None), ("Lippstadt", "Stadt", None), ("Soest", "Kreis", None)]),
    ("Die Gemeinde Breklum liegt im Amt Mittleres Nordfriesland.",
     [("Breklum", "Gemeinde", None), ("Mittleres Nordfriesland", "Amt", None)]),
    ("Im Landkreis Emsland und in der Stadt Frankfurt am Main.",
     [("Emsland", "Landkreis", None), ("Frankfurt am Main", "Stadt", None)]),
    ("Die Stadt Essen und die Stadt Hof.", [("Essen", "Stadt", None), ("Hof", "Stadt", None)]),
    ("Greven, Emsdetten und Rheine erhalten Geld. Die Messe ist in Berlin.", []),
    ("Sie ist seit 2014 im Amt. Das Amt für Digitalisierung hilft.", []),
    ("Die Städte Deutschlands und die Gemeinden Hessens.", []),
    ("Kontakt: Stadt Iserlohn, Schillerplatz 7, 58636 Iserlohn", []),
    ("Die Sparkasse der Stadt Soest.", []),
]


@pytest.mark.parametrize("text,expected", WITHOUT_REGISTER)
def test_without_register(nlp, text, expected):
    assert names(find(nlp, text, None)) == expected


def test_one_record_per_name_and_level_at_first_mention(nlp, gaz):
    text = "In Iserlohn beginnt es. Die Stadt Iserlohn hat eine Strategie. Iserlohn ist Modellkommune."
    recs = find(nlp, text, gaz)
    assert len(recs) == 1
    r = recs[0]
    assert (r.name, r.type, r.ags, r.candidates) == ("Iserlohn", "Stadt", "05962024", 1)
    assert text[r.start:r.end] == r.text == "Iserlohn" and r.start == 3


def test_candidates_count_and_span_with_type_word(nlp, gaz):
    text = "Auch die Gemeinde Neuenkirchen beteiligt sich."
    (r,) = find(nlp, text, gaz)
    assert r.candidates == 2 and r.ags is None
    assert text[r.start:r.end] == "Gemeinde Neuenkirchen"


def test_extractor_finds_register_without_flags(tmp_path):
    from extractors.fields import Extractor
    install(FIXTURE)
    rec = Extractor(gazetteer="auto").extract_text("Die Fachtagung findet in Iserlohn statt.")
    assert [(m.name, m.ags) for m in rec.municipalities] == [("Iserlohn", "05962024")]
    rec = Extractor(gazetteer=None).extract_text("Die Fachtagung findet in Iserlohn statt.")
    assert rec.municipalities == []


# --------------------------------------------------------------------------- the real register

@pytest.fixture(scope="module")
def real(tmp_path_factory):
    if not REAL.exists():
        pytest.skip("../shared/gazetteer not available")
    return Gazetteer.from_gv100ad(REAL)


@pytest.mark.shared
@pytest.mark.parametrize("text,expected", [
    ("Breklum, eine kleine Gemeinde im Amt Mittleres Nordfriesland, erprobt Telemedizin.",
     [("Breklum", None, "01054020"), ("Mittleres Nordfriesland", "Amt", "010545494")]),
    ("Die Stadt Soest und der Kreis Soest", [("Soest", "Stadt", "05974040"), ("Soest", "Kreis", "05974")]),
    ("Die Gemeinde Neuenkirchen im Kreis Steinfurt", [("Neuenkirchen", "Gemeinde", "05566060"),
                                                    ("Steinfurt", "Kreis", "05566")]),
    ("Modellprojekte in Ulm, Gera und Wolfsburg", [("Ulm", None, "08421000"), ("Gera", None, "16052000"),
                                                   ("Wolfsburg", None, "03103000")]),
    ("Die Samtgemeinde Sottrum und die Verwaltungsgemeinschaft Kemnath",
     [("Sottrum", "Samtgemeinde", "033575406"), ("Kemnath", "Verwaltungsgemeinschaft", "093775348")]),
    ("Das Essen war gut, auf dem Hof war es still, der Eimer war leer.", []),
])
def test_real_register_cases(nlp, real, text, expected):
    assert names(find(nlp, text, real)) == expected


@pytest.mark.shared
def test_dev_corpus_all_found_none_extra_with_ags(nlp, real):
    from extractors.evaluate import muni_key
    files = sorted(DEV.glob("*.json"))
    if not files:
        pytest.skip("../shared/corpus/dev not available")
    for f in files:
        d = json.loads(f.read_text(encoding="utf-8"))
        recs = find(nlp, d["text"], real)
        gold = {muni_key(m["name"]) for m in d["gold"]["municipalities"]}
        assert {muni_key(r.name) for r in recs} == gold, f.name
        for r in recs:
            assert r.ags and len(r.ags) in (5, 8, 9), (f.name, r)
            entry = real.by_key(r.ags)
            assert entry is not None and muni_key(entry.bare) == muni_key(r.name)



# --------------------------------------------------------------------------- contact, Länder, word before
# Cases around the shortcuts the component once kept beside reference copies: contact signals at
# word starts only, the Land named by name or adjective, the word right before a name.

EDGE_CASES = [
    # "tel" inside a word is no contact signal; a contact word or address in the line is
    ("Im Mittelstand von Iserlohn entstehen neue Stellen.", [("Iserlohn", None, "05962024")]),
    ("Die Fördermittel gehen nach Iserlohn.", [("Iserlohn", None, "05962024")]),
    ("Telefonische Beratung: Stadt Iserlohn, Tel. 02371 2170", []),
    ("Anschrift: Am Markt 3, 59494 Soest", []),
    ("E-Mail an kommunen@beispiel.example, Stadt Soest", []),
    # a shared name resolved by the Land the text names, as a name or an adjective
    ("Die Gemeinde Neuenkirchen in Niedersachsen erhält Mittel.", [("Neuenkirchen", "Gemeinde", "03358017")]),
    ("Die niedersächsische Gemeinde Neuenkirchen erhält Mittel.", [("Neuenkirchen", "Gemeinde", "03358017")]),
    ("Die Gemeinde Neuenkirchen in NRW erhält Mittel.", [("Neuenkirchen", "Gemeinde", "05566060")]),
    ("Die Gemeinde Neuenkirchen in Ostniedersachsen erhält Mittel.", [("Neuenkirchen", "Gemeinde", None)]),
    # the word before a bare name: titles, articles, nouns, line starts
    ("Laut Dr. Iserlohn ist das so.", []),
    ("Das gute Essen war teuer.", []),
    ("Programm\nIserlohn, 3. Mai 2024 – Der Kreis startet.", [("Iserlohn", None, "05962024")]),
    ("Die Projekte in  \tIserlohn beginnen.", [("Iserlohn", None, "05962024")]),
]


@pytest.mark.parametrize("text,expected", EDGE_CASES)
def test_contact_laender_and_word_before(nlp, gaz, text, expected):
    assert names(find(nlp, text, gaz)) == expected
