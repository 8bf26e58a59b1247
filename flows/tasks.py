"""The tasks of the flows: one verb each, batches of documents in, batches out.

Each task returns ``(value, seconds)`` so that the flow can report time per stage. Tasks never
cache through Prefect (``NO_CACHE``): hashing a batch of documents would cost more than the work,
and the real cache is the warehouse's ``(sha256, EXTRACTOR_VERSION)`` keys. Only the crawl is
retried, and only for errors that can pass (network, timeouts, I/O).

Every task has a time limit (``timeout_seconds``), so that nothing hangs the night: a task past its
limit ends ``TimedOut`` (a failed state), its source is marked failed and the run goes on with the
other sources. The limits are settings (environment variables, read when this module is imported):

==================================  ========  ==================================================
``FOERDERRADAR_CRAWL_TIMEOUT_S``     21600     one source's crawl (6 h: 10,000 pages at 2 s each)
``FOERDERRADAR_BATCH_TIMEOUT_S``     1800      one batch (``batch_size`` documents) of parse or
                                               extract
``FOERDERRADAR_RUN_TIMEOUT_S``       72000     the whole run (20 h: it ends before the next night);
                                               past it the run ends failed (Prefect attributes it to
                                               the task running then, if that has a limit)
==================================  ========  ==================================================

They are backstops: each document's own parse limits (time, memory) stop a bad file long before.
Loading and publishing have no task limit of their own (stopping them halfway would leave half a
batch in the run's transaction); the run's limit covers them, and it rolls the whole run back.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.preflight import default_sources, placeholder_url, writer_busy  # noqa: F401 (used by the flows)


def _seconds(name: str, default: float) -> float:
    """A time limit from the environment; a value that is not a positive number is an error."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if value <= 0:
        raise ValueError(f"{name}={raw!r}: give a number of seconds greater than 0 (default {default:g})")
    return value


class _KnownThreadTimeout(logging.Filter):
    """Prefect warns on every crawl task that a time limit in a worker thread cannot interrupt a
    blocking call. Known and accepted here: the fetcher bounds every request itself (connect, read
    and per-URL caps), so the crawl's limit only has to catch work between requests."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        return not (msg.startswith("Timeout of ") and "running in a worker thread" in msg)


logging.getLogger("prefect.task_runs").addFilter(_KnownThreadTimeout())

CRAWL_TIMEOUT_S = _seconds("FOERDERRADAR_CRAWL_TIMEOUT_S", 6 * 3600)
BATCH_TIMEOUT_S = _seconds("FOERDERRADAR_BATCH_TIMEOUT_S", 30 * 60)
RUN_TIMEOUT_S = _seconds("FOERDERRADAR_RUN_TIMEOUT_S", 20 * 3600)

# Crawl retries: the fetcher already retries single URLs with backoff; these cover a source whose
# whole crawl broke off (connection reset mid-listing, the raw store's disk briefly unavailable).
CRAWL_RETRIES = 2
CRAWL_RETRY_DELAYS = [5, 30]

_TASK = dict(cache_policy=NO_CACHE, persist_result=False)


def describe(exc: BaseException) -> str:
    """A one-line message for a user: the exception's own words, its type when it has none."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _transient(task, task_run, state) -> bool:
    """Retry only errors that may pass: network and I/O, not bugs or bad configuration."""
    try:
        state.result()
    except (OSError, TimeoutError, ConnectionError):
        return True
    except Exception as exc:
        import aiohttp   # the crawler's HTTP client
        import httpx     # Prefect's (and the gazetteer download's)
        return isinstance(exc, (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, httpx.TransportError))
    return False


# ------------------------------------------------------------------------------ process state

_extractors: dict[Any, Any] = {}
_extractor_lock = threading.Lock()


def _register_stamp() -> tuple:
    """Which municipal register and programme catalogue files are in place: path, mtime and size
    of each (a register loaded or a catalogue built by another command while `serve` runs is
    picked up by the next run)."""
    from extractors import settings
    from extractors.fields.catalogue import catalogue_path

    out: tuple = ()
    for path in (settings.gazetteer_path(), catalogue_path()):
        try:
            st = path.stat()
            out += (str(path), st.st_mtime_ns, st.st_size)
        except OSError:
            out += (str(path), None, None)
    return out


