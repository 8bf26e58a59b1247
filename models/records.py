"""Records that cross foerderradar's boundaries.

Parse produces a :class:`Document`; extraction produces an :class:`Extraction` (the JSON contract
of ``foerderradar extract``); the warehouse stores both. ``start``/``end`` are always character
offsets into ``Document.text``.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer
from typing_extensions import Annotated

# Decimal in memory (exact arithmetic), a JSON number on the wire (the contract says "a number").
EUR = Annotated[
    Decimal,
    PlainSerializer(lambda v: int(v) if v == v.to_integral_value() else float(v),
                    return_type=Any, when_used="json"),
]

Qualifier = Literal["exact", "approx", "max", "min", "over", "under"]
AmountUnit = Literal[
    "total", "per_year", "per_project", "per_applicant", "per_municipality", "per_inhabitant",
    "per_m2", "per_month", "per_person", "per_unit", "unknown",
]
Granularity = Literal["day", "month", "quarter", "half", "season", "year"]
# Deadline kinds follow XFLB 2.0 (antragsfrist): fristdatum (a fixed date), fristJaehrlich (an
# annual date), fristFest (a duration), fristSpanne (a duration range); real texts add rolling
# calls (laufend) and several cut-offs (stichtage).
DeadlineKind = Literal["fristdatum", "fristJaehrlich", "fristFest", "fristSpanne", "laufend", "stichtage"]
DateKind = Literal["period_start", "period_end", "call_start", "event", "publication", "other"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Span(_Record):
    """A piece of evidence: where a value stands in the parsed text."""
    text: str
    start: int
    end: int


class Amount(Span):
    value_eur: EUR
    low_eur: EUR | None = None            # lower bound of a range ("zwischen 10.000 und 50.000 Euro")
    qualifier: Qualifier = "exact"
    unit: AmountUnit = "total"
    rule: str | None = None               # pattern id that found it
    # What the money is in the text; definitions: ../shared/eval/GUIDELINES.md, "amount roles".
    role: Literal["budget", "grant", "grant_min", "award", "project_cost", "own_contribution",
                  "other"] | None = None


class DateMention(Span):
    date: dt.date | None                  # first day of the period for coarse granularities
    date_end: dt.date | None = None       # last day of a range or coarse period
    granularity: Granularity = "day"
    kind: DateKind = "other"
    time: str | None = None               # "12:00" where the text gives a clock time
    rule: str | None = None


class Deadline(Span):
    date: dt.date | None                  # None for rolling deadlines and durations
    kind: DeadlineKind = "fristdatum"
    granularity: Granularity = "day"
    time: str | None = None
    subject: str | None = None            # what is due: antrag, skizze, interessenbekundung, frage, ...
    duration: str | None = None           # ISO 8601 duration for fristFest ("P3M")
    cue: str | None = None                # the cue word that made it a deadline
    rule: str | None = None


class Programme(Span):
    name: str
    aliases: list[str] = Field(default_factory=list)
    rule: str | None = None
    catalogue_key: str | None = None      # the programme catalogue entry it links to, if any


class Municipality(Span):
    name: str                             # bare name, "Stadt Aachen" -> "Aachen"
    type: str | None = None               # type word as written ("Stadt", "Landkreis", "Amt"), or None
    ags: str | None = None                # 8 digits (Gemeinde) or 5 digits (Kreis); None if unresolved
    candidates: int = 0                   # register entries the name could mean (0: no register)
    rule: str | None = None


class Applicant(Span):
    """Who may apply, as a word of the applicant vocabulary (extractors/patterns/applicant_types.jsonl)."""
    type: str                             # kommune, landkreis, verein, unternehmen, kmu, ...


class Section(_Record):
    title: str | None
    start: int
    end: int
    page: int | None = None


class Link(_Record):
    url: str
    text: str = ""


class Document(_Record):
    """What parse makes of raw bytes: normalised text plus structure, with offsets into text."""
    source: str                           # file path or URL the bytes came from
    kind: Literal["txt", "html", "pdf", "xml"]
    text: str
    title: str | None = None
    published: dt.date | None = None
    sections: list[Section] = Field(default_factory=list)
    tables: list[list[list[str]]] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    fields: dict[str, Any] = Field(default_factory=dict)   # structured fields from a source parser
    errors: list[str] = Field(default_factory=list)
    sha256: str | None = None
    # what the parser noticed without losing text (library warnings, table detection skipped)
    warnings: list[str] = Field(default_factory=list)
    pdf_backend: str | None = None        # PDF: the backend whose text this is (pdfplumber, pdfium)
    pages: int | None = None              # PDF: pages in the file
    # 2-digit code of the Land the document's source covers, where known (a source's ``land``
    # option, a Förderdatenbank Fördergebiet naming one Land): resolves names several Länder share
    land: str | None = Field(default=None, pattern=r"^(0[1-9]|1[0-6])$")


class Extraction(_Record):
    """One document's extraction: the JSON contract of ``foerderradar extract --format jsonl``."""
    source: str
    title: str | None = None
    published: dt.date | None = None
    amounts: list[Amount] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    dates: list[DateMention] = Field(default_factory=list)
    programmes: list[Programme] = Field(default_factory=list)
    municipalities: list[Municipality] = Field(default_factory=list)
    applicants: list[Applicant] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    extractor_version: str | None = None
    sha256: str | None = None
    warnings: list[str] = Field(default_factory=list)   # the parser's notes (Document.warnings)
    pdf_backend: str | None = None
    pages: int | None = None
