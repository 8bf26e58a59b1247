"""Field extraction: one spaCy pipeline of namespaced rule components (see pipeline.py)."""
from extractors.fields.pipeline import COMPONENTS, FIELDS, Context, Extractor, build_nlp

__all__ = ["COMPONENTS", "FIELDS", "Context", "Extractor", "build_nlp"]
