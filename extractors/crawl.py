"""Crawl one source: seeds -> fetch -> raw store -> discover more URLs -> ...

``crawl_source(source, store)`` is a sync API (it runs an asyncio loop inside, in a thread when
the caller already runs one). Every URL that fails is recorded with a reason in
``CrawlReport.failures``; no failure stops the others. Conditional-request state (ETag,
Last-Modified, the record each URL led to and the links found in it) lives in
``<settings.home()>/crawl-state/<source>.json`` so that a re-crawl where nothing changed costs
only conditional requests: connections are kept alive per host, and a page answered 304 is
neither read from the store nor parsed again (its links are remembered).

What a crash or a hand left behind heals on the next crawl, with a warning (logger
``foerderradar.crawl`` and a line in ``CrawlReport.notes``): a state file that is unreadable or
of the wrong shape (its damaged entries are dropped; those URLs are fetched in full), raw bytes
whose data file or sidecar is gone or damaged (fetched again without conditions), temporary files
of killed writers in the raw store and the state directory (swept once they are an hour old,
``settings.RAW_TEMP_MAX_AGE``).
"""
from __future__ import annotations

import asyncio
import io
import json
import logging
import re
import threading
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

from extractors import settings as app_settings
from extractors.atomic import sweep_temporaries, write_atomic
from extractors.fetch import MB, Fetcher, FetchSettings, mib
from extractors.rawstore import RawRecord, RawStore
from extractors.sources.base import DOCUMENT, EXPORT, Discovery, Request, Source

MAX_WORKERS = 32          # coroutines taking URLs from the frontier (per-host gates limit further)

log = logging.getLogger("foerderradar.crawl")


@dataclass
class Failure:
    url: str
    reason: str

    @property
    def status(self) -> int | None:
        """The HTTP status of a final error answer ("HTTP 404" → 404), else None; the warehouse
        marks documents answering 404/410 gone."""
        m = re.fullmatch(r"HTTP (\d{3})", self.reason)
        return int(m.group(1)) if m else None

    def to_dict(self) -> dict:
        return {"url": self.url, "reason": self.reason}


@dataclass
class CrawlReport:
    source: str
    records: list[RawRecord] = field(default_factory=list)   # every document seen this run
    new: list[RawRecord] = field(default_factory=list)       # fetched, not in the store before
    unchanged: int = 0                                       # seen, content already stored
    failures: list[Failure] = field(default_factory=list)
    requests: int = 0                                        # HTTP requests, retries included
    not_modified: int = 0                                    # answered 304
    conditional: int = 0                                     # requests sent with ETag/Last-Modified
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.source}: {len(self.records)} documents ({len(self.new)} new, {self.unchanged} unchanged), "
                f"{len(self.failures)} failures, {self.requests} requests ({self.not_modified} not modified)")

    @classmethod
    def from_dict(cls, d: dict) -> "CrawlReport":
        """The report :meth:`to_dict` gave (a shard's report read back by the loading step)."""
        records = [RawRecord.from_dict(r) for r in d.get("records", [])]
        new = set(d.get("new", []))
        return cls(source=d["source"], records=records, new=[r for r in records if r.sha256 in new],
                   unchanged=d.get("unchanged", 0),
                   failures=[Failure(f["url"], f["reason"]) for f in d.get("failures", [])],
                   requests=d.get("requests", 0), not_modified=d.get("not_modified", 0),
                   conditional=d.get("conditional", 0), notes=list(d.get("notes", [])))

    def to_dict(self) -> dict:
        return {"source": self.source, "records": [r.to_dict() for r in self.records],
                "new": [r.sha256 for r in self.new], "unchanged": self.unchanged,
                "failures": [f.to_dict() for f in self.failures], "requests": self.requests,
                "not_modified": self.not_modified, "conditional": self.conditional, "notes": self.notes}


# -- conditional-request state ---------------------------------------------------------------

def state_path(source_name: str, settings: FetchSettings | None = None) -> Path:
    if settings is not None and settings.state_path:
        return Path(settings.state_path)
    return app_settings.home() / "crawl-state" / f"{source_name}.json"


