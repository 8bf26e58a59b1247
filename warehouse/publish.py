"""Publishing: readers never block the writer and never see a half-loaded run.

DuckDB lets one process write a database file, and a process holding the file open (even
read-only) makes another process's write, and even its open for writing, fail. So readers and
the writer never share a file::

    <warehouse_dir>/
        writer.lock                      fcntl lock: one writer at a time (pid + since inside)
        work/warehouse.duckdb            the writer's private database; readers never open it
        snapshots/warehouse-<id>.duckdb  immutable published copies
        CURRENT                          name of the latest snapshot (replaced atomically)

The writer loads a run in one transaction of the working database (a kill -9 rolls it back on
the next open: DuckDB only replays committed transactions from its WAL). ``publish`` runs
CHECKPOINT, copies the database into ``snapshots/.tmp-…`` with ``COPY FROM DATABASE`` in DuckDB
storage version ``SNAPSHOT_STORAGE_VERSION`` (so DuckDB 1.4 LTS and the tools that bundle it can
open it), fsyncs, makes it read-only on disk and readable by everyone (mode 0444), renames it
into place, then replaces ``CURRENT`` (mode 0644) the same way. A kill at any moment leaves
CURRENT naming either the old or the new complete snapshot; leftovers are swept by the next
publish. ``connect()`` reads CURRENT and opens that snapshot read-only: any number of notebooks,
in any process, at any time. Old snapshots beyond ``KEEP_SNAPSHOTS`` are deleted; on POSIX a
reader that still has one open keeps reading it (the inode lives until its last close).
"""
from __future__ import annotations

import datetime as dt
import errno
import fcntl
import os
from pathlib import Path

from extractors.atomic import fsync_dir

KEEP_SNAPSHOTS = 3
CURRENT_FILE = "CURRENT"
LOCK_FILE = "writer.lock"
WORK_DIR = "work"
WORK_DB = "warehouse.duckdb"
SNAPSHOT_DIR = "snapshots"
SNAPSHOT_PREFIX = "warehouse-"
TMP_PREFIX = ".tmp-"
# DuckDB storage format of the snapshots: the oldest that readers still in use can open (DuckDB
# 1.4 LTS); the working database keeps the writer's own format.
SNAPSHOT_STORAGE_VERSION = "v1.4.0"
SNAPSHOT_MODE = 0o444              # read-only on disk, readable by every user
CURRENT_MODE = 0o644


class WarehouseError(RuntimeError):
    """An expected warehouse problem; the message says what to do."""


class WarehouseBusy(WarehouseError):
    """Another process holds the writer lock."""


class NotPublished(WarehouseError):
    """Nothing has been published yet."""


def resolve_dir(path: str | os.PathLike | None) -> Path:
    if path is None:
        from extractors import settings
        return settings.warehouse_dir()
    return Path(path).expanduser()


class WriterLock:
    """An exclusive fcntl lock on ``writer.lock``; released by the kernel if the process dies.

    POSIX record locks belong to the process, so a second writer in the same process is caught
    by ``_HELD`` instead.
    """
    _HELD: set[str] = set()

    def __init__(self, root: Path):
        self.path = root / LOCK_FILE
        self.fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = str(self.path.resolve())
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if key in WriterLock._HELD:
                raise BlockingIOError(errno.EAGAIN, "held in this process")
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            try:
                holder = self.path.read_text(encoding="utf-8").strip() or "unknown process"
            except OSError:
                holder = "unknown process"
            raise WarehouseBusy(
                f"another run is writing the warehouse {self.path.parent} since {holder}; wait "
                "for it to finish (readers are never blocked: use warehouse.connect())") from None
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{now} (pid {os.getpid()})\n".encode(), 0)
        self.fd = fd
        self._key = key
        WriterLock._HELD.add(key)

    def release(self) -> None:
        if self.fd is not None:
            WriterLock._HELD.discard(self._key)
            try:
                os.ftruncate(self.fd, 0)
                fcntl.lockf(self.fd, fcntl.LOCK_UN)
            finally:
                os.close(self.fd)
                self.fd = None


def current_snapshot(root: Path) -> Path | None:
    """The snapshot CURRENT names, or None when nothing was published."""
    try:
        raw = (root / CURRENT_FILE).read_bytes()
    except FileNotFoundError:
        return None
    except PermissionError:
        raise WarehouseError(f"{root / CURRENT_FILE} is not readable for this user; ask the owner "
                             "of the warehouse to run `foerderradar ingest` once more (it writes "
                             f"CURRENT with mode {CURRENT_MODE:o}) or `chmod a+r` it") from None
    name = raw.decode("utf-8", "replace").strip()
    if (not name or "/" in name or "\\" in name or name.startswith(".")
            or not name.startswith(SNAPSHOT_PREFIX) or not name.endswith(".duckdb")):
        raise WarehouseError(f"{root / CURRENT_FILE} is damaged ({name[:80]!r}); the next "
                             "`foerderradar ingest` (or `foerderradar publish`) repairs it")
    return root / SNAPSHOT_DIR / name


def snapshot_problem(root: Path) -> str | None:
    """Why CURRENT does not name a readable snapshot (None when it does, or nothing was
    published yet). The writer repairs it by publishing again."""
    try:
        snap = current_snapshot(root)
    except WarehouseError as exc:
        return str(exc)
    if snap is not None and not snap.exists():
        return f"CURRENT names {snap.name}, which is missing"
    return None


