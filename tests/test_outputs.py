"""What analysts open in the morning: the deadline calendar, saved filters, the digest (Markdown,
HTML, Atom, mail over a real SMTP server on loopback) and the nightly exports. A real warehouse
(DuckDB files in tmp_path) loaded over two nights as the flow loads it."""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from extractors.crawl import CrawlReport
from models.records import Deadline
from warehouse import LoadItem, Warehouse, connect
from warehouse.synthetic import TOWNS, Call, announcement, raw_record

pytest.importorskip("icalendar")

TODAY = dt.date(2025, 4, 1)
AACHEN = ("Aachen", "Stadt", "05334002")
GOERLITZ = ("Görlitz", "Stadt", "14626110")
KLIMA = "https://land.example/aufrufe/klimaschutz.html"
SPORT = "https://land.example/aufrufe/sport.html"
RAD = "https://land.example/aufrufe/rad.html"


STAND = dt.date(2023, 11, 30)
REGISTER = [
    {"ags": "05", "name": "Nordrhein-Westfalen", "level": "land", "land": "Nordrhein-Westfalen", "gebietsstand": STAND},
    {"ags": "14", "name": "Sachsen", "level": "land", "land": "Sachsen", "gebietsstand": STAND},
    {"ags": "05334", "name": "Städteregion Aachen", "level": "kreis", "parent_ags": "053", "land": "Nordrhein-Westfalen",
     "kreis": "05334", "gebietsstand": STAND},
    {"ags": "05334002", "name": "Aachen", "type": "Stadt", "level": "gemeinde", "parent_ags": "05334",
     "land": "Nordrhein-Westfalen", "kreis": "05334", "gebietsstand": STAND},
    {"ags": "05358", "name": "Düren", "type": "Kreis", "level": "kreis", "parent_ags": "053", "land": "Nordrhein-Westfalen",
     "kreis": "05358", "gebietsstand": STAND},
    {"ags": "14626", "name": "Görlitz", "type": "Landkreis", "level": "kreis", "parent_ags": "14", "land": "Sachsen",
     "kreis": "14626", "gebietsstand": STAND},
    {"ags": "14626110", "name": "Görlitz", "type": "Stadt", "level": "gemeinde", "parent_ags": "14626",
     "land": "Sachsen", "kreis": "14626", "gebietsstand": STAND},
]


def item(url, call, *, rolling=False):
    doc, ex = announcement(url, call)
    if rolling:
        pos = doc.text.index("Verfahren")
        ex.deadlines = [Deadline(text="Verfahren", start=pos, end=pos + 9, date=None, kind="laufend")]
    return LoadItem(raw_record(url, doc.sha256, size=len(doc.text)), doc, ex)


def night(wh, items):
    r = wh.start_run("ingest", {})
    records = [i.raw for i in items]
    wh.record_crawl(r, CrawlReport(source="demo", records=records), complete=True)
    plan = wh.plan(r, "demo", records, "0.1.0")
    todo = {rec.url for rec in plan.extract}
    wh.load(r, [i for i in items if i.raw.url in todo])
    wh.finish_run(r, "success", today=TODAY)
    wh.publish()
    return r


def calls(deadline=dt.date(2025, 5, 15), budget=5_000_000):
    return [item(KLIMA, Call("Kommunaler Klimaschutz", deadline=deadline, budget=Decimal(budget),
                             municipalities=[AACHEN])),
            item(SPORT, Call("Sportstätten im Quartier", deadline=dt.date(2025, 4, 10),
                             budget=Decimal(800_000), municipalities=[GOERLITZ])),
            item(RAD, Call("Radverkehr im Kreis", deadline=None, budget=Decimal(2_000_000),
                           municipalities=[TOWNS[1]]), rolling=True)]


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory):
    """Night 1: three calls. Night 2: the Klimaschutz deadline moves (extended) and its budget
    doubles. Returns (warehouse dir, run 1, run 2)."""
    root = tmp_path_factory.mktemp("wh")
    with Warehouse(root) as wh:
        wh.load_register(REGISTER)      # the part of the register these calls name, whatever is installed
        r1 = night(wh, calls())
        r2 = night(wh, calls(deadline=dt.date(2025, 6, 30), budget=10_000_000))
    return root, r1, r2


@pytest.fixture
def reader(two_nights):
    con = connect(two_nights[0], today=TODAY)
    yield con
    con.close()


def _ics(data: bytes):
    from icalendar import Calendar
    return Calendar.from_ical(data)


