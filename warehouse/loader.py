"""The warehouse writer: runs, idempotent loads, history of versions and field-level changes.

One ``Warehouse`` per process holds the writer lock and the private working database (see
``publish.py`` for the file layout). A run is one transaction::

    wh = Warehouse()                      # lock, migrate, views, mark dead runs aborted
    run = wh.start_run("ingest", {...})   # runs row committed, then BEGIN
    wh.record_crawl(run, report)          # fetches, crawls, sources
    wh.load(run, items)                   # any number of batches (Arrow inserts)
    summary = wh.finish_run(run, "success", errors)   # COMMIT
    wh.publish()                          # snapshot for readers
    wh.close()

Idempotent: an item whose (url, sha256, extractor_version) is already the document's current
extraction changes nothing. Same url with new content becomes a new version; the same content with
a new extractor version becomes a new extraction of the same version. In both cases the field-level
differences to the previous extraction land in ``changes``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlparse

import duckdb
import pyarrow as pa

from extractors.version import EXTRACTOR_VERSION
from models.records import Document, Extraction

from . import migrate as _migrate
from .assemble import Assembly, assemble
from .programmes import ProgrammeIndex, programme_id_for
from .publish import (KEEP_SNAPSHOTS, WORK_DB, WORK_DIR, WarehouseError, WriterLock,
                      collect_garbage, publish_file, resolve_dir)

UPCOMING_DAYS = 60
SUMMARY_MAX_ROWS = 50
RUN_STATUSES = ("success", "partial", "failed")
CENT = Decimal("0.01")


@dataclass
class LoadItem:
    """One document to load: its raw record (None when loaded from a file), parse and extraction."""
    raw: Any | None                 # extractors.rawstore.RawRecord (duck-typed)
    document: Document
    extraction: Extraction


@dataclass
class LoadStats:
    run_id: str
    items: int = 0
    new_documents: int = 0
    new_versions: int = 0
    reextracted: int = 0
    unchanged: int = 0
    failed: int = 0
    changes: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def loaded(self) -> int:
        return self.new_documents + self.new_versions + self.reextracted


@dataclass
class RunSummary:
    run_id: str
    flow: str
    status: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    new: int                        # new documents
    changed: int                    # new versions of known documents
    reextracted: int
    unchanged: int
    failed: int
    errors: list[str]
    upcoming_deadlines: list[dict]  # programme, date, kind, subject, url (next UPCOMING_DAYS days)
    changes: list[dict]             # programme, field, aspect, change, old_value, new_value, url
    n_changes: int = 0

    def to_markdown(self) -> str:
        dur = ""
        if self.started_at and self.finished_at:
            dur = f" in {(self.finished_at - self.started_at).total_seconds():.1f} s"
        out = [f"# foerderradar run `{self.run_id}` ({self.flow}): **{self.status}**{dur}", "",
               "| new documents | changed | re-extracted | unchanged | failed | field changes |",
               "|---:|---:|---:|---:|---:|---:|",
               f"| {self.new} | {self.changed} | {self.reextracted} | {self.unchanged} | "
               f"{self.failed} | {self.n_changes} |", ""]
        if self.changes:
            out += [f"## Changes ({self.n_changes})", "",
                    "| programme | field | aspect | change | old | new | document |",
                    "|---|---|---|---|---|---|---|"]
            out += [f"| {_md(c['programme'])} | {c['field']} | {_md(c['aspect'])} | {c['change']} "
                    f"| {_md(c['old_value'])} | {_md(c['new_value'])} | {_md(c['url'])} |"
                    for c in self.changes]
            out.append("")
        if self.upcoming_deadlines:
            out += [f"## Deadlines in the next {UPCOMING_DAYS} days", "",
                    "| date | programme | kind | subject | document |", "|---|---|---|---|---|"]
            out += [f"| {d['date']} | {_md(d['programme'])} | {d['kind']} | {_md(d['subject'])} "
                    f"| {_md(d['url'])} |" for d in self.upcoming_deadlines]
            out.append("")
        if self.errors:
            out += [f"## Errors ({len(self.errors)})", ""]
            out += [f"- {_md(e)}" for e in self.errors[:SUMMARY_MAX_ROWS]]
            out.append("")
        return "\n".join(out)


def _md(v) -> str:
    return "" if v is None else str(v).replace("|", "\\|").replace("\n", " ")


def _h(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _ts(value) -> dt.datetime | None:
    """ISO string / datetime -> naive UTC datetime."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        d = value
    else:
        try:
            d = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    if d.tzinfo is not None:
        d = d.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return d


def _eur(v: Decimal | None) -> Decimal | None:
    if v is None:
        return None
    try:
        return Decimal(v).quantize(CENT)
    except Exception:
        return None