def write_public(path: Path, data: bytes, mode: int = CURRENT_MODE) -> None:
    """Replace ``path`` atomically with a file of ``mode`` (readers of other users can read it)."""
    from extractors.atomic import write_atomic

    write_atomic(path, data, mode=mode)


def publish_file(root: Path, con, name: str, keep: int = KEEP_SNAPSHOTS) -> Path:
    """Copy the writer's database (connection ``con``, checkpointed) into a new snapshot in
    storage version ``SNAPSHOT_STORAGE_VERSION`` and point CURRENT at it."""
    snaps = root / SNAPSHOT_DIR
    snaps.mkdir(parents=True, exist_ok=True)
    final = snaps / f"{SNAPSHOT_PREFIX}{name}.duckdb"
    tmp = snaps / f"{TMP_PREFIX}{name}-{os.getpid()}.duckdb"
    for p in (tmp, tmp.with_name(tmp.name + ".wal")):
        p.unlink(missing_ok=True)
    db = con.execute("SELECT current_database()").fetchall()[0][0]
    alias = "fr_publish"
    con.execute(f"ATTACH '{_sql_str(tmp)}' AS {alias} "
                f"(STORAGE_VERSION '{SNAPSHOT_STORAGE_VERSION}')")
    try:
        con.execute(f'COPY FROM DATABASE "{db}" TO {alias}')
        con.execute(f"CHECKPOINT {alias}")
    finally:
        con.execute(f"DETACH {alias}")
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.chmod(tmp, SNAPSHOT_MODE)
    os.replace(tmp, final)
    fsync_dir(snaps)
    write_public(root / CURRENT_FILE, (final.name + "\n").encode("utf-8"))
    collect_garbage(root, keep=keep)
    return final


def _sql_str(p) -> str:
    return str(p).replace("'", "''")


def collect_garbage(root: Path, keep: int = KEEP_SNAPSHOTS) -> list[Path]:
    """Delete snapshots beyond the newest ``keep`` (never the current one) and stale temp files."""
    snaps = root / SNAPSHOT_DIR
    try:
        current = current_snapshot(root)
    except WarehouseError:
        current = None
    removed: list[Path] = []
    for leftover in list(snaps.glob(f"{TMP_PREFIX}*")) + list(root.glob(f"{TMP_PREFIX}*")):
        try:
            leftover.unlink()
            removed.append(leftover)
        except FileNotFoundError:
            pass
    published = sorted(snaps.glob(f"{SNAPSHOT_PREFIX}*.duckdb"),
                       key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
    for old in published[max(keep, 1):]:
        if current is not None and old.name == current.name:
            continue
        for p in (old, old.with_name(old.name + ".wal")):
            try:
                p.unlink()
                removed.append(p)
            except FileNotFoundError:
                pass
    return removed


def connect(path: str | os.PathLike | None = None, read_only: bool = True, *,
            today: dt.date | str | None = None):
    """A DuckDB connection on the latest published snapshot, for notebooks and reports.

    ``path``: the warehouse directory (default ``settings.warehouse_dir()``) or one snapshot
    file. ``read_only=True`` opens the snapshot read-only (temporary tables still work);
    ``read_only=False`` returns an in-memory database with the snapshot attached read-only as
    ``warehouse``: tables and views of the warehouse are found unqualified (search path
    ``memory.main, warehouse.main``), and ``CREATE TABLE x`` makes ``x`` in memory.
    ``today``: evaluate the date-relative views (open_calls, upcoming_deadlines) as of that day
    instead of ``current_date``. Never blocks, and is never blocked by, the nightly writer.
    """
    import duckdb

    p = resolve_dir(path)
    if p.is_file():
        snap = p
    else:
        snap = current_snapshot(p)
        if snap is None:
            raise NotPublished(f"nothing is published in {p} yet: run `foerderradar ingest` "
                               "first (or check FOERDERRADAR_HOME / FOERDERRADAR_WAREHOUSE)")
    if not snap.exists():
        raise WarehouseError(f"the published snapshot {snap} is missing; the next "
                             "`foerderradar ingest` (or `foerderradar publish`) publishes a new one")
    if read_only:
        con = duckdb.connect(str(snap), read_only=True)
    else:
        con = duckdb.connect()
        attach(con, snap, alias="warehouse")
        con.execute("SET search_path = 'memory.main,warehouse.main'")
    if today is not None:
        set_today(con, today)
    return con


def attach(con, path: str | os.PathLike | None = None, alias: str = "warehouse") -> str:
    """Attach the latest published snapshot to an existing DuckDB connection, read-only."""
    p = resolve_dir(path)
    snap = p if p.is_file() else current_snapshot(p)
    if snap is None:
        raise NotPublished(f"nothing is published in {p} yet: run `foerderradar ingest` first")
    con.execute(f"ATTACH '{str(snap)}' AS \"{alias}\" (READ_ONLY)")
    return alias


def set_today(con, today: dt.date | str) -> None:
    """Evaluate the date-relative views as of ``today`` on this connection: ``fr_today()``
    reads the variable ``fr_today`` (default ``current_date``)."""
    day = dt.date.fromisoformat(str(today))
    con.execute(f"SET VARIABLE fr_today = DATE '{day.isoformat()}'")
