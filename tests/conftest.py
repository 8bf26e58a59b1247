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
