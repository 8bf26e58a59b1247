"""Synthetic but realistic funding announcements with their extractions, for tests and benchmarks.

The texts are written from templates here (German administrative language: Förderaufruf,
Zuwendung, Antragsfrist); the spans of every amount, deadline, date, programme and municipality
are computed while the text is built, so they are exact, as a perfect extractor would give them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from decimal import Decimal

from models.records import (Amount, DateMention, Deadline, Document, Extraction, Municipality,
                            Programme, Section)

MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember"]
THEMES = [
    "Kommunaler Klimaschutz", "Digitale Schule", "Ländliche Entwicklung", "Sportstätten im Quartier",
    "Radverkehrsinfrastruktur", "Energetische Sanierung kommunaler Gebäude", "Kulturelle Teilhabe",
    "Innovative Mobilität im ländlichen Raum", "Stadtgrün und Klimaanpassung",
    "Soziale Integration im Quartier", "Breitbandausbau in Gewerbegebieten",
    "Hochwasserschutz an kleinen Gewässern", "Fachkräftesicherung im Handwerk",
    "Ehrenamt stärken", "Wärmeplanung in Kommunen", "Barrierefreie Bushaltestellen",
]
REGIONS = ["Nordrhein-Westfalen", "Niedersachsen", "Hessen", "Sachsen", "Bayern", "Brandenburg",
           "Thüringen", "Rheinland-Pfalz", "Schleswig-Holstein", "Saarland"]
MINISTRIES = ["das Ministerium für Umwelt, Klima und Energie", "das Landesministerium für Wirtschaft",
              "die Staatskanzlei", "das Ministerium für Heimat und Kommunales"]
TOWNS = [("Aachen", "Stadt", "05334002"), ("Düren", "Landkreis", "05358"),
         ("Lüneburg", "Hansestadt", "03355022"), ("Fulda", "Stadt", "06631009"),
         ("Görlitz", "Stadt", "14626110"), ("Bautzen", "Landkreis", "14625"),
         ("Kassel", "Stadt", "06611000"), ("Cottbus", "Stadt", "12052000"),
         ("Jena", "Stadt", "16053000"), ("Trier", "Stadt", "07211000"),
         ("Flensburg", "Stadt", "01001000"), ("Saarlouis", "Kreisstadt", "10044115")]
FILLER = [
    "Zuwendungen werden nach Maßgabe dieser Richtlinie, der Verwaltungsvorschriften zu § 44 der "
    "Landeshaushaltsordnung und der allgemeinen Nebenbestimmungen gewährt. Ein Rechtsanspruch auf "
    "Gewährung der Zuwendung besteht nicht; die Bewilligungsbehörde entscheidet nach pflichtgemäßem "
    "Ermessen im Rahmen der verfügbaren Haushaltsmittel.",
    "Gefördert werden Ausgaben für Planung, Bau und Ausstattung sowie Personal- und Sachausgaben, "
    "soweit sie unmittelbar mit dem Vorhaben in Zusammenhang stehen. Nicht förderfähig sind "
    "Vorhaben, mit denen vor der Bewilligung begonnen wurde.",
    "Die Anträge sind vollständig und in elektronischer Form über das Förderportal einzureichen. "
    "Dem Antrag sind eine Vorhabenbeschreibung, ein Kosten- und Finanzierungsplan sowie ein "
    "Zeitplan beizufügen. Unvollständige Anträge können nicht berücksichtigt werden.",
    "Die Auswahl der Vorhaben erfolgt in einem wettbewerblichen Verfahren durch ein Gremium aus "
    "Vertreterinnen und Vertretern der Landesverwaltung und der kommunalen Spitzenverbände. "
    "Bewertet werden insbesondere der Beitrag zu den Zielen des Programms und die Übertragbarkeit.",
]


def german_date(d: dt.date) -> str:
    return f"{d.day}. {MONTHS[d.month - 1]} {d.year}"


def german_eur(v: Decimal) -> str:
    if v >= 1_000_000 and v % 100_000 == 0:
        mio = v / Decimal(1_000_000)
        s = f"{mio:.1f}".replace(".", ",").replace(",0", "")
        return f"{s} Mio. Euro"
    return f"{int(v):,}".replace(",", ".") + " Euro"


@dataclass
class _Builder:
    parts: list[str] = field(default_factory=list)
    pos: int = 0

    def add(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def span(self, s: str) -> tuple[str, int, int]:
        start = self.pos
        self.add(s)
        return s, start, self.pos

    @property
    def text(self) -> str:
        return "".join(self.parts)


@dataclass
class Call:
    """The facts of one announcement (vary them to simulate a changed document)."""
    programme: str
    budget: Decimal | None = Decimal(5_000_000)
    grant: Decimal | None = Decimal(200_000)
    deadline: dt.date | None = dt.date(2025, 5, 15)
    deadline_subject: str = "skizze"
    second_programme: str | None = None
    second_deadline: dt.date | None = None
    second_grant: Decimal | None = None
    municipalities: list[tuple[str, str, str]] = field(default_factory=lambda: TOWNS[:2])
    period_start: dt.date | None = dt.date(2025, 9, 1)
    ministry: str = MINISTRIES[0]
    published: dt.date | None = dt.date(2025, 3, 3)
    filler: int = 0
    alias: str | None = None


def announcement(url: str, call: Call, *, source: str = "demo", extractor_version: str = "0.1.0",
                 title: str | None = None):
    """(Document, Extraction) of one announcement."""
    b = _Builder()
    amounts: list[Amount] = []
    deadlines: list[Deadline] = []
    dates: list[DateMention] = []
    programmes: list[Programme] = []
    munis: list[Municipality] = []
    sections: list[Section] = []
    title = title or f"Förderaufruf {call.programme}"
    b.add(title + "\n\n")
    s0 = b.pos
    b.add("Mit dem Förderprogramm „")
    t, s, e = b.span(call.programme)
    programmes.append(Programme(text=t, start=s, end=e, name=call.programme,
                                aliases=[call.alias] if call.alias else [], rule="quoted"))
    if call.alias:
        b.add("“ (")
        t, s, e = b.span(call.alias)
        b.add(")")
    else:
        b.add("“")
    b.add(f" unterstützt {call.ministry} Städte, Gemeinden und Landkreise bei Vorhaben von "
          "landesweiter Bedeutung. ")
    if call.budget is not None:
        b.add("Für den Förderaufruf stehen insgesamt ")
        t, s, e = b.span(german_eur(call.budget))
        amounts.append(Amount(text=t, start=s, end=e, value_eur=call.budget, unit="total"))
        b.add(" zur Verfügung. ")
    if call.grant is not None:
        b.add("Der Zuschuss beträgt bis zu ")
        t, s, e = b.span(german_eur(call.grant))
        amounts.append(Amount(text=t, start=s, end=e, value_eur=call.grant, qualifier="max",
                              unit="per_project"))
        b.add(" je Vorhaben.")
    b.add("\n\n")
    for i in range(call.filler):
        b.add(FILLER[i % len(FILLER)] + "\n\n")
    sections.append(Section(title="Gegenstand der Förderung", start=s0, end=b.pos))
    s1 = b.pos
    b.add("Verfahren\n\n")
    if call.deadline is not None:
        noun = {"skizze": "Projektskizzen", "antrag": "Anträge"}.get(call.deadline_subject,
                                                                        "Unterlagen")
        b.add(f"{noun} sind bis zum ")
        t, s, e = b.span(german_date(call.deadline))
        deadlines.append(Deadline(text=t, start=s, end=e, date=call.deadline,
                                  subject=call.deadline_subject, cue="bis zum"))
        b.add(" über das Förderportal einzureichen. ")
    if call.period_start is not None:
        b.add("Der Bewilligungszeitraum beginnt frühestens am ")
        t, s, e = b.span(german_date(call.period_start))
        dates.append(DateMention(text=t, start=s, end=e, date=call.period_start,
                                 kind="period_start"))
        b.add(".")
    b.add("\n\n")
    sections.append(Section(title="Verfahren", start=s1, end=b.pos))
    if call.second_programme:
        s2 = b.pos
        b.add("Ergänzende Förderung\n\nErgänzend können Mittel aus dem Programm „")
        t, s, e = b.span(call.second_programme)
        programmes.append(Programme(text=t, start=s, end=e, name=call.second_programme,
                                    rule="quoted"))
        b.add("“ beantragt werden")
        if call.second_grant is not None:
            b.add(", die Förderung beträgt dort höchstens ")
            t, s, e = b.span(german_eur(call.second_grant))
            amounts.append(Amount(text=t, start=s, end=e, value_eur=call.second_grant,
                                  qualifier="max", unit="per_project"))
        if call.second_deadline is not None:
            b.add("; die Antragsfrist endet am ")
            t, s, e = b.span(german_date(call.second_deadline))
            deadlines.append(Deadline(text=t, start=s, end=e, date=call.second_deadline,
                                      subject="antrag", cue="Antragsfrist"))
        b.add(".\n\n")
        sections.append(Section(title="Ergänzende Förderung", start=s2, end=b.pos))
    if call.municipalities:
        b.add("Antragsberechtigt sind insbesondere ")
        for i, (name, typ, ags) in enumerate(call.municipalities):
            if i:
                b.add(", " if i < len(call.municipalities) - 1 else " und ")
            b.add("die " if typ not in ("Landkreis",) else "der ")
            t, s, e = b.span(f"{typ} {name}")
            munis.append(Municipality(text=t, start=s, end=e, name=name, type=typ, ags=ags,
                                      candidates=1))
        b.add(".\n")
    text = b.text
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    doc = Document(source=url, kind="html", text=text, title=title, published=call.published,
                   sections=sections, sha256=sha)
    ex = Extraction(source=url, title=title, published=call.published, amounts=amounts,
                    deadlines=deadlines, dates=dates, programmes=programmes,
                    municipalities=munis, extractor_version=extractor_version, sha256=sha)
    return doc, ex


def random_call(i: int, rng: random.Random, *, base: dt.date = dt.date(2025, 3, 1),
                filler: int = 4) -> Call:
    """A varied call: one of ~160 programmes, some with a second programme."""
    theme = THEMES[rng.randrange(len(THEMES))]
    region = REGIONS[rng.randrange(len(REGIONS))]
    second = None
    if rng.random() < 0.3:
        second = f"{THEMES[rng.randrange(len(THEMES))]} {REGIONS[rng.randrange(len(REGIONS))]}"
    towns = rng.sample(TOWNS, rng.randint(0, 4))
    return Call(
        programme=f"{theme} {region}",
        budget=Decimal(rng.choice([500_000, 1_000_000, 2_500_000, 5_000_000, 12_000_000])),
        grant=Decimal(rng.choice([10_000, 25_000, 50_000, 150_000, 200_000, 750_000])),
        deadline=base + dt.timedelta(days=rng.randint(-60, 180)),
        deadline_subject=rng.choice(["skizze", "antrag"]),
        second_programme=second,
        second_deadline=(base + dt.timedelta(days=rng.randint(0, 200))) if second else None,
        second_grant=Decimal(rng.choice([20_000, 80_000])) if second else None,
        municipalities=towns,
        period_start=base + dt.timedelta(days=rng.randint(60, 300)),
        ministry=MINISTRIES[rng.randrange(len(MINISTRIES))],
        published=base - dt.timedelta(days=rng.randint(0, 90)),
        filler=filler,
    )


def raw_record(url: str, sha256: str, *, source: str = "demo", size: int = 0,
               fetched_at: str = "2025-03-01T02:00:00+00:00"):
    """A RawRecord for a synthetic document (the real dataclass when the raw store exists)."""
    kw = dict(source=source, url=url, final_url=url, status=200,
              headers={"content-type": "text/html; charset=utf-8"}, fetched_at=fetched_at,
              sha256=sha256, content_type="text/html", path=f"{source}/{sha256[:2]}/{sha256}.html",
              size=size)
    try:
        from extractors.rawstore import RawRecord
    except ImportError:  # pragma: no cover - before the raw store lands
        from types import SimpleNamespace
        return SimpleNamespace(**kw)
    return RawRecord(**kw)
