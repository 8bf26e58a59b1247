"""``foerderradar catalogue build|status``: the Förderdatenbank programme catalogue.

Programme names found in free text link to it (``catalogue_key`` ``fdb:<path>``), as
municipalities link to the register. It is made from the programmes the FDB sources loaded into
the warehouse, or from FDB export files, and its stamp is part of the extractor version
(``extractors.fields.pipeline.version_for``), so a catalogue with other titles re-extracts every
document on the next run. Building is therefore an explicit step, like ``gazetteer load``: the
nightly run does not rebuild it, and a rebuild that finds the same titles changes nothing.
"""
from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import typer

FDB_SOURCES = ("foerderdatenbank", "foerderdatenbank_html")
_PROGRAMME_MEMBER = re.compile(r"(^|/)Foerderprogramm/.+\.xml$")
_CANONICAL = re.compile(rb'<link[^>]+rel="canonical"[^>]+href="([^"]+)"')
_INGEST_FIRST = ("Run `foerderradar ingest --source foerderdatenbank` first (the Förderdatenbank's "
                 "XML export, about 2,500 programmes), or build from export files: "
                 "`foerderradar catalogue build PATH` (the export zip, its Foerderprogramm/*.xml "
                 "documents or saved programme pages).")


class NothingToBuild(Exception):
    """No Förderdatenbank programme where the catalogue was to be built from."""


def _err(msg: str) -> None:
    print(f"foerderradar: {msg}", file=sys.stderr)


def warehouse_programmes(directory=None) -> tuple[list, str]:
    """The Förderdatenbank programme documents of the latest published warehouse snapshot (their
    current versions, without those gone from the site), as (documents with ``source`` and
    ``fields``, a description of where they came from)."""
    import duckdb

    import warehouse
    from warehouse.publish import resolve_dir

    root = resolve_dir(directory)
    try:
        con = warehouse.connect(root)
    except warehouse.NotPublished:
        raise NothingToBuild(f"nothing to build the programme catalogue from: no warehouse is "
                             f"published in {root}. {_INGEST_FIRST}") from None
    try:
        rows = con.execute(
            "SELECT d.url, v.fields FROM documents d "
            "JOIN document_versions v ON v.version_id = d.current_version_id "
            "WHERE d.source IN (SELECT unnest(?)) AND d.gone_at IS NULL "
            "ORDER BY d.source, d.url", [list(FDB_SOURCES)]).fetchall()
    except duckdb.Error as exc:
        raise warehouse.WarehouseError(
            f"cannot read the programmes from the published snapshot in {root} ({exc}); "
            "`foerderradar publish` publishes it again") from None
    finally:
        con.close()
    docs = [SimpleNamespace(source=url, fields=json.loads(fields) if fields else {})
            for url, fields in rows]
    docs = [d for d in docs if isinstance(d.fields, dict) and d.fields.get("programme")]
    if not docs:
        raise NothingToBuild(f"nothing to build the programme catalogue from: the warehouse in {root} "
                             f"holds no Förderdatenbank programmes (sources {', '.join(FDB_SOURCES)}). "
                             f"{_INGEST_FIRST}")
    return docs, f"the warehouse ({len(docs)} documents of {', '.join(FDB_SOURCES)})"


def _files(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.rglob("*")
                          if f.is_file() and f.suffix.lower() in (".zip", ".xml", ".html", ".htm"))
        else:
            out.append(p)
    return out


def _page(data: bytes, path: Path):
    """A saved programme page as a Document keyed by its canonical address, else None (the search
    listing and other pages)."""
    from extractors.sources.foerderdatenbank_html import parse_detail

    m = _CANONICAL.search(data)
    url = m.group(1).decode("utf-8", "replace") if m else path.resolve().as_uri()
    if "/Foerderprogramm/" not in url and b'class="document-info-fundingprogram' not in data:
        return None
    return parse_detail(data, url)


def file_programmes(paths: list[Path]) -> tuple[list, str, list[str]]:
    """The programme documents in FDB export files: the export zip, its GSB XML documents (funders,
    contacts and the like are passed over) or saved programme pages; directories are searched.
    Returns (documents, a description, notes on files that could not be read)."""
    from extractors.sources.foerderdatenbank import parse_programme_xml

    docs, notes = [], []

    def xml(data: bytes, name: str) -> None:
        try:
            doc = parse_programme_xml(data, name)
        except ValueError as exc:
            notes.append(f"{name}: {exc}")
            return
        if doc is not None:
            docs.append(doc)

    files = _files(paths)
    for f in files:
        try:
            if zipfile.is_zipfile(f):
                with zipfile.ZipFile(f) as z:
                    for member in sorted(z.namelist()):
                        if _PROGRAMME_MEMBER.search(member):
                            xml(z.read(member), f"{f}#{member}")
                continue
            data = f.read_bytes()
        except (OSError, zipfile.BadZipFile) as exc:
            notes.append(f"{f}: cannot read ({exc})")
            continue
        head = data[:512].lstrip().lower()
        if head.startswith(b"<?xml") or head.startswith(b"<document"):
            xml(data, str(f))
        elif b"<html" in data[:4096].lower() or b"<!doctype html" in head:
            doc = _page(data, f)
            if doc is not None:
                docs.append(doc)
    docs = [d for d in docs if (d.fields or {}).get("programme")]
    if not docs:
        raise NothingToBuild(
            f"nothing to build the programme catalogue from: no Förderdatenbank programme in "
            f"{', '.join(map(str, paths))} ({len(files)} files read; expected the export zip, its "
            f"Foerderprogramm/*.xml documents or saved programme pages)."
            + (f" {len(notes)} could not be read, first: {notes[0]}" if notes else ""))
    return docs, f"{len(files)} files ({len(docs)} programme documents)", notes


