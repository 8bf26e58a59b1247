"""Open application deadlines as an iCalendar file (RFC 5545) that calendars subscribe to.

One all-day event per open dated deadline of a call (the deadlines of the call's document that
states them last, as in the ``calls`` view), and one note (``VJOURNAL``) per rolling call. Each
event's UID stays the same for the same call and deadline (call, what is due, its place among
that call's deadlines), so a calendar that reloads the file replaces the old event; its SEQUENCE
counts the times the call's deadline moved, so clients accept the new date.

    from warehouse.calendar import write_calendar
    write_calendar(con, "deadlines.ics", where=filter_sql)    # con: warehouse.connect()

The nightly run writes ``$FOERDERRADAR_HOME/exports/deadlines.ics`` after every publish.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from extractors.atomic import write_atomic

PRODID = "-//foerderradar//Förderfristen//DE"
SUBJECTS = {"antrag": "Antrag", "skizze": "Projektskizze", "interessenbekundung": "Interessenbekundung",
            "bewerbung": "Bewerbung", "frage": "Fragen", "anmeldung": "Anmeldung", "angebot": "Angebot"}

# the deadlines of each open call, from the document that states them last (as the calls view)
DEADLINES_SQL = """
WITH dl AS (
    SELECT cr.programme_id, cr.document_id, cr.loaded_at, cr.url, d.date, d.kind, d.subject,
           d.time, d.snippet
    FROM current_records cr JOIN deadlines d ON d.record_id = cr.record_id
    WHERE cr.programme_id IS NOT NULL
), stating AS (
    SELECT programme_id, arg_max(document_id, (loaded_at, document_id)) AS document_id
    FROM dl GROUP BY programme_id
)
SELECT c.call_id, c.programme, dl.date, min(dl.time) AS time, dl.kind, dl.subject,
       min(dl.snippet) AS evidence, min(dl.url) AS deadline_url, c.url, c.urls,
       c.budget_eur, c.max_grant_eur
FROM dl JOIN stating USING (programme_id, document_id)
JOIN calls c ON c.call_id = dl.programme_id
WHERE dl.date >= fr_today() AND c.call_id IN (SELECT call_id FROM ({where}))
GROUP BY ALL
ORDER BY c.call_id, dl.subject NULLS FIRST, dl.date
"""
ROLLING_SQL = """
SELECT call_id, programme, url, urls, budget_eur, max_grant_eur, evidence
FROM open_calls WHERE rolling AND next_deadline IS NULL
  AND call_id IN (SELECT call_id FROM ({where}))
ORDER BY programme
"""
MOVES_SQL = """
SELECT call_id, count(*) FROM call_changes
WHERE field = 'deadline' AND change = 'moved' AND call_id IS NOT NULL GROUP BY call_id
"""


def _eur(v) -> str:
    return f"{float(v):,.0f} €".replace(",", ".")


def _money(budget, grant) -> str:
    parts = []
    if budget is not None:
        parts.append(f"Budget {_eur(budget)}")
    if grant is not None:
        parts.append(f"bis zu {_eur(grant)} je Vorhaben")
    return ", ".join(parts)


def _uid(call_id: str, subject: str | None, ordinal: int) -> str:
    key = hashlib.sha1(f"{call_id}|{subject or ''}|{ordinal}".encode()).hexdigest()[:20]
    return f"{key}@foerderradar"


def build_calendar(con, where: str = "SELECT call_id FROM calls", *, name: str = "Förderfristen",
                   stamp: dt.datetime | None = None):
    """The icalendar ``Calendar`` of the open deadlines of the calls ``where`` selects (a query
    returning call_id over the reader connection ``con``)."""
    from icalendar import Calendar, Event, Journal

    stamp = stamp or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    moves = dict(con.execute(MOVES_SQL).fetchall())
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Berlin")
    ordinal: dict[tuple, int] = {}
    cur = con.execute(DEADLINES_SQL.format(where=where))
    cols = [c[0] for c in cur.description]
    for row in cur.fetchall():
        r = dict(zip(cols, row))
        k = (r["call_id"], r["subject"])
        ordinal[k] = ordinal.get(k, 0) + 1
        what = SUBJECTS.get(r["subject"] or "", "Antrag")
        ev = Event()
        ev.add("uid", _uid(r["call_id"], r["subject"], ordinal[k]))
        ev.add("dtstamp", stamp)
        ev.add("sequence", int(moves.get(r["call_id"], 0)))
        ev.add("dtstart", r["date"])
        ev.add("dtend", r["date"] + dt.timedelta(days=1))
        ev.add("transp", "TRANSPARENT")
        ev.add("summary", f"Frist {what}: {r['programme']}" + (f" ({r['time']} Uhr)" if r["time"] else ""))
        lines = [f"{what} bis {r['date']:%d.%m.%Y}" + (f", {r['time']} Uhr" if r["time"] else "")
                 + f" ({r['kind']})"]
        money = _money(r["budget_eur"], r["max_grant_eur"])
        if money:
            lines.append(money)
        if r["evidence"]:
            lines.append(f"»{r['evidence'].strip()}«")
        lines.append(f"Quelle: {r['deadline_url'] or r['url']}")
        lines += [f"Auch: {u}" for u in (r["urls"] or []) if u not in (r["deadline_url"], r["url"])]
        ev.add("description", "\n".join(lines))
        ev.add("url", r["url"])
        ev.add("categories", ["Förderfrist"])
        cal.add_component(ev)
    cur = con.execute(ROLLING_SQL.format(where=where))
    cols = [c[0] for c in cur.description]
    for row in cur.fetchall():
        r = dict(zip(cols, row))
        note = Journal()
        note.add("uid", _uid(r["call_id"], "laufend", 0))
        note.add("dtstamp", stamp)
        note.add("summary", f"Laufend (ohne Frist): {r['programme']}")
        lines = ["Anträge laufend möglich (bis zur Ausschöpfung der Mittel oder bis auf Weiteres)."]
        money = _money(r["budget_eur"], r["max_grant_eur"])
        if money:
            lines.append(money)
        if r["evidence"]:
            lines.append(f"»{r['evidence'].strip()}«")
        lines += [f"Quelle: {u}" for u in (r["urls"] or [r["url"]])]
        note.add("description", "\n".join(lines))
        note.add("url", r["url"])
        cal.add_component(note)
    return cal


def write_calendar(con, path: str | Path, where: str = "SELECT call_id FROM calls", **kw) -> dict:
    """Write the calendar atomically (a subscribed client never reads half a file); returns
    counts of events and notes."""
    cal = build_calendar(con, where, **kw)
    write_atomic(Path(path), cal.to_ical())
    events = sum(1 for c in cal.walk("VEVENT"))
    notes = sum(1 for c in cal.walk("VJOURNAL"))
    return {"path": str(path), "events": events, "rolling": notes}
