"""Money amounts through the real extraction pipeline (``Extractor(gazetteer=None)``).

Every string here is written for this test (German funding language of the usual kinds); the
shared dev corpus is read from ../shared and skipped where absent.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from extractors.fields import Extractor

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
D = Decimal


@pytest.fixture(scope="module")
def ex() -> Extractor:
    return Extractor(gazetteer=None)


def amounts(ex: Extractor, text: str):
    return ex.extract_text(text).amounts


# (text, value, low, qualifier, unit): the text holds exactly one statement; for a range the
# upper-bound record is checked (the lower one separately below)
POSITIVE = [
    ("Das Land stellt 400 Millionen Euro bereit.", D("400000000"), None, "exact", "total"),
    ("Gefördert wird mit 1,5 Mio. € aus Landesmitteln.", D("1500000"), None, "exact", "total"),
    ("Zuwendung: EUR 2.500,00 (nicht rückzahlbar)", D("2500"), None, "exact", "total"),
    ("Der Bund gibt 3 Mrd. Euro für den Ausbau.", D("3000000000"), None, "exact", "total"),
    ("Budget: TEUR 150", D("150000"), None, "exact", "total"),
    ("Das Budget beträgt 150 T€.", D("150000"), None, "exact", "total"),
    ("Es stehen 1.000.000,- € bereit.", D("1000000"), None, "exact", "total"),
    ("Es stehen 50 000 Euro bereit.", D("50000"), None, "exact", "total"),
    ("Es stehen 50\u00a0000 Euro bereit.", D("50000"), None, "exact", "total"),
    ("Es stehen 50\u202f000 Euro bereit.", D("50000"), None, "exact", "total"),
    ("Preisgeld: Euro 5.000", D("5000"), None, "exact", "total"),
    ("Der Preis ist mit 5.000 EUR dotiert.", D("5000"), None, "exact", "total"),
    ("Der Verein erhielt eine Million Euro.", D("1000000"), None, "exact", "total"),
    ("Zwölf Millionen Euro fließen in die Region.", D("12000000"), None, "exact", "total"),
    ("Es gibt anderthalb Millionen Euro für Radwege.", D("1500000"), None, "exact", "total"),
    ("Es gibt eineinhalb Millionen Euro für Radwege.", D("1500000"), None, "exact", "total"),
    ("Dafür ist eine Viertelmillion Euro vorgesehen.", D("250000"), None, "exact", "total"),
    ("Mit einer halben Milliarde Euro wird gebaut.", D("500000000"), None, "exact", "total"),
    ("Der Bund gibt zwei Milliarden Euro.", D("2000000000"), None, "exact", "total"),
    ("Es gibt zweihundertfünfzigtausend Euro.", D("250000"), None, "exact", "total"),
    ("Der Zuschuss liegt zwischen 10.000 und 50.000 Euro.", D("50000"), D("10000"), "max", "total"),
    ("Je Vorhaben sind 1 bis 2 Mio. € möglich.", D("2000000"), D("1000000"), "max", "per_project"),
    ("Förderfähig sind Projekte mit 5.000–10.000 €.", D("10000"), D("5000"), "max", "total"),
    ("Gefördert wird von 5.000 bis 20.000 Euro.", D("20000"), D("5000"), "max", "total"),
    ("Beteiligungen von 500.000 bis 2 Mio. Euro", D("2000000"), D("500000"), "max", "total"),
    ("Kosten von EUR 5.000 bis 10.000 werden erstattet.", D("10000"), D("5000"), "max", "total"),
    ("Es sind ca. 1 bis 2 Mio. Euro.", D("2000000"), D("1000000"), "approx", "total"),
    ("Zuschuss von bis zu 50.000 Euro", D("50000"), None, "max", "total"),
    ("Die Förderung beträgt maximal 200.000 Euro.", D("200000"), None, "max", "total"),
    ("Sie beträgt höchstens 75.000 Euro.", D("75000"), None, "max", "total"),
    ("Die Förderung beträgt max. 25.000 €.", D("25000"), None, "max", "total"),
    ("Zuschuss in Höhe von mindestens 10.000 Euro", D("10000"), None, "min", "total"),
    ("Gefördert werden Vorhaben ab 25.000 Euro.", D("25000"), None, "min", "total"),
    ("Das Land gibt rund 91 Millionen Euro.", D("91000000"), None, "approx", "total"),
    ("Das kostet ca. 400 Millionen Euro.", D("400000000"), None, "approx", "total"),
    ("Es sind etwa 3,2 Mrd. Euro.", D("3200000000"), None, "approx", "total"),
    ("Es sind knapp 2 Millionen Euro.", D("2000000"), None, "approx", "total"),
    ("Das Volumen liegt bei über 1 Mio. Euro.", D("1000000"), None, "over", "total"),
    ("Das sind mehr als 300.000 Euro.", D("300000"), None, "over", "total"),
    ("Kleinprojekte mit weniger als 10.000 Euro", D("10000"), None, "under", "total"),
    ("Vorhaben unter 5.000 Euro werden nicht gefördert.", D("5000"), None, "under", "total"),
    ("Der Bund stellt insgesamt 820 Millionen Euro bereit.", D("820000000"), None, "exact", "total"),
    ("Das Land gibt jährlich 20 Millionen Euro.", D("20000000"), None, "exact", "per_year"),
    ("Das Land gibt 20 Millionen Euro pro Jahr.", D("20000000"), None, "exact", "per_year"),
    ("Budget: 5 Mio. EUR p.a.", D("5000000"), None, "exact", "per_year"),
    ("Es gibt 100.000 Euro je Kommune.", D("100000"), None, "exact", "per_municipality"),
    ("Es gibt 2,50 Euro pro Einwohner.", D("2.5"), None, "exact", "per_inhabitant"),
    ("Es gibt 30 Euro pro Kopf.", D("30"), None, "exact", "per_inhabitant"),
    ("Gefördert werden 50 Euro pro m² Dachfläche.", D("50"), None, "exact", "per_m2"),
    ("Zuschuss: 40 €/m² Gründach", D("40"), None, "exact", "per_m2"),
    ("Das Stipendium beträgt 500 Euro/Monat.", D("500"), None, "exact", "per_month"),
    ("Das Stipendium beträgt 1.200 Euro monatlich.", D("1200"), None, "exact", "per_month"),
    ("Es gibt 150 Euro je Teilnehmer.", D("150"), None, "exact", "per_person"),
    ("Es gibt bis zu 75.000 Euro je Vorhaben.", D("75000"), None, "max", "per_project"),
    ("Je Projekt werden bis zu 15.000 Euro gewährt.", D("15000"), None, "max", "per_project"),
    ("Es gibt 300.000 EUR pro Unternehmen.", D("300000"), None, "exact", "per_applicant"),
    ("Die Zuwendung beträgt 25.000,00 EUR.", D("25000"), None, "exact", "total"),
    ("Insgesamt 1 Mio € stehen bereit.", D("1000000"), None, "exact", "total"),
    ("Eigenmittel: Euro 1.000", D("1000"), None, "exact", "total"),
    ("Die Schutzgebühr beträgt € 500,-.", D("500"), None, "exact", "total"),
    ("Die Gebühr beträgt € 500.-", D("500"), None, "exact", "total"),
    ("Es gibt Zuschüsse in Höhe von 2,5 Millionen Euro.", D("2500000"), None, "exact", "total"),
    ("Im Haushalt sind 5 Mio. EUR eingestellt.", D("5000000"), None, "exact", "total"),
    ("Im Haushalt sind 3 Millionen € eingestellt.", D("3000000"), None, "exact", "total"),
    ("Das 500-Millionen-Euro-Programm startet.", D("500000000"), None, "exact", "total"),
    ("Die 2,5-Mio.-Euro-Förderung startet.", D("2500000"), None, "exact", "total"),
    ("Der Förderhöchstbetrag liegt bei 50.000 Euro.", D("50000"), None, "max", "total"),
    ("Die Mindestzuwendung beträgt 5.000 Euro.", D("5000"), None, "min", "total"),
    ("Die Zuwendung darf 50.000 Euro nicht überschreiten.", D("50000"), None, "max", "total"),
    ("Die Förderung ist auf 30.000 Euro begrenzt.", D("30000"), None, "max", "total"),
    ("Das jährliche Fördervolumen beträgt 3,2 Millionen EUR.", D("3200000"), None, "exact", "per_year"),
    ("Ab 2024 gibt es bis zu 50.000 Euro pro Projekt.", D("50000"), None, "max", "per_project"),
    ("Die Preise sind mit je 5.000 Euro dotiert.", D("5000"), None, "exact", "per_unit"),
    ("Zuschuss 12,50 Euro je Stunde", D("12.5"), None, "exact", "total"),
    # number reading: German decimals and thousands, English-looking forms
    ("Es sind 1,500 Euro.", D("1500"), None, "exact", "total"),
    ("Es sind 1,250 Mio. € eingeplant.", D("1250000"), None, "exact", "total"),
    ("Es sind 1,500,000 EUR.", D("1500000"), None, "exact", "total"),
    ("Es sind 12.50 EUR.", D("12.5"), None, "exact", "total"),
    ("Es sind 2.5 Millionen Euro.", D("2500000"), None, "exact", "total"),
    ("Es sind 1.500 Millionen Euro.", D("1500000000"), None, "exact", "total"),
    ("Es sind 1.500,50 Euro.", D("1500.5"), None, "exact", "total"),
    ("Es sind 5Mio.€.", D("5000000"), None, "exact", "total"),
    ("Es sind 500€.", D("500"), None, "exact", "total"),
    ("Gesamtkosten 20 Millionen\nEuro laut Plan", D("20000000"), None, "exact", "total"),
    ("Mittel: 10 MEUR", D("10000000"), None, "exact", "total"),
    ("Kosten: 80 k€", D("80000"), None, "exact", "total"),
    ("Pro Kommune 250 TEUR", D("250000"), None, "exact", "per_municipality"),
]


@pytest.mark.parametrize("text,value,low,qualifier,unit", POSITIVE, ids=[p[0][:40] for p in POSITIVE])
def test_positive(ex, text, value, low, qualifier, unit):
    found = [a for a in amounts(ex, text) if a.rule != "amount:range_low"]
    assert len(found) == 1, [(a.text, a.value_eur) for a in found]
    a = found[0]
    assert a.value_eur == value
    assert a.low_eur == low
    assert a.qualifier == qualifier
    assert a.unit == unit
    assert text[a.start:a.end] == a.text
    assert a.rule and a.rule.startswith("amount:")


NEGATIVE = [
    "Die Förderquote beträgt 50 Prozent der zuwendungsfähigen Ausgaben.",
    "Der Zuschuss beträgt bis zu 80 %.",
    "Ein Eigenanteil von 10 % ist zu tragen.",
    "Im Jahr 2023 wurden die Mittel verdoppelt.",
    "Ausgewählt wurden 73 Modellprojekte in 12 Ländern.",
    "Europa fördert die Euroregion mit 5 Projekten.",
    "Das europäische Programm Eurostars hat 30 Partner.",
    "Drei Millionen für die City",
    "Es gibt 5 Millionen für die Innenstädte.",
    "Anträge bis zum 31.12.2024 einreichen.",
    "Telefon: 0711 123 456 78",
    "Gemäß § 44 LHO werden Zuwendungen gewährt.",
    "Gefördert werden Busse der Euro-6-Norm.",
    "Nur Fahrzeuge der Abgasnorm Euro 6 sind förderfähig.",
    "Fahrzeuge mit Euro 6d-TEMP",
    "Der Zuschuss beträgt 5 Mio. CHF.",
    "Es sind 3 Millionen US-Dollar.",
    "Der Preis beträgt 500 Pfund.",
    "Es gibt 30 Euro-Cent je Kilowattstunde.",
    "Ein-Euro-Jobs sind ausgeschlossen.",
    "Die Euro 2024 findet in Deutschland statt.",
    "Siehe EUR-Lex 32014R0651.",
    "Es gibt mehrere Millionen Euro.",
    "Es geht um Millionen Euro.",
    "Die Akteure in Europa und Eurasien arbeiten zusammen.",
    "Mittel in Mio. € 2022 2023",
    "Der Eurozone gehören 20 Staaten an.",
]


@pytest.mark.parametrize("text", NEGATIVE, ids=[t[:40] for t in NEGATIVE])
def test_negative(ex, text):
    assert [(a.text, a.value_eur) for a in amounts(ex, text)] == []


def values(ex, text):
    return [a.value_eur for a in amounts(ex, text)]


def test_range_gives_two_records_with_same_span(ex):
    found = amounts(ex, "Je Vorhaben sind zwischen 10.000 und 50.000 Euro möglich.")
    assert [(a.value_eur, a.low_eur, a.qualifier, a.rule) for a in found] == [
        (D(50000), D(10000), "max", "amount:range"), (D(10000), None, "min", "amount:range_low")]
    assert found[0].text == found[1].text == "Je Vorhaben sind zwischen 10.000 und 50.000 Euro"[17:]
    assert found[0].unit == found[1].unit == "per_project"   # near cue earlier in the sentence


def test_range_with_currency_on_both_sides(ex):
    assert values(ex, "Zuschüsse von 5.000 Euro bis 20.000 Euro") == [D(20000), D(5000)]
    assert values(ex, "zwischen 10.000 EUR und 50.000 EUR") == [D(50000), D(10000)]
    assert values(ex, "€ 1.000,00 – € 5.000,00") == [D(5000), D(1000)]


def test_coordination_gives_one_record_per_number(ex):
    found = amounts(ex, "Zuwendungen von mindestens 10.000 und höchstens 50.000 Euro.")
    assert [(a.value_eur, a.qualifier, a.text) for a in found] == [
        (D(10000), "min", "mindestens 10.000"), (D(50000), "max", "höchstens 50.000 Euro")]
    assert values(ex, "Es gibt 10.000 oder 20.000 Euro.") == [D(10000), D(20000)]
    assert values(ex, "zwei bis drei Millionen Euro") == [D(3000000), D(2000000)]


def test_separate_amounts_each_a_record(ex):
    text = "Es gibt 50 000 Euro und 50 000 Euro und 60 000 Euro, dazu 5.000 EUR und Euro 5.000."
    assert values(ex, text) == [D(50000), D(50000), D(60000), D(5000), D(5000)]


def test_text_and_offsets_include_adjacent_cues(ex):
    text = "Die Kommunen werden mit ca. 400 Millionen Euro und jährlich 20 Millionen Euro unterstützt."
    found = amounts(ex, text)
    assert [a.text for a in found] == ["ca. 400 Millionen Euro", "jährlich 20 Millionen Euro"]
    assert [(a.qualifier, a.unit) for a in found] == [("approx", "total"), ("exact", "per_year")]
    for a in found:
        assert text[a.start:a.end] == a.text
    found = amounts(ex, "Es gibt bis zu 20 Mio. Euro pro Jahr.")
    assert found[0].text == "bis zu 20 Mio. Euro pro Jahr"


def test_year_is_not_read_before_prefix_amount(ex):
    assert values(ex, "Im Jahr 2024 EUR 5.000 und 2021-2025 EUR 3.000") == [D(5000), D(3000)]
    assert values(ex, "Haushalt 2024 – 5 Mio. Euro") == [D(5000000)]
    assert values(ex, "Von 2021 bis 2027 stehen rund 1,2 Mrd. Euro bereit.") == [D(1200000000)]


def test_post_cue_followed_by_year_is_not_a_unit(ex):
    found = amounts(ex, "Das Land gibt 5 Mio. Euro im Jahr 2025 aus.")
    assert found[0].unit == "total"
    found = amounts(ex, "Das Land gibt 5 Mio. Euro im Jahr aus.")
    assert found[0].unit == "per_year"


def test_extraction_json_contract(ex):
    rec = ex.extract_text("Es gibt 1,5 Mio. € und 12,50 Euro.")
    data = json.loads(rec.model_dump_json())
    assert [a["value_eur"] for a in data["amounts"]] == [1500000, 12.5]
    assert data["amounts"][0]["qualifier"] == "exact" and data["amounts"][0]["unit"] == "total"


def test_long_text_offsets_and_newlines(ex):
    text = ("Förderaufruf\n\nDas Ministerium stellt\ninsgesamt 12,5 Millionen Euro bereit.\n"
            "• Je Vorhaben bis zu 250.000 €\n• Eigenanteil 10 %\n\nKontakt: Tel. 0351 564 0\n") * 3
    found = amounts(ex, text)
    assert [a.value_eur for a in found] == [D(12500000), D(250000)] * 3
    for a in found:
        assert text[a.start:a.end] == a.text


def _dev_docs():
    d = SHARED / "corpus" / "dev"
    if not d.is_dir():
        pytest.skip("../shared/corpus/dev not present")
    docs = [json.loads(f.read_text(encoding="utf-8")) for f in sorted(d.glob("*.json"))]
    if not docs:
        pytest.skip("no dev gold files")
    return docs


@pytest.mark.shared
def test_dev_corpus_amounts_exact(ex):
    for doc in _dev_docs():
        pub = dt.date.fromisoformat(doc["published"]) if doc.get("published") else None
        rec = ex.extract_text(doc["text"], source=doc.get("id", "-"), published=pub)
        pred = {int(round(float(a.value_eur))) for a in rec.amounts}
        gold = {int(a["eur"]) for a in doc["gold"].get("amounts", [])}
        assert pred == gold, (doc.get("id"), sorted(gold - pred), sorted(pred - gold))
        for a in rec.amounts:
            assert doc["text"][a.start:a.end] == a.text


# --- negative contexts and near cues

def test_negative_contexts_apply_with_any_whitespace_and_case(ex):
    for text in ("Nur Busse mit EURO\u00a06d erhalten 5.000 Euro.", "Fahrzeuge EURO-5-Norm",
                 "Fahrzeuge der Euro 6 Klasse"):
        assert all(a.value_eur != D(6) and a.value_eur != D(5) for a in amounts(ex, text)), text
    assert values(ex, "Nur Busse mit EURO\u00a06d erhalten 5.000 Euro.") == [D(5000)]


def test_near_cues_across_line_breaks_and_sentence_start(ex):
    # word parts and phrases are found in the raw window, whatever whitespace stands there
    found = amounts(ex, "Der Förderhöchstbetrag je\u00a0 Vorhaben\tliegt bei 40.000 Euro.")
    assert [(a.value_eur, a.qualifier, a.unit) for a in found] == [(D(40000), "max", "per_project")]
    # a line starting with a capital starts a sentence: the cues before it do not count
    found = amounts(ex, "Der Förder-\nhöchstbetrag\tje\nVorhaben liegt bei 40.000 Euro.")
    assert [(a.value_eur, a.qualifier, a.unit) for a in found] == [(D(40000), "exact", "total")]
    found = amounts(ex, "Der jährliche\n\nZuschuss beträgt 3.000 Euro.")
    assert [(a.value_eur, a.unit) for a in found] == [(D(3000), "total")]   # paragraph ends
    found = amounts(ex, "Der jährliche Zuschuss beträgt 3.000 Euro.")
    assert [(a.value_eur, a.unit) for a in found] == [(D(3000), "per_year")]
    # a cue in the previous sentence does not count
    found = amounts(ex, "Das ist der Förderhöchstbetrag. Gefördert werden 3.000 Euro.")
    assert [(a.value_eur, a.qualifier) for a in found] == [(D(3000), "exact")]


# --- inherited currency: a number whose currency stands only at another amount of its sentence

INHERITED = [
    # (text, all values in text order, the inherited ones)
    ("Das Land Hessen stellt 400 Mio. Euro zur Verfügung; davon entfallen 50 Mio. auf Kommunen.",
     [D(400000000), D(50000000)], [D(50000000)]),
    ("Von den 12 Millionen Euro gehen 8 Millionen an Städte und 4 Millionen an Landkreise.",
     [D(12000000), D(8000000), D(4000000)], [D(8000000), D(4000000)]),
    ("Das Budget steigt von 2,5 auf 3 Millionen Euro.", [D(2500000), D(3000000)], [D(2500000)]),
    ("Das Budget sinkt von 3 auf rund 2,5 Millionen Euro.", [D(3000000), D(2500000)], [D(3000000)]),
    ("Insgesamt 5 Mio. €, davon 1,5 Mio. für Sachkosten", [D(5000000), D(1500000)], [D(1500000)]),
    ("Insgesamt stehen 80.000 Euro bereit, davon 30.000 für Personal und 15.000 für Reisen.",
     [D(80000), D(30000), D(15000)], [D(30000), D(15000)]),
    ("Der Hauptpreis ist mit 6.000 Euro dotiert, die beiden Anerkennungspreise mit je 1.500.",
     [D(6000), D(1500)], [D(1500)]),
    ("Bei Gesamtkosten von 9 Mio. Euro trägt der Bund 6 Mio., das Land 2 Mio. und der Kreis 1 Mio.",
     [D(9000000), D(6000000), D(2000000), D(1000000)], [D(6000000), D(2000000), D(1000000)]),
    ("Der Landkreis erhält 2 Mio. Euro, weitere 750 Tsd. kommen aus dem Strukturfonds.",
     [D(2000000), D(750000)], [D(750000)]),
    ("Vom Bund kommen 1 Mrd. Euro, von den Ländern weitere 300 Mio.",
     [D(1000000000), D(300000000)], [D(300000000)]),
    ("Das Volumen beträgt 30 Mio. Euro; 10 Mio. davon fließen in die Forschung.",
     [D(30000000), D(10000000)], [D(10000000)]),
    ("Der Zuschuss wird von 4.000 auf 5.000 Euro je Kind erhöht.", [D(4000), D(5000)], [D(4000)]),
    ("EUR 5 Mio. stehen bereit, davon 2 Mio. für die Grundschulen.",
     [D(5000000), D(2000000)], [D(2000000)]),
    ("Von den 600 Millionen Euro des Fonds wurden bisher 410 Millionen abgerufen.",
     [D(600000000), D(410000000)], [D(410000000)]),
    ("Bundesweit flossen 2023 gut 2,4 Milliarden Euro, 2022 waren es 1,7 Milliarden.",
     [D(2400000000), D(1700000000)], [D(1700000000)]),
]


@pytest.mark.parametrize("text,vals,inherited", INHERITED, ids=[t[0][:40] for t in INHERITED])
def test_inherited_currency(ex, text, vals, inherited):
    found = [a for a in amounts(ex, text) if a.rule != "amount:range_low"]
    assert [a.value_eur for a in found] == vals
    assert [a.value_eur for a in found if a.rule == "amount:inherited"] == inherited
    for a in found:
        assert text[a.start:a.end] == a.text
    assert all(a.qualifier == "exact" for a in found if a.rule == "amount:inherited")
    assert [a.start for a in found] == sorted(a.start for a in found)


def test_inherited_cues_and_units(ex):
    found = amounts(ex, "Für 2025 sind 12 Mio. Euro eingeplant, für 2026 bis zu 14 Mio. pro Jahr.")
    assert [(a.value_eur, a.qualifier, a.unit, a.rule, a.text) for a in found] == [
        (D(12000000), "exact", "total", "amount:suffix", "12 Mio. Euro"),
        (D(14000000), "max", "per_year", "amount:inherited", "bis zu 14 Mio. pro Jahr")]
    found = amounts(ex, "Der Hauptpreis ist mit 6.000 Euro dotiert, die beiden Anerkennungspreise mit je 1.500.")
    assert (found[1].text, found[1].unit) == ("je 1.500", "per_unit")
    found = amounts(ex, "Für die 12 Kreise stehen 36 Mio. Euro bereit, je Landkreis 3 Mio.")
    assert [(a.value_eur, a.unit, a.text) for a in found][1:] == [
        (D(3000000), "per_municipality", "je Landkreis 3 Mio.")]
    found = amounts(ex, "Vorgesehen sind 6 Mio. Euro, davon 2025 rund 2 Mio. und 2026 höchstens 4 Mio.")
    assert [(a.value_eur, a.qualifier, a.rule) for a in found][1:] == [
        (D(2000000), "approx", "amount:inherited"), (D(4000000), "max", "amount:inherited")]
    # the change form shares the unit cue after the amount ("je Kind")
    found = amounts(ex, "Der Zuschuss wird von 4.000 auf 5.000 Euro je Kind erhöht.")
    assert [(a.value_eur, a.unit, a.text) for a in found] == [
        (D(4000), "per_person", "von 4.000"), (D(5000), "per_person", "5.000 Euro je Kind")]


NOT_INHERITED = [
    # (text, the values found: only the explicit money)
    ("Es wurden 73 Projekte mit 820 Mio. gefördert.", []),
    ("Drei Millionen für die City", []),
    ("Die Stadt hat 1,2 Millionen Einwohner und erhält 3 Mio. Euro.", [D(3000000)]),
    ("Mit 10 Mio. Euro sollen 2 Millionen zusätzliche Fahrgäste gewonnen werden.", [D(10000000)]),
    ("Das Programm mit 100 Mio. Euro erreicht 3,4 Mio. kleine und mittlere Unternehmen.", [D(100000000)]),
    ("Mit 5 Mio. Euro werden jährlich 2 Mio. t CO2 eingespart.", [D(5000000)]),
    ("Das Land fördert 2 Mio. m² Dachfläche mit 3 Mio. Euro.", [D(3000000)]),
    ("Mit 8 Mio. Euro werden 1,5 Mio. kWh Strom erzeugt.", [D(8000000)]),
    ("Der Zuschuss beträgt 5 Mio. CHF und 3 Mio. Euro.", [D(3000000)]),
    ("Die Gemeinden erhalten 3 Millionen Euro; 2 Millionen Menschen profitieren davon.", [D(3000000)]),
    ("Mit 4 Mrd. Euro sollen 12 Mrd. Investitionen angestoßen werden.", [D(4000000000)]),
    ("Mit 2 Mio. Euro werden 3 Mio. Besucher pro Jahr erwartet.", [D(2000000)]),
    ("Das Land gibt 30 Mio. Euro, um die Lage der etwa 3 Mio. in kleinen Orten wohnenden Familien "
     "zu verbessern.", [D(30000000)]),
    ("Mit 1,5 Mio. Euro unterstützt das Land 12 Tsd. Vereine.", [D(1500000)]),
    # never across sentences, nor across a line break after ";"
    ("Das Land gibt 5 Mio. Euro. Der Bund gibt weitere 3 Mio. für Radwege.", [D(5000000)]),
    ("Im Jahr 2023 gab es 1,5 Millionen Anträge. Bewilligt wurden 3 Mio. Euro.", [D(3000000)]),
    ("Insgesamt: 5 Mio. EUR;\n2 Mio. für Kommunen", [D(5000000)]),
    ("Insgesamt: 5 Mio. EUR\n– davon 2 Mio. für Kommunen", [D(5000000)]),
    # a plain number needs a link word and a plausible size
    ("Es wurden 400 Projekte mit 3 Mio. Euro gefördert, davon 150 in Bayern.", [D(3000000)]),
    ("Es gibt 3 Mio. Euro für 20 Kommunen, davon 5 in Sachsen.", [D(3000000)]),
    ("Das Land gibt 3 Mio. Euro; 20 % davon gehen an Vereine.", [D(3000000)]),
    ("Die Zuwendung beträgt 5.000 Euro für 20 Teilnehmende und 300 Stunden.", [D(5000)]),
    ("Für 2.000 Euro je Vorhaben werden je 2 Gutachter bestellt.", [D(2000)]),
    ("Es stehen 50.000 Euro bereit, davon 2024 ein Drittel.", [D(50000)]),
    # "von … auf …": years and far-apart values are no change of an amount
    ("Die Fördersumme steigt von 2024 auf 3 Mio. Euro.", [D(3000000)]),
    ("Das Volumen wächst von 800 auf 1,2 Mio. Euro.", [D(1200000)]),
    ("Der Fördersatz steigt von 50 auf 80 Prozent, höchstens 20.000 Euro.", [D(20000)]),
]


@pytest.mark.parametrize("text,vals", NOT_INHERITED, ids=[t[0][:40] for t in NOT_INHERITED])
def test_not_inherited(ex, text, vals):
    found = amounts(ex, text)
    assert [a.value_eur for a in found] == vals, [(a.text, a.rule) for a in found]
    assert all(a.rule != "amount:inherited" for a in found)


def test_find_amounts_is_a_plain_function_over_a_context():
    from extractors.fields.amounts import find_amounts
    from extractors.fields.pipeline import Context
    text = "Vorab: 7 Mio. Euro. Von den 12 Millionen Euro gehen 8 Millionen an Städte."
    found = find_amounts(Context(text))
    assert [(a.value_eur, a.rule, a.role) for a in found] == [
        (D(7000000), "amount:suffix", "other"), (D(12000000), "amount:suffix", "other"),
        (D(8000000), "amount:inherited", "other")]
    assert found == find_amounts(Context(text))       # no state kept between calls


def test_same_digits_read_by_their_scale_word(ex):
    """The same digits with another scale word or none keep their own value."""
    text = "Es gibt 1,250 Mio. Euro, dazu 1,250 Euro und 1,250 Euro pro Jahr sowie 2 Mrd. Euro."
    got = [(a.value_eur, a.unit) for a in amounts(ex, text)]
    assert got == [(Decimal("1250000"), "total"), (Decimal("1250"), "total"),
                   (Decimal("1250"), "per_year"), (Decimal("2000000000"), "total")]


# --- amount roles (GUIDELINES.md "amount roles"): one phenomenon a line, the first amount's role

ROLES = [
    # budget
    ("Für das Programm stehen insgesamt 15 Mio. Euro zur Verfügung.", "budget"),
    ("Das Land stellt dafür jährlich 20 Millionen Euro bereit.", "budget"),
    ("Das Fördervolumen beträgt 820 Millionen Euro.", "budget"),
    ("Der Fonds ist mit 2 Mio. Euro ausgestattet.", "budget"),
    ("Der Fördertopf umfasst 500.000 Euro.", "budget"),
    ("Für den Aufruf sind im Haushalt 3 Millionen Euro eingeplant.", "budget"),
    ("Das Ministerium unterstützt die Kommunen mit insgesamt 40 Millionen Euro.", "budget"),
    ("Bis zu 8 Millionen Euro stehen für das Sofortprogramm zur Verfügung.", "budget"),
    ("Kreisweit 1,2 Millionen Euro für neue Radwege", "budget"),
    # grant
    ("Gefördert werden Vorhaben mit bis zu 50.000 Euro je Vorhaben.", "grant"),
    ("Der Zuschuss beträgt höchstens 750.000 Euro.", "grant"),
    ("Eine Pauschale von 5.000 Euro wird gewährt.", "grant"),
    ("Das Preisgeld beträgt 3.000 Euro.", "grant"),
    ("Vereine erhalten einen Zuschuss von 500 Euro.", "grant"),
    ("Antragsteller erhalten maximal 2.000 Euro.", "grant"),
    ("Die Förderung beträgt 80 Prozent der zuwendungsfähigen Kosten, höchstens 25.000 Euro.", "grant"),
    ("Der Preis ist mit 10.000 Euro dotiert.", "grant"),
    ("Projekte können mit bis zu 30.000 Euro gefördert werden.", "grant"),
    # grant_min
    ("Die Mindestzuwendung beträgt 5.000 Euro.", "grant_min"),
    ("Die Bagatellgrenze liegt bei 2.500 Euro.", "grant_min"),
    ("Der Zuschuss beträgt mindestens 1.000 Euro.", "grant_min"),
    # award
    ("Die Gemeinde Breklum erhält 120.000 Euro.", "award"),
    ("Vier Kommunen wurden mit mehr als 582.000 Euro gefördert.", "award"),
    ("Der Förderbescheid über 1,2 Mio. Euro wurde am Montag übergeben.", "award"),
    ("Die Stadt Husum wird mit 450.000 Euro gefördert.", "award"),
    ("Der Minister übergab dem Verein einen Scheck über 10.000 Euro.", "award"),
    ("Im vergangenen Jahr hat die Stiftung 25 Projekte mit 80.000 Euro unterstützt.", "award"),
    # project_cost
    ("Die Gesamtkosten des Vorhabens belaufen sich auf 3 Mio. Euro.", "project_cost"),
    ("Gefördert werden Vorhaben mit zuwendungsfähigen Ausgaben ab 20.000 Euro.", "project_cost"),
    ("Gefördert werden Vorhaben ab 20.000 Euro Gesamtkosten.", "project_cost"),
    ("Das Investitionsvolumen liegt bei 12 Millionen Euro.", "project_cost"),
    # own_contribution
    ("Der Eigenanteil beträgt 10.000 Euro.", "own_contribution"),
    ("Die Gemeinde bringt Eigenmittel von 50.000 Euro ein.", "own_contribution"),
    # other
    ("Die Teilnahmegebühr beträgt 50 Euro.", "other"),
    ("Der Schaden beläuft sich auf 2 Mio. Euro.", "other"),
    ("Beantragt wurden Fördermittel von 3 Mio. Euro.", "other"),
    ("Antragsberechtigt sind Unternehmen mit einem Jahresumsatz von höchstens 50 Mio. Euro.", "other"),
    ("Die beantragte Fördersumme kann höchstens 5.000 Euro betragen.", "grant"),
    ("Insgesamt wurden Mittel in Höhe von 3 Mio. Euro beantragt.", "other"),
    ("Die Sanierung der Halle kostet rund 1,2 Millionen Euro.", "project_cost"),
    ("Der Verein wurde mit 5.000 Euro ausgezeichnet.", "award"),
    ("Weitere 300.000 Euro gehen an die Stadt Bad Oldesloe.", "award"),
    ("Der Eigenbeitrag der Kommune liegt bei 20.000 Euro.", "own_contribution"),
    # heading context
    ("Art und Höhe der Zuwendung\n\nDer Betrag liegt bei 3.000 Euro.", "grant"),
    ("Fördervolumen\n\n3 Mio. Euro", "budget"),
    # the cue nearest to the amount wins; a cue nearer to another amount is that amount's
    ("Der mit 371 Mio. Euro ausgestattete Fonds gibt Städten bis zu 5 Mio. Euro.", "budget"),
    ("Insgesamt steht eine Summe von 40.000 Euro bereit; pro Projekt gibt es maximal 2.000 Euro.", "budget"),
    # the costs a percentage is taken of are no project cost of the amount after it
    ("Gefördert werden bis zu 90 Prozent der förderfähigen Ausgaben, maximal 240.000 Euro.", "grant"),
    # a support verb: a budget, an award when the sentence reports the past
    ("Mit dem Programm werden die Kommunen mit ca. 400 Millionen Euro unterstützt.", "budget"),
    ("Bisher wurden 387 Projekte mit mehr als 750.000 Euro unterstützt.", "award"),
    # no cue: a total is a budget, an amount in an enumeration takes the role before it
    ("Insgesamt 1.322.400 Euro", "budget"),
]


@pytest.mark.parametrize("text,role", ROLES, ids=[t[0][:40] for t in ROLES])
def test_amount_roles(ex, text, role):
    found = amounts(ex, text)
    assert found and found[0].role == role, [(a.text, a.role) for a in found]


def test_every_amount_gets_a_role_and_one_value_one_role(ex):
    text = ("Das Land stellt 2 Mio. Euro bereit. Je Vorhaben gibt es bis zu 50.000 Euro.\n\n"
            "Die Gemeinde Adorf erhält 50.000 Euro, die Stadt Bdorf 30.000 Euro und Cdorf (vorher "
            "20.000 Euro) 25.000 Euro.")
    found = amounts(ex, text)
    assert [(a.value_eur, a.role) for a in found] == [
        (D(2000000), "budget"), (D(50000), "grant"), (D(50000), "grant"), (D(30000), "award"),
        (D(20000), "award"), (D(25000), "award")]
    assert json.loads(ex.extract_text(text).model_dump_json())["amounts"][0]["role"] == "budget"


def test_roles_of_a_range_and_a_heading(ex):
    found = amounts(ex, "Zuschüsse zwischen 10.000 und 50.000 Euro sind möglich.")
    assert [(a.value_eur, a.role) for a in found] == [(D(50000), "grant"), (D(10000), "grant")]
    found = amounts(ex, "Höhe der Förderung\n\nEs gibt 5.000 Euro für eine Schule und 2.000 Euro für eine Kita.")
    assert [a.role for a in found] == ["grant", "grant"]
    found = amounts(ex, "Kontakt\n\nDie Broschüre ist für 12 Euro im Handel erhältlich.")
    assert [a.role for a in found] == ["other"]


# --- number words and broken numbers

NUMBER_FORMS = [
    ("Es gibt dreißig Millionen Euro.", [D(30000000)]),
    ("Es gibt Dreißigtausend Euro.", [D(30000)]),
    ("Es gibt zwei Millionen dreihunderttausend Euro.", [D(2300000)]),
    ("Es gibt eine Million zweihunderttausend Euro.", [D(1200000)]),
    ("Es gibt drei Milliarden fünfhundert Millionen Euro.", [D(3500000000)]),
    ("Es gibt zwei Millionen Euro und drei Millionen Euro.", [D(2000000), D(3000000)]),
    ("Der Betrag von 1.837, 32 € wird erstattet.", [D("1837.32")]),
    ("Betrag:\n1.837,\n32 €", [D("1837.32")]),
    # not a broken number: no thousands group before, three digits after, or no currency
    ("Es gab 837, 32 € und mehr.", [D(32)]),
    ("Es gab 1.837, 320 € und mehr.", [D(320)]),
    ("Es gab 1.837, 32 Projekte und 5 Euro.", [D(5)]),
]


@pytest.mark.parametrize("text,vals", NUMBER_FORMS, ids=[t[0][:40] for t in NUMBER_FORMS])
def test_number_forms(ex, text, vals):
    assert values(ex, text) == vals
