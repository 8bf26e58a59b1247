"""Shared fixtures. Add yours below; keep each fixture's imports inside it (collection stays fast)."""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

# Prefect reads its settings once, when it is imported (importing it creates PREFECT_HOME): the
# tests never touch ~/.prefect and never send telemetry.
if "PREFECT_HOME" not in os.environ:
    _prefect_home = tempfile.mkdtemp(prefix="foerderradar-test-prefect-")
    atexit.register(shutil.rmtree, _prefect_home, ignore_errors=True)
    os.environ["PREFECT_HOME"] = _prefect_home
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory):
    """A temporary Prefect server and database for the whole session (it takes seconds to start).

    ``PREFECT_HOME`` points into the session's temporary directory, so nothing lands in
    ``~/.prefect``; tests that run flows request this fixture.
    """
    from prefect.settings import PREFECT_HOME, PREFECT_LOCAL_STORAGE_PATH, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    home = tmp_path_factory.mktemp("prefect-home")
    with temporary_settings(updates={PREFECT_HOME: home, PREFECT_LOCAL_STORAGE_PATH: home / "storage"}):
        with prefect_test_harness(server_startup_timeout=120):
            yield home
