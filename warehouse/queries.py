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


EXPORT_FORMATS = ("parquet", "csv", "excel")
_NUMERIC = ("DECIMAL", "DOUBLE", "FLOAT", "REAL")


def names(con) -> list[str]:
    """Tables and views of the connection's database."""
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'main' AND table_catalog = current_database() ORDER BY table_name"
    ).fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _csv_select(con, select: str, excel: bool) -> str:
    """``select`` with its nested columns (lists, structs, maps) as JSON text and, for Excel,
    numbers with a decimal comma (DuckDB writes CSV decimals only with a point)."""
    cols = con.execute(f"DESCRIBE {select}").fetchall()
    out = []
    for name, ctype, *_ in cols:
        q = _quote(name)
        if ctype.endswith("]") or ctype.startswith(("STRUCT", "MAP", "UNION")):
            out.append(f"to_json({q})::VARCHAR AS {q}")
        elif excel and ctype.startswith(_NUMERIC):
            out.append(f"replace({q}::VARCHAR, '.', ',') AS {q}")
        else:
            out.append(q)
    return f"SELECT {', '.join(out)} FROM ({select})"


def export_query(con, select: str, path: Path, fmt: str) -> int:
    """Write the rows of ``select`` to ``path`` (write-then-rename) and return their number.
    ``csv``: nested columns as JSON; ``excel``: CSV as Excel opens it in a German locale (UTF-8
    with BOM, semicolons, decimal comma); ``parquet``: columns as they are."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"format {fmt!r}: choose {', '.join(EXPORT_FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    try:
        if fmt == "parquet":
            con.execute(f"COPY ({select}) TO '{_sql_str(tmp)}' (FORMAT parquet, COMPRESSION zstd)")
        else:
            opts = "(FORMAT csv, HEADER true" + (", DELIMITER ';')" if fmt == "excel" else ")")
            con.execute(f"COPY ({_csv_select(con, select, fmt == 'excel')}) TO '{_sql_str(tmp)}' {opts}")
            if fmt == "excel":
                body = tmp.read_bytes()
                tmp.write_bytes(b"\xef\xbb\xbf" + body)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return con.execute(f"SELECT count(*) FROM ({select})").fetchall()[0][0]


def export_all(con, directory: Path, fmt: str) -> list[tuple[str, int, Path]]:
    """One file per table and view of the connection's database (``parquet``, ``csv`` or
    ``excel``: see export_query); returns (name, rows, path)."""
    written = []
    for name in names(con):
        path = directory / f"{name}.{'parquet' if fmt == 'parquet' else 'csv'}"
        written.append((name, export_query(con, f"SELECT * FROM {_quote(name)}", path, fmt), path))
    return written


def _sql_str(p: Path) -> str:
    return str(p).replace("'", "''")
