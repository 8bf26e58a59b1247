"""Where foerderradar keeps its files, and the thresholds shared by several modules.

Every path derives from ``FOERDERRADAR_HOME`` (default ``$XDG_DATA_HOME/foerderradar``, i.e.
``~/.local/share/foerderradar``), so tests and the demo point the whole tool elsewhere with one
environment variable. Each path can also be overridden on its own.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PATTERNS_DIR = PACKAGE_DIR / "patterns"

# Parse limits
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024      # larger files are refused with a clear error
MAX_PDF_PAGES = 2000


def home() -> Path:
    env = os.environ.get("FOERDERRADAR_HOME")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "foerderradar"


def raw_location() -> str:
    """Where the raw store lives: a local directory, or ``s3://bucket/prefix`` for object storage
    (``FOERDERRADAR_RAW``; default ``$FOERDERRADAR_HOME/raw``)."""
    env = os.environ.get("FOERDERRADAR_RAW")
    if env and env.startswith("s3://"):
        return env
    return str(Path(env or home() / "raw").expanduser())


def raw_dir() -> Path:
    """The local raw store directory (an error where the raw store is on object storage)."""
    loc = raw_location()
    if loc.startswith("s3://"):
        raise ValueError(f"the raw store is on object storage ({loc}), not a local directory")
    return Path(loc)


def warehouse_dir() -> Path:
    return Path(os.environ.get("FOERDERRADAR_WAREHOUSE") or home() / "warehouse").expanduser()


def gazetteer_path() -> Path:
    return Path(os.environ.get("FOERDERRADAR_GAZETTEER") or home() / "gazetteer.json.gz").expanduser()


def user_agent() -> str:
    contact = os.environ.get("FOERDERRADAR_CONTACT", "foerderradar@example.org")
    return f"foerderradar/0.1 (+mailto:{contact})"
