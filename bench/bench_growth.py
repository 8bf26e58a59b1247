"""Growth: what 10⁵ documents cost. A synthetic raw store, reprocess throughput and memory over
time, a warehouse with a million amounts, and publish time against warehouse size.

    .venv/bin/python bench/bench_growth.py [--documents 100000] [--reprocess 5000] [--quick]

1. **raw store**: ``--documents`` synthetic announcements (warehouse/synthetic.py, ~1,000 words of
   German template text each) written into a local raw store (bytes, sidecar, log line each;
   without fsync, which only the real crawl needs) and the cost of listing it
   (``iter_records``: the log of every fetch is read once).
2. **reprocess, one core**: parse and extract ``--reprocess`` documents of that store in one
   process, as the reprocess flow's tasks do; documents/s and resident memory every 10 %
   (it must stay flat: nothing accumulates per document).
3. **warehouse load and publish against size**: the extractions of ``--documents`` documents
   (about 10 amounts each, so a million amounts at 10⁵) loaded in batches of 1,000, run by run to
   a tenth, a fifth, a half and all of them, published after each run: load rows/s, commit, and
   publish milliseconds against the working file's megabytes.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def rss_mb() -> float:
    """Resident memory now (Linux /proc), else the peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class FastDisk:
    """LocalStorage without fsync: for building a large synthetic store quickly."""

    def __init__(self, root: Path):
        from extractors.rawstore import LocalStorage
        self.inner = LocalStorage(root)
        self.root = self.inner.root

    def write_atomic(self, key: str, data: bytes) -> None:
        from extractors.atomic import write_atomic
        write_atomic(self.inner._path(key), data, durable=False)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def make_items(n: int, seed: int = 7, amounts: int = 10):
    """n synthetic (document, extraction) pairs with about ``amounts`` amounts each."""
    from warehouse.synthetic import announcement, random_call

    rng = random.Random(seed)
    for i in range(n):
        call = random_call(i, rng, filler=6)
        doc, ex = announcement(f"https://land{i % 16}.example/aufruf/{i}", call)
        if ex.amounts:
            base = ex.amounts
            ex.amounts = [a.model_copy(update={"value_eur": a.value_eur + k}) for k in range(
                max(1, amounts // len(base))) for a in base][:amounts]
        yield doc, ex


def build_store(root: Path, n: int) -> dict:
    from extractors.rawstore import RawStore

    store = RawStore(root, storage=FastDisk(root))
    t0 = time.perf_counter()
    for i, (doc, _ex) in enumerate(make_items(n)):
        html = f"<html><head><title>{doc.title}</title></head><body><p>" + \
            doc.text.replace("\n\n", "</p><p>") + "</p></body></html>"
        store.put("synthetic", html.encode("utf-8"), url=doc.source, content_type="text/html",
                  fetched_at="2026-12-01T02:00:00+00:00")
    t_write = time.perf_counter() - t0
    t0 = time.perf_counter()
    records = list(store.iter_records("synthetic"))
    t_list = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    return {"documents": n, "write_s": round(t_write, 1), "docs_per_s": round(n / t_write),
            "list_s": round(t_list, 2), "records": len(records), "store_mb": round(size / 1e6)}


def reprocess(root: Path, n: int) -> dict:
    from extractors.rawstore import RawStore
    from flows.tasks import get_extractor

    store = RawStore(root)
    records = list(store.iter_records("synthetic"))[:n]
    from extractors.sources.base import Source
    source = Source.__new__(Source)
    source.name = "synthetic"
    extractor = get_extractor()
    samples, t0 = [], time.perf_counter()
    step = max(1, len(records) // 10)
    for i, rec in enumerate(records, 1):
        for doc in source.documents(rec, store.read(rec)):
            extractor.extract(doc)
        if i % step == 0:
            samples.append({"documents": i, "seconds": round(time.perf_counter() - t0, 1),
                            "rss_mb": round(rss_mb())})
    total = time.perf_counter() - t0
    return {"documents": len(records), "seconds": round(total, 1),
            "docs_per_s_per_core": round(len(records) / total, 1), "memory": samples}


def load_and_publish(root: Path, n: int, batch: int = 1000) -> dict:
    """Load ``n`` documents' extractions run by run (to a tenth, a fifth, a half and all of
    ``n``) into one warehouse, publishing after each run: load rows/s, and publish time against
    the working file's size."""
    from warehouse import LoadItem, Warehouse
    from warehouse.synthetic import raw_record

    wh = Warehouse(root)
    gen = make_items(n)
    steps, loaded, rows, amounts, t_load = [], 0, 0, 0, 0.0
    for target in (n // 10, n // 5, n // 2, n):
        run = wh.start_run("bench-growth", {"to": target})
        items = []
        while loaded < target:
            doc, ex = next(gen)
            items.append(LoadItem(raw_record(doc.source, doc.sha256, size=len(doc.text)), doc, ex))
            amounts += len(ex.amounts)
            loaded += 1
            if len(items) == batch or loaded == target:
                t0 = time.perf_counter()
                rows += sum(wh.load(run, items).rows.values())
                t_load += time.perf_counter() - t0
                items = []
        t0 = time.perf_counter()
        wh.finish_run(run, "success", today=dt.date(2026, 12, 1))
        t_commit = time.perf_counter() - t0
        t0 = time.perf_counter()
        snap = wh.publish()
        steps.append({"documents": loaded, "amounts": amounts, "rows": rows,
                      "load_rows_per_s": round(rows / max(t_load, 1e-9)), "commit_s": round(t_commit, 1),
                      "work_mb": round(wh.work_db.stat().st_size / 1e6),
                      "publish_ms": round((time.perf_counter() - t0) * 1000),
                      "snapshot_mb": round(snap.stat().st_size / 1e6), "rss_mb": round(rss_mb())})
        print(f"  {steps[-1]}", flush=True)
    wh.close()
    return {"documents": n, "amounts": amounts, "rows": rows, "load_s": round(t_load, 1),
            "rows_per_s": round(rows / max(t_load, 1e-9)), "steps": steps}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--documents", type=int, default=100_000)
    ap.add_argument("--reprocess", type=int, default=5_000)
    ap.add_argument("--quick", action="store_true", help="2,000 documents, 300 reprocessed")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if args.quick:
        args.documents, args.reprocess = 2_000, 300
    out = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
           "started": dt.datetime.now().isoformat(timespec="seconds")}
    with tempfile.TemporaryDirectory(prefix="foerderradar-growth-") as d:
        d = Path(d)
        print(f"raw store of {args.documents} documents …", flush=True)
        out["raw_store"] = build_store(d / "raw", args.documents)
        print(f"  {out['raw_store']}", flush=True)
        print(f"reprocess {args.reprocess} documents on one core …", flush=True)
        out["reprocess"] = reprocess(d / "raw", args.reprocess)
        print(f"  {out['reprocess']}", flush=True)
        print(f"warehouse load of {args.documents} documents, published as it grows …", flush=True)
        out["load"] = load_and_publish(d / "wh", args.documents)
    text = json.dumps(out, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text)
    if os.environ.get("FOERDERRADAR_BENCH_JSON"):
        res = [{"name": "reprocess per core", "value": out["reprocess"]["docs_per_s_per_core"],
                "unit": "docs/s", "target": None, "better": "higher", "ok": True,
                "note": f"{out['reprocess']['documents']} of {args.documents} synthetic documents"},
               {"name": "warehouse load, 10^5 documents", "value": out["load"]["rows_per_s"],
                "unit": "rows/s", "target": None, "better": "higher", "ok": True,
                "note": f"{out['load']['amounts']} amounts"},
               {"name": "publish at largest size", "value": out["load"]["steps"][-1]["publish_ms"],
                "unit": "ms", "target": None, "better": "lower", "ok": True,
                "note": f"{out['load']['steps'][-1]['work_mb']} MB working file"}]
        Path(os.environ["FOERDERRADAR_BENCH_JSON"]).write_text(json.dumps(res, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
