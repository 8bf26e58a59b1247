"""The municipal register (Destatis GV100AD, ``extractors.fields.gazetteer``) as warehouse rows.

``municipalities`` holds one row per register entry: Land (2 digits), Regierungsbezirk (3),
Kreis (5), Gemeindeverband (9) and Gemeinde (8), with its type, level, parent, the Land's name,
the Kreis key and the population, so that views can filter by Land and Kreis. The writer brings
it up to date at the start of every run when the loaded register's Gebietsstand differs from the
warehouse's (``Warehouse.sync_register``); ``foerderradar gazetteer load`` does it at once.
"""
from __future__ import annotations

from typing import Any


def rows(gazetteer) -> list[dict[str, Any]]:
    """One ``municipalities`` row per register entry."""
    from extractors.fields.gazetteer import KREIS, LAND, LEVEL_NAMES, RB, VERBAND

    entries = list(gazetteer.entries())
    lands = {e.key: e.bare for e in entries if e.level == LAND}
    parents = {LAND: None, RB: 2, KREIS: 3, VERBAND: 5}
    out = []
    for e in entries:
        if e.level in parents:
            cut = parents[e.level]
            parent = e.key[:cut] if cut else None
            if e.level == KREIS and parent and parent[2] == "0":   # Land without Regierungsbezirke
                parent = parent[:2]
        else:                                                      # Gemeinde: its Kreis
            parent = e.key[:5]
        out.append({"ags": e.key, "name": e.bare, "type": e.type_label,
                    "level": LEVEL_NAMES.get(e.level, str(e.level)).lower(),
                    "parent_ags": parent, "land": lands.get(e.key[:2]),
                    "kreis": e.key[:5] if len(e.key) >= 5 else None,
                    "population": e.population or None,
                    "gebietsstand": gazetteer.gebietsstand})
    return out


def loaded_gebietsstand(con):
    """The Gebietsstand of the register in the warehouse (None when it holds none)."""
    return con.execute("SELECT max(gebietsstand) FROM municipalities").fetchall()[0][0]


def needs_sync(con, gazetteer) -> bool:
    return gazetteer is not None and loaded_gebietsstand(con) != gazetteer.gebietsstand


def default_register():
    """The register extraction uses (None when none is loaded or it cannot be read)."""
    try:
        from extractors.fields.gazetteer import Gazetteer
        return Gazetteer.load_default()
    except Exception:
        return None
