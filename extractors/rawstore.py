"""The raw store: every fetched document, immutable and content-addressed.

Layout under the root (``settings.raw_dir()``, env ``FOERDERRADAR_RAW``)::

    <source>/<sha[:2]>/<sha>.<ext>      the bytes, exactly as fetched
    <source>/<sha[:2]>/<sha>.json       sidecar of the first fetch of these bytes
    <source>/_log/<yyyy-mm>.jsonl       append-only log: one RawRecord per fetch

Writes go to a temporary file in the same directory and are renamed into place, so an
interrupted crawl never leaves a partial file behind. Bytes are never rewritten: the same content
fetched again only appends a log line. Re-parsing reads from here and never re-fetches.

The disk access sits behind :class:`Storage` (five small methods): :class:`LocalStorage` here,
:class:`extractors.objectstore.S3Storage` for ``FOERDERRADAR_RAW=s3://bucket/prefix``, where the
log is written as one object per writer and flush instead of an appended file.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterator, Protocol

from extractors.atomic import write_atomic

# content type -> file extension of the stored bytes
EXTENSIONS = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/xml": "xml",
    "text/xml": "xml",
    "application/rss+xml": "xml",
    "application/atom+xml": "xml",
    "application/zip": "zip",
    "text/plain": "txt",
    "application/json": "json",
}
_SOURCE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_SHA = re.compile(r"^[0-9a-f]{64}$")


def extension_for(content_type: str | None, data: bytes = b"") -> str:
    """The file extension for stored bytes: from the content type, else sniffed."""
    ct = (content_type or "").split(";")[0].strip().lower()
    if ct in EXTENSIONS:
        return EXTENSIONS[ct]
    head = data[:512].lstrip()
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    low = head.lower()
    if low.startswith(b"<?xml") or low.startswith(b"<rss") or low.startswith(b"<feed"):
        return "xml"
    if b"<html" in low or b"<!doctype html" in low:
        return "html"
    return "bin"


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


@dataclass
class RawRecord:
    """One fetch of one URL: where the bytes came from and where they lie in the store."""
    source: str
    url: str
    final_url: str
    status: int
    headers: dict = field(default_factory=dict)
    fetched_at: str = ""
    sha256: str = ""
    content_type: str | None = None
    path: str = ""          # relative to the store root, POSIX separators
    size: int = 0
    notes: list[str] = field(default_factory=list)   # e.g. "link promised pdf, server sent html"
    role: str = "document"  # document | feed | sitemap | listing | export (see sources.base)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "RawRecord":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


class Storage(Protocol):
    """The four operations the raw store needs; keys are relative POSIX paths."""

    def exists(self, key: str) -> bool: ...
    def write_atomic(self, key: str, data: bytes) -> None: ...
    def read(self, key: str) -> bytes: ...
    def append_line(self, key: str, line: str) -> None: ...
    def list(self, prefix: str) -> Iterator[str]: ...


class LocalStorage:
    """Local disk: write-then-rename, fsync'd, never outside ``root``."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self._lock = threading.Lock()

    def _path(self, key: str) -> Path:
        rel = PurePosixPath(key)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise ValueError(f"raw store key {key!r} leaves the store root")
        p = (self.root / Path(*rel.parts)).resolve()
        if self.root != p and self.root not in p.parents:
            raise ValueError(f"raw store key {key!r} leaves the store root")
        return p

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def write_atomic(self, key: str, data: bytes) -> None:
        write_atomic(self._path(key), data)

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def append_line(self, key: str, line: str) -> None:
        p = self._path(key)
        p.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(p, "a", encoding="utf-8") as fh:
            fh.write(line.rstrip("\n") + "\n")
            fh.flush()

    def list(self, prefix: str) -> Iterator[str]:
        base = self._path(prefix) if prefix else self.root
        if not base.exists():
            return
        for p in sorted(base.rglob("*")):
            if p.is_file() and not p.name.startswith(".tmp-"):
                yield p.relative_to(self.root).as_posix()


