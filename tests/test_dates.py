"""foerderradar_dates through the real pipeline: values, granularity, kind, time, year inference."""
from __future__ import annotations

import datetime as dt

import pytest

from extractors.fields import Extractor
from extractors.fields.date_forms import month_number, scan

D = dt.date


@pytest.fixture(scope="module")
def ex():
    return Extractor(gazetteer=None)   # no clock: a year comes from the text or the caller


def dates(ex, text, published=None):
    return ex.extract_text(text, published=published).dates


def one(ex, text, surface, published=None):
    found = [d for d in dates(ex, text, published) if d.text == surface]
    assert found, f"{surface!r} not found in {[d.text for d in dates(ex, text, published)]}"
    return found[0]


# (sentence, surface, published, date, date_end, granularity)
VALUES = [
    ("Bewerbungen sind bis zum 31. Juli 2018 einzureichen.", "31. Juli 2018", None, D(2018, 7, 31), None, "day"),
    ("Antragsfrist: 31.07.2018", "31.07.2018", None, D(2018, 7, 31), None, "day"),
    ("Eingang bis 31.7.18 beim Landesamt.", "31.7.18", None, D(2018, 7, 31), None, "day"),
    ("Die Unterlagen sind bis 15.3. vorzulegen.", "15.3.", D(2024, 1, 10), D(2024, 3, 15), None, "day"),
    ("Stichtag ist der 1. Sept. 2023.", "1. Sept. 2023", None, D(2023, 9, 1), None, "day"),
    ("Die Frist endet am 3. Okt. 2023 um Mitternacht.", "3. Okt. 2023", None, D(2023, 10, 3), None, "day"),
    ("Die Auswahl fällt Ende April 2024.", "Ende April 2024", None, D(2024, 4, 30), D(2024, 4, 30), "month"),
    ("Die Auswahl fällt Anfang Mai 2024.", "Anfang Mai 2024", None, D(2024, 5, 1), D(2024, 5, 10), "month"),
    ("Die Auswahl fällt Mitte Mai 2024.", "Mitte Mai 2024", None, D(2024, 5, 11), D(2024, 5, 20), "month"),
    ("Die Bekanntgabe erfolgt im April 2024.", "April 2024", None, D(2024, 4, 1), D(2024, 4, 30), "month"),
    ("Die Entscheidung fällt im zweiten Quartal 2024.", "zweiten Quartal 2024", None, D(2024, 4, 1), D(2024, 6, 30), "quarter"),
    ("Geplanter Start: Q3/2024.", "Q3/2024", None, D(2024, 7, 1), D(2024, 9, 30), "quarter"),
    ("Die Ausschreibung folgt im 3. Quartal 2024.", "3. Quartal 2024", None, D(2024, 7, 1), D(2024, 9, 30), "quarter"),
    ("Die Umsetzung soll im ersten Halbjahr 2025 beginnen.", "ersten Halbjahr 2025", None, D(2025, 1, 1), D(2025, 6, 30), "half"),
    ("Eine zweite Runde ist für das 2. Halbjahr 2025 geplant.", "2. Halbjahr 2025", None, D(2025, 7, 1), D(2025, 12, 31), "half"),
    ("Die Ergebnisse werden im Frühjahr 2024 vorgestellt.", "Frühjahr 2024", None, D(2024, 3, 1), D(2024, 5, 31), "season"),
    ("Das Programm wurde im Herbst 2023 angekündigt.", "Herbst 2023", None, D(2023, 9, 1), D(2023, 11, 30), "season"),
    ("Die Sprechstunde läuft vom 1. bis 30. Juni 2023.", "1. bis 30. Juni 2023", None, D(2023, 6, 1), D(2023, 6, 30), "day"),
    ("Beratungstage: 1.–15. März 2024 im Rathaus.", "1.–15. März 2024", None, D(2024, 3, 1), D(2024, 3, 15), "day"),
    ("Die Ausstellung ist vom 1. Juni bis 31. August 2024 geöffnet.", "1. Juni bis 31. August 2024", None, D(2024, 6, 1), D(2024, 8, 31), "day"),
    ("Der Winterdienst wird vom 15. November bis 15. März 2024 gefördert.", "15. November bis 15. März 2024", None, D(2023, 11, 15), D(2024, 3, 15), "day"),
    ("Einreichungszeitraum: 01.02.2024 – 31.03.2024", "01.02.2024 – 31.03.2024", None, D(2024, 2, 1), D(2024, 3, 31), "day"),
    ("Gefördert werden Vorhaben in den Jahren 2020 bis 2024.", "2020 bis 2024", None, D(2020, 1, 1), D(2024, 12, 31), "year"),
    ("Bewerbungen bis 30. September d. J. an die Stiftung.", "30. September d. J.", D(2023, 5, 2), D(2023, 9, 30), None, "day"),
    ("Freitag, 15. März 2024: Abgabe der Skizzen.", "Freitag, 15. März 2024", None, D(2024, 3, 15), None, "day"),
    ("Bis Ende 2021 stehen dafür 5 Millionen Euro zur Verfügung.", "Ende 2021", None, D(2021, 12, 31), D(2021, 12, 31), "year"),
    ("Ab 2021 können auch Vereine teilnehmen.", "2021", None, D(2021, 1, 1), D(2021, 12, 31), "year"),
    ("Deadline: 15 March 2024", "15 March 2024", None, D(2024, 3, 15), None, "day"),
    ("Submission deadline is March 15, 2024.", "March 15, 2024", None, D(2024, 3, 15), None, "day"),
    ("Deadline date: 2024-09-17", "2024-09-17", None, D(2024, 9, 17), None, "day"),
    ("Anträge bis zum 15. Jänner 2025 an das Amt.", "15. Jänner 2025", None, D(2025, 1, 15), None, "day"),
    ("EINSENDESCHLUSS: 31. MÄRZ 2024", "31. MÄRZ 2024", None, D(2024, 3, 31), None, "day"),
]


