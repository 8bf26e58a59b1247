"""``foerderdatenbank_html``: detail pages and the search listing of www.foerderdatenbank.de.

Listing: ``/SiteGlobals/FDB/Forms/Suche/Foederprogrammsuche_Formular.html`` (10 programmes a page,
pagination links with ``gtp=..._list%253D<n>``; facet filter links are not followed). Detail
pages: ``/FDB/Content/DE/Foerderprogramm/...html`` with labelled fields (``dl.document-info-
fundingprogram``: Förderart, Förderbereich, Fördergebiet, Förderberechtigte, Fördergeber,
Ansprechpunkt; a Fördergebiet naming one Land is also the Document's ``land``) and description
sections (``div.content--main div.rich--text``: Kurztext, Volltext, rechtliche Voraussetzungen,
Rechtsgrundlage ...). Some pages show raw facet slugs (``Foerderart: zuschuss``); they are mapped
to the labels the site normally shows.
"""
from __future__ import annotations

import re

from extractors.sources import _fdb
from extractors.sources.base import Politeness, Source
from models.records import Document, Link, Section

SITE = "https://www.foerderdatenbank.de/"
LISTING = (SITE + "SiteGlobals/FDB/Forms/Suche/Foederprogrammsuche_Formular.html"
           "?filterCategories=FundingProgram")
HEADINGS = ("h2", "h3", "h4", "h5", "h6")
BLOCKS = ("p", "li", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd")


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def parse_detail(data: bytes, url: str) -> Document:
    """A programme detail page as a Document (fields + description text)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    h1 = soup.find("h1")
    title = _clean(h1.get_text(" ")) if h1 else None
    if not title and soup.title:
        title = _clean(soup.title.get_text(" "))
    fields: dict = {}
    if title:
        fields["programme"] = title
    links: list[Link] = []
    dl = soup.select_one("dl.document-info-fundingprogram") or soup.find("dl")
    if dl is not None:
        for dt_el in dl.find_all("dt"):
            dd = dt_el.find_next_sibling("dd")
            if dd is None:
                continue
            key = _fdb.normalise_key(dt_el.get_text(" "))
            if key in _fdb.LIST_FIELDS:
                fields[key] = _fdb.split_labels(dd.get_text(" "), key)
            elif key in ("Fördergeber", "Ansprechpunkt"):
                names = [_clean(t.get_text(" ")) for t in dd.select(".card--title")] or [_clean(dd.get_text(" "))]
                value = [n for n in names if n]
                if key == "Fördergeber" and value and re.fullmatch(r"_?[a-z0-9_]+", value[0]):
                    value = [_fdb.label("Foerdergeber", v) for v in value]
                fields[key] = value
            elif key == "Weiterführende Links":
                fields[key] = [_clean(a.get_text(" ")) for a in dd.find_all("a") if _clean(a.get_text(" "))]
                links += [Link(url=a["href"], text=_clean(a.get_text(" "))) for a in dd.find_all("a", href=True)]
            else:
                fields[key] = _clean(dd.get_text(" "))

    parts = [title or ""]
    pos = len(parts[0])
    sections: list[Section] = []
    main = soup.select_one("div.content--main") or soup.find("main") or soup.body or soup
    rich = main.select("div.rich--text")
    # nested rich--text blocks (tabs inside a tab container): keep the innermost
    rich = [r for r in rich if not r.select("div.rich--text")]
    for block in rich:
        current_title = None
        lines: list[str] = []

        def flush():
            nonlocal pos, lines, current_title
            body = "\n".join(lines).strip()
            if body or current_title:
                chunk = f"{current_title}\n{body}" if current_title else body
                pos += 2
                sections.append(Section(title=current_title, start=pos, end=pos + len(chunk)))
                parts.append(chunk)
                pos += len(chunk)
            lines = []

        for el in block.find_all(BLOCKS):
            if el.find_parent(BLOCKS):       # text already taken with its block parent
                continue
            text = _clean(el.get_text(" "))
            if not text:
                continue
            if el.name in HEADINGS:
                flush()
                current_title = text
            else:
                lines.append(text)
            for a in el.find_all("a", href=True) if el.name not in HEADINGS else []:
                links.append(Link(url=a["href"], text=_clean(a.get_text(" "))))
        flush()
    text = "\n\n".join(p for p in parts)
    return Document(source=url, kind="html", text=text, title=title, sections=sections, links=links,
                    fields=fields, land=_fdb.gebiet_land(fields.get("Fördergebiet")))


class FoerderdatenbankHtmlSource(Source):
    name = "foerderdatenbank_html"
    description = "Förderdatenbank des Bundes, search listing with pagination and programme detail pages."
    options = {"listing_url": "first page of the search listing (default: all programmes)"}
    listings = [LISTING]
    allowed_hosts = ["www.foerderdatenbank.de"]
    follow = [r"/FDB/Content/DE/Foerderprogramm/.+\.html$"]
    pagination = [r"/Foederprogrammsuche_Formular\.html\?gtp=[^&#]*_list%253D\d+&filterCategories=FundingProgram$"]
    deny = [r"[?&]cl2Processes_", r"[?&]sortOrder="]
    politeness = Politeness(concurrency=1, delay=2.0)
    max_pages = 3000
    max_depth = 1

    def configure(self, listing_url: str | None = None, **_) -> None:
        if listing_url:
            self.listings = [listing_url]

    def documents(self, record, data: bytes) -> list[Document]:
        url = record.url
        if not re.search(r"/Foerderprogramm/", url) or not data.strip():
            return super().documents(record, data)
        try:
            doc = parse_detail(data, url)
        except Exception as exc:  # a page the parser has not seen yet: fall back to the generic parser
            docs = super().documents(record, data)
            for d in docs:
                d.errors.append(f"foerderdatenbank_html detail parser failed ({type(exc).__name__}: {exc}); "
                                "generic text used")
            return docs
        doc.sha256 = record.sha256
        return [doc]
