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


# --------------------------------------------------------------------------- quality phenomena (issue 9)

PHENOMENA = [
    # lists after a plural type word: colon, counts in brackets, "mit …" phrases, Kreise without "Kreis"
    ("Das Geld geht an die Landkreise: Steinfurt (3), Soest (5) und Nordfriesland (2).",
     [("Steinfurt", "Landkreis", "05566"), ("Soest", "Landkreis", "05974"), ("Nordfriesland", "Landkreis", "01054")]),
    ("Es erhalten die Gemeinden Breklum mit 12.000 Euro und Greven mit 8.000 Euro eine Förderung.",
     [("Breklum", "Gemeinde", "01054020"), ("Greven", "Gemeinde", "05566012")]),
    ("Gefördert werden die Städte (kreisfrei) Essen, Hof und Halle (Saale).",
     [("Essen", "Stadt", "05113000"), ("Hof", "Stadt", "09464000"), ("Halle (Saale)", "Stadt", "15002000")]),
    # lists of places among Ortsteile: register names count where they are half the list, except one
    # lying in another Land; a list of mostly other words does not vouch for its names
    ("Die Ortschaften Breklum, Rotdorf, Bredstedt und Heidedorf werden Dorfentwicklungsgebiet.",
     [("Breklum", None, "01054020"), ("Bredstedt", None, "01054019")]),
    ("Die Ortschaften Greven, Breklum, Emsdetten und Rotdorf werden Dorfentwicklungsgebiet.",
     [("Greven", None, "05566012"), ("Emsdetten", None, "05566008")]),
    ("Betriebe in den Orten Altdorf, Neudorf, Hinterdorf, Oberdorf oder Iserlohn sind antragsberechtigt.", []),
    # a name the text calls a municipality elsewhere counts in every list
    ("Die Gemeinde Breklum lädt ein. Dabei sind Rotdorf, Breklum und Bredstedt.",
     [("Breklum", "Gemeinde", "01054020"), ("Bredstedt", None, "01054019")]),
    # a facility or project before a place, a weekday, a plural noun: the place counts
    ("Die Sporthalle Iserlohn wird saniert.", [("Iserlohn", None, "05962024")]),
    ("Das Zeitzeugenprojekt Lippstadt sammelt Geschichten.", [("Lippstadt", None, "05974028")]),
    ("An den Standorten Berlin und Iserlohn arbeiten 100 Menschen.",
     [("Berlin", None, "11000000"), ("Iserlohn", None, "05962024")]),
    ("Der Minister übergab am Montag in Breklum die Bescheide.", [("Breklum", None, "01054020")]),
    ("Der Bürgerbahnhof in Bredstedt ist fertig.", [("Bredstedt", None, "01054019")]),
    # organisations and persons: the place is part of a name
    ("Anträge gehen an den Projektträger Iserlohn.", []),
    ("Der Stiftungsfonds Lippstadt fördert Projekte.", []),
    ("Bürgermeisterin Petra Soest eröffnete die Halle.", []),
    ("Der DRK Iserlohn sammelt Spenden.", []),
    ("Die Freiwillige Feuerwehr Arnsberg und die Tafel Iserlohn helfen.", []),
    ("Das Gymnasium Lippstadt und die Kita Soest feiern.", []),
    ("Die Nachbargemeinde Breklum zieht mit.", [("Breklum", None, "01054020")]),
    # contact data judged around the signal, not for the whole paragraph
    ("Die Stadt Iserlohn fördert Vereine, Initiativen und Nachbarschaften mit einem neuen Programm; "
     "Fragen beantwortet das Team unter foerderung@beispiel.example.", [("Iserlohn", "Stadt", "05962024")]),
    ("Ausbau der Dorfstraße 117 bis 123 in Breklum (ca. 105.500 €)", [("Breklum", None, "01054020")]),
    ("Stadt Iserlohn, Schillerplatz 7, 58636 Iserlohn", []),
    ("Mehr dazu unter www.beispiel.example/Iserlohn und Berlin.de", []),
    # genitives before a noun
    ("Iserlohns Altstadt wird saniert.", [("Iserlohn", None, "05962024")]),
    ("Die Gemeinde Breklum hat gewählt: Breklums Bürgermeister bleibt im Amt.", [("Breklum", "Gemeinde", "01054020")]),
    # Regierungsbezirke listed by name are no cities
    ("Die meisten Anträge kamen aus dem Regierungsbezirk Düsseldorf (20), gefolgt von Arnsberg (12) "
     "und Münster (9).", []),
    # datelines with several places and an author's or agency's mark
    ("Iserlohn/Lippstadt (pm). Beide Städte starten ein Programm.",
     [("Iserlohn", None, "05962024"), ("Lippstadt", None, "05974028")]),
    ("Breklum (dpa/lno) - Die Gemeinde testet Telemedizin.", [("Breklum", None, "01054020")]),
    # a shared name resolved by a Kreis named anywhere, even inside an organisation's name
    ("Die Kreissparkasse Steinfurt unterstützt die Gemeinde Neuenkirchen.", [("Neuenkirchen", "Gemeinde", "05566060")]),
]


