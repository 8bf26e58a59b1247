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

# -- Parse limits ---------------------------------------------------------------------------------
# Every bound on one document's parse, with its default; each can be set by an environment
# variable (read when foerderradar starts, inherited by the parse worker). README: "Limits".


def _env_number(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise SystemExit(f"foerderradar: {name}={value!r} is not a number") from None
    if number <= 0:
        raise SystemExit(f"foerderradar: {name} must be greater than 0")
    return number


# Larger files are refused unread (also the fetcher's default body cap).
MAX_DOCUMENT_BYTES = int(_env_number("FOERDERRADAR_MAX_DOCUMENT_MB", 50) * 2**20)
# PDF pages read per document; the rest is skipped with a note.
MAX_PDF_PAGES = int(_env_number("FOERDERRADAR_MAX_PDF_PAGES", 2000))
# Wall-clock seconds one document's parse may take before its worker is killed.
PARSE_TIMEOUT_SECONDS = _env_number("FOERDERRADAR_PARSE_TIMEOUT", 120)
# Documents the ingest flow parses at the same time, each in its own worker process (the flow
# process extracts and loads meanwhile); 2 or more use that many cores. 1 (the default) parses
# one document after the other, where the parse task's own time limit can also stop a hang.
PARSE_WORKERS = max(1, int(_env_number("FOERDERRADAR_PARSE_WORKERS", 1)))
# Memory (MB) the warehouse writer's DuckDB may use; beyond it DuckDB spills to its temporary
# directory beside the working database. Unset: DuckDB's default, 80 % of the machine's RAM.
# Set it where parse workers or shards share the machine with the nightly load.
WAREHOUSE_MEMORY_MB = _env_number("FOERDERRADAR_WAREHOUSE_MEMORY_MB", 0)
# Address space of the parse worker (RLIMIT_AS): a decompression bomb stops here.
PARSE_MEMORY_BYTES = int(_env_number("FOERDERRADAR_PARSE_MEMORY_MB", 2048) * 2**20)
# Line segments (lines, curves, rectangles) on a PDF page above which pdfplumber's
# layout is skipped and the page is read as plain text by pdfium (plan and map pages: 6-7 s and
# ~270 MB each otherwise).
MAX_PDF_PAGE_SEGMENTS = int(_env_number("FOERDERRADAR_MAX_PDF_PAGE_SEGMENTS", 5000))
# Decompressed content of one PDF page above which the page is skipped (checked before pdfminer
# inflates it: a 57 KB text-operator bomb would otherwise take gigabytes).
MAX_PDF_PAGE_CONTENT_BYTES = int(_env_number("FOERDERRADAR_MAX_PDF_PAGE_CONTENT_MB", 64) * 2**20)
# Characters of a document title (a one-line 50 MiB file must not make a 50 MB title).
MAX_TITLE_CHARS = 300
# -- end of parse limits ----------------------------------------------------------------------------


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
