"""The ingest and reprocess flows, run for real: Prefect (temporary server), the local demo site
on 127.0.0.1, the raw store and a DuckDB warehouse in a temporary FOERDERRADAR_HOME."""
from __future__ import annotations

import datetime as dt
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
TODAY = dt.date(2025, 3, 7)       # the demo site's deadlines lie 60-200 days after 2025-01-06
N_DOCS = 12


# ----------------------------------------------------------------------------------- fixtures

def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()                   # nothing listens here now: connections are refused
    return port


@pytest.fixture(scope="module")
def demo_port():
    return _closed_port()


def demo_site(port: int = 0, n: int = N_DOCS, changed=()):
    """The demo site; the same port gives the same URLs (a re-crawl of the same site)."""
    from extractors.demo import serve_demo_site

    return serve_demo_site(n_documents=n, port=port, changed=changed)


@pytest.fixture(scope="module")
def first_run(prefect_harness, demo_port, tmp_path_factory):
    """One real ingest of the demo site into a fresh home; later tests build on its warehouse."""
    import os

    from flows.ingest import ingest, run_result

    home = tmp_path_factory.mktemp("home")
    old = os.environ.get("FOERDERRADAR_HOME")
    os.environ["FOERDERRADAR_HOME"] = str(home)
    try:
        with demo_site(demo_port) as base:
            state = ingest(sources=["demo"], options={"demo": {"base_url": base}}, today=TODAY,
                           return_state=True)
        yield home, run_result(state), state
    finally:
        if old is None:
            os.environ.pop("FOERDERRADAR_HOME", None)
        else:
            os.environ["FOERDERRADAR_HOME"] = old


@pytest.fixture
def home_env(first_run, monkeypatch):
    home, _, _ = first_run
    monkeypatch.setenv("FOERDERRADAR_HOME", str(home))
    return home


def _views(con) -> list[str]:
    return [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_type = 'VIEW' "
        "AND table_schema = 'main' AND table_catalog = current_database() ORDER BY 1").fetchall()]


# ------------------------------------------------------------------------------- the flows

def test_ingest_loads_the_demo_site_into_every_view(first_run):
    home, result, state = first_run
    assert state.is_completed(), state.message
    assert result.status == "success", result.to_markdown()
    demo = result.sources["demo"]
    assert demo.fetched >= N_DOCS            # announcements (+ their PDFs)
    assert demo.new == demo.fetched
    assert demo.extracted == demo.loaded == demo.fetched
    assert result.new == demo.fetched
    for stage in ("crawl", "parse", "extract", "load", "publish", "total"):
        assert result.timings[stage] > 0, stage

    from warehouse import connect

    con = connect(Path(home) / "warehouse", today=TODAY)
    views = _views(con)
    assert {"open_calls", "upcoming_deadlines", "municipality_programmes"} <= set(views)
    empty = [v for v in views if con.execute(f'SELECT count(*) FROM "{v}"').fetchone()[0] == 0]
    # changes need a second version of a document (see the changed-documents test)
    assert empty == ["call_changes", "changes_since_last_run"], \
        f"views without rows after the demo ingest: {empty}"
    kinds = dict(con.execute("SELECT status, count(*) FROM runs GROUP BY 1").fetchall())
    assert kinds == {"success": 1}


