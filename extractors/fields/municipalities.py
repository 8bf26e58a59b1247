"""Field component `foerderradar_municipalities` (placeholder: finds nothing yet)."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


class MunicipalitiesComponent:
    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        return doc


@Language.factory("foerderradar_municipalities")
def make_component(nlp: Language, name: str):
    return MunicipalitiesComponent(nlp, name)
