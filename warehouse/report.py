"""``foerderradar report``: one static HTML page with the landscape of the published warehouse.

Four charts, each followed by the table behind it: the open calls' next deadlines per month,
the open budget by programme and by Land, the changes per run, and documents and failures per
source over time (the crawls of every run).

Chart library: **matplotlib**, rendered to SVG and written inline into the page. The page then
needs nothing else: no JavaScript, no CDN, no second file; it opens offline, prints, and goes by
mail (a few dozen KB, where plotly's embedded JavaScript alone is ~3.5 MB). matplotlib is the
most widely kept plotting library for Python and brings only numpy, pillow and a few small
pure-Python packages. The Agg/SVG backend is used, so no display is needed on a server.
"""
from __future__ import annotations

import datetime as dt
import html
import io
from dataclasses import dataclass, field
from pathlib import Path

UNKNOWN_LAND = "unbekannt"
TOP_PROGRAMMES = 15           # bars in the budget-by-programme chart (the table lists all)


@dataclass
class Section:
    """One chart and the table behind it."""
    key: str
    title: str
    note: str
    columns: list[str]
    rows: list[tuple]
    svg: str = ""


@dataclass
class Report:
    today: dt.date
    run_id: str | None
    filter_name: str | None
    open_calls: int
    sections: list[Section] = field(default_factory=list)


def _calls_where(calls_sql: str | None) -> str:
    return f"call_id IN ({calls_sql})" if calls_sql else "TRUE"


def build_report(con, calls_sql: str | None = None, filter_name: str | None = None) -> Report:
    """The report's numbers from a reader connection (``warehouse.connect``); ``calls_sql`` (a
    saved filter's ``calls_sql()``) narrows the call charts to the calls it selects."""
    where = _calls_where(calls_sql)
    today = con.execute("SELECT fr_today()").fetchone()[0]
    run = con.execute("SELECT run_id FROM runs_overview WHERE published_at IS NOT NULL LIMIT 1").fetchone()
    n_open = con.execute(f"SELECT count(*) FROM open_calls WHERE {where}").fetchone()[0]
    rep = Report(today=today, run_id=run[0] if run else None, filter_name=filter_name, open_calls=n_open)

    rows = con.execute(f"""
        SELECT strftime(date_trunc('month', next_deadline), '%Y-%m') AS month, count(*) AS calls,
               string_agg(programme, '; ' ORDER BY next_deadline, programme) AS programmes
        FROM open_calls WHERE next_deadline IS NOT NULL AND {where}
        GROUP BY month ORDER BY month""").fetchall()
    rolling = con.execute(f"SELECT count(*) FROM open_calls WHERE next_deadline IS NULL AND {where}").fetchone()[0]
    rep.sections.append(Section(
        "deadlines", "Fristen pro Monat",
        f"Nächste Frist jeder offenen Ausschreibung (Stand {today}); dazu {rolling} laufende ohne Datum.",
        ["month", "calls", "programmes"], rows))

    rows = con.execute(f"""
        SELECT programme, budget_eur, next_deadline, rolling
        FROM open_calls WHERE budget_eur IS NOT NULL AND {where}
        ORDER BY budget_eur DESC, programme""").fetchall()
    rep.sections.append(Section(
        "budget_programme", "Offenes Budget nach Programm",
        "Größter Budgetbetrag jeder offenen Ausschreibung (Rolle budget)"
        + (f"; die Grafik zeigt die {TOP_PROGRAMMES} größten." if len(rows) > TOP_PROGRAMMES else "."),
        ["programme", "budget_eur", "next_deadline", "rolling"], rows))

    rows = con.execute(f"""
        WITH lands AS (
            SELECT DISTINCT programme_id, land FROM municipality_programmes WHERE land IS NOT NULL)
        SELECT coalesce(l.land, '{UNKNOWN_LAND}') AS land, count(*) AS calls, sum(o.budget_eur) AS budget_eur
        FROM open_calls o LEFT JOIN lands l ON l.programme_id = o.call_id
        WHERE {where.replace('call_id', 'o.call_id')}
        GROUP BY ALL ORDER BY budget_eur DESC NULLS LAST, land""").fetchall()
    rep.sections.append(Section(
        "budget_land", "Offenes Budget nach Land",
        "Land aus dem Gemeindeverzeichnis (municipality_programmes.land); eine Ausschreibung, die "
        f"Gemeinden mehrerer Länder nennt, zählt bei jedem; ohne Land: „{UNKNOWN_LAND}“.",
        ["land", "calls", "budget_eur"], rows))

    rows = con.execute("""
        SELECT run_id, started_at, status, new_documents, new_versions, gone, failed, changes
        FROM runs_overview ORDER BY started_at, run_id""").fetchall()
    rep.sections.append(Section(
        "changes", "Änderungen pro Lauf",
        "Änderungen wie changes_since_last_run sie zeigt, und die Dokumente jedes Laufs (runs_overview).",
        ["run_id", "started_at", "status", "new_documents", "new_versions", "gone", "failed", "changes"], rows))

    rows = con.execute("""
        SELECT c.run_id, r.started_at, c.source, c.documents, c.new, c.failures, c.requests
        FROM crawls c JOIN runs r USING (run_id)
        ORDER BY r.started_at, c.run_id, c.source""").fetchall()
    rep.sections.append(Section(
        "sources", "Dokumente und Fehler pro Quelle",
        "Was jeder Lauf je Quelle gesehen hat (crawls): Dokumente und fehlgeschlagene Abrufe.",
        ["run_id", "started_at", "source", "documents", "new", "failures", "requests"], rows))

    for s in rep.sections:
        s.svg = _CHARTS[s.key](s.rows) if s.rows else ""
    return rep


