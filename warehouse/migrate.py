"""Schema migrations and views.

Migrations are ``warehouse/migrations/NNN_name.sql``, applied in version order, each in its own
transaction together with its row in ``schema_migrations`` (version, name, checksum, applied_at).
An applied migration whose file has changed since is refused: schema history is append-only, a
fix is a new migration. Views (``warehouse/views/<name>.sql``, one per file) are code, not data:
they are (re)created on a writer open whenever a view file or the migrations changed, and their column documentation (the ``-- @column``
lines at the top of each file) is stored as DuckDB column comments, so a notebook can read it
with ``SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'open_calls'``.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
MIGRATIONS_DIR = PACKAGE_DIR / "migrations"
VIEWS_DIR = PACKAGE_DIR / "views"

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")
_COLUMN_DOC = re.compile(r"^--\s*@column\s+(\w+)\s*:\s*(.+?)\s*$")
_VIEW_DOC = re.compile(r"^--\s*@view\s*:\s*(.+?)\s*$")


class MigrationError(RuntimeError):
    """The warehouse schema cannot be brought up to date safely."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found: dict[int, Migration] = {}
    for p in sorted(directory.glob("*.sql")):
        m = _MIGRATION_NAME.match(p.name)
        if not m:
            raise MigrationError(f"migration file {p.name} is not named NNN_name.sql")
        version = int(m.group(1))
        if version in found:
            raise MigrationError(f"two migrations with version {version:03d}: "
                                 f"{found[version].path.name} and {p.name}")
        found[version] = Migration(version, m.group(2), p, p.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def applied(con) -> dict[int, tuple[str, str]]:
    """version -> (name, checksum) of the migrations recorded in ``con``."""
    rows = con.execute("SELECT version, name, checksum FROM schema_migrations").fetchall()
    return {v: (n, c) for v, n, c in rows}


def migrate(con, directory: Path = MIGRATIONS_DIR) -> list[int]:
    """Apply the pending migrations in order; return the versions applied now."""
    con.execute("""
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER NOT NULL,
            name       VARCHAR NOT NULL,
            checksum   VARCHAR NOT NULL,
            applied_at TIMESTAMP NOT NULL
        )""")
    migrations = discover(directory)
    known = {m.version: m for m in migrations}
    done = applied(con)
    for version, (name, checksum) in sorted(done.items()):
        m = known.get(version)
        if m is None:
            raise MigrationError(
                f"the warehouse has migration {version:03d}_{name} which this foerderradar does "
                "not know: it was written by a newer version; upgrade foerderradar")
        if m.checksum != checksum:
            raise MigrationError(
                f"migration {m.path.name} was modified after it was applied (checksum "
                f"{checksum[:12]} in the warehouse, {m.checksum[:12]} on disk); restore it and "
                "put the change into a new migration file")
    applied_now = []
    for m in migrations:
        if m.version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(m.sql)
            con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?, now()::TIMESTAMP)",
                        [m.version, m.name, m.checksum])
            con.execute("COMMIT")
        except Exception as exc:
            con.execute("ROLLBACK")
            raise MigrationError(f"migration {m.path.name} failed: {exc}") from exc
        applied_now.append(m.version)
    return applied_now


@dataclass(frozen=True)
class View:
    name: str
    sql: str
    doc: str
    columns: dict[str, str]


def discover_views(directory: Path = VIEWS_DIR) -> list[View]:
    views = []
    for p in sorted(directory.glob("*.sql")):
        sql = p.read_text(encoding="utf-8")
        cols: dict[str, str] = {}
        doc = ""
        for line in sql.splitlines():
            if m := _COLUMN_DOC.match(line):
                cols[m.group(1)] = m.group(2)
            elif m := _VIEW_DOC.match(line):
                doc = m.group(1)
        views.append(View(p.stem, sql, doc, cols))
    return views


def create_views(con, directory: Path = VIEWS_DIR) -> list[str]:
    """(Re)create every view; views may read each other (created in dependency order).

    Nothing is done when the database already holds these views, created from the same view
    files over the same migrations: their checksum is kept as the comment of the table
    ``schema_migrations`` (each DDL statement is a commit that syncs the disk, and a writer
    opens every night). Returns the views created."""
    pending = discover_views(directory)
    checksum = _views_checksum(con, pending)
    if _views_current(con, pending, checksum):
        return []
    created: list[str] = []
    for v in pending:
        con.execute(f'DROP VIEW IF EXISTS "{v.name}"')
    while pending:
        failed: list[tuple[View, Exception]] = []
        for v in pending:
            try:
                con.execute(f'CREATE OR REPLACE VIEW "{v.name}" AS\n{_body(v.sql)}')
            except Exception as exc:  # a view it reads is not there yet
                failed.append((v, exc))
                continue
            created.append(v.name)
            if v.doc:
                con.execute(f"COMMENT ON VIEW \"{v.name}\" IS {_lit(v.doc)}")
            for col, text in v.columns.items():
                try:
                    con.execute(f'COMMENT ON COLUMN "{v.name}"."{col}" IS {_lit(text)}')
                except Exception as exc:
                    raise MigrationError(f"view {v.name}.sql documents a column {col!r} it "
                                         f"does not have: {exc}") from exc
        if len(failed) == len(pending):
            v, exc = failed[0]
            raise MigrationError(f"view {v.name}.sql does not compile: {exc}")
        pending = [v for v, _ in failed]
    if _has_migrations_table(con):
        con.execute(f"COMMENT ON TABLE schema_migrations IS {_lit(VIEWS_MARK + checksum)}")
    return created


VIEWS_MARK = "views created from "     # + checksum: the comment of schema_migrations


def _views_checksum(con, views: list[View]) -> str:
    h = hashlib.sha256()
    for v in views:
        h.update(f"{v.name}\0{v.sql}\0".encode("utf-8"))
    if _has_migrations_table(con):
        for version, (name, checksum) in sorted(applied(con).items()):
            h.update(f"{version}\0{name}\0{checksum}\0".encode("utf-8"))
    return h.hexdigest()


def _has_migrations_table(con) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = "
                            "'schema_migrations' AND schema_name = 'main'").fetchall()[0][0])


def _views_current(con, views: list[View], checksum: str) -> bool:
    """Are these views (all of them) in the database, made from ``checksum``?"""
    rows = con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = 'schema_migrations' "
                       "AND schema_name = 'main'").fetchall()
    if not rows or rows[0][0] != VIEWS_MARK + checksum:
        return False
    have = {n for (n,) in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal "
                                      "AND schema_name = 'main'").fetchall()}
    return all(v.name in have for v in views)


def _body(sql: str) -> str:
    return sql.strip().rstrip(";")


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"