@pytest.mark.parametrize("text,surface,published,date,date_end,gran", VALUES,
                         ids=[v[1] for v in VALUES])
def test_values(ex, text, surface, published, date, date_end, gran):
    m = one(ex, text, surface, published)
    assert (m.date, m.date_end, m.granularity) == (date, date_end, gran)
    assert text[m.start:m.end] == m.text


# (sentence, surface, kind)
KINDS = [
    ("Typ: Pressemitteilung, Datum: 19.10.2022", "19.10.2022", "publication"),
    ("Stand: 12.03.2024", "12.03.2024", "publication"),
    ("Veröffentlicht am 3. Mai 2024 von der Redaktion.", "3. Mai 2024", "publication"),
    ("Potsdam, 12. März 2024 – Das Land fördert Dorfläden.", "12. März 2024", "publication"),
    ("Letzte Aktualisierung: 05.02.2024", "05.02.2024", "publication"),
    ("Einreichungsdatum: 15.03.2024", "15.03.2024", "other"),
    ("Opening date: 12 December 2023", "12 December 2023", "call_start"),
    ("Der Aufruf startet am 1. Februar 2024.", "1. Februar 2024", "call_start"),
    ("Ab dem 1. März 2024 können Anträge gestellt werden.", "1. März 2024", "call_start"),
    ("Am 7. Februar 2020 hat die zweite Runde des Wettbewerbs begonnen.", "7. Februar 2020", "call_start"),
    ("Die Laufzeit der Vorhaben endet spätestens am 31.12.2026.", "31.12.2026", "period_end"),
    ("Bis Ende 2021 stehen dafür 5 Millionen Euro zur Verfügung.", "Ende 2021", "period_end"),
    ("Gefördert werden Vorhaben in den Jahren 2020 bis 2024.", "2020 bis 2024", "period_start"),
    ("Die Maßnahmen müssen bis 30.06.2025 abgeschlossen sein.", "30.06.2025", "period_end"),
    ("Projektbeginn ist frühestens der 1. Juli 2024.", "1. Juli 2024", "period_start"),
    ("Die Informationsveranstaltung findet am 12. März 2024 online statt.", "12. März 2024", "event"),
    ("Am 5. Juni 2024 bieten wir ein Webinar zum Aufruf an.", "5. Juni 2024", "event"),
    ("Die Jurysitzung ist für den 20. Mai 2024 angesetzt.", "20. Mai 2024", "event"),
    ("Die Preisverleihung erfolgt am 3. Dezember 2024 in Bonn.", "3. Dezember 2024", "event"),
    ("Anträge sind bis zum 31. März 2024 einzureichen.", "31. März 2024", "other"),
]


@pytest.mark.parametrize("text,surface,kind", KINDS, ids=[k[0][:40] for k in KINDS])
def test_kinds(ex, text, surface, kind):
    assert one(ex, text, surface).kind == kind


@pytest.mark.parametrize("text,surface,time", [
    ("Anträge sind bis 12 Uhr am 3. Mai 2022 einzureichen.", "3. Mai 2022", "12:00"),
    ("Einsendeschluss: 3. Mai 2022, 12:00 Uhr", "3. Mai 2022", "12:00"),
    ("Frist: 15.09.2024, 23.59 Uhr (MESZ)", "15.09.2024", "23:59"),
    ("Deadline: 17 September 2024 17:00 CEST", "17 September 2024", "17:00"),
    ("Die Frist endet am 15.09.2024.", "15.09.2024", None),
])
def test_times(ex, text, surface, time):
    assert one(ex, text, surface).time == time


