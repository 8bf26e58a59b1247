"""Generate the demo site's announcements from the data files in ``corpus/`` (deterministic).

Every announcement has a programme name, a Fördergeber, a budget and a maximum grant in the usual
Richtlinie wording, an application deadline (every ``ROLLING_EVERY``-th is a rolling call,
"laufend", instead; every ``SHORT_EVERY``-th closes within a few weeks of the site's "today") and
a programme period; every fourth links a PDF Förderrichtlinie; every ``LAND_EVERY``-th is also
announced by a second portal on the same site (``/land/``, the ``demo_land`` source) in its own
words. Announcements listed in ``changed`` get a new deadline ("Frist verlängert"), so a
re-crawl sees exactly those as changed.

``night`` plays the site on a later night: from night 2 on, every ``MOVE_EVERY``-th call's
deadline moves, every ``BUDGET_EVERY``-th call's budget changes, and every ``GONE_EVERY``-th
announcement answers 410 Gone (still linked from the listing).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
BASE_DATE = dt.date(2025, 1, 6)          # the demo site's "today"; never the wall clock
PAGE_SIZE = 10                           # announcements per listing page
PDF_EVERY = 4                            # every n-th announcement links a PDF Richtlinie
LAND_EVERY = 3                           # every n-th is also announced by the second portal
ROLLING_EVERY = 8                        # every n-th (offset 6) is a rolling call
SHORT_EVERY = 5                          # every n-th (offset 2) closes within weeks
MOVE_EVERY = 6                           # night 2+: deadline moves (offset 1)
BUDGET_EVERY = 6                         # night 2+: budget changes (offset 3)
GONE_EVERY = 13                          # night 2+: the announcement is gone (offset 5)
BUDGETS = [500_000, 1_200_000, 2_500_000, 8_000_000, 15_000_000]
MONATE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember"]


def _lines(name: str) -> list[str]:
    out = []
    for line in (CORPUS / name).read_text("utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


@lru_cache(maxsize=1)
def corpus() -> dict:
    saetze: dict[str, list[str]] = {}
    for line in _lines("saetze.txt"):
        key, text = line.split("|", 1)
        saetze.setdefault(key, []).append(text)
    return {
        "themen": [tuple(line.split("|", 1)) for line in _lines("themen.txt")],
        "geber": _lines("geber.txt"),
        "gemeinden": _lines("gemeinden.txt"),
        "zielgruppen": _lines("zielgruppen.txt"),
        "abschnitte": [tuple(line.split("|", 1)) for line in _lines("abschnitte.txt")],
        "saetze": saetze,
    }


def german_date(d: dt.date) -> str:
    return f"{d.day}. {MONATE[d.month - 1]} {d.year}"


def german_amount(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def slugify(text: str) -> str:
    t = text.lower()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        t = t.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


@dataclass
class Announcement:
    index: int
    slug: str
    title: str
    programme: str
    geber: str
    published: dt.date
    deadline: dt.date
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    pdf_slug: str | None = None
    changed: bool = False
    rolling: bool = False
    budget: int = 0
    max_grant: int = 0
    on_land: bool = False          # also announced by the second portal (/land/)
    gone: bool = False             # answers 410 Gone

    @property
    def land_path(self) -> str:
        return f"land/aufruf/{self.slug}.html"

    def land_html(self) -> str:
        """The second portal's own announcement of the same call."""
        frist = ("Anträge können laufend gestellt werden, solange Mittel verfügbar sind."
                 if self.rolling else
                 f"Anträge sind bis zum {german_date(self.deadline)} einzureichen.")
        body = (f"<h1>Landesaufruf zum Förderprogramm „{html.escape(self.programme)}“</h1>"
                f'<p class="meta">Landesförderportal Südland · {german_date(self.published)}</p>'
                f"<p>Das Land Südland ruft Kommunen auf, sich am Förderprogramm "
                f"„{html.escape(self.programme)}“ zu beteiligen. Für das Programm stehen insgesamt "
                f"{german_amount(self.budget)} Euro zur Verfügung. Die Zuwendung beträgt höchstens "
                f"{german_amount(self.max_grant)} Euro je Vorhaben.</p><p>{frist}</p>"
                '<p><a href="../aufrufe.html">Alle Landesaufrufe</a></p>')
        return page(f"Landesaufruf {self.programme}", body, portal="Landesförderportal Südland")

    @property
    def path(self) -> str:
        return f"foerderung/{self.slug}.html"

    @property
    def pdf_path(self) -> str | None:
        return f"richtlinien/{self.pdf_slug}.pdf" if self.pdf_slug else None

    def html(self) -> str:
        parts = [f"<h1>{html.escape(self.title)}</h1>",
                 f'<p class="meta">Veröffentlicht am {german_date(self.published)} · {html.escape(self.geber)}</p>']
        if self.changed:
            parts.append(f"<p><strong>Hinweis:</strong> Die Antragsfrist wurde bis zum "
                         f"{german_date(self.deadline)} verlängert.</p>")
        for heading, sentences in self.sections:
            parts.append(f"<h2>{html.escape(heading)}</h2>")
            parts.append("<p>" + " ".join(html.escape(s) for s in sentences) + "</p>")
        if self.pdf_path:
            parts.append(f'<p>Die vollständige <a href="../{self.pdf_path}">Förderrichtlinie (PDF)</a> '
                         "enthält alle Einzelheiten.</p>")
        parts.append('<p><a href="../programme/seite-1.html">Zurück zur Übersicht</a></p>')
        return page(self.title, "\n".join(parts))

    def text(self) -> str:
        lines = [self.title, ""]
        for heading, sentences in self.sections:
            lines += [heading, " ".join(sentences), ""]
        return "\n".join(lines)


