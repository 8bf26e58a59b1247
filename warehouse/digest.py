"""The morning digest: what changed since a run or a day, for one saved filter.

Sections, each grouped by programme with evidence and links: new calls, deadlines moved (extended
or brought forward), budgets changed, calls closing within N days, calls gone. Changes caused only
by a new extractor or register version are left out (they are not news). Rendered as Markdown,
HTML and an Atom feed; the nightly run writes one of each per saved filter to
``$FOERDERRADAR_HOME/exports/digest/`` and mails it where the filter names addresses.

    from warehouse.digest import build_digest, render_markdown
    d = build_digest(con, since="2025-03-01", flt=get_filter("kreis-aachen"))
"""
from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from typing import Any

from warehouse.filters import Filter

CLOSING_DAYS = 14

_SINCE_RUNS = "SELECT run_id FROM runs WHERE started_at >= ?::TIMESTAMP"
_CHANGES = """
SELECT programme, call_id, field, aspect, change, old_value, new_value, url, urls,
       old_snippet, new_snippet, detected_at
FROM call_changes
WHERE run_id IN ({runs}) AND cause IN ('new_version', 'gone')
  AND (call_id IN ({calls}) OR (change = 'gone' AND {gone}))
ORDER BY programme, field, detected_at
"""
_NEW = """
SELECT c.programme, c.call_id, c.next_deadline, c.rolling, c.budget_eur, c.max_grant_eur, c.url,
       c.urls, c.evidence
FROM calls c
WHERE c.call_id IN ({calls}) AND c.call_id IN (
    SELECT cr.programme_id FROM current_records cr JOIN documents d USING (document_id)
    GROUP BY cr.programme_id HAVING min(d.first_seen_at) >= ?::TIMESTAMP)
ORDER BY c.programme
"""
_CLOSING = """
SELECT programme, call_id, next_deadline, days_left, subject, budget_eur, max_grant_eur, url, evidence
FROM open_calls
WHERE call_id IN ({calls}) AND days_left BETWEEN 0 AND ?
ORDER BY next_deadline, programme
"""


@dataclass
class Digest:
    filter: Filter
    since: str
    today: dt.date
    new: list[dict] = field(default_factory=list)
    moved: list[dict] = field(default_factory=list)
    budgets: list[dict] = field(default_factory=list)
    closing: list[dict] = field(default_factory=list)
    gone: list[dict] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.new or self.moved or self.budgets or self.closing or self.gone)

    def sections(self) -> list[tuple[str, list[dict]]]:
        return [("Neue Aufrufe", self.new), ("Fristen verschoben", self.moved),
                ("Budgets geändert", self.budgets), (f"Fristen in den nächsten {CLOSING_DAYS} Tagen", self.closing),
                ("Nicht mehr veröffentlicht", self.gone)]


def _dicts(cur) -> list[dict]:
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def since_timestamp(con, since: str) -> str:
    """``since`` as a timestamp: a run id (the run's start) or an ISO date (its midnight, UTC)."""
    row = con.execute("SELECT started_at FROM runs WHERE run_id = ?", [since]).fetchone()
    if row:
        return row[0].isoformat(sep=" ")
    try:
        return dt.date.fromisoformat(since).isoformat() + " 00:00:00"
    except ValueError:
        raise ValueError(f"--since {since!r} is neither a run id (foerderradar runs) nor a date "
                         "(YYYY-MM-DD)") from None


def build_digest(con, since: str, flt: Filter | None = None, today: dt.date | None = None,
                 closing_days: int = CLOSING_DAYS) -> Digest:
    """What changed since ``since`` (run id or ISO date) in the calls ``flt`` selects, read from a
    published snapshot (``con``, whose today is ``fr_today()``)."""
    flt = flt or Filter()
    ts = since_timestamp(con, since)
    today = today or con.execute("SELECT fr_today()").fetchone()[0]
    calls = flt.calls_sql()
    runs = [r[0] for r in con.execute(_SINCE_RUNS, [ts]).fetchall()]
    d = Digest(filter=flt, since=since, today=today, runs=runs)
    d.new = _dicts(con.execute(_NEW.format(calls=calls), [ts]))
    if runs:
        run_list = ", ".join("'" + r.replace("'", "''") + "'" for r in runs)
        for ch in _dicts(con.execute(_CHANGES.format(runs=run_list, calls=calls, gone=flt.gone_sql()))):
            if ch["field"] == "deadline" and ch["change"] == "moved":
                ch["extended"] = (ch["new_value"] or "") > (ch["old_value"] or "")
                d.moved.append(ch)
            elif ch["field"] == "amount" and ch["change"] == "changed" and "budget" in (ch["aspect"] or ""):
                d.budgets.append(ch)
            elif ch["change"] == "gone":
                d.gone.append(ch)
    d.closing = _dicts(con.execute(_CLOSING.format(calls=calls), [closing_days]))
    return d


# ----------------------------------------------------------------------------------- rendering

def _eur(v: Any) -> str:
    try:
        return f"{float(v):,.0f} €".replace(",", ".")
    except (TypeError, ValueError):
        return str(v)


