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
from pathlib import Path
from typing import Iterable

import duckdb
import pyarrow as pa

from . import lifecycle
from . import migrate as _migrate
from . import register as _register
from . import repair
from . import summary as _summary
from .assemble import assemble
from .history import _cause, _diff, _fingerprint, previous_fingerprints
from .programmes import ProgrammeIndex, programme_id_for
from .publish import (KEEP_SNAPSHOTS, WORK_DB, WORK_DIR, WarehouseError, WriterLock,
                      collect_garbage, current_snapshot, publish_file, resolve_dir,
                      snapshot_problem)
from .rows import LoadItem, LoadStats, _get, _h, _item_keys, _ts, _utcnow, document_rows
from .summary import RunSummary

__all__ = ["Warehouse", "LoadItem", "LoadStats", "RunSummary"]

# publish refuses a warehouse holding fewer documents than this share of the published one
# (a lost or replaced working database), unless forced
MIN_KEPT_SHARE = 0.5
RUN_STATUSES = ("success", "partial", "failed")


class Warehouse:
    """The single writer of a warehouse directory."""

    def __init__(self, path: str | Path | None = None, *, keep_snapshots: int = KEEP_SNAPSHOTS,
                 publish_pending: bool = True):
        """Lock, open (repairing what ``repair.py`` can), migrate, create the views, mark dead
        runs aborted, and publish what an earlier run committed but never published
        (``publish_pending``). ``notes`` says what was repaired or resumed."""
        self.root = resolve_dir(path)
        self.notes: list[str] = []
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
            self.con, self.notes = repair.open_work_db(self.root, self.work_db, self._prepare)
            if publish_pending:
                self.publish_pending()
        except BaseException:
            if self.con is not None:
                self.con.close()
            self._lock.release()
            raise

    def _prepare(self, con) -> None:
        """Bring an opened working database up to date: migrations, views, dead runs, index."""
        self.con = con
        from extractors import settings
        if settings.WAREHOUSE_MEMORY_MB:
            con.execute(f"SET memory_limit = '{int(settings.WAREHOUSE_MEMORY_MB)}MB'")
        self.migrations_applied = _migrate.migrate(con)
        con.execute("CREATE OR REPLACE MACRO fr_today() AS "
                    "coalesce(getvariable('fr_today')::DATE, current_date)")
        _migrate.create_views(con)
        self._abort_dead_runs()
        self._load_index()

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
                "INSERT INTO runs (run_id, flow, params, started_at, status, errors, notes) "
                "VALUES (?, ?, ?, ?, 'running', []::VARCHAR[], ?)",
                [run_id, flow, json.dumps(params or {}, default=str, ensure_ascii=False), now,
                 list(self.notes)])
            self.con.execute("BEGIN TRANSACTION")
            self._run = run_id
            self._run_stats = defaultdict(int)
            self._run_errors = []
            try:
                self.sync_register()
            except WarehouseError:
                raise
            except Exception as exc:   # the register is a reference table: note, go on
                self._run_errors.append(f"the municipal register was not copied into the "
                                        f"warehouse: {exc}")
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
                # changes as analysts see them: one per call and change, not what only a new
                # extractor or register caused (the same count as changes_since_last_run)
                s["changes"] = self.con.execute(
                    "SELECT count(*) FROM call_changes WHERE run_id = ? "
                    "AND cause IN ('new_version', 'gone')", [run_id]).fetchall()[0][0]
                self.con.execute(
                    "UPDATE runs SET finished_at = ?, status = ?, errors = ?, new_documents = ?, "
                    "new_versions = ?, reextracted = ?, unchanged = ?, failed = failed + ?, "
                    "changes = ?, gone = ?, moved = ?, "
                    "extractor_version = coalesce(?, extractor_version) WHERE run_id = ?",
                    [_utcnow(), status, errs, s["new_documents"], s["new_versions"],
                     s["reextracted"], s["unchanged"], s["failed"], s["changes"], s["gone"],
                     s["moved"], self._run_ev if s["loaded"] else None, run_id])
                self.con.execute("COMMIT")
            except duckdb.Error as exc:
                self._fail_run(run_id, exc)
            self._run = None
            return self.summary(run_id, today=today)

    def summary(self, run_id: str, *, today: dt.date | None = None) -> RunSummary:
        """The summary of a finished run (counts, its changes, upcoming deadlines)."""
        with self._mutex:
            return _summary.read(self.con, run_id, today=today)

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

    def current_keys(self) -> set[tuple[str, str, str]]:
        """(url, sha256, extractor_version) of every current document's current extraction."""
        with self._mutex:
            return {tuple(r) for r in self.con.execute(
                "SELECT d.url, e.sha256, e.extractor_version FROM documents d JOIN extractions e "
                "ON e.extraction_id = d.current_extraction_id WHERE d.gone_run_id IS NULL"
            ).fetchall()}

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

    def record_crawl(self, run_id: str, report, *, complete: bool = True) -> None:
        """Record one source's crawl: sources, crawls and fetches (any object with attributes
        source, records, failures, requests, not_modified; new and unchanged optional), and what
        it says about the documents' lives (see ``lifecycle.py``): every record seen confirms its
        document, 404/410 and absence from ``complete`` crawls make documents gone.
        ``complete=False`` for a crawl cut short on purpose (``--limit``)."""
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
            gone_answers = [f for f in failures if _get(f, "status") in lifecycle.GONE_STATUSES]
            fetches += [{
                "run_id": run_id, "source": source, "url": str(_get(f, "url") or ""),
                "final_url": None, "status": _get(f, "status"),
                "outcome": "gone" if _get(f, "status") in lifecycle.GONE_STATUSES else "failed",
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
                seen = [_get(r, "url") for r in records]
                lifecycle.confirm(self.con, run_id, seen, now)
                gone = lifecycle.mark_gone(self.con, run_id, source, failures, seen, complete, now)
                self._insert("changes", gone)
            except duckdb.Error as exc:
                self._fail_run(run_id, exc)
            # a 404/410 is the server's answer that a document is gone, not a failure
            self._run_stats["failed"] += len(failures) - len(gone_answers)
            self._run_stats["gone"] += len(gone)
            self._run_stats["changes"] += len(gone)

    def known_bytes(self, source: str) -> set[str]:
        """The sha256 of every content version the warehouse holds of ``source``'s documents.
        A raw record whose bytes are not among them needs no plan: it is neither unchanged nor a
        moved page, so it can be extracted and loaded before its source's crawl is done."""
        with self._mutex:
            return {sha for (sha,) in self.con.execute(
                "SELECT DISTINCT v.sha256 FROM document_versions v JOIN documents d USING (document_id) "
                "WHERE d.source = ?", [source]).fetchall()}

    def plan(self, run_id: str, source: str, records: list, extractor_version: str, *,
             force: bool = False) -> "lifecycle.Plan":
        """Which of a source's raw records to extract; counts the unchanged ones and moves the
        documents whose page moved (see ``lifecycle.plan``). Call after ``record_crawl``."""
        with self._mutex:
            self._check_run(run_id)
            try:
                p = lifecycle.plan(self.con, run_id, source, list(records), extractor_version,
                                   _utcnow(), force=force)
            except duckdb.Error as exc:
                self._fail_run(run_id, exc)
            self._run_stats["unchanged"] += p.unchanged
            self._run_stats["moved"] += len(p.moved)
            return p

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
                  "population": _get(r, "population"), "kreis": _get(r, "kreis"),
                  "gebietsstand": _get(r, "gebietsstand"), "loaded_at": now}
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

    def sync_register(self, gazetteer=None) -> int | None:
        """Fill ``municipalities`` from the municipal register (default: the one extraction
        uses) when its Gebietsstand differs from the warehouse's; returns the rows loaded, or
        None when nothing was to do."""
        gaz = gazetteer if gazetteer is not None else _register.default_register()
        with self._mutex:
            if not _register.needs_sync(self.con, gaz):
                return None
            return self.load_register(_register.rows(gaz))

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
                              "deadlines", "dates", "municipality_mentions", "applicants", "changes",
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
        prev_db = previous_fingerprints(self.con, sorted({s["extraction_id"] for s in state.values()
                                         if s["extraction_id"]}))
        fingerprints: dict[str, dict] = dict(prev_db)     # extraction id -> fingerprint
        # a document that moved keeps the id made from its first URL: a new document at that
        # URL gets another one
        fresh = sorted({_h(k[1]) for k in keyed if k[1] not in state})
        taken = {r[0] for r in self.con.execute(
            "SELECT document_id FROM documents WHERE document_id IN (SELECT unnest(?::VARCHAR[]))",
            [fresh]).fetchall()} if fresh else set()
        for item, url, sha, ev, source in keyed:
            if item.failure:
                stats.failed += 1
                stats.errors.append(f"{url}: {item.failure}")
            st = state.get(url)
            if st is None:
                kind_of_load = "new_document"
                document_id = _h(url) if _h(url) not in taken else _h(url, run_id)
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
                item_rows = document_rows(run_id, now, item, asm, url=url, sha=sha, ev=ev,
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
                cause = _cause(kind_of_load, st["evs"], ev)
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

    # ------------------------------------------------------------------ publish
    def publish_pending(self) -> Path | None:
        """Publish now if readers miss something: a run committed but never published, or a
        damaged CURRENT. A refused publish (the warehouse shrank) is noted, not raised."""
        with self._mutex:
            pending = [r for (r,) in self.con.execute(
                "SELECT run_id FROM runs WHERE finished_at IS NOT NULL AND published_at IS NULL "
                "AND status <> 'aborted' ORDER BY run_id").fetchall()]
            damaged = snapshot_problem(self.root)
            if not pending and not damaged:
                return None
            why = (f"{damaged}; published again" if damaged else
                   f"run {', '.join(pending)} committed but was never published; published it now")
            try:
                path = self.publish()
            except WarehouseError as exc:
                self._note(f"not published: {exc}")
                return None
            self._note(f"repaired: {why}" if damaged else f"resumed: {why}")
            return path

    def _note(self, text: str) -> None:
        self.notes.append(text)
        repair.log.warning(text)

    def _published_documents(self) -> int | None:
        """Documents in the snapshot readers see now (None when there is none)."""
        try:
            snap = current_snapshot(self.root)
        except WarehouseError:
            snap = None
        if snap is None or not snap.exists():
            snaps = repair.published_snapshots(self.root)
            snap = snaps[0] if snaps else None
        if snap is None:
            return None
        try:
            con = duckdb.connect(str(snap), read_only=True)
            try:
                return con.execute("SELECT count(*) FROM documents").fetchall()[0][0]
            finally:
                con.close()
        except duckdb.Error:
            return None

    def publish(self, name: str | None = None, *, force: bool = False) -> Path:
        """Publish the working database as the readers' new snapshot (atomically). Refuses a
        warehouse with fewer than ``MIN_KEPT_SHARE`` of the published documents unless
        ``force``. The runs it makes visible get ``published_at``; a failed publish turns
        their status to partial with the reason (the next writer publishes them)."""
        with self._mutex:
            if self.con is None:
                raise WarehouseError("the warehouse is closed")
            if self._run is not None:
                raise WarehouseError(f"run {self._run} is still open: finish_run() before publish()")
            before = self._published_documents()
            now_docs = self.con.execute("SELECT count(*) FROM documents").fetchall()[0][0]
            if (not force and before is not None and before > 0
                    and now_docs < MIN_KEPT_SHARE * before):
                msg = (f"the warehouse shrank from {before} to {now_docs} documents; not "
                       "published (readers keep the previous snapshot). If that is right, "
                       "`foerderradar publish --force`; if the working database was lost, "
                       "`foerderradar restore`")
                self._unpublished(msg)
                raise WarehouseError(msg)
            pending = [r for (r,) in self.con.execute(
                "SELECT run_id FROM runs WHERE published_at IS NULL AND finished_at IS NOT NULL"
                ).fetchall()]
            stamp = _utcnow()
            self.con.execute("UPDATE runs SET published_at = ? WHERE run_id IN "
                             "(SELECT unnest(?::VARCHAR[]))", [stamp, pending])
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
            try:
                return publish_file(self.root, self.con, name, keep=self.keep_snapshots)
            except (OSError, duckdb.Error) as exc:
                self.con.execute("UPDATE runs SET published_at = NULL WHERE run_id IN "
                                 "(SELECT unnest(?::VARCHAR[]))", [pending])
                self._unpublished(f"publish failed ({exc}); the next run publishes it")
                raise WarehouseError(f"publishing failed: {exc}; the run is committed and the "
                                     "next run (or `foerderradar publish`) publishes it") from exc

    def _unpublished(self, reason: str) -> None:
        """Committed runs readers cannot see: status success becomes partial, with the reason."""
        self.con.execute(
            "UPDATE runs SET status = CASE WHEN status = 'success' THEN 'partial' ELSE status END, "
            "errors = list_append(coalesce(errors, []::VARCHAR[]), ?) "
            "WHERE published_at IS NULL AND finished_at IS NOT NULL AND status <> 'aborted'",
            [reason])

    @staticmethod
    def restore(path: str | Path | None = None, *, empty: bool = False) -> str:
        """Rebuild a lost or damaged working database from the last snapshot (or empty), under
        the writer lock. Returns what was done."""
        root = resolve_dir(path)
        lock = WriterLock(root)
        lock.acquire()
        try:
            return repair.restore(root, root / WORK_DIR / WORK_DB, empty=empty)
        finally:
            lock.release()

    def collect_garbage(self) -> list[Path]:
        return collect_garbage(self.root, keep=self.keep_snapshots)


