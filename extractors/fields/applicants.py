"""Applicant types: who may apply, from sentences like "Antragsberechtigt sind Gemeinden und
Landkreise" or "Zuwendungsempfänger sind gemeinnützige Vereine", mapped onto a small vocabulary.

A sentence counts when it holds an applicant cue (``applicant_cues.txt``) and no negation near
that cue (``applicant_negations.txt``: "Nicht antragsberechtigt sind …"); a cue sentence ending in
a colon ("Antragsberechtigt sind:") also reads the sentence after it. Every vocabulary word
(``applicant_types.jsonl``) in such a sentence is one :class:`models.records.Applicant`. The same
file maps the Förderdatenbank's Förderberechtigte labels onto the vocabulary (:func:`fdb_types`).
"""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from extractors.fields.rules import alternation, fold, read_jsonl, read_lines
from models.records import Applicant

NEGATION_BEFORE = 30     # characters before a cue in which a negation word cancels it
NEGATION_AFTER = 20      # characters after it ("antragsberechtigt sind nicht: …")


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[re.Pattern, dict[str, str], re.Pattern, re.Pattern, dict[str, str]]:
    entries = read_jsonl("applicant_types.jsonl")
    by_form = {fold(w): e["type"] for e in entries for w in e["words"]}
    words = re.compile(r"(?<![\w-])(?:" + alternation(by_form) + r")(?![\w-])")
    cues = re.compile(r"(?<!\w)(?:" + alternation(fold(c) for c in read_lines("applicant_cues.txt")) + ")")
    negations = re.compile(r"(?<!\w)(?:" + alternation(fold(c) for c in read_lines("applicant_negations.txt"))
                           + r")(?!\w)")
    fdb = {label: e["type"] for e in entries for label in e.get("fdb", [])}
    return words, by_form, cues, negations, fdb


def _type_of(form: str, by_form: dict[str, str]) -> str:
    return by_form[" ".join(form.split())]


def find_applicants(ctx) -> list[Applicant]:
    """Every vocabulary word in a sentence that says who may apply, in text order."""
    words, by_form, cues, negations, _ = _vocabulary()
    folded, index = ctx.folded, ctx.index
    spans: set[tuple[int, int]] = set()
    for cue in cues.finditer(folded):
        near = folded[max(0, cue.start() - NEGATION_BEFORE):cue.end() + NEGATION_AFTER]
        if negations.search(near):
            continue
        s0, s1 = index.sentence(cue.start())
        if folded[s0:s1].rstrip().endswith(":") and s1 < len(folded):
            s1 = index.sentence(s1)[1]
        spans.add((s0, s1))
    out, seen = [], set()
    for s0, s1 in sorted(spans):
        for m in words.finditer(folded, s0, s1):
            if m.span() not in seen:
                seen.add(m.span())
                out.append(Applicant(type=_type_of(m.group(0), by_form), text=ctx.text[m.start():m.end()],
                                     start=m.start(), end=m.end()))
    return out


def applicant_types() -> list[str]:
    """The vocabulary, in file order."""
    return [e["type"] for e in read_jsonl("applicant_types.jsonl")]


def fdb_types(labels) -> list[str]:
    """The vocabulary types of Förderdatenbank Förderberechtigte labels (unknown labels left out)."""
    fdb = _vocabulary()[4]
    out: list[str] = []
    for label in labels or []:
        t = fdb.get(str(label).strip())
        if t and t not in out:
            out.append(t)
    return out


class ApplicantsComponent:
    """spaCy wrapper: ``find_applicants`` over the document's text."""

    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        ctx = doc._.fr_ctx
        if ctx is None:
            return doc
        doc._.fr["applicants"].extend(find_applicants(ctx))
        return doc


@Language.factory("foerderradar_applicants", requires=["doc._.fr_ctx", "doc._.fr"],
                  assigns=["doc._.fr"])
def make_component(nlp: Language, name: str):
    return ApplicantsComponent(nlp, name)
