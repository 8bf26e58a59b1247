"""Programme names through the real pipeline (``Extractor(gazetteer=None)``).

All sentences are written for these tests; the dev corpus is read from ../shared and skipped where
it is absent.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.evaluate import score_document
from extractors.fields import Extractor
from extractors.fields.catalogue import name_key
from extractors.fields.programme_lexicon import load_lexicon

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="module")
def ex() -> Extractor:
    return Extractor(gazetteer=None)


def progs(ex: Extractor, text: str):
    return ex.extract_text(text).programmes


def names(ex: Extractor, text: str) -> list[str]:
    return [p.name for p in progs(ex, text)]


# (sentence, expected names in order of first mention)
POSITIVE = [
    # quoted names after a cue word, every quote style
    ("Mit dem Förderprogramm „Digitale Dörfer 2030“ unterstützt das Land kleine Gemeinden.",
     ["Digitale Dörfer 2030"]),
    ('Das Modellprogramm "Stadtlabore für Deutschland" geht in die zweite Runde.',
     ["Stadtlabore für Deutschland"]),
    ("Die Förderinitiative ‚Klimafreundliche Kommune‘ richtet sich an Landkreise.",
     ["Klimafreundliche Kommune"]),
    ("Der Bund fördert im Rahmen des Wettbewerbs »Zukunftsregionen im Wandel« zehn Vorhaben.",
     ["Zukunftsregionen im Wandel"]),
    ("Bewerbungen für den Ideenwettbewerb «Mobil auf dem Land» sind willkommen.",
     ["Mobil auf dem Land"]),
    ("Die Initiative 'Gemeinsam digital' startet im Herbst.", ["Gemeinsam digital"]),
    # a genitive between cue and quote, a colon, a hyphenated cue after the quote
    ("Das Förderprogramm des Landes „Kommune innovativ“ wird verlängert.", ["Kommune innovativ"]),
    ("Förderaufruf: „Wasser im Quartier“ – jetzt bewerben", ["Wasser im Quartier"]),
    ("Der „Klimaschutz vor Ort“-Förderaufruf ist gestartet.", ["Klimaschutz vor Ort"]),
    # naming phrases and a copula
    ("„Digitale Schule 2030“ ist ein neues Förderprogramm des Landes.", ["Digitale Schule 2030"]),
    ("Das neue Förderprogramm heißt „Kommune digital“ und startet im Mai.", ["Kommune digital"]),
    ("Der Wettbewerb unter dem Titel „Unser Platz“ ist eröffnet.", ["Unser Platz"]),
    # unquoted names after a strong cue stop at verbs, lowercase words and punctuation
    ("Mit dem Programm Zukunft Ländlicher Raum werden Dorfläden und Arztpraxen gefördert.",
     ["Zukunft Ländlicher Raum"]),
    ("Aus Mitteln des Landesprogramms Starke Dörfer Sachsen mit jährlich 5 Millionen Euro.",
     ["Starke Dörfer Sachsen"]),
    ("Das Sonderprogramm Grüne Mitte Thüringen finanziert Parks.", ["Grüne Mitte Thüringen"]),
    ("Das Sonderprogramm Stadt und Land finanziert Radwege.", ["Sonderprogramm Stadt und Land"]),
    ("Seit 2021 läuft das Bundesprogramm Sprach-Kitas.", ["Sprach-Kitas"]),
    ("Im Förderprogramm NEUSTART KULTUR stehen weitere Mittel bereit.", ["NEUSTART KULTUR"]),
    # a label line
    ("Förderprogramm: Digitalbonus Kommunal\nFördergeber: Land", ["Digitalbonus Kommunal"]),
    # a well-known name with its programme period number
    ("Das Projekt wird aus Interreg VI A gefördert.", ["Interreg VI A"]),
    # plural cue: a list of names
    ("Die Stadt erhält Mittel aus den Programmen Lebendige Zentren und Sozialer Zusammenhalt.",
     ["Lebendige Zentren", "Sozialer Zusammenhalt"]),
    ("Gefördert wird aus den Förderprogrammen „Grüne Höfe“, „Sichere Wege“ und „Dorf aktiv“.",
     ["Grüne Höfe", "Sichere Wege", "Dorf aktiv"]),
    # heading: name before the call number
    ("Gemeinsam Wachsen – 3. Förderaufruf\nDie Bewerbungsphase läuft.", ["Gemeinsam Wachsen"]),
    # well-known names, case-sensitive acronyms, compounds, long forms
    ("Gefördert aus dem EFRE/JTF-Programm NRW 2021-2027.", ["EFRE", "JTF"]),
    ("Das Vorhaben wird aus dem EFRE kofinanziert; auch LEADER-Regionen können Anträge stellen.",
     ["EFRE", "LEADER"]),
    ("Kommunen nutzen die Kommunalrichtlinie und den DigitalPakt Schule.",
     ["Kommunalrichtlinie", "DigitalPakt Schule"]),
    ("Für Sanierungsquartiere steht das KfW-Programm 432 bereit.", ["KfW-Programm 432"]),
    ("Für Sanierungsquartiere steht KfW 201 bereit.", ["KfW 201"]),
    ("Für Hochschulen ist Horizont Europa offen, für Start-ups das EXIST-Gründerstipendium.",
     ["Horizont Europa", "EXIST-Gründerstipendium"]),
    # a frozen (undeclined) adjective after a dative preposition marks a name
    ("Das Förderprogramm des Bundes wird ergänzt: Vernetzung wird mit Kreative Nachbarschaften "
     "erprobt.", ["Kreative Nachbarschaften"]),
]


@pytest.mark.parametrize("text,expected", POSITIVE, ids=[e[0] for _, e in zip(POSITIVE, POSITIVE)])
def test_positive(ex, text, expected):
    assert names(ex, text) == expected


NEGATIVE = [
    "Weitere Informationen zum Förderprogramm finden Sie auf unserer Seite.",
    "Dieses Förderprogramm richtet sich an Kommunen; das Programm des Landes ist beliebt.",
    "Die Förderprogramme des Bundes und der Länder ergänzen sich.",
    "Im Rahmen des Förderprogramms wird auch die Verwaltung gefördert.",
    "Die entsprechende Förderrichtlinie ist in Vorbereitung. Gemäß Richtlinie ist das möglich.",
    "Die Förderrichtlinie zur Digitalisierung kommunaler Verwaltungen tritt in Kraft.",
    # laws, strategies, ministries, agencies, platforms, events
    "Das Onlinezugangsgesetz verpflichtet Bund und Länder, Leistungen online anzubieten.",
    "Das Förderprogramm ergänzt die Digitalisierungsstrategie „Digitales Sachsen“ des Landes.",
    "Ein Programm des Bundesministeriums für Wirtschaft und Klimaschutz (BMWK).",
    "Der Förderaufruf wird vom Projektträger Jülich betreut; die KfW zahlt aus.",
    "Die Kommunen erhalten die Plattform „Bürgerservice online“ kostenfrei.",
    "Auf der Smart Country Convention stellte die Ministerin das Programm vor.",
    "Im Programm Konferenz Zukunft Kommune treffen sich Bürgermeister.",
    # quoted concepts without a programme cue
    "Ziel ist ein „Digitales Rathaus“ im Sinne eines serviceorientierten Handelns.",
    'Im Bereich "E-Government" geht es um Onlinedienste; im Schwerpunkt E-Government auch.',
    "Sind Sie beim Thema Smart City „Einsteiger“ oder „Fortgeschrittener“?",
    "Die Stadt bewirbt sich mit dem Projekt „Grüne Mitte Nordstadt“ beim Wettbewerb.",
    # generic nouns, editions and organisations after cue words
    "Im Förderaufruf Kommunen 2024 können Anträge gestellt werden.",
    "Das Förderprogramm Digitalisierung ist ausgeschöpft.",
    "Unterstützt durch die Initiative D21 und die Initiative des Landkreises.",
    "Die Initiative Wirtschaftsstandort Nordstadt e.V. lädt zum Empfang.",
    "Förderprogramme Bund Länder EU",
    "Förderprogramm: Kommunen\nAntragsteller: Städte",
    "Über das Programm Kommunen und Vereine zu stärken, wird diskutiert.",
    "Gleichwertige Lebensverhältnisse in Stadt und Land sind das Ziel des Programms.",
    "Der Förderaufruf Digitalisierung 2024 richtet sich an Schulen.",
    "Die Initiative „Sicher im Netz“ e.V. berät Vereine.",
    "Zum Start des Förderprogramms: „Wir unterstützen die Kommunen beim Klimaschutz.“",
    "Zum Förderaufruf sagte die Ministerin: „Das ist ein guter Tag für die Dörfer, die wir stärken.“",
    "Die Förderung erfolgt über das Landesprogramm NRW 2021-2027.",
    "Die Modellprojekte dieser Staffel stehen unter dem Motto „Gemeinwohl und Quartier“.",
    "Ein Projekt mit dem Namen „Grüner Hof“ wurde ausgezeichnet.",
    "Der Förderaufruf 2025 erscheint im Frühjahr.",
    # a declined adjective after a preposition is ordinary German, not a name
    "Im Förderprogramm wird mit digitalen Lösungen gearbeitet, mit Hilfe Dritter.",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_negative(ex, text):
    assert names(ex, text) == []


def test_aliases_short_long_and_cue_forms(ex):
    text = ("Die Förderinitiative „Dorf 2.0“ unterstützt Gemeinden. Dorf 2.0 ist im Ministerium "
            "angesiedelt. Im Mittelpunkt von „Dorf 2.0“ steht die Daseinsvorsorge.\n"
            "Dorf 2.0 – 3. Förderaufruf\nDie Initiative „Dorf 2.0“ nimmt weitere Regionen auf.")
    ps = progs(ex, text)
    assert len(ps) == 1
    p = ps[0]
    assert p.name == "Dorf 2.0"
    assert "Förderinitiative Dorf 2.0" in p.aliases and "Initiative Dorf 2.0" in p.aliases
    assert text[p.start:p.end] == p.text == "Dorf 2.0"
    assert p.start == text.index("Dorf 2.0")
    assert p.rule == "cue_quoted"


def test_declined_forms_merge(ex):
    text = ("Mit dem Förderprogramm „Modellquartiere Klimaschutz“ fördert das Land Städte. "
            "In den „Modellquartieren Klimaschutz“ werden Lösungen erprobt. Der Erfolg der "
            "Modellquartiere Klimaschutz zeigt sich schon.")
    ps = progs(ex, text)
    assert [p.name for p in ps] == ["Modellquartiere Klimaschutz"]
    assert "Modellquartieren Klimaschutz" in ps[0].aliases
    assert "Förderprogramm Modellquartiere Klimaschutz" in ps[0].aliases


def test_known_declined_form_gets_base_name(ex):
    ps = progs(ex, "Die Mittel der Lebendigen Zentren fließen in die Innenstadt.")
    assert [p.name for p in ps] == ["Lebendige Zentren"]
    assert ps[0].text == "Lebendigen Zentren" and ps[0].rule == "known"


def test_short_form_inside_long_form_merges(ex):
    text = ('Das Modellprogramm "Digitale Heimat Thüringen" läuft. Die Förderrichtlinie '
            '"Digitale Heimat" regelt die Details. Im Förderprogramm "Digitale Heimat Thüringen" '
            "gibt es zwei Phasen.")
    ps = progs(ex, text)
    assert [p.name for p in ps] == ["Digitale Heimat Thüringen"]
    assert "Digitale Heimat" in ps[0].aliases


def test_long_form_and_acronym_of_well_known_programme(ex):
    text = ("Gefördert aus Mitteln des Europäischen Fonds für regionale Entwicklung (EFRE). "
            "Die EFRE-Mittel sind begrenzt.")
    ps = progs(ex, text)
    assert [p.name for p in ps] == ["EFRE"]
    assert "Europäischen Fonds für regionale Entwicklung" in ps[0].aliases


def test_known_name_carries_reference_name_as_alias(ex):
    ps = progs(ex, "Gründerteams beantragen das EXIST-Gründerstipendium.")
    assert [p.name for p in ps] == ["EXIST-Gründerstipendium"] and "EXIST" in ps[0].aliases


def test_acronym_in_brackets_becomes_alias(ex):
    text = ("Das Bundesprogramm „Quartiere im Wandel“ (QUIW) startet. Mit QUIW werden "
            "Nachbarschaften gestärkt.")
    ps = progs(ex, text)
    assert [p.name for p in ps] == ["Quartiere im Wandel"]
    assert "QUIW" in ps[0].aliases


def test_quoted_name_without_cue_counts_when_cued_elsewhere(ex):
    text = ("„Gutes Klima vor Ort“ geht in die zweite Runde. Seit 2020 fördert der Wettbewerb "
            "„Gutes Klima vor Ort“ Schulen.")
    ps = progs(ex, text)
    assert [p.name for p in ps] == ["Gutes Klima vor Ort"]
    assert ps[0].start == 1          # the first mention, before the cued one
    # ... and not when no cue names it anywhere
    assert names(ex, "„Gutes Klima vor Ort“ geht in die zweite Runde.") == []


def test_well_known_acronyms_are_case_sensitive(ex):
    assert names(ex, "Der Leader der Gruppe und das zim-Modul") == []
    assert names(ex, "Die Förderung erfolgt über ZIM.") == ["ZIM"]


def test_offsets_point_into_original_text_with_newlines(ex):
    text = "Förderprogramme\n\n#Modellprogramm \"Smarte Dörfer NRW\"\n\nText.\n"
    ps = progs(ex, text)
    assert [p.name for p in ps] == ["Smarte Dörfer NRW"]
    assert text[ps[0].start:ps[0].end] == "Smarte Dörfer NRW"


def test_name_key_is_declension_tolerant():
    assert name_key("Modellprojekten Smart Cities") == name_key("Modellprojekte Smart Cities")
    assert name_key("„Heimat 2.0“") == name_key("Heimat 2.0")
    assert name_key("EFRE") != name_key("ESF")


def test_lexicon_loads_cues_and_known_list():
    lex = load_lexicon()
    assert lex.cue_of("Bundesförderprogramms")[0] == "Bundesförderprogramm"
    assert lex.cue_of("ESF-Bundesprogramme")[2] is True          # plural
    assert lex.cue_of("Programm")[1] == "strong" and lex.cue_of("Richtlinie")[1] == "quoted"
    assert lex.cue_of("Programmierung") is None
    assert any(k.name == "LEADER" for k in lex.catalogue.entries)


def _dev_docs():
    dev = SHARED / "corpus" / "dev"
    if not dev.is_dir():
        pytest.skip("../shared/corpus/dev not available")
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(dev.glob("*.json"))]


@pytest.mark.shared
def test_dev_corpus_programmes(ex):
    docs = _dev_docs()
    problems = []
    for d in docs:
        rec = ex.extract_text(d["text"], source=d.get("id", "-"))
        pred = json.loads(rec.model_dump_json())
        tp, fp, fn, missed, extra = score_document(d["gold"], pred)["programmes"]
        if fp or fn:
            problems.append(f"{d.get('id')}: missed={missed} extra={extra}")
        for p in rec.programmes:
            assert d["text"][p.start:p.end] == p.text
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("text, name", [
    ("Das Sofortprogramm Perspektive Innenstadt unterstützt Städte wie Hameln.", "Perspektive Innenstadt"),
    ("Im Rahmen des Sofortprogramms Saubere Luft werden Busse gefördert.", "Saubere Luft"),
    ("Das Stipendienprogramm „Digital Talents“ richtet sich an Studierende.", "Digital Talents"),
    ("Mit dem Konjunkturprogramm „Zukunft bauen“ fördert das Land Kommunen.", "Zukunft bauen"),
])
def test_more_programme_cue_words(ex, text, name):
    assert names(ex, text) == [name]


@pytest.mark.parametrize("text", [
    "Mit dem Konjunkturprogramm der Bundesregierung wurden Investitionen angeschoben.",
    "Das Pilotprogramm läuft seit 2022 in drei Ländern.",
    "Ein Sofortprogramm für die Innenstädte ist in Vorbereitung.",
])
def test_programme_cue_words_without_a_name(ex, text):
    assert names(ex, text) == []


# --- names by their head noun (compound heads), issue #9 -------------------------------------
# (sentence, expected names); all written for these tests
COMPOUND_HEADS = [
    ("Vereine können ab sofort den Kulturscheck beantragen.", ["Kulturscheck"]),
    ("Anträge für den Dorffonds 2026 nimmt die Gemeinde bis März entgegen.", ["Dorffonds 2026"]),
    ("Aus dem LEADER-Kleinprojektebudget werden zwölf Vorhaben gefördert.",
     ["LEADER-Kleinprojektebudget"]),
    ("Die Stadt vergibt in diesem Jahr wieder ihren Umweltpreis 2025.", ["Umweltpreis 2025"]),
    ("Bewerbungen für den Jugendwettbewerb sind bis Juni möglich.", ["Jugendwettbewerb"]),
    ("Gefördert werden die Projekte aus dem Quartierstopf der Stadt.", ["Quartierstopf"]),
    ("Mit einem Gaststätten-Sonderprogramm fördert das Land Dorfkneipen.", ["Gaststätten-Sonderprogramm"]),
    ("Das Dorf wurde in das Dorfentwicklungsprogramm aufgenommen und kann Anträge stellen.",
     ["Dorfentwicklungsprogramm"]),
    ("Heimatfonds\n\nDer Fonds unterstützt kleine Vorhaben.", ["Heimatfonds"]),
    ("Die Gemeinde stellt auch in diesem Jahr ein Bürgerbudget 2025 bereit.", ["Bürgerbudget 2025"]),
    # siblings of an enumeration share the first part
    ("Das Programm besteht aus Dorf-Scheck, Dorf-Werkstatt und Dorf-Fonds.",
     ["Dorf-Scheck", "Dorf-Werkstatt", "Dorf-Fonds"]),
]

COMPOUND_HEADS_NOT = [
    "Der Strompreis steigt im nächsten Jahr um vier Prozent.",            # ordinary noun (stop list)
    "Im Veranstaltungsprogramm des Sommers stehen Konzerte.",            # ordinary noun
    "Der Bürgermeister überreichte einen Spendenscheck über 500 Euro.",  # stop list
    "Das Dorfentwicklungsprogramm liegt im Rathaus aus.",                 # no funding word
    "Gefördert aus dem EFRE-Programm NRW 2021-2027.",                     # a known name and a generic head
    "Die Jury des digitalen Spendenwettbewerbs tagt im Mai.",              # described: lowercase adjective
    "Förderprogramme können beantragt werden.",                           # the head alone
]


@pytest.mark.parametrize("text,expected", COMPOUND_HEADS)
def test_compound_heads(ex, text, expected):
    assert names(ex, text) == expected


@pytest.mark.parametrize("text", COMPOUND_HEADS_NOT)
def test_compound_heads_not(ex, text):
    assert [n for n in names(ex, text) if n not in ("EFRE",)] == []


# --- the cue as the head of the name ----------------------------------------------------------
CUE_HEADS = [
    ("Über das Kommunale Klimaschutzprogramm 2.0 werden Kitas saniert.", ["Kommunale Klimaschutzprogramm 2.0"]),
    ("Der Bremer Kulturfonds unterstützt freie Gruppen.", ["Bremer Kulturfonds"]),
    ("Gefördert wird aus dem Landesprogramm für Dorfentwicklung (LPD) des Landes.",
     ["Landesprogramm für Dorfentwicklung"]),
    ("Die Gemeinden im Thüringer Dorferneuerungs- und Dorfentwicklungsprogramm stellen Anträge.",
     ["Thüringer Dorferneuerungs- und Dorfentwicklungsprogramm"]),
    ("Fonds für kleine Nachbarschaften\n\nDer Fonds fördert Straßenfeste.", ["Fonds für kleine Nachbarschaften"]),
    ("Im Sofortprogramm Ortskern werden leere Läden belebt.", ["Sofortprogramm Ortskern"]),
    ("Kommunen können am Förderprogramm Dorfentwicklung teilnehmen.", ["Förderprogramm Dorfentwicklung"]),
    ("Aus dem EFRE-Sonderfonds Innovative Maßnahmen werden Städte gefördert.",
     ["EFRE-Sonderfonds Innovative Maßnahmen"]),
]

def test_short_name_in_brackets_after_a_title(ex):
    text = ("Richtlinie des Landkreises Nordheide zur Förderung von Dorfläden (Dorfladenrichtlinie)\n"
            "Der Landkreis gewährt Zuschüsse.")
    assert names(ex, text) == ["Dorfladenrichtlinie"]
    assert names(ex, "Richtlinie zur Förderung von Vereinen (Förderrichtlinie)\nText.") == []


CUE_HEADS_NOT = [
    "Neues Förderprogramm für Vereine gestartet.",              # a describing adjective
    "Abgeschlossene Modellvorhaben\nLaufende Modellvorhaben",  # participles in headings
    "Der nächste Aufruf für neue Anträge (Call) folgt im Mai.",  # stop words in the phrase
    "Im Programm Kultur gibt es Konzerte.",                      # a bare cue and one word
]


@pytest.mark.parametrize("text,expected", CUE_HEADS)
def test_cue_as_head(ex, text, expected):
    assert names(ex, text) == expected


@pytest.mark.parametrize("text", CUE_HEADS_NOT)
def test_cue_as_head_not(ex, text):
    assert names(ex, text) == []


def test_acronym_in_brackets_is_alias_of_cue_head(ex):
    ps = progs(ex, "Gefördert wird aus dem Landesprogramm für Dorfentwicklung (LPD). Das LPD läuft bis 2027.")
    assert [p.name for p in ps] == ["Landesprogramm für Dorfentwicklung"] and "LPD" in ps[0].aliases


# --- quoted names -----------------------------------------------------------------------------
QUOTED = [
    ("Der Kreativwettbewerb „Bunte Höfe“ startet.", ["Bunte Höfe"]),
    ("In den Umweltprogrammen „Saubere Bäche“ (SB) und „Grüne Dächer“ (GD) gibt es Geld.",
     ["Saubere Bäche", "Grüne Dächer"]),
    ("Die Ausschreibung ‘Mehr Platz‘ läuft bis Mai.", ["Mehr Platz"]),
    ("Das Förderprogramm „Wir machen unser Dorf schöner und lebenswert“ ist gestartet.",
     ["Wir machen unser Dorf schöner und lebenswert"]),
    ("Vereine können sich um Geld aus dem „Kiezfonds“ bewerben.", ["Kiezfonds"]),
    ("Das Geld stammt aus dem «Fonds für kleine Projekte» der Region.", ["Fonds für kleine Projekte"]),
    ("Projektskizzen für den Förderaufruf „Öffnet externen Link in neuem FensterKlima vor Ort“ "
     "sind willkommen.", ["Klima vor Ort"]),
    ("Förderbekanntmachung\n„Regionen im Wandel – erste Schritte“\nVom 3. Mai", ["Regionen im Wandel – erste Schritte"]),
    ("Förderprogramm\n\nZukunft Dorf\n\nKurztext", ["Zukunft Dorf"]),
]


@pytest.mark.parametrize("text,expected", QUOTED)
def test_quoted_names(ex, text, expected):
    assert names(ex, text) == expected


# --- known programmes, the catalogue ----------------------------------------------------------
def test_known_case_variant_after_cue_links_to_catalogue(ex):
    ps = progs(ex, "Vereine können Mittel aus dem EU-Förderprogramm Leader beantragen.")
    assert [p.name for p in ps] == ["LEADER"] and ps[0].catalogue_key == "known:LEADER"


def test_long_form_with_acronym_joins_known_entry(ex):
    ps = progs(ex, "Die Mittel kommen aus dem Europäischen Landwirtschaftsfonds für die Entwicklung "
                   "des Ländlichen Raums (ELER) und vom Land.")
    assert [p.name for p in ps] == ["ELER"]


def test_known_acronym_in_title_case_before_a_hyphen(ex):
    assert names(ex, "Die Gemeinde liegt in der Leader-Region und nutzt Leader-Mittel.") == ["LEADER"]
    assert names(ex, "Der Leader der Gruppe und das zim-Modul") == []


def test_known_compound_with_a_body_is_no_mention(ex):
    assert names(ex, "Der Interreg-Ausschuss tagt im Mai.") == []
    assert names(ex, "Die EFRE-Mittel sind begrenzt.") == ["EFRE"]


def test_known_names_in_a_menu_are_no_mentions(ex):
    assert names(ex, "Themen\nStädtebauförderung\nLEADER\nDorfentwicklung\n\nDie Gemeinde feiert.") == []
    assert names(ex, "LEADER\n\nDie Gemeinde erhält Mittel aus LEADER für den Dorfladen.") == ["LEADER"]


def test_fdb_catalogue_links_free_text(tmp_path):
    from extractors.fields import catalogue as cat
    from models.records import Document
    docs = [Document(source="https://www.foerderdatenbank.de/x/zukunft-dorf.html", kind="html",
                     text="Zukunft Dorf", fields={"programme": "Zukunft Dorf (ZD)"}),
            Document(source="other.txt", kind="txt", text="Kein Programm")]
    path = tmp_path / "programme_catalogue.jsonl"
    assert cat.write_fdb_catalogue(docs, path) == 1
    c = cat.load_catalogue(path)
    entry = c.entries[c.link("Zukunft Dorf")]
    assert entry.key == "fdb:https://www.foerderdatenbank.de/x/zukunft-dorf.html"
    assert c.entries[c.link("ZD")].name == "Zukunft Dorf" and not entry.searched
    assert c.link("Zukunft Stadt") is None


def test_fdb_catalogue_in_the_extraction(tmp_path, monkeypatch):
    path = tmp_path / "cat.jsonl"
    path.write_text('{"key": "fdb:/p/zukunft-dorf", "name": "Zukunft Dorf", "aliases": []}\nnot json\n',
                    encoding="utf-8")
    monkeypatch.setenv("FOERDERRADAR_CATALOGUE", str(path))
    ps = Extractor(gazetteer=None).extract_text(
        "Mit dem Förderprogramm „Zukunft Dorf“ fördert das Land Dorfläden. Zukunft Dorf ist beliebt.").programmes
    assert [(p.name, p.catalogue_key) for p in ps] == [("Zukunft Dorf", "fdb:/p/zukunft-dorf")]
    # titles are linked to, not searched for
    assert Extractor(gazetteer=None).extract_text("Zukunft Dorf ist beliebt.").programmes == []
