"""The nightly flows: ``ingest`` and ``reprocess``.

``ingest`` composes the pipeline and holds nothing else::

    sources ──> crawl (fetch ─> raw/) ──> parse ──> extract ──> load ──> publish

Every step is a small Prefect task named by its verb (``flows.tasks``). Tasks take *batches* of
documents (a task run costs a few to 35 ms of bookkeeping, so one task per document would cost
more than the extraction). Retries happen only where network I/O happens (crawling); parsing
and extraction are pure and are never retried. One source failing (a dead host, a bug in its
parser) marks the run ``partial``; the other sources still load. A raw document whose
``(sha256, EXTRACTOR_VERSION)`` the warehouse already holds is neither parsed nor extracted
again, so a night where nothing changed costs the crawl and little else. Bytes the warehouse has
never held for their source do not wait for the end of the crawl: they go on to parse, extract
and load in batches while the crawl fetches the rest (``_SourceRun``), so the parse workers and
the flow process work at the same time.

``reprocess`` re-extracts what the raw store holds with the current extractor, without network.

What Prefect shows is what happened: the flow run is named after its day and the warehouse run
(``ingest 2025-03-07 run 20250307T020000Z-1a2b``), task runs after their source and batch
(``crawl demo``, ``parse demo 2/3``); a run in which something failed ends in a failed state
named ``Partial`` (the other sources are loaded), the failed source's task ends ``Failed`` or
``TimedOut``, and failures are logged at WARNING (documents) or ERROR (sources).

Both flows run on Prefect's temporary local server when no ``PREFECT_API_URL`` is configured, so
``foerderradar ingest`` works on a fresh machine; ``prefect server start`` afterwards shows the
runs (both use the database under ``PREFECT_HOME``, default ``~/.prefect``).
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import queue
import time
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any, Iterable, Iterator

# Prefect reads its settings once, at import: no telemetry (the tool makes no requests beyond the
# sources it is told to crawl) and a patient start for the temporary server on a busy machine.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

from prefect import flow, get_run_logger  # noqa: E402
from prefect.states import Completed, Failed  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from flows import tasks as T  # noqa: E402

# Documents per parse/extract/load task: large enough that task bookkeeping is noise (<1 %),
# small enough that a batch of parsed PDFs stays well within memory.
BATCH_SIZE = 200
# Sources crawled at the same time (network-bound; each source keeps its own per-host politeness).
CRAWL_WORKERS = 4
# Upcoming deadlines listed in the run summary.
SUMMARY_DEADLINES = 10

# the warehouse's run statuses (runs.status)
STATUS_OK, STATUS_PARTIAL, STATUS_FAILED = "success", "partial", "failed"


@dataclass
class SourceStats:
    """What happened to one source in one run (printed as one progress line)."""
    name: str
    fetched: int = 0            # documents seen this run (fetched or confirmed unchanged)
    new: int = 0                # fetched and not in the raw store before
    fetch_failed: int = 0       # URLs that could not be fetched
    skipped: int = 0            # already extracted with this extractor version
    parsed: int = 0             # raw documents parsed
    extracted: int = 0          # documents extracted
    failed: int = 0             # documents whose parse or extraction failed
    loaded: int = 0             # documents loaded into the warehouse
    error: str | None = None    # the source as a whole failed
    failures: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = (f"[{self.name}] fetched {self.fetched} ({self.new} new), parsed {self.parsed}, "
                f"extracted {self.extracted}, loaded {self.loaded}")
        if self.skipped:
            text += f", {self.skipped} unchanged"
        if self.fetch_failed or self.failed:
            text += f"; {self.fetch_failed + self.failed} failed"
        if self.error:
            text += f"; SOURCE FAILED: {self.error}"
        return text


@dataclass
class IngestResult:
    """The flow's return value: counts per source, stage timings, the warehouse's run summary."""
    flow: str
    run_id: Any = None
    status: str = STATUS_OK
    sources: dict[str, SourceStats] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)   # seconds per stage, plus "total"
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    reextracted: int = 0        # known content, extracted again by a new extractor version
    gone: int = 0               # documents marked gone (404/410, or missing from their source)
    moved: int = 0              # documents found at a new URL (not extracted again)
    notes: list[str] = field(default_factory=list)    # what the warehouse repaired or resumed
    deadlines: list[dict[str, Any]] = field(default_factory=list)   # date, programme, kind, subject, url
    changes: list[dict[str, Any]] = field(default_factory=list)     # field-level changes this run
    errors: list[str] = field(default_factory=list)
    warehouse: str | None = None
    exports: list[str] = field(default_factory=list)    # analysts' files written after the run (paths)

    @property
    def extracted(self) -> int:
        return sum(s.extracted for s in self.sources.values())

    @property
    def loaded(self) -> int:
        return sum(s.loaded for s in self.sources.values())

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["extracted"], d["loaded"] = self.extracted, self.loaded
        return d

    def to_markdown(self) -> str:
        lines = [f"# foerderradar {self.flow}: {self.status}", ""]
        lines.append(f"**{self.new} new, {self.changed} changed, {self.reextracted} re-extracted, "
                     f"{self.unchanged} unchanged, {self.moved} moved, {self.gone} gone, "
                     f"{self.failed} failed** documents; {self.extracted} extracted, "
                     f"{self.loaded} loaded in {self.timings.get('total', 0):.1f} s.")
        lines += ["", "| source | fetched | new | extracted | loaded | failed | note |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        for s in self.sources.values():
            lines.append(f"| {s.name} | {s.fetched} | {s.new} | {s.extracted} | {s.loaded} | "
                         f"{s.fetch_failed + s.failed} | {_md(s.error or '')} |")
        # the warehouse's own renderer: each change of a call once, with its documents
        from warehouse.summary import changes_markdown, deadlines_markdown
        if self.notes:
            lines += ["", "## Repaired or resumed", ""] + [f"- {_md(n)}" for n in self.notes]
        if self.deadlines:
            lines += [""] + deadlines_markdown(self.deadlines)
        if self.changes:
            lines += [""] + changes_markdown(self.changes)
        failures = [f for s in self.sources.values() for f in s.failures] + self.errors
        if failures:
            lines += ["", "## Failures", ""]
            lines += [f"- {_md(f)}" for f in failures[:50]]
            if len(failures) > 50:
                lines.append(f"- … and {len(failures) - 50} more")
        if self.exports:
            from pathlib import Path
            lines += ["", "## For analysts", ""]
            lines += [f"- [{Path(p).name}]({Path(p).as_uri()}) `{p}`" for p in self.exports]
        if self.timings:
            lines += ["", "## Time per stage", "", "| stage | seconds |", "|---|---:|"]
            lines += [f"| {k} | {v:.2f} |" for k, v in self.timings.items()]
        return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


class IngestFailed(Exception):
    """Raised at the end of a run in which every source failed; carries the result."""

    def __init__(self, result: IngestResult):
        reasons = [s.error for s in result.sources.values() if s.error] + result.errors
        super().__init__(f"{result.flow} failed: " + ("; ".join(reasons) or "nothing ran"))
        self.result = result


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --------------------------------------------------------------------------------------- flows

def _starting_name(flow: str):
    """The flow run's name until the warehouse run exists (then ``_name_run`` renames it)."""
    return lambda: f"{flow} {dt.datetime.now():%Y-%m-%d %H:%M}"


