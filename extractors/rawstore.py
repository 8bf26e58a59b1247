"""The raw store: every fetched document, immutable and content-addressed.

Layout under the root (``settings.raw_dir()``, env ``FOERDERRADAR_RAW``)::

    <source>/<sha[:2]>/<sha>.<ext>      the bytes, exactly as fetched
    <source>/<sha[:2]>/<sha>.json       sidecar of the first fetch of these bytes
    <source>/_log/<yyyy-mm>.jsonl       append-only log: one RawRecord per fetch

Writes go to a temporary file in the same directory and are renamed into place, so an
interrupted crawl never leaves a partial file behind. Bytes are never rewritten: the same content
fetched again only appends a log line. Re-parsing reads from here and never re-fetches.

The store heals what crashes and hands leave behind, and says so (a warning on the
``foerderradar.rawstore`` logger and a line in :attr:`RawStore.repairs`): a sidecar that is not
a readable record of its bytes is rewritten by the next ``put`` of those bytes; bytes whose data
file was deleted count as absent (the crawler fetches them again without conditions); a log
line torn by a crash or a full disk is skipped without losing the record after it, and the next
append starts on a new line; temporary files of killed writers are swept (:meth:`RawStore.sweep`).

The disk access sits behind :class:`Storage` (five small methods): :class:`LocalStorage` here,
:class:`extractors.objectstore.S3Storage` for ``FOERDERRADAR_RAW=s3://bucket/prefix``, where the
log is written as one object per writer and flush instead of an appended file.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterator, Protocol

from extractors.atomic import sweep_temporaries, write_atomic

log = logging.getLogger("foerderradar.rawstore")

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
    """The operations the raw store needs; keys are relative POSIX paths. ``append_line``
    returns what it repaired, if anything. Optional: ``flush()`` (buffered log lines) and
    ``sweep(prefix, older_than)`` (temporary files of killed writers)."""

    def exists(self, key: str) -> bool: ...
    def write_atomic(self, key: str, data: bytes) -> None: ...
    def read(self, key: str) -> bytes: ...
    def append_line(self, key: str, line: str) -> str | None: ...
    def list(self, prefix: str) -> Iterator[str]: ...


class LocalStorage:
    """Local disk: write-then-rename, fsync'd, never outside ``root``."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self._lock = threading.Lock()
        self._folders: dict[PurePosixPath, Path] = {}    # key folder -> its resolved path

    def _path(self, key: str) -> Path:
        """The file of ``key``, never outside the root: no absolute keys, no "..", and no
        symbolic link (a folder's, resolved once per folder, or the file's own) leading out."""
        rel = PurePosixPath(key)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise ValueError(f"raw store key {key!r} leaves the store root")
        folder = self._folders.get(rel.parent)
        if folder is None:
            folder = self._inside((self.root / Path(*rel.parent.parts)).resolve(), key)
            self._folders[rel.parent] = folder
        p = folder / rel.name
        if p.is_symlink():
            self._inside(p.resolve(), key)
        return p

    def _inside(self, p: Path, key: str) -> Path:
        if self.root != p and self.root not in p.parents:
            raise ValueError(f"raw store key {key!r} leaves the store root")
        return p

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def write_atomic(self, key: str, data: bytes) -> None:
        write_atomic(self._path(key), data)

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def append_line(self, key: str, line: str) -> str | None:
        """Append one whole line (one write; a failed write is cut back off). A file that ends in
        a torn line (a crash or a full disk during an earlier write) gets a newline first, so the
        new line stays readable; the return value then says so."""
        p = self._path(key)
        p.parent.mkdir(parents=True, exist_ok=True)
        data = (line.rstrip("\n") + "\n").encode("utf-8")
        repaired = None
        with self._lock:
            fd = os.open(p, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    data = b"\n" + data
                    repaired = f"{key} ended in a torn line; the next record starts on a new line"
                try:
                    written = os.write(fd, data)
                    if written != len(data):
                        raise OSError(f"short write to {p} ({written} of {len(data)} bytes)")
                except OSError:
                    os.ftruncate(fd, size)      # never leave a part of a line behind
                    raise
            finally:
                os.close(fd)
        return repaired

    def list(self, prefix: str) -> Iterator[str]:
        base = self._path(prefix) if prefix else self.root
        if not base.exists():
            return
        for p in sorted(base.rglob("*")):
            if p.is_file() and not p.name.startswith(".tmp-"):
                yield p.relative_to(self.root).as_posix()

    def sweep(self, prefix: str, older_than: float) -> list[str]:
        base = self._path(prefix) if prefix else self.root
        return [p.relative_to(self.root).as_posix() for p in sweep_temporaries(base, older_than)]


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
        self.repairs: list[str] = []        # what this store healed (also logged as warnings)

    def _repaired(self, message: str) -> None:
        if message not in self.repairs:     # one warning per fault, however often it is met
            log.warning("raw store: %s", message)
            self.repairs.append(message)

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
        elif self._sidecar(source, sha, warn=False) is None:
            self.storage.write_atomic(side, json.dumps(rec.to_dict(), ensure_ascii=False, indent=1).encode())
            self._repaired(f"rewrote the damaged sidecar {side} from this fetch")
        repaired = self.storage.append_line(f"{source}/_log/{rec.fetched_at[:7]}.jsonl",
                                            json.dumps(rec.to_dict(), ensure_ascii=False))
        if repaired:
            self._repaired(repaired)
        return rec

    def sweep(self, source: str | None = None, older_than: float | None = None) -> list[str]:
        """Delete temporary files that killed writers left (in one source, or everywhere) once
        they are ``older_than`` seconds old (default ``settings.RAW_TEMP_MAX_AGE``, an hour);
        each sweep is reported as a repair."""
        if older_than is None:
            from extractors import settings
            older_than = settings.RAW_TEMP_MAX_AGE
        sweep = getattr(self.storage, "sweep", None)     # object stores leave no temporaries
        gone = sweep(source or "", older_than) if sweep is not None else []
        if gone:
            self._repaired(f"removed {len(gone)} temporary file(s) left by an interrupted write "
                           f"({', '.join(gone[:3])}{' ...' if len(gone) > 3 else ''})")
        return gone

    # -- reading ---------------------------------------------------------------------------
    def read(self, rec: RawRecord) -> bytes:
        data = self.storage.read(rec.path)
        if rec.sha256 and hashlib.sha256(data).hexdigest() != rec.sha256:
            raise ValueError(f"raw file {rec.path} does not match its sha256; the store is corrupt")
        return data

    def has(self, source: str, sha256: str) -> bool:
        """Are these bytes stored: a sound sidecar and its data file?"""
        rec = self.get(source, sha256)
        if rec is None:
            return False
        if not self.storage.exists(rec.path):
            self._repaired(f"raw file {rec.path} is missing (its sidecar remains); "
                           f"its bytes count as absent and are fetched again")
            return False
        return True

    def get(self, source: str, sha256: str) -> RawRecord | None:
        """The sidecar record of stored bytes, or None (also for a damaged sidecar, which the
        next ``put`` of the same bytes rewrites)."""
        if not _SHA.match(sha256 or ""):
            return None
        return self._sidecar(source, sha256)      # None for a missing sidecar, too

    def _sidecar(self, source: str, sha256: str, warn: bool = True) -> RawRecord | None:
        side = f"{source}/{sha256[:2]}/{sha256}.json"
        try:
            rec = RawRecord.from_dict(json.loads(self.storage.read(side)))
            if rec.sha256 == sha256 and rec.source == source \
                    and rec.path.startswith(f"{source}/{sha256[:2]}/{sha256}."):
                return rec
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, AttributeError):
            pass
        if warn:
            self._repaired(f"sidecar {side} is damaged (not a record of its bytes); "
                           f"it is rewritten when these bytes are fetched again")
        return None

    def sources(self) -> list[str]:
        seen = set()
        for key in self.storage.list(""):
            seen.add(key.split("/", 1)[0])
        return sorted(s for s in seen if _SOURCE_NAME.match(s))

    def iter_log(self, source: str | None = None) -> Iterator[RawRecord]:
        """Every fetch ever recorded, oldest first (per source)."""
        for src in ([source] if source else self.sources()):
            for key in self.storage.list(f"{src}/_log"):
                text = self.storage.read(key).decode("utf-8", "replace")
                for n, line in enumerate(text.splitlines(), 1):
                    if line.strip():
                        rec = self._log_record(line, key, n)
                        if rec is not None:
                            yield rec

    def _log_record(self, line: str, key: str, n: int) -> RawRecord | None:
        """One log line as a record. A torn line (a crash or full disk cut it, and before the
        fix the next record was appended to it) is skipped, and a whole record after the tear
        on the same line is kept."""
        start = 0
        while True:
            try:
                d = json.loads(line[start:])
                if isinstance(d, dict):
                    rec = RawRecord.from_dict(d)
                    if start:
                        self._repaired(f"{key} line {n}: skipped a torn record, kept the one after it")
                    return rec
            except (ValueError, TypeError):
                pass
            start = line.find('{"source"', start + 1)
            if start < 0:
                self._repaired(f"{key} line {n}: skipped a damaged line (a write cut short)")
                return None

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
