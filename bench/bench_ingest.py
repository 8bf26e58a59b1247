"""Benchmark the ingest flow end to end on the local demo site.

    .venv/bin/python bench/bench_ingest.py [--documents 1000] [--changed 0.01] [--json out.json]

For each number of parse workers (``--workers 1,2``: serial, and one per core), each on as many
cores (the flow process and its workers are pinned to them, so ``1`` is the serial baseline: the
same flow on one core), three runs of the real flow (Prefect's temporary server, the demo site on 127.0.0.1, a raw store
and DuckDB warehouse in a temporary FOERDERRADAR_HOME):

1. full: every document new (HTML announcements and PDF Richtlinien): wall time, time per stage
   (crawl, parse, extract, load, publish, from the tasks' own timings), peak memory;
2. unchanged: the same site again: time and documents re-extracted (target 0);
3. changed: the site with a fraction of the announcements changed (``--changed``): time and
   documents re-extracted (target: the changed ones), which should be proportional to the change.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def announcements_for(total_documents: int) -> int:
    """Announcements whose site holds ``total_documents`` documents (every PDF_EVERY-th has a PDF)."""
    from extractors.demo.generator import PDF_EVERY

    n = 1
    while n + (n + PDF_EVERY - 1) // PDF_EVERY < total_documents:
        n += 1
    return n


def _serve(port: int, n: int, changed, ready, stop) -> None:
    from extractors.demo import demo_site

    os.sched_setaffinity(0, range(os.cpu_count() or 1))     # a remote site: not pinned with the flow

    with demo_site(n_documents=n, port=port, changed=changed) as site:
        # render every page and PDF before the run (the demo renders on first request): a real
        # site answers a conditional request from what it has, without making the PDF again
        for path in [*site.by_path, *site.pdfs, *site.land]:
            site.resource(path)
        ready.set()
        stop.wait()


class site_process:
    """The demo site in its own process, its pages and PDFs rendered before it answers: its CPU
    and memory stay out of the numbers measured for the flow, as with a real remote site."""

    def __init__(self, port: int, n: int, changed=()):
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        self.ready, self.stop = ctx.Event(), ctx.Event()
        self.proc = ctx.Process(target=_serve, args=(port, n, set(changed), self.ready, self.stop), daemon=True)
        self.port = port

    def __enter__(self) -> str:
        self.proc.start()
        if not self.ready.wait(300):
            raise RuntimeError("the demo site did not start")
        return f"http://127.0.0.1:{self.port}/"

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.proc.join(30)


def worker_peak_rss_mb() -> float | None:
    """The largest peak resident memory (VmHWM) of the parse worker processes alive now."""
    from extractors.parse import guard

    peaks = []
    for g in list(guard._every):
        proc = getattr(g, "_proc", None)
        if proc is None or not proc.is_alive():
            continue
        try:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        except OSError:
            pass
    return round(max(peaks), 1) if peaks else None


def _cpu_s(pid: int | None = None) -> float:
    """CPU seconds (user + system) a process has used so far (this one by default)."""
    fields = Path(f"/proc/{pid or os.getpid()}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def workers_cpu_s() -> float:
    """CPU seconds used so far by the parse worker processes alive now."""
    from extractors.parse import guard

    total = 0.0
    for g in list(guard._every):
        proc = getattr(g, "_proc", None)
        if proc is not None and proc.is_alive():
            try:
                total += _cpu_s(proc.pid)
            except OSError:
                pass
    return total


def run(label: str, port: int, n: int, changed=()) -> dict:
    from flows.ingest import ingest, run_result

    with site_process(port, n, changed) as base:
        cpu = (_cpu_s(), workers_cpu_s())
        t = time.perf_counter()
        state = ingest(sources=["demo"], options={"demo": {"base_url": base}}, return_state=True)
        wall = time.perf_counter() - t
        flow_cpu, workers_cpu = _cpu_s() - cpu[0], workers_cpu_s() - cpu[1]
    r = run_result(state)
    demo = r.sources["demo"]
    row = {"run": label, "status": r.status, "wall_s": round(wall, 2),
           "flow_s": round(r.timings.get("total", 0), 2),
           "stages_s": {k: round(v, 2) for k, v in r.timings.items() if k != "total"},
           "documents": demo.fetched, "new": r.new, "changed": r.changed, "extracted": demo.extracted,
           "loaded": demo.loaded, "failed": demo.failed + demo.fetch_failed,
           "peak_rss_mb": round(_peak_rss_mb(), 1), "worker_peak_rss_mb": worker_peak_rss_mb(),
           "cpu_s": {"flow_process": round(flow_cpu, 2), "parse_workers": round(workers_cpu, 2)},
           "prefect_overhead_s": round(wall - sum(r.timings.get(k, 0) for k in ("crawl", "parse", "extract", "load", "publish")), 2)}
    if demo.extracted:
        row["extract_ms_per_doc"] = round(1000 * r.timings["extract"] / demo.extracted, 2)
        row["ms_per_doc_all_stages"] = round(1000 * r.timings["total"] / demo.extracted, 2)
    print(f"{label:>10}: {row['status']}, {wall:6.1f} s wall, {demo.fetched} documents, "
          f"{demo.extracted} extracted, stages " + ", ".join(f"{k} {v:.1f}" for k, v in row["stages_s"].items())
          + f"; CPU flow process {flow_cpu:.1f} s, parse workers {workers_cpu:.1f} s"
          + f"; peak RSS {row['peak_rss_mb']:.0f} MB", flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--documents", type=int, default=1000, help="documents on the site (HTML + PDF)")
    ap.add_argument("--changed", type=float, default=0.01, help="fraction of announcements changed in run 3")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary home")
    ap.add_argument("--quick", action="store_true", help="200 documents (bench/run.py --quick)")
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds, the configurations alternating; the median round of each is reported")
    ap.add_argument("--workers", default=f"1,{os.cpu_count() or 1}",
                    help="parse workers per configuration, run side by side (default: 1 and one per core)")
    args = ap.parse_args(argv)
    if args.quick:
        args.documents = min(args.documents, 200)

    tmp = Path(tempfile.mkdtemp(prefix="foerderradar-bench-"))
    os.environ["FOERDERRADAR_HOME"] = str(tmp / "home")
    os.environ.setdefault("PREFECT_HOME", str(tmp / "prefect"))   # before Prefect is imported
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    try:
        import logging

        import flows.ingest  # noqa: F401  (imports Prefect with the settings above)
        logging.getLogger("prefect.task_runs").setLevel(logging.WARNING)

        # start Prefect's temporary server before measuring (every run after the first reuses it)
        from prefect import flow

        t = time.perf_counter()
        flow(name="warm-up")(lambda: None)()
        print(f"Prefect temporary server started in {time.perf_counter() - t:.1f} s (not counted below)")

        from extractors.demo.generator import PDF_EVERY

        n = announcements_for(args.documents)
        changed = set(range(0, n, max(1, round(1 / args.changed)))) if args.changed > 0 else set()
        # a changed announcement with a PDF Richtlinie changes both documents
        expected = len(changed) + sum(1 for i in changed if i % PDF_EVERY == 0)
        port = _free_port()
        print(f"demo site: {n} announcements (+PDFs) = ~{args.documents} documents; "
              f"{len(changed)} announcements change in run 3", flush=True)
        from extractors import settings as app_settings
        from extractors.parse import guard

        rounds: dict[int, list[list[dict]]] = {}
        every_cpu = sorted(os.sched_getaffinity(0))
        for r in range(1, args.repeat + 1):
            for workers in [int(w) for w in args.workers.split(",")]:
                app_settings.PARSE_WORKERS = workers
                guard._close_all()                      # fresh workers, started on this configuration's cores
                cores = every_cpu[:max(1, min(workers, len(every_cpu)))]
                os.sched_setaffinity(0, cores)          # inherited by the parse workers
                os.environ["FOERDERRADAR_HOME"] = str(tmp / f"home-{workers}-{r}")
                print(f"-- {workers} parse worker(s) on {len(cores)} core(s), round {r} of {args.repeat}", flush=True)
                rounds.setdefault(workers, []).append([run("full", port, n), run("unchanged", port, n),
                                                       run("changed", port, n, changed)])
        os.sched_setaffinity(0, every_cpu)
        # each configuration's round with the median full run (the machine's speed varies)
        configs = {w: sorted(rs, key=lambda rows: rows[0]["flow_s"])[(len(rs) - 1) // 2]
                   for w, rs in rounds.items()}
        rows = configs[max(configs)]
        full, same, diff = rows
        print()
        serial = configs.get(1)
        for workers, (f, u, c) in configs.items():
            rel = f" = {f['flow_s'] / serial[0]['flow_s']:.2f} x serial" if serial and workers != 1 else ""
            each = ", ".join(f"{rs[0]['flow_s']}" for rs in rounds[workers])
            print(f"{workers} worker(s) on {min(workers, len(every_cpu))} core(s): full {f['flow_s']} s{rel} "
                  f"(median of {each}); nothing changed {u['flow_s']} s = {100 * u['flow_s'] / f['flow_s']:.0f} % "
                  f"of full; changed {c['flow_s']} s; flow process peak {f['peak_rss_mb']:.0f} MB, "
                  f"per worker {f['worker_peak_rss_mb']} MB")
        if args.json:
            args.json.write_text(json.dumps({"documents": args.documents,
                                             "configs": {str(k): v for k, v in configs.items()},
                                             "rounds": {str(k): v for k, v in rounds.items()}}, indent=1))
        ok = same["extracted"] == 0 and diff["extracted"] == expected
        table = os.environ.get("FOERDERRADAR_BENCH_JSON")
        if table:   # bench/run.py's table
            stages = ", ".join(f"{k} {v:.1f}" for k, v in full["stages_s"].items())
            Path(table).write_text(json.dumps([
                {"name": f"ingest {full['documents']} docs, all new (wall)", "value": full["wall_s"],
                 "unit": "s", "better": "lower", "note": stages},
                {"name": "ingest, all new, per document", "value": full.get("ms_per_doc_all_stages"),
                 "unit": "ms", "better": "lower", "note": f"extract {full.get('extract_ms_per_doc')} ms/doc"},
                {"name": "ingest, nothing changed (wall)", "value": same["wall_s"], "unit": "s",
                 "better": "lower", "note": f"crawl {same['stages_s']['crawl']:.1f} s"},
                {"name": "ingest, nothing changed: re-extracted", "value": same["extracted"], "unit": "docs",
                 "target": 0, "better": "lower", "ok": same["extracted"] == 0},
                {"name": f"ingest, {len(changed)} announcements changed (wall)", "value": diff["wall_s"],
                 "unit": "s", "better": "lower"},
                {"name": "ingest, changed: re-extracted", "value": diff["extracted"], "unit": "docs",
                 "target": expected, "better": "lower", "ok": diff["extracted"] == expected},
                {"name": "ingest peak RSS (flow process)", "value": full["peak_rss_mb"], "unit": "MB",
                 "better": "lower"},
            ]))
        return 0 if ok else 1
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}")


if __name__ == "__main__":
    sys.exit(main())
