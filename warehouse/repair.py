"""The writer's state on disk, checked and repaired when the writer opens.

What can go wrong between two runs, and what happens:

- **the working database is lost** (deleted, a new disk) while snapshots were published: the
  writer refuses to start an empty warehouse over them (readers would lose every document and
  the run history). ``foerderradar restore`` copies the last snapshot back as the working
  database; ``foerderradar restore --empty`` starts empty, and ``foerderradar reprocess`` then
  rebuilds it from the raw store.
- **the working database is damaged** (truncated, not a DuckDB file): it is moved aside
  (``work/warehouse.duckdb.damaged-<time>``) and the last readable snapshot takes its place; runs
  committed after that snapshot was published are gone from the history, and ``foerderradar
  reprocess`` extracts their documents again from the raw store. A warning says so.
- **CURRENT is damaged** (empty, foreign, naming a missing snapshot): the writer publishes again
  at once (``foerderradar publish`` does the same by hand). A warning says so.
- **a run committed but was never published** (killed during the copy, the disk filled): the
  next writer publishes it first (see ``Warehouse.publish_pending``).

Every repair is a sentence in ``Warehouse.notes``, logged as a warning and stored in the next
run's ``runs.notes``.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
from pathlib import Path

import duckdb

from .publish import (SNAPSHOT_DIR, SNAPSHOT_PREFIX, CURRENT_FILE, WarehouseError,
                      current_snapshot)

log = logging.getLogger("foerderradar.warehouse")


class WorkingDatabaseLost(WarehouseError):
    """Snapshots exist but the working database does not."""


def published_snapshots(root: Path) -> list[Path]:
    """Published snapshots, newest first."""
    snaps = root / SNAPSHOT_DIR
    return sorted(snaps.glob(f"{SNAPSHOT_PREFIX}*.duckdb"),
                  key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)


def last_good_snapshot(root: Path) -> Path | None:
    """The snapshot CURRENT names if it is readable, else the newest readable one."""
    try:
        cur = current_snapshot(root)
    except WarehouseError:
        cur = None
    candidates = ([cur] if cur is not None and cur.exists() else []) + \
        [p for p in published_snapshots(root) if p != cur]
    for p in candidates:
        try:
            con = duckdb.connect(str(p), read_only=True)
            try:
                con.execute("SELECT count(*) FROM runs").fetchall()
            finally:
                con.close()
            return p
        except duckdb.Error:
            continue
    return None


def _rebuild_hint(work_db: Path) -> str:
    return ("`foerderradar restore` copies the last published snapshot back as the working "
            "database (runs after it are lost; `foerderradar reprocess` re-extracts their "
            "documents from the raw store), or `foerderradar restore --empty` followed by "
            "`foerderradar reprocess --force` rebuilds everything from the raw store")


def open_work_db(root: Path, work_db: Path, prepare=None
                 ) -> tuple[duckdb.DuckDBPyConnection, list[str]]:
    """Open (and if need be repair) the working database; returns the connection and what was
    repaired. ``prepare(con)`` (migrations, views, …) is part of the health check: a DuckDB
    error there means a damaged file, too. Raises :class:`WorkingDatabaseLost` instead of
    replacing a lost one."""
    notes: list[str] = []
    work_db.parent.mkdir(parents=True, exist_ok=True)
    if not work_db.exists() and ((root / CURRENT_FILE).exists() or published_snapshots(root)):
        raise WorkingDatabaseLost(
            f"the working database {work_db} is missing, but snapshots were published in "
            f"{root / SNAPSHOT_DIR}: refusing to start an empty warehouse over them. "
            + _rebuild_hint(work_db))
    con = None
    try:
        con = duckdb.connect(str(work_db))
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall():
            con.execute(f'SELECT count(*) FROM "{table}"').fetchall()
        if prepare is not None:
            prepare(con)
        return con, notes
    except duckdb.Error as exc:
        if con is not None:
            con.close()
        problem = " ".join(str(exc).split())[:300]
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    damaged = work_db.with_name(f"{work_db.name}.damaged-{stamp}")
    os.replace(work_db, damaged)
    wal = work_db.with_name(work_db.name + ".wal")
    if wal.exists():
        os.replace(wal, damaged.with_name(damaged.name + ".wal"))
    snap = last_good_snapshot(root)
    if snap is not None:
        shutil.copyfile(snap, work_db)
        os.chmod(work_db, 0o644)
        notes.append(f"repaired: the working database could not be opened ({problem}); it was "
                     f"moved to {damaged.name} and restored from the snapshot {snap.name}. Runs "
                     "committed after that snapshot are not in the history; `foerderradar "
                     "reprocess` extracts their documents again from the raw store")
    else:
        notes.append(f"repaired: the working database could not be opened ({problem}) and no "
                     f"readable snapshot exists; it was moved to {damaged.name} and an empty "
                     "warehouse started. `foerderradar reprocess --force` rebuilds it from the "
                     "raw store")
    for n in notes:
        log.warning(n)
    con = duckdb.connect(str(work_db))
    if prepare is not None:
        prepare(con)
    return con, notes


def restore(root: Path, work_db: Path, *, empty: bool = False) -> str:
    """``foerderradar restore``: a working database from the last good snapshot (or an empty
    one). Refuses to replace a working database that opens. Returns what was done."""
    if work_db.exists():
        try:
            con = duckdb.connect(str(work_db))
            con.execute("SELECT count(*) FROM duckdb_tables()").fetchall()
            con.close()
            raise WarehouseError(f"the working database {work_db} is there and opens: nothing to "
                                 "restore")
        except duckdb.Error:
            pass        # damaged: the writer's open moves it aside; do the same here
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        os.replace(work_db, work_db.with_name(f"{work_db.name}.damaged-{stamp}"))
    work_db.parent.mkdir(parents=True, exist_ok=True)
    if empty:
        duckdb.connect(str(work_db)).close()
        return (f"started an empty working database {work_db}; run `foerderradar reprocess "
                "--force` to rebuild it from the raw store")
    snap = last_good_snapshot(root)
    if snap is None:
        raise WarehouseError(f"no readable snapshot in {root / SNAPSHOT_DIR}; use `foerderradar "
                             "restore --empty` and `foerderradar reprocess --force`")
    shutil.copyfile(snap, work_db)
    os.chmod(work_db, 0o644)
    return f"restored the working database {work_db} from the snapshot {snap.name}"
