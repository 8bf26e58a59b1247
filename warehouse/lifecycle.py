"""Documents through their life: confirmed, moved, gone, back again.

The crawl of a source sees every document it finds (fetched, or confirmed by ``304 Not
Modified``). With that report the writer

- **confirms** every document seen: ``last_run_id`` and ``last_seen_at`` move on, ``missed``
  goes back to 0, and a document marked gone comes back;
- marks a document **gone** when its URL answered HTTP 404 or 410, or when it was missing from
  ``MISSED_RUNS_GONE`` complete crawls of its source in a row (a crawl with ``--limit`` or with
  failures other than 404/410 proves nothing about what is missing and is not counted). Gone
  documents leave the open views (``calls``, ``open_calls``, ``upcoming_deadlines``) and the run
  records one ``changes`` row (field ``document``, change ``gone``, cause ``gone``) for each;
- **plans** what to extract (:func:`plan`): a raw record whose URL, bytes and extractor version
  are the document's current extraction is *unchanged* and costs nothing; the same bytes at a
  new URL, where the document that had them was not seen at its old URL in this run, is a page
  that **moved**: the document keeps its identity (``document_id``, history), takes the new URL
  (the old ones in ``moved_from``) and is not extracted again. Everything else is extracted.
"""
from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable

import pyarrow as pa

from .rows import _get, _h

# complete crawls of its source a document may be missing from before it counts as gone
MISSED_RUNS_GONE = 2
GONE_STATUSES = (404, 410)


@dataclass
class Plan:
    """What to do with one source's raw records in this run."""
    extract: list[Any] = field(default_factory=list)     # records to parse, extract and load
    unchanged: int = 0                                    # current extraction already loaded
    moved: list[tuple[str, str]] = field(default_factory=list)   # (old url, new url)


def _with_table(con, name: str, table: pa.Table, sql: str, params=None):
    con.register(name, table)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.unregister(name)


def confirm(con, run_id: str, urls: Iterable[str], now: dt.datetime) -> int:
    """Documents at ``urls`` were seen by this run (fetched or 304): confirmed, back if gone."""
    urls = sorted({u for u in urls if u})
    if not urls:
        return 0
    rows = _with_table(con, "_seen", pa.table({"url": urls}), """
        UPDATE documents SET last_run_id = ?, last_seen_at = ?, missed = 0, gone_run_id = NULL,
               gone_at = NULL, gone_reason = NULL
        WHERE url IN (SELECT url FROM _seen) RETURNING document_id""", [run_id, now])
    return len(rows)


def mark_gone(con, run_id: str, source: str, failures: Iterable[Any], seen: Iterable[str],
              complete: bool, now: dt.datetime) -> list[dict]:
    """Mark this source's documents gone (404/410 now, or missing from enough complete crawls);
    returns one ``changes`` row per document that went in this run."""
    failures = list(failures)
    gone_urls = sorted({str(_get(f, "url")) for f in failures
                        if _get(f, "status") in GONE_STATUSES})
    other_failures = [f for f in failures if _get(f, "status") not in GONE_STATUSES]
    if gone_urls:
        _with_table(con, "_gone", pa.table({"url": gone_urls}), """
            UPDATE documents SET gone_run_id = ?, gone_at = ?, gone_reason = 'HTTP ' || ?
            WHERE url IN (SELECT url FROM _gone) AND gone_run_id IS NULL RETURNING 1""",
                    [run_id, now, "404/410: the server says the document is gone"])
    seen = sorted({u for u in seen if u})
    if complete and seen and not other_failures:
        _with_table(con, "_seen", pa.table({"url": seen}), """
            UPDATE documents SET missed = coalesce(missed, 0) + 1
            WHERE source = ? AND gone_run_id IS NULL AND url NOT IN (SELECT url FROM _seen)
            RETURNING 1""", [source])
        con.execute(
            "UPDATE documents SET gone_run_id = ?, gone_at = ?, gone_reason = ? "
            "WHERE source = ? AND gone_run_id IS NULL AND missed >= ?",
            [run_id, now, f"missing from {MISSED_RUNS_GONE} complete crawls of {source}",
             source, MISSED_RUNS_GONE])
    went = con.execute("""
        SELECT d.document_id, d.url, d.current_version_id, d.current_extraction_id,
               e.main_programme_id, p.name, d.gone_reason
        FROM documents d LEFT JOIN extractions e ON e.extraction_id = d.current_extraction_id
        LEFT JOIN programmes p ON p.programme_id = e.main_programme_id
        WHERE d.gone_run_id = ? AND d.source = ?""", [run_id, source]).fetchall()
    return [{"change_id": _h(run_id, did, "gone"), "run_id": run_id, "document_id": did,
             "url": url, "old_version_id": vid, "new_version_id": None,
             "old_extraction_id": eid, "new_extraction_id": None, "cause": "gone",
             "programme_id": pid, "programme_name": pname, "field": "document", "aspect": None,
             "change": "gone", "old_value": url, "new_value": None, "old_snippet": reason,
             "new_snippet": None, "detected_at": now}
            for did, url, vid, eid, pid, pname, reason in went]