@flow(name="ingest", persist_result=False, log_prints=False,
      task_runner=ThreadPoolTaskRunner(max_workers=CRAWL_WORKERS),
      flow_run_name=_starting_name("ingest"), timeout_seconds=T.RUN_TIMEOUT_S,
      description="Crawl the sources, keep the raw bytes, parse, extract, load and publish.")
def ingest(sources: list[str] | None = None, limit: int | None = None,
           options: dict[str, dict[str, Any]] | None = None, batch_size: int = BATCH_SIZE,
           today: dt.date | None = None):
    """Crawl ``sources`` into the warehouse (default: every registered source that needs no
    options, plus those given options).

    ``options`` maps a source name to keyword options for it (``{"demo": {"base_url": ...}}``);
    ``limit`` caps the documents fetched per source; ``today`` fixes "upcoming" for the summary
    (default: the local date).
    """
    t_start = time.perf_counter()
    log = get_run_logger()
    options = options or {}
    names = list(dict.fromkeys(sources)) if sources else T.default_sources(options)
    result = IngestResult(flow="ingest")
    for stage in ("crawl", "parse", "extract", "load", "publish"):
        result.timings[stage] = 0.0

    wh = open_writer(result, log)
    if wh is None:
        return final_state(result)
    result.run_id = wh.start_run("ingest", {"sources": names, "limit": limit,
                                           "options": _redact(options), "batch_size": batch_size})
    log = _name_run(result, log)
    try:
        _ingest_sources(names, options, limit, batch_size, wh, result, log)
    except BaseException:   # a bug or Ctrl-C: the run is rolled back and recorded as aborted
        T.close_warehouse(wh)
        raise
    finish_run(wh, result, today, t_start, log)
    return final_state(result)


