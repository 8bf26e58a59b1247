"""Publishing and its faults: readers of other users and of DuckDB 1.x, resumable publishing,
a lost, a damaged or a shrunken working database, a damaged CURRENT. Real DuckDB files."""
from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import warehouse
from warehouse import LoadItem, Warehouse, WarehouseError, connect
from warehouse import publish as pub
from warehouse.repair import WorkingDatabaseLost
from warehouse.synthetic import Call, announcement, raw_record

TODAY = dt.date(2025, 4, 1)


def item(n: int) -> LoadItem:
    url = f"https://land.example/aufrufe/{n}.html"
    doc, ex = announcement(url, Call(f"Förderprogramm Nummer {n}", deadline=dt.date(2025, 5, n % 28 + 1)))
    return LoadItem(raw_record(url, doc.sha256), doc, ex)


def load_run(wh, items, status="success"):
    r = wh.start_run("ingest", {})
    wh.load(r, items)
    wh.finish_run(r, status, today=TODAY)
    return r


def published(root, sql: str):
    con = connect(root)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def wh_dir(tmp_path):
    """A warehouse with one published run of 4 documents."""
    with Warehouse(tmp_path) as wh:
        load_run(wh, [item(n) for n in range(4)])
        wh.publish()
    return tmp_path


# ------------------------------------------------------------------------------ readers
def test_current_and_snapshots_are_readable_by_every_user_and_snapshots_read_only(wh_dir):
    snap = pub.current_snapshot(wh_dir)
    assert stat.S_IMODE(os.stat(wh_dir / "CURRENT").st_mode) == 0o644
    assert stat.S_IMODE(os.stat(snap).st_mode) == 0o444


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to act as another user")
def test_another_user_reads_the_published_warehouse():
    import shutil
    import tempfile

    wh_dir = Path(tempfile.mkdtemp(prefix="fr-wh-other-user-"))
    try:
        _read_as_nobody(wh_dir)
    finally:
        shutil.rmtree(wh_dir)