# ------------------------------------------------------------------------------------- charts
def _figure(height: float = 3.2):
    import matplotlib
    matplotlib.use("Agg")          # no display on a server
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, height), layout="constrained")
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _svg(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})     # no timestamp: same data, same file
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]                              # inline: no XML prolog or DOCTYPE


def _euro(x, _pos=None) -> str:
    return f"{x / 1e6:,.1f}".replace(",", "\u202f").replace(".", ",") + " Mio. €"


def _short(name: str, n: int = 45) -> str:
    return name if len(name) <= n else name[: n - 1] + "…"


def _chart_deadlines(rows) -> str:
    fig, ax = _figure()
    ax.bar([r[0] for r in rows], [r[1] for r in rows], color="#3b6ea5")
    ax.set_ylabel("Ausschreibungen")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.tick_params(axis="x", rotation=45)
    return _svg(fig)


def _barh(labels, values, xlabel) -> str:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig, ax = _figure(height=max(2.0, 0.35 * len(labels) + 1.0))
    ax.barh([_short(str(x)) for x in labels][::-1], values[::-1], color="#3b6ea5")
    ax.xaxis.set_major_locator(MaxNLocator(5))       # "125,0 Mio. €" labels need room
    ax.xaxis.set_major_formatter(FuncFormatter(_euro))
    ax.set_xlabel(xlabel)
    return _svg(fig)


def _chart_budget_programme(rows) -> str:
    top = rows[:TOP_PROGRAMMES]
    return _barh([r[0] for r in top], [float(r[1]) for r in top], "Budget")


def _chart_budget_land(rows) -> str:
    return _barh([r[0] for r in rows], [float(r[2] or 0) for r in rows], "Budget")


def _chart_changes(rows) -> str:
    fig, ax = _figure()
    labels = [f"{r[1]:%d.%m. %H:%M}" for r in rows]
    x = range(len(rows))
    ax.bar([i - 0.2 for i in x], [r[7] or 0 for r in rows], width=0.4, label="Änderungen", color="#3b6ea5")
    ax.bar([i + 0.2 for i in x], [(r[3] or 0) + (r[4] or 0) for r in rows], width=0.4,
           label="neue/geänderte Dokumente", color="#9cbf5f")
    ax.set_xticks(list(x), labels, rotation=45, ha="right")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(frameon=False)
    return _svg(fig)


