"""What the parse budget costs: the same documents parsed in-process and through the parse guard's
worker (extractors/parse/guard.py), and the PDF pages per second of each backend.

usage: .venv/bin/python bench/bench_parse_guard.py [--quick]

Documents are generated: PDFs of 3-7 text pages (tests/hostile_pdfs.text_pdf) and HTML pages of
40 paragraphs. The guard's overhead per document (the path to the worker, the Document back
through a pipe) must stay small against parse time; the worker's start (once per run) is
reported apart. Runs alternate in-process and guarded passes, and keep the best of three.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _best(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    quick = "--quick" in sys.argv
    sys.path.insert(0, str(ROOT / "tests"))
    import hostile_pdfs as H
    from extractors.parse import read_document
    from extractors.parse.guard import ParseGuard, read_file

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        n = 10 if quick else 30
        pdfs, pages = [], 0
        for i in range(n):
            p = folder / f"aufruf_{i}.pdf"
            p.write_bytes(H.text_pdf(3 + i % 5))
            pdfs.append(p)
            pages += 3 + i % 5
        htmls = []
        for i in range(n):
            h = folder / f"seite_{i}.html"
            h.write_text("<html><head><title>Aufruf</title></head><body><main><h1>Förderaufruf</h1>"
                         + f"<p>Gefördert werden Vorhaben mit bis zu {i + 1}0.000 Euro. Anträge bis 15. Mai 2025.</p>"
                         * 40 + "</main></body></html>", encoding="utf-8")
            htmls.append(h)
        for label, files, backend in (("pdfplumber", pdfs, "pdfplumber"), ("pdfium", pdfs, "pdfium"),
                                      ("html", htmls, None)):
            for f in files[:2]:
                read_document(f, pdf_backend=backend)              # imports and caches warm
            t = time.perf_counter()
            guard = ParseGuard().start()
            guard.call(read_file, str(files[0]), backend)
            startup = time.perf_counter() - t
            inproc = _best(lambda: [read_document(f, pdf_backend=backend) for f in files])
            guarded = _best(lambda: [guard.call(read_file, str(f), backend) for f in files])
            guard.close()
            per_doc = 1000 * (guarded - inproc) / len(files)
            rows.append({"name": f"parse guard overhead per document ({label})", "value": round(per_doc, 2),
                         "unit": "ms", "target": None, "better": "lower", "ok": None,
                         "note": f"{len(files)} documents: in-process {1000 * inproc / len(files):.1f} ms each, "
                                 f"guarded {1000 * guarded / len(files):.1f} ms ({100 * (guarded / inproc - 1):+.1f} %); "
                                 f"worker start {startup:.2f} s once"})
            if backend:
                rows.append({"name": f"PDF pages per second ({label}, guarded)", "value": round(pages / guarded, 1),
                             "unit": "pages/s", "target": None, "better": "higher", "ok": None,
                             "note": f"{pages} pages of generated text PDFs"})
    for r in rows:
        print(f"{r['name']:52} {r['value']:>8} {r['unit']:8} {r['note']}")
    out = os.environ.get("FOERDERRADAR_BENCH_JSON")
    if out:
        Path(out).write_text(json.dumps(rows))


if __name__ == "__main__":
    main()