def get_extractor():
    """One :class:`Extractor` per process, register and catalogue (loading patterns and the
    register is the slow part)."""
    from extractors.fields import Extractor

    key = _register_stamp()
    with _extractor_lock:
        ext = _extractors.get(key)
        if ext is None:
            ext = _extractors[key] = Extractor(gazetteer="auto")
        return ext


def extractor_version() -> str:
    """The version extractions are keyed by (extractors.fields.pipeline.version_for): the rules'
    version plus the Gebietsstand of the loaded municipal register and the stamp of the
    programme catalogue."""
    from extractors.fields.catalogue import load_catalogue
    from extractors.fields.gazetteer import Gazetteer
    from extractors.fields.pipeline import version_for

    stamp = _register_stamp()
    with _extractor_lock:
        for s, ext in _extractors.items():
            if s == stamp:
                return ext.version
    return version_for(Gazetteer.load_default(), load_catalogue())


def open_warehouse():
    """The writer (one per process and run; WarehouseBusy when another process writes)."""
    from warehouse import Warehouse
    return Warehouse()


def published_keys(wh) -> set[tuple[str, str, str]]:
    """(url, sha256, extractor_version) of every current extraction (the writer's view, which
    includes committed runs not yet published)."""
    return wh.current_keys()


def close_warehouse(wh) -> None:
    close = getattr(wh, "close", None)
    if close:
        close()


def make_source(name: str, options: dict[str, Any], for_parsing: bool = False):
    """The registered source ``name`` built with ``options``.

    ``for_parsing`` (reprocess) tolerates a source that cannot be built without its options: the
    raw bytes are then parsed by the generic parser.
    """
    from extractors.sources import get_source

    try:
        return get_source(name, **options)
    except Exception:
        if not for_parsing:
            raise
        return _GenericParser(name)


def _GenericParser(name: str):
    """Stands in for a source that needs options to be built, when only parsing is wanted:
    the base class's generic ``documents`` without the source's configuration."""
    from extractors.sources.base import Source

    src = Source.__new__(Source)
    src.name = name
    return src


# ----------------------------------------------------------------------------------- the tasks

@task(name="crawl_source", retries=CRAWL_RETRIES, retry_delay_seconds=CRAWL_RETRY_DELAYS,
      retry_condition_fn=_transient, timeout_seconds=CRAWL_TIMEOUT_S, **_TASK)
def crawl_source(source, limit: int | None = None, on_record=None):
    """Fetch what the source announces into the raw store; returns its CrawlReport.
    ``on_record`` is given each document's record as soon as it is stored.

    A crawl that fetched nothing but failures ends Failed (the source is down), with the report
    as its data so that the flow still records what failed."""
    from prefect.states import Failed

    from extractors.crawl import crawl_source as crawl
    from extractors.rawstore import RawStore

    t = time.perf_counter()
    report = crawl(source, RawStore(), limit=limit, on_record=on_record)
    seconds = time.perf_counter() - t
    if report.failures and not report.records:
        return Failed(message=f"{source.name}: nothing fetched; {len(report.failures)} failures "
                              f"(first: {report.failures[0].reason})", data=(report, seconds))
    return report, seconds


@dataclass
class Parsed:
    record: Any                      # RawRecord
    documents: list[Any]             # Document (a structured source may make several of one record)


@task(name="parse_documents", timeout_seconds=BATCH_TIMEOUT_S, **_TASK)
def parse_documents(source, records: list[Any]):
    """Raw bytes → Documents. A document that cannot be read or parsed becomes a Document with
    empty text and the reason in ``errors`` (it is loaded, so nothing is silently lost)."""
    from extractors import settings
    from extractors.parse.guard import guarded_documents
    from extractors.rawstore import RawStore
    from models.records import Document

    t = time.perf_counter()
    store = RawStore()

    def parse_one(rec) -> Parsed:
        try:
            docs = guarded_documents(source, rec, store.read(rec))   # under the parse time and memory budget
        except Exception as exc:
            docs = [Document(source=rec.url, kind="txt", text="", errors=[f"cannot parse: {describe(exc)}"],
                             sha256=rec.sha256)]
        for d in docs:
            if d.sha256 is None:
                d.sha256 = rec.sha256
        return Parsed(rec, docs)

    workers = settings.PARSE_WORKERS
    if workers <= 1:     # in the task's own thread, where the task's time limit can stop a hang
        out = [parse_one(rec) for rec in records]
    else:
        # each thread borrows its own guard, i.e. its own worker process: `workers` documents are
        # parsed at the same time on as many cores. The guard's own time limit stops a hung parse;
        # the task's time limit cannot reach these threads.
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="parse")
        try:
            out = list(pool.map(parse_one, records))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    return out, time.perf_counter() - t


