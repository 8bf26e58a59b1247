"""``foerderradar ingest | reprocess | runs | query | export | demo`` end to end: the real CLI
in-process, real flows on Prefect's test server, the demo site on 127.0.0.1, DuckDB in tmp."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from typer.testing import CliRunner

from flows.cli import app
from loopback import free_port

N_DOCS = 8


@pytest.fixture(scope="module")
def runner():
    return CliRunner()


@pytest.fixture(scope="module")
def ingested(prefect_harness, runner, tmp_path_factory):
    """`foerderradar ingest` of the demo site into a fresh home; returns (home, result)."""
    from extractors.demo import serve_demo_site

    home = tmp_path_factory.mktemp("cli-home")
    with serve_demo_site(n_documents=N_DOCS) as base:
        res = runner.invoke(app, ["ingest", "--source", "demo", "--option", f"demo.base_url={base}",
                                  "--home", str(home), "--json"])
    return home, res


def _json(res) -> dict:
    return json.loads(res.stdout.strip().splitlines()[-1])


def _query(runner, home, sql: str, fmt: str = "json"):
    return runner.invoke(app, ["query", sql, "--format", fmt, "--home", str(home)])


def test_ingest_runs_the_flow_and_prints_the_summary(ingested):
    home, res = ingested
    assert res.exit_code == 0, res.output
    summary = _json(res)
    assert summary["status"] == "success"
    assert summary["sources"]["demo"]["loaded"] == summary["sources"]["demo"]["fetched"] >= N_DOCS
    assert summary["new"] == summary["sources"]["demo"]["fetched"]
    assert (home / "warehouse").is_dir() and (home / "raw" / "demo").is_dir()


def test_ingest_prints_a_table_summary_and_exits_1_when_a_source_fails(prefect_harness, runner, tmp_path):
    from extractors.demo import serve_demo_site

    dead = f"http://127.0.0.1:{free_port()}/"
    with serve_demo_site(n_documents=3) as base:
        ok = runner.invoke(app, ["ingest", "-s", "demo", "-o", f"demo.base_url={base}", "--home", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    assert "success" in ok.stdout and "demo" in ok.stdout
    bad = runner.invoke(app, ["ingest", "-s", "demo", "-o", f"demo.base_url={dead}", "--home", str(tmp_path)])
    assert bad.exit_code == 1
    assert "failed" in bad.stdout
    assert "Traceback" not in bad.output


def test_ingest_while_another_run_writes_says_so(prefect_harness, runner, tmp_path):
    from prefect.client.orchestration import get_client

    from warehouse import Warehouse

    with get_client(sync_client=True) as client:
        before = client.count_flow_runs()
    with Warehouse(tmp_path / "warehouse"):       # another writer holds the warehouse
        res = runner.invoke(app, ["ingest", "-s", "demo", "-o", "demo.base_url=http://127.0.0.1:9/",
                                  "--home", str(tmp_path)])
    assert res.exit_code == 2
    assert "another run is writing the warehouse" in res.stderr
    assert "Traceback" not in res.output
    with get_client(sync_client=True) as client:
        assert client.count_flow_runs() == before       # refused before a flow run was made


def test_ingest_usage_errors_exit_2(runner, tmp_path):
    res = runner.invoke(app, ["ingest", "--source", "nosuchsource", "--home", str(tmp_path)])
    assert res.exit_code == 2
    assert "nosuchsource" in res.output
    res = runner.invoke(app, ["ingest", "--option", "base_url", "--home", str(tmp_path)])
    assert res.exit_code == 2
    assert "SOURCE.KEY=VALUE" in res.output


def test_runs_lists_the_run(ingested, runner):
    home, _ = ingested
    res = runner.invoke(app, ["runs", "--format", "json", "--home", str(home)])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert rows[0]["flow"] == "ingest" and rows[0]["status"] == "success"
    assert rows[0]["new"] >= N_DOCS
    table = runner.invoke(app, ["runs", "--home", str(home)])
    assert table.exit_code == 0 and "success" in table.stdout and "ingest" in table.stdout


def test_query_formats(ingested, runner):
    home, _ = ingested
    res = _query(runner, home, "SELECT count(*) AS n FROM documents")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["n"] >= N_DOCS
    res = _query(runner, home, "SELECT url FROM documents ORDER BY url", "csv")
    rows = list(csv.reader(io.StringIO(res.stdout)))
    assert rows[0] == ["url"] and len(rows) - 1 >= N_DOCS
    res = _query(runner, home, "SELECT url FROM documents ORDER BY url LIMIT 2", "table")
    assert res.exit_code == 0 and "url" in res.stdout and "127.0.0.1" in res.stdout


def test_query_bad_sql_and_writes_are_clear_errors(ingested, runner):
    home, _ = ingested
    res = _query(runner, home, "SELEKT nothing")
    assert res.exit_code == 1
    assert "query failed" in res.stderr and "Traceback" not in res.output
    res = _query(runner, home, "DELETE FROM documents")
    assert res.exit_code == 1 and "query failed" in res.stderr
    again = _query(runner, home, "SELECT count(*) AS n FROM documents")
    assert json.loads(again.stdout)["n"] >= N_DOCS


def test_query_without_a_warehouse_says_what_to_do(runner, tmp_path):
    res = _query(runner, tmp_path / "empty", "SELECT 1")
    assert res.exit_code == 1
    assert "foerderradar ingest" in res.stderr and "Traceback" not in res.output


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_writes_every_table_and_view(ingested, runner, tmp_path, fmt):
    import duckdb

    home, _ = ingested
    out = tmp_path / "export"
    res = runner.invoke(app, ["export", "--format", fmt, str(out), "--home", str(home)])
    assert res.exit_code == 0, res.output
    names = json.loads(_query(runner, home, "SELECT list(table_name ORDER BY table_name) AS t FROM "
                              "information_schema.tables WHERE table_schema = 'main' "
                              "AND table_catalog = current_database()").stdout)["t"]
    assert {p.stem for p in out.iterdir()} == set(names)
    reader = "read_parquet" if fmt == "parquet" else "read_csv_auto"
    n_docs = json.loads(_query(runner, home, "SELECT count(*) AS n FROM documents").stdout)["n"]
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*) FROM {reader}('{out / ('documents.' + fmt)}')").fetchone()[0] == n_docs


def test_export_without_a_folder_writes_into_the_home(ingested, runner, tmp_path, monkeypatch):
    home, _ = ingested
    monkeypatch.chdir(tmp_path)                     # say, the checkout
    res = runner.invoke(app, ["export", "--format", "csv", "--home", str(home)])
    assert res.exit_code == 0, res.output
    assert (home / "export" / "open_calls.csv").is_file()
    assert list(tmp_path.iterdir()) == []           # nothing left in the working directory


def test_reprocess_re_extracts_from_the_raw_store(ingested, runner):
    home, first = ingested
    fetched = _json(first)["sources"]["demo"]["fetched"]
    res = runner.invoke(app, ["reprocess", "--home", str(home), "--json"])
    assert res.exit_code == 0, res.output
    assert _json(res)["extracted"] == 0              # this extractor version did them all already
    res = runner.invoke(app, ["reprocess", "--force", "--home", str(home), "--json"])
    assert res.exit_code == 0, res.output
    assert _json(res)["extracted"] == fetched


def test_demo_is_the_whole_pipeline_on_one_machine(prefect_harness, runner, tmp_path):
    res = runner.invoke(app, ["demo", "--documents", "6", "--port", "0", "--home", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert "foerderradar query" in res.stdout
    assert res.stdout.count("$ foerderradar query") == 4
    assert (tmp_path / "warehouse").is_dir()


# ------------------------------------------------------------------------------ the demo's proof
@pytest.fixture(scope="module")
def two_nights(prefect_harness, tmp_path_factory):
    """`foerderradar demo` and `foerderradar demo --night 2` into one home, on one port."""
    from typer.testing import CliRunner

    home = tmp_path_factory.mktemp("demo-home")
    port = free_port()
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--port", str(port), "--home", str(home)])
    second = runner.invoke(app, ["demo", "--night", "2", "--port", str(port), "--home", str(home)])
    return home, first, second


def _readme_queries() -> list[str]:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", readme, re.S)


def test_two_demo_nights_make_every_readme_query_return_rows(two_nights):
    import warehouse
    from extractors.demo.generator import site_today

    home, first, second = two_nights
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    con = warehouse.connect(home / "warehouse", today=site_today(40, 2))
    try:
        blocks = _readme_queries()
        assert len(blocks) >= 5
        empty = [sql for sql in blocks if not con.execute(sql).fetchall()]
        assert empty == []
        rows, calls = con.execute("SELECT count(*), count(DISTINCT call_id) FROM open_calls").fetchone()
        assert rows == calls > 0
        assert con.execute("SELECT count(*) FROM open_calls WHERE rolling AND next_deadline IS NULL "
                           "AND deadline_kind = 'laufend'").fetchone()[0] > 0
        assert con.execute("SELECT count(*) FROM open_calls WHERE len(sources) > 1").fetchone()[0] > 0
        changed = dict(con.execute("SELECT field, count(*) FROM changes_since_last_run GROUP BY ALL"
                                   ).fetchall())
        assert changed.get("deadline", 0) > 0 and changed.get("amount", 0) > 0
        assert changed.get("document", 0) > 0                 # the calls retired on night 2
        from warehouse import queries
        assert queries.failed_checks(con) == {}
        # the counts agree: console, runs, runs_overview
        run = con.execute("SELECT new_documents, new_versions, unchanged, gone, failed "
                          "FROM runs_overview LIMIT 1").fetchone()
    finally:
        con.close()
    assert (f"documents: {run[0]} new, {run[1]} changed, 0 re-extracted, {run[2]} unchanged, "
            f"0 moved, {run[3]} gone, {run[4]} failed") in second.stdout


def test_the_demo_refuses_a_taken_port_instead_of_moving(prefect_harness, runner, tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        res = runner.invoke(app, ["demo", "--port", str(port), "--home", str(tmp_path)])
    assert res.exit_code == 2
    assert f"port {port}" in res.output and "--port" in res.output
    assert not (tmp_path / "warehouse" / "work" / "warehouse.duckdb").exists()   # no run recorded



@pytest.mark.slow
def test_serve_registers_the_nightly_schedule_and_stops_cleanly(tmp_path):
    """`foerderradar serve` in its own process: starts a Prefect server on loopback, registers
    ingest/nightly (02:00 Europe/Berlin), the server's scheduler creates the upcoming runs (what
    SQLAlchemy 2.1 broke: "Can't evaluate bulk DML statement"), and on Ctrl-C it stops the server."""
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    port = free_port()
    env = dict(os.environ, PREFECT_HOME=str(tmp_path / "prefect"), FOERDERRADAR_HOME=str(tmp_path / "home"),
               PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2")   # default 60: the test need not wait
    env.pop("PREFECT_API_URL", None)
    # Ctrl-C must reach it even where this test runs with SIGINT ignored (a job started in the
    # background by a non-interactive shell inherits that, and Python then installs no handler)
    # (stderr to a file: a pipe nobody reads while it runs could fill and block it)
    err_path = tmp_path / "serve.err"
    with open(err_path, "w") as err_file:
        proc = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=err_file, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    api = f"http://127.0.0.1:{port}/api"
    try:
        deployment = None
        deadline = time.monotonic() + 120
        while deployment is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                req = urllib.request.Request(f"{api}/deployments/filter", data=b"{}", method="POST",
                                             headers={"Content-Type": "application/json"})
                with urllib.request.urlopen(req, timeout=5) as resp:
                    found = json.loads(resp.read())
                deployment = next((d for d in found if d["name"] == "nightly"), None)
            except OSError:
                pass
            if deployment is None:
                time.sleep(1)
        assert deployment is not None, err_path.read_text() if proc.poll() is not None else "timeout"
        (sched,) = deployment["schedules"]
        assert sched["schedule"]["cron"] == "0 2 * * *"
        assert sched["schedule"]["timezone"] == "Europe/Berlin"
        assert deployment["entrypoint"] == "flows.ingest.ingest"

        scheduled, deadline = [], time.monotonic() + 90
        body = json.dumps({"deployments": {"id": {"any_": [deployment["id"]]}},
                           "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}}).encode()
        while len(scheduled) < 3 and time.monotonic() < deadline and proc.poll() is None:
            req = urllib.request.Request(f"{api}/flow_runs/filter", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=5) as resp:
                scheduled = json.loads(resp.read())
            time.sleep(1)
        from importlib.metadata import version
        assert len(scheduled) >= 3, (f"the scheduler created {len(scheduled)} upcoming runs "
                                     f"(SQLAlchemy {version('sqlalchemy')})")
        from zoneinfo import ZoneInfo
        times = sorted(dt.datetime.fromisoformat(r["expected_start_time"]).astimezone(ZoneInfo("Europe/Berlin"))
                       for r in scheduled)
        assert all((t.hour, t.minute) == (2, 0) for t in times), times
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    time.sleep(1)
    with pytest.raises(OSError):           # the server it started is gone too
        urllib.request.urlopen(f"{api}/health", timeout=2)
