"""Run the nightly schedule in this process: ``foerderradar serve``.

Prefect schedules need a Prefect server: its scheduler service creates the runs that this
process then executes. The temporary server that ``foerderradar ingest`` starts on its own runs no
scheduler, so when no ``PREFECT_API_URL`` is configured, ``serve`` starts a local server
(``prefect server start`` on 127.0.0.1, database under ``PREFECT_HOME``) as a child process, uses
it, and stops it on exit. The same server gives the UI (http://127.0.0.1:4200 by default) with
the runs, their logs and the run-summary artifacts.

The committed ``prefect.yaml`` declares the same deployment for a long-running Prefect server
with a worker (``prefect deploy --all``).

``prefect_api()`` gives the other commands (``ingest``, ``reprocess``, ``demo``) their Prefect API:
the configured one, or a temporary server without scheduler and UI on a free loopback port. Every
server started here dies with the process that started it, also when that one is killed with
``kill -9`` (Linux: the parent-death signal, ``prctl(PR_SET_PDEATHSIG)``; elsewhere it is stopped on
a normal exit only).
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from typing import Any, Iterator

NIGHTLY_CRON = "0 2 * * *"
NIGHTLY_TIMEZONE = "Europe/Berlin"
DEPLOYMENT_NAME = "nightly"
DEFAULT_PORT = 4200
SERVER_START_TIMEOUT_S = 90


class ServeError(RuntimeError):
    """The scheduler cannot start (message says what to do)."""


def nightly_schedule(cron: str = NIGHTLY_CRON, timezone: str = NIGHTLY_TIMEZONE):
    from prefect.schedules import Cron
    return Cron(cron, timezone=timezone)


def build_deployment(sources: list[str] | None = None, limit: int | None = None,
                     options: dict[str, dict[str, Any]] | None = None,
                     cron: str = NIGHTLY_CRON, timezone: str = NIGHTLY_TIMEZONE):
    """The nightly deployment of the ``ingest`` flow (what ``serve`` runs)."""
    from prefect.deployments.runner import EntrypointType

    from flows.ingest import ingest

    params: dict[str, Any] = {}
    if sources:
        params["sources"] = list(sources)
    if limit is not None:
        params["limit"] = limit
    if options:
        params["options"] = options
    return ingest.to_deployment(
        name=DEPLOYMENT_NAME, schedules=[nightly_schedule(cron, timezone)], parameters=params,
        description=f"foerderradar ingest, {cron} ({timezone})", tags=["foerderradar", "nightly"],
        # the runner starts each run in a subprocess: a module path works from any directory
        entrypoint_type=EntrypointType.MODULE_PATH)


def _die_with_parent():
    """A ``preexec_fn``: the child gets SIGTERM when the process that started it dies (Linux).

    Runs between fork and exec, so it only calls what was loaded before the fork."""
    parent = os.getpid()             # called in the parent: the child's parent-to-be

    def arm() -> None:
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:     # the parent died before the signal was armed
            os._exit(1)

    return arm


_PR_SET_PDEATHSIG = 1
try:
    _prctl = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).prctl \
        if sys.platform.startswith("linux") else None
except (OSError, AttributeError):  # pragma: no cover - no libc prctl
    _prctl = None


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def configured_api_url() -> str | None:
    """The Prefect API this process reports to: ``PREFECT_API_URL`` from the environment, the
    active Prefect profile or a test harness; None means "start a temporary server"."""
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    from prefect.settings import get_current_settings
    return get_current_settings().api.url or None


@contextlib.contextmanager
def prefect_api(announce=None) -> Iterator[str]:
    """The Prefect API for a run of the flows, for the lifetime of the block.

    Without a configured one: a temporary server (API only: no scheduler, no UI) on a free port of
    127.0.0.1, with the database under ``PREFECT_HOME``; it stops at the end of the block and dies
    with this process if the process is killed. ``announce(text)`` is told when it starts.
    """
    url = configured_api_url()
    if url:
        yield url
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    t = time.monotonic()
    port = free_port()
    if announce:
        announce(f"starting a temporary Prefect server on 127.0.0.1:{port} (a few seconds; "
                 "set PREFECT_API_URL to use a running one)")
    with local_server(port, services=False, ui=False) as api_url:
        if announce:
            announce(f"Prefect server ready after {time.monotonic() - t:.1f} s")
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            try:
                yield api_url
            finally:
                _drain_to(api_url)


def _drain_to(api_url: str) -> None:
    """Send the logs and events Prefect still holds before their server stops (else they are
    lost with a "--- Error logging to API ---" at exit)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        try:
            worker.drain_all(timeout=5)
        except Exception:   # nothing was started, or the server is already gone
            pass


def _healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(api_url.rstrip("/") + "/health", timeout=timeout) as resp:
            return resp.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


@contextlib.contextmanager
def local_server(port: int = DEFAULT_PORT, host: str = "127.0.0.1", services: bool = True,
                 ui: bool = True) -> Iterator[str]:
    """A Prefect server on loopback for the lifetime of the block; yields its API URL.

    ``services``: the scheduler and the other background services (needed for schedules). Reuses a
    server already answering on ``port`` (say, one the user started with ``prefect server start``).
    The server is a child process that dies with this one (see ``_die_with_parent``).
    """
    api_url = f"http://{host}:{port}/api"
    if _healthy(api_url):
        yield api_url
        return
    env = dict(os.environ)
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.pop("PREFECT_API_URL", None)
    args = [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port", str(port),
            "--ui" if ui else "--no-ui"] + ([] if services else ["--no-services"])
    # stderr to a file, not a pipe: nobody reads a pipe while the server runs, and a full one
    # would block it
    errors = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=errors,
                            stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent())
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while not _healthy(api_url):
            if proc.poll() is not None:
                errors.seek(0)
                err = errors.read().strip().splitlines()[-5:]
                raise ServeError(f"the Prefect server did not start on {host}:{port}: "
                                 + (" / ".join(err) or f"exit status {proc.returncode}")
                                 + "; is the port taken? try --port")
            if time.monotonic() > deadline:
                raise ServeError(f"the Prefect server did not answer on {api_url} within "
                                 f"{SERVER_START_TIMEOUT_S} s")
            time.sleep(0.5)
        yield api_url
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        errors.close()


def serve(sources: list[str] | None = None, limit: int | None = None,
          options: dict[str, dict[str, Any]] | None = None, port: int = DEFAULT_PORT,
          cron: str = NIGHTLY_CRON, timezone: str = NIGHTLY_TIMEZONE) -> None:
    """Serve the nightly deployment until interrupted (Ctrl-C)."""
    with contextlib.ExitStack() as stack:
        if not os.environ.get("PREFECT_API_URL"):
            api_url = stack.enter_context(local_server(port))
            os.environ["PREFECT_API_URL"] = api_url
            print(f"Prefect server on {api_url.removesuffix('/api')} (UI: runs, logs, summaries)",
                  file=sys.stderr)
        # settings are read at import: import Prefect only now that the API URL is known
        from prefect import serve as prefect_serve
        from prefect.settings import PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: os.environ["PREFECT_API_URL"]}):
            deployment = build_deployment(sources, limit, options, cron, timezone)
            prefect_serve(deployment)


if __name__ == "__main__":  # python -m flows.serve
    serve()
