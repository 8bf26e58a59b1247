"""The analysts' report (one offline HTML page with charts and their tables) and the exports
(--view, --query, --today, JSON for nested columns, Excel CSV), against a real warehouse loaded
over two nights as in test_outputs.py."""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.test_outputs import TODAY, two_nights  # noqa: F401  (the fixture: a real two-night warehouse)
from warehouse import connect

pytest.importorskip("matplotlib")


class Page(HTMLParser):
    """Sections with their charts (inline SVG) and table rows; every external reference."""

    def __init__(self, text):
        super().__init__()
        self.sections, self.external, self._sec, self._row, self._cell = {}, [], None, None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            if a.get(k) and not a[k].startswith("#"):
                self.external.append(a[k])
        if tag == "section":
            self._sec = self.sections.setdefault(a["id"], {"svg": 0, "rows": [], "head": []})
        elif tag == "svg" and self._sec is not None:
            self._sec["svg"] += 1
        elif tag == "tr" and self._sec is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._sec["head"]:
                self._sec["rows"].append(self._row)
            else:
                self._sec["head"] = self._row
            self._row = None
        elif tag == "section":
            self._sec = None


def _report(root, tmp_path, **kw):
    from warehouse.report import write_report

    con = connect(root, today=TODAY)
    try:
        info = write_report(con, tmp_path / "report.html", **kw)
    finally:
        con.close()
    return info, (tmp_path / "report.html").read_text(encoding="utf-8")


def test_report_has_every_chart_and_the_tables_behind_them(two_nights, tmp_path):
    info, text = _report(two_nights[0], tmp_path)
    page = Page(text)
    assert page.external == []                       # opens offline: no script, stylesheet or image to load
    assert "<script" not in text
    assert set(page.sections) == {"deadlines", "budget_programme", "budget_land", "changes", "sources"}
    for key, sec in page.sections.items():
        assert sec["svg"] == 1, key
    s = page.sections
    # two dated open calls (Sport 2025-04-10, Klimaschutz moved to 2025-06-30), one rolling
    assert [r[:2] for r in s["deadlines"]["rows"]] == [["2025-04", "1"], ["2025-06", "1"]]
    assert "1 laufende" in text
    # budgets of the second night, largest first
    progs = [(r[0], r[1].replace("\u202f", "")) for r in s["budget_programme"]["rows"]]
    assert progs == [("Kommunaler Klimaschutz", "10000000"), ("Radverkehr im Kreis", "2000000"),
                     ("Sportstätten im Quartier", "800000")]
    # Land from the register: Aachen and the Radverkehr town in NRW, Görlitz in Sachsen
    lands = [(r[0], r[1], r[2].replace("\u202f", "")) for r in s["budget_land"]["rows"]]
    assert lands == [("Nordrhein-Westfalen", "2", "12000000"), ("Sachsen", "1", "800000")]
    assert s["budget_land"]["head"] == ["land", "calls", "budget_eur"]
    assert len(s["changes"]["rows"]) == 2 and len(s["sources"]["rows"]) == 2
    assert [r[2] for r in s["sources"]["rows"]] == ["demo", "demo"]
    assert info["open_calls"] == 3 and info["bytes"] == len(text.encode("utf-8"))


def test_report_with_a_saved_filter(two_nights, tmp_path):
    from warehouse.filters import Filter

    flt = Filter(name="klima", keywords=["Klima"])
    info, text = _report(two_nights[0], tmp_path, calls_sql=flt.calls_sql(), filter_name="klima")
    s = Page(text).sections
    assert [r[0] for r in s["budget_programme"]["rows"]] == ["Kommunaler Klimaschutz"]
    assert info["open_calls"] == 1 and "klima" in text


