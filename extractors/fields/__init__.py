"""Field extraction: one spaCy pipeline of namespaced rule components (see pipeline.py).

The pipeline (and spaCy) loads on first use of a name below, so modules that only read word
lists (``rules``, ``applicant_words``, ``laender``) stay cheap to import for the warehouse.
"""
__all__ = ["COMPONENTS", "FIELDS", "Context", "Extractor", "build_nlp"]


def __getattr__(name: str):
    if name in __all__:
        from extractors.fields import pipeline
        return getattr(pipeline, name)
    raise AttributeError(f"module 'extractors.fields' has no attribute {name!r}")
