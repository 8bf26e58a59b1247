"""Run every ``bench/bench_*.py``, print one table, write the results as JSON.

usage: .venv/bin/python bench/run.py [--quick] [--out PATH] [NAME ...]      (``make bench``)

The results go to ``var/bench/latest.json`` (not tracked); ``bench/results/latest.json`` is the
committed reference: refresh it on purpose with ``--out bench/results/latest.json``.

Each benchmark runs in its own process (so import time, memory and caches do not leak between
them). A benchmark that wants its numbers in the table writes a JSON list of results
``{"name", "value", "unit", "target", "better": "lower"|"higher", "ok", "note"}`` to the path in
``FOERDERRADAR_BENCH_JSON``; the output of the others is shown as they print it.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_OUT = ROOT / "var" / "bench" / "latest.json"
TIMEOUT_S = 1800


def git_commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def run_one(path: Path, quick: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out_json = Path(tmp) / "results.json"
        env = dict(os.environ, FOERDERRADAR_BENCH_JSON=str(out_json), PYTHONPATH=str(ROOT))
        args = [sys.executable, str(path)] + (["--quick"] if quick else [])
        t = time.perf_counter()
        try:
            proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
            code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired:
            code, stdout, stderr = -1, "", f"timed out after {TIMEOUT_S} s"
        seconds = time.perf_counter() - t
        results = json.loads(out_json.read_text(encoding="utf-8")) if out_json.exists() else None
    return {"bench": path.stem, "returncode": code, "seconds": round(seconds, 1), "results": results,
            "stdout": stdout[-20000:], "stderr": stderr[-5000:]}


def fmt(r: dict) -> str:
    val = "—" if r.get("value") is None else f"{r['value']:.3f} {r.get('unit', '')}".strip()
    tgt = ""
    if r.get("target") is not None:
        tgt = ("≤ " if r.get("better", "lower") == "lower" else "≥ ") + f"{r['target']:g}"
    flag = {None: "", True: "ok", False: "MISSED"}[r.get("ok")]
    return f"  {r['name'][:52]:52} {val:>20} {tgt:>9} {flag:>6}  {r.get('note', '')}"


def main(argv: list[str]) -> int:
    argv = list(argv)
    out = DEFAULT_OUT
    if "--out" in argv:
        i = argv.index("--out")
        if i + 1 >= len(argv):
            print("--out needs a path", file=sys.stderr)
            return 2
        out = Path(argv[i + 1]).resolve()
        del argv[i:i + 2]
    quick = "--quick" in argv
    names = [a for a in argv if not a.startswith("-")]
    benches = sorted(p for p in BENCH_DIR.glob("bench_*.py")
                     if not names or p.stem in names or p.stem.removeprefix("bench_") in names)
    if not benches:
        print("no benchmarks found", file=sys.stderr)
        return 2
    runs = []
    for path in benches:
        print(f"== {path.stem} ...", flush=True)
        res = run_one(path, quick)
        runs.append(res)
        if res["results"] is not None:
            for r in res["results"]:
                print(fmt(r))
        else:
            print("\n".join("  " + ln for ln in res["stdout"].rstrip().splitlines()))
        if res["returncode"] != 0:
            print(f"  !! exit status {res['returncode']}: {res['stderr'].strip().splitlines()[-1:] or ''}")
        print(f"  ({res['seconds']} s)", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    report = {"when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "commit": git_commit(),
              "python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
              "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None, "quick": quick,
              "benches": runs}
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    missed = [r["name"] for b in runs for r in (b["results"] or []) if r.get("ok") is False]
    failed = [b["bench"] for b in runs if b["returncode"] != 0]
    print(f"\nwrote {out}" + (f"; missed targets: {', '.join(missed)}" if missed else "")
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
