"""Field component `foerderradar_dates` (placeholder: finds nothing yet)."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


class DatesComponent:
    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        return doc


@Language.factory("foerderradar_dates")
def make_component(nlp: Language, name: str):
    return DatesComponent(nlp, name)