def _task_runs(state) -> dict[str, str]:
    """Task run name -> state type of the flow run that ended in ``state``."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    return {r.name: r.state.type.value for r in runs}


def _log_levels(state, until: str) -> list[tuple[int, str]]:
    """(level, message) of every log line the flow run sent to the Prefect API (they are sent in
    batches: read until a line containing ``until`` arrived)."""
    import logging
    import time

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    for name in ("prefect.flow_runs", "prefect.task_runs"):
        for h in logging.getLogger(name).handlers:
            if isinstance(h, APILogHandler):
                h.flush()
    deadline = time.monotonic() + 30
    while True:
        with get_client(sync_client=True) as client:
            logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(
                any_=[state.state_details.flow_run_id])))
        lines = [(log.level, log.message) for log in logs]
        if any(until in m for _, m in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.5)


def test_prefect_names_the_run_after_its_day_and_warehouse_run(first_run):
    from prefect.client.orchestration import get_client

    _, result, state = first_run
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert run.name == f"ingest {dt.date.today():%Y-%m-%d} run {result.run_id}"
    names = set(_task_runs(state))
    assert {"crawl demo", "parse demo 1/1", "extract demo 1/1", "load demo 1/1"} <= names, names


def test_the_run_summary_is_a_prefect_artifact(first_run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey, FlowRunFilter, FlowRunFilterId

    _, result, state = first_run
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["foerderradar-ingest-summary"])),
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])))
    assert len(found) == 1 and found[0].type == "markdown"
    assert found[0].data == result.to_markdown()
    assert "## Deadlines in the next" in found[0].data
    # the analysts' report and calendar written after the run, linked from the artifact
    home = first_run[0]
    report = home / "exports" / "report.html"
    assert report.is_file() and "<svg" in report.read_text(encoding="utf-8")
    assert f"[report.html]({report.as_uri()})" in found[0].data


def test_a_second_run_with_nothing_changed_extracts_nothing(first_run, demo_port, home_env):
    from flows.ingest import ingest

    _, first, _ = first_run
    with demo_site(demo_port) as base:
        result = ingest(sources=["demo"], options={"demo": {"base_url": base}}, today=TODAY)
    demo = result.sources["demo"]
    assert result.status == "success"
    assert demo.fetched == first.sources["demo"].fetched
    assert demo.new == 0
    assert demo.extracted == 0 and demo.parsed == 0 and demo.loaded == 0
    assert demo.skipped == demo.fetched
    assert result.new == 0 and result.changed == 0 and result.unchanged == demo.fetched


def test_changed_documents_are_re_extracted_and_nothing_else(first_run, demo_port, home_env):
    from flows.ingest import ingest

    changed = {1, 5}
    with demo_site(demo_port, changed=changed) as base:
        result = ingest(sources=["demo"], options={"demo": {"base_url": base}}, today=TODAY)
    demo = result.sources["demo"]
    assert result.status == "success"
    # a changed announcement with a PDF Richtlinie changes both documents
    from extractors.demo.generator import PDF_EVERY
    n_changed = len(changed) + sum(1 for i in changed if i % PDF_EVERY == 0)
    assert demo.extracted == n_changed, demo.line()
    assert result.changed == n_changed and result.new == 0
    assert result.changes, "the moved deadlines are recorded as changes"

    from warehouse import connect

    con = connect(home_env / "warehouse", today=TODAY)
    moved = con.execute("SELECT count(*) FROM changes_since_last_run WHERE field = 'deadline'").fetchone()[0]
    assert moved >= len(changed)


def test_a_broken_source_makes_the_run_partial_and_the_others_load(prefect_harness, tmp_path,
                                                                    monkeypatch):
    from extractors.sources import all_sources
    from flows.ingest import ingest

    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    dead = f"http://127.0.0.1:{_closed_port()}/"
    if "web" in all_sources():
        sources = ["demo", "web"]
        options = {"web": {"url": dead, "allow_private_network": True}}
    else:  # a source that cannot even be built fails the same way
        sources, options = ["demo", "nosuchsource"], {}
    with demo_site() as demo_url:
        options["demo"] = {"base_url": demo_url}
        state = ingest(sources=sources, options=options, today=TODAY, return_state=True)
    from flows.ingest import run_result

    result = run_result(state)
    assert result.status == "partial"
    # Prefect shows it: not a green Completed but a failed state named Partial
    assert state.is_failed() and state.name == "Partial", state
    assert state.message.startswith("partial: source failed: " + sources[1])
    assert result.sources[sources[1]].error
    assert result.sources["demo"].loaded >= N_DOCS and not result.sources["demo"].error

    runs = _task_runs(state)
    if sources[1] == "web":
        assert runs[f"crawl {sources[1]}"] == "FAILED"
    assert runs["crawl demo"] == "COMPLETED"
    assert runs["parse demo 1/1"] == runs["extract demo 1/1"] == runs["load demo 1/1"] == "COMPLETED"
    levels = _log_levels(state, until="ingest partial")
    assert any(lvl >= 40 and f"[{sources[1]}]" in msg for lvl, msg in levels), levels   # ERROR
    assert not any(lvl >= 30 and "[demo]" in msg for lvl, msg in levels), levels     # demo: INFO only
    assert any(lvl == 30 and "ingest partial" in msg for lvl, msg in levels), levels  # WARNING

    from warehouse import connect

    con = connect(tmp_path / "warehouse")
    assert con.execute("SELECT status FROM runs").fetchall() == [("partial",)]
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] >= N_DOCS


def test_limit_caps_the_documents_per_source_and_batches_are_small(prefect_harness, tmp_path, monkeypatch):
    from flows.ingest import ingest

    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    with demo_site() as base:
        result = ingest(sources=["demo"], options={"demo": {"base_url": base}}, limit=5, batch_size=2,
                        today=TODAY)
    demo = result.sources["demo"]
    assert result.status == "success"
    assert demo.fetched == demo.loaded == 5


def test_when_every_source_fails_the_run_fails(prefect_harness, tmp_path, monkeypatch):
    from flows.ingest import ingest, run_result

    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    dead = f"http://127.0.0.1:{_closed_port()}/"
    state = ingest(sources=["demo"], options={"demo": {"base_url": dead}}, today=TODAY,
                   return_state=True)
    assert state.is_failed()
    result = run_result(state)
    assert result.status == "failed"
    assert result.sources["demo"].error and result.sources["demo"].fetch_failed >= 1


def test_crawl_is_retried_on_network_errors_and_extraction_never(prefect_harness, demo_port, tmp_path,
                                                                  monkeypatch):
    """A crawl that breaks off once is retried; a document the extractor chokes on fails alone
    (counted, loaded with its error, the run partial), and its batch is not run again."""
    import extractors.crawl
    from flows import tasks as T
    from flows.ingest import ingest, run_result

    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    real_crawl, crawls = extractors.crawl.crawl_source, []

    def flaky_crawl(*args, **kwargs):
        crawls.append(1)
        if len(crawls) == 1:
            raise ConnectionResetError("connection reset by peer")
        return real_crawl(*args, **kwargs)

    monkeypatch.setattr(extractors.crawl, "crawl_source", flaky_crawl)
    monkeypatch.setattr(T, "crawl_source", T.crawl_source.with_options(retry_delay_seconds=0))
    real_extractor, extracts = T.get_extractor(), []

    class Choking:
        def extract(self, doc, published=None):
            extracts.append(doc.source)
            if "/foerderung/0003-" in doc.source:
                raise RuntimeError("the extractor choked")
            return real_extractor.extract(doc, published)

    monkeypatch.setattr(T, "get_extractor", lambda today=None: Choking())
    with demo_site(demo_port) as base:
        state = ingest(sources=["demo"], options={"demo": {"base_url": base}}, today=TODAY, return_state=True)
    result = run_result(state)
    demo = result.sources["demo"]
    assert state.name == "Partial" and state.message == "partial: 1 documents failed", state
    assert len(crawls) == 2                           # one retry of the crawl task
    assert len(extracts) == len(set(extracts)) == demo.fetched   # every document extracted once
    assert result.status == "partial" and demo.failed == 1 and not demo.error
    assert demo.loaded == demo.fetched
    assert any("the extractor choked" in f for f in demo.failures)


def test_new_documents_are_loaded_while_the_crawl_goes_on(prefect_harness, tmp_path, monkeypatch):
    """Bytes the warehouse has never held need no plan: they are parsed, extracted and loaded in
    batches while their source is still being crawled (the parse workers work while the flow
    process fetches). The crawl here waits at its end until something is loaded; a flow that
    processed only finished crawls would never load before it and the wait would run out."""
    import threading

    import extractors.crawl
    from flows.ingest import ingest, run_result
    from warehouse import Warehouse, connect

    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    loaded, waited = threading.Event(), []
    real_crawl, real_load = extractors.crawl.crawl_source, Warehouse.load

    def crawl_that_waits_at_its_end(*args, **kwargs):
        report = real_crawl(*args, **kwargs)
        waited.append(loaded.wait(60))
        return report

    def load(self, run_id, items):
        stats = real_load(self, run_id, items)
        loaded.set()
        return stats

    monkeypatch.setattr(extractors.crawl, "crawl_source", crawl_that_waits_at_its_end)
    monkeypatch.setattr(Warehouse, "load", load)
    with demo_site(n=6) as base:
        state = ingest(sources=["demo"], options={"demo": {"base_url": base}}, batch_size=2,
                       today=TODAY, return_state=True)
    result = run_result(state)
    demo = result.sources["demo"]
    assert waited == [True]                       # loaded while the crawl was still running
    names = set(_task_runs(state))
    assert {"parse demo new 1", "extract demo new 1", "load demo new 1"} <= names, names
    # the same outcome as a plan after the crawl: every document new, loaded once
    assert result.status == "success" and demo.extracted == demo.loaded == demo.fetched
    assert result.new == demo.fetched and result.unchanged == 0
    con = connect()
    assert con.execute("SELECT count(*), count(DISTINCT url) FROM documents").fetchone() == \
        (demo.fetched, demo.fetched)
    con.close()


def test_a_crawl_retried_after_it_stored_documents_loads_each_once(prefect_harness, tmp_path, monkeypatch):
    """A crawl that breaks off after it has stored (and the flow loaded) documents is retried;
    the retry sees them again, and none is extracted or loaded twice."""
    import extractors.crawl
    from flows import tasks as T
    from flows.ingest import ingest, run_result
    from warehouse import connect

    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    real_crawl, crawls = extractors.crawl.crawl_source, []

    def crawl_that_breaks_off_once(*args, **kwargs):
        crawls.append(1)
        report = real_crawl(*args, **kwargs)
        if len(crawls) == 1:
            raise ConnectionResetError("connection reset by peer")
        return report

    monkeypatch.setattr(extractors.crawl, "crawl_source", crawl_that_breaks_off_once)
    monkeypatch.setattr(T, "crawl_source", T.crawl_source.with_options(retry_delay_seconds=0))
    real_extractor, extracts = T.get_extractor(), []

    class Counting:
        def extract(self, doc, published=None):
            extracts.append(doc.source)
            return real_extractor.extract(doc, published)

    monkeypatch.setattr(T, "get_extractor", lambda today=None: Counting())
    with demo_site(n=6) as base:
        result = run_result(ingest(sources=["demo"], options={"demo": {"base_url": base}},
                                   batch_size=2, today=TODAY, return_state=True))
    demo = result.sources["demo"]
    assert len(crawls) == 2 and result.status == "success"
    assert len(extracts) == len(set(extracts)) == demo.fetched
    assert demo.loaded == demo.fetched and result.new == demo.fetched
    con = connect()
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == demo.fetched
    con.close()


def test_a_hung_parse_times_out_and_the_night_goes_on(prefect_harness, tmp_path, monkeypatch):
    """A parse that never returns (a PDF whose references loop, say) ends its task TimedOut at the
    batch time limit; its source fails, the other source loads, the run ends Partial."""
    from extractors.sources.demo import DemoSource
    from flows import tasks as T
    from flows.ingest import ingest, run_result

    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    monkeypatch.setattr(T, "parse_documents", T.parse_documents.with_options(timeout_seconds=3))

    def hang(source, record, data):
        if isinstance(source, DemoSource):
            while True:      # the parse step itself hangs (the per-document guard is tested in
                pass         # test_parse_hostile_pdfs): the task's time limit is the backstop
        return list(source.documents(record, data))

    import extractors.parse.guard

    monkeypatch.setattr(extractors.parse.guard, "guarded_documents", hang)
    with demo_site(n=3) as base:
        state = ingest(sources=["demo", "web"], today=TODAY, return_state=True,
                       options={"demo": {"base_url": base},
                                "web": {"feed": base + "feed.xml", "allow_private_network": True, "delay": 0}})
    result = run_result(state)
    assert state.name == "Partial", state
    assert "demo" in state.message
    assert "timed out" in result.sources["demo"].error.lower(), result.sources["demo"].error
    assert result.sources["web"].loaded >= 1 and not result.sources["web"].error
    runs = _task_runs(state)
    assert runs["parse demo 1/1"] == "FAILED"
    assert runs["crawl demo"] == runs["crawl web"] == runs["load web 1/1"] == "COMPLETED"


def test_a_run_past_its_time_limit_ends_failed(prefect_harness, tmp_path, monkeypatch):
    """The run's own limit: it ends failed and loads nothing of the hung source. (Where the limit
    strikes inside a task that has a limit of its own, Prefect reports that task TimedOut and the
    run ends failed; elsewhere the run itself ends TimedOut and is rolled back as aborted.)"""
    from extractors.sources.demo import DemoSource
    from flows.ingest import ingest

    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))

    def hang(source, record, data):
        if isinstance(source, DemoSource):
            while True:      # the guarded parse step itself hangs (a patched source method
                pass         # would not reach the parse worker)
        return list(source.documents(record, data))

    import extractors.parse.guard

    monkeypatch.setattr(extractors.parse.guard, "guarded_documents", hang)
    with demo_site(n=2) as base:
        state = ingest.with_options(timeout_seconds=4)(
            sources=["demo"], options={"demo": {"base_url": base}}, today=TODAY, return_state=True)
    assert state.is_failed(), state
    assert "timed out" in (state.message or "").lower() or state.name == "TimedOut", state

    from warehouse import Warehouse

    with Warehouse(tmp_path / "warehouse") as wh:
        (status,) = wh.con.execute("SELECT status FROM runs").fetchall()
        assert wh.con.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    assert status[0] in ("aborted", "failed"), status


def test_every_task_and_the_run_have_a_time_limit():
    from flows import tasks as T
    from flows.ingest import ingest, reprocess

    assert T.crawl_source.timeout_seconds == T.CRAWL_TIMEOUT_S == 6 * 3600
    assert T.parse_documents.timeout_seconds == T.extract_documents.timeout_seconds == T.BATCH_TIMEOUT_S == 1800
    assert ingest.timeout_seconds == reprocess.timeout_seconds == T.RUN_TIMEOUT_S == 20 * 3600


def test_time_limits_are_settings(monkeypatch):
    from flows import tasks as T

    monkeypatch.setenv("FOERDERRADAR_BATCH_TIMEOUT_S", "90")
    assert T._seconds("FOERDERRADAR_BATCH_TIMEOUT_S", 1800) == 90
    for bad in ("0", "-5", "soon"):
        monkeypatch.setenv("FOERDERRADAR_BATCH_TIMEOUT_S", bad)
        with pytest.raises(ValueError, match="FOERDERRADAR_BATCH_TIMEOUT_S.*greater than 0"):
            T._seconds("FOERDERRADAR_BATCH_TIMEOUT_S", 1800)


READER = textwrap.dedent("""
    import sys
    from warehouse import connect
    con = connect(sys.argv[1])
    n = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    print(n, flush=True)
    sys.stdin.read()            # hold the warehouse open until the test closes stdin
    print(con.execute("SELECT count(*) FROM documents").fetchone()[0], flush=True)
