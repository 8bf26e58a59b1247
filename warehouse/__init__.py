"""foerderradar's warehouse: normalised funding records in DuckDB, safe for notebooks.

Readers (notebooks, reports)::

    import warehouse
    con = warehouse.connect()                 # latest published snapshot, read-only
    con.sql("SELECT * FROM open_calls").df()

Writer (the nightly flow; one at a time, enforced by a lock)::

    wh = warehouse.Warehouse()            # repairs what it can, publishes what was left unpublished
    run = wh.start_run("ingest", {"sources": ["demo"]})
    wh.record_crawl(run, report)          # confirms what was seen, marks what is gone
    todo = wh.plan(run, "demo", report.records, extractor_version).extract
    stats = wh.load(run, [LoadItem(raw, document, extraction), ...])
    summary = wh.finish_run(run, "success", errors=[])
    wh.publish(); wh.close()

Modules: ``loader.py`` the writer (lock, connection, runs, loads, publish), ``rows.py`` the pure
mapping of a loaded item to table rows, ``history.py`` field-level changes and their cause,
``lifecycle.py`` documents confirmed, moved and gone, ``summary.py`` the run summary and its one
renderer, ``publish.py`` how readers and the writer never share a file, ``repair.py`` what the
writer heals when it opens, ``register.py`` the municipal register as a table, ``queries.py``
the named read queries (``queries/*.sql``), the quality checks (``checks/*.sql``) and the export,
``assemble.py`` / ``programmes.py`` records and merging, ``migrations/`` and ``views/`` the
schema (columns are documented in the SQL files and as DuckDB column comments).
"""
from __future__ import annotations

from .publish import (NotPublished, WarehouseBusy, WarehouseError, attach, connect,
                      current_snapshot, set_today)

_LAZY = {"Warehouse": "loader", "LoadItem": "loader", "LoadStats": "loader",
         "RunSummary": "loader", "MigrationError": "migrate"}


def __getattr__(name: str):
    """The writer side (pydantic models, pyarrow, spaCy's sentence index) loads on first use, so
    ``import warehouse; warehouse.connect()`` in a notebook stays light."""
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'warehouse' has no attribute {name!r}")

__all__ = [
    "connect", "attach", "set_today", "current_snapshot", "Warehouse", "LoadItem", "LoadStats",
    "RunSummary", "WarehouseError", "WarehouseBusy", "NotPublished", "MigrationError",
]