@dataclass
class Extracted:
    items: list[Any] = field(default_factory=list)        # LoadItem
    failures: list[str] = field(default_factory=list)


@task(name="extract_documents", timeout_seconds=BATCH_TIMEOUT_S, **_TASK)
def extract_documents(parsed: list[Parsed]):
    """Documents → Extractions with the process's one Extractor. Never retried: the same input
    fails the same way. A crash on one document is recorded on it; the batch goes on."""
    from models.records import Extraction
    from warehouse import LoadItem

    t = time.perf_counter()
    ext = get_extractor()
    version = extractor_version()
    out = Extracted()
    for p in parsed:
        for doc in p.documents:
            failure = None
            try:
                extraction = ext.extract(doc)
                if doc.errors and not doc.text:
                    failure = doc.errors[0]
            except Exception as exc:
                failure = f"extractor failed: {describe(exc)}"
                extraction = Extraction(source=doc.source, title=doc.title, published=doc.published,
                                        errors=list(doc.errors) + [failure], extractor_version=version,
                                        sha256=doc.sha256)
            if failure:
                out.failures.append(f"{doc.source}: {failure}")
            # the warehouse counts it failed once (runs.failed) and loads it with its errors
            out.items.append(LoadItem(raw=p.record, document=doc, extraction=extraction,
                                      failure=failure))
    return out, time.perf_counter() - t


@task(name="load_documents", **_TASK)
def load_documents(wh, run_id, items: list[Any]):
    """Load a batch into the warehouse (Arrow inserts inside the run's transaction; idempotent).
    Returns the warehouse's LoadStats."""
    from warehouse import LoadStats

    t = time.perf_counter()
    stats = wh.load(run_id, items) if items else LoadStats(run_id=run_id)
    return stats, time.perf_counter() - t


@task(name="publish_warehouse", **_TASK)
def publish_warehouse(wh):
    """Make this run visible to readers at once (they never see half a run)."""
    t = time.perf_counter()
    wh.publish()
    return time.perf_counter() - t


# ------------------------------------------------------------------------------------ summary

def apply_summary(result, summary, n_deadlines: int) -> None:
    """Copy the warehouse's RunSummary onto the result: the counts are the warehouse's (each
    event counted once, the same numbers as ``runs`` and ``runs_overview``)."""
    for name in ("new", "changed", "unchanged", "reextracted", "gone", "moved", "failed"):
        setattr(result, name, getattr(summary, name))
    result.notes = list(summary.notes)
    result.deadlines = list(summary.upcoming_deadlines[:n_deadlines])
    result.changes = list(summary.changes)


def write_outputs(result, today, log) -> None:
    """The analysts' files of this run (calendar, digests per saved filter, mail): see
    warehouse/outputs.py. A problem is logged as a warning and never fails the run."""
    if result.run_id is None or result.status == "failed":
        return
    from warehouse.outputs import write_outputs as write

    try:
        written, problems = write(result.run_id, warehouse_path=result.warehouse, today=today)
    except Exception as exc:  # e.g. nothing published yet
        written, problems = {}, [describe(exc)]
    for p in problems:
        log.warning("exports: %s", p)
    if written:
        log.info("exports: %s", ", ".join(sorted(written)))
        from warehouse.outputs import exports_dir
        result.exports = [str(exports_dir() / n) for n in ("report.html", "deadlines.ics") if n in written]


def publish_artifact(result) -> None:
    """The run summary as a Prefect markdown artifact (Artifacts page of the UI)."""
    from prefect.artifacts import create_markdown_artifact

    try:
        create_markdown_artifact(markdown=result.to_markdown(), key=f"foerderradar-{result.flow}-summary",
                                 description=f"foerderradar {result.flow} run summary")
    except Exception:  # the summary is also printed and stored in the warehouse
        pass