def _chart_sources(rows) -> str:
    fig, ax = _figure()
    runs = sorted({(r[1], r[0]) for r in rows})
    pos = {run: i for i, (_, run) in enumerate(runs)}
    for source in sorted({r[2] for r in rows}):
        mine = [r for r in rows if r[2] == source]
        line, = ax.plot([pos[r[0]] for r in mine], [r[3] or 0 for r in mine], marker="o", label=f"{source}: Dokumente")
        ax.plot([pos[r[0]] for r in mine], [r[5] or 0 for r in mine], marker="x", linestyle="--",
                color=line.get_color(), label=f"{source}: Fehler")
    ax.set_xticks(range(len(runs)), [f"{t:%d.%m. %H:%M}" for t, _ in runs], rotation=45, ha="right")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(frameon=False, fontsize="small")
    return _svg(fig)


_CHARTS = {"deadlines": _chart_deadlines, "budget_programme": _chart_budget_programme,
           "budget_land": _chart_budget_land, "changes": _chart_changes, "sources": _chart_sources}


# --------------------------------------------------------------------------------------- html
_CSS = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem} h2{font-size:1.2rem;margin-top:2.5rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0 1rem}
th,td{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
td.n,td.d{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td:first-child{white-space:nowrap} .note{color:#555;font-size:.9rem}
figure{margin:0} figure svg{max-width:100%;height:auto}
"""


def _cell(v) -> str:
    if v is None:
        return "<td></td>"
    if isinstance(v, bool):
        return f"<td>{'ja' if v else 'nein'}</td>"
    if isinstance(v, (int, float)) or type(v).__name__ == "Decimal":
        return f'<td class="n">{v:,.0f}</td>'.replace(",", "\u202f")
    if isinstance(v, dt.datetime):
        return f'<td class="d">{v:%Y-%m-%d %H:%M}</td>'
    if isinstance(v, dt.date):
        return f'<td class="d">{v}</td>'
    return f"<td>{html.escape(str(v))}</td>"


def render_html(rep: Report) -> str:
    title = "foerderradar: Bericht" + (f" – {rep.filter_name}" if rep.filter_name else "")
    out = [f'<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8"><title>{html.escape(title)}</title>',
           f"<style>{_CSS}</style></head><body>", f"<h1>{html.escape(title)}</h1>",
           f'<p class="note">Stand {rep.today}; veröffentlichter Lauf {html.escape(rep.run_id or "–")}; '
           f"{rep.open_calls} offene Ausschreibungen"
           + (f" im Filter {html.escape(rep.filter_name)}" if rep.filter_name else "") + ".</p>"]
    for s in rep.sections:
        out.append(f'<section id="{s.key}"><h2>{html.escape(s.title)}</h2><p class="note">{html.escape(s.note)}</p>')
        if not s.rows:
            out.append('<p class="empty">Keine Daten.</p></section>')
            continue
        out.append(f'<figure class="chart">{s.svg}</figure>')
        out.append(f'<table class="data"><thead><tr>{"".join(f"<th>{html.escape(c)}</th>" for c in s.columns)}</tr></thead><tbody>')
        out.extend("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in s.rows)
        out.append("</tbody></table></section>")
    out.append("</body></html>\n")
    return "\n".join(out)


def write_report(con, path: Path, calls_sql: str | None = None, filter_name: str | None = None) -> dict:
    """Write the report page (write-then-rename); returns its size and what it shows."""
    from extractors.atomic import write_atomic

    rep = build_report(con, calls_sql, filter_name)
    data = render_html(rep).encode("utf-8")
    write_atomic(Path(path), data)
    return {"bytes": len(data), "open_calls": rep.open_calls,
            "rows": {s.key: len(s.rows) for s in rep.sections}}