def _fmt_eur(value, low=None) -> str:
    v = f"{Decimal(value):.2f}" if value is not None else "?"
    return f"{Decimal(low):.2f}–{v}" if low is not None else v


def _deadline_value(date, duration, kind) -> str:
    if date is not None:
        return date.isoformat() if hasattr(date, "isoformat") else str(date)
    return duration or kind or "?"


def _muni_value(name, ags) -> tuple[str, str]:
    key = ags or (name or "").casefold()
    return key, f"{name} ({ags})" if ags else (name or "")


class Warehouse:
    """The single writer of a warehouse directory."""

    def __init__(self, path: str | Path | None = None, *, keep_snapshots: int = KEEP_SNAPSHOTS):
        self.root = resolve_dir(path)
        self.keep_snapshots = keep_snapshots
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock = WriterLock(self.root)
        self._lock.acquire()
        self._mutex = threading.RLock()
        self._run: str | None = None
        self._run_stats: dict[str, int] = defaultdict(int)
        self._run_errors: list[str] = []
        self.con = None
        try:
            self.work_db = self.root / WORK_DIR / WORK_DB
            self.work_db.parent.mkdir(parents=True, exist_ok=True)
            try:
                self.con = duckdb.connect(str(self.work_db))
            except duckdb.Error as exc:
                raise WarehouseError(f"cannot open the working database {self.work_db}: {exc}. "
                                     "Readers must use warehouse.connect(), never this file"
                                     ) from None
            self.migrations_applied = _migrate.migrate(self.con)
            self.con.execute("CREATE OR REPLACE MACRO fr_today() AS current_date")
            _migrate.create_views(self.con)
            self._abort_dead_runs()
            self._load_index()
        except BaseException:
            if self.con is not None:
                self.con.close()
            self._lock.release()
            raise

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        with self._mutex:
            if self.con is None:
                return
            try:
                if self._run is not None:
                    self.abort_run(self._run, "the warehouse was closed before finish_run")
            finally:
                self.con.close()
                self.con = None
                self._lock.release()

    def _abort_dead_runs(self) -> None:
        """Runs still 'running' belong to a dead writer (we hold the lock): their load was
        rolled back with their transaction; say so."""
        self.con.execute(
            "UPDATE runs SET status = 'aborted', finished_at = ?, errors = list_append("
            "coalesce(errors, []::VARCHAR[]), 'the writer died before finish_run; its load was "
            "rolled back') WHERE status = 'running'", [_utcnow()])

    def _load_index(self) -> None:
        progs = self.con.execute("SELECT programme_id, name FROM programmes "
                                 "WHERE programme_id NOT IN (SELECT programme_id FROM "
                                 "programme_mentions WHERE inferred) ORDER BY first_seen_at, "
                                 "programme_id").fetchall()
        aliases = self.con.execute("SELECT programme_id, alias FROM programme_aliases").fetchall()
        self.index = ProgrammeIndex.from_rows(progs, aliases)
        for (pid, name) in self.con.execute(
                "SELECT DISTINCT p.programme_id, p.name FROM programmes p JOIN programme_mentions m "
                "USING (programme_id) WHERE m.inferred").fetchall():
            self.index.names[pid] = name

    def _check_run(self, run_id: str) -> None:
        if self.con is None:
            raise WarehouseError("the warehouse is closed")
        if self._run is None:
            raise WarehouseError(f"run {run_id} is not open: call start_run() first")
        if run_id != self._run:
            raise WarehouseError(f"run {run_id} is not the open run ({self._run})")

    # ------------------------------------------------------------------ runs
    def start_run(self, flow: str, params: dict | None = None) -> str:
        with self._mutex:
            if self.con is None:
                raise WarehouseError("the warehouse is closed")
            if self._run is not None:
                raise WarehouseError(f"run {self._run} is still open: finish_run() it first")
            now = _utcnow()
            run_id = f"{now:%Y%m%dT%H%M%S}Z-{hashlib.sha1(str(time.time_ns()).encode()).hexdigest()[:4]}"
            self.con.execute(
                "INSERT INTO runs (run_id, flow, params, started_at, status, errors) "
                "VALUES (?, ?, ?, ?, 'running', []::VARCHAR[])",
                [run_id, flow, json.dumps(params or {}, default=str, ensure_ascii=False), now])
            self.con.execute("BEGIN TRANSACTION")
            self._run = run_id
            self._run_stats = defaultdict(int)
            self._run_errors = []
            return run_id

    def abort_run(self, run_id: str, reason: str) -> None:
        """Roll the run's loads back and record it as aborted."""
        with self._mutex:
            self._check_run(run_id)
            self.con.execute("ROLLBACK")
            self._run = None
            self.con.execute(
                "UPDATE runs SET status = 'aborted', finished_at = ?, errors = list_append("
                "coalesce(errors, []::VARCHAR[]), ?) WHERE run_id = ?", [_utcnow(), reason, run_id])
            self._load_index()

    def finish_run(self, run_id: str, status: str = "success", errors: Iterable[str] | None = None,
                   *, today: dt.date | None = None) -> RunSummary:
        """Commit the run. ``status``: success | partial | failed (loaded data is kept either
        way: every loaded document is complete). ``today`` dates the summary's deadlines."""
        if status not in RUN_STATUSES:
            raise WarehouseError(f"status must be one of {', '.join(RUN_STATUSES)}, not {status!r}")
        with self._mutex:
            self._check_run(run_id)
            errs = self._run_errors + [str(e) for e in (errors or [])]
            s = self._run_stats
            try:
                self.con.execute(
                    "UPDATE runs SET finished_at = ?, status = ?, errors = ?, new_documents = ?, "
                    "new_versions = ?, reextracted = ?, unchanged = ?, failed = failed + ?, "
                    "changes = ?, extractor_version = coalesce(?, extractor_version) "
                    "WHERE run_id = ?",
                    [_utcnow(), status, errs, s["new_documents"], s["new_versions"],
                     s["reextracted"], s["unchanged"], s["failed"], s["changes"],
                     self._run_ev if s["loaded"] else None, run_id])
                self.con.execute("COMMIT")
            except duckdb.Error as exc:
                self._fail_run(run_id, exc)
            self._run = None
            return self.summary(run_id, today=today)

    def summary(self, run_id: str, *, today: dt.date | None = None) -> RunSummary:
        """The summary of a finished run (counts, its changes, upcoming deadlines)."""
        with self._mutex:
            row = self.con.execute(
                "SELECT flow, status, started_at, finished_at, new_documents, new_versions, "
                "reextracted, unchanged, failed, errors, changes FROM runs WHERE run_id = ?",
                [run_id]).fetchall()
            row = row[0] if row else None
            if row is None:
                raise WarehouseError(f"no run {run_id} in the warehouse")
            day = today or dt.date.today()
            changes = self.con.execute(
                "SELECT coalesce(p.name, c.programme_name), c.field, c.aspect, c.change, "
                "c.old_value, c.new_value, c.url FROM changes c LEFT JOIN programmes p "
                "USING (programme_id) WHERE c.run_id = ? ORDER BY c.url, c.field, c.aspect "
                f"LIMIT {SUMMARY_MAX_ROWS}", [run_id]).fetchall()
            deadlines = self.con.execute(
                "SELECT d.date, coalesce(p.name, r.programme_name), d.kind, d.subject, doc.url "
                "FROM documents doc JOIN deadlines d ON d.extraction_id = doc.current_extraction_id "
                "JOIN records r ON r.record_id = d.record_id LEFT JOIN programmes p "
                "ON p.programme_id = d.programme_id WHERE d.date BETWEEN ? AND ? "
                f"ORDER BY d.date, 2 LIMIT {SUMMARY_MAX_ROWS}",
                [day, day + dt.timedelta(days=UPCOMING_DAYS)]).fetchall()
            keys = ("programme", "field", "aspect", "change", "old_value", "new_value", "url")
            return RunSummary(
                run_id=run_id, flow=row[0], status=row[1], started_at=row[2], finished_at=row[3],
                new=row[4] or 0, changed=row[5] or 0, reextracted=row[6] or 0,
                unchanged=row[7] or 0, failed=row[8] or 0, errors=list(row[9] or []),
                n_changes=row[10] or 0,
                changes=[dict(zip(keys, c)) for c in changes],
                upcoming_deadlines=[dict(zip(("date", "programme", "kind", "subject", "url"), d))
                                    for d in deadlines])

    def _fail_run(self, run_id: str, exc: Exception):
        """A database error inside the run transaction: roll the run back, record, raise."""
        try:
            self.con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        self._run = None
        self.con.execute(
            "UPDATE runs SET status = 'failed', finished_at = ?, errors = list_append("
            "coalesce(errors, []::VARCHAR[]), ?) WHERE run_id = ?",
            [_utcnow(), f"database error, run rolled back: {exc}", run_id])
        self._load_index()
        raise WarehouseError(f"loading run {run_id} failed and was rolled back: {exc}") from exc

    # ------------------------------------------------------------------ reads for the flows
    def known_keys(self) -> set[tuple[str, str]]:
        """(sha256, extractor_version) of every document's current extraction: the flows skip
        extraction for these (a reverted document is not among them, so it is reloaded)."""
        with self._mutex:
            return {(s, v) for s, v in self.con.execute(
                "SELECT e.sha256, e.extractor_version FROM documents d JOIN extractions e "
                "ON e.extraction_id = d.current_extraction_id").fetchall()}

    def known(self, sha256: str, extractor_version: str, url: str | None = None) -> bool:
        with self._mutex:
            sql = ("SELECT count(*) FROM documents d JOIN extractions e ON e.extraction_id = "
                   "d.current_extraction_id WHERE e.sha256 = ? AND e.extractor_version = ?")
            args = [sha256, extractor_version]
            if url is not None:
                sql += " AND d.url = ?"
                args.append(url)
            # fetchall, not fetchone: DuckDB 2 keeps a half-read result open on the connection,
            # and the run's next statement fails with "unfinished result"
            return self.con.execute(sql, args).fetchall()[0][0] > 0

    # ------------------------------------------------------------------ writes
    def _insert(self, table: str, rows: list[dict]) -> int:
        if not rows:
            return 0
        tmp = f"_in_{table}"
        self.con.register(tmp, pa.Table.from_pylist(rows))
        try:
            self.con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {tmp}")
        finally:
            self.con.unregister(tmp)
        return len(rows)

    def record_crawl(self, run_id: str, report) -> None:
        """Record one source's crawl: sources, crawls and fetches (any object with attributes
        source, records, failures, requests, not_modified; new and unchanged optional)."""
        with self._mutex:
            self._check_run(run_id)
            now = _utcnow()
            source = str(getattr(report, "source"))
            records = list(getattr(report, "records", None) or [])
            failures = list(getattr(report, "failures", None) or [])
            fetches = [{
                "run_id": run_id, "source": _get(r, "source") or source, "url": _get(r, "url"),
                "final_url": _get(r, "final_url"), "status": _get(r, "status"),
                "outcome": "fetched", "reason": None, "fetched_at": _ts(_get(r, "fetched_at")),
                "sha256": _get(r, "sha256"), "content_type": _get(r, "content_type"),
                "size": _get(r, "size"), "path": _get(r, "path")} for r in records]
            fetches += [{
                "run_id": run_id, "source": source, "url": str(_get(f, "url") or ""),
                "final_url": None, "status": _get(f, "status"), "outcome": "failed",
                "reason": str(_get(f, "reason") or ""), "fetched_at": now, "sha256": None,
                "content_type": None, "size": None, "path": None} for f in failures]
            new = getattr(report, "new", None)
            try:
                self._insert("fetches", fetches)
                self._insert("crawls", [{
                    "run_id": run_id, "source": source, "documents": len(records),
                    "new": len(new) if new is not None else None,
                    "unchanged": getattr(report, "unchanged", None), "failures": len(failures),
                    "requests": getattr(report, "requests", None),
                    "not_modified": getattr(report, "not_modified", None), "recorded_at": now}])
                self._touch_sources(run_id, [source], now)
            except duckdb.Error as exc:
                self._fail_run(run_id, exc)
            self._run_stats["failed"] += len(failures)

    def _touch_sources(self, run_id: str, sources: Iterable[str], now: dt.datetime) -> None:
        names = sorted({s for s in sources if s})
        if not names:
            return
        self.con.execute(
            "UPDATE sources SET last_run_id = ?, last_seen_at = ? WHERE source IN "
            "(SELECT unnest(?::VARCHAR[]))", [run_id, now, names])
        self.con.execute(
            "INSERT INTO sources SELECT s, ?, ?, ?, ? FROM (SELECT unnest(?::VARCHAR[]) AS s) "
            "WHERE s NOT IN (SELECT source FROM sources)", [run_id, run_id, now, now, names])

    def load_register(self, rows: Iterable) -> int:
        """Replace the municipal register (dicts or objects with ags, name and optionally type,
        level, parent_ags, land, population)."""
        now = _utcnow()
        table = [{"ags": str(_get(r, "ags")), "name": str(_get(r, "name")),
                  "type": _get(r, "type"), "level": _get(r, "level"),
                  "parent_ags": _get(r, "parent_ags"), "land": _get(r, "land"),
                  "population": _get(r, "population"), "loaded_at": now}
                 for r in rows if _get(r, "ags") and _get(r, "name")]
        with self._mutex:
            own_tx = self._run is None
            if own_tx:
                self.con.execute("BEGIN TRANSACTION")
            try:
                self.con.execute("DELETE FROM municipalities")
                self._insert("municipalities", table)
                if own_tx:
                    self.con.execute("COMMIT")
            except duckdb.Error as exc:
                if own_tx:
                    self.con.execute("ROLLBACK")
                    raise WarehouseError(f"loading the municipal register failed: {exc}") from exc
                self._fail_run(self._run, exc)
        return len(table)

    # ------------------------------------------------------------------ load
    def load(self, run_id: str, items: list[LoadItem]) -> LoadStats:
        """Load a batch of documents (Arrow inserts, inside the run's transaction)."""
        with self._mutex:
            self._check_run(run_id)
            t0 = time.perf_counter()
            stats = LoadStats(run_id=run_id, items=len(items))
            try:
                rows, updates, sources = self._build(run_id, items, stats)
                for table in ("document_versions", "extractions", "programmes",
                              "programme_aliases", "records", "programme_mentions", "amounts",
                              "deadlines", "dates", "municipality_mentions", "changes",
                              "documents"):
                    stats.rows[table] = self._insert(table, rows[table])
                if updates:
                    self.con.register("_upd_documents", pa.Table.from_pylist(updates))
                    try:
                        self.con.execute(
                            "UPDATE documents SET current_version_id = u.current_version_id, "
                            "current_extraction_id = u.current_extraction_id, "
                            "versions = u.versions, last_run_id = u.last_run_id, "
                            "updated_at = u.updated_at FROM _upd_documents u "
                            "WHERE documents.document_id = u.document_id")
                    finally:
                        self.con.unregister("_upd_documents")
                self._touch_sources(run_id, sources, _utcnow())
            except duckdb.Error as exc:
                self._fail_run(run_id, exc)
            for k in ("new_documents", "new_versions", "reextracted", "unchanged", "failed",
                      "changes"):
                self._run_stats[k] += getattr(stats, k)
            self._run_stats["loaded"] += stats.loaded
            self._run_errors.extend(stats.errors)
            stats.seconds = time.perf_counter() - t0
            return stats

    def _state(self, urls: list[str]) -> dict[str, dict]:
        if not urls:
            return {}
        self.con.register("_urls", pa.table({"url": urls}))
        try:
            res = self.con.execute(
                "SELECT d.url, d.document_id, d.current_version_id, d.current_extraction_id, "
                "d.versions, v.sha256, list(e.extractor_version) FROM documents d "
                "JOIN document_versions v ON v.version_id = d.current_version_id "
                "LEFT JOIN extractions e ON e.version_id = d.current_version_id "
                "WHERE d.url IN (SELECT url FROM _urls) "
                "GROUP BY ALL").fetchall()
        finally:
            self.con.unregister("_urls")
        return {u: {"document_id": did, "version_id": vid, "extraction_id": eid,
                    "versions": n, "sha256": sha, "evs": set(evs or [])}
                for u, did, vid, eid, n, sha, evs in res}

    def _previous(self, extraction_ids: list[str]) -> dict[str, dict]:
        """Fingerprints (see _fingerprint) of extractions stored in the database."""
        out: dict[str, dict] = {e: {} for e in extraction_ids}
        if not extraction_ids:
            return out
        self.con.register("_prev", pa.table({"eid": extraction_ids}))
        try:
            q = "WHERE extraction_id IN (SELECT eid FROM _prev)"
            for eid, pid, name in self.con.execute(
                    f"SELECT extraction_id, programme_id, programme_name FROM records {q}").fetchall():
                out[eid][pid] = {"name": name, "deadline": [], "amount": [], "municipality": []}
            for eid, pid, kind, subject, date, duration, snip in self.con.execute(
                    "SELECT extraction_id, programme_id, kind, subject, date, duration, snippet "
                    f"FROM deadlines {q}").fetchall():
                out[eid].setdefault(pid, _fp_empty(None))["deadline"].append(
                    (f"{kind}/{subject or '-'}", _deadline_value(date, duration, kind), snip))
            for eid, pid, role, unit, value, low, snip in self.con.execute(
                    "SELECT extraction_id, programme_id, role, unit, value_eur, low_eur, snippet "
                    f"FROM amounts {q}").fetchall():
                out[eid].setdefault(pid, _fp_empty(None))["amount"].append(
                    (f"{role}/{unit}", _fmt_eur(value, low), snip))
            for eid, pid, name, ags, snip in self.con.execute(
                    "SELECT extraction_id, programme_id, name, ags, snippet "
                    f"FROM municipality_mentions {q}").fetchall():
                key, val = _muni_value(name, ags)
                out[eid].setdefault(pid, _fp_empty(None))["municipality"].append((key, val, snip))
        finally:
            self.con.unregister("_prev")
        return out

    def _build(self, run_id: str, items: list[LoadItem], stats: LoadStats):
        now = _utcnow()
        rows: dict[str, list[dict]] = defaultdict(list)
        updates: dict[str, dict] = {}
        sources: set[str] = set()
        keyed = []
        for n, item in enumerate(items):
            try:
                keyed.append((item, *_item_keys(item)))
            except Exception as exc:   # malformed item: skip it, keep the batch
                stats.failed += 1
                stats.errors.append(f"item {n}: cannot load ({exc})")
        state = self._state(sorted({k[1] for k in keyed}))
        prev_db = self._previous(sorted({s["extraction_id"] for s in state.values()
                                         if s["extraction_id"]}))
        fingerprints: dict[str, dict] = dict(prev_db)     # extraction id -> fingerprint
        for item, url, sha, ev, source in keyed:
            st = state.get(url)
            if st is None:
                kind_of_load = "new_document"
                document_id = _h(url)
                version_no = 1
            elif st["sha256"] == sha:
                if ev in st["evs"]:
                    stats.unchanged += 1
                    continue
                kind_of_load = "reextracted"
                document_id = st["document_id"]
                version_no = st["versions"]
            else:
                kind_of_load = "new_version"
                document_id = st["document_id"]
                version_no = st["versions"] + 1
            if kind_of_load == "reextracted":
                version_id = st["version_id"]
            else:
                version_id = _h(url, sha, str(version_no))
            extraction_id = _h(version_id, ev)
            try:
                self.index.context = extraction_id
                asm = assemble(item.document, item.extraction, self.index.resolve,
                               lambda title, d=document_id: self._inferred(d, title))
                item_rows = self._rows(run_id, now, item, asm, url=url, sha=sha, ev=ev,
                                       source=source, document_id=document_id,
                                       version_id=version_id, extraction_id=extraction_id,
                                       version_no=version_no, kind_of_load=kind_of_load,
                                       previous_version_id=st["version_id"] if st else None)
            except Exception as exc:   # one bad extraction never fails the batch
                stats.failed += 1
                stats.errors.append(f"{url}: cannot assemble the extraction ({exc})")
                continue
            fp = _fingerprint(asm)
            fingerprints[extraction_id] = fp
            if st is not None:
                cause = "reextracted" if kind_of_load == "reextracted" else "new_version"
                old = fingerprints.get(st["extraction_id"], {})
                ch = _diff(old, fp)
                for i, c in enumerate(ch):
                    c.update(change_id=_h(extraction_id, "c", str(i)), run_id=run_id,
                             document_id=document_id, url=url, old_version_id=st["version_id"],
                             new_version_id=version_id, old_extraction_id=st["extraction_id"],
                             new_extraction_id=extraction_id, cause=cause, detected_at=now)
                item_rows["changes"] = ch
                stats.changes += len(ch)
            for table, r in item_rows.items():
                rows[table].extend(r)
            new_state = {"document_id": document_id, "version_id": version_id,
                         "extraction_id": extraction_id, "versions": version_no,
                         "sha256": sha, "evs": ({ev} | (st["evs"] if st and
                                                        kind_of_load == "reextracted" else set()))}
            if st is None:
                rows["documents"].append({
                    "document_id": document_id, "url": url, "source": source,
                    "first_run_id": run_id, "first_seen_at": now,
                    "current_version_id": version_id, "current_extraction_id": extraction_id,
                    "versions": 1, "last_run_id": run_id, "updated_at": now})
                stats.new_documents += 1
            else:
                updates[document_id] = {
                    "document_id": document_id, "current_version_id": version_id,
                    "current_extraction_id": extraction_id, "versions": version_no,
                    "last_run_id": run_id, "updated_at": now}
                if kind_of_load == "new_version":
                    stats.new_versions += 1
                else:
                    stats.reextracted += 1
            state[url] = new_state
            sources.add(source)
            self._run_ev = ev
        # a document first seen and changed within this batch: fold the update into its insert
        new_docs = {d["document_id"]: d for d in rows["documents"]}
        for did in list(updates):
            if did in new_docs:
                new_docs[did].update(updates.pop(did))
        progs, aliases = self.index.drain()
        rows["programmes"] = [{"programme_id": p, "name": n, "norm_name": nn,
                               "first_run_id": run_id, "first_seen_at": now}
                              for p, n, nn, _ in progs]
        rows["programme_aliases"] = [{"programme_id": p, "alias": a, "norm_alias": k,
                                      "origin": o, "matched_by": m, "first_run_id": run_id,
                                      "extraction_id": ctx} for p, a, k, o, m, ctx in aliases]
        return rows, list(updates.values()), sources

    _run_ev: str | None = None

    def _inferred(self, document_id: str, title: str) -> str:
        pid = programme_id_for("doc:" + document_id)
        self.index.add_standalone(pid, title)
        return pid

    def _rows(self, run_id, now, item: LoadItem, asm: Assembly, *, url, sha, ev, source,
              document_id, version_id, extraction_id, version_no, kind_of_load,
              previous_version_id) -> dict[str, list[dict]]:
        doc, ex, raw = item.document, item.extraction, item.raw
        out: dict[str, list[dict]] = {}
        if kind_of_load != "reextracted":
            out["document_versions"] = [{
                "version_id": version_id, "document_id": document_id, "version": version_no,
                "url": url, "final_url": _get(raw, "final_url"), "sha256": sha,
                "kind": doc.kind, "content_type": _get(raw, "content_type"),
                "title": ex.title or doc.title, "published": ex.published or doc.published,
                "fetched_at": _ts(_get(raw, "fetched_at")), "raw_path": _get(raw, "path"),
                "text": doc.text, "text_length": len(doc.text or ""),
                "sections": json.dumps([s.model_dump() for s in doc.sections], ensure_ascii=False),
                "fields": json.dumps(doc.fields, default=str, ensure_ascii=False),
                "parse_errors": list(doc.errors),
                "previous_version_id": previous_version_id if kind_of_load == "new_version" else None,
                "run_id": run_id, "loaded_at": now}]
        main_pid = asm.programmes[asm.main].programme_id if asm.main is not None else None
        out["extractions"] = [{
            "extraction_id": extraction_id, "version_id": version_id, "document_id": document_id,
            "url": url, "sha256": sha, "extractor_version": ev, "published": ex.published,
            "errors": list(ex.errors), "main_programme_id": main_pid, "run_id": run_id,
            "loaded_at": now}]
        common = {"extraction_id": extraction_id, "version_id": version_id,
                  "document_id": document_id, "extractor_version": ev, "run_id": run_id}
        record_ids: dict[int | None, str] = {}
        records, mentions = [], []
        progs = asm.programmes or []
        slots: list[int | None] = list(range(len(progs))) or [None]
        for i in slots:
            rid = f"{extraction_id}:r{0 if i is None else i}"
            record_ids[i] = rid
            vals = asm.values_of(i)
            dp = progs[i] if i is not None else None
            records.append({
                "record_id": rid, **common, "programme_id": dp.programme_id if dp else None,
                "programme_name": dp.name if dp else None, "is_main": i == asm.main,
                "mentions": len(dp.mentions) if dp and not dp.inferred else 0,
                "n_amounts": len(vals["amounts"]), "n_deadlines": len(vals["deadlines"]),
                "n_dates": len(vals["dates"]), "n_municipalities": len(vals["municipalities"])})
            if dp:
                for j, m in enumerate(dp.mentions):
                    mentions.append({
                        "mention_id": f"{rid}:m{j}", "record_id": rid, **common,
                        "programme_id": dp.programme_id, "name": m.name, "aliases": list(m.aliases),
                        "inferred": dp.inferred, "span_text": m.text,
                        "span_start": m.start if not dp.inferred or m.end > m.start else None,
                        "span_end": m.end if not dp.inferred or m.end > m.start else None,
                        "snippet": asm.mention_snippets.get(id(m)), "rule": m.rule})
        out["records"] = records
        out["programme_mentions"] = mentions

        def base(a, n, prefix):
            pid = progs[a.programme].programme_id if a.programme is not None else None
            v = a.value
            return {f"{prefix}_id": f"{extraction_id}:{prefix[0]}{n}",
                    "record_id": record_ids.get(a.programme, record_ids[slots[0]]), **common,
                    "programme_id": pid, "attached_by": a.attached_by, "span_text": v.text,
                    "span_start": v.start, "span_end": v.end, "snippet": a.snippet,
                    "rule": v.rule}

        out["amounts"] = [{**base(a, n, "amount"), "value_eur": _eur(a.value.value_eur),
                           "low_eur": _eur(a.value.low_eur), "qualifier": a.value.qualifier,
                           "unit": a.value.unit, "role": a.role}
                          for n, a in enumerate(asm.amounts)]
        out["deadlines"] = [{**base(a, n, "deadline"), "date": a.value.date, "kind": a.value.kind,
                             "granularity": a.value.granularity, "time": a.value.time,
                             "subject": a.value.subject, "duration": a.value.duration,
                             "cue": a.value.cue} for n, a in enumerate(asm.deadlines)]
        out["dates"] = [{**base(a, n, "date"), "date": a.value.date, "date_end": a.value.date_end,
                         "granularity": a.value.granularity, "kind": a.value.kind,
                         "time": a.value.time} for n, a in enumerate(asm.dates)]
        out["municipality_mentions"] = [{**base(a, n, "mention"), "name": a.value.name,
                                         "type": a.value.type, "ags": a.value.ags,
                                         "candidates": a.value.candidates}
                                        for n, a in enumerate(asm.municipalities)]
        return out

    # ------------------------------------------------------------------ publish
    def publish(self, name: str | None = None) -> Path:
        """Publish the working database as the readers' new snapshot (atomically)."""
        with self._mutex:
            if self.con is None:
                raise WarehouseError("the warehouse is closed")
            if self._run is not None:
                raise WarehouseError(f"run {self._run} is still open: finish_run() before publish()")
            if name is None:
                row = self.con.execute("SELECT max(run_id) FROM runs WHERE finished_at IS NOT NULL"
                                       ).fetchall()[0]
                name = row[0] or f"{_utcnow():%Y%m%dT%H%M%S}Z"
            snaps = self.root / "snapshots"
            base, n = name, 1
            while (snaps / f"warehouse-{name}.duckdb").exists():
                n += 1
                name = f"{base}-{n}"
            self.con.execute("CHECKPOINT")
            return publish_file(self.root, self.work_db, name, keep=self.keep_snapshots)

    def collect_garbage(self) -> list[Path]:
        return collect_garbage(self.root, keep=self.keep_snapshots)


