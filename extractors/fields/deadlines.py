"""Field component `foerderradar_deadlines` (placeholder: finds nothing yet)."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


class DeadlinesComponent:
    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        return doc


@Language.factory("foerderradar_deadlines")
def make_component(nlp: Language, name: str):
    return DeadlinesComponent(nlp, name)
