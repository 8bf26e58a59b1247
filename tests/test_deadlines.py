"""foerderradar_deadlines through the real pipeline: what is a deadline, its kind and subject."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from extractors.fields import Extractor

D = dt.date
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(scope="module")
def ex():
    return Extractor(gazetteer=None)


def deadlines(ex, text, published=None):
    return ex.extract_text(text, published=published).deadlines


def dated(ex, text, published=None):
    return [(d.date, d.kind, d.subject) for d in deadlines(ex, text, published) if d.date]


# (text, published, [(date, kind, subject), ...]) -- realistic announcement sentences
POSITIVE = [
    ("Bewerbungen müssen bis zum 20. April 2024 eingereicht werden.", None,
     [(D(2024, 4, 20), "fristdatum", "bewerbung")]),
    ("Anträge sind bis spätestens 31. Juli 2018 beim Landesverwaltungsamt einzureichen.", None,
     [(D(2018, 7, 31), "fristdatum", "antrag")]),
    ("Antragsfrist: 31.03.2024", None, [(D(2024, 3, 31), "fristdatum", "antrag")]),
    ("Antragsfrist:\n31.03.2024\n\nAnsprechpartner: Referat 23", None,
     [(D(2024, 3, 31), "fristdatum", "antrag")]),
    ("Förderaufruf Dorfgemeinschaftshäuser\n\nBewerbungsschluss\n\n15. Mai 2024\n\nKontakt", None,
     [(D(2024, 5, 15), "fristdatum", "bewerbung")]),
    ("Der Einsendeschluss ist der 1. Oktober 2024 (Datum des Poststempels).", None,
     [(D(2024, 10, 1), "fristdatum", "other")]),
    ("Stichtag für die Einreichung ist der 30.09.2024.", None, [(D(2024, 9, 30), "fristdatum", "other")]),
    ("Förderanträge können bis zum 15. Oktober 2024 gestellt werden.", None,
     [(D(2024, 10, 15), "fristdatum", "antrag")]),
    ("Die Mittel müssen bis zum 30. Juni 2024 beantragt werden.", None,
     [(D(2024, 6, 30), "fristdatum", "antrag")]),
    ("Interessenbekundungen sind bis zum 12.01.2024 per E-Mail an den Projektträger zu senden.", None,
     [(D(2024, 1, 12), "fristdatum", "interessenbekundung")]),
    ("Fragen zum Aufruf können bis zum 1. März 2024 per E-Mail gestellt werden.", None,
     [(D(2024, 3, 1), "fristdatum", "frage")]),
    ("Fragen bis 1. März 2024 an foerderung@example.org", None, [(D(2024, 3, 1), "fristdatum", "frage")]),
    ("Die Teilnahme am Wettbewerb ist kostenfrei; bitte melden Sie sich bis zum 3. Mai 2024 an.", None,
     [(D(2024, 5, 3), "fristdatum", "anmeldung")]),
    ("Angebote sind bis zum 14.06.2024, 10:00 Uhr, über die Vergabeplattform abzugeben.", None,
     [(D(2024, 6, 14), "fristdatum", "angebot")]),
    ("Die Bewerbungsfrist endet Ende April 2024.", None, [(D(2024, 4, 30), "fristdatum", "bewerbung")]),
    ("Anträge sind bis April 2024 einzureichen.", None, [(D(2024, 4, 30), "fristdatum", "antrag")]),
    ("Projektskizzen können vom 1. März bis 30. April 2024 eingereicht werden.", None,
     [(D(2024, 4, 30), "fristdatum", "skizze")]),
    ("Einreichungszeitraum: 01.02.2024 – 31.03.2024", None, [(D(2024, 3, 31), "fristdatum", "other")]),
    ("Die Antragsfrist beginnt am 1. März 2024 und endet am 30. April 2024.", None,
     [(D(2024, 4, 30), "fristdatum", "antrag")]),
    ("Der Förderaufruf startete am 1. März 2024 und läuft bis zum 30. April 2024.", None,
     [(D(2024, 4, 30), "fristdatum", "other")]),
    ("Die Frist zur Einreichung von Projektskizzen endete am 28.11.2023.", None,
     [(D(2023, 11, 28), "fristdatum", "skizze")]),
    ("Anträge, die nach dem 31. März 2024 eingehen, werden nicht berücksichtigt.", None,
     [(D(2024, 3, 31), "fristdatum", "antrag")]),
    ("Im Zeitraum vom 1. Januar bis 31. März 2024 können Anträge gestellt werden.", None,
     [(D(2024, 3, 31), "fristdatum", "antrag")]),
    ("Der Antrag muss vor Beginn der Maßnahme, spätestens jedoch bis 30. Juni 2024, gestellt werden.", None,
     [(D(2024, 6, 30), "fristdatum", "antrag")]),
    # two-stage procedure: both are deadlines
    ("Das Verfahren ist zweistufig. In der ersten Stufe sind Projektskizzen bis zum 15. März 2024 "
     "vorzulegen. Die Verfasser positiv bewerteter Skizzen werden aufgefordert, bis zum 30. Juni 2024 "
     "einen förmlichen Förderantrag einzureichen.", None,
     [(D(2024, 3, 15), "fristdatum", "skizze"), (D(2024, 6, 30), "fristdatum", "antrag")]),
    ("Projektskizzen sind bis zum 15. März 2024, förmliche Anträge bis zum 30. Juni 2024 vorzulegen.", None,
     [(D(2024, 3, 15), "fristdatum", "skizze"), (D(2024, 6, 30), "fristdatum", "antrag")]),
    # year from the publication date
    ("Anträge bis 15.3. beim Bürgeramt einreichen.", D(2024, 1, 10), [(D(2024, 3, 15), "fristdatum", "antrag")]),
    ("Bewerbungsschluss ist der 1. Oktober.", D(2024, 2, 1), [(D(2024, 10, 1), "fristdatum", "bewerbung")]),
    ("Bewerbungen bis 30. September d. J. an die Stiftung senden.", D(2023, 5, 2),
     [(D(2023, 9, 30), "fristdatum", "bewerbung")]),
    # annual dates: next occurrence after publication
    ("Anträge sind jeweils bis zum 31. März einzureichen.", D(2023, 4, 12),
     [(D(2024, 3, 31), "fristJaehrlich", "antrag")]),
    ("Antragsstichtag: 30.09. eines jeden Jahres", D(2024, 2, 1),
     [(D(2024, 9, 30), "fristJaehrlich", "antrag")]),
    # several cut-offs
    ("Stichtage für die Einreichung:\n• 15. März 2024\n• 15. September 2024", None,
     [(D(2024, 3, 15), "stichtage", "other"), (D(2024, 9, 15), "stichtage", "other")]),
    ("Für das Jahr 2026 können Anträge bis zum 20.04.2026 und 15.09.2026 gestellt werden.", None,
     [(D(2026, 4, 20), "stichtage", "antrag"), (D(2026, 9, 15), "stichtage", "antrag")]),
    # a year, a dot and a capital end the sentence: the jury belongs to the next one
    ("Bewerbungsschluss ist der 1. Oktober 2024. Die Jury tagt am 12. November 2024 in Kassel.", None,
     [(D(2024, 10, 1), "fristdatum", "bewerbung")]),
    # a sentence that amends the deadline of the sentence before
    ("Antragsstichtag ist jeweils der 15.09. Für das Programmjahr 2024 gilt abweichend der 30.04.2024.", None,
     [(D(2024, 4, 30), "fristdatum", "antrag")]),
    ("Einreichungsdatum: 15.03.2024", None, [(D(2024, 3, 15), "fristdatum", "other")]),
    # English (EU calls)
    ("Opening date: 12 December 2023\nDeadline date: 16 April 2024 17:00:00 Brussels time", None,
     [(D(2024, 4, 16), "fristdatum", "other")]),
    ("Deadline: 15 March 2024 17:00 Brussels time", None, [(D(2024, 3, 15), "fristdatum", "other")]),
    ("Applications must be submitted by 30 April 2024.", None, [(D(2024, 4, 30), "fristdatum", "antrag")]),
    ("Expressions of interest must be submitted by 2024-05-31.", None,
     [(D(2024, 5, 31), "fristdatum", "interessenbekundung")]),
]


@pytest.mark.parametrize("text,published,expected", POSITIVE, ids=[p[0][:50] for p in POSITIVE])
def test_positive(ex, text, published, expected):
    assert dated(ex, text, published) == expected


NEGATIVE = [
    "Bis Ende 2021 stehen dafür rund 91 Millionen Euro Landesmittel zur Verfügung.",
    "Die Laufzeit des Programms endet am 31.12.2026.",
    "Die Laufzeit der Vorhaben beträgt bis zu drei Jahre, längstens bis 31. Dezember 2027.",
    "Gefördert werden Vorhaben in den Jahren 2020 bis 2024.",
    "Ab dem 1. März 2024 können Anträge gestellt werden.",
    "Der Aufruf startet am 1. Februar 2024.",
    "Am 7. Februar 2020 hat die zweite Runde des Förderprogramms begonnen.",
    "Vom 18. bis 20. Oktober 2022 findet die Fachmesse in Berlin statt.",
    "Die Informationsveranstaltung zum Förderaufruf findet am 12. März 2024 statt.",
    "Ende April 2024 wird im Rahmen einer Jurysitzung die Auswahl getroffen.",
    "Typ: Pressemitteilung, Datum: 19.10.2022",
    "Stand: 12.03.2024",
    "Der Verwendungsnachweis ist bis zum 30.06.2026 vorzulegen.",
    "Der Schlussbericht ist bis zum 31. März 2026 einzureichen.",
    "Der Mittelabruf muss bis zum 15.11.2024 erfolgen.",
    "Anträge auf Auszahlung sind bis 30.11.2024 zu stellen.",
    "Die Abrechnung der Fördermittel muss bis zum 31.12.2024 erfolgen.",
    "Die Maßnahmen müssen bis zum 31.12.2025 abgeschlossen sein.",
    "Bewerbungen sind bis etwa Ende April 2024 möglich.",
    "Anträge können bis ca. 15. Mai 2024 eingereicht werden.",
    "Einreichung der Unterlagen bis vier Wochen vor dem 30. Juni 2024.",
    "Stichtag für die Ermittlung der Einwohnerzahl ist der 31.12.2022.",
    "Die Bewerbungen werden bis Ende April 2024 von einer Jury bewertet.",
    "Die Förderentscheidung wird bis zum 30. Juni 2024 getroffen.",
    "Die Projekte sollen im Zeitraum vom 1. Juli 2024 bis 30. Juni 2026 umgesetzt werden.",
    "Die Richtlinie tritt am 1. Januar 2024 in Kraft und ist bis zum 31. Dezember 2027 gültig.",
    "Die Antragstellung ist im zweiten Quartal 2024 vorgesehen.",
    "Anträge können im Herbst 2024 gestellt werden.",
    "Im Jahr 2023 wurden 250 Anträge bewilligt.",
    "Die Frist für die Abgabe der Verwendungsnachweise endet am 30.04.2025.",
    "Bonn, Freitag, 12. April 2024: Wer einreichen will, braucht ein ELSTER-Zertifikat.",
    "Die Skizzen werden bis zum 31. Mai 2024 begutachtet.",
    "Der Zuwendungsbescheid ergeht bis Ende Juni 2024.",
    "Gemäß der Richtlinie vom 20.08.2024 können Anträge bis 2027 gestellt werden.",
    "Wir helfen beim Antrag: melden Sie sich bis 15. September 2024 für ein Beratungsgespräch.",
    "Zum Webinar am 5. März 2024 melden Sie sich bitte bis zum 1. März 2024 an.",
    # a year-less deadline without any publication information stays out
    "Bewerbungsschluss ist der 1. Oktober.",
    "Anträge sind bis zum 15.3. einzureichen.",
]


@pytest.mark.parametrize("text", NEGATIVE, ids=[n[:50] for n in NEGATIVE])
def test_negative(ex, text):
    assert dated(ex, text) == []


def test_mixed_sentence_keeps_only_the_submission(ex):
    text = ("Anträge sind bis 30.6.2024 einzureichen, die Vorhaben müssen bis 31.12.2025 abgeschlossen "
            "sein. Die Bewerbungsphase startet am 1. März 2024 und endet am 30. April 2024.")
    assert [d for d, _, _ in dated(ex, text)] == [D(2024, 6, 30), D(2024, 4, 30)]


def test_dedup_same_date_and_subject(ex):
    text = ("Anträge sind bis zum 31. März 2024 einzureichen.\n\nAntragsfrist: 31.03.2024\n\n"
            "Nochmals: Förderanträge bitte bis 31.3.2024 stellen.")
    dls = deadlines(ex, text)
    assert [(d.date, d.subject) for d in dls] == [(D(2024, 3, 31), "antrag")]
    assert dls[0].start == text.index("31. März 2024")


def test_time_cue_and_offsets(ex):
    text = "Einreichungsfrist\nProjektskizzen sind bis zum 3. Mai 2022, 12:00 Uhr, hochzuladen."
    (dl,) = deadlines(ex, text)
    assert (dl.date, dl.time, dl.subject) == (D(2022, 5, 3), "12:00", "skizze")
    assert text[dl.start:dl.end] == dl.text and dl.cue


def test_annual_without_year_kept_without_date(ex):
    dls = deadlines(ex, "Anträge sind jährlich bis zum 31. März einzureichen.")
    assert [(d.date, d.kind, d.subject) for d in dls] == [(None, "fristJaehrlich", "antrag")]


@pytest.mark.parametrize("text,kind,subject,duration", [
    ("Anträge können laufend gestellt werden.", "laufend", "antrag", None),
    ("Die Antragstellung ist jederzeit möglich.", "laufend", "antrag", None),
    ("Bewerbungen sind bis zur Ausschöpfung der Fördermittel möglich.", "laufend", "bewerbung", None),
    ("Antragsfrist: keine", "laufend", "antrag", None),
    ("Der Antrag ist innerhalb von drei Monaten nach Abschluss des Kaufvertrags zu stellen.",
     "fristFest", "antrag", "P3M"),
    ("Anträge sind binnen 6 Wochen nach Zugang der Aufforderung einzureichen.", "fristFest", "antrag", "P6W"),
])
def test_undated(ex, text, kind, subject, duration):
    dls = deadlines(ex, text)
    assert [(d.date, d.kind, d.subject, d.duration) for d in dls] == [(None, kind, subject, duration)]


@pytest.mark.parametrize("text", [
    "Laufende Modellvorhaben werden weiter begleitet.",
    "Die Verwaltung ist jederzeit für Bürgerinnen und Bürger erreichbar.",
    "Der Verwendungsnachweis ist innerhalb von sechs Monaten nach Abschluss vorzulegen.",
])
def test_undated_negative(ex, text):
    assert deadlines(ex, text) == []


@pytest.mark.shared
def test_dev_corpus_deadlines(ex):
    files = sorted((SHARED / "corpus" / "dev").glob("*.json"))
    if not files:
        pytest.skip("../shared/corpus/dev not available")
    for f in files:
        doc = json.loads(f.read_text(encoding="utf-8"))
        pub = D.fromisoformat(doc["published"]) if doc.get("published") else None
        got = {str(d.date) for d in deadlines(ex, doc["text"], pub) if d.date}
        gold = {g["date"] for g in doc["gold"].get("deadlines", [])}
        assert got == gold, f"{f.name}: missed {sorted(gold - got)}, extra {sorted(got - gold)}"


# --- rolling calls: the adverb "laufend", not the adjective ("im laufenden Kalenderjahr") ---------

@pytest.mark.parametrize("text", [
    "Anträge werden laufend entgegengenommen.",
    "Die Antragstellung ist laufend möglich.",
    "Eine laufende Antragstellung ist bei der Landesbank möglich.",
    "Projektskizzen können fortlaufend eingereicht werden.",
])
def test_rolling_adverb(ex, text):
    assert [(d.date, d.kind) for d in deadlines(ex, text)] == [(None, "laufend")]


@pytest.mark.parametrize("text", [
    "Anträge für Vorhaben im laufenden Haushaltsjahr sind beim Landratsamt einzureichen.",
    "Für laufende Vorhaben können keine Anträge gestellt werden.",
    "Anträge im laufenden Verfahren werden nach den bisherigen Regeln beschieden.",
    "Die Informationen zur Antragstellung werden laufend aktualisiert.",
    "Anträge aus der laufenden Förderperiode werden weiter bearbeitet.",
])
def test_rolling_adjective_is_not_rolling(ex, text):
    assert [d.kind for d in deadlines(ex, text) if d.kind == "laufend"] == []


# --- annual dates separated from "eines jeden Jahres" by qualifying parentheticals ------------------

TWO_ANNUAL = ("Zuwendungsanträge nach dieser Richtlinie sind jeweils bis zum 31. März (für ein "
              "Vorhaben mit Beginn im laufenden Kalenderjahr) oder bis zum 30. September (für einen "
              "Projektbeginn im folgenden Kalenderjahr) eines jeden Jahres bei der Bewilligungsstelle "
              "schriftlich einzureichen.")


def test_two_annual_dates_without_year(ex):
    dls = deadlines(ex, TWO_ANNUAL)
    assert [(d.text, d.date, d.kind, d.subject) for d in dls] == [
        ("31. März", None, "fristJaehrlich", "antrag"),
        ("30. September", None, "fristJaehrlich", "antrag")]


def test_two_annual_dates_next_occurrence_after_publication(ex):
    dls = deadlines(ex, TWO_ANNUAL, published=D(2024, 5, 2))
    assert [(d.date, d.kind) for d in dls] == [(D(2025, 3, 31), "fristJaehrlich"),
                                               (D(2024, 9, 30), "fristJaehrlich")]


def test_annual_dedup_by_day_and_month(ex):
    text = (TWO_ANNUAL + "\n\nHinweis: Anträge sind jährlich bis zum 31. März einzureichen.")
    assert [d.text for d in deadlines(ex, text)] == ["31. März", "30. September"]


def test_qualifying_parenthetical_does_not_make_a_period(ex):
    rec = ex.extract_text("Förderanträge sind bis zum 15. Mai 2024 (für einen Projektbeginn im "
                          "Folgejahr) bei der zuständigen Bewilligungsstelle des Landesamts für "
                          "Umwelt schriftlich oder elektronisch einzureichen.")
    assert [(d.date, d.kind) for d in rec.deadlines] == [(D(2024, 5, 15), "fristdatum")]
    assert [d.kind for d in rec.dates if d.text == "15. Mai 2024"] == ["other"]


# --- a subject word alone is a label only when nothing else in the sentence speaks of the date ----

@pytest.mark.parametrize("text", [
    "Ein Gutachtergremium bewertet die Skizzen bis Mitte Juni 2024.",
    "Die Jury sichtet die Bewerbungen bis 20. Mai 2024.",
])
def test_subject_with_competing_verb_is_no_label(ex, text):
    assert dated(ex, text) == []


# --- an open submission window: its end is the deadline; a project period stays a period ----------

@pytest.mark.parametrize("text,date,subject", [
    ("Der Förderaufruf ist vom 1. März bis 30. April 2024 geöffnet.", D(2024, 4, 30), "other"),
    ("Die Bewerbungsphase läuft vom 1. bis 31. Mai 2024.", D(2024, 5, 31), "bewerbung"),
    ("Einreichungszeitraum: 01.06.–15.07.2024", D(2024, 7, 15), "other"),
    ("Anträge können im Zeitraum vom 2. Januar bis 28. Februar 2025 gestellt werden.",
     D(2025, 2, 28), "antrag"),
    ("Das Antragsportal ist vom 3. Februar bis 14. März 2025 freigeschaltet.", D(2025, 3, 14), "antrag"),
    ("Der Ideenwettbewerb läuft vom 1. September bis 15. November 2024.", D(2024, 11, 15), "other"),
    ("Der Förderaufruf für Projekte im ländlichen Raum ist vom 1. März bis 30. April 2024 geöffnet.",
     D(2024, 4, 30), "other"),
    ("Das Antragsfenster ist vom 1.3. bis 30.4.2024 offen.", D(2024, 4, 30), "antrag"),
])
def test_call_window_end_is_deadline(ex, text, date, subject):
    rec = ex.extract_text(text)
    assert [(d.date, d.kind, d.subject) for d in rec.deadlines] == [(date, "fristdatum", subject)]
    (m,) = rec.dates
    assert (m.date_end, m.kind) == (date, "call_start")        # the range start opens the call


@pytest.mark.parametrize("text", [
    "Die Laufzeit des Programms reicht vom 1. Januar 2024 bis 31. Dezember 2026.",
    "Der Förderzeitraum ist vom 1. Januar 2025 bis 31. Dezember 2027.",
    "Der Bewilligungszeitraum läuft vom 1. Januar 2025 bis 31. Dezember 2026.",
    "Die Projekte werden vom 1. Juli 2024 bis 30. Juni 2025 durchgeführt.",
    "Die Vorhaben des Förderaufrufs laufen vom 1. Januar 2025 bis 31. Dezember 2026.",
    "Vom 1. Juli 2024 bis 30. Juni 2026 laufen die Projekte des Wettbewerbs.",
    "Das Förderprogramm läuft vom 1. Januar 2024 bis 31. Dezember 2026.",
    "Die Ausstellung ist vom 1. Juni bis 31. August 2024 täglich geöffnet.",
    "Der Förderaufruf ist ab dem 1. März 2024 geöffnet.",
])
def test_period_range_is_no_deadline(ex, text):
    assert dated(ex, text) == []


def test_window_and_project_period_in_one_sentence(ex):
    text = ("Das Bewerbungsportal ist vom 1. März bis 30. April 2024 geöffnet, die geförderten "
            "Projekte laufen vom 1. Juli 2024 bis 30. Juni 2026.")
    assert dated(ex, text) == [(D(2024, 4, 30), "fristdatum", "other")]


# --- more deadline wordings ----------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    # a past deadline is still a deadline
    ("Die Frist zur Einreichung von Projektskizzen endete am 28.11.2024.",
     [(D(2024, 11, 28), "fristdatum", "skizze")]),
    ("Anmeldeschluss für die Teilnahme am Wettbewerb ist der 15. Mai 2024.",
     [(D(2024, 5, 15), "fristdatum", "anmeldung")]),
    ("Eingangsfrist: 30.09.2024 (Posteingang)", [(D(2024, 9, 30), "fristdatum", "other")]),
    ("Die Einreichung ist bis zum 15. Oktober 2024 möglich; später eingehende Anträge werden nicht "
     "berücksichtigt.", [(D(2024, 10, 15), "fristdatum", "other")]),
])
def test_more_dated_wordings(ex, text, expected):
    assert dated(ex, text) == expected


def test_annual_cut_off_without_year(ex):
    dls = deadlines(ex, "Der Stichtag für die Antragstellung ist der 1. März eines jeden Jahres.")
    assert [(d.date, d.kind, d.subject) for d in dls] == [(None, "fristJaehrlich", "antrag")]


@pytest.mark.parametrize("text,duration", [
    ("Anträge sind spätestens drei Monate vor Maßnahmebeginn zu stellen.", "P3M"),
    ("Der Antrag ist mindestens sechs Wochen vor Beginn der Maßnahme einzureichen.", "P6W"),
])
def test_duration_before_start(ex, text, duration):
    dls = deadlines(ex, text)
    assert [(d.date, d.kind, d.subject, d.duration) for d in dls] == [(None, "fristFest", "antrag", duration)]


def test_waiting_time_is_no_duration_deadline(ex):
    text = "Anträge können frühestens mindestens zwei Jahre nach Abschluss erneut gestellt werden."
    assert deadlines(ex, text) == []


@pytest.mark.parametrize("text,date", [
    ("Das Förderportal ist vom 15. Januar 2025 (10 Uhr) bis 15. März 2025 (12 Uhr) geöffnet.",
     D(2025, 3, 15)),
    ("Die Bewerbungsplattform ist vom 1. April bis 31. Mai 2025 freigeschaltet.", D(2025, 5, 31)),
    ("Der Förderaufruf läuft in der Zeit vom 3. März bis 2. Mai 2025.", D(2025, 5, 2)),
    ("Die Antragsannahme erfolgt vom 1. bis 31. März 2025.", D(2025, 3, 31)),
])
def test_more_call_windows(ex, text, date):
    assert [d.date for d in deadlines(ex, text)] == [date]


@pytest.mark.parametrize("text", [
    "Die Ausstellung zum Wettbewerb ist vom 1. bis 30. Juni 2025 im Rathaus geöffnet.",
    "Der Aufruf richtet sich an Projekte, die vom 1. Januar 2025 bis 31. Dezember 2026 laufen.",
    "Gefördert werden Maßnahmen des Förderaufrufs, die vom 1. März 2025 bis 28. Februar 2027 laufen.",
    "Für Anträge gilt: Der Bewilligungszeitraum läuft vom 1. Juli 2025 bis 30. Juni 2027.",
    "Die Anträge werden vom 1. Mai bis 30. Juni 2025 geprüft.",
    "Anträge zum laufenden Programm werden bis zum 31. März 2025 bearbeitet.",
    "Die Antragsteller erhalten bis Ende Mai 2025 eine Rückmeldung.",
])
def test_more_non_deadlines(ex, text):
    assert dated(ex, text) == []


def test_date_in_qualifying_parenthetical_is_a_condition(ex):
    text = "Anträge (für Investitionen bis 31.12.2025) sind bis 30.06.2025 einzureichen."
    assert dated(ex, text) == [(D(2025, 6, 30), "fristdatum", "antrag")]


def test_annual_eines_jahres(ex):
    text = "Anträge sind bis spätestens 31. Januar eines Jahres für das laufende Jahr einzureichen."
    assert [(d.date, d.kind) for d in deadlines(ex, text)] == [(None, "fristJaehrlich")]
    assert [(d.date, d.kind) for d in deadlines(ex, text, published=D(2025, 3, 1))] == \
        [(D(2026, 1, 31), "fristJaehrlich")]


@pytest.mark.parametrize("text,expected", [
    ("Bis zum 15. März 2025 haben Kommunen Zeit, ihre Anträge einzureichen.",
     [(D(2025, 3, 15), "fristdatum", "antrag")]),
    ("Vereine haben bis zum 15. März 2025 Zeit, sich zu bewerben.",
     [(D(2025, 3, 15), "fristdatum", "bewerbung")]),
    ("Interessierte Schulen melden sich bis zum 10. Mai 2025 per E-Mail.",
     [(D(2025, 5, 10), "fristdatum", "anmeldung")]),
])
def test_press_release_wordings(ex, text, expected):
    assert dated(ex, text) == expected


def test_time_for_the_work_is_a_period(ex):
    assert dated(ex, "Für die Umsetzung der Vorhaben ist bis Ende 2026 Zeit.") == []
    assert dated(ex, "Die Kommunen haben bis zum 31.12.2026 Zeit für die Umsetzung.") == []


# --- phenomena of issue #9: (text, published, [dates]) positive, then negatives ------------------

def dates_only(ex, text, published=None):
    return [d.date for d in deadlines(ex, text, published) if d.date]


PHENOMENA = [
    # compound heads: a cue word as the head of a compound
    ("Ihren Projektantrag reichen Sie bis 1. Juli 2025 ein.", None, [D(2025, 7, 1)]),
    ("Förderanfragen nehmen wir bis zum 31. August 2025 entgegen.", None, [D(2025, 8, 31)]),
    ("Einreichschluss*: 15. April 2025", None, [D(2025, 4, 15)]),
    ("Die Antragstellungsfrist endet am 30. Juni 2025.", None, [D(2025, 6, 30)]),
    ("Zwischenstichtag für Projektanträge: 30.09.2025", None, [D(2025, 9, 30)]),
    # clause structure: list commas are no clause breaks
    ("Bis zum 3. Mai 2025 können Vereine, Schulen, Kirchengemeinden, Feuerwehren, Sportvereine, "
     "Heimatvereine, Bürgerinitiativen, Jugendgruppen und Stiftungen ihre Ideen beim Amt einreichen.",
     None, [D(2025, 5, 3)]),
    ("Anträge sind bis zum 30. Juni 2025 einzureichen; die bereits umgesetzten Vorhaben werden "
     "anschließend vorgestellt.", None, [D(2025, 6, 30)]),
    # missing submission words
    ("Vorschläge können bis zum 30. September 2025 mitgeteilt werden.", None, [D(2025, 9, 30)]),
    ("Bei Fragen können Sie sich bis zum 10. April 2025 an die Geschäftsstelle wenden.", None,
     [D(2025, 4, 10)]),
    ("Die Beantragung muss bis zum 15. Oktober 2025 erfolgen.", None, [D(2025, 10, 15)]),
    ("Vereine können bis zum 1. März 2025 Projekte für den Heimatpreis vorschlagen.", None,
     [D(2025, 3, 1)]),
    # the sentence before carries the cue
    ("Die Einreichungsfrist wurde verlängert. Neuer Termin ist der 15. Mai 2025.", None,
     [D(2025, 5, 15)]),
    # coordinated dates
    ("Die nächsten Stichtage für Anträge sind:\n\nMittwoch, 5. Februar 2025 und Montag, 31. März 2025",
     None, [D(2025, 2, 5), D(2025, 3, 31)]),
    ("Anmeldefristen: 11. Mai beziehungsweise 12. Oktober 2025", None,
     [D(2025, 5, 11), D(2025, 10, 12)]),
    # years: byline month, a date alone at the top, the one year the full dates share
    (" date 2020-06 Vereinshilfe\n\nAnträge können bis einschließlich 31. Oktober gestellt werden.",
     None, [D(2020, 10, 31)]),
    ("Stand: April 2021\n\nAnträge sind bis zum 30. Juni einzureichen.", None, [D(2021, 6, 30)]),
    ("aus der Zeitung vom 3.2.2019: Bewerbungen sind bis zum 31. März möglich, Auskunft "
     "erteilt das Amt.", None, [D(2019, 3, 31)]),
    ("Förderaufruf\n\n14.01.2025\n\nAnträge sind bis zum 15. März einzureichen.", None,
     [D(2025, 3, 15)]),
    ("Die Jury tagt am 12. Juni 2025. Anträge sind bis zum 30. April einzureichen.", None,
     [D(2025, 4, 30)]),
    ("Noch bis zum 31. Januar können sich Projekte für den Preis der Bürgerstiftung Hamburg 2015 "
     "bewerben.", None, [D(2015, 1, 31)]),
    # coarse deadlines at the end of their period
    ("Anträge sind bis Ende 2025 einzureichen.", None, [D(2025, 12, 31)]),
    ("Anträge sind bis Ende Q3 2025 einzureichen.", None, [D(2025, 9, 30)]),
    ("Anträge können bis Ende des dritten Quartals 2025 gestellt werden.", None, [D(2025, 9, 30)]),
    ("Bewerbungen sind bis Ende H2 2025 einzureichen.", None, [D(2025, 12, 31)]),
    ("Anträge sind bis Ende Sommer 2025 einzureichen.", None, [D(2025, 8, 31)]),
    # forms
    ("Anmeldungen werden zwischen dem 2. und dem 22. Oktober 2025 entgegengenommen.", None,
     [D(2025, 10, 22)]),
    ("Der Förderaufruf ist vom 14.–15.10.2025 geöffnet, Anträge bitte online.", None,
     [D(2025, 10, 15)]),
    ("Anträge sind bis zum 15.3 einzureichen.", D(2025, 1, 10), [D(2025, 3, 15)]),
    ("Anträge bis Ende Jän. 2026 einreichen!", None, [D(2026, 1, 31)]),
    ("Die Antragsfrist endet im März '26.", None, [D(2026, 3, 31)]),
    ("Antragsfrist: 05/2026", None, [D(2026, 5, 31)]),
]


@pytest.mark.parametrize("text,published,expected", PHENOMENA, ids=[p[0][:50] for p in PHENOMENA])
def test_phenomena(ex, text, published, expected):
    assert dates_only(ex, text, published) == expected


NOT_DEADLINES = [
    # past-tense reports and post-award submissions
    ("Der Verein hat seinen Antrag am 3. März 2025 gestellt.", None),
    ("Der Sportverein hatte den Förderantrag bereits am 12. Februar 2025 eingereicht.", None),
    ("Im Fall einer Bewilligung sind die Unterlagen bis zum 31. März 2026 vorzulegen.", None),
    # a date that opens a window of a given length
    ("Bei zwei Förderaufrufen, am 16. März und am 17. August 2022, können Betreibende jeweils acht "
     "Wochen lang Zuschüsse beantragen.", None),
    # a number of things is no year
    ("Insgesamt 2000 Vereine können bis zum 31. Januar Anträge stellen.", None),
    # a board deciding on submitted projects, events and their compounds
    ("Der Beirat entscheidet am 20. Mai 2025 über die eingereichten Projekte.", None),
    ("Die Bürgersprechstunde zur Antragstellung ist am 4. April 2025.", None),
    ("Die Zukunftswerkstatt für Projektideen findet am 5. Juni 2025 statt.", None),
    # approximate and coarse without an end
    ("Einreichschluss: Mitte Oktober 2025", None),
    ("Die Mittel stehen bis Ende 2025 zur Verfügung.", None),
    ("Anträge können bis 2027 gestellt werden.", None),
    ("Anfang Q3 2025 beginnt die Umsetzung der Projekte.", None),
    # month ranges are periods
    ("Projektanträge für den Zeitraum März bis Juni 2025 müssen vorher eingereicht werden.", None),
    # a label cue belongs to the date after it
    ("- 4. Sitzung (30.05.2025), Einreichschluss: 15. April 2025", None),
    # year-less dates: passed at publication is uncertain; a section number is no date
    ("Der 15. Januar ist der Stichtag für die Anträge.", D(2026, 1, 20)),
    ("2.1. Stärkung der Antragstellung\n\nAnträge sind bei der Bewilligungsstelle einzureichen.", None),
    # numbers that look like forms
    ("Die Förderquote liegt bei 15.3 Prozent, Anträge sind jederzeit einzureichen.", None),
]


@pytest.mark.parametrize("text,published", NOT_DEADLINES, ids=[n[0][:50] for n in NOT_DEADLINES])
def test_not_deadlines(ex, text, published):
    found = dates_only(ex, text, published)
    if text.startswith("- 4. Sitzung"):
        assert found == [D(2025, 4, 15)]
    else:
        assert found == []
