"""The nightly run beyond one machine: shards crawl, parse and extract on a work pool; one step
loads and publishes.

::

    sharded_ingest ──plan──> shard(A) ┐  (Prefect work pool: any number of workers, any machines)
                             shard(B) ┤  crawl ─> raw store ─> parse ─> extract ─> results (Parquet)
                             …        ┘
                   ──wait──> load every shard's results ─> publish     (the one warehouse writer)

- A **shard** is a set of sources whose hosts no other shard touches, so politeness (requests per
  host) holds however many workers run. :func:`plan_shards` groups sources that share a host.
- Every worker reaches the same raw store: ``FOERDERRADAR_RAW=s3://bucket/prefix`` (or a shared
  directory). A shard writes its results next to the raw objects, under
  ``_results/<batch>/<shard>.parquet`` (one row per document: raw record, document and extraction
  as JSON) and ``_results/<batch>/<shard>.json`` (the crawl reports and failures).
- Before the shards start, the parent writes the warehouse's known ``(sha256, extractor version,
  url)`` keys to ``_results/<batch>/known.parquet``; a shard extracts only what is not there, as a
  single-process ingest does. Workers need no warehouse and no local state.
- The parent loads the shards' results in one warehouse run (DuckDB's single writer) and
  publishes, like ``ingest``; a shard that failed makes the run partial, the others load.

Deploy ``shard`` on a work pool (``prefect.yaml`` declares it) and run ``sharded_ingest``; see the
README, "When one machine is not enough".
"""
from __future__ import annotations

import datetime as dt
import io
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from prefect import flow, get_run_logger
from prefect.utilities.annotations import quote

from flows import tasks as T
from flows.ingest import (BATCH_SIZE, IngestResult, SourceStats, batched, final_state, finish_run,
                          open_writer)

RESULTS_PREFIX = "_results"
SHARD_DEPLOYMENT = "shard/shard"
POLL_SECONDS = 2.0


# ------------------------------------------------------------------------------------ planning

def source_hosts(source) -> set[str]:
    """The hosts a source may contact (its politeness is per host)."""
    hosts = set(getattr(source, "allowed_hosts", None) or [])
    for url in source.seed_urls():
        hosts.add((urlsplit(url).hostname or "").lower())
    return hosts - {""}


def plan_shards(sources: dict[str, Any], n_shards: int) -> list[list[str]]:
    """Sources grouped into at most ``n_shards`` shards; sources that share a host always share a
    shard. Groups are dealt largest first to the emptiest shard."""
    groups: list[tuple[set[str], list[str]]] = []
    for name, source in sources.items():
        hosts = source_hosts(source)
        joined = [g for g in groups if g[0] & hosts]
        merged = (hosts.union(*(g[0] for g in joined)), [n for g in joined for n in g[1]] + [name])
        groups = [g for g in groups if g not in joined] + [merged]
    shards: list[list[str]] = [[] for _ in range(max(1, min(n_shards, len(groups))))]
    for _hosts, names in sorted(groups, key=lambda g: (-len(g[1]), g[1])):
        min(shards, key=len).extend(sorted(names))
    return [sorted(s) for s in shards if s]


# --------------------------------------------------------------------------------- result files

def _store():
    from extractors.rawstore import RawStore
    return RawStore()


def _write(key: str, data: bytes) -> None:
    _store().storage.write_atomic(key, data)


def _parquet(rows: dict[str, list]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table(rows), buf, compression="zstd")
    return buf.getvalue()


def _read_parquet(key: str):
    import pyarrow.parquet as pq
    return pq.read_table(io.BytesIO(_store().storage.read(key)))


def write_known(batch: str, keys: set[tuple[str, str, str]]) -> str:
    """The warehouse's (sha256, version, url) keys for the shards of ``batch``; returns the key."""
    key = f"{RESULTS_PREFIX}/{batch}/known.parquet"
    keys = sorted(keys)
    _write(key, _parquet({"sha256": [k[0] for k in keys], "version": [k[1] for k in keys],
                          "url": [k[2] for k in keys]}))
    return key


def read_known(batch: str) -> tuple[set[tuple[str, str]], set[tuple[str, str, str]]]:
    """(sha256, version) and (url, sha256, version) sets of the keys the parent wrote."""
    t = _read_parquet(f"{RESULTS_PREFIX}/{batch}/known.parquet").to_pydict()
    rows = list(zip(t["sha256"], t["version"], t["url"]))
    return {(s, v) for s, v, _ in rows}, {(u, s, v) for s, v, u in rows}


def shard_keys(batch: str, shard_name: str) -> dict[str, str]:
    """Where a shard writes its documents and its crawl reports."""
    return {"results_key": f"{RESULTS_PREFIX}/{batch}/{shard_name}.parquet",
            "reports_key": f"{RESULTS_PREFIX}/{batch}/{shard_name}.json"}


