"""Warehouse: migrations, idempotent loads, versions and changes, views, programme merging.

Real DuckDB files in tmp_path; documents and extractions are built with models.records from
German template texts (warehouse/synthetic.py) whose spans are exact.
"""
from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal

import duckdb
import pytest

import warehouse
from warehouse import LoadItem, MigrationError, NotPublished, Warehouse, WarehouseBusy, WarehouseError
from warehouse import migrate as mig
from warehouse.programmes import ProgrammeIndex, norm_key
from warehouse.synthetic import TOWNS, Call, announcement, raw_record

TODAY = dt.date(2025, 4, 1)
DATA_TABLES = ("documents", "document_versions", "extractions", "programmes", "programme_aliases",
               "records", "programme_mentions", "amounts", "deadlines", "dates",
               "municipality_mentions", "changes", "sources", "fetches", "crawls")
VIEWS = ("open_calls", "upcoming_deadlines", "programmes_latest", "changes_since_last_run",
         "municipality_programmes", "runs_overview", "current_records", "programme_sources")


def item(url, call, *, raw=True, ev="0.1.0", source="demo", title=None):
    doc, ex = announcement(url, call, extractor_version=ev, title=title)
    rec = raw_record(url, doc.sha256, source=source, size=len(doc.text)) if raw else None
    return LoadItem(rec, doc, ex)


def corpus():
    """A realistic small load: two sources, a programme seen in both with a spelling variant,
    a document announcing two programmes."""
    return [
        item("https://land.example/aufrufe/klimaschutz",
             Call("Kommunaler Klimaschutz Nordrhein-Westfalen", alias="KKS-NRW",
                  deadline=dt.date(2025, 5, 15),
                  second_programme="Wärmeplanung in Kommunen", second_deadline=dt.date(2025, 6, 30),
                  second_grant=Decimal(80_000))),
        item("https://portal.example/foerderung/123",
             Call("Kommunaler Klimaschutz Nordrhein Westfalen", deadline=dt.date(2025, 5, 15),
                  budget=Decimal(5_000_000), municipalities=[TOWNS[0], TOWNS[3]]),
             source="portal"),
        item("https://land.example/aufrufe/sport",
             Call("Sportstätten im Quartier", budget=Decimal(12_000_000), grant=Decimal(750_000),
                  deadline=dt.date(2025, 9, 30), deadline_subject="antrag",
                  municipalities=[TOWNS[4], TOWNS[5]])),
        item("file:///data/alt/aufruf-2023.txt",
             Call("Digitale Schule", deadline=dt.date(2023, 10, 1)), raw=False),
    ]


def counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in DATA_TABLES}


def run(wh, items, flow="ingest", status="success"):
    r = wh.start_run(flow, {"n": len(items)})
    stats = wh.load(r, items)
    summary = wh.finish_run(r, status, [], today=TODAY)
    return stats, summary


# ---------------------------------------------------------------------------------- migrations
def test_migrations_applied_once_and_recorded(tmp_path):
    wh = Warehouse(tmp_path)
    assert wh.migrations_applied == [1, 2, 3]
    rows = wh.con.execute("SELECT version, name, checksum, applied_at FROM schema_migrations"
                          ).fetchall()
    assert [(v, n) for v, n, _, _ in rows] == [(1, "core"), (2, "lifecycle"), (3, "facets")]
    assert rows[0][2] == mig.discover()[0].checksum and rows[0][3] is not None
    wh.close()
    wh = Warehouse(tmp_path)
    assert wh.migrations_applied == []
    assert wh.con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == 3
    wh.close()


def test_modified_applied_migration_is_refused(tmp_path):
    mdir = tmp_path / "migrations"
    shutil.copytree(mig.MIGRATIONS_DIR, mdir)
    (mdir / "099_extra.sql").write_text("CREATE TABLE extra (x INTEGER);\n")
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    assert mig.migrate(con, mdir) == [1, 2, 3, 99]
    assert mig.migrate(con, mdir) == []
    (mdir / "099_extra.sql").write_text("CREATE TABLE extra (x INTEGER, y INTEGER);\n")
    with pytest.raises(MigrationError, match="099_extra.sql was modified after it was applied"):
        mig.migrate(con, mdir)
    (mdir / "099_extra.sql").unlink()
    with pytest.raises(MigrationError, match="newer version"):
        mig.migrate(con, mdir)


