"""Publishing under real concurrency: a notebook in another process holding the warehouse open,
and a writer killed with SIGKILL in the middle of a load."""
from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import warehouse
from warehouse import LoadItem, Warehouse
from warehouse.synthetic import announcement, random_call, raw_record

ROOT = Path(__file__).resolve().parents[1]


def items(n: int, seed: int, prefix: str) -> list[LoadItem]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        doc, ex = announcement(f"https://demo.example/{prefix}/{i}", random_call(i, rng, filler=2))
        out.append(LoadItem(raw_record(doc.source, doc.sha256, size=len(doc.text)), doc, ex))
    return out


def load_and_publish(path: Path, batch: list[LoadItem]) -> None:
    with Warehouse(path) as wh:
        r = wh.start_run("ingest", {"n": len(batch)})
        wh.load(r, batch)
        wh.finish_run(r, "success")
        wh.publish()


def spawn(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def read_line(proc: subprocess.Popen, timeout: float = 60) -> str:
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        proc.kill()
        raise AssertionError(f"no output from subprocess; stderr: {proc.stderr.read()}")
    line = proc.stdout.readline()
    if not line:
        raise AssertionError(f"subprocess ended; stderr: {proc.stderr.read()}")
    return line.strip()


def doc_count(path: Path) -> int:
    con = warehouse.connect(path)
    try:
        return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        con.close()


def test_reader_process_never_blocks_the_writer(tmp_path):
    load_and_publish(tmp_path, items(20, 1, "a"))
    reader = spawn(f"""
        import sys, warehouse
        con = warehouse.connect({str(tmp_path)!r})
        q = "SELECT count(*), (SELECT count(*) FROM records), (SELECT count(*) FROM open_calls) FROM documents"
        print(*con.execute(q).fetchone(), flush=True)
        sys.stdin.readline()                      # hold the snapshot open while the writer works
        print(*con.execute(q).fetchone(), flush=True)
    """)
    try:
        first = read_line(reader)
        assert first.split()[0] == "20"
        # four runs while the reader holds its snapshot: more than KEEP_SNAPSHOTS, so the
        # reader's file is garbage-collected under it
        for k in range(4):
            load_and_publish(tmp_path, items(10, 100 + k, f"b{k}"))
        assert doc_count(tmp_path) == 60            # a new connect sees the newest snapshot
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert read_line(reader) == first           # the old reader still sees its snapshot
        assert reader.wait(30) == 0
    finally:
        reader.kill()
    assert len(list((tmp_path / "snapshots").glob("warehouse-*.duckdb"))) == 3


def test_writer_killed_mid_load_leaves_previous_state(tmp_path):
    load_and_publish(tmp_path, items(15, 2, "a"))
    assert doc_count(tmp_path) == 15
    writer = spawn(f"""
        import random, sys
        from warehouse import Warehouse, LoadItem
        from warehouse.synthetic import announcement, random_call, raw_record
        wh = Warehouse({str(tmp_path)!r})
        run = wh.start_run("ingest", {{}})
        rng = random.Random(7)
        i = 0
        while True:                                # a load that never ends until killed
            batch = []
            for _ in range(200):
                doc, ex = announcement(f"https://demo.example/k/{{i}}", random_call(i, rng, filler=8))
                batch.append(LoadItem(raw_record(doc.source, doc.sha256), doc, ex))
                i += 1
            wh.load(run, batch)
            if i == 200:                           # uncommitted rows are in the transaction
                print("loading", flush=True)
    """)
    try:
        assert read_line(writer) == "loading"
        time.sleep(0.5)                            # further batches into the transaction
        assert writer.poll() is None, writer.stderr.read()
        writer.send_signal(signal.SIGKILL)
        writer.wait(30)
    finally:
        writer.kill()
    assert writer.returncode == -signal.SIGKILL
    # readers still see the previous published state
    assert doc_count(tmp_path) == 15
    # the next writer gets the lock, finds the killed run rolled back, and completes
    with Warehouse(tmp_path) as wh:
        assert wh.con.execute("SELECT count(*) FROM documents").fetchone()[0] == 15
        assert wh.con.execute("SELECT count(*) FROM amounts WHERE document_id NOT IN "
                              "(SELECT document_id FROM documents)").fetchone()[0] == 0
        status = wh.con.execute("SELECT status FROM runs ORDER BY started_at").fetchall()
        assert [s for (s,) in status] == ["success", "aborted"]
        r = wh.start_run("ingest", {})
        stats = wh.load(r, items(5, 3, "c"))
        wh.finish_run(r, "success")
        wh.publish()
    assert stats.new_documents == 5
    assert doc_count(tmp_path) == 20


def test_second_writer_process_gets_a_clear_error(tmp_path):
    holder = spawn(f"""
        import sys
        from warehouse import Warehouse
        wh = Warehouse({str(tmp_path)!r})
        print("holding", flush=True)
        sys.stdin.readline()
        wh.close()
    """)
    try:
        assert read_line(holder) == "holding"
        with pytest.raises(warehouse.WarehouseBusy, match=r"another run is writing .* since .*pid"):
            Warehouse(tmp_path)
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.wait(30) == 0
    finally:
        holder.kill()
    Warehouse(tmp_path).close()