def _line(section: str, r: dict) -> tuple[str, str, str]:
    """(headline, detail, evidence) of one row of a section."""
    if section.startswith("Neue"):
        when = "laufend" if r.get("rolling") and not r.get("next_deadline") else \
            (f"Frist {r['next_deadline']:%d.%m.%Y}" if r.get("next_deadline") else "ohne Frist")
        money = ", ".join(x for x in (f"Budget {_eur(r['budget_eur'])}" if r.get("budget_eur") else "",
                                      f"bis zu {_eur(r['max_grant_eur'])} je Vorhaben" if r.get("max_grant_eur") else "") if x)
        return r["programme"], "; ".join(x for x in (when, money) if x), r.get("evidence") or ""
    if section.startswith("Fristen verschoben"):
        verb = "verlängert" if r.get("extended") else "vorgezogen"
        return r["programme"], f"Frist {verb}: {r['old_value']} → {r['new_value']}", r.get("new_snippet") or ""
    if section.startswith("Budgets"):
        return r["programme"], f"{r['aspect']}: {_eur(r['old_value'])} → {_eur(r['new_value'])}", r.get("new_snippet") or ""
    if section.startswith("Fristen in"):
        return r["programme"], f"Frist {r['next_deadline']:%d.%m.%Y} (in {r['days_left']} Tagen)", r.get("evidence") or ""
    return r.get("programme") or r.get("url"), "nicht mehr abrufbar", r.get("old_snippet") or ""


def title(d: Digest) -> str:
    name = "" if d.filter.name == "all" else f" – {d.filter.name}"
    return f"foerderradar: Änderungen seit {d.since}{name}"


def render_markdown(d: Digest) -> str:
    out = [f"# {title(d)}", ""]
    if d.filter.description:
        out += [d.filter.description, ""]
    if d.empty:
        out.append("Nichts Neues.")
    for name, rows in d.sections():
        if not rows:
            continue
        out += [f"## {name} ({len(rows)})", ""]
        for r in rows:
            head, detail, ev = _line(name, r)
            out.append(f"- **{head}**: {detail} – <{r.get('url')}>")
            if ev:
                out.append(f"  > {ev.strip()}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_html(d: Digest) -> str:
    e = html.escape
    out = ["<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\">",
           f"<title>{e(title(d))}</title>",
           "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;line-height:1.4}"
           "blockquote{color:#555;border-left:3px solid #ccc;margin:.2rem 0 .8rem;padding-left:.6rem}</style>",
           f"</head><body><h1>{e(title(d))}</h1>"]
    if d.filter.description:
        out.append(f"<p>{e(d.filter.description)}</p>")
    if d.empty:
        out.append("<p>Nichts Neues.</p>")
    for name, rows in d.sections():
        if not rows:
            continue
        out.append(f"<h2>{e(name)} ({len(rows)})</h2><ul>")
        for r in rows:
            head, detail, ev = _line(name, r)
            url = r.get("url") or ""
            out.append(f"<li><strong>{e(str(head))}</strong>: {e(detail)} – <a href=\"{e(url)}\">{e(url)}</a>")
            if ev:
                out.append(f"<blockquote>{e(ev.strip())}</blockquote>")
            out.append("</li>")
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def render_atom(d: Digest, feed_id: str, updated: dt.datetime | None = None) -> bytes:
    """An Atom feed (RFC 4287) with one entry per digest line; entry ids are stable per call,
    section and change, so feed readers show each change once."""
    import hashlib
    import xml.etree.ElementTree as ET

    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    updated = (updated or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0).isoformat()
    feed = ET.Element(f"{{{ns}}}feed")
    ET.SubElement(feed, f"{{{ns}}}title").text = title(d)
    ET.SubElement(feed, f"{{{ns}}}id").text = feed_id
    ET.SubElement(feed, f"{{{ns}}}updated").text = updated
    author = ET.SubElement(feed, f"{{{ns}}}author")
    ET.SubElement(author, f"{{{ns}}}name").text = "foerderradar"
    for name, rows in d.sections():
        for r in rows:
            head, detail, ev = _line(name, r)
            key = "|".join(str(r.get(k)) for k in ("call_id", "field", "old_value", "new_value", "next_deadline", "url"))
            entry = ET.SubElement(feed, f"{{{ns}}}entry")
            ET.SubElement(entry, f"{{{ns}}}id").text = \
                f"{feed_id}:{hashlib.sha1((name + key).encode()).hexdigest()[:24]}"
            ET.SubElement(entry, f"{{{ns}}}title").text = f"{name}: {head}"
            ET.SubElement(entry, f"{{{ns}}}updated").text = updated
            ET.SubElement(entry, f"{{{ns}}}link", href=str(r.get("url") or ""))
            ET.SubElement(entry, f"{{{ns}}}summary").text = detail + (f"\n»{ev.strip()}«" if ev else "")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


# -------------------------------------------------------------------------------------- mail

def smtp_settings() -> dict | None:
    """SMTP settings from the environment (FOERDERRADAR_SMTP_HOST, _PORT, _USER, _PASSWORD,
    _FROM, _STARTTLS), or None where no host is set."""
    import os

    host = os.environ.get("FOERDERRADAR_SMTP_HOST")
    if not host:
        return None
    return {"host": host, "port": int(os.environ.get("FOERDERRADAR_SMTP_PORT", "25")),
            "user": os.environ.get("FOERDERRADAR_SMTP_USER"),
            "password": os.environ.get("FOERDERRADAR_SMTP_PASSWORD"),
            "sender": os.environ.get("FOERDERRADAR_SMTP_FROM", "foerderradar@localhost"),
            "starttls": os.environ.get("FOERDERRADAR_SMTP_STARTTLS", "").lower() in ("1", "true", "yes")}


def send_digest(d: Digest, to: list[str], settings: dict) -> None:
    """Mail the digest (plain text and HTML alternatives) to ``to``."""
    import smtplib
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["Subject"] = title(d)
    msg["From"] = settings["sender"]
    msg["To"] = ", ".join(to)
    msg.set_content(render_markdown(d))
    msg.add_alternative(render_html(d), subtype="html")
    with smtplib.SMTP(settings["host"], settings["port"], timeout=30) as smtp:
        if settings.get("starttls"):
            smtp.starttls()
        if settings.get("user"):
            smtp.login(settings["user"], settings.get("password") or "")
        smtp.send_message(msg)