def test_year_from_publication_found_in_text(ex):
    text = "Meldung\nDatum: 19.10.2023\n\nProjektskizzen können bis zum 15.1. eingereicht werden."
    rec = ex.extract_text(text)
    assert rec.published == D(2023, 10, 19)
    m = [d for d in rec.dates if d.text == "15.1."][0]
    assert m.date == D(2024, 1, 15)           # well before publication: the following January


def test_year_from_same_sentence(ex):
    m = one(ex, "Im Jahr 2024 ist die Antragstellung bis zum 06.12. möglich.", "06.12.")
    assert m.date == D(2024, 12, 6)


def test_caller_publication_wins(ex):
    rec = ex.extract_text("Stand: 12.03.2024\nAnträge bis 30.4. einreichen.", published=D(2023, 2, 1))
    assert rec.published == D(2023, 2, 1)
    assert [d.date for d in rec.dates if d.text == "30.4."] == [D(2023, 4, 30)]


def test_yearless_without_publication_has_no_date(ex):
    rec = ex.extract_text("Bewerbungsschluss ist der 1. Oktober. Anträge bis 15.3. einreichen.")
    assert rec.published is None
    assert {d.text: d.date for d in rec.dates} == {"1. Oktober": None, "15.3.": None}
    assert [d for d in rec.deadlines if d.date is not None] == []


