"""Applicant types: who may apply, from sentences like "Antragsberechtigt sind Gemeinden und
Landkreise" or "Zuwendungsempfänger sind gemeinnützige Vereine", mapped onto a small vocabulary.

A sentence counts when it holds an applicant cue (``applicant_cues.txt``) and no negation near
that cue (``applicant_negations.txt``: "Nicht antragsberechtigt sind …"); a cue sentence ending in
a colon ("Antragsberechtigt sind:") also reads the sentence after it. Every vocabulary word
(``applicant_types.jsonl``) in such a sentence is one :class:`models.records.Applicant`. The same
file maps the Förderdatenbank's Förderberechtigte labels onto the vocabulary
(``applicant_words.fdb_types``).
"""
from __future__ import annotations


from extractors.fields.applicant_words import vocabulary
from extractors.fields.pipeline import field_component
from extractors.fields.rules import at_word_start
from models.records import Applicant

NEGATION_BEFORE = 30     # characters before a cue in which a negation word cancels it
NEGATION_AFTER = 20      # characters after it ("antragsberechtigt sind nicht: …")


def find_applicants(ctx) -> list[Applicant]:
    """Every vocabulary word in a sentence that says who may apply, in text order."""
    v = vocabulary()
    folded, index = ctx.folded, ctx.index
    spans: set[tuple[int, int]] = set()
    for cue in v.cues.finditer(folded):
        if not at_word_start(folded, cue.start()):
            continue
        near = folded[max(0, cue.start() - NEGATION_BEFORE):cue.end() + NEGATION_AFTER]
        if v.negations.search(near):
            continue
        s0, s1 = index.sentence(cue.start())
        if folded[s0:s1].rstrip().endswith(":") and s1 < len(folded):
            s1 = index.sentence(s1)[1]
        spans.add((s0, s1))
    out, seen = [], set()
    for s0, s1 in sorted(spans):
        for m in v.words.finditer(folded, s0, s1):
            if m.span() not in seen:
                seen.add(m.span())
                out.append(Applicant(type=v.type_of[" ".join(m.group(0).split())],
                                     text=ctx.text[m.start():m.end()], start=m.start(), end=m.end()))
    return out


field_component("applicants", lambda ctx, doc: find_applicants(ctx))