def test_views_are_created_again_only_when_a_view_file_or_the_migrations_change(tmp_path):
    vdir = tmp_path / "views"
    shutil.copytree(mig.VIEWS_DIR, vdir)
    Warehouse(tmp_path / "wh").close()                       # migrated, with its macros
    con = duckdb.connect(str(tmp_path / "wh" / "work" / "warehouse.duckdb"))
    con.execute("COMMENT ON TABLE schema_migrations IS NULL")
    assert set(VIEWS) <= set(mig.create_views(con, vdir))
    assert mig.create_views(con, vdir) == []                # the writer's next open: no DDL
    (vdir / "zz_mine.sql").write_text("-- @view: mine\n-- @column one: the number one\nSELECT 1 AS one\n")
    assert "zz_mine" in mig.create_views(con, vdir)         # a new view file
    assert con.execute("SELECT one FROM zz_mine").fetchall() == [(1,)]
    con.execute("DROP VIEW open_calls")
    assert "open_calls" in mig.create_views(con, vdir)      # a view missing from the database
    mdir = tmp_path / "migrations"
    shutil.copytree(mig.MIGRATIONS_DIR, mdir)
    (mdir / "099_extra.sql").write_text("CREATE TABLE extra (x INTEGER);\n")
    mig.migrate(con, mdir)
    assert "open_calls" in mig.create_views(con, vdir)      # a new migration
    assert mig.create_views(con, vdir) == []


def test_failing_migration_leaves_nothing_behind(tmp_path):
    mdir = tmp_path / "migrations"
    mdir.mkdir()
    (mdir / "001_ok.sql").write_text("CREATE TABLE a (x INTEGER);")
    (mdir / "002_bad.sql").write_text("CREATE TABLE b (x INTEGER); SELEC nonsense;")
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    with pytest.raises(MigrationError, match="002_bad.sql failed"):
        mig.migrate(con, mdir)
    assert mig.applied(con).keys() == {1}
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'b'"
                       ).fetchone()[0] == 0