class CrawlState:
    """url -> {etag, last_modified, record, members, found}; written atomically at the end of a
    crawl. ``found``: the links discovery found in the record's bytes, reused while the URL
    answers 304 (a night where nothing changed reads and parses no stored page).

    A damaged state file never stops a crawl: :meth:`load` rebuilds a file that cannot be read
    or is not a crawl state from the raw store's log, and drops single entries of the wrong shape
    (those URLs are fetched in full); ``repairs`` says what was done."""

    def __init__(self, path: Path):
        self.path = path
        self.urls: dict[str, dict] = {}
        self.repairs: list[str] = []

    @classmethod
    def load(cls, path: Path, store: RawStore, source_name: str) -> "CrawlState":
        """The state file at ``path``; rebuilt from the raw store where it is missing or unusable."""
        try:
            raw = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return cls.rebuild(path, store, source_name)
        except (OSError, ValueError) as exc:
            return cls.rebuild(path, store, source_name,
                               why=f"crawl state {path} is unreadable ({exc})")
        urls = raw.get("urls") if isinstance(raw, dict) else None
        if not isinstance(urls, dict):
            return cls.rebuild(path, store, source_name,
                               why=f"crawl state {path} is not a crawl state (no 'urls' mapping)")
        state = cls(path)
        for url, entry in urls.items():
            entry = _state_entry(entry)
            if entry is not None:
                state.urls[url] = entry
        dropped = len(urls) - len(state.urls)
        if dropped:
            state.repairs.append(f"crawl state {path}: dropped {dropped} damaged entr"
                                 f"{'y' if dropped == 1 else 'ies'}; those URLs are fetched in full")
        return state

    @classmethod
    def rebuild(cls, path: Path, store: RawStore, source_name: str, why: str | None = None) -> "CrawlState":
        """The state as the raw store's log tells it: each URL's latest fetch with its ETag and
        Last-Modified, an export's members with it. A worker with no local state (a new machine
        of a sharded run, the raw store on S3) thus still sends conditional requests; ``why``
        names the damage when a state file existed."""
        state = cls(path)
        if why:
            state.repairs.append(f"{why}; rebuilt from the raw store's fetch log")
        latest = {r.url: r for r in store.iter_records(source_name, roles=None)}
        members: dict[str, list[dict]] = {}
        for url, rec in latest.items():
            archive = url.split("#", 1)[0]
            if archive != url and archive in latest and rec.fetched_at == latest[archive].fetched_at:
                members.setdefault(archive, []).append(rec.to_dict())
        for url, rec in latest.items():
            if "#" in url and url.split("#", 1)[0] in latest:
                continue        # an archive member: listed under its archive
            state.urls[url] = {"etag": rec.headers.get("etag"),
                               "last_modified": rec.headers.get("last-modified"), "record": rec.to_dict()}
            if url in members:
                state.urls[url]["members"] = members[url]
        return state

    def save(self) -> None:
        # not fsync'd: a lost state file only costs one full re-fetch
        write_atomic(self.path, json.dumps({"version": 1, "urls": self.urls}, ensure_ascii=False).encode("utf-8"),
                     durable=False)