@dataclass
class _SourceRun:
    """One source in an ingest run, from its crawl to the warehouse.

    Bytes the warehouse has never held for this source cannot be unchanged or a moved page, so
    they need no plan: they are parsed, extracted and loaded in batches while the crawl goes on
    (the parse workers are busy while the flow process fetches). Everything else waits for the
    end of the crawl, when the warehouse plans it with the whole crawl in view."""
    name: str
    source: Any
    stats: SourceStats
    known: set[str] = field(default_factory=set)     # sha256 the warehouse holds for this source
    new: list[Any] = field(default_factory=list)      # new bytes waiting for a full batch
    taken: set[tuple[str, str]] = field(default_factory=set)   # (url, sha256) handled as new
    batches: int = 0

    def arrived(self, rec, batch_size: int) -> list[Any] | None:
        """A record the crawl stored; returns a full batch of new bytes when there is one."""
        key = (rec.url, rec.sha256)
        if rec.sha256 in self.known or key in self.taken:   # known bytes, or a retried crawl's repeat
            return None
        self.taken.add(key)
        self.new.append(rec)
        if len(self.new) < batch_size:
            return None
        batch, self.new = self.new, []
        return batch


def _ingest_sources(names, options, limit, batch_size, wh, result: IngestResult, log) -> None:
    """Crawl every source at once. New bytes are processed in batches as they arrive; when a
    source's crawl is done, the warehouse records it, plans the rest and that is processed."""
    version = T.extractor_version()
    # records as the crawls store them (from the crawl threads), and each crawl's future when it ends
    arrivals: queue.SimpleQueue = queue.SimpleQueue()

    runs: dict[str, _SourceRun] = {}
    futures = {}
    for name in names:
        stats = result.sources[name] = SourceStats(name)
        try:
            source = T.make_source(name, options.get(name, {}))
        except Exception as exc:  # unknown source, bad option: this source fails, the others run
            stats.error = T.describe(exc)
            log.error("[%s] cannot start: %s", name, stats.error)
            continue
        runs[name] = _SourceRun(name, source, stats, wh.known_bytes(name))
        on_record = partial(_put_record, arrivals, name)
        fut = T.crawl_source.with_options(task_run_name=f"crawl {name}").submit(
            quote(source), limit, quote(on_record))
        futures[fut] = name
        fut.add_done_callback(arrivals.put)

    crawling = len(futures)
    while crawling:
        item = arrivals.get()
        if isinstance(item, tuple):           # (source name, record): new bytes go on in full batches
            run = runs[item[0]]
            batch = run.arrived(item[1], batch_size)
            if batch:
                run.batches += 1
                _process(run, batch, wh, result, batch_size, log, label=f"new {run.batches}")
            continue
        crawling -= 1                         # a crawl ended: record it, plan the rest, process it
        run = runs[futures[item]]
        todo = _crawl_ended(run, item, wh, result, limit, version, log)
        if todo is not None:
            _process(run, run.new + todo, wh, result, batch_size, log)
            _log_line(log, run.stats)


def _crawl_ended(run: _SourceRun, future, wh, result: IngestResult, limit, version: str, log):
    """Record a source's finished crawl in the warehouse and plan what it brought besides the new
    bytes already taken; returns the records to extract, or None when the crawl failed."""
    stats = run.stats
    value = future.result(raise_on_failure=False)
    if isinstance(value, BaseException) or not isinstance(value, tuple):
        stats.error = T.describe(value) if isinstance(value, BaseException) else \
            (future.state.message or "the crawl task ended without a report")
        log.error("[%s] crawl failed: %s", run.name, stats.error)
        return None
    report, seconds = value
    result.timings["crawl"] += seconds
    try:
        wh.record_crawl(result.run_id, report, complete=limit is None)
    except Exception as exc:
        result.errors.append(f"[{run.name}] could not record the crawl: {T.describe(exc)}")
    stats.fetched = len(report.records)
    stats.new = len(report.new)
    # 404/410 answers are documents that are gone (the warehouse marks them), not failures
    failures = [f for f in report.failures if getattr(f, "status", None) not in (404, 410)]
    stats.fetch_failed = len(failures)
    stats.failures += [f"[{run.name}] {f.url}: {f.reason}" for f in failures]
    _log_failures(log, run.name, [f"{f.url}: {f.reason}" for f in failures])
    if report.failures and not report.records:
        stats.error = f"nothing fetched; {len(report.failures)} failures (first: {report.failures[0].reason})"
    rest = [r for r in report.records if (r.url, r.sha256) not in run.taken]
    todo = wh.plan(result.run_id, run.name, rest, version).extract
    stats.skipped = len(rest) - len(todo)
    return todo