def test_every_view_column_is_documented(tmp_path):
    with Warehouse(tmp_path) as wh:
        undocumented = wh.con.execute(
            "SELECT c.table_name, c.column_name FROM duckdb_columns() c JOIN duckdb_views() v "
            "ON v.view_name = c.table_name AND NOT v.internal "
            "WHERE c.comment IS NULL OR c.comment = ''").fetchall()
        names = {r[0] for r in wh.con.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert undocumented == []
    assert set(VIEWS) <= names


# ---------------------------------------------------------------------------------- loading
def test_load_records_provenance_and_assembly(tmp_path):
    with Warehouse(tmp_path) as wh:
        stats, summary = run(wh, corpus())
        assert (stats.new_documents, stats.unchanged, stats.failed) == (4, 0, 0)
        con = wh.con
        # the same programme from two sources and two spellings is one programme
        pid = con.execute("SELECT programme_id FROM programmes WHERE name LIKE 'Kommunaler%'"
                          ).fetchall()
        assert len(pid) == 1
        srcs = con.execute("SELECT list_sort(list(DISTINCT source)) FROM current_records WHERE "
                           "programme_id = ?", [pid[0][0]]).fetchone()[0]
        assert srcs == ["demo", "portal"]
        # the second programme of the first document takes the amount and deadline of its section
        row = con.execute(
            "SELECT d.date, d.attached_by, d.snippet, r.programme_name FROM deadlines d "
            "JOIN records r USING (record_id) WHERE d.date = DATE '2025-06-30'").fetchone()
        assert row[3] == "Wärmeplanung in Kommunen" and row[1] == "section"   # after a ';'

        assert "Antragsfrist endet am 30. Juni 2025" in row[2] and len(row[2]) <= 240
        amt = con.execute("SELECT a.value_eur, a.role, r.programme_name FROM amounts a JOIN "
                          "records r USING (record_id) WHERE a.value_eur = 80000").fetchone()
        assert amt == (Decimal("80000.00"), "grant", "Wärmeplanung in Kommunen")
        roles = dict(con.execute("SELECT value_eur, role FROM amounts WHERE document_id = "
                                 "(SELECT document_id FROM documents WHERE url LIKE '%sport')"
                                 ).fetchall())
        assert roles == {Decimal("12000000.00"): "budget", Decimal("750000.00"): "grant"}
        # provenance: span points into the stored text of the version, snippet holds it
        bad = con.execute(
            "SELECT count(*) FROM deadlines d JOIN document_versions v USING (version_id) "
            "WHERE substring(v.text, d.span_start + 1, d.span_end - d.span_start) <> d.span_text "
            "OR d.extractor_version <> '0.1.0' OR d.run_id IS NULL OR "
            "strpos(d.snippet, d.span_text) = 0").fetchone()[0]
        assert bad == 0
        # loaded without raw record: url is the document source, fetched_at NULL
        assert con.execute("SELECT fetched_at, raw_path FROM document_versions WHERE url = "
                           "'file:///data/alt/aufruf-2023.txt'").fetchone() == (None, None)
        assert con.execute("SELECT count(*) FROM document_versions WHERE fetched_at IS NOT NULL"
                           ).fetchone()[0] == 3
    assert summary.new == 4 and summary.changed == 0
    # two documents of one call stating the same deadline: one row with both URLs
    assert [(d["date"], len(d["urls"])) for d in summary.upcoming_deadlines] == [
        (dt.date(2025, 5, 15), 2)]


def test_same_input_twice_changes_nothing(tmp_path):
    with Warehouse(tmp_path) as wh:
        run(wh, corpus())
        before = counts(wh.con)
        keys = wh.known_keys()
        stats, summary = run(wh, corpus())
        assert (stats.new_documents, stats.new_versions, stats.unchanged) == (0, 0, 4)
        assert sum(stats.rows.values()) == 0
        assert counts(wh.con) == before
        assert wh.known_keys() == keys and len(keys) == 4
        assert summary.new == 0 and summary.unchanged == 4 and summary.changes == []
        # twice in one batch is the same as once
        r = wh.start_run("ingest", {})
        s = wh.load(r, [item("https://x.example/a", Call("Ehrenamt stärken"))] * 2)
        wh.finish_run(r, "success")
        assert (s.new_documents, s.unchanged) == (1, 1)


def test_changed_document_becomes_version_with_changes(tmp_path):
    url = "https://land.example/aufrufe/klimaschutz"
    v1 = Call("Kommunaler Klimaschutz", deadline=dt.date(2025, 5, 15), budget=Decimal(5_000_000),
              second_programme="Wärmeplanung in Kommunen", second_deadline=dt.date(2025, 6, 30),
              municipalities=[TOWNS[0]])
    v2 = Call("Kommunaler Klimaschutz", deadline=dt.date(2025, 6, 15), budget=Decimal(7_500_000),
              municipalities=[TOWNS[0], TOWNS[2]])
    with Warehouse(tmp_path) as wh:
        run(wh, [item(url, v1)])
        stats, summary = run(wh, [item(url, v2)])
        assert (stats.new_documents, stats.new_versions) == (0, 1)
        con = wh.con
        assert con.execute("SELECT list(version ORDER BY version) FROM document_versions"
                           ).fetchone()[0] == [1, 2]
        cur = con.execute("SELECT v.version FROM documents d JOIN document_versions v ON "
                          "v.version_id = d.current_version_id").fetchone()[0]
        assert cur == 2
        got = {(c[0], c[1], c[2], c[3], c[4]) for c in con.execute(
            "SELECT field, change, old_value, new_value, programme_name FROM changes "
            "WHERE run_id = ?", [summary.run_id]).fetchall()}
        assert ("deadline", "moved", "2025-05-15", "2025-06-15", "Kommunaler Klimaschutz") in got
        assert ("amount", "changed", "5000000.00", "7500000.00", "Kommunaler Klimaschutz") in got
        assert ("programme", "removed", "Wärmeplanung in Kommunen", None,
                "Wärmeplanung in Kommunen") in got
        assert ("municipality", "added", None, "Lüneburg (03355022)",
                "Kommunaler Klimaschutz") in got
        aspect = con.execute("SELECT aspect FROM changes WHERE field = 'amount'").fetchone()[0]
        assert aspect == "budget/total"
        # old version's values stay, the view sees the new ones only
        assert con.execute("SELECT count(*) FROM deadlines").fetchone()[0] == 3
        assert con.execute("SELECT count(*) FROM current_records").fetchone()[0] == 1
    md = summary.to_markdown()
    assert "| 0 | 1 |" in md and "moved" in md and "2025-06-15" in md
    assert summary.changed == 1 and summary.n_changes == len(got)
    # a new deadline in a third version, and the publish shows it since the last run
    v3 = Call("Kommunaler Klimaschutz", deadline=dt.date(2025, 6, 15), budget=Decimal(7_500_000),
              municipalities=[TOWNS[0], TOWNS[2]], second_programme="Wärmeplanung in Kommunen",
              second_deadline=dt.date(2025, 8, 1))
    with Warehouse(tmp_path) as wh:
        run(wh, [item(url, v3)])
        wh.publish()
    con = warehouse.connect(tmp_path)
    rows = con.execute("SELECT field, change, new_value FROM changes_since_last_run").fetchall()
    assert ("programme", "added", "Wärmeplanung in Kommunen") in rows
    assert ("deadline", "added", "2025-08-01") in rows
    assert all(r[1] != "moved" for r in rows)    # the earlier run's move is not "since last run"
    con.close()


def test_new_extractor_version_reextracts_same_version(tmp_path):
    url = "https://land.example/a"
    with Warehouse(tmp_path) as wh:
        run(wh, [item(url, Call("Ehrenamt stärken"), ev="0.1.0")])
        assert wh.known(wh.known_keys().pop()[0], "0.1.0", url=url)
        stats, summary = run(wh, [item(url, Call("Ehrenamt stärken"), ev="0.2.0")])
        assert (stats.reextracted, stats.new_versions) == (1, 0)
        assert wh.con.execute("SELECT count(*) FROM document_versions").fetchone()[0] == 1
        assert wh.con.execute("SELECT count(*) FROM extractions").fetchone()[0] == 2
        assert {k[1] for k in wh.known_keys()} == {"0.2.0"}
        assert summary.reextracted == 1 and summary.changes == []


def test_crawl_report_is_recorded(tmp_path):
    from extractors.crawl import CrawlReport, Failure
    items = corpus()[:2]
    report = CrawlReport(source="demo", records=[i.raw for i in items], new=[items[0].raw],
                         unchanged=1, failures=[Failure("https://land.example/kaputt", "HTTP 503")],
                         requests=7, not_modified=1)
    with Warehouse(tmp_path) as wh:
        r = wh.start_run("ingest", {"sources": ["demo"]})
        wh.record_crawl(r, report)
        wh.load(r, items)
        s = wh.finish_run(r, "partial", ["demo: 1 fetch failed"])
        assert s.failed == 1 and s.errors == ["demo: 1 fetch failed"] and s.status == "partial"
        f = wh.con.execute("SELECT outcome, count(*) FROM fetches GROUP BY ALL ORDER BY 1"
                           ).fetchall()
        assert f == [("failed", 1), ("fetched", 2)]
        ov = wh.con.execute("SELECT status, sources, requests, not_modified, failed, n_errors "
                            "FROM runs_overview").fetchone()
        assert ov == ("partial", 1, 7, 1, 1, 1)
        assert {r[0] for r in wh.con.execute("SELECT source FROM sources").fetchall()} == {
            "demo", "portal"}


def test_bad_item_is_skipped_not_fatal(tmp_path):
    good = item("https://x.example/gut", Call("Ehrenamt stärken"))
    bad = item("https://x.example/kaputt", Call("Digitale Schule"))
    bad.extraction.amounts[0].value_eur = Decimal("1e40")          # does not fit DECIMAL(18,2)
    broken = LoadItem(None, good.document.model_copy(update={"source": ""}),
                      good.extraction.model_copy(update={"source": ""}))
    with Warehouse(tmp_path) as wh:
        r = wh.start_run("ingest", {})
        stats = wh.load(r, [good, broken, bad])
        s = wh.finish_run(r, "partial")
        assert stats.new_documents == 2 and stats.failed == 1 and "no url" in stats.errors[0]
        # the oversized amount is dropped to NULL rather than failing the run
        assert wh.con.execute("SELECT count(*) FROM amounts WHERE value_eur IS NULL"
                              ).fetchone()[0] == 1
        assert s.failed == 1


def test_register_and_municipality_view(tmp_path, monkeypatch):
    # no municipal register installed: a run would otherwise copy it over this one
    monkeypatch.setenv("FOERDERRADAR_GAZETTEER", str(tmp_path / "no-register.json.gz"))
    with Warehouse(tmp_path) as wh:
        n = wh.load_register([{"ags": ags, "name": name, "type": typ, "land": "Testland"}
                              for name, typ, ags in TOWNS])
        assert n == len(TOWNS)
        run(wh, corpus())
        wh.publish()
    con = warehouse.connect(tmp_path)
    rows = con.execute("SELECT municipality, ags, register_name, land, programme FROM "
                   "municipality_programmes WHERE ags = '14626110'").fetchall()
    assert rows == [("Görlitz", "14626110", "Görlitz", "Testland", "Sportstätten im Quartier")]


# ---------------------------------------------------------------------------------- views
def test_every_view_returns_rows_for_a_realistic_load(tmp_path):
    url = "https://land.example/aufrufe/sport"
    with Warehouse(tmp_path) as wh:
        run(wh, corpus())
        run(wh, [item(url, Call("Sportstätten im Quartier", budget=Decimal(15_000_000),
                                grant=Decimal(750_000), deadline=dt.date(2025, 10, 31),
                                deadline_subject="antrag", municipalities=[TOWNS[4]]))])
        wh.publish()
    con = warehouse.connect(tmp_path, today=TODAY)
    for view in VIEWS:
        assert con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] > 0, view
    calls = con.execute("SELECT programme, next_deadline, days_left, budget_eur, url FROM open_calls"
                    ).fetchall()
    assert ("Sportstätten im Quartier", dt.date(2025, 10, 31), 213, Decimal("15000000.00"),
            url) in calls
    assert all(c[1] >= TODAY for c in calls)
    assert "Digitale Schule" not in {c[0] for c in calls}          # its deadline has passed
    up = con.execute("SELECT date FROM upcoming_deadlines").fetchall()
    assert up and all(TODAY <= d <= TODAY + dt.timedelta(days=60) for (d,) in up)
    latest = con.execute("SELECT documents, sources, budget_eur, aliases FROM programmes_latest "
                     "WHERE programme LIKE 'Kommunaler Klimaschutz%'").fetchone()
    assert latest[0] == 2 and latest[1] == ["demo", "portal"] and "KKS-NRW" in latest[3]
    con.close()
    # another day, another answer: the views follow fr_today()
    con = warehouse.connect(tmp_path, today="2023-09-01")
    assert "Digitale Schule" in {r[0] for r in con.execute("SELECT programme FROM open_calls").fetchall()}
    con.close()