NOT_DATES = [
    "Gemäß Nr. 2.1. der Richtlinie und Ziffer 5.3. gilt Folgendes.",
    "Es werden 2024 Ladepunkte und 1.500 Wallboxen gefördert.",
    "Der Zuschuss beträgt 2020 Euro je Anlage.",
    "Förderquote 50 %, höchstens 400.000 Euro, mindestens 12 Monate Laufzeit.",
    "Telefon 0228 99 305-2024, Zimmer 12.3",
    "Der Mai ist ein schöner Monat, sagte August Müller.",
    "We may apply the rules as we see fit.",
    "Die Version 3.12 der Software.",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_not_dates(ex, text):
    assert [d.text for d in dates(ex, text)] == []


def test_offsets_with_newlines(ex):
    text = "Förderaufruf\n\nAntragsfrist:\n31.03.2024\n\nInfoveranstaltung am 5. Februar 2024"
    for d in dates(ex, text):
        assert text[d.start:d.end] == d.text


def test_scan_and_month_table():
    assert month_number("Sept.") == 9 and month_number("Jänner") == 1 and month_number("Dec") == 12
    c = scan("bis zum 30.09. eines jeden Jahres")[0]
    assert (c.d, c.m, c.y, c.annual) == (30, 9, None, True)


@pytest.mark.parametrize("text,surface,kind", [
    # a range that opens a call: its start is a call start
    ("Die Bewerbungsphase läuft vom 1. bis 31. Mai 2024.", "1. bis 31. Mai 2024", "call_start"),
    ("Der Förderaufruf ist vom 1. März bis 30. April 2024 geöffnet.", "1. März bis 30. April 2024",
     "call_start"),
    # a programme period stays a period
    ("Der Förderzeitraum ist vom 1. Januar 2025 bis 31. Dezember 2027.",
     "1. Januar 2025 bis 31. Dezember 2027", "period_start"),
    # a cue in a qualifying parenthetical says what the date is for, not what it is
    ("Anträge sind jeweils bis zum 31. März (für einen Projektbeginn im laufenden Kalenderjahr) "
     "einzureichen.", "31. März", "other"),
    ("Die Preisträger werden vom 10. bis 12. Juni 2025 ausgezeichnet.", "10. bis 12. Juni 2025", "event"),
])
def test_range_and_aside_kinds(ex, text, surface, kind):
    assert one(ex, text, surface).kind == kind


def test_range_with_clock_times_between(ex):
    text = "Das Portal ist vom 15. Januar 2025 (10 Uhr) bis 15. März 2025 (12 Uhr) geöffnet."
    m = one(ex, text, "15. Januar 2025 (10 Uhr) bis 15. März 2025")
    assert (m.date, m.date_end, m.time) == (D(2025, 1, 15), D(2025, 3, 15), "12:00")


def test_annual_eines_jahres():
    c = scan("bis zum 31. Januar eines Jahres")[0]
    assert (c.d, c.m, c.y, c.annual) == (31, 1, None, True)


# --- forms and periods of issue #9: (text, surface, published, date, date_end, granularity) -------
FORMS = [
    ("Die Tagung ist am 14.–15.10.2025.", "14.–15.10.2025", None, D(2025, 10, 14), D(2025, 10, 15), "day"),
    ("Workshop am 14./15.10.2025 in Kassel", "14./15.10.2025", None, D(2025, 10, 14), D(2025, 10, 15), "day"),
    ("Die Messe ist vom 13. bis 15. Juli 2025.", "13. bis 15. Juli 2025", None, D(2025, 7, 13), D(2025, 7, 15), "day"),
    ("Anmeldung zwischen dem 2. und dem 22. Oktober 2025", "2. und dem 22. Oktober 2025", None,
     D(2025, 10, 2), D(2025, 10, 22), "day"),
    ("Projektstart 05/2025", "05/2025", None, D(2025, 5, 1), D(2025, 5, 31), "month"),
    ("Ende der Umsetzung: 05.2026", "05.2026", None, D(2026, 5, 1), D(2026, 5, 31), "month"),
    ("Anträge bis zum 15.3 einreichen.", "15.3", D(2025, 1, 10), D(2025, 3, 15), None, "day"),
    ("Frist: Ende Jän. 2026", "Ende Jän. 2026", None, D(2026, 1, 31), D(2026, 1, 31), "month"),
    ("Die Ausschreibung endet im März '26.", "März '26", None, D(2026, 3, 1), D(2026, 3, 31), "month"),
    ("bis Ende Q3 2025", "Ende Q3 2025", None, D(2025, 9, 30), D(2025, 9, 30), "quarter"),
    ("bis Ende des dritten Quartals 2025", "Ende des dritten Quartals 2025", None,
     D(2025, 9, 30), D(2025, 9, 30), "quarter"),
    ("Anfang Q3 2025", "Anfang Q3 2025", None, D(2025, 7, 1), D(2025, 7, 31), "quarter"),
    ("bis Ende H2 2025", "Ende H2 2025", None, D(2025, 12, 31), D(2025, 12, 31), "half"),
    ("bis Ende Sommer 2025", "Ende Sommer 2025", None, D(2025, 8, 31), D(2025, 8, 31), "season"),
    ("für den Zeitraum März bis Juni 2022", "März bis Juni 2022", None, D(2022, 3, 1), D(2022, 6, 30), "month"),
]


@pytest.mark.parametrize("text,surface,published,date,date_end,granularity", FORMS,
                         ids=[f[0][:40] for f in FORMS])
def test_forms(ex, text, surface, published, date, date_end, granularity):
    m = one(ex, text, surface, published)
    assert (m.date, m.date_end, m.granularity) == (date, date_end, granularity)


NOT_DATES = [
    "Die Förderquote liegt bei 15.3 Prozent.",
    "Siehe Drucksache Nr. 05/2025 des Landtags.",
    "2.1. Stärkung der Rolle der Kultur",
    "Im Mai 30 Projekte gefördert.",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_not_dates(ex, text):
    assert [d.text for d in dates(ex, text) if d.granularity in ("day", "month") and d.date] == []


# (text, published found, the year year-less dates take)
PUBLICATION = [
    ("Stand: 12.03.2024\n\nAnträge bis zum 30. Juni.", D(2024, 3, 12), 2024),
    ("Berlin, 12. März 2021 – Anträge bis zum 30. Juni.", D(2021, 3, 12), 2021),
    ("12. März 2021, 08:15 Uhr\n\nAnträge bis zum 30. Juni.", D(2021, 3, 12), 2021),
    ("aus der Zeitung vom 3.2.2019\n\nAnträge bis zum 30. Juni.", D(2019, 2, 3), 2019),
    ("Förderaufruf veröffentlicht am 1. September 2025\n\nAnträge bis zum 30. Oktober.", D(2025, 9, 1), 2025),
    (" date 2019-03 von dpa\n\nAnträge bis zum 30. Juni.", None, 2019),
    ("Stand: April 2021\n\nAnträge bis zum 30. Juni.", None, 2021),
    ("Die Jury tagt am 12. Juni 2025. Anträge bis zum 30. April.", None, 2025),
    ("Die Jury tagt am 12. Juni 2025, die Preise am 1. Juli 2024. Anträge bis zum 30. April.", None, None),
    ("Anträge bis zum 30. April.", None, None),
]


@pytest.mark.parametrize("text,published,year", PUBLICATION, ids=[p[0][:40] for p in PUBLICATION])
def test_publication_resolver(ex, text, published, year):
    """Publication days become ``published``; a byline month or the one year all full dates share
    only give year-less dates their year; the clock never does."""
    rec = ex.extract_text(text)
    assert rec.published == published
    m = [d for d in rec.dates if d.text in ("30. Juni", "30. April", "30. Oktober")][0]
    assert (m.date.year if m.date else None) == year


def test_caller_date_wins_over_the_text(ex):
    rec = ex.extract_text("Stand: 12.03.2024\n\nAnträge bis zum 30. Juni.", published=D(2023, 1, 5))
    assert rec.published == D(2023, 1, 5)
    assert [d.date for d in rec.dates if d.text == "30. Juni"] == [D(2023, 6, 30)]