def test_cli_report_and_a_look_in_a_headless_browser(two_nights, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from flows.cli import app

    monkeypatch.setenv("FOERDERRADAR_WAREHOUSE", str(two_nights[0]))
    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    out = tmp_path / "r.html"
    res = CliRunner().invoke(app, ["report", "--today", "2025-04-01", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "3 open calls" in res.output
    assert len(Page(out.read_text(encoding="utf-8")).sections) == 5
    res = CliRunner().invoke(app, ["report", "--filter", "nope", "-o", str(out)])
    assert res.exit_code == 2 and "no filter named" in res.output
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        return
    shot = tmp_path / "r.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=1200,3000",
                    f"--screenshot={shot}", out.as_uri()], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 20_000      # a rendered page, not a blank one


# -------------------------------------------------------------------------------------- exports
@pytest.fixture
def export(two_nights, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from flows.cli import app

    monkeypatch.setenv("FOERDERRADAR_WAREHOUSE", str(two_nights[0]))
    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))

    def run(*args, code=0):
        res = CliRunner().invoke(app, ["export", str(tmp_path / "out"), *args])
        assert res.exit_code == code, res.output
        return res
    return run


def _csv(path, **kw):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")), **kw))


def test_export_a_view_as_of_a_day_with_lists_as_json(export, tmp_path):
    export("--view", "open_calls", "--format", "csv", "--today", "2025-04-01")
    rows = _csv(tmp_path / "out" / "open_calls.csv")
    assert sorted(r["programme"] for r in rows) == ["Kommunaler Klimaschutz", "Radverkehr im Kreis",
                                                     "Sportstätten im Quartier"]
    for r in rows:
        assert isinstance(json.loads(r["urls"]), list) and json.loads(r["urls"])[0].startswith("https://")
        assert json.loads(r["sources"]) == ["demo"]
    # a day after every deadline: only the rolling call is open
    export("--view", "open_calls", "--format", "csv", "--today", "2025-07-01")
    assert [r["programme"] for r in _csv(tmp_path / "out" / "open_calls.csv")] == ["Radverkehr im Kreis"]


def test_export_a_query_to_a_file_and_as_parquet(export, tmp_path):
    out = tmp_path / "budgets.csv"
    export("--query", "SELECT programme, budget_eur FROM open_calls ORDER BY budget_eur DESC;",
           "--format", "csv", "--today", "2025-04-01", "-o", str(out))
    assert [r["programme"] for r in _csv(out)][0] == "Kommunaler Klimaschutz"
    export("--query", "SELECT call_id, urls FROM calls", "--today", "2025-04-01")
    import pyarrow.parquet as pq
    table = pq.read_table(tmp_path / "out" / "query.parquet")
    assert table.num_rows == 3 and str(table.schema.field("urls").type).startswith("list")


def test_export_for_excel(export, tmp_path):
    export("--view", "open_calls", "--excel", "--today", "2025-04-01")
    data = (tmp_path / "out" / "open_calls.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    klima = next(r for r in rows if r["programme"] == "Kommunaler Klimaschutz")
    assert klima["budget_eur"].startswith("10000000,") and "." not in klima["budget_eur"]
    assert json.loads(klima["urls"]) == ["https://land.example/aufrufe/klimaschutz.html"]


def test_export_usage_errors(export):
    assert "no table or view named" in export("--view", "nope", code=2).output
    assert "the query failed" in export("--query", "SELECT * FROM nope", code=2).output
    export("--view", "calls", "--query", "SELECT 1", code=2)
    export("-o", "x.csv", code=2)
    export("--today", "2025-13-01", code=2)


def test_a_call_naming_no_municipality_counts_under_unbekannt(tmp_path):
    import datetime as dt
    from decimal import Decimal

    from tests.test_outputs import item, night
    from warehouse import Warehouse
    from warehouse.synthetic import Call

    root = tmp_path / "wh"
    with Warehouse(root) as wh:
        night(wh, [item("https://bund.example/aufrufe/digital.html",
                        Call("Digitale Verwaltung", deadline=dt.date(2025, 5, 2), budget=Decimal(3_000_000),
                             municipalities=[]))])
    _, text = _report(root, tmp_path)
    rows = Page(text).sections["budget_land"]["rows"]
    assert [(r[0], r[1], r[2].replace("\u202f", "")) for r in rows] == [("unbekannt", "1", "3000000")]
