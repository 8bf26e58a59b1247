"""Assemble one document's extraction into normalised funding records.

One document can announce several programmes. Each amount, deadline, date and municipality is
attached to the programme it belongs to:

1. ``sentence``: a programme is mentioned in the same sentence (the nearest mention before the
   value, else the first after it);
2. ``section``: a programme is mentioned in the same section of the document (nearest mention
   before the value, else the first in the section); sections spanning nearly the whole text
   do not count;
3. ``main``: the document's main programme, the most mentioned one (the first on ties);
4. ``only``: the document names exactly one programme.

A document that names no programme gets one record under its title (``inferred``; never merged
with other documents), or under no programme at all when it has no title. Every value keeps its
evidence: character span, matched text and a snippet (the sentence around it, ~200 characters).

Amounts keep the role extraction gave them (``Amount.role``: budget, grant, grant_min, award,
project_cost, own_contribution, other), so that "budget changed" can be told from "maximum grant
changed". Only an amount extraction left without a role gets one here, from the cue words
nearest to it in its clause (:func:`amount_role`).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Callable

from models.records import Amount, DateMention, Deadline, Document, Extraction, Municipality, Programme

SNIPPET_CONTEXT = 100              # characters either side of the span, clipped to the sentence
SNIPPET_MAX = 240                  # hard cap (long spans are cut in the middle)
SECTION_MAX_SHARE = 0.9            # a section covering more of the text is no evidence
ROLE_CONTEXT_BEFORE = 90
ROLE_CONTEXT_AFTER = 45

# Amount roles: first matching cue wins (words before or after the amount, lower-cased).
ROLE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("own_contribution", re.compile(r"eigenanteil|eigenmittel|eigenbeteiligung|eigenleistung")),
    ("grant_min", re.compile(r"mindest|bagatellgrenze|untergrenze|nicht unter")),
    ("budget", re.compile(
        r"gesamtvolumen|fördervolumen|programmvolumen|budget|haushaltsmittel|fördertopf|"
        r"zur verfügung|bereitgestellt|bereit gestellt|stehen insgesamt|insgesamt stehen|"
        r"mittel in höhe|mittelansatz|finanzrahmen|ausgestattet|volumen von")),
    ("project_cost", re.compile(
        r"projektkosten|gesamtkosten|investitionskosten|ausgaben von|kosten von|"
        r"projektvolumen|investitionsvolumen|zuwendungsfähige")),
    ("grant", re.compile(
        r"zuschuss|zuschüsse|zuwendung|förderung|fördersumme|förderbetrag|höchstbetrag|"
        r"förderhöchst|gefördert|darlehen|kredit|prämie|pauschale|erhalten")),
)
PER_UNIT_ROLE = "grant"            # a per-project/per-applicant amount without cue is a grant


@dataclass
class DocProgramme:
    programme_id: str | None
    name: str
    aliases: list[str]
    mentions: list[Programme]
    inferred: bool = False
    matched_by: str = "new"
    new_aliases: list[tuple[str, str, str]] = field(default_factory=list)
    is_new: bool = False


@dataclass
class Attached:
    value: Amount | Deadline | DateMention | Municipality
    programme: int | None          # index into Assembly.programmes
    attached_by: str
    snippet: str
    role: str | None = None        # amounts only


@dataclass
class Assembly:
    programmes: list[DocProgramme]
    main: int | None
    amounts: list[Attached]
    deadlines: list[Attached]
    dates: list[Attached]
    municipalities: list[Attached]
    mention_snippets: dict[int, str]   # id(Programme mention) -> snippet

    def values_of(self, prog: int | None) -> dict[str, list[Attached]]:
        return {f: [a for a in getattr(self, f) if a.programme == prog]
                for f in ("amounts", "deadlines", "dates", "municipalities")}


Resolver = Callable[[str, list[str]], "object"]     # returns programmes.Match


def snippet(text: str, index, start: int, end: int) -> str:
    """The sentence around [start, end), at most ~SNIPPET_CONTEXT characters either side."""
    if not text:
        return ""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    a, b = index.window(start, end, before=SNIPPET_CONTEXT, after=SNIPPET_CONTEXT)
    s = " ".join(text[a:b].split())
    if len(s) > SNIPPET_MAX:
        half = SNIPPET_MAX // 2 - 2
        s = s[:half] + " … " + s[-half:]
    return s


_CLAUSE_BREAK = re.compile(r"[.;,:\n]")


def amount_role(text: str, a: Amount) -> str:
    """The role of an amount extraction left without one: the cue nearest to the amount in its
    clause (before it first, then after it), else its qualifier and unit."""
    if a.role:
        return a.role
    lo = max(0, a.start - ROLE_CONTEXT_BEFORE)
    before = _CLAUSE_BREAK.split(text[lo:a.start].lower())[-1]
    after = _CLAUSE_BREAK.split(text[a.end:a.end + ROLE_CONTEXT_AFTER].lower())[0]
    near = [(m.end(), role) for role, pattern in ROLE_CUES for m in pattern.finditer(before)]
    if near:
        role = max(near)[1]
        return role if not (role == "grant" and a.qualifier == "min") else "grant_min"
    near = [(m.start(), role) for role, pattern in ROLE_CUES for m in pattern.finditer(after)]
    if near:
        return min(near)[1]
    if a.qualifier == "min":
        return "grant_min"
    if a.unit in ("per_project", "per_applicant", "per_municipality", "per_inhabitant",
                  "per_m2", "per_unit", "per_person"):
        return PER_UNIT_ROLE
    return "other"


def assemble(document: Document, extraction: Extraction, resolve: Resolver,
             inferred_id: Callable[[str], str]) -> Assembly:
    # imported here: extractors.fields loads spaCy, which notebooks reading the warehouse never need
    from extractors.fields.text import TextIndex

    text = document.text or ""
    index = TextIndex(text)

    # group programme mentions by the programme they resolve to
    progs: list[DocProgramme] = []
    by_id: dict[str, int] = {}
    for p in sorted(extraction.programmes, key=lambda p: (p.start, p.end)):
        match = resolve(p.name, list(p.aliases))
        i = by_id.get(match.programme_id)
        if i is None:
            by_id[match.programme_id] = len(progs)
            progs.append(DocProgramme(match.programme_id, p.name, list(p.aliases), [p],
                                      matched_by=match.matched_by,
                                      new_aliases=list(match.new_aliases),
                                      is_new=match.matched_by == "new"))
        else:
            dp = progs[i]
            dp.mentions.append(p)
            dp.new_aliases.extend(match.new_aliases)
            for a in p.aliases:
                if a not in dp.aliases:
                    dp.aliases.append(a)
            if len(p.name) > len(dp.name):          # keep the fullest form as written
                dp.name = p.name
    if not progs:
        title = (extraction.title or document.title or "").strip()
        if title:
            pos = text.find(title)
            span = (pos, pos + len(title)) if pos >= 0 else (0, 0)
            mention = Programme(text=title, start=span[0], end=span[1], name=title, rule="title")
            progs.append(DocProgramme(inferred_id(title), title, [], [mention], inferred=True,
                                      is_new=True))
    main: int | None = None
    if progs:
        main = max(range(len(progs)), key=lambda i: (len(progs[i].mentions), -i))

    # mention positions for attachment
    positions: list[tuple[int, int]] = sorted(
        (m.start, i) for i, dp in enumerate(progs) if not dp.inferred for m in dp.mentions)
    starts = [p for p, _ in positions]
    sections = [(s.start, s.end) for s in document.sections
                if text and (s.end - s.start) < SECTION_MAX_SHARE * len(text)]

    def nearest(lo: int, hi: int, pos: int) -> int | None:
        """Programme of the nearest mention in [lo, hi): before pos, else the first after."""
        a = bisect.bisect_left(starts, lo)
        b = bisect.bisect_left(starts, hi)
        if a >= b:
            return None
        k = bisect.bisect_right(starts, pos, a, b) - 1
        return positions[k][1] if k >= a else positions[a][1]

    def attach(start: int) -> tuple[int | None, str]:
        if not progs:
            return None, "none"
        if len(progs) == 1:
            return 0, "only"
        s0, s1 = index.sentence(min(max(start, 0), max(len(text) - 1, 0))) if text else (0, 0)
        hit = nearest(s0, s1, start)
        if hit is not None:
            return hit, "sentence"
        inner = [(b - a, a, b) for a, b in sections if a <= start < b]
        if inner:
            _, a, b = min(inner)
            hit = nearest(a, b, start)
            if hit is not None:
                return hit, "section"
        return main, "main"

    def attached(values, with_role=False) -> list[Attached]:
        out = []
        for v in sorted(values, key=lambda v: (v.start, v.end)):
            prog, how = attach(v.start)
            out.append(Attached(v, prog, how, snippet(text, index, v.start, v.end),
                                amount_role(text, v) if with_role else None))
        return out

    mention_snippets = {id(m): snippet(text, index, m.start, m.end)
                        for dp in progs for m in dp.mentions}
    return Assembly(progs, main, attached(extraction.amounts, True), attached(extraction.deadlines),
                    attached(extraction.dates), attached(extraction.municipalities),
                    mention_snippets)