def _read_as_nobody(wh_dir):
    os.chmod(wh_dir, 0o755)
    with Warehouse(wh_dir) as wh:
        load_run(wh, [item(n) for n in range(4)])
        wh.publish()
    for p in [wh_dir, *wh_dir.parents]:
        if not os.stat(p).st_mode & stat.S_IXOTH:
            pytest.skip(f"{p} is not searchable by other users")
    try:
        probe = subprocess.run([sys.executable, "-c", "import duckdb"], user=65534, group=65534,
                               capture_output=True, timeout=60, env={**os.environ, "HOME": "/tmp"})
    except PermissionError:
        probe = None
    if probe is None or probe.returncode != 0:
        pytest.skip("this Python (or its duckdb) cannot be run by another user here")
    for p in wh_dir.rglob("*"):         # only what publishing made readable may be read
        if p.is_dir() and p.name == "work":
            os.chmod(p, 0o700)
    code = ("import warehouse, sys; con = warehouse.connect(sys.argv[1]); "
            "print(con.execute('SELECT count(*) FROM documents').fetchall()[0][0])")
    out = subprocess.run([sys.executable, "-c", code, str(wh_dir)], capture_output=True, text=True,
                         user=65534, group=65534, timeout=120, env={**os.environ, "HOME": "/tmp"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "4"


def test_snapshots_are_written_in_a_storage_version_duckdb_1_4_reads(wh_dir):
    con = duckdb.connect()
    con.execute(f"ATTACH '{pub.current_snapshot(wh_dir)}' AS snap (READ_ONLY)")
    tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'snap'").fetchall()[0][0]
    assert tags["storage_version"].startswith("v1.4")


@pytest.mark.skipif(not os.environ.get("FOERDERRADAR_DUCKDB1_PYTHON"),
                    reason="set FOERDERRADAR_DUCKDB1_PYTHON to a Python with duckdb 1.4 installed")
def test_duckdb_1_4_opens_the_snapshot_and_its_views(wh_dir):
    code = ("import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
            "print(duckdb.__version__, c.execute('SELECT count(*) FROM open_calls').fetchall()[0][0])")
    out = subprocess.run([os.environ["FOERDERRADAR_DUCKDB1_PYTHON"], "-c", code,
                          str(pub.current_snapshot(wh_dir))], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    version, rows = out.stdout.split()
    assert version.startswith("1.4") and int(rows) >= 0


def test_read_write_connection_creates_unqualified_tables_in_memory(wh_dir):
    con = connect(wh_dir, read_only=False, today=TODAY)
    con.execute("CREATE TABLE mine AS SELECT programme FROM open_calls")
    assert con.execute("SELECT count(*) FROM mine").fetchall() == [(4,)]
    where = con.execute("SELECT database_name FROM duckdb_tables() WHERE table_name = 'mine'").fetchall()
    assert where == [("memory",)]
    with pytest.raises(duckdb.Error):
        con.execute("CREATE TABLE warehouse.main.nope (x INTEGER)")
    con.close()


def test_today_is_a_variable_readers_can_set(wh_dir):
    con = connect(wh_dir, today="2025-05-10")
    n = con.execute("SELECT count(*) FROM open_calls").fetchall()[0][0]
    warehouse.set_today(con, "2020-01-01")
    assert con.execute("SELECT count(*) FROM open_calls").fetchall()[0][0] == 4 > n


# ------------------------------------------------------------------------------ resumable publish
def test_a_run_committed_but_never_published_is_published_by_the_next_writer(wh_dir):
    with Warehouse(wh_dir) as wh:
        r = load_run(wh, [item(10)])            # killed before publish: committed only
    assert published(wh_dir, "SELECT count(*) FROM documents") == [(4,)]
    with Warehouse(wh_dir) as wh:                # the next run's writer
        assert any(n.startswith("resumed") and r in n for n in wh.notes)
    assert published(wh_dir, "SELECT count(*) FROM documents") == [(5,)]
    assert published(wh_dir, f"SELECT status, published_at IS NOT NULL FROM runs WHERE run_id = '{r}'"
                     ) == [("success", True)]


def test_a_failed_publish_marks_the_run_partial_and_the_next_writer_publishes_it(wh_dir, monkeypatch):
    def disk_full(*a, **k):
        raise OSError(28, "No space left on device")

    with Warehouse(wh_dir) as wh:
        r = load_run(wh, [item(11)])
        with monkeypatch.context() as m:
            m.setattr("warehouse.loader.publish_file", disk_full)
            with pytest.raises(WarehouseError, match="next run"):
                wh.publish()
        status, errors = wh.con.execute("SELECT status, errors FROM runs WHERE run_id = ?", [r]).fetchone()
        assert status == "partial" and "No space left" in errors[-1]
    with Warehouse(wh_dir) as wh:
        assert any(n.startswith("resumed") for n in wh.notes)
        r2 = wh.start_run("ingest", {})
        wh.finish_run(r2, "success")
        assert wh.summary(r2).notes == wh.notes
    assert published(wh_dir, "SELECT count(*) FROM documents") == [(5,)]


# ------------------------------------------------------------------------------ lost, shrunk
def test_a_lost_working_database_is_refused_with_how_to_rebuild(wh_dir):
    work = wh_dir / "work" / "warehouse.duckdb"
    work.unlink()
    with pytest.raises(WorkingDatabaseLost, match="foerderradar restore"):
        Warehouse(wh_dir)
    assert not work.exists()                                   # nothing replaced it
    assert published(wh_dir, "SELECT count(*) FROM documents") == [(4,)]
    assert "restored" in Warehouse.restore(wh_dir)
    with Warehouse(wh_dir) as wh:
        assert wh.con.execute("SELECT count(*) FROM documents").fetchone() == (4,)
        load_run(wh, [item(12)])
        wh.publish()
    assert published(wh_dir, "SELECT count(*) FROM documents") == [(5,)]


def test_a_warehouse_that_shrank_is_not_published_without_force(wh_dir):
    (wh_dir / "work" / "warehouse.duckdb").unlink()
    Warehouse.restore(wh_dir, empty=True)
    with Warehouse(wh_dir) as wh:
        r = load_run(wh, [item(20)])
        with pytest.raises(WarehouseError, match="shrank from 4 to 1 documents"):
            wh.publish()
        assert wh.con.execute("SELECT status FROM runs WHERE run_id = ?", [r]).fetchone() == ("partial",)
        assert published(wh_dir, "SELECT count(*) FROM documents") == [(4,)]
        wh.publish(force=True)
    assert published(wh_dir, "SELECT count(*) FROM documents") == [(1,)]


# ------------------------------------------------------------------------------ damaged state
@pytest.mark.parametrize("content", [b"", b"../../../etc/passwd\n", b"warehouse-gone.duckdb\n",
                                     b"\xff\xfe garbage"])
def test_a_damaged_current_heals_on_the_next_writer_with_a_warning(wh_dir, content):
    (wh_dir / "CURRENT").write_bytes(content)
    with pytest.raises(WarehouseError):
        published(wh_dir, "SELECT 1")
    with Warehouse(wh_dir) as wh:
        assert any(n.startswith("repaired") and "CURRENT" in n for n in wh.notes)
    assert published(wh_dir, "SELECT count(*) FROM documents") == [(4,)]


def test_a_truncated_working_database_is_restored_from_the_snapshot_with_a_warning(wh_dir, caplog):
    work = wh_dir / "work" / "warehouse.duckdb"
    data = work.read_bytes()
    work.write_bytes(data[: len(data) // 3])
    with Warehouse(wh_dir) as wh:
        assert any(n.startswith("repaired") and "restored from the snapshot" in n for n in wh.notes)
        assert wh.con.execute("SELECT count(*) FROM documents").fetchone() == (4,)
        load_run(wh, [item(30)])
        wh.publish()
    assert list((wh_dir / "work").glob("warehouse.duckdb.damaged-*"))
    assert "restored from the snapshot" in caplog.text
    assert published(wh_dir, "SELECT count(*) FROM documents") == [(5,)]


def test_publish_and_restore_commands(wh_dir, monkeypatch):
    from typer.testing import CliRunner

    from flows.cli import app

    monkeypatch.setenv("FOERDERRADAR_WAREHOUSE", str(wh_dir))
    runner = CliRunner()
    (wh_dir / "CURRENT").write_text("../../../etc/passwd\n")
    res = runner.invoke(app, ["publish"])
    assert res.exit_code == 0, res.output
    assert published(wh_dir, "SELECT count(*) FROM documents") == [(4,)]
    (wh_dir / "work" / "warehouse.duckdb").unlink()
    res = runner.invoke(app, ["restore"])
    assert res.exit_code == 0 and "restored" in res.output
    res = runner.invoke(app, ["restore"])
    assert res.exit_code == 1 and "nothing to restore" in res.output


def test_notebook_frames_from_the_notebook_extra(wh_dir):
    """`pip install -e ".[notebook]"`: .df() (pandas) and .pl() (polars) on a published view."""
    pytest.importorskip("pandas")
    pytest.importorskip("polars")
    con = connect(wh_dir, today=TODAY)
    try:
        assert len(con.sql("FROM open_calls").df()) == 4
        assert con.sql("FROM open_calls").pl().height == 4
    finally:
        con.close()
