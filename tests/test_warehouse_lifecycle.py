"""Documents through their life (confirmed, moved, gone, back), one row per call, honest counts,
quality checks. Real DuckDB files in tmp_path; crawl reports are the crawler's own dataclasses."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extractors.crawl import CrawlReport, Failure
from models.records import Deadline
from warehouse import LoadItem, Warehouse, connect, queries
from warehouse.lifecycle import MISSED_RUNS_GONE
from warehouse.synthetic import Call, announcement, raw_record

TODAY = dt.date(2025, 4, 1)
PAGE = "https://land.example/aufrufe/klimaschutz.html"
PDF = "https://land.example/richtlinien/klimaschutz.pdf"
OTHER = "https://land.example/aufrufe/sport.html"


def item(url, call, *, ev="0.1.0", kind="html", source="demo", rolling=False):
    doc, ex = announcement(url, call, extractor_version=ev)
    if kind != "html":
        doc = doc.model_copy(update={"kind": kind})
    if rolling:
        pos = doc.text.index("Verfahren")
        ex.deadlines.append(Deadline(text="Verfahren", start=pos, end=pos + 9, date=None,
                                     kind="laufend"))
    return LoadItem(raw_record(url, doc.sha256, source=source, size=len(doc.text)), doc, ex)


def site(**over):
    """Page and guideline PDF of one call, and a second call."""
    klima = Call("Kommunaler Klimaschutz", deadline=dt.date(2025, 5, 15),
                 budget=Decimal(5_000_000))
    return [item(PAGE, over.get("page", klima)), item(PDF, over.get("pdf", klima), kind="pdf"),
            item(OTHER, over.get("other", Call("Sportstätten im Quartier",
                                               deadline=dt.date(2025, 9, 30))))]


def night(wh, items, *, failures=(), complete=True, seen=None, source="demo"):
    """One run as the flow does it: record the crawl, plan, load what the plan says, finish."""
    r = wh.start_run("ingest", {})
    records = [i.raw for i in items] if seen is None else seen
    wh.record_crawl(r, CrawlReport(source=source, records=records, failures=list(failures)),
                    complete=complete)
    plan = wh.plan(r, source, records, "0.1.0")
    todo = {rec.url for rec in plan.extract}
    wh.load(r, [i for i in items if i.raw.url in todo])
    return r, plan, wh.finish_run(r, "success", today=TODAY)


def q(wh, sql, *args):
    wh.con.execute("SET VARIABLE fr_today = DATE '2025-04-01'")
    return wh.con.execute(sql, list(args)).fetchall()


# ------------------------------------------------------------------------------ one row per call
def test_page_and_its_pdf_are_one_call_with_both_urls(tmp_path):
    with Warehouse(tmp_path) as wh:
        night(wh, site())
        rows = q(wh, "SELECT programme, next_deadline, documents, urls, url, budget_eur "
                     "FROM open_calls ORDER BY programme")
        assert rows == [
            ("Kommunaler Klimaschutz", dt.date(2025, 5, 15), 2, sorted([PAGE, PDF]), PAGE,
             Decimal("5000000.00")),
            ("Sportstätten im Quartier", dt.date(2025, 9, 30), 1, [OTHER], OTHER,
             Decimal("5000000.00"))]
        up = q(wh, "SELECT date, programme, urls FROM upcoming_deadlines ORDER BY date")
        assert up == [(dt.date(2025, 5, 15), "Kommunaler Klimaschutz", sorted([PAGE, PDF]))]
        assert q(wh, "SELECT count(*), count(DISTINCT url) FROM current_records")[0] == (3, 3)


def test_a_rolling_call_is_open_without_a_date(tmp_path):
    rolling = item(OTHER, Call("Sportstätten im Quartier", deadline=None), rolling=True)
    with Warehouse(tmp_path) as wh:
        night(wh, [rolling])
        assert q(wh, "SELECT programme, next_deadline, deadline_kind, rolling, days_left "
                     "FROM open_calls") == [("Sportstätten im Quartier", None, "laufend", True, None)]


def test_an_extended_deadline_on_the_page_wins_over_the_older_pdf(tmp_path):
    with Warehouse(tmp_path) as wh:
        night(wh, site())
        later = Call("Kommunaler Klimaschutz", deadline=dt.date(2025, 6, 30), budget=Decimal(5_000_000))
        night(wh, site(page=later))
        assert q(wh, "SELECT next_deadline, documents FROM open_calls WHERE programme LIKE "
                     "'Kommunaler%'") == [(dt.date(2025, 6, 30), 2)]
        moved = q(wh, "SELECT field, change, old_value, new_value, urls FROM changes_since_last_run")
        assert moved == [("deadline", "moved", "2025-05-15", "2025-06-30", [PAGE])]


def test_a_deadline_moved_in_page_and_pdf_is_one_change(tmp_path):
    with Warehouse(tmp_path) as wh:
        night(wh, site())
        later = Call("Kommunaler Klimaschutz", deadline=dt.date(2025, 6, 30), budget=Decimal(5_000_000))
        _r, _p, summary = night(wh, site(page=later, pdf=later))
        rows = q(wh, "SELECT field, change, old_value, new_value, urls FROM changes_since_last_run")
        assert rows == [("deadline", "moved", "2025-05-15", "2025-06-30", sorted([PAGE, PDF]))]
        assert summary.n_changes == 1 and len(summary.changes) == 1
        assert summary.changed == 2          # documents: both changed; the call changed once
        assert q(wh, "SELECT changes FROM runs_overview LIMIT 1") == [(1,)]


# ------------------------------------------------------------------------------ lifecycle
def test_every_confirmation_moves_last_seen_and_counts_unchanged_once(tmp_path):
    with Warehouse(tmp_path) as wh:
        r1, _p, _s = night(wh, site())
        r2, plan, summary = night(wh, site())     # the crawler's 304s: the same records again
        assert plan.unchanged == 3 and plan.extract == [] and summary.unchanged == 3
        assert {r for (r,) in q(wh, "SELECT DISTINCT last_run_id FROM documents")} == {r2}
        run = q(wh, "SELECT new_documents, new_versions, reextracted, unchanged, moved, gone, "
                    "failed FROM runs_overview WHERE run_id = ?", r2)
        assert run == [(0, 0, 0, 3, 0, 0, 0)]
        assert (summary.new, summary.changed, summary.reextracted, summary.unchanged) == (0, 0, 0, 3)


def test_a_404_or_410_marks_the_document_gone_and_it_leaves_the_open_views(tmp_path):
    with Warehouse(tmp_path) as wh:
        night(wh, site())
        items = site()
        r2, _p, summary = night(wh, items[:2], seen=[items[0].raw, items[1].raw],
                                failures=[Failure(OTHER, "HTTP 410")])
        assert q(wh, "SELECT url, gone_run_id FROM documents WHERE gone_run_id IS NOT NULL") == [
            (OTHER, r2)]
        assert [p for (p,) in q(wh, "SELECT programme FROM open_calls")] == ["Kommunaler Klimaschutz"]
        assert q(wh, "SELECT field, change, cause, url FROM changes_since_last_run") == [
            ("document", "gone", "gone", OTHER)]
        assert (summary.gone, summary.failed, summary.status) == (1, 0, "success")
        assert q(wh, "SELECT outcome FROM fetches WHERE run_id = ? AND url = ?", r2, OTHER) == [("gone",)]


def test_missing_from_complete_crawls_makes_a_document_gone_and_seeing_it_brings_it_back(tmp_path):
    with Warehouse(tmp_path) as wh:
        night(wh, site())
        items = site()
        kept = items[:2]
        seen = [i.raw for i in kept]
        # a crawl cut short (--limit) or one with other failures proves nothing
        night(wh, kept, seen=seen, complete=False)
        night(wh, kept, seen=seen, failures=[Failure("https://land.example/liste", "HTTP 503")])
        assert q(wh, "SELECT missed, gone_run_id FROM documents WHERE url = ?", OTHER) == [(0, None)]
        for n in range(MISSED_RUNS_GONE):
            r, _p, s = night(wh, kept, seen=seen)
        assert q(wh, "SELECT gone_run_id, gone_reason LIKE 'missing from%' FROM documents "
                     "WHERE url = ?", OTHER) == [(r, True)]
        assert s.gone == 1 and len(q(wh, "SELECT * FROM open_calls")) == 1
        # seen again: back, and open again
        night(wh, items)
        assert q(wh, "SELECT missed, gone_run_id FROM documents WHERE url = ?", OTHER) == [(0, None)]
        assert len(q(wh, "SELECT * FROM open_calls")) == 2


def test_a_page_that_moved_keeps_its_identity_and_is_not_extracted_again(tmp_path):
    with Warehouse(tmp_path) as wh:
        night(wh, site())
        before = dict(q(wh, "SELECT url, document_id FROM documents"))
        items = site()
        new_url = "https://land.example/neu/sport.html"
        moved_rec = raw_record(new_url, items[2].raw.sha256, size=items[2].raw.size)
        r2, plan, summary = night(wh, items[:2], seen=[items[0].raw, items[1].raw, moved_rec])
        assert plan.moved == [(OTHER, new_url)] and plan.extract == []
        assert q(wh, "SELECT document_id, moved_from, versions FROM documents WHERE url = ?",
                 new_url) == [(before[OTHER], [OTHER], 1)]
        assert (summary.new, summary.moved, summary.unchanged) == (0, 1, 2)
        assert q(wh, "SELECT count(*) FROM extractions")[0][0] == 3
        # the old address later holds another document: it gets its own identity
        again = item(OTHER, Call("Ehrenamt stärken", deadline=dt.date(2025, 8, 1)))
        night(wh, [again], seen=[again.raw, items[0].raw, items[1].raw, moved_rec])
        ids = q(wh, "SELECT document_id FROM documents")
        assert len(ids) == len({i for (i,) in ids}) == 4
        assert queries.failed_checks(wh.con) == {}


@pytest.mark.parametrize("flow,second_version,cause", [
    ("reprocess", "0.1.0+gv20240630", "register"),                    # a newer municipal register
    ("ingest", "0.1.0+gv20231130.fdb2480-3f9a1c2e", "catalogue"),     # a programme catalogue
])
def test_a_new_register_or_catalogue_alone_is_its_own_cause_and_not_what_changed(tmp_path, flow,
                                                                                  second_version, cause):
    """Same bytes, extracted again only because the register or the programme catalogue changed:
    the changes carry that cause and stay out of what changed since the last run."""
    with Warehouse(tmp_path) as wh:
        r = wh.start_run("ingest", {})
        wh.load(r, [item(PAGE, Call("Kommunaler Klimaschutz"), ev="0.1.0+gv20231130")])
        wh.finish_run(r, "success", today=TODAY)
        r = wh.start_run(flow, {})
        relinked = item(PAGE, Call("Kommunaler Klimaschutz", budget=Decimal(6_000_000)), ev=second_version)
        relinked.raw = raw_record(PAGE, item(PAGE, Call("Kommunaler Klimaschutz")).raw.sha256)
        relinked.document = relinked.document.model_copy(update={"sha256": relinked.raw.sha256})
        stats = wh.load(r, [relinked])
        s = wh.finish_run(r, "success", today=TODAY)
        assert stats.reextracted == 1 and s.reextracted == 1
        assert {c for (c,) in q(wh, "SELECT DISTINCT cause FROM changes")} == {cause}
        assert q(wh, "SELECT count(*) FROM changes_since_last_run") == [(0,)]
        assert s.n_changes == 0 and s.changes == []
        assert q(wh, "SELECT count(*) FROM call_changes WHERE cause = ?", cause)[0][0] >= 1

def test_change_causes_by_extractor_version():
    from warehouse.history import _cause
    assert _cause("new_version", {"0.2.0"}, "0.2.0") == "new_version"
    assert _cause("reextracted", {"0.1.0+gv20231130"}, "0.2.0+gv20231130") == "extractor"
    assert _cause("reextracted", {"0.2.0+gv20231130"}, "0.2.0+gv20240630") == "register"
    assert _cause("reextracted", {"0.2.0+gv20231130.fdb1-aa"}, "0.2.0+gv20240630.fdb2-bb") == "register"
    assert _cause("reextracted", {"0.2.0"}, "0.2.0+fdb2-bb") == "catalogue"
    assert _cause("reextracted", {"0.2.0+gv20231130.fdb1-aa"}, "0.2.0+gv20231130") == "catalogue"

def test_a_failed_document_is_loaded_and_counted_failed_once(tmp_path):
    items = site()
    items[2].failure = "cannot parse: broken PDF"
    with Warehouse(tmp_path) as wh:
        r, _p, s = night(wh, items)
        assert (s.new, s.failed) == (3, 1)
        assert q(wh, "SELECT failed FROM runs WHERE run_id = ?", r) == [(1,)]
        assert any("broken PDF" in e for e in s.errors)


# ------------------------------------------------------------------------------ quality checks
def test_quality_checks_find_what_they_are_about(tmp_path):
    with Warehouse(tmp_path) as wh:
        night(wh, site())
        assert queries.failed_checks(wh.con) == {}
        wh.con.execute("UPDATE amounts SET role = NULL WHERE amount_id = (SELECT min(amount_id) "
                       "FROM amounts)")
        wh.con.execute("INSERT INTO documents SELECT * REPLACE ('dup' AS document_id) FROM "
                       "documents WHERE url = ?", [PAGE])
        failed = queries.failed_checks(wh.con)
        assert set(failed) == {"every_amount_has_a_role", "one_current_document_per_url"}


def test_published_snapshot_passes_every_check(tmp_path):
    with Warehouse(tmp_path) as wh:
        night(wh, site())
        wh.publish()
    con = connect(tmp_path, today=TODAY)
    try:
        assert queries.failed_checks(con) == {}
        assert len(queries.checks()) >= 4
    finally:
        con.close()


# ------------------------------------------------------------------------------ register
def _fixture_register():
    from pathlib import Path

    from extractors.fields.gazetteer import Gazetteer
    return Gazetteer.from_gv100ad(Path(__file__).parent / "fixtures" / "gv100ad_small.txt")


def test_the_register_fills_municipalities_so_views_filter_by_land_and_kreis(tmp_path):
    town = item(PAGE, Call("Kommunaler Klimaschutz", municipalities=[("Emsdetten", "Stadt", "05566008")]))
    with Warehouse(tmp_path) as wh:
        assert wh.sync_register(_fixture_register()) > 50
        assert wh.sync_register(_fixture_register()) is None          # same Gebietsstand: nothing
        night(wh, [town])
        rows = q(wh, "SELECT municipality, land, kreis, kreis_name, population FROM "
                     "municipality_programmes WHERE land = 'Nordrhein-Westfalen' AND kreis = '05566'")
        assert len(rows) == 1 and rows[0][:4] == ("Emsdetten", "Nordrhein-Westfalen", "05566",
                                                   "Steinfurt")
        assert rows[0][4] > 0                                          # population


def test_gazetteer_load_fills_the_warehouse(tmp_path, monkeypatch):
    from pathlib import Path

    from typer.testing import CliRunner

    from flows.cli import app

    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    monkeypatch.delenv("FOERDERRADAR_WAREHOUSE", raising=False)
    monkeypatch.delenv("FOERDERRADAR_GAZETTEER", raising=False)
    res = CliRunner().invoke(app, ["gazetteer", "load",
                                   str(Path(__file__).parent / "fixtures" / "gv100ad_small.txt")])
    assert res.exit_code == 0, res.output
    assert "table municipalities" in res.output
    with Warehouse(tmp_path / "warehouse") as wh:
        lands = q(wh, "SELECT count(*) FILTER (WHERE land IS NULL), count(*) FROM municipalities")
    assert lands[0][0] == 0 and lands[0][1] > 50
