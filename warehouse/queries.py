"""Named read queries of the warehouse (``queries/*.sql``) and the export of a snapshot.

The CLI and the demo read the warehouse only through these files and functions, so every SQL
statement about the warehouse lives in ``warehouse/``. A query file's first line is a comment
with its title; ``$name`` parameters are bound by DuckDB.
"""
from __future__ import annotations

import os
from pathlib import Path

QUERIES_DIR = Path(__file__).resolve().parent / "queries"
CHECKS_DIR = Path(__file__).resolve().parent / "checks"
DEMO_QUERIES = ("demo_open_calls", "demo_upcoming_deadlines", "demo_changes", "demo_municipalities")


def sql(name: str) -> str:
    return (QUERIES_DIR / f"{name}.sql").read_text(encoding="utf-8")


def title(name: str) -> str:
    first = sql(name).splitlines()[0]
    return first.lstrip("- ").strip() if first.startswith("--") else name


def run(con, name: str, **params) -> tuple[list[str], list[tuple]]:
    """(columns, rows) of a named query."""
    cur = con.execute(sql(name), params or None)
    return [d[0] for d in cur.description], cur.fetchall()


def checks() -> dict[str, str]:
    """Quality checks (``checks/*.sql``): each must return no rows on a sound warehouse."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(CHECKS_DIR.glob("*.sql"))}


def failed_checks(con) -> dict[str, list[tuple]]:
    """The checks that return rows, with (up to 20 of) their rows."""
    out = {}
    for name, text in checks().items():
        rows = con.execute(text).fetchmany(20)
        if rows:
            out[name] = rows
    return out


def export_all(con, directory: Path, fmt: str) -> list[tuple[str, int, Path]]:
    """One file per table and view of the connection's database (``parquet`` or ``csv``);
    returns (name, rows, path). Each file is written to a hidden temporary name first."""
    directory.mkdir(parents=True, exist_ok=True)
    names = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_catalog = current_database() ORDER BY table_name"
    ).fetchall()]
    written = []
    for name in names:
        path = directory / f"{name}.{fmt}"
        tmp = directory / f".{name}.{fmt}.part"
        q = '"' + name.replace('"', '""') + '"'
        opts = "(FORMAT parquet, COMPRESSION zstd)" if fmt == "parquet" else "(FORMAT csv, HEADER true)"
        try:
            con.execute(f"COPY (SELECT * FROM {q}) TO '{_sql_str(tmp)}' {opts}")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        rows = con.execute(f"SELECT count(*) FROM {q}").fetchall()[0][0]
        written.append((name, rows, path))
    return written


def _sql_str(p: Path) -> str:
    return str(p).replace("'", "''")