@dataclass
class ShardResult:
    """What a shard reports back to the parent (small: the documents lie in the result file)."""
    shard: str
    results_key: str
    reports_key: str
    documents: int
    seconds: float


# ---------------------------------------------------------------------------------- the flows

@flow(name="shard", persist_result=False, log_prints=False,
      description="Crawl, parse and extract one shard's sources; write the results next to the raw store.")
def shard(batch: str, shard_name: str, sources: list[str],
          options: dict[str, dict[str, Any]] | None = None, limit: int | None = None,
          batch_size: int = BATCH_SIZE, extractor_version: str | None = None) -> dict:
    """One shard of a sharded night: its sources are crawled one after the other, their new
    documents parsed and extracted; results go to ``_results/<batch>/<shard_name>.parquet``."""
    from extractors.crawl import CrawlReport  # noqa: F401 - the reports' type

    log = get_run_logger()
    t0 = time.perf_counter()
    options = options or {}
    version = T.extractor_version()
    if extractor_version and version != extractor_version:
        raise RuntimeError(
            f"this worker extracts with {version}, the run with {extractor_version}: install the same "
            "foerderradar version and load the same municipal register on every worker")
    known, at = read_known(batch)
    columns: dict[str, list] = {"source": [], "raw": [], "document": [], "extraction": []}
    reports: dict[str, Any] = {}
    for name in sources:
        entry: dict[str, Any] = {"error": None, "report": None, "failures": []}
        reports[name] = entry
        try:
            source = T.make_source(name, options.get(name, {}))
            report, _seconds = T.crawl_source(quote(source), limit)
        except Exception as exc:
            entry["error"] = T.describe(exc)
            log.error("[%s] %s", name, entry["error"])
            continue
        entry["report"] = report.to_dict()
        todo = [r for r in report.records
                if (r.sha256, version) not in known or (r.url, r.sha256, version) not in at]
        entry["skipped"] = len(report.records) - len(todo)
        for chunk in batched(todo, batch_size):
            parsed, _ = T.parse_documents(quote(source), quote(chunk))
            extracted, _ = T.extract_documents(quote(parsed))
            entry["failures"] += extracted.failures
            for item in extracted.items:
                columns["source"].append(name)
                columns["raw"].append(json.dumps(item.raw.to_dict(), ensure_ascii=False))
                columns["document"].append(item.document.model_dump_json())
                columns["extraction"].append(item.extraction.model_dump_json())
        log.info("[%s] %d documents extracted, %d unchanged", name,
                 len(todo), entry["skipped"])
    results_key, reports_key = shard_keys(batch, shard_name).values()
    _write(results_key, _parquet(columns))
    _write(reports_key, json.dumps(reports, ensure_ascii=False).encode("utf-8"))
    _store().flush()
    return ShardResult(shard_name, results_key, reports_key, len(columns["raw"]),
                       time.perf_counter() - t0).__dict__


@flow(name="sharded_ingest", persist_result=False, log_prints=False,
      description="The nightly run on a work pool: shards crawl, parse and extract; one step loads and publishes.")
def sharded_ingest(sources: list[str] | None = None, shards: int = 2,
                   options: dict[str, dict[str, Any]] | None = None, limit: int | None = None,
                   batch_size: int = BATCH_SIZE, deployment: str = SHARD_DEPLOYMENT,
                   today: dt.date | None = None, shard_timeout: float = 6 * 3600):
    """Plan shards, start them on the work pool of ``deployment``, wait, then load every shard's
    results into the warehouse in one run and publish. Returns the run's :class:`IngestResult`."""
    log = get_run_logger()
    t_start = time.perf_counter()
    options = options or {}
    names = list(dict.fromkeys(sources)) if sources else T.default_sources(options)
    result = IngestResult(flow="sharded_ingest")
    for stage in ("shards", "load", "publish"):
        result.timings[stage] = 0.0
    built = {}
    for name in names:
        try:
            built[name] = T.make_source(name, options.get(name, {}))
        except Exception as exc:
            result.sources[name] = SourceStats(name, error=T.describe(exc))
    plan = plan_shards(built, shards)

    wh = open_writer(result, log)
    if wh is None:
        return final_state(result)
    batch = f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    result.run_id = wh.start_run("sharded_ingest", {"sources": names, "shards": plan, "batch": batch,
                                                   "limit": limit})
    try:
        write_known(batch, {(s, v, u) for u, s, v in T.published_keys(wh)})
        t = time.perf_counter()
        finished = run_shards(batch, plan, options, limit, batch_size, deployment, shard_timeout, log)
        result.timings["shards"] = time.perf_counter() - t
        for i, names_in_shard in enumerate(plan):
            load_shard(wh, result, names_in_shard, finished.get(f"shard-{i + 1}"), batch_size, log,
                       complete=limit is None)
    except BaseException:
        T.close_warehouse(wh)
        raise
    finish_run(wh, result, today, t_start, log)
    return final_state(result)


