"""Crawl one source: seeds -> fetch -> raw store -> discover more -> ... (sync API)."""
from __future__ import annotations

from dataclasses import dataclass, field

from extractors.rawstore import RawRecord, RawStore


@dataclass
class Failure:
    url: str
    reason: str

    def to_dict(self) -> dict:
        return {"url": self.url, "reason": self.reason}


@dataclass
class CrawlReport:
    source: str
    records: list[RawRecord] = field(default_factory=list)   # every document seen this run
    new: list[RawRecord] = field(default_factory=list)       # fetched, not in the store before
    unchanged: int = 0
    failures: list[Failure] = field(default_factory=list)
    requests: int = 0
    not_modified: int = 0


def crawl_source(source, store: RawStore | None = None, *, limit: int | None = None,
                 settings=None) -> CrawlReport:
    raise NotImplementedError("work in progress")
