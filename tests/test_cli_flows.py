"""The command line around the flows, as a user meets it: the real ``foerderradar`` executable in
its own process, temporary homes, no Prefect server unless a test starts one."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "flows.cli"]


def _env(tmp_path: Path, **extra) -> dict[str, str]:
    env = dict(os.environ, FOERDERRADAR_HOME=str(tmp_path / "home"), PREFECT_HOME=str(tmp_path / "prefect"),
               PREFECT_SERVER_ANALYTICS_ENABLED="false", COLUMNS="400", **extra)
    env.pop("PREFECT_API_URL", None)
    return env


def _run(args, tmp_path, timeout=120, **extra):
    return subprocess.run(CLI + list(args), env=_env(tmp_path, **extra), cwd=tmp_path, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def _prefect_started(tmp_path: Path) -> bool:
    """A Prefect server (temporary or not) creates its database under PREFECT_HOME."""
    return (tmp_path / "prefect" / "prefect.db").exists()


@pytest.mark.parametrize("args, says", [
    (["ingest", "-o", "base_url=http://127.0.0.1:1/"], "write it as SOURCE.KEY=VALUE, e.g. SOURCE.base_url="),
    (["ingest", "-s", "nosuchsource"], "no source named nosuchsource"),
    (["ingest", "-s", "demo"], "needs base_url"),
    (["ingest", "-s", "demo", "-o", "demo.colour=red"], "colour"),
    (["ingest", "-s", "demo", "-o", "web.url=http://127.0.0.1:1/"], "options for web, which is not among"),
    (["crawl", "demo", "-o", "base_url=http://127.0.0.1:1/"], "write it as SOURCE.KEY=VALUE"),
    (["crawl", "demo", "-o", "web.url=http://127.0.0.1:1/"], "options for web, but this crawls demo"),
    (["serve", "-s", "demo"], "needs base_url"),
    (["serve", "--cron", "every night"], "not a cron expression"),
    (["reprocess", "-s", "nosuchsource"], "no source named nosuchsource"),
    (["query", ""], "the SQL is empty"),
    (["query", "   "], "the SQL is empty"),
])
def test_usage_errors_exit_2_before_prefect_starts(tmp_path, args, says):
    res = _run(args, tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    assert says in " ".join(res.stderr.replace("│", " ").split()), res.stderr
    assert "Traceback" not in res.stderr
    assert not _prefect_started(tmp_path)           # no server, so no failed run in any history


def test_another_run_writing_is_refused_before_prefect_starts(tmp_path):
    from warehouse import Warehouse

    with Warehouse(tmp_path / "home" / "warehouse"):       # this process is the other writer
        for args in (["ingest", "-s", "demo", "-o", "demo.base_url=http://127.0.0.1:1/"],
                     ["reprocess"], ["demo", "--port", "0"]):
            res = _run(args, tmp_path)
            assert res.returncode == 2, res.stderr
            assert "another run is writing the warehouse" in res.stderr
            assert "Traceback" not in res.stderr
    assert not _prefect_started(tmp_path)


def test_one_option_syntax_for_crawl_and_ingest(tmp_path):
    from extractors.demo import serve_demo_site

    with serve_demo_site(n_documents=2) as base:
        res = _run(["crawl", "demo", "-o", f"demo.base_url={base}"], tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("demo: ") and " 0 failures" in res.stdout.splitlines()[0], res.stdout
    listing = _run(["sources", "list"], tmp_path)
    assert "[options: demo.base_url=]" in listing.stdout
    assert "web.url=" in listing.stdout


def test_version(tmp_path):
    from importlib.metadata import version

    res = _run(["--version"], tmp_path)
    assert res.returncode == 0
    assert res.stdout.startswith(f"foerderradar {version('foerderradar')} (extractor ")
    assert f"prefect {version('prefect')}" in res.stdout


def test_a_scaffolded_source_stays_out_of_the_nightly_run_until_configured(tmp_path):
    name = f"zz_unconfigured_{os.getpid()}"
    written = [REPO / "extractors" / "sources" / f"{name}.py", REPO / "tests" / f"test_sources_{name}.py",
               REPO / "tests" / "fixtures" / "sources" / name]
    probe = ("import json, sys\n"
             "from flows.preflight import default_sources\n"
             "from flows.commands.options import check_sources\n"
             "print(json.dumps([default_sources({}), check_sources([sys.argv[1]], {sys.argv[1]: {'base_url': sys.argv[2]}})]))\n")
    try:
        made = _run(["sources", "new", name], tmp_path)
        assert made.returncode == 0, made.stderr
        res = subprocess.run([sys.executable, "-c", probe, name, "https://www.land-nordland.de/aufrufe/"],
                             capture_output=True, text=True, cwd=REPO, env=_env(tmp_path))
        assert res.returncode == 0, res.stderr
        import json
        nightly, configured = json.loads(res.stdout)
        assert name not in nightly and "foerderdatenbank" in nightly
        assert configured == [name]                  # with its real site given, it runs
        named = _run(["ingest", "-s", name], tmp_path)
        assert named.returncode == 2
        assert f"source '{name}' still starts at its placeholder https://www." in named.stderr
        assert not _prefect_started(tmp_path)
    finally:
        written[0].unlink(missing_ok=True)
        written[1].unlink(missing_ok=True)
        shutil.rmtree(written[2], ignore_errors=True)


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_kill_9_of_ingest_takes_its_prefect_server_along(tmp_path):
    """#13: `kill -9` of a running `ingest` used to leave Prefect's temporary server listening."""
    from extractors.demo import serve_demo_site

    with serve_demo_site(n_documents=3) as base:
        proc = subprocess.Popen(CLI + ["ingest", "-s", "demo", "-o", f"demo.base_url={base}"],
                                env=_env(tmp_path), cwd=tmp_path, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            server, deadline = None, time.monotonic() + 120
            while server is None and time.monotonic() < deadline and proc.poll() is None:
                server = next((c for c in _children(proc.pid) if "prefect server start" in _cmdline(c)
                               or "prefect.server" in _cmdline(c)), None)
                time.sleep(0.2)
            assert server is not None, proc.stderr.read() if proc.poll() is not None else "no server child"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
            deadline = time.monotonic() + 20
            while _alive(server) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not _alive(server), f"the Prefect server {server} outlived its killed parent"
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
