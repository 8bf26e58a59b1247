"""foerderradar's warehouse: normalised funding records in DuckDB, safe for notebooks.

Readers (notebooks, reports)::

    import warehouse
    con = warehouse.connect()                 # latest published snapshot, read-only
    con.sql("SELECT * FROM open_calls").df()

Writer (the nightly flow; one at a time, enforced by a lock)::

    wh = warehouse.Warehouse()
    run = wh.start_run("ingest", {"sources": ["demo"]})
    wh.record_crawl(run, report)
    stats = wh.load(run, [LoadItem(raw, document, extraction), ...])
    summary = wh.finish_run(run, "success", errors=[])
    wh.publish(); wh.close()

See ``publish.py`` for how readers and the writer never share a file, ``loader.py`` for runs,
idempotency and change history, ``assemble.py`` / ``programmes.py`` for records and merging,
``migrations/`` and ``views/`` for the schema (columns are documented in the SQL files and as
DuckDB column comments).
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