def _put_record(arrivals: queue.SimpleQueue, name: str, rec) -> None:
    arrivals.put((name, rec))


@flow(name="reprocess", persist_result=False, log_prints=False,
      flow_run_name=_starting_name("reprocess"), timeout_seconds=T.RUN_TIMEOUT_S,
      description="Re-extract the raw store with the current extractor version (no network).")
def reprocess(sources: list[str] | None = None, force: bool = False, batch_size: int = BATCH_SIZE,
              today: dt.date | None = None):
    """Parse and extract every raw document again, without network.

    By default a document already extracted with the current ``EXTRACTOR_VERSION`` is skipped
    (after an extractor upgrade nothing is); ``force`` re-extracts everything.
    """
    t_start = time.perf_counter()
    log = get_run_logger()
    result = IngestResult(flow="reprocess")
    for stage in ("parse", "extract", "load", "publish"):
        result.timings[stage] = 0.0
    wh = open_writer(result, log)
    if wh is None:
        return final_state(result)
    result.run_id = wh.start_run("reprocess", {"sources": sources, "force": force})
    log = _name_run(result, log)
    try:
        _reprocess_sources(sources, force, batch_size, wh, result, log)
    except BaseException:
        T.close_warehouse(wh)
        raise
    finish_run(wh, result, today, t_start, log)
    return final_state(result)


def _reprocess_sources(sources, force, batch_size, wh, result: IngestResult, log) -> None:
    from extractors.rawstore import RawStore

    version = T.extractor_version()
    store = RawStore()

    by_source: dict[str, list[Any]] = {}
    for rec in store.iter_records():
        if sources and rec.source not in sources:
            continue
        by_source.setdefault(rec.source, []).append(rec)
    for name in (sources or sorted(by_source)):
        records = by_source.get(name, [])
        stats = result.sources[name] = SourceStats(name, fetched=len(records))
        try:
            source = T.make_source(name, {}, for_parsing=True)
        except Exception as exc:
            stats.error = T.describe(exc)
            log.error("[%s] cannot start: %s", name, stats.error)
            continue
        todo = wh.plan(result.run_id, name, records, version, force=force).extract
        stats.skipped = len(records) - len(todo)
        _process(_SourceRun(name, source, stats), todo, wh, result, batch_size, log)
        _log_line(log, stats)


# ------------------------------------------------------------------------------------- helpers

