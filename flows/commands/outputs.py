"""``foerderradar calendar``, ``digest`` and ``report``: what analysts open in the morning."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Optional

import typer


def _err(msg: str) -> None:
    print(f"foerderradar: {msg}", file=sys.stderr)


def _filter(name: Optional[str], path: Optional[Path]):
    from warehouse.filters import FilterError, get_filter

    try:
        return get_filter(name, path)
    except FilterError as exc:
        _err(str(exc))
        raise typer.Exit(2)


def _reader(today: Optional[dt.datetime]):
    import warehouse

    try:
        return warehouse.connect(today=today.date() if today else None)
    except Exception as exc:
        _err(f"no published warehouse ({exc}); run `foerderradar ingest` or `foerderradar demo` first")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:

    @app.command("calendar")
    def calendar_cmd(
        output: Path = typer.Option(None, "--output", "-o", help="The .ics file (default: stdout)."),
        filter_name: Optional[str] = typer.Option(None, "--filter", "-f", help="A saved filter (filters.toml)."),
        filters_file: Optional[Path] = typer.Option(None, "--filters", help="Filters file (default: $FOERDERRADAR_HOME/filters.toml)."),
        today: Optional[dt.datetime] = typer.Option(None, "--today", formats=["%Y-%m-%d"], help="Open as of this day."),
    ):
        """Open application deadlines as an iCalendar file: one all-day event per deadline (stable
        UIDs, SEQUENCE bumped when a deadline moves), rolling calls as notes."""
        from warehouse.calendar import build_calendar, write_calendar

        flt = _filter(filter_name, filters_file)
        con = _reader(today)
        try:
            if output is None:
                sys.stdout.write(build_calendar(con, flt.calls_sql()).to_ical().decode("utf-8"))
                return
            n = write_calendar(con, output, flt.calls_sql())
        finally:
            con.close()
        print(f"{n['events']} deadlines and {n['rolling']} rolling calls -> {output}", file=sys.stderr)

    @app.command("digest")
    def digest_cmd(
        since: str = typer.Option(..., "--since", help="A run id (foerderradar runs) or a date YYYY-MM-DD."),
        filter_name: Optional[str] = typer.Option(None, "--filter", "-f", help="A saved filter (filters.toml)."),
        filters_file: Optional[Path] = typer.Option(None, "--filters", help="Filters file (default: $FOERDERRADAR_HOME/filters.toml)."),
        fmt: str = typer.Option("md", "--format", help="md, html or atom."),
        output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write (default: stdout)."),
        mail: bool = typer.Option(False, "--mail", help="Also mail it to the filter's addresses (SMTP settings: README)."),
        today: Optional[dt.datetime] = typer.Option(None, "--today", formats=["%Y-%m-%d"], help="Evaluate as of this day."),
    ):
        """What changed since a run or a day: new calls, deadlines moved, budgets changed, calls
        closing within 14 days, calls gone; grouped by programme with evidence and links."""
        from warehouse.digest import build_digest, render_atom, render_html, render_markdown, send_digest, smtp_settings

        if fmt not in ("md", "html", "atom"):
            _err(f"--format {fmt!r}: choose md, html or atom")
            raise typer.Exit(2)
        flt = _filter(filter_name, filters_file)
        con = _reader(today)
        try:
            d = build_digest(con, since, flt)
        except ValueError as exc:
            _err(str(exc))
            raise typer.Exit(2)
        finally:
            con.close()
        if fmt == "atom":
            data = render_atom(d, f"urn:foerderradar:digest:{flt.name}")
        else:
            data = (render_markdown(d) if fmt == "md" else render_html(d)).encode("utf-8")
        if output:
            output.write_bytes(data)
        else:
            sys.stdout.write(data.decode("utf-8"))
        if mail:
            settings = smtp_settings()
            if not flt.email:
                _err(f"filter {flt.name!r} names no email addresses")
                raise typer.Exit(2)
            if settings is None:
                _err("set FOERDERRADAR_SMTP_HOST (and _PORT, _FROM, _USER, _PASSWORD) to mail digests")
                raise typer.Exit(2)
            send_digest(d, flt.email, settings)
            print(f"mailed to {', '.join(flt.email)}", file=sys.stderr)

    @app.command("report")
    def report_cmd(
        output: Path = typer.Option(Path("report.html"), "--output", "-o", help="The HTML file to write."),
        filter_name: Optional[str] = typer.Option(None, "--filter", "-f", help="A saved filter (filters.toml) for the call charts."),
        filters_file: Optional[Path] = typer.Option(None, "--filters", help="Filters file (default: $FOERDERRADAR_HOME/filters.toml)."),
        today: Optional[dt.datetime] = typer.Option(None, "--today", formats=["%Y-%m-%d"], help="Open as of this day."),
    ):
        """One static HTML page (opens offline): deadlines per month, open budget by programme and
        by Land, changes per run, documents and failures per source, each with its table."""
        from warehouse.report import write_report

        flt = _filter(filter_name, filters_file)
        con = _reader(today)
        try:
            info = write_report(con, output, flt.calls_sql() if filter_name else None, filter_name)
        except OSError as exc:
            _err(f"cannot write {output}: {exc.strerror or exc}")
            raise typer.Exit(1)
        finally:
            con.close()
        print(f"{info['open_calls']} open calls, {info['bytes'] // 1024} KB -> {output}", file=sys.stderr)