class RawStore:
    """Content-addressed, append-only store of fetched bytes with metadata sidecars."""

    def __init__(self, root: Path | str | None = None, storage: Storage | None = None):
        """``root``: a local directory or ``s3://bucket/prefix`` (default: ``FOERDERRADAR_RAW``,
        else ``$FOERDERRADAR_HOME/raw``)."""
        if root is None:
            from extractors import settings
            root = settings.raw_location()
        if storage is None and str(root).startswith("s3://"):
            from extractors.objectstore import S3Storage
            storage = S3Storage(str(root))
            self.root: Path | str = str(root)
        else:
            self.root = Path(root)
        self.storage: Storage = storage or LocalStorage(self.root)

    def flush(self) -> None:
        """Make buffered log lines durable (object storage writes the log in parts; the local
        disk appends at once and has nothing to flush)."""
        flush = getattr(self.storage, "flush", None)
        if flush is not None:
            flush()

    # -- writing ---------------------------------------------------------------------------
    def put(self, source: str, data: bytes, *, url: str, final_url: str | None = None,
            status: int = 200, headers: dict | None = None, content_type: str | None = None,
            fetched_at: str | None = None, notes: list[str] | None = None,
            role: str = "document") -> RawRecord:
        if not _SOURCE_NAME.match(source):
            raise ValueError(f"source name {source!r} must be lower-case letters, digits, underscores")
        sha = hashlib.sha256(data).hexdigest()
        ext = extension_for(content_type, data)
        key = f"{source}/{sha[:2]}/{sha}.{ext}"
        rec = RawRecord(source=source, url=url, final_url=final_url or url, status=status,
                        headers=dict(headers or {}), fetched_at=fetched_at or now_iso(),
                        sha256=sha, content_type=content_type, path=key, size=len(data),
                        notes=list(notes or []), role=role)
        if not self.storage.exists(key):
            self.storage.write_atomic(key, data)
        side = f"{source}/{sha[:2]}/{sha}.json"
        if not self.storage.exists(side):
            self.storage.write_atomic(side, json.dumps(rec.to_dict(), ensure_ascii=False, indent=1).encode())
        self.storage.append_line(f"{source}/_log/{rec.fetched_at[:7]}.jsonl",
                                 json.dumps(rec.to_dict(), ensure_ascii=False))
        return rec

    # -- reading ---------------------------------------------------------------------------
    def read(self, rec: RawRecord) -> bytes:
        data = self.storage.read(rec.path)
        if rec.sha256 and hashlib.sha256(data).hexdigest() != rec.sha256:
            raise ValueError(f"raw file {rec.path} does not match its sha256; the store is corrupt")
        return data

    def has(self, source: str, sha256: str) -> bool:
        return self.get(source, sha256) is not None

    def get(self, source: str, sha256: str) -> RawRecord | None:
        """The sidecar record of stored bytes, or None."""
        if not _SHA.match(sha256 or ""):
            return None
        side = f"{source}/{sha256[:2]}/{sha256}.json"
        if not self.storage.exists(side):
            return None
        return RawRecord.from_dict(json.loads(self.storage.read(side)))

    def sources(self) -> list[str]:
        seen = set()
        for key in self.storage.list(""):
            seen.add(key.split("/", 1)[0])
        return sorted(s for s in seen if _SOURCE_NAME.match(s))

    def iter_log(self, source: str | None = None) -> Iterator[RawRecord]:
        """Every fetch ever recorded, oldest first (per source)."""
        for src in ([source] if source else self.sources()):
            for key in self.storage.list(f"{src}/_log"):
                for line in self.storage.read(key).decode("utf-8").splitlines():
                    if line.strip():
                        try:
                            yield RawRecord.from_dict(json.loads(line))
                        except (ValueError, TypeError):
                            continue   # a torn last line after a crash: skip it

    def iter_records(self, source: str | None = None, *,
                     roles: tuple[str, ...] | None = ("document",)) -> Iterator[RawRecord]:
        """The latest record per (source, url), in url order.

        By default only documents (announcements, PDFs, export members); ``roles=None`` also
        yields the feeds, sitemaps, listing pages and export archives that led to them.
        """
        latest: dict[tuple[str, str], RawRecord] = {}
        for rec in self.iter_log(source):
            if roles is not None and rec.role not in roles:
                continue
            k = (rec.source, rec.url)
            if k not in latest or rec.fetched_at >= latest[k].fetched_at:
                latest[k] = rec
        for k in sorted(latest):
            yield latest[k]