""")


def test_a_reader_holding_the_warehouse_open_does_not_block_a_run(first_run, demo_port, home_env):
    from flows.ingest import ingest

    reader = subprocess.Popen([sys.executable, "-c", READER, str(home_env / "warehouse")], cwd=REPO,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        before = int(reader.stdout.readline())
        assert before >= N_DOCS
        with demo_site(demo_port, n=N_DOCS + 3) as base:
            result = ingest(sources=["demo"], options={"demo": {"base_url": base}}, today=TODAY)
        assert result.status == "success", result.to_markdown()
        assert result.new >= 3
        out, err = reader.communicate("", timeout=60)
        assert reader.returncode == 0, err
        assert int(out.strip()) == before            # the reader kept its consistent snapshot
    finally:
        if reader.poll() is None:
            reader.kill()
    from warehouse import connect

    assert connect().execute("SELECT count(*) FROM documents").fetchone()[0] >= before + 3


def test_a_page_that_moved_keeps_its_identity_and_is_not_extracted_again(prefect_harness, tmp_path,
                                                                         monkeypatch):
    """The same bytes at a new address, the old one no longer seen: the document moves (same
    document_id and history), nothing is extracted, no document is new; reprocess keeps it."""
    from flows.ingest import ingest, reprocess
    from warehouse import connect

    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    with demo_site(n=6) as base:
        ingest(sources=["demo"], options={"demo": {"base_url": base}}, today=TODAY)
    con = connect()
    before = dict(con.execute("SELECT document_id, url FROM documents").fetchall())
    con.close()
    with demo_site(n=6) as base:                    # another port: every URL is new
        result = ingest(sources=["demo"], options={"demo": {"base_url": base}}, today=TODAY)
    con = connect()
    after = dict(con.execute("SELECT document_id, url FROM documents").fetchall())
    moved_from = con.execute("SELECT count(*) FROM documents WHERE url LIKE ? AND "
                             "len(moved_from) = 1", [base + "%"]).fetchone()[0]
    run = con.execute("SELECT moved, new_documents, unchanged FROM runs_overview LIMIT 1").fetchone()
    con.close()
    demo = result.sources["demo"]
    assert result.status == "success"
    assert demo.extracted == 0 and result.new == 0 and result.moved == demo.fetched
    assert set(after) == set(before)                # same identities, no new document
    assert moved_from == demo.fetched and run == (demo.fetched, 0, 0)
    # the raw store still knows the first addresses: reprocess follows the moves
    forced = reprocess(force=True, today=TODAY)
    assert forced.new == 0 and forced.extracted == sum(s.fetched for s in forced.sources.values())
    con = connect()
    assert dict(con.execute("SELECT document_id, url FROM documents").fetchall()) == after
    con.close()


def test_reprocess_re_extracts_the_raw_store_without_network(first_run, home_env):
    from flows.ingest import reprocess

    # no demo site is running now: reprocess reads the raw store only
    unchanged = reprocess(today=TODAY)
    assert unchanged.status == "success"
    assert unchanged.extracted == 0 and sum(s.skipped for s in unchanged.sources.values()) > 0
    forced = reprocess(force=True, today=TODAY)
    assert forced.status == "success"
    assert forced.extracted == sum(s.fetched for s in forced.sources.values()) > 0
    assert forced.new == 0


# ------------------------------------------------------------------------- pieces, no Prefect

def test_progress_line_and_markdown_summary():
    from flows.ingest import IngestResult, SourceStats

    s = SourceStats("demo", fetched=40, new=12, parsed=12, extracted=12, loaded=12, skipped=28)
    assert s.line().startswith("[demo] fetched 40 (12 new), parsed 12, extracted 12, loaded 12")
    r = IngestResult(flow="ingest", run_id="r1", status="partial", new=12, changed=3,
                     sources={"demo": s, "web": SourceStats("web", error="ConnectError: refused")},
                     deadlines=[{"date": dt.date(2025, 4, 30), "programme": "Förderaufruf A|B", "url": "u"}],
                     timings={"crawl": 1.0, "total": 2.5})
    md = r.to_markdown()
    assert "# foerderradar ingest: partial" in md
    assert "**12 new, 3 changed" in md
    assert "| web | 0 | 0 | 0 | 0 | 0 | ConnectError: refused |" in md
    assert "| 2025-04-30 | Förderaufruf A\\|B |  |  | u |" in md


def test_batches_cover_every_item_once():
    from flows.ingest import batched

    assert [len(b) for b in batched(range(450), 200)] == [200, 200, 50]
    assert list(batched([], 200)) == []


def test_only_transient_errors_are_retried():
    import aiohttp
    import httpx
    from prefect.states import Failed

    from flows.tasks import _transient

    def failed(exc):
        return Failed(data=exc)

    assert _transient(None, None, failed(ConnectionRefusedError("refused")))
    assert _transient(None, None, failed(httpx.ConnectError("refused")))
    assert _transient(None, None, failed(aiohttp.ServerDisconnectedError()))
    assert _transient(None, None, failed(aiohttp.ClientPayloadError("Response payload is not completed")))
    assert not _transient(None, None, failed(aiohttp.InvalidURL("http://[::1")))
    assert not _transient(None, None, failed(ValueError("bad option")))
    assert not _transient(None, None, failed(KeyError("bug")))


def test_one_extractor_per_process():
    from flows.tasks import get_extractor

    assert get_extractor() is get_extractor()


def test_prefect_yaml_declares_the_nightly_deployment(monkeypatch):
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    deps = {d["name"]: d for d in spec["deployments"]}
    dep = deps["nightly"]
    assert dep["entrypoint"] == "flows/ingest.py:ingest"
    assert dep["schedules"] == [{"cron": "0 2 * * *", "timezone": "Europe/Berlin", "active": True}]
    # the sharded night is the alternative: declared, but only one nightly schedule is active
    active = [n for n, d in deps.items() if any(s.get("active") for s in d.get("schedules", []))]
    assert active == ["nightly"]
    from prefect.flows import load_flow_from_entrypoint

    monkeypatch.chdir(REPO)
    assert load_flow_from_entrypoint(dep["entrypoint"]).name == "ingest"
    assert load_flow_from_entrypoint(deps["nightly-sharded"]["entrypoint"]).name == "sharded_ingest"
    assert load_flow_from_entrypoint(deps["shard"]["entrypoint"]).name == "shard"


def test_serve_builds_the_same_schedule():
    from flows.serve import build_deployment

    d = build_deployment(sources=["demo"], limit=5)
    (sched,) = d.schedules
    assert sched.schedule.cron == "0 2 * * *"
    assert sched.schedule.timezone == "Europe/Berlin"
    assert d.parameters == {"sources": ["demo"], "limit": 5}
    assert d.entrypoint == "flows.ingest.ingest"


def test_loading_a_register_re_links_every_document_on_the_next_run(prefect_harness, tmp_path, monkeypatch):
    """The register's Gebietsstand is part of the extraction key: after `gazetteer load`, the next
    ingest re-extracts (and so re-links) every document without --force, and says so."""
    from extractors.fields.gazetteer import install
    from flows.ingest import ingest

    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    with demo_site(0, n=4) as base:
        opts = {"demo": {"base_url": base}}
        before = ingest(sources=["demo"], options=opts, today=TODAY)
        install(REPO / "tests" / "fixtures" / "gv100ad_small.txt")
        after = ingest(sources=["demo"], options=opts, today=TODAY)
        again = ingest(sources=["demo"], options=opts, today=TODAY)
    fetched = before.sources["demo"].fetched
    assert before.sources["demo"].extracted == fetched > 0
    assert after.sources["demo"].extracted == fetched          # re-linked, no --force needed
    assert again.sources["demo"].extracted == 0                # and then cached again

    import warehouse
    con = warehouse.connect()
    versions = {v for (v,) in con.execute(
        "SELECT DISTINCT e.extractor_version FROM documents d "
        "JOIN extractions e ON e.extraction_id = d.current_extraction_id").fetchall()}
    con.close()
    assert len(versions) == 1 and next(iter(versions)).endswith("+gv" + _fixture_stand())


def _fixture_stand() -> str:
    from extractors.fields.gazetteer import Gazetteer
    return f"{Gazetteer.from_gv100ad(REPO / 'tests' / 'fixtures' / 'gv100ad_small.txt').gebietsstand:%Y%m%d}"


def test_every_sql_example_in_the_readme_runs_on_a_real_warehouse(first_run, home_env):
    """The README's notebook queries stay true: each ```sql block runs on the demo warehouse."""
    import re

    import warehouse

    blocks = re.findall(r"```sql\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 5
    con = warehouse.connect(today=TODAY)
    try:
        for sql in blocks:
            con.execute(sql).fetchall()
    finally:
        con.close()
