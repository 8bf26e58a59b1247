"""The run summary: what a run did (each event counted once, from ``runs``), its changes one
row per call (``call_changes``) and the next deadlines (``upcoming_deadlines``). One renderer
for the console, the Prefect artifact and notebooks (:meth:`RunSummary.to_markdown`,
:func:`changes_markdown`, :func:`deadlines_markdown`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .publish import WarehouseError

UPCOMING_DAYS = 60
SUMMARY_MAX_ROWS = 50
CHANGE_CAUSES = ("new_version", "gone")      # what "what changed" shows by default


@dataclass
class RunSummary:
    run_id: str
    flow: str
    status: str
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    new: int                        # new documents
    changed: int                    # new versions of known documents
    reextracted: int
    unchanged: int
    failed: int
    errors: list[str]
    upcoming_deadlines: list[dict]  # programme, date, kind, subject, url (next UPCOMING_DAYS days)
    changes: list[dict]             # programme, field, aspect, change, old_value, new_value, url
    n_changes: int = 0
    gone: int = 0                   # documents marked gone
    moved: int = 0                  # documents at a new URL (not extracted again)
    notes: list[str] = field(default_factory=list)   # what the writer repaired or resumed

    def to_markdown(self) -> str:
        dur = ""
        if self.started_at and self.finished_at:
            dur = f" in {(self.finished_at - self.started_at).total_seconds():.1f} s"
        out = [f"# foerderradar run `{self.run_id}` ({self.flow}): **{self.status}**{dur}", "",
               "| new documents | changed | re-extracted | unchanged | moved | gone | failed "
               "| field changes |",
               "|---:|---:|---:|---:|---:|---:|---:|---:|",
               f"| {self.new} | {self.changed} | {self.reextracted} | {self.unchanged} | "
               f"{self.moved} | {self.gone} | {self.failed} | {self.n_changes} |", ""]
        if self.notes:
            out += ["## Repaired or resumed", ""] + [f"- {_md(n)}" for n in self.notes] + [""]
        out += changes_markdown(self.changes, self.n_changes)
        out += deadlines_markdown(self.upcoming_deadlines)
        if self.errors:
            out += [f"## Errors ({len(self.errors)})", ""]
            out += [f"- {_md(e)}" for e in self.errors[:SUMMARY_MAX_ROWS]]
            out.append("")
        return "\n".join(out)


def _md(v) -> str:
    return "" if v is None else str(v).replace("|", "\\|").replace("\n", " ")


def _urls(row: dict) -> str:
    urls = row.get("urls") or ([row["url"]] if row.get("url") else [])
    return "<br>".join(_md(u) for u in urls)


def changes_markdown(changes: list[dict], total: int | None = None) -> list[str]:
    """Markdown lines: each change of a call once, with every document showing it."""
    if not changes:
        return []
    n = total if total is not None else len(changes)
    out = [f"## Changes ({n})", "",
           "| programme | field | aspect | change | old | new | documents |",
           "|---|---|---|---|---|---|---|"]
    out += [f"| {_md(c.get('programme'))} | {c.get('field')} | {_md(c.get('aspect'))} | "
            f"{c.get('change')} | {_md(c.get('old_value'))} | {_md(c.get('new_value'))} | "
            f"{_urls(c)} |" for c in changes]
    if n > len(changes):
        out.append(f"| … {n - len(changes)} more: `SELECT * FROM changes_since_last_run` | | | | | | |")
    return out + [""]


def deadlines_markdown(deadlines: list[dict], days: int = UPCOMING_DAYS) -> list[str]:
    """Markdown lines: the next deadlines, one row per call and deadline."""
    if not deadlines:
        return []
    out = [f"## Deadlines in the next {days} days", "",
           "| date | programme | kind | subject | documents |", "|---|---|---|---|---|"]
    out += [f"| {d.get('date')} | {_md(d.get('programme'))} | {d.get('kind') or ''} | "
            f"{_md(d.get('subject'))} | {_urls(d)} |" for d in deadlines]
    return out + [""]


def read(con, run_id: str, *, today: dt.date | None = None) -> RunSummary:
    """The summary of a finished run (counts, its changes, upcoming deadlines)."""
    row = con.execute(
        "SELECT flow, status, started_at, finished_at, new_documents, new_versions, "
        "reextracted, unchanged, failed, errors, changes, gone, moved, notes "
        "FROM runs WHERE run_id = ?",
        [run_id]).fetchall()
    row = row[0] if row else None
    if row is None:
        raise WarehouseError(f"no run {run_id} in the warehouse")
    day = today or dt.date.today()
    changes = con.execute(
        "SELECT programme, field, aspect, change, old_value, new_value, url, urls, cause "
        "FROM call_changes WHERE run_id = ? AND cause IN ('new_version', 'gone') "
        f"ORDER BY programme, field, aspect, old_value LIMIT {SUMMARY_MAX_ROWS}",
        [run_id]).fetchall()
    n_changes = con.execute(
        "SELECT count(*) FROM call_changes WHERE run_id = ? "
        "AND cause IN ('new_version', 'gone')", [run_id]).fetchall()[0][0]
    con.execute(f"SET VARIABLE fr_today = DATE '{day.isoformat()}'")
    try:
        deadlines = con.execute(
            "SELECT date, programme, kind, subject, url, urls FROM upcoming_deadlines "
            f"WHERE days_left <= {UPCOMING_DAYS} ORDER BY date, programme "
            f"LIMIT {SUMMARY_MAX_ROWS}").fetchall()
    finally:
        con.execute("RESET VARIABLE fr_today")
    keys = ("programme", "field", "aspect", "change", "old_value", "new_value", "url",
            "urls", "cause")
    return RunSummary(
        run_id=run_id, flow=row[0], status=row[1], started_at=row[2], finished_at=row[3],
        new=row[4] or 0, changed=row[5] or 0, reextracted=row[6] or 0,
        unchanged=row[7] or 0, failed=row[8] or 0, errors=list(row[9] or []),
        n_changes=n_changes, gone=row[11] or 0, moved=row[12] or 0,
        notes=list(row[13] or []),
        changes=[dict(zip(keys, c)) for c in changes],
        upcoming_deadlines=[dict(zip(("date", "programme", "kind", "subject", "url", "urls"), d))
                            for d in deadlines])

