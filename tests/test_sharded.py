"""The sharded nightly run for real: a Prefect server on loopback, a process work pool with two
workers (separate processes, each with its own empty home), the raw store on a loopback S3
server, two demo sites on two loopback hosts (127.0.0.1, 127.0.0.2); the result must equal a single-process ingest."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loopback import free_port

pytest.importorskip("obstore")
pytest.importorskip("moto")


REPO = Path(__file__).resolve().parents[1]
PREFECT = str(Path(sys.executable).with_name("prefect"))
TODAY = dt.date(2025, 3, 7)
POOL = "foerderradar-test"


def _wait_healthy(url: str, proc, seconds: float = 180) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"prefect server exited with {proc.returncode}")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"prefect server not healthy within {seconds:g} s")


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    """`prefect server start` on a free loopback port with its own PREFECT_HOME."""
    home = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_API_URL=api,
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_UI_ENABLED="false")
    log = open(home / "server.log", "w")
    proc = subprocess.Popen([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_healthy(api, proc)
        yield api, env
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()


def _run(cmd, env, timeout=180):
    out = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def _table(home: Path, sql: str) -> list[tuple]:
    import warehouse

    con = warehouse.connect(home / "warehouse")
    try:
        return sorted(con.execute(sql).fetchall(), key=repr)
    finally:
        con.close()


CONTENT = {
    "documents": "SELECT d.url FROM documents d",
    "amounts": "SELECT d.url, a.value_eur FROM amounts a JOIN extractions e USING (extraction_id) "
               "JOIN documents d ON d.current_extraction_id = e.extraction_id",
    "deadlines": "SELECT d.url, dl.date FROM deadlines dl JOIN extractions e USING (extraction_id) "
                 "JOIN documents d ON d.current_extraction_id = e.extraction_id",
}


@pytest.mark.slow
def test_sharded_run_on_two_workers_equals_single_process(prefect_server, s3_env, tmp_path, monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from extractors.demo import serve_demo_site
    from flows.ingest import ingest, run_result
    from flows.shard import sharded_ingest

    api, env = prefect_server
    env = dict(env, FOERDERRADAR_RAW=s3_env, **{k: os.environ[k] for k in os.environ if k.startswith("AWS_")})
    _run([PREFECT, "work-pool", "create", POOL, "--type", "process"], env)
    _run([sys.executable, "-c",
          "from prefect import flow\n"
          f"flow.from_source(source={str(REPO)!r}, entrypoint='flows/shard.py:shard')"
          f".deploy(name='shard', work_pool_name={POOL!r}, print_next_steps=False)"], env)
    workers = []
    for i in (1, 2):
        wenv = dict(env, FOERDERRADAR_HOME=str(tmp_path / f"worker-{i}"))
        log = open(tmp_path / f"worker-{i}.log", "w")
        workers.append((subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", POOL, "--name", f"w{i}", "--limit", "1"],
            env=wenv, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True), log))
    try:
        with serve_demo_site(n_documents=8, host="127.0.0.1") as site_a, \
                serve_demo_site(n_documents=6, host="127.0.0.2", seed=1) as site_b:   # another host
            options = {"demo": {"base_url": site_a},
                       "web": {"feed": site_b + "feed.xml", "allow_private_network": "true",
                               "delay": "0", "concurrency": "4"}}
            monkeypatch.setenv("FOERDERRADAR_RAW", s3_env)
            monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path / "parent"))
            with temporary_settings(updates={PREFECT_API_URL: api}):
                sharded = run_result(sharded_ingest(sources=["demo", "web"], shards=2, options=options,
                                                    today=TODAY, shard_timeout=600, return_state=True))
                monkeypatch.delenv("FOERDERRADAR_RAW")
                monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path / "single"))
                single = run_result(ingest(sources=["demo", "web"], options=options, today=TODAY,
                                           return_state=True))
    finally:
        for proc, log in workers:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
            log.close()
    logs = "\n".join((tmp_path / f"worker-{i}.log").read_text()[-3000:] for i in (1, 2))
    assert sharded.status == "success", (sharded.errors, [s.error for s in sharded.sources.values()], logs)
    assert single.status == "success"
    assert {n: s.loaded for n, s in sharded.sources.items()} == {n: s.loaded for n, s in single.sources.items()}
    assert all(s.loaded for s in sharded.sources.values()), [s.line() for s in sharded.sources.values()]
    assert sharded.loaded == single.loaded > 8
    for name, sql in CONTENT.items():
        got, want = _table(tmp_path / "parent", sql), _table(tmp_path / "single", sql)
        assert got == want and got, name
    # the work pool's workers ran the two shards (each worker with its own empty home: no local
    # crawl state, no warehouse; the raw store on S3 is all they share)
    import re
    full = "\n".join((tmp_path / f"worker-{i}.log").read_text() for i in (1, 2))
    ran = set(re.findall(r"Flow run '\S+ (shard-\d)' submitted to infrastructure", full))
    assert ran == {"shard-1", "shard-2"}, logs


class _Src:
    def __init__(self, *urls, hosts=()):
        self.urls, self.allowed_hosts = list(urls), list(hosts)

    def seed_urls(self):
        return self.urls


def test_plan_keeps_each_host_in_one_shard():
    from flows.shard import plan_shards

    sources = {"land_a": _Src("https://www.land-a.de/aufrufe/"),
               "land_a_pdf": _Src("https://service.land-a.de/x", hosts=["www.land-a.de", "service.land-a.de"]),
               "bund": _Src("https://www.bund.de/foerderung/"),
               "eu": _Src("https://ec.europa.eu/calls"),
               "kreis": _Src("https://www.kreis.de/", hosts=["www.kreis.de", "ec.europa.eu"])}
    plan = plan_shards(sources, 3)
    where = {name: i for i, names in enumerate(plan) for name in names}
    assert sorted(where) == sorted(sources)
    assert where["land_a"] == where["land_a_pdf"]          # they share www.land-a.de
    assert where["eu"] == where["kreis"]                   # they share ec.europa.eu
    assert len(plan) == 3 and where["bund"] not in (where["land_a"], where["eu"])
    assert plan_shards(sources, 1) == [sorted(sources)]
    assert len(plan_shards(sources, 10)) == 3              # no more shards than host groups


def _shards_in_process(batch, plan, options, limit, batch_size, deployment, timeout, log):
    """run_shards without a work pool: each shard flow runs here, one after the other."""
    from flows.shard import shard, shard_keys

    out = {}
    for i, names in enumerate(plan):
        name = f"shard-{i + 1}"
        shard(batch, name, names, {n: options[n] for n in names if n in options}, limit, batch_size)
        out[name] = shard_keys(batch, name)
    return out


def test_the_sharded_load_counts_unchanged_and_moves_pages_like_ingest(prefect_harness, tmp_path, monkeypatch):
    """The parent loads shard results through the warehouse's planner, as ``ingest`` does: a
    second night on the same site finds every document unchanged, and the same bytes at new
    addresses move their documents (same identities, nothing new) instead of loading copies."""
    import flows.shard as S
    from extractors.demo import serve_demo_site
    from flows.ingest import run_result

    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    monkeypatch.setattr(S, "run_shards", _shards_in_process)

    def night(port: int = 0):
        with serve_demo_site(n_documents=6, port=port) as base:
            r = run_result(S.sharded_ingest(sources=["demo"], shards=1, options={"demo": {"base_url": base}},
                                            today=TODAY, return_state=True))
        return r, base

    first, base = night()
    port = int(base.rstrip("/").rsplit(":", 1)[1])
    same, _ = night(port)
    moved, new_base = night()                       # another port: every URL is new, the bytes are not
    docs = lambda: _table(tmp_path, "SELECT document_id, url FROM documents")  # noqa: E731
    assert first.status == same.status == moved.status == "success"
    assert first.new == first.sources["demo"].loaded > 0
    fetched = same.sources["demo"].fetched
    assert same.sources["demo"].skipped == fetched and same.sources["demo"].loaded == 0
    assert moved.moved == fetched and moved.new == 0 and moved.sources["demo"].loaded == 0
    after = docs()
    assert len(after) == first.new and all(u.startswith(new_base) for _d, u in after)