# ---------------------------------------------------------------------------------- programmes
def test_programme_merging_is_conservative():
    idx = ProgrammeIndex()
    a = idx.resolve("Förderprogramm Kommunaler Klimaschutz", ["KKS"])
    assert a.matched_by == "new"
    assert idx.resolve("Foerderprogramm Kommunaler-Klimaschutz").programme_id == a.programme_id
    assert idx.resolve("KKS").programme_id == a.programme_id
    fz = idx.resolve("Förderprogram Kommunaler Klimaschutz")          # typo
    assert fz.programme_id == a.programme_id and fz.matched_by.startswith("fuzzy")
    assert idx.resolve("Kommunaler Klimaschutz Förderprogramm").programme_id == a.programme_id
    # numbers must agree, short names only match exactly, different programmes stay apart
    b = idx.resolve("Förderaufruf Digitale Schule 2024")
    assert idx.resolve("Förderaufruf Digitale Schule 2025").programme_id != b.programme_id
    assert idx.resolve("Klimaschutz in Unternehmen").programme_id != a.programme_id
    # a parenthesised abbreviation becomes an alias; a quoted name too
    c = idx.resolve("Bundesförderung für effiziente Gebäude (BEG)")
    assert idx.resolve("BEG").programme_id == c.programme_id
    d = idx.resolve("Richtlinie „Stadtgrün und Klimaanpassung“")
    assert idx.resolve("Stadtgrün und Klimaanpassung").programme_id == d.programme_id
    # alias overlap merges different spellings; an alias known for two programmes merges nothing
    e1 = idx.resolve("Modellprojekte Smart Cities", ["MPSC"])
    assert idx.resolve("Smart-City-Modellprojekte des Bundes", ["MPSC"]).programme_id == \
        e1.programme_id
    two = ProgrammeIndex.from_rows([("p_a", "Modellprojekte Smart Cities"),
                                    ("p_b", "Mittelstandsprogramm Sachsen")],
                                   [("p_a", "MPSC"), ("p_b", "MPSC")])
    assert two.resolve("MPSC").matched_by == "new"
    assert two.resolve("Modellprojekte Smart Cities").programme_id == "p_a"
    assert norm_key("Förder-Programm „Ländlicher Raum“") == "foerderprogrammlaendlicherraum"
    # generic words are no alias
    f = idx.resolve("EFRE-Programm Innovation", ["EFRE"])
    g = idx.resolve("EFRE Klimaschutz Mittelstand", ["EFRE"])
    assert f.programme_id != g.programme_id