def build(paths: list[Path] | None = None) -> dict:
    """Build the catalogue from ``paths`` (FDB export files) or, without paths, from the
    warehouse; write it only when its programmes changed. Returns what happened."""
    from extractors.fields.catalogue import (catalogue_path, fdb_rows, load_catalogue,
                                             write_fdb_catalogue)

    notes: list[str] = []
    if paths:
        docs, origin, notes = file_programmes(paths)
    else:
        docs, origin = warehouse_programmes()
    path = catalogue_path()
    before = load_catalogue(path).stamp
    rows = fdb_rows(docs)
    new = (json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    try:
        same = path.read_text(encoding="utf-8") == "".join(new)
    except OSError:
        same = False
    if not same:
        write_fdb_catalogue(docs, path)
    after = load_catalogue(path).stamp
    return {"programmes": len(rows), "path": path, "origin": origin, "notes": notes,
            "before": before, "stamp": after, "written": not same}


def register(app: typer.Typer) -> None:
    cat = typer.Typer(help="The Förderdatenbank programme catalogue that programme names in texts "
                           "are linked to (catalogue_key fdb:…).", no_args_is_help=True)

    @cat.command("build")
    def build_cmd(
        paths: list[Path] = typer.Argument(None, exists=True, help=(
            "FDB export files: the export zip, Foerderprogramm/*.xml documents or saved programme "
            "pages, or directories of them. Default: the programmes of the foerderdatenbank and "
            "foerderdatenbank_html sources in the published warehouse.")),
    ) -> None:
        """Build the programme catalogue from what the FDB sources loaded (idempotent: the same
        titles change nothing; other titles re-extract every document on the next run)."""
        from extractors.fields.catalogue import load_catalogue
        from extractors.fields.gazetteer import Gazetteer, GazetteerError
        from extractors.fields.pipeline import version_for
        from warehouse import WarehouseError

        try:
            res = build(paths or None)
        except NothingToBuild as exc:
            _err(f"{exc}\nThe programme catalogue (if any) is unchanged.")
            raise typer.Exit(1)
        except (OSError, WarehouseError) as exc:
            _err(f"cannot build the programme catalogue: {exc}. The catalogue (if any) is unchanged.")
            raise typer.Exit(1)
        if res["notes"]:
            _err(f"note: {len(res['notes'])} files were passed over (not well-formed or unreadable), "
                 f"first: {res['notes'][0]}")
        try:
            version = version_for(Gazetteer.load_default(), load_catalogue(res["path"]))
        except GazetteerError:
            version = None
        if not res["written"]:
            print(f"programme catalogue unchanged: {res['programmes']} programmes from {res['origin']} "
                  f"in {res['path']} (stamp {res['stamp']}); nothing is re-extracted")
            return
        print(f"programme catalogue: {res['programmes']} programmes from {res['origin']} "
              f"written to {res['path']} (stamp {res['stamp']}, before: {res['before'] or 'none'})")
        if res["stamp"] != res["before"]:
            print(f"extractor version now {version or 'with stamp ' + str(res['stamp'])}: the next "
                  "`foerderradar ingest` (or `foerderradar reprocess`) re-extracts every document "
                  "to link programme names to it")

    @cat.command("status")
    def status_cmd() -> None:
        """Say which catalogue is in use and whether the warehouse holds other FDB titles."""
        from extractors.fields.catalogue import (catalogue_path, fdb_programme, fdb_rows, fdb_stamp,
                                                 load_catalogue)

        path = catalogue_path()
        c = load_catalogue(path)
        if c.stamp is None:
            print(f"no Förderdatenbank programme catalogue ({path} "
                  f"{'holds no programmes' if path.exists() else 'does not exist'}).\n"
                  "Build one with `foerderradar catalogue build` once the foerderdatenbank source "
                  "has loaded; until then programme names link to the well-known list only.")
        else:
            n = sum(1 for e in c.entries if not e.searched)
            print(f"programme catalogue: {n} Förderdatenbank programmes (stamp {c.stamp})")
            print(f"file: {path} ({path.stat().st_size // 1024} KiB)")
        try:
            docs, _origin = warehouse_programmes()
        except NothingToBuild:
            return
        except Exception as exc:  # the warehouse is optional here
            _err(f"cannot compare with the warehouse: {exc}")
            return
        rows = fdb_rows(docs)
        in_warehouse = {r["key"]: r for r in rows}
        in_catalogue = {e.key: e for e in c.entries if not e.searched}
        stamp = fdb_stamp(map(fdb_programme, rows))
        if stamp == c.stamp:
            print(f"up to date with the warehouse ({len(rows)} programmes)")
            return
        added = len(in_warehouse.keys() - in_catalogue.keys())
        removed = len(in_catalogue.keys() - in_warehouse.keys())
        renamed = sum(1 for k in in_warehouse.keys() & in_catalogue.keys()
                      if (in_warehouse[k]["name"], *in_warehouse[k]["aliases"]) != in_catalogue[k].forms)
        print(f"the warehouse holds {len(rows)} programmes: {added} new, {removed} no longer there, "
              f"{renamed} renamed since the catalogue was built. `foerderradar catalogue build` "
              "links to them (the next run then re-extracts every document).")

    app.add_typer(cat, name="catalogue")
