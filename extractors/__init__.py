"""foerderradar's extraction side: sources, fetching, raw store, parsing and field extraction."""
from extractors.version import EXTRACTOR_VERSION

__all__ = ["EXTRACTOR_VERSION"]