# ---------------------------------------------------------------------------------- publishing
def test_connect_before_publish_and_busy_writer(tmp_path):
    with pytest.raises(NotPublished, match="run `foerderradar ingest` first"):
        warehouse.connect(tmp_path)
    wh = Warehouse(tmp_path)
    with pytest.raises(WarehouseBusy, match="another run is writing .* since"):
        Warehouse(tmp_path)
    with pytest.raises(WarehouseError, match="call start_run"):
        wh.load("nope", [])
    r = wh.start_run("ingest", {})
    with pytest.raises(WarehouseError, match="finish_run"):
        wh.publish()
    wh.finish_run(r, "success")
    wh.close()
    Warehouse(tmp_path).close()                      # the lock was released


def test_publish_snapshots_and_garbage_collection(tmp_path):
    with Warehouse(tmp_path, keep_snapshots=2) as wh:
        for k in range(4):
            run(wh, [item(f"https://x.example/{k}", Call("Ehrenamt stärken"))])
            snap = wh.publish()
            assert warehouse.current_snapshot(tmp_path) == snap
        # a crash during an earlier publish left temporary files: swept
        (tmp_path / "snapshots" / ".tmp-x-1.duckdb").write_bytes(b"partial")
        (tmp_path / ".tmp-CURRENT-1").write_text("half")
        wh.collect_garbage()
    left = sorted(p.name for p in (tmp_path / "snapshots").iterdir())
    assert len(left) == 2 and snap.name in left
    assert not list(tmp_path.glob(".tmp-*"))
    con = warehouse.connect(tmp_path)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 4
    con.execute("CREATE TEMP TABLE mine AS SELECT * FROM open_calls")   # notebooks may scratch
    con.close()
    mem = warehouse.connect(tmp_path, read_only=False)
    mem.execute("CREATE TABLE memory.main.notes AS SELECT 1 AS x")
    assert mem.execute("SELECT count(*) FROM documents").fetchone()[0] == 4
    mem.close()


