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


# -- Fetch limits (extractors/fetch.py, extractors/crawl.py, extractors/rawstore.py) -------------
# Defaults of ``FetchSettings``; each can be set in the environment as FOERDERRADAR_<NAME>
# (e.g. FOERDERRADAR_FETCH_TIME_CAP=600). Python callers pass FetchSettings(time_cap=...).
def _fetch_limit(name: str, default: float) -> float:
    value = os.environ.get(f"FOERDERRADAR_{name}")
    if value is None or not value.strip():
        return default
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"FOERDERRADAR_{name}={value!r} is not a number (default {default:g})") from None
    if number < 0:
        raise ValueError(f"FOERDERRADAR_{name}={value!r} must not be negative (default {default:g})")
    return type(default)(number)


FETCH_CONNECT_TIMEOUT = _fetch_limit("FETCH_CONNECT_TIMEOUT", 10.0)      # s to open a connection
FETCH_READ_TIMEOUT = _fetch_limit("FETCH_READ_TIMEOUT", 30.0)            # s of silence while reading
FETCH_TIME_CAP = _fetch_limit("FETCH_TIME_CAP", 180.0)   # s per URL from its first request (hops, retries, waits)
FETCH_MAX_BYTES = _fetch_limit("FETCH_MAX_BYTES", MAX_DOCUMENT_BYTES)    # one document; larger is refused
FETCH_MAX_ARCHIVE_BYTES = _fetch_limit("FETCH_MAX_ARCHIVE_BYTES", 400 * 1024 * 1024)  # an export zip, and its members unpacked
FETCH_MAX_ZIP_RATIO = _fetch_limit("FETCH_MAX_ZIP_RATIO", 200.0)         # a member (> 1 MiB) inflating more: zip bomb
FETCH_MAX_REDIRECTS = _fetch_limit("FETCH_MAX_REDIRECTS", 5)             # hops per URL
FETCH_RETRIES = _fetch_limit("FETCH_RETRIES", 3)                         # attempts after the first
FETCH_RETRY_AFTER_CAP = _fetch_limit("FETCH_RETRY_AFTER_CAP", 120.0)     # longer Retry-After: host left alone this run
FETCH_ROBOTS_DELAY_CAP = _fetch_limit("FETCH_ROBOTS_DELAY_CAP", 30.0)    # robots.txt Crawl-delay is capped here
RAW_TEMP_MAX_AGE = _fetch_limit("RAW_TEMP_MAX_AGE", 3600.0)  # s; older .tmp-*.part files of killed writers are swept


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