def _process(run: _SourceRun, records, wh, result: IngestResult, batch_size: int, log,
             label: str | None = None) -> None:
    """parse → extract → load, one batch at a time (memory stays flat however big the source);
    batches are named ``label``, else ``i/n``. A batch that fails stops its source
    (``stats.error``); the other sources go on."""
    name, stats, timings = run.name, run.stats, result.timings
    n = -(-len(records) // batch_size)
    try:
        for i, batch in enumerate(batched(records, batch_size), 1):
            if stats.error:
                return
            which = f"{name} {label or f'{i}/{n}'}"
            parsed, seconds = T.parse_documents.with_options(task_run_name=f"parse {which}")(
                quote(run.source), quote(batch))
            timings["parse"] += seconds
            stats.parsed += len(batch)
            extracted, seconds = T.extract_documents.with_options(task_run_name=f"extract {which}")(
                quote(parsed))
            timings["extract"] += seconds
            stats.extracted += len(extracted.items)
            # documents that failed to parse or extract are loaded with their errors and
            # counted (once) by the load
            load, seconds = T.load_documents.with_options(task_run_name=f"load {which}")(
                quote(wh), result.run_id, quote(extracted.items))
            timings["load"] += seconds
            stats.loaded += load.loaded
            stats.failed += load.failed
            stats.failures += [f"[{name}] {e}" for e in load.errors]
            _log_failures(log, name, [str(e) for e in load.errors])
    except Exception as exc:  # a bug, a full disk, a batch past its time limit: this source stops
        stats.error = T.describe(exc)
        log.error("[%s] failed after %d documents: %s", name, stats.loaded, stats.error)


def open_writer(result: IngestResult, log):
    """The warehouse writer, or None with the reason in the result (another run is writing,
    the schema cannot be migrated): an expected failure, reported without a traceback."""
    from warehouse import WarehouseError

    try:
        wh = T.open_warehouse()
    except WarehouseError as exc:
        result.status = STATUS_FAILED
        result.errors.append(str(exc))
        log.error(str(exc))
        return None
    result.warehouse = str(wh.root)
    return wh


def finish_run(wh, result: IngestResult, today: dt.date | None, t_start: float, log) -> None:
    """Commit the run with its status, publish it for readers, write the summary."""
    bad = [s for s in result.sources.values() if s.error]
    if result.sources and len(bad) == len(result.sources):
        result.status = STATUS_FAILED
    elif bad or result.errors or any(s.failed or s.fetch_failed for s in result.sources.values()):
        result.status = STATUS_PARTIAL
    errors = [f"[{s.name}] {s.error}" for s in bad] + result.errors
    try:
        try:
            summary = wh.finish_run(result.run_id, result.status, errors, today=today)
            T.apply_summary(result, summary, SUMMARY_DEADLINES)
        except Exception as exc:  # the run's loads were rolled back: nothing of it is kept
            result.status = STATUS_FAILED
            result.errors.append(f"the run could not be committed: {T.describe(exc)}")
            log.error(result.errors[-1])
        try:
            result.timings["publish"] = T.publish_warehouse(quote(wh))
        except Exception as exc:  # committed but not visible to readers until the next publish
            if result.status == STATUS_OK:
                result.status = STATUS_PARTIAL
            result.errors.append(f"publish failed (the next run publishes): {T.describe(exc)}")
            log.error(result.errors[-1])
    finally:
        T.close_warehouse(wh)
    result.timings["total"] = time.perf_counter() - t_start
    T.write_outputs(result, today, log)
    T.publish_artifact(result)
    level = {STATUS_OK: logging.INFO, STATUS_PARTIAL: logging.WARNING}.get(result.status, logging.ERROR)
    log.log(level, "%s %s: %d new, %d changed, %d failed; %d extracted, %d loaded in %.1f s",
            result.flow, result.status, result.new, result.changed, result.failed,
            result.extracted, result.loaded, result.timings["total"])


def _log_line(log, stats: SourceStats) -> None:
    """The source's progress line: INFO when all went well, WARNING when some documents failed,
    ERROR when the source failed."""
    level = logging.ERROR if stats.error else \
        logging.WARNING if stats.failed or stats.fetch_failed else logging.INFO
    log.log(level, stats.line())


LOGGED_FAILURES = 20     # document failures logged one by one per batch (all are in the summary)


def _log_failures(log, name: str, failures: list[str]) -> None:
    for f in failures[:LOGGED_FAILURES]:
        log.warning("[%s] %s", name, f)
    if len(failures) > LOGGED_FAILURES:
        log.warning("[%s] … and %d more failed documents in this batch (the run summary lists them)",
                    name, len(failures) - LOGGED_FAILURES)


def _name_run(result: IngestResult, log):
    """Name the Prefect flow run after its day and the warehouse run (known only now); returns the
    run logger under the new name."""
    from prefect.client.orchestration import get_client
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    name = f"{result.flow} {dt.date.today():%Y-%m-%d} run {result.run_id}"
    try:
        with get_client(sync_client=True) as client:
            client.update_flow_run(ctx.flow_run.id, name=name)
        ctx.flow_run.name = name          # log lines from here on carry it too
    except Exception as exc:   # a name is worth a warning, not a run
        log.warning("could not name the flow run %r: %s", name, T.describe(exc))
        return log
    return get_run_logger()


def final_state(result: IngestResult):
    """Completed when everything loaded; a failed state named ``Partial`` when a source or some
    documents failed (the rest is loaded); Failed when nothing could be loaded."""
    if result.status == STATUS_FAILED:
        return Failed(message=str(IngestFailed(result)), data=IngestFailed(result))
    if result.status == STATUS_OK:
        return Completed(message=STATUS_OK, data=result)
    bad = [s.name for s in result.sources.values() if s.error]
    docs = sum(s.failed + s.fetch_failed for s in result.sources.values() if not s.error)
    parts = ([f"source failed: {', '.join(bad)}"] if bad else []) + \
        ([f"{docs} documents failed"] if docs else []) + result.errors[:1]
    return Failed(name="Partial", message="partial: " + "; ".join(parts or ["see the run summary"]),
                  data=result)


def _redact(options: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    secret = ("token", "password", "secret", "key")
    return {src: {k: ("***" if any(s in k.lower() for s in secret) else v) for k, v in opts.items()}
            for src, opts in options.items()}


def run_result(state) -> IngestResult:
    """The :class:`IngestResult` of a finished flow state (also of a failed one)."""
    value = state.result(raise_on_failure=False)
    if isinstance(value, IngestFailed):
        return value.result
    if isinstance(value, IngestResult):
        return value
    if isinstance(value, BaseException):   # the flow could not start (say, WarehouseBusy)
        raise value
    raise RuntimeError(f"the flow ended without a result: {state.message or state.name}")
