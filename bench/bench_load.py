"""Warehouse load benchmark: 1,000 documents' extractions, then a re-run, a changed-run, publish.

    .venv/bin/python bench/bench_load.py [--documents 1000] [--batch 100] [--filler 12]

Synthetic but realistic announcements (warehouse/synthetic.py: German template texts of ~1,000
words with filler paragraphs, 2-6 amounts/deadlines/dates, up to 4 municipalities, 30 % with a
second programme). Prints rows/s of the load (all tables), the idempotent re-load, a load where
every document changed (versions + changes), publish time and file sizes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warehouse import LoadItem, Warehouse, connect  # noqa: E402
from warehouse.synthetic import announcement, random_call, raw_record  # noqa: E402


def make(n: int, seed: int, filler: int, shift_days: int = 0) -> list[LoadItem]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        call = random_call(i, rng, filler=filler)
        if shift_days and call.deadline:
            call.deadline += dt.timedelta(days=shift_days)
            call.budget = call.budget * 2 if call.budget else call.budget
        doc, ex = announcement(f"https://demo.example/aufruf/{i}", call)
        out.append(LoadItem(raw_record(doc.source, doc.sha256, size=len(doc.text)), doc, ex))
    return out


def timed_run(wh: Warehouse, items: list[LoadItem], batch: int):
    t0 = time.perf_counter()
    run = wh.start_run("bench", {"n": len(items)})
    rows = 0
    stats = []
    for k in range(0, len(items), batch):
        s = wh.load(run, items[k:k + batch])
        rows += sum(s.rows.values())
        stats.append(s)
    t_load = time.perf_counter() - t0
    t1 = time.perf_counter()
    summary = wh.finish_run(run, "success", today=dt.date(2025, 4, 1))
    t_commit = time.perf_counter() - t1
    return rows, t_load, t_commit, stats, summary


def mb(p: Path) -> float:
    return p.stat().st_size / 1e6


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--filler", type=int, default=36, help="filler paragraphs per document")
    ap.add_argument("--quick", action="store_true", help="200 documents (bench/run.py --quick)")
    args = ap.parse_args()
    if args.quick:
        args.documents = min(args.documents, 200)
    results = []
    import extractors.fields.text  # noqa: F401  warm-up: the flow has it loaded already

    items = make(args.documents, 1, args.filler)
    words = sum(len(i.document.text.split()) for i in items) / len(items)
    values = sum(len(i.extraction.amounts) + len(i.extraction.deadlines) + len(i.extraction.dates)
                 + len(i.extraction.municipalities) + len(i.extraction.programmes) for i in items)
    print(f"{len(items)} documents, {words:.0f} words each on average, {values} extracted values")
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        wh = Warehouse(root)
        rows, t, tc, stats, _ = timed_run(wh, items, args.batch)
        print(f"first load:      {rows:7d} rows in {t:6.2f} s = {rows / t:9.0f} rows/s "
              f"({len(items) / t:6.0f} documents/s, batches of {args.batch}, commit "
              f"{tc * 1000:.0f} ms)")
        with tempfile.TemporaryDirectory() as d2, Warehouse(d2) as wh2:
            r1, t1, _, _, _ = timed_run(wh2, items, len(items))
            print(f"  in one batch:  {r1:7d} rows in {t1:6.2f} s = {r1 / t1:9.0f} rows/s")
        per_table = {}
        for s in stats:
            for k, v in s.rows.items():
                per_table[k] = per_table.get(k, 0) + v
        print("   rows per table: " + ", ".join(f"{k} {v}" for k, v in per_table.items() if v))
        results.append({"name": "warehouse load (rows, all tables)", "value": round(rows / t),
                        "unit": "rows/s", "target": 3000, "better": "higher",
                        "ok": rows / t >= 3000,
                        "note": f"{len(items)} docs, batches of {args.batch}; executemany ~1,000"})
        rows2, t2, _, stats2, _ = timed_run(wh, items, args.batch)
        print(f"same input again: {rows2} rows written, {sum(s.unchanged for s in stats2)} "
              f"unchanged in {t2:.2f} s")
        changed = make(args.documents, 1, args.filler, shift_days=14)
        rows3, t3, _, stats3, summary = timed_run(wh, changed, args.batch)
        print(f"all changed:     {rows3:7d} rows in {t3:6.2f} s = {rows3 / t3:9.0f} rows/s "
              f"({sum(s.new_versions for s in stats3)} new versions, {summary.n_changes} changes)")
        t0 = time.perf_counter()
        snap = wh.publish()
        tp = time.perf_counter() - t0
        print(f"publish:         {tp * 1000:.0f} ms (checkpoint + copy + rename)")
        results.append({"name": "warehouse publish", "value": round(tp * 1000), "unit": "ms",
                        "target": 2000, "better": "lower", "ok": tp < 2,
                        "note": f"snapshot {mb(snap):.1f} MB"})
        print(f"files:           working db {mb(wh.work_db):.1f} MB, snapshot {mb(snap):.1f} MB")
        wh.close()
        t0 = time.perf_counter()
        con = connect(root, today="2025-04-01")
        n = con.execute("SELECT count(*) FROM open_calls").fetchone()[0]
        tq = time.perf_counter() - t0
        t0 = time.perf_counter()
        con.execute("SELECT count(*) FROM programmes_latest").fetchone()
        tq2 = time.perf_counter() - t0
        print(f"reader:          connect + open_calls ({n} rows) {tq * 1000:.0f} ms, "
              f"programmes_latest {tq2 * 1000:.0f} ms")
        con.close()
        results.append({"name": "warehouse reader open_calls", "value": round(tq * 1000),
                        "unit": "ms", "target": 1000, "better": "lower", "ok": tq < 1,
                        "note": "connect + query"})
    if os.environ.get("FOERDERRADAR_BENCH_JSON"):
        Path(os.environ["FOERDERRADAR_BENCH_JSON"]).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
