"""``foerderradar ingest | reprocess | serve | runs | query | export | demo``.

The flows live in ``flows/ingest.py``; these commands start them, print their summary and read the
published warehouse. Prefect, DuckDB and spaCy are imported inside the commands.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any, Optional

import typer

from flows.commands.options import (EXIT_NOT_STARTED, OPTION_HELP, check_sources, check_writer_free,
                                    parse_options)

DEMO_DOCUMENTS = 40
# A fixed port keeps the demo's URLs from one `demo` to the next, so a second run shows the
# cache at work (nothing re-extracted); a busy port is an error (exit 2), never a silent move.
DEMO_PORT = 8765
PIPE_WIDTH = 160              # table width when stdout is not a terminal
QUERY_TABLE_ROWS = 50          # rows shown by `query` as a table (csv/json print all)


def _err(msg: str) -> None:
    print(f"foerderradar: {msg}", file=sys.stderr)


def _set_home(home: Optional[Path]) -> None:
    """--home DIR: the whole tool (raw store, warehouse, register) lives under DIR."""
    if home is not None:
        home = home.expanduser().resolve()
        home.mkdir(parents=True, exist_ok=True)
        os.environ["FOERDERRADAR_HOME"] = str(home)


def _quiet_prefect(verbose: bool) -> None:
    """Console: our progress lines and the flow's start and end, not one line per task."""
    import logging

    # Prefect's console handlers hold the stderr of the moment Prefect was imported; write to
    # this command's stderr (matters when the CLI runs more than once in a process, as in tests)
    for name in (None, "prefect", "prefect.flow_runs", "prefect.task_runs", "prefect.extra"):
        for h in logging.getLogger(name).handlers:
            if type(h).__name__ == "PrefectConsoleHandler":
                with h.lock:        # not setStream(): it flushes the old, maybe closed, stream
                    h.stream = sys.stderr
                    h.console.file = sys.stderr
    if verbose:
        return
    logging.getLogger("prefect").setLevel(logging.WARNING)          # "Starting temporary server …"
    logging.getLogger("prefect.task_runs").setLevel(logging.WARNING)
    logging.getLogger("prefect.flow_runs").setLevel(logging.INFO)


def _run_flow(fn, verbose: bool, **params):
    """Run a flow in this process and return its IngestResult (also for a failed run).

    The checks that need no Prefect (options, sources, the writer lock) are done before this;
    Prefect's API is the configured one or a temporary server tied to this process."""
    from flows.ingest import run_result
    from flows.serve import ServeError, prefect_api

    _quiet_prefect(verbose)
    try:
        with prefect_api(announce=_err):
            state = fn(return_state=True, **params)
    except ServeError as exc:
        _err(str(exc))
        raise typer.Exit(1)
    return run_result(state)


def print_summary(result, file=None) -> None:
    """The run summary on the console (the same content as the Prefect artifact)."""
    from rich.console import Console
    from rich.table import Table

    console = _console(file or sys.stdout)
    colour = {"success": "green", "partial": "yellow", "failed": "red"}.get(result.status, "white")
    t = Table(title=f"{result.flow} run {result.run_id}: [{colour}]{result.status}[/]", title_justify="left")
    for col in ("source", "fetched", "new", "parsed", "extracted", "loaded", "unchanged", "failed"):
        t.add_column(col, justify="left" if col == "source" else "right")
    t.add_column("note", overflow="fold")
    for s in result.sources.values():
        t.add_row(s.name, str(s.fetched), str(s.new), str(s.parsed), str(s.extracted), str(s.loaded),
                  str(s.skipped), str(s.fetch_failed + s.failed), s.error or "")
    console.print(t)
    console.print(f"documents: {result.new} new, {result.changed} changed, "
                  f"{result.reextracted} re-extracted, {result.unchanged} unchanged, "
                  f"{result.moved} moved, {result.gone} gone, {result.failed} failed; "
                  f"time {result.timings.get('total', 0):.1f} s "
                  + "(" + ", ".join(f"{k} {v:.1f}" for k, v in result.timings.items() if k != "total") + ")")
    if result.deadlines:
        d = Table(title="upcoming deadlines", title_justify="left")
        d.add_column("date")
        d.add_column("programme", overflow="fold")
        d.add_column("kind")
        d.add_column("document", overflow="fold")
        for row in result.deadlines:
            d.add_row(str(row.get("date")), str(row.get("programme") or ""),
                      " ".join(str(x) for x in (row.get("kind"), row.get("subject")) if x),
                      str(row.get("url") or ""))
        console.print(d)
    for note in result.notes:
        console.print(f"[yellow]warehouse[/] {note}", soft_wrap=True)
    failures = [f for s in result.sources.values() for f in s.failures] + result.errors
    for f in failures[:20]:
        console.print(f"[red]failed[/] {f}", soft_wrap=True)
    if len(failures) > 20:
        console.print(f"… and {len(failures) - 20} more failures (see the run in the warehouse: "
                      "foerderradar query \"SELECT url, reason FROM fetches WHERE outcome = 'failed'\")")