def _state_entry(entry) -> dict | None:
    """One URL's state entry if it has the shape the crawler writes, else None."""
    if not isinstance(entry, dict):
        return None
    for key in ("etag", "last_modified"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            return None
    try:
        if entry.get("record") is not None:
            _record(entry["record"])
        members = entry.get("members")
        if members is not None:
            if not isinstance(members, list):
                return None
            for m in members:
                _record(m)
    except (TypeError, ValueError, AttributeError):
        return None
    return entry


def _record(d) -> RawRecord:
    """A RawRecord from state; TypeError/ValueError when it is not one."""
    if not isinstance(d, dict):
        raise TypeError("not a mapping")
    rec = RawRecord.from_dict(d)
    if not all(isinstance(v, str) and v for v in (rec.source, rec.url, rec.sha256, rec.path)):
        raise ValueError("record without source, url, sha256 or path")
    return rec


# -- archives -------------------------------------------------------------------------------

def unsafe_member_reason(name: str) -> str | None:
    """Why an archive member name must not be used, or None."""
    if not name or "\x00" in name:
        return "empty or NUL in name"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if ".." in parts:
        return "path leaves the archive (..)"
    return None


def iter_archive(data: bytes, source: Source, settings: FetchSettings):
    """Yield (member_name, bytes) or (member_name, Failure-reason str) for the wanted members of a
    zip; raise ValueError for an archive that cannot be read at all (truncated, not a zip)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise ValueError(f"export archive is truncated or not a zip file ({exc})") from None
    total = 0
    names: set[str] = set()
    for info in infos:
        if info.is_dir():
            continue
        name = info.filename
        why = unsafe_member_reason(name)
        if why:
            yield name, f"unsafe member path in archive ({why}); skipped"
            continue
        if not source.wants_member(name):
            continue
        if name in names:          # one URL, one content: ingest and reprocess must agree
            yield name, "duplicate member name in archive; the first member of that name is used"
            continue
        names.add(name)
        if info.file_size > settings.max_bytes:
            yield name, f"archive member larger than the {mib(settings.max_bytes)} limit ({info.file_size:,} bytes); skipped"
            continue
        if info.compress_size and info.file_size / max(1, info.compress_size) > settings.max_zip_ratio \
                and info.file_size > MB:
            yield name, "archive member inflates suspiciously (zip bomb?); skipped"
            continue
        total += info.file_size
        if total > settings.max_archive_bytes:
            yield name, f"archive unpacks to more than the {mib(settings.max_archive_bytes)} limit; rest skipped"
            return
        try:
            yield name, zf.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            yield name, f"archive member is truncated or corrupt ({exc})"


# -- the crawl -----------------------------------------------------------------------------

class _Crawl:
    def __init__(self, source: Source, store: RawStore, limit: int | None, settings: FetchSettings,
                 on_record: Callable[[RawRecord], None] | None = None):
        self.source = source
        self.on_record = on_record
        self.store = store
        self.limit = limit
        self.s = settings
        self.report = CrawlReport(source=source.name)
        self.repairs_before = len(store.repairs)      # the store's repairs from here on are this crawl's
        self.state = CrawlState.load(state_path(source.name, settings), store, source.name)
        self.discovery_key = discovery_key(source)
        self.seen: set[str] = set()
        self.enqueued = 0
        self.documents = 0
        self.queue: asyncio.Queue[Request] = asyncio.Queue()
        self.seen_docs: set[str] = set()

    def enqueue(self, req: Request) -> None:
        if req.url in self.seen:
            return
        if self.enqueued >= self.source.max_pages:
            if self.enqueued == self.source.max_pages:
                self.report.notes.append(f"stopped at max_pages={self.source.max_pages}")
                self.enqueued += 1
            return
        if req.role == DOCUMENT:
            if req.depth > self.source.max_depth:
                return
            if self.limit is not None and self.documents >= self.limit:
                return
            self.documents += 1
        self.seen.add(req.url)
        self.enqueued += 1
        self.queue.put_nowait(req)

    def fail(self, url: str, reason: str) -> None:
        self.report.failures.append(Failure(url, reason))

    def warn(self, message: str) -> None:
        """Something healed or worth the user's attention: logged and in the report's notes."""
        log.warning("[%s] %s", self.source.name, message)
        self.report.notes.append(message)

    def sweep(self) -> None:
        """Remove temporary files that killed writers left in this source's raw store and in
        the crawl-state directory (the default one; a state file set by hand may lie anywhere)."""
        self.store.sweep(self.source.name)
        gone = [] if self.s.state_path else \
            sweep_temporaries(self.state.path.parent, older_than=app_settings.RAW_TEMP_MAX_AGE)
        if gone:
            self.warn(f"removed {len(gone)} temporary file(s) of an interrupted state write in "
                      f"{self.state.path.parent}")

    def saw(self, rec: RawRecord, is_new: bool) -> None:
        if rec.url in self.seen_docs:
            return
        self.seen_docs.add(rec.url)
        self.report.records.append(rec)
        if self.on_record is not None:
            self.on_record(rec)
        if is_new:
            self.report.new.append(rec)
        else:
            self.report.unchanged += 1

    async def run(self) -> CrawlReport:
        pol = self.source.politeness
        for message in self.state.repairs:
            self.warn(message)
        if "allow_private_network" in self.source.settings and self.source.allow_private_network:
            self.report.notes.append("allow_private_network is on: private and loopback addresses "
                                     "are contacted for this source")
        await asyncio.to_thread(self.sweep)
        fetcher = Fetcher(self.s, host_allowed=self.source.host_allowed,
                          allow_private=self.source.allow_private_network,
                          concurrency=pol.concurrency, delay=pol.delay, respect_robots=pol.respect_robots)
        try:
            for req in self.source.seeds():
                self.enqueue(req)
            n_workers = max(1, min(MAX_WORKERS, (self.s.concurrency or pol.concurrency) * 2))
            workers = [asyncio.create_task(self.worker(fetcher)) for _ in range(n_workers)]
            await self.queue.join()
            for w in workers:
                w.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        finally:
            await fetcher.aclose()
            self.store.flush()
            self.report.requests = fetcher.requests
            self.report.conditional = fetcher.conditional_requests
            self.report.notes += fetcher.notes
            self.report.notes += self.store.repairs[self.repairs_before:]   # the store logged them already
            try:
                self.state.save()
            except OSError as exc:
                self.report.notes.append(f"could not save crawl state ({exc}); next run re-fetches everything")
        return self.report

    async def worker(self, fetcher: Fetcher) -> None:
        while True:
            req = await self.queue.get()
            try:
                await self.process(fetcher, req)
            except Exception as exc:  # a bug on one URL must not stop the crawl
                self.fail(req.url, f"internal error: {type(exc).__name__}: {exc}")
            finally:
                self.queue.task_done()

    def _previous(self, url: str) -> tuple[dict, RawRecord | None]:
        """The state of ``url`` and the record it led to, if its bytes (and, for an export, every
        member's) are still in the store; else nothing, so that it is fetched in full."""
        st = self.state.urls.get(url) or {}
        rec = RawRecord.from_dict(st["record"]) if st.get("record") else None
        if rec is None:
            return {}, None
        stored = [rec, *(RawRecord.from_dict(m) for m in st.get("members") or [])]
        if not all(self.store.has(self.source.name, r.sha256) for r in stored):
            return {}, None          # bytes gone (store moved, wiped, files deleted): fetch in full
        return st, rec

    async def process(self, fetcher: Fetcher, req: Request) -> None:
        st, prev = self._previous(req.url)
        max_bytes = self.s.max_archive_bytes if req.role == EXPORT else None
        res = await fetcher.fetch(req.url, expect=req.expect, etag=st.get("etag") if prev else None,
                                  last_modified=st.get("last_modified") if prev else None,
                                  max_bytes=max_bytes)
        if res.error:
            self.fail(req.url, res.error)
            return
        if res.not_modified and prev is None:
            self.fail(req.url, "HTTP 304 Not Modified to a request without conditions (a server fault)")
            return
        if res.not_modified:
            self.report.not_modified += 1
            rec = prev
            data = None
            if req.role == DOCUMENT:
                self.saw(rec, False)
            if req.role == EXPORT:
                for d in st.get("members", []):
                    m = RawRecord.from_dict(d)
                    if m.role == DOCUMENT:
                        self.saw(m, False)
                return
        else:
            existed = self.store.has(self.source.name, _sha(res.data))
            # the store fsyncs: write in a thread so other fetches go on meanwhile
            rec = await asyncio.to_thread(
                self.store.put, self.source.name, res.data, url=req.url, final_url=res.final_url,
                status=res.status, headers=res.headers, content_type=res.content_type,
                notes=res.notes, role=req.role)
            data = res.data
            if req.role == DOCUMENT:
                self.saw(rec, not existed)
            self.state.urls[req.url] = {"etag": res.headers.get("etag"),
                                        "last_modified": res.headers.get("last-modified"),
                                        "record": rec.to_dict()}
            if req.role == EXPORT:
                members = await asyncio.to_thread(self.unpack, rec, data)
                self.state.urls[req.url]["members"] = [m.to_dict() for m in members]
                return
        if req.role == DOCUMENT and req.depth >= self.source.max_depth:
            return
        entry = self.state.urls[req.url]
        found = self.discovered(entry, req) if data is None else None
        if found is None:     # new bytes, or nothing usable remembered: read and parse them
            found = await asyncio.to_thread(self.discover, rec, data, req)
            entry["found"] = _found_to_state(found, req, self.discovery_key)
        for err in found.errors:
            self.fail(req.url, err)
        for r in found.requests:
            self.enqueue(r)

    def discover(self, rec: RawRecord, data: bytes | None, req: Request) -> Discovery:
        """The source's discovery on a resource's bytes (read from the store when not given)."""
        if data is None:
            data = self.store.read(rec)
        return self.source.discover(rec, data, req)

    def discovered(self, entry: dict, req: Request) -> Discovery | None:
        """What discovery found in these same bytes on an earlier night, if that was the same
        request (role and depth) under the same discovery code and configuration; else None."""
        found = entry.get("found")
        if not isinstance(found, dict) or found.get("as") != [self.discovery_key, req.role, req.depth]:
            return None
        try:
            return Discovery(requests=[Request(*r) for r in found["requests"]],
                             errors=[str(e) for e in found["errors"]])
        except (KeyError, TypeError):
            return None       # a damaged entry: discover again

    def unpack(self, rec: RawRecord, data: bytes) -> list[RawRecord]:
        members: list[RawRecord] = []
        try:
            for name, item in iter_archive(data, self.source, self.s):
                url = f"{rec.url}#{name}"
                if isinstance(item, str):
                    self.fail(url, item)
                    continue
                role = self.source.member_role(name)
                if role == DOCUMENT and self.limit is not None and \
                        sum(1 for m in members if m.role == DOCUMENT) >= self.limit:
                    continue
                existed = self.store.has(self.source.name, _sha(item))
                m = self.store.put(self.source.name, item, url=url, final_url=url, status=rec.status,
                                   headers={}, content_type="application/xml" if name.lower().endswith(".xml")
                                   else None, fetched_at=rec.fetched_at, role=role)
                members.append(m)
                if role == DOCUMENT:
                    self.saw(m, not existed)
        except ValueError as exc:
            self.fail(rec.url, str(exc))
        return members


def discovery_key(source: Source) -> str:
    """What a source's discovery depends on besides the bytes of a page: the code of its
    classes and of the link parser, and its configuration (options, patterns, hosts, depth).
    A page answered 304 reuses the links found in it on an earlier night only under the same
    key, so a changed rule or option finds its links again."""
    import hashlib
    import sys

    h = hashlib.sha256()
    modules = {c.__module__ for c in type(source).__mro__ if c is not object} | {"extractors.sources.links"}
    for name in sorted(modules):
        path = getattr(sys.modules.get(name), "__file__", None)
        h.update(name.encode())
        if path:
            h.update(Path(path).read_bytes())
    config = {k: v for k, v in vars(source).items() if k != "store" and not k.startswith("_")}
    h.update(json.dumps(config, sort_keys=True, default=repr).encode())
    return h.hexdigest()[:16]


def _found_to_state(found: Discovery, req: Request, key: str) -> dict:
    """A discovery as the crawl state keeps it (see :meth:`_Crawl.discovered`)."""
    return {"as": [key, req.role, req.depth], "errors": list(found.errors),
            "requests": [[r.url, r.role, r.depth, r.expect, r.referrer] for r in found.requests]}


def _sha(data: bytes) -> str:
    import hashlib
    return hashlib.sha256(data).hexdigest()


def crawl_source(source: Source | str, store: RawStore | None = None, *, limit: int | None = None,
                 settings: FetchSettings | None = None,
                 on_record: Callable[[RawRecord], None] | None = None) -> CrawlReport:
    """Crawl one source into the raw store and report what was seen, new, unchanged and failed.

    ``on_record`` is called (in the crawl's thread) with each document's record as soon as its
    bytes are stored, once per URL, so that a caller can start parsing while the crawl goes on."""
    if isinstance(source, str):
        from extractors.sources import get_source
        source = get_source(source)
    store = store if store is not None else RawStore()
    settings = settings or FetchSettings()
    source.store = store
    crawl = lambda: asyncio.run(_Crawl(source, store, limit, settings, on_record).run())  # noqa: E731
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return crawl()
    out: dict = {}

    def target():
        try:
            out["report"] = crawl()
        except BaseException as exc:  # re-raised in the caller's thread
            out["error"] = exc
    t = threading.Thread(target=target, name=f"crawl-{source.name}")
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out["report"]