def test_run_closed_without_finish_is_rolled_back(tmp_path):
    with Warehouse(tmp_path) as wh:
        r = wh.start_run("ingest", {})
        wh.load(r, corpus())
    with Warehouse(tmp_path) as wh:
        assert wh.con.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
        assert wh.con.execute("SELECT status FROM runs").fetchone()[0] == "aborted"
        # and the programme index forgot the rolled-back programmes
        run(wh, corpus())
        assert wh.con.execute("SELECT count(*) FROM programmes").fetchone()[0] == 4


def test_known_inside_a_run_leaves_no_open_result(tmp_path):
    """known() during a run must not leave a half-read result on the connection: DuckDB 2
    fails the run's next statement with "unfinished result" (a flow checks known() between
    loads)."""
    items = corpus()
    with Warehouse(tmp_path) as wh:
        run(wh, items[:1])
        r = wh.start_run("ingest", {})
        first = items[0]
        assert wh.known(first.document.sha256, first.extraction.extractor_version)
        assert not wh.known("0" * 64, first.extraction.extractor_version)
        stats = wh.load(r, items[1:])
        wh.finish_run(r, "success", [], today=TODAY)
        assert stats.new_documents == 3


def test_the_writer_keeps_to_its_memory_limit(tmp_path, monkeypatch):
    """FOERDERRADAR_WAREHOUSE_MEMORY_MB caps the writer's DuckDB (unset: DuckDB's own default),
    and a run loads and publishes under the cap."""
    from extractors import settings

    with Warehouse(tmp_path / "default") as wh:
        default = wh.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    monkeypatch.setattr(settings, "WAREHOUSE_MEMORY_MB", 96)
    with Warehouse(tmp_path / "capped") as wh:
        limit = wh.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        stats, _summary = run(wh, corpus())
        wh.publish()
    assert limit == "91.5 MiB" != default            # 96 MB
    assert stats.new_documents == 4
    assert warehouse.connect(tmp_path / "capped").execute("SELECT count(*) FROM documents").fetchone()[0] == 4