def _console(out):
    """Rich console on ``out``; wide when not a terminal (a pipe or file gets whole rows)."""
    from rich.console import Console

    tty = hasattr(out, "isatty") and out.isatty()
    return Console(file=out, highlight=False, width=None if tty else PIPE_WIDTH)


def _exit_for(result) -> None:
    raise typer.Exit(0 if result.status == "success" else 1)


def _open_reader(today: dt.date | None = None):
    """A read-only connection to the published warehouse, or a clear exit."""
    from warehouse import connect

    try:
        return connect(today=today)
    except Exception as exc:
        name = type(exc).__name__
        if name in ("NotPublished", "FileNotFoundError"):
            _err(f"no warehouse yet ({exc}); run `foerderradar ingest` or `foerderradar demo` first")
        else:
            _err(f"cannot open the warehouse: {exc}")
        raise typer.Exit(1)


def duckdb_error():
    import duckdb
    return duckdb.Error


def _rows(con, sql: str) -> tuple[list[str], list[tuple]]:
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description] if cur.description else []
    return cols, cur.fetchall() if cols else []


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return ", ".join(_cell(x) for x in v)
    return str(v)


def print_rows(cols: list[str], rows: list[tuple], fmt: str = "table", title: str | None = None,
               max_rows: int | None = QUERY_TABLE_ROWS, file=None) -> None:
    out = file or sys.stdout
    if fmt == "csv":
        w = csv.writer(out)
        w.writerow(cols)
        for r in rows:
            w.writerow([_cell(v) for v in r])
    elif fmt == "json":
        for r in rows:
            out.write(json.dumps(dict(zip(cols, r)), ensure_ascii=False, default=_json_default) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        t = Table(title=title, title_justify="left")
        for c in cols:
            t.add_column(c, overflow="fold")
        shown = rows if max_rows is None else rows[:max_rows]
        for r in shown:
            t.add_row(*(_cell(v) for v in r))
        console = _console(out)
        console.print(t)
        if len(shown) < len(rows):
            console.print(f"({len(rows) - len(shown)} more rows; use --format csv or json for all)")


def _json_default(v: Any):
    if isinstance(v, (dt.date, dt.datetime, dt.time)):
        return v.isoformat()
    from decimal import Decimal
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return str(v)


def register(app: typer.Typer) -> None:

    @app.command("ingest")
    def ingest_cmd(
        source: list[str] = typer.Option(None, "--source", "-s", help="Source to crawl (repeatable); default: all."),
        limit: int = typer.Option(None, "--limit", min=1, help="At most N documents per source."),
        option: list[str] = typer.Option(None, "--option", "-o", help=OPTION_HELP),
        home: Path = typer.Option(None, "--home", help="Data directory (default: $FOERDERRADAR_HOME)."),
        as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Show every Prefect log line."),
    ) -> None:
        """Crawl sources, extract and load the warehouse (the nightly flow, run once now)."""
        opts = parse_options(option)
        _set_home(home)
        names = check_sources(source or None, opts)
        check_writer_free()
        from flows.ingest import ingest

        try:
            result = _run_flow(ingest, verbose, sources=names, limit=limit, options=opts)
        except Exception as exc:
            _fail(exc)
        _report(result, as_json)

    @app.command("reprocess")
    def reprocess_cmd(
        source: list[str] = typer.Option(None, "--source", "-s", help="Only these sources (repeatable)."),
        force: bool = typer.Option(False, "--force", help="Re-extract also what this extractor version already did."),
        home: Path = typer.Option(None, "--home", help="Data directory (default: $FOERDERRADAR_HOME)."),
        as_json: bool = typer.Option(False, "--json", help="Print the run summary as JSON."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Show every Prefect log line."),
    ) -> None:
        """Re-extract the raw store with the current extractor (no network)."""
        _set_home(home)
        from extractors.sources import all_sources

        unknown = sorted(set(source or []) - set(all_sources()))
        if unknown:
            _err(f"no source named {', '.join(unknown)}; known: {', '.join(all_sources())}")
            raise typer.Exit(EXIT_NOT_STARTED)
        check_writer_free()
        from flows.ingest import reprocess

        try:
            result = _run_flow(reprocess, verbose, sources=source or None, force=force)
        except Exception as exc:
            _fail(exc)
        _report(result, as_json)

    @app.command("serve")
    def serve_cmd(
        source: list[str] = typer.Option(None, "--source", "-s", help="Sources of the nightly run; default: all."),
        limit: int = typer.Option(None, "--limit", min=1, help="At most N documents per source."),
        option: list[str] = typer.Option(None, "--option", "-o", help=OPTION_HELP),
        port: int = typer.Option(4200, "--port", min=1, max=65535, help="Port of the local Prefect server (and its UI)."),
        cron: str = typer.Option("0 2 * * *", "--cron", help="When to run (cron, Europe/Berlin time)."),
    ) -> None:
        """Run the nightly schedule (02:00 Europe/Berlin) in this process until Ctrl-C."""
        opts = parse_options(option)
        check_sources(source or None, opts)
        _check_cron(cron)
        from flows.serve import NIGHTLY_TIMEZONE, ServeError, serve

        try:
            serve(sources=source or None, limit=limit, options=opts or None, port=port, cron=cron,
                  timezone=NIGHTLY_TIMEZONE)
        except ServeError as exc:
            _err(str(exc))
            raise typer.Exit(1)
        except KeyboardInterrupt:
            raise typer.Exit(0)

    @app.command("runs")
    def runs_cmd(
        last: int = typer.Option(20, "--last", "-n", min=1, help="How many runs, newest first."),
        format: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
        home: Path = typer.Option(None, "--home", help="Data directory (default: $FOERDERRADAR_HOME)."),
    ) -> None:
        """The latest runs: status, documents new/changed/unchanged/failed."""
        _check_format(format)
        _set_home(home)
        from warehouse import queries

        con = _open_reader()
        cols, rows = queries.run(con, "runs", n=int(last))
        print_rows(cols, rows, format, title="runs", max_rows=None)

    @app.command("query")
    def query_cmd(
        sql: str = typer.Argument(..., help="SQL (read-only), e.g. \"SELECT * FROM open_calls\"."),
        format: str = typer.Option("table", "--format", "-f", help="table, csv or json (one object a line)."),
        today: str = typer.Option(None, "--today", help="Evaluate open_calls/upcoming_deadlines as of YYYY-MM-DD."),
        home: Path = typer.Option(None, "--home", help="Data directory (default: $FOERDERRADAR_HOME)."),
    ) -> None:
        """Run SQL against the latest published warehouse (read-only)."""
        _check_format(format)
        day = _parse_day(today)
        if not sql.strip():
            raise typer.BadParameter("the SQL is empty; e.g. foerderradar query \"SELECT * FROM open_calls\"",
                                     param_hint="SQL")
        _set_home(home)
        import duckdb

        con = _open_reader(day)
        try:
            cols, rows = _rows(con, sql)
        except duckdb.Error as exc:
            _err(f"query failed: {str(exc).strip()}")
            _err("the tables and views: foerderradar query \"SHOW TABLES\"")
            raise typer.Exit(1)
        print_rows(cols, rows, format)

    @app.command("export")
    def export_cmd(
        directory: Optional[Path] = typer.Argument(
            None, help="Folder to write one file per table and view into (default: $FOERDERRADAR_HOME/export)."),
        format: str = typer.Option("parquet", "--format", "-f", help="parquet or csv (nested columns as JSON)."),
        excel: bool = typer.Option(False, "--excel", help="CSV for Excel: UTF-8 with BOM, semicolons, decimal comma."),
        view: Optional[str] = typer.Option(None, "--view", help="Only this table or view (a file named after it)."),
        query: Optional[str] = typer.Option(None, "--query", help="Only the rows of this SELECT (file query.csv/.parquet)."),
        output: Optional[Path] = typer.Option(None, "--output", "-o", help="With --view or --query: the file to write."),
        today: str = typer.Option(None, "--today", help="Evaluate open_calls/upcoming_deadlines as of YYYY-MM-DD."),
        home: Path = typer.Option(None, "--home", help="Data directory (default: $FOERDERRADAR_HOME)."),
    ) -> None:
        """Export the published warehouse: every table and view, one view (--view) or a query's
        rows (--query), as Parquet, CSV or Excel-friendly CSV."""
        if format not in ("parquet", "csv"):
            raise typer.BadParameter("choose parquet or csv", param_hint="--format")
        if view and query:
            raise typer.BadParameter("give --view or --query, not both", param_hint="--view")
        if output and not (view or query):
            raise typer.BadParameter("-o names one file: use it with --view or --query", param_hint="--output")
        fmt = "excel" if excel else format
        day = _parse_day(today)
        _set_home(home)
        if directory is None:
            from extractors import settings
            directory = settings.home() / "export"
        from warehouse import queries

        con = _open_reader(day)
        try:
            if view or query:
                if view and view not in queries.names(con):
                    _err(f"no table or view named {view!r} (foerderradar query "
                         "\"SELECT view_name FROM duckdb_views() WHERE NOT internal\" lists them)")
                    raise typer.Exit(2)
                select = f"SELECT * FROM \"{view}\"" if view else query.strip().rstrip(";")
                path = output or directory / f"{view or 'query'}.{'parquet' if fmt == 'parquet' else 'csv'}"
                try:
                    written = [(view or "query", queries.export_query(con, select, path, fmt), path)]
                except duckdb_error() as exc:
                    _err(f"the query failed: {str(exc).splitlines()[0]}")
                    raise typer.Exit(2)
            else:
                written = queries.export_all(con, directory, fmt)
        except OSError as exc:
            _err(f"cannot write to {output or directory}: {exc.strerror or exc}")
            raise typer.Exit(1)
        finally:
            con.close()
        for name, rows, path in written:
            print(f"{path}\t{rows} rows")

    @app.command("demo")
    def demo_cmd(
        documents: int = typer.Option(DEMO_DOCUMENTS, "--documents", "-n", min=1, help="Documents on the demo site."),
        night: int = typer.Option(1, "--night", min=1, help="Which night the demo site plays: 2 and later move "
                                                            "some deadlines, change budgets and retire a few calls."),
        port: int = typer.Option(DEMO_PORT, "--port", min=0, max=65535,
                                 help="Port of the demo site on 127.0.0.1 (part of every document's URL: keep it; 0: any free port)."),
        home: Path = typer.Option(None, "--home", help="Data directory (default: $FOERDERRADAR_HOME)."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Show every Prefect log line."),
    ) -> None:
        """Serve the demo site on 127.0.0.1, crawl it with the nightly flow, load the warehouse, show it."""
        _set_home(home)
        check_writer_free()
        from extractors import settings
        from extractors.demo import serve_demo_site
        from extractors.demo.generator import site_today
        from flows.ingest import ingest
        from warehouse import queries

        # the demo site's announcements are dated from BASE_DATE on: look at them as of the site's
        # own "today" (its newest announcement, a day later per night), not the wall clock
        as_of = site_today(documents, night)
        print(f"foerderradar demo: data in {settings.home()}", file=sys.stderr)
        site = serve_demo_site(n_documents=documents, port=port, night=night)
        try:
            base_url = site.__enter__()
        except OSError as exc:
            _err(f"cannot serve the demo site on 127.0.0.1:{port} ({exc.strerror or exc}). The port is part "
                 "of every demo document's URL, so the demo does not move elsewhere on its own: stop what "
                 f"uses port {port}, or choose another with --port (the documents then move to the new "
                 "address; nothing is extracted again)")
            raise typer.Exit(2)
        try:
            print(f"demo site on {base_url} ({documents} announcements, night {night})", file=sys.stderr)
            opts = {"demo": {"base_url": base_url}, "demo_land": {"base_url": base_url}}
            result = _run_flow(ingest, verbose, sources=list(opts), options=opts, today=as_of)
        except Exception as exc:
            _fail(exc)
        finally:
            site.__exit__(None, None, None)
        if result.run_id is None:
            _report(result, False)
        print_summary(result)
        if result.status != "failed":
            con = _open_reader(as_of)
            print(f"\nThe warehouse as of {as_of} (the demo site's today, night {night}):")
            for name in queries.DEMO_QUERIES:
                sql = " ".join(line for line in queries.sql(name).splitlines() if not line.startswith("--"))
                print(f"\n$ foerderradar query \"{' '.join(sql.split())}\" --today {as_of}")
                cols, rows = queries.run(con, name)
                print_rows(cols, rows, "table", title=queries.title(name), max_rows=10)
            print("\nQuery the warehouse yourself:\n"
                  + (f"  export FOERDERRADAR_HOME={settings.home()}\n" if home else "")
                  + "  foerderradar query \"SHOW TABLES\"\n"
                  f"  foerderradar query \"SELECT * FROM open_calls\" --today {as_of} --format csv\n"
                  "  foerderradar runs\n"
                  "  foerderradar export --format parquet        # into $FOERDERRADAR_HOME/export\n"
                  f"  foerderradar demo --night {night + 1}      # the next night: deadlines move, budgets change\n"
                  "or in Python: import warehouse; warehouse.connect().sql(\"FROM open_calls\").df()")
            if not settings.gazetteer_path().exists():
                print("\nMunicipalities carry no AGS yet: no municipal register is loaded. Load the\n"
                      "Destatis GV100AD file with  foerderradar gazetteer load GV100AD_<date>.txt  (or\n"
                      "foerderradar gazetteer update  to download it); the next run re-links every document.")
        _exit_for(result)

    @app.command("publish")
    def publish_cmd(
        force: bool = typer.Option(False, "--force", help="Publish even a warehouse that shrank (holds fewer "
                                                          "than half the documents readers see now)."),
        home: Path = typer.Option(None, "--home", help="Data directory (default: $FOERDERRADAR_HOME)."),
    ) -> None:
        """Publish the committed warehouse for readers now (repairs a damaged CURRENT)."""
        _set_home(home)
        from warehouse import Warehouse, WarehouseError

        try:
            wh = Warehouse(publish_pending=False)
        except WarehouseError as exc:
            _err(str(exc))
            raise typer.Exit(1)
        try:
            for note in wh.notes:
                print(f"warning: {note}", file=sys.stderr)
            path = wh.publish(force=force)
        except WarehouseError as exc:
            _err(str(exc))
            raise typer.Exit(1)
        finally:
            wh.close()
        print(f"published {path}")

    @app.command("restore")
    def restore_cmd(
        empty: bool = typer.Option(False, "--empty", help="Start an empty working database (then rebuild it "
                                                          "with `foerderradar reprocess --force`)."),
        home: Path = typer.Option(None, "--home", help="Data directory (default: $FOERDERRADAR_HOME)."),
    ) -> None:
        """Rebuild a lost or damaged working database from the last published snapshot."""
        _set_home(home)
        from warehouse import Warehouse, WarehouseError

        try:
            print(Warehouse.restore(empty=empty))
        except WarehouseError as exc:
            _err(str(exc))
            raise typer.Exit(1)


def _check_cron(cron: str) -> None:
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron, timezone="Europe/Berlin")
    except ValueError:
        raise typer.BadParameter(f"{cron!r} is not a cron expression (minute hour day month weekday), "
                                 "e.g. \"30 1 * * 1-5\"", param_hint="--cron") from None


def _parse_day(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD", param_hint="--today")


def _fail(exc: BaseException) -> None:
    """An expected failure of a run (another writer, a broken warehouse): message, exit 1."""
    from warehouse import WarehouseError

    if isinstance(exc, WarehouseError):
        _err(str(exc))
        raise typer.Exit(1)
    raise exc


def _check_format(fmt: str) -> None:
    if fmt not in ("table", "csv", "json"):
        raise typer.BadParameter("choose table, csv or json", param_hint="--format")


def _report(result, as_json: bool) -> None:
    if result.run_id is None:               # the run could not start (say, another run writes)
        for e in result.errors or ["the run could not start"]:
            _err(e)
        raise typer.Exit(1)
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, default=_json_default))
    else:
        print_summary(result)
    _exit_for(result)