# ----------------------------------------------------------------------------------- calendar
def test_calendar_has_one_event_per_open_deadline_and_rolling_calls_as_notes(reader):
    from warehouse.calendar import build_calendar

    cal = _ics(build_calendar(reader).to_ical())
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Frist Projektskizze: Kommunaler Klimaschutz",
                           "Frist Projektskizze: Sportstätten im Quartier"}
    klima = events["Frist Projektskizze: Kommunaler Klimaschutz"]
    assert klima.decoded("dtstart") == dt.date(2025, 6, 30)            # all-day, the moved date
    assert klima.decoded("dtend") == dt.date(2025, 7, 1)
    assert int(klima["sequence"]) == 1                                 # moved once
    assert KLIMA in str(klima["description"]) and "10.000.000 €" in str(klima["description"])
    assert int(events["Frist Projektskizze: Sportstätten im Quartier"]["sequence"]) == 0
    notes = [str(j["summary"]) for j in cal.walk("VJOURNAL")]
    assert notes == ["Laufend (ohne Frist): Radverkehr im Kreis"]
    open_calls = reader.execute("SELECT count(*) FROM open_calls").fetchone()[0]
    assert len(events) + len(notes) == open_calls == 3


def test_calendar_uids_survive_a_moved_deadline(two_nights, tmp_path):
    """The same call's deadline keeps its UID from night to night, so a subscribed calendar
    replaces the event instead of showing the old date beside the new one."""
    from warehouse.calendar import build_calendar

    root = tmp_path / "wh"
    with Warehouse(root) as wh:
        night(wh, calls())
        con = connect(root, today=TODAY)
        before = {str(e["uid"]): e.decoded("dtstart") for e in _ics(build_calendar(con).to_ical()).walk("VEVENT")}
        con.close()
        night(wh, calls(deadline=dt.date(2025, 6, 30)))
    con = connect(root, today=TODAY)
    after = {str(e["uid"]): e.decoded("dtstart") for e in _ics(build_calendar(con).to_ical()).walk("VEVENT")}
    con.close()
    assert set(before) == set(after)
    assert sorted(before.values()) != sorted(after.values())


def test_calendar_with_a_filter_and_past_deadlines(two_nights):
    from warehouse.calendar import build_calendar
    from warehouse.filters import Filter

    con = connect(two_nights[0], today=dt.date(2025, 4, 20))      # Sport closed on April 10
    try:
        summaries = [str(e["summary"]) for e in _ics(build_calendar(con).to_ical()).walk("VEVENT")]
        assert summaries == ["Frist Projektskizze: Kommunaler Klimaschutz"]
        only = build_calendar(con, Filter(name="x", keywords=["Sport"]).calls_sql())
        assert list(_ics(only.to_ical()).walk("VEVENT")) == []
    finally:
        con.close()


# ------------------------------------------------------------------------------------ filters
@pytest.mark.parametrize("keys, expected", [
    (["05334002"], {"Kommunaler Klimaschutz"}),                 # the Gemeinde itself
    (["05334"], {"Kommunaler Klimaschutz"}),                    # its Kreis: every Gemeinde in it
    (["05"], {"Kommunaler Klimaschutz", "Radverkehr im Kreis"}),  # the Land (Düren is NRW)
    (["14626110", "05358"], {"Sportstätten im Quartier", "Radverkehr im Kreis"}),
    (["09162000"], set()),
])
def test_ags_filter_matches_gemeinde_kreis_and_land(reader, keys, expected):
    from warehouse.filters import Filter

    sql = f"SELECT programme FROM calls WHERE call_id IN ({Filter(ags=keys).calls_sql()})"
    assert {r[0] for r in reader.execute(sql).fetchall()} == expected


def test_a_gemeinde_filter_also_matches_a_call_naming_its_kreis(reader):
    from warehouse.filters import Filter

    # Düren (Landkreis, 05358) is named by the Radverkehr call: a filter for a Gemeinde in it matches
    sql = f"SELECT programme FROM calls WHERE call_id IN ({Filter(ags=['05358008']).calls_sql()})"
    assert [r[0] for r in reader.execute(sql).fetchall()] == ["Radverkehr im Kreis"]


def test_keyword_budget_and_window_filters(reader):
    from warehouse.filters import Filter

    def names(f):
        return {r[0] for r in reader.execute(f"SELECT programme FROM calls WHERE call_id IN ({f.calls_sql()})").fetchall()}

    assert names(Filter(keywords=["klima", "sport"])) == {"Kommunaler Klimaschutz", "Sportstätten im Quartier"}
    assert names(Filter(min_budget=1_000_000)) == {"Kommunaler Klimaschutz", "Radverkehr im Kreis"}
    assert names(Filter(deadline_within_days=30)) == {"Sportstätten im Quartier", "Radverkehr im Kreis"}
    assert names(Filter(keywords=["o'brien"])) == set()                   # quotes are data, not SQL


def test_filters_file_errors_say_where_and_what(tmp_path):
    from warehouse.filters import FilterError, get_filter, load_filters

    p = tmp_path / "filters.toml"
    assert load_filters(p) == {}
    p.write_text('[aachen]\nags = ["05334002"]\nemail = "a@example.org"\n', encoding="utf-8")
    assert get_filter("aachen", p).email == ["a@example.org"]
    with pytest.raises(FilterError, match="no filter named 'bonn'.*saved filters: aachen"):
        get_filter("bonn", p)
    for bad, msg in [('[x]\nags = ["5334"]\n', "is no key"), ('[x]\ncolour = "red"\n', "unknown key"),
                     ('[x]\nmin_budget = "viel"\n', "must be a number"), ("[x\n", "not valid TOML")]:
        p.write_text(bad, encoding="utf-8")
        with pytest.raises(FilterError, match=msg):
            load_filters(p)