def _get(obj, name):
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _item_keys(item: LoadItem) -> tuple[str, str, str, str]:
    """(url, sha256, extractor_version, source) of a load item."""
    doc, ex, raw = item.document, item.extraction, item.raw
    url = _get(raw, "url") or doc.source or ex.source
    if not url:
        raise ValueError("no url: neither raw record nor document source")
    sha = (_get(raw, "sha256") or ex.sha256 or doc.sha256
           or hashlib.sha256((doc.text or "").encode("utf-8")).hexdigest())
    ev = ex.extractor_version or EXTRACTOR_VERSION
    source = _get(raw, "source")
    if not source:
        parsed = urlparse(url)
        source = parsed.hostname or (parsed.scheme if parsed.scheme not in ("", "file") else "file")
    return url, sha, ev, source


def _fp_empty(name):
    return {"name": name, "deadline": [], "amount": [], "municipality": []}


def _fingerprint(asm: Assembly) -> dict:
    fp: dict = {}
    for i, dp in enumerate(asm.programmes or []):
        fp[dp.programme_id] = _fp_empty(dp.name)
    if not asm.programmes:
        fp[None] = _fp_empty(None)

    def pid_of(a):
        return asm.programmes[a.programme].programme_id if a.programme is not None else None

    for a in asm.deadlines:
        v = a.value
        fp[pid_of(a)]["deadline"].append((f"{v.kind}/{v.subject or '-'}",
                                          _deadline_value(v.date, v.duration, v.kind), a.snippet))
    for a in asm.amounts:
        v = a.value
        fp[pid_of(a)]["amount"].append((f"{a.role}/{v.unit}",
                                        _fmt_eur(_eur(v.value_eur), _eur(v.low_eur)), a.snippet))
    for a in asm.municipalities:
        key, val = _muni_value(a.value.name, a.value.ags)
        fp[pid_of(a)]["municipality"].append((key, val, a.snippet))
    return fp


