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

# The loopback test servers (pytest-httpserver runs on werkzeug) log every request at INFO. Once a
# Prefect test harness has installed Prefect's console handler on the root logger, those lines go
# to a console bound to a stream that an earlier CliRunner already closed, and logging prints a
# "Logging error" traceback into the output of the command under test. The access log is not
# under test: keep it at warnings.
import logging  # noqa: E402

logging.getLogger("werkzeug").setLevel(logging.WARNING)


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


# -- parse / extract CLI fixtures --------------------------------------------------------------
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DIR = REPO / "raw" / "sample"
GOLD_DIR = REPO / "tests" / "gold"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    """The project's own sample corpus (raw/sample)."""
    return SAMPLE_DIR


@pytest.fixture(scope="session")
def make_pdf():
    """``make_pdf(blocks, encrypt=None) -> bytes``: a real PDF written with reportlab.

    ``blocks`` is a list of ("h1"|"p"|"table"|"pagebreak", content) with German text; uses the
    DejaVu font when available so umlauts and € are embedded, else Helvetica (WinAnsi has both).
    """
    def build(blocks, encrypt=None, title="Testdokument"):
        import io

        from reportlab.lib import colors
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import getSampleStyleSheet
        from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

        styles = getSampleStyleSheet()
        story = []
        for kind, content in blocks:
            if kind == "table":
                t = Table(content)
                t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
                story.append(t)
            elif kind == "pagebreak":
                story.append(PageBreak())
            else:
                story.append(Paragraph(content, styles["Heading1" if kind == "h1" else "BodyText"]))
        buf = io.BytesIO()
        SimpleDocTemplate(buf, pagesize=A4, encrypt=encrypt, title=title).build(story)
        return buf.getvalue()

    return build


# -- object storage: a real S3 server (moto's) on loopback ------------------------------------
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from loopback import free_port  # noqa: E402

BUCKET = "foerderradar-raw"


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server as its own process on loopback; yields its endpoint URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None:
                pytest.fail("moto's S3 server did not start")
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("moto's S3 server did not start within 30 s")
    yield endpoint
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def s3_env(s3_server, monkeypatch):
    """AWS settings for the loopback server and a fresh bucket; yields the bucket's URL."""
    import boto3

    for k, v in {"AWS_ENDPOINT_URL": s3_server, "AWS_ACCESS_KEY_ID": "test",
                 "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"}.items():
        monkeypatch.setenv(k, v)
    name = f"{BUCKET}-{os.urandom(4).hex()}"
    boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1",
                 aws_access_key_id="test", aws_secret_access_key="test").create_bucket(Bucket=name)
    return f"s3://{name}/raw"