def _at_current_urls(con, records: list[Any]) -> list[Any]:
    """Records of a document that moved since (the raw store keeps the URL its bytes were first
    fetched from) stand for that document at its current URL."""
    urls = sorted({r.url for r in records})
    moved = {(old, sha): new for old, sha, new in _with_table(
        con, "_urls", pa.table({"url": urls}), """
        SELECT m.old_url, v.sha256, m.url
        FROM (SELECT document_id, url, unnest(moved_from) AS old_url FROM documents
              WHERE moved_from IS NOT NULL) m
        JOIN document_versions v USING (document_id)
        WHERE m.old_url IN (SELECT url FROM _urls)""")}
    if not moved:
        return list(records)
    out = []
    for r in records:
        new = moved.get((r.url, r.sha256))
        if new is not None:          # bytes that document had: the record stands for it
            r = copy.copy(r)
            r.url = new
        out.append(r)
    return out


def plan(con, run_id: str, source: str, records: list[Any], version: str, now: dt.datetime,
         force: bool = False) -> Plan:
    """Split one source's raw records into unchanged, moved and to-extract (see module doc).
    ``force``: extract everything again (``reprocess --force``)."""
    out = Plan()
    if not records:
        return out
    records = _at_current_urls(con, records)
    if force:
        out.extract = records
        return out
    shas = sorted({r.sha256 for r in records})
    current = _with_table(con, "_shas", pa.table({"sha": shas}), """
        SELECT d.url, d.document_id, e.sha256, e.extractor_version, d.last_run_id
        FROM documents d JOIN extractions e ON e.extraction_id = d.current_extraction_id
        WHERE e.sha256 IN (SELECT sha FROM _shas) AND d.source = ?""", [source])
    at_url = {(u, s, v) for u, _d, s, v, _r in current}
    # documents holding these bytes with this extractor, not seen at their URL in this run
    movable: dict[str, list[tuple[str, str]]] = {}
    for u, did, s, v, last in current:
        if v == version and last != run_id:
            movable.setdefault(s, []).append((u, did))
    known_urls = {u for (u,) in _with_table(
        con, "_urls", pa.table({"url": sorted({r.url for r in records})}),
        "SELECT url FROM documents WHERE url IN (SELECT url FROM _urls)")}
    moves: list[dict] = []
    for r in records:
        if (r.url, r.sha256, version) in at_url:
            out.unchanged += 1
        elif r.url not in known_urls and movable.get(r.sha256):
            old_url, did = movable[r.sha256].pop(0)
            moves.append({"document_id": did, "url": r.url, "old_url": old_url})
            out.moved.append((old_url, r.url))
        else:
            out.extract.append(r)
    if moves:
        _with_table(con, "_moves", pa.Table.from_pylist(moves), """
            UPDATE documents SET url = m.url,
                   moved_from = list_append(coalesce(documents.moved_from, []::VARCHAR[]), m.old_url),
                   last_run_id = ?, last_seen_at = ?, missed = 0, gone_run_id = NULL,
                   gone_at = NULL, gone_reason = NULL
            FROM _moves m WHERE documents.document_id = m.document_id RETURNING 1""",
                    [run_id, now])
    return out
