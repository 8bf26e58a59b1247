"""What the nightly run leaves for analysts after it publishes, in ``$FOERDERRADAR_HOME/exports/``:

- ``deadlines.ics``: every open deadline (a calendar subscribes to the file);
- ``report.html``: the charts and tables of ``foerderradar report`` (warehouse/report.py);
- per saved filter (``filters.toml``): ``calendar/<filter>.ics`` and the digest of this run's
  changes as ``digest/<filter>.md``, ``.html`` and ``.atom``, mailed where the filter names
  addresses and SMTP is configured.

Nothing here can fail the run: a problem is returned as a message for the run's log.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from extractors.atomic import write_atomic


def exports_dir() -> Path:
    from extractors import settings
    return settings.home() / "exports"


def write_outputs(run_id: str | None, *, warehouse_path=None, today: dt.date | None = None,
                  out: Path | None = None) -> tuple[dict, list[str]]:
    """Write the calendar and the digests of run ``run_id`` from the published snapshot.
    Returns (what was written, problems)."""
    import warehouse
    from warehouse.calendar import write_calendar
    from warehouse.digest import build_digest, render_atom, render_html, render_markdown, send_digest, smtp_settings
    from warehouse.filters import FilterError, load_filters

    out = out or exports_dir()
    written: dict = {}
    problems: list[str] = []
    con = warehouse.connect(warehouse_path, today=today)
    try:
        written["deadlines.ics"] = write_calendar(con, out / "deadlines.ics")
        try:
            from warehouse.report import write_report
            written["report.html"] = write_report(con, out / "report.html")
        except Exception as exc:        # the calendars and digests are still written
            problems.append(f"report.html not written: {type(exc).__name__}: {exc}")
        try:
            filters = load_filters()
        except FilterError as exc:
            return written, [f"saved filters not used: {exc}"]
        mail = smtp_settings()
        for name, flt in filters.items():
            try:
                written[f"calendar/{name}.ics"] = write_calendar(con, out / "calendar" / f"{name}.ics",
                                                                 flt.calls_sql(), name=f"Förderfristen – {name}")
                if run_id is None:
                    continue
                d = build_digest(con, run_id, flt)
                write_atomic(out / "digest" / f"{name}.md", render_markdown(d).encode("utf-8"))
                write_atomic(out / "digest" / f"{name}.html", render_html(d).encode("utf-8"))
                write_atomic(out / "digest" / f"{name}.atom", render_atom(d, f"urn:foerderradar:digest:{name}"))
                written[f"digest/{name}"] = {"new": len(d.new), "moved": len(d.moved), "budgets": len(d.budgets),
                                             "closing": len(d.closing), "gone": len(d.gone)}
                if flt.email and not d.empty:
                    if mail is None:
                        problems.append(f"filter {name}: email set but FOERDERRADAR_SMTP_HOST is not; digest not mailed")
                    else:
                        send_digest(d, flt.email, mail)
                        written[f"digest/{name}"]["mailed"] = list(flt.email)
            except Exception as exc:  # one filter's problem never stops the others
                problems.append(f"filter {name}: {type(exc).__name__}: {exc}")
    finally:
        con.close()
    return written, problems
