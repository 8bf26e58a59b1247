"""Every PDF under a directory through the parser, with each backend: what a user would see.

usage: .venv/bin/python bench/pdf_corpus.py DIR [--backend pdfplumber|pdfium] [--timeout S] [--log OUT.jsonl]
       .venv/bin/python bench/pdf_corpus.py - --summarize A.jsonl B.jsonl

Files are parsed one after the other in the parse guard's worker (extractors/parse/guard.py:
the same time and memory budget as ``foerderradar extract``), and sorted into: ok (text), ok
with page errors, clean errors by kind (damaged, encrypted, no pages, images only / OCR, fonts
without Unicode map, neither text nor images, over a limit), and internal errors (any other
exception: a bug). "False OCR advice" is an OCR message for a file of which the *other* backend
reads text. Time per page is the parse time over the pages read; peak memory is the worker's
maximum resident set. The corpus is not part of the project: fetch the test PDFs of pdf.js,
pdfplumber, pdfminer.six, pypdf and PyMuPDF into /tmp and point DIR there.
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import sys
import time
from pathlib import Path

KINDS = [  # (kind, pattern of the message), first match wins
    ("over time budget", r"took longer than"),
    ("over memory budget", r"of memory|crashed"),
    ("over a size cap", r"inflates to more than|more than the limit"),
    ("encrypted", r"encrypted"),
    ("no pages / page tree", r"page tree|no pages"),
    ("fonts without Unicode map (OCR)", r"not decodable"),
    ("images only (OCR)", r"images only|no text layer"),
    ("neither text nor images", r"neither text nor images"),
    ("damaged", r"damaged"),
    ("not a PDF", r"cannot read|binary data|not well-formed"),
]
OCR = re.compile(r"OCR|ocrmypdf")


def _measure(path: str, backend: str) -> dict:
    """Runs in the worker: parse one file, return what happened and the worker's peak memory."""
    import resource

    from extractors.parse import read_document

    t = time.perf_counter()
    doc = read_document(path, pdf_backend=backend)
    took = time.perf_counter() - t
    return {"errors": list(doc.errors), "chars": len(doc.text.strip()), "took": took,
            "pages": getattr(doc, "pages", None) or len(doc.sections), "kind": doc.kind,
            "used": getattr(doc, "pdf_backend", None) or backend,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def classify(msg: str) -> str:
    for kind, rx in KINDS:
        if re.search(rx, msg):
            return kind
    return "other clean error"


def run(files: list[Path], backend: str, timeout: float, log: Path | None = None) -> list[dict]:
    """Each file's result, also appended to ``log`` (JSON lines) as it comes."""
    from extractors.parse import ParseError
    from extractors.parse.guard import ParseGuard

    out = []
    with ParseGuard(timeout=timeout, memory=2048 * 2**20) as guard:
        for n, f in enumerate(files, 1):
            t = time.perf_counter()
            try:
                r = guard.call(_measure, str(f), backend)
            except ParseError as exc:              # a budget: the guard's own message
                r = {"errors": [str(exc)], "chars": 0, "took": time.perf_counter() - t, "pages": 0,
                     "rss_mb": 0.0, "kind": "pdf", "used": backend}
            except Exception as exc:  # noqa: BLE001 - a bug: counted, the run goes on
                r = {"internal": f"{type(exc).__name__}: {exc}"[:200], "errors": [], "chars": 0,
                     "took": time.perf_counter() - t, "pages": 0, "rss_mb": 0.0, "kind": "?", "used": backend}
            r["file"] = str(f)
            r["backend"] = backend
            out.append(r)
            if log:
                with log.open("a") as fh:
                    fh.write(json.dumps(r) + "\n")
            if n % 100 == 0:
                print(f"  {backend}: {n}/{len(files)}", file=sys.stderr, flush=True)
    return out


def summary(results: dict[str, list[dict]]) -> dict:
    table = {}
    for backend, rs in results.items():
        other = results.get("pdfium" if backend == "pdfplumber" else "pdfplumber", [])
        other_ok = {r["file"] for r in other if r["chars"] >= 20}
        row = collections.Counter()
        for r in rs:
            row["files"] += 1
            if "internal" in r or any("internal error" in e for e in r["errors"]):
                row["internal errors"] += 1
            elif r["chars"] >= 20:
                row["ok"] += 1
                row["ok, with page notes"] += bool(r["errors"])
                row["ok, read by the other backend"] += r["used"] != backend
            else:
                row["error: " + classify(r["errors"][0] if r["errors"] else "")] += 1
            if any(OCR.search(e) for e in r["errors"]) and r["file"] in other_ok and r["chars"] < 20:
                row["false OCR advice"] += 1
        read = [r for r in rs if r["chars"] >= 20 and r["pages"]]
        pages = sum(r["pages"] for r in read)
        secs = sum(r["took"] for r in read)
        row["ms per page (files read)"] = round(1000 * secs / pages, 1) if pages else None
        row["pages read"] = pages
        row["peak RSS MB"] = round(max((r["rss_mb"] for r in rs), default=0))
        row["total s"] = round(sum(r["took"] for r in rs), 1)
        table[backend] = dict(row)
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--backend", action="append", choices=["pdfplumber", "pdfium"])
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--log", type=Path, help="append each file's result to this JSON-lines file as it comes")
    ap.add_argument("--summarize", type=Path, nargs="+", metavar="LOG",
                    help="only print the table of earlier --log files")
    a = ap.parse_args()
    if a.summarize:
        results: dict[str, list[dict]] = {}
        for log in a.summarize:
            for line in log.read_text().splitlines():
                r = json.loads(line)
                results.setdefault(r["backend"], []).append(r)
    else:
        files = sorted(p for p in a.dir.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
        results = {b: run(files, b, a.timeout, a.log) for b in (a.backend or ["pdfplumber", "pdfium"])}
    table = summary(results)
    if a.json:
        a.json.write_text(json.dumps({"table": table, "results": results}, indent=1))
    keys = sorted({k for row in table.values() for k in row}, key=lambda k: (k != "files", k != "ok", k))
    print(f"{'':38}" + "".join(f"{b:>14}" for b in table))
    for k in keys:
        print(f"{k:38}" + "".join(f"{str(table[b].get(k, 0)):>14}" for b in table))


if __name__ == "__main__":
    main()