# ------------------------------------------------------------------------------------- digest
def test_digest_of_the_second_night(reader, two_nights):
    from warehouse.digest import build_digest, render_atom, render_html, render_markdown

    _, r1, r2 = two_nights
    d = build_digest(reader, r2)
    assert d.new == []
    assert [(m["programme"], m["old_value"], m["new_value"], m["extended"]) for m in d.moved] == [
        ("Kommunaler Klimaschutz", "2025-05-15", "2025-06-30", True)]
    assert [b["programme"] for b in d.budgets] == ["Kommunaler Klimaschutz"]
    assert [c["programme"] for c in d.closing] == ["Sportstätten im Quartier"]      # April 10
    md = render_markdown(d)
    assert "Frist verlängert: 2025-05-15 → 2025-06-30" in md and KLIMA in md
    assert "5.000.000 € → 10.000.000 €" in md
    page = render_html(d)
    assert "<h2>Fristen verschoben (1)</h2>" in page and f'href="{KLIMA}"' in page
    feed = ET.fromstring(render_atom(d, "urn:test"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 3 and len({e.find("a:id", ns).text for e in entries}) == 3
    # since the first run: all three calls are new
    assert {n["programme"] for n in build_digest(reader, r1).new} == {
        "Kommunaler Klimaschutz", "Sportstätten im Quartier", "Radverkehr im Kreis"}


def test_digest_for_a_kreis_filter_and_bad_since(reader, two_nights):
    from warehouse.digest import build_digest
    from warehouse.filters import Filter

    d = build_digest(reader, two_nights[2], Filter(name="goerlitz", ags=["14626"]))
    assert d.moved == [] and d.budgets == []
    assert [c["programme"] for c in d.closing] == ["Sportstätten im Quartier"]
    with pytest.raises(ValueError, match="neither a run id"):
        build_digest(reader, "last tuesday")


def test_nightly_outputs_write_calendars_digests_and_mail(two_nights, tmp_path, monkeypatch):
    """The files the nightly run leaves, and the digest mailed through a real SMTP server."""
    aiosmtpd = pytest.importorskip("aiosmtpd.controller")
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    server = aiosmtpd.Controller(Keep(), hostname="127.0.0.1", port=port)
    server.start()
    try:
        home = tmp_path / "home"
        home.mkdir()
        (home / "filters.toml").write_text(
            '[klima]\nkeywords = ["Klima"]\nemail = ["analyst@example.org"]\n'
            '[goerlitz]\nags = ["14626110"]\n', encoding="utf-8")
        monkeypatch.setenv("FOERDERRADAR_HOME", str(home))
        monkeypatch.setenv("FOERDERRADAR_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("FOERDERRADAR_SMTP_PORT", str(port))
        from warehouse.outputs import write_outputs

        written, problems = write_outputs(two_nights[2], warehouse_path=two_nights[0], today=TODAY)
    finally:
        server.stop()
    assert problems == []
    out = home / "exports"
    assert written["deadlines.ics"]["events"] == 2 and written["deadlines.ics"]["rolling"] == 1
    assert written["report.html"]["open_calls"] == 3 and (out / "report.html").stat().st_size > 10_000
    assert len(list(_ics((out / "calendar" / "goerlitz.ics").read_bytes()).walk("VEVENT"))) == 1
    assert "Frist verlängert" in (out / "digest" / "klima.md").read_text(encoding="utf-8")
    assert (out / "digest" / "goerlitz.atom").read_bytes().startswith(b"<?xml")
    assert written["digest/klima"]["mailed"] == ["analyst@example.org"]
    assert "mailed" not in written["digest/goerlitz"]
    (mail,) = received
    assert mail["To"] == "analyst@example.org" and "klima" in mail["Subject"]
    parts = {p.get_content_type(): p.get_payload(decode=True).decode("utf-8") for p in mail.walk()
             if not p.is_multipart()}
    assert "Frist verlängert" in parts["text/plain"] and "<h2>" in parts["text/html"]


def test_cli_calendar_and_digest(two_nights, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from flows.cli import app

    monkeypatch.setenv("FOERDERRADAR_WAREHOUSE", str(two_nights[0]))
    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    runner = CliRunner()
    res = runner.invoke(app, ["calendar", "--today", "2025-04-01", "-o", str(tmp_path / "d.ics")])
    assert res.exit_code == 0, res.output
    assert len(list(_ics((tmp_path / "d.ics").read_bytes()).walk("VEVENT"))) == 2
    res = runner.invoke(app, ["digest", "--since", two_nights[2], "--today", "2025-04-01"])
    assert res.exit_code == 0 and "Frist verlängert" in res.stdout
    assert runner.invoke(app, ["digest", "--since", "2025-13-01"]).exit_code == 2
    res = runner.invoke(app, ["digest", "--since", "2025-01-01", "--filter", "nope"])
    assert res.exit_code == 2 and "no filter named" in res.output
