"""History of a document's values: fingerprints of an assembled extraction, the field-level
differences between two of them (deadline moved, budget changed, municipality added …) and their
cause (new content, a new extractor version, a new municipal register)."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pyarrow as pa

from .assemble import Assembly
from .rows import _eur


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


def _version_parts(version: str) -> tuple[str, str | None]:
    """(rules, register part) of an extractor version: "0.2.0+gv20231130.fdb2480-3f9a1c2e" ->
    ("0.2.0", "gv20231130"); the programme catalogue's stamp is the rest."""
    rules, _, build = version.partition("+")
    return rules, next((p for p in build.split(".") if p.startswith("gv")), None)


def _cause(kind_of_load: str, old_versions: set[str], new_version: str) -> str:
    """Why a known document's values changed: new_version (its content changed), register (same
    content and rules, another municipal register), catalogue (same content, rules and register,
    another Förderdatenbank programme catalogue) or extractor (same content, new rules)."""
    if kind_of_load != "reextracted":
        return "new_version"
    rules, register = _version_parts(new_version)
    same_rules = [_version_parts(v)[1] for v in old_versions if _version_parts(v)[0] == rules]
    if not same_rules:
        return "extractor"
    return "catalogue" if register in same_rules else "register"


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


def previous_fingerprints(con, extraction_ids: list[str]) -> dict[str, dict]:
    """Fingerprints (see _fingerprint) of extractions stored in the database."""
    out: dict[str, dict] = {e: {} for e in extraction_ids}
    if not extraction_ids:
        return out
    con.register("_prev", pa.table({"eid": extraction_ids}))
    try:
        q = "WHERE extraction_id IN (SELECT eid FROM _prev)"
        for eid, pid, name in con.execute(
                f"SELECT extraction_id, programme_id, programme_name FROM records {q}").fetchall():
            out[eid][pid] = {"name": name, "deadline": [], "amount": [], "municipality": []}
        for eid, pid, kind, subject, date, duration, snip in con.execute(
                "SELECT extraction_id, programme_id, kind, subject, date, duration, snippet "
                f"FROM deadlines {q}").fetchall():
            out[eid].setdefault(pid, _fp_empty(None))["deadline"].append(
                (f"{kind}/{subject or '-'}", _deadline_value(date, duration, kind), snip))
        for eid, pid, role, unit, value, low, snip in con.execute(
                "SELECT extraction_id, programme_id, role, unit, value_eur, low_eur, snippet "
                f"FROM amounts {q}").fetchall():
            out[eid].setdefault(pid, _fp_empty(None))["amount"].append(
                (f"{role}/{unit}", _fmt_eur(value, low), snip))
        for eid, pid, name, ags, snip in con.execute(
                "SELECT extraction_id, programme_id, name, ags, snippet "
                f"FROM municipality_mentions {q}").fetchall():
            key, val = _muni_value(name, ags)
            out[eid].setdefault(pid, _fp_empty(None))["municipality"].append((key, val, snip))
    finally:
        con.unregister("_prev")
    return out