def run_shards(batch: str, plan: list[list[str]], options, limit, batch_size, deployment: str,
               timeout: float, log) -> dict[str, dict | str]:
    """Start one flow run of ``deployment`` per shard and wait for all of them. Returns
    shard name -> the keys of its results (:func:`shard_keys`), or the reason it failed."""
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment

    started = {}
    for i, names in enumerate(plan):
        shard_name = f"shard-{i + 1}"
        run = run_deployment(
            name=deployment, timeout=0, flow_run_name=f"{batch} {shard_name}",
            parameters={"batch": batch, "shard_name": shard_name, "sources": names,
                        "options": {n: options[n] for n in names if n in options},
                        "limit": limit, "batch_size": batch_size,
                        "extractor_version": T.extractor_version()})
        started[shard_name] = run.id
        log.info("%s started: %s (flow run %s)", shard_name, ", ".join(names), run.id)
    out: dict[str, dict | str] = {}
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while len(out) < len(started):
            for shard_name, run_id in started.items():
                if shard_name in out:
                    continue
                run = client.read_flow_run(run_id)
                if run.state and run.state.is_final():
                    if run.state.is_completed():      # its results lie in the raw store
                        out[shard_name] = shard_keys(batch, shard_name)
                    else:
                        out[shard_name] = f"{run.state.name}: {run.state.message or 'no message'}"
                    log.info("%s: %s", shard_name, run.state.name)
            if len(out) < len(started):
                if time.monotonic() > deadline:
                    for shard_name in set(started) - set(out):
                        out[shard_name] = f"did not finish within {timeout:g} s"
                    break
                time.sleep(POLL_SECONDS)
    return out


def load_shard(wh, result: IngestResult, names: list[str], outcome, batch_size: int, log, *,
               complete: bool = True) -> None:
    """Record the crawls of one shard's sources and load its documents (in batches), as
    ``ingest`` does: the warehouse's planner counts the unchanged documents and moves those whose
    page moved; of the shard's extractions only those it plans to extract are loaded.
    ``complete=False`` for crawls cut short on purpose (``--limit``): nothing unseen is gone."""
    from extractors.crawl import CrawlReport
    from extractors.rawstore import RawRecord
    from models.records import Document, Extraction
    from warehouse import LoadItem

    if not isinstance(outcome, dict):
        for name in names:
            result.sources.setdefault(name, SourceStats(name)).error = f"shard failed: {outcome}"
        log.error("shard with %s failed: %s", ", ".join(names), outcome)
        return
    t = time.perf_counter()
    version = T.extractor_version()
    reports = json.loads(_store().storage.read(outcome["reports_key"]))
    wanted: dict[str, set[tuple[str, str]]] = {}
    for name in names:
        stats = result.sources.setdefault(name, SourceStats(name))
        entry = reports.get(name) or {"error": "the shard did not report this source"}
        if entry.get("error"):
            stats.error = entry["error"]
            continue
        report = CrawlReport.from_dict(entry["report"])
        wh.record_crawl(result.run_id, report, complete=complete)
        todo = wh.plan(result.run_id, name, report.records, version).extract
        wanted[name] = {(r.url, r.sha256) for r in todo}
        stats.fetched, stats.new = len(report.records), len(report.new)
        stats.fetch_failed = len(report.failures)
        stats.failures += [f"[{name}] {f.url}: {f.reason}" for f in report.failures]
        stats.failures += [f"[{name}] {f}" for f in entry.get("failures", [])]
        stats.skipped = len(report.records) - len(todo)
    table = _read_parquet(outcome["results_key"]).to_pydict()
    by_source: dict[str, list[tuple[str, str, str]]] = {}
    for name, raw, doc, ext in zip(table["source"], table["raw"], table["document"], table["extraction"]):
        r = json.loads(raw)
        if (r.get("url"), r.get("sha256")) in wanted.get(name, ()):   # not moved, not unchanged
            by_source.setdefault(name, []).append((raw, doc, ext))
    for name, rows in by_source.items():
        stats = result.sources[name]
        for chunk in batched(rows, batch_size):
            items = [LoadItem(RawRecord.from_dict(json.loads(r)), Document.model_validate_json(d),
                              Extraction.model_validate_json(e)) for r, d, e in chunk]
            load, _ = T.load_documents(quote(wh), result.run_id, quote(items))
            stats.parsed += len(chunk)
            stats.extracted += len(chunk)
            stats.loaded += load.loaded
            stats.failed += load.failed
            stats.failures += [f"[{name}] {e}" for e in load.errors]
    result.timings["load"] += time.perf_counter() - t
    for name in names:
        log.info(result.sources[name].line())