def page(title: str, body: str, portal: str = "Förderportal Nordland") -> str:
    return ("<!DOCTYPE html>\n<html lang=\"de\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)} | {portal} (Demo)</title></head><body>"
            "<header><nav><a href=\"/\">Start</a> · <a href=\"/programme/seite-1.html\">Programme</a>"
            " · <a href=\"/impressum.html\">Impressum</a></nav></header>"
            f"<main>{body}</main><footer><p>Demo-Website von foerderradar. Alle Angaben sind erfunden.</p>"
            "</footer></body></html>")


def site_today(n_documents: int, night: int = 1) -> dt.date:
    """The demo site's "today" on a night: the day of its newest announcement, a day later per
    night."""
    return BASE_DATE + dt.timedelta(days=n_documents - 1 + night - 1)


def generate(n_documents: int = 40, seed: int = 0, changed=(), night: int = 1) -> list[Announcement]:
    c = corpus()
    changed = set(changed)
    if night >= 2:
        changed |= {i for i in range(n_documents) if i % MOVE_EVERY == 1}
    out = []
    for i in range(n_documents):
        rng = random.Random(f"{seed}:{i}")
        thema, kurz = c["themen"][i % len(c["themen"])]
        round_no = i // len(c["themen"]) + 1
        programme = kurz if round_no == 1 else f"{kurz} {round_no}"
        geber = rng.choice(c["geber"])
        published = BASE_DATE + dt.timedelta(days=i)
        deadline = published + dt.timedelta(days=rng.randrange(60, 200))
        if i % SHORT_EVERY == 2:
            deadline = site_today(n_documents) + dt.timedelta(days=6 + i % 17)
        if i in changed:
            deadline += dt.timedelta(days=42)
        rolling = i % ROLLING_EVERY == 6
        start = deadline + dt.timedelta(days=rng.randrange(30, 90))
        ende = start.replace(year=start.year + rng.randrange(1, 4))
        budget = rng.choice(BUDGETS)
        if night >= 2 and i % BUDGET_EVERY == 3:
            budget = budget * 3 // 2              # the budget was raised
        max_grant = rng.choice([25_000, 50_000, 150_000, 200_000, 750_000])
        values = {
            "programm": programme, "thema": thema, "geber": geber,
            "gemeinde": rng.choice(c["gemeinden"]), "zielgruppe": rng.choice(c["zielgruppen"]),
            "betrag": german_amount(budget), "hoechstbetrag": german_amount(max_grant),
            "quote": str(rng.choice([50, 60, 75, 80, 90])),
            "frist": german_date(deadline), "start": german_date(start), "ende": german_date(ende),
            "jahr": str(published.year),
        }
        saetze = c["saetze"]
        sections = []
        for key, heading in c["abschnitte"]:
            pool = saetze.get(key, [])
            k = max(1, min(len(pool), rng.randrange(1, len(pool) + 1)))
            chosen = sorted(rng.sample(range(len(pool)), k))
            if key == "verfahren" and 0 not in chosen:
                chosen = [0, *chosen]             # every announcement states its deadline
            sentences = [pool[j].format(**values) for j in chosen]
            if key == "hoehe":                    # a budget and a maximum grant, always
                sentences = [rng.choice(saetze["budget"]).format(**values),
                             rng.choice(saetze["hoechst"]).format(**values), *sentences]
            if key == "verfahren" and rolling:    # no deadline: open until the funds are spent
                sentences[0] = saetze["laufend"][0].format(**values)
            sections.append((heading, sentences))
        title = f"Förderaufruf „{programme}“: {thema[0].upper()}{thema[1:]}"
        slug = f"{i:04d}-{slugify(programme)}"
        out.append(Announcement(index=i, slug=slug, title=title, programme=programme, geber=geber,
                                published=published, deadline=deadline, sections=sections,
                                pdf_slug=f"richtlinie-{slug}" if i % PDF_EVERY == 0 else None,
                                changed=i in changed and not rolling, rolling=rolling,
                                budget=budget, max_grant=max_grant, on_land=i % LAND_EVERY == 0,
                                gone=night >= 2 and i % GONE_EVERY == 5))
    return out


def etag_of(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:20] + '"'
