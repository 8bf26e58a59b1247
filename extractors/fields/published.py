"""When was a document published: the day, or at least the year its year-less dates are read in.

Sources, first found wins (the wall clock never is one):

1. the caller's date (``--published``) or the parsed document's (HTML meta dates, HTTP
   Last-Modified: the parser's domain, passed in as ``ctx.published``);
2. a publication day in the text: a date after "Stand:", "veröffentlicht am", "Pressemitteilung
   vom", "aus der Zeitung vom", on a "Datum:" line, or in a dateline or byline near the top
   ("Berlin, 12. März 2024 –", "14. März 2019, 12:09 Uhr"); :mod:`extractors.fields.dates` marks
   those dates;
3. a month near the top: a byline such as "date 2019-03" or "Stand: April 2021" gives the year
   and month, not a day;
4. the one year that every date with a written year in the document shares ("Anträge bis 31. März
   2025 … Auszahlung ab Juni 2025": 2025).

:class:`Publication` keeps the day apart from the year: only a day becomes ``published`` in the
output; the year (and month) are what year-less dates are read in.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from extractors.fields.rules import alternation, read_lines

BYLINE_MAX_OFFSET = 600         # a byline month ("date 2019-03") stands near the top

# "date 2019-03", "Stand: April 2021", "Datum: 03/2020" near the top of the text
_LEADS = alternation(read_lines("date_publication_month_lead.txt"), escape=False)
_MONTH_BYLINE_RE = re.compile(
    rf"(?:^|\n)[ \t]*(?:{_LEADS})\s*:?\s*"
    r"(?:(?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])(?![\d-])|(?P<m2>0?[1-9]|1[0-2])/(?P<y2>(?:19|20)\d\d)(?!\d)"
    r"|(?P<mon>[a-zäöü]+)\.?\s+(?P<y3>(?:19|20)\d\d)(?!\d))")


@dataclass(frozen=True, slots=True)
class Publication:
    """The publication day where known; else the year (and month) year-less dates are read in."""
    date: dt.date | None = None
    year: int | None = None
    month: int | None = None
    source: str = "none"        # given | text | byline | shared_year | none

    @property
    def reference(self) -> dt.date | None:
        """The day year-less dates are read relative to (the first of the month or year where
        only those are known)."""
        if self.date is not None:
            return self.date
        if self.year is not None:
            return dt.date(self.year, self.month or 1, 1)
        return None


def month_byline(low: str, months: dict[str, int]) -> tuple[int, int] | None:
    """(year, month) of a byline near the top ("date 2019-03", "Stand: April 2021"), or None."""
    m = _MONTH_BYLINE_RE.search(low, 0, BYLINE_MAX_OFFSET)
    if m is None:
        return None
    if m.group("y"):
        return int(m.group("y")), int(m.group("m"))
    if m.group("y2"):
        return int(m.group("y2")), int(m.group("m2"))
    month = months.get(m.group("mon"))
    return (int(m.group("y3")), month) if month else None


def resolve(given: dt.date | None, text_days: list[dt.date], low: str, months: dict[str, int],
            written_years: list[int]) -> Publication:
    """The publication of a document from (in this order) the date the caller or the parser gave,
    the publication days found in its text, a byline month near the top, and the one year all
    its written years share."""
    if given is not None:
        return Publication(given, given.year, given.month, "given")
    if text_days:
        day = text_days[0]
        return Publication(day, day.year, day.month, "text")
    byline = month_byline(low, months)
    if byline:
        return Publication(None, byline[0], byline[1], "byline")
    if len(set(written_years)) == 1:
        return Publication(None, written_years[0], None, "shared_year")
    return Publication()
