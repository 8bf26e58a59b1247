"""Crawl the local demo site (1,000 announcements + their PDFs) with 8 concurrent requests per
host; report pages per second and CPU per page (resource.getrusage), then re-crawl with nothing
changed and count the requests (all but robots.txt must be conditional and answered 304).

    .venv/bin/python bench/bench_crawl.py [--documents 1000] [--quick]
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.crawl import crawl_source  # noqa: E402
from extractors.demo import demo_site  # noqa: E402
from extractors.fetch import FetchSettings  # noqa: E402
from extractors.rawstore import RawStore  # noqa: E402
from extractors.sources import get_source  # noqa: E402


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)   # crawler + server threads share the process
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=1000)
    ap.add_argument("--quick", action="store_true", help="200 documents (bench/run.py --quick)")
    args = ap.parse_args()
    if args.quick:
        args.documents = min(args.documents, 200)
    with tempfile.TemporaryDirectory() as tmp, demo_site(n_documents=args.documents) as site:
        # warm the server's render cache (PDFs are rendered on first request) so the crawler is measured
        for path in list(site.by_path) + list(site.pdfs):
            site.resource(path)
        store = RawStore(Path(tmp) / "raw")
        settings = FetchSettings(concurrency=8, delay=0.0, state_path=str(Path(tmp) / "state.json"))
        src = get_source("demo", base_url=site.base_url)
        for label in ("first crawl", "re-crawl, nothing changed"):
            before_req, c0, t0 = site.requests, cpu(), time.perf_counter()
            r = crawl_source(src, store, settings=settings)
            wall, used = time.perf_counter() - t0, cpu() - c0
            pages = r.requests
            print(f"{label}: {len(r.records)} documents ({len(r.new)} new, {r.unchanged} unchanged), "
                  f"{r.requests} requests ({r.conditional} conditional, {r.not_modified} answered 304), "
                  f"{len(r.failures)} failures")
            print(f"  {wall:.2f} s wall, {pages / wall:.0f} requests/s, "
                  f"{used / max(1, pages) * 1000:.2f} ms CPU per request (crawler + in-process server), "
                  f"server saw {site.requests - before_req} requests")


if __name__ == "__main__":
    main()