_VERB = {"deadline": "moved", "amount": "changed"}


def _diff(old: dict, new: dict) -> list[dict]:
    """Field-level changes between two fingerprints (programme -> values)."""
    out: list[dict] = []

    def add(pid, pname, fld, aspect, change, ov, nv, osn=None, nsn=None):
        out.append({"programme_id": pid, "programme_name": pname, "field": fld, "aspect": aspect,
                    "change": change, "old_value": ov, "new_value": nv,
                    "old_snippet": osn, "new_snippet": nsn})

    for pid in sorted(old.keys() | new.keys(), key=lambda p: p or ""):
        o, n = old.get(pid), new.get(pid)
        if o is not None and n is None:
            if pid is not None:
                add(pid, o["name"], "programme", None, "removed", o["name"], None)
            continue
        if n is not None and o is None:
            if pid is not None:      # a new programme, and its deadlines (what analysts watch)
                add(pid, n["name"], "programme", None, "added", None, n["name"])
                for aspect, val, sn in sorted(n["deadline"]):
                    add(pid, n["name"], "deadline", aspect, "added", None, val, None, sn)
            continue
        pname = n["name"] or o["name"]
        for fld in ("deadline", "amount"):
            groups = defaultdict(lambda: ([], []))
            for aspect, val, sn in o[fld]:
                groups[aspect][0].append((val, sn))
            for aspect, val, sn in n[fld]:
                groups[aspect][1].append((val, sn))
            for aspect in sorted(groups):
                ol, nl = groups[aspect]
                common = {v for v, _ in ol} & {v for v, _ in nl}
                ol = sorted({v: (v, s) for v, s in ol if v not in common}.values())
                nl = sorted({v: (v, s) for v, s in nl if v not in common}.values())
                for (ov, osn), (nv, nsn) in zip(ol, nl):
                    add(pid, pname, fld, aspect, _VERB[fld], ov, nv, osn, nsn)
                for ov, osn in ol[len(nl):]:
                    add(pid, pname, fld, aspect, "removed", ov, None, osn, None)
                for nv, nsn in nl[len(ol):]:
                    add(pid, pname, fld, aspect, "added", None, nv, None, nsn)
        om = {k: (v, s) for k, v, s in o["municipality"]}
        nm = {k: (v, s) for k, v, s in n["municipality"]}
        for k in sorted(om.keys() - nm.keys()):
            add(pid, pname, "municipality", None, "removed", om[k][0], None, om[k][1], None)
        for k in sorted(nm.keys() - om.keys()):
            add(pid, pname, "municipality", None, "added", None, nm[k][0], None, nm[k][1])
    return out