@pytest.mark.parametrize("text,expected", PHENOMENA)
def test_quality_phenomena(nlp, gaz, text, expected):
    assert names(find(nlp, text, gaz)) == expected


@pytest.mark.parametrize("land,ags", [("03", "03358017"), ("05", "05566060"), (None, None)])
def test_land_of_the_source_resolves_a_shared_name(gaz, land, ags):
    from extractors.fields.municipalities import find_municipalities
    (r,) = find_municipalities("Die Gemeinde Neuenkirchen erhält Mittel.", gaz, land=land)
    assert (r.name, r.ags, r.candidates) == ("Neuenkirchen", ags, 2)


def test_land_hint_reaches_the_component_through_the_context(nlp, gaz):
    text = "Die Gemeinde Neuenkirchen erhält Mittel."
    ctx = Context(text=text, index=TextIndex(text), gazetteer=gaz, land="03")
    doc = nlp.make_doc(prepare(text))
    doc._.fr_ctx = ctx
    doc._.fr = {f: [] for f in FIELDS}
    for _name, proc in nlp.pipeline:
        doc = proc(doc)
    assert [m.ags for m in doc._.fr["municipalities"]] == ["03358017"]


@pytest.mark.shared
@pytest.mark.parametrize("text,expected", [
    # register names whose qualifier has no space are found by their short name
    ("Das Freibad in Töging wird saniert.", [("Töging", None, "09171132")]),
    ("Der Markt Murnau erhält Mittel.", [("Murnau", "Markt", "09180124")]),
    # plural heads with an abbreviation in brackets, and the abbreviation itself
    ("Antragsberechtigt sind die Verbandsgemeinden (VGs) Adenau und Altenahr.",
     [("Adenau", "Verbandsgemeinde", "071315001"), ("Altenahr", "Verbandsgemeinde", "071315002")]),
    ("Die VG Altenahr erhält 1,6 Mio. Euro.", [("Altenahr", "Verbandsgemeinde", "071315002")]),
])
def test_real_register_phenomena(nlp, real, text, expected):
    assert names(find(nlp, text, real)) == expected


LIST_FORMS = [
    # one name a line, with bullets and brackets: a list of lines
    ("Gefördert werden:\n• Breklum (120.000 €)\n• Bredstedt (80.000 €)\n• Rotdorf\n",
     [("Breklum", None, "01054020"), ("Bredstedt", None, "01054019")]),
    ("Gefördert werden:\n- Breklum\n- Bredstedt\nDie Mittel fließen bald.",
     [("Breklum", None, "01054020"), ("Bredstedt", None, "01054019")]),
    # names that only end and start lines are no list
    ("Das Projekt liegt in Bredstedt\nBreklum hat gewählt.", [("Bredstedt", None, "01054019")]),
    # "von … bis …" after a plural head
    ("Dabei sind fünf Kreise von Steinfurt bis Nordfriesland.",
     [("Steinfurt", "Kreis", "05566"), ("Nordfriesland", "Kreis", "01054")]),
    ("Die Städte bis Ende Mai melden.", []),
]


@pytest.mark.parametrize("text,expected", LIST_FORMS)
def test_list_forms(nlp, gaz, text, expected):
    assert names(find(nlp, text, gaz)) == expected
