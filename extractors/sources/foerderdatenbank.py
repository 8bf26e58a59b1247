"""``foerderdatenbank``: the XML export of the Förderdatenbank des Bundes.

``https://www.foerderdatenbank.de/FDB/WS/export`` is a zip of GSB XML documents, one per
programme (``.../Foerderprogramm/**.xml``, ``type="gsb:ServiceOffer"``) beside the funders
(``.../Foerdergeber/**.xml``), contacts, addresses and links they refer to. The crawler stores
every wanted member content-addressed in raw/ (url ``<export>#<member path>``); this module turns
a programme XML into a :class:`Document`: title, the programme name, the facets Förderart,
Förderbereich, Fördergebiet, Förderberechtigte, Fördergeber as fields (a Fördergebiet naming one
Land also as the Document's ``land``), and the rich-text properties (HTML escaped inside
``<text>``) as sections of plain text, so extraction runs on them.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable

from lxml import etree

from extractors.sources import _fdb
from extractors.sources.base import DOCUMENT, RELATED, Politeness, Source
from models.records import Document, Link, Section

XLINK = "{http://www.w3.org/1999/xlink}href"
EXPORT_URL = "https://www.foerderdatenbank.de/FDB/WS/export"
SITE = "https://www.foerderdatenbank.de"
# rich-text properties in reading order, with the headings the web site gives them
RICH_SECTIONS = (
    ("gsb:teaserText", "Kurztext"),
    ("gsb:summary", "Volltext"),
    ("gsb:regulatoryFWork", "Rechtliche Voraussetzungen"),
    ("gsb:requirements", "Voraussetzungen"),
    ("gsb:serviceDescription", "Leistungsbeschreibung"),
    ("gsb:termsOfPayment", "Konditionen"),
    ("gsb:procMethod", "Verfahren"),
    ("gsb:procDescription", "Rechtsgrundlage"),
    ("gsb:bodyText", "Beschreibung"),
    ("gsb:remark", "Hinweise"),
)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _rich_html(prop) -> str:
    raw = "".join(prop.itertext()).strip()
    if raw.startswith("<![CDATA["):
        raw = raw[len("<![CDATA["):]
        if raw.endswith("]]>"):
            raw = raw[:-3]
    return raw.strip()


def rich_text(fragment: str, source: str) -> str:
    """Plain text of one GSB rich-text fragment, via the project's html parser."""
    if not re.search(r">[^<\s]", fragment):      # "<div ...></div>": empty
        return ""
    from extractors.parse import ParseError, parse_bytes
    try:
        doc = parse_bytes(b"<html><body>" + fragment.encode("utf-8") + b"</body></html>", source, "text/html")
    except ParseError:
        return ""
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in doc.text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _target(href: str | None) -> str | None:
    return href[len("target:"):] if href and href.startswith("target:") else None


def parse_programme_xml(data: bytes, source: str,
                        related: Callable[[str], bytes | None] | None = None) -> Document | None:
    """A programme (gsb:ServiceOffer) as a Document, None for other GSB documents.

    ``related(gsb_path)`` may return the bytes of a referenced GSB document (a Fördergeber) so
    that the funder's name is filled in; without it the funder level (Bund, Land, EU) is used.
    Raises ``ValueError`` for XML that is not well-formed.
    """
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"export document is not well-formed XML: {exc}") from None
    if root.tag != "document" or root.get("type") != "gsb:ServiceOffer":
        return None
    props = {p.get("name"): p for p in root.findall("property")}
    sub = props.get("gsb:subType")
    if sub is not None and "FundingProgram" not in "".join(sub.itertext()):
        return None

    title = rich_text(_rich_html(props["gsb:title"]), source) if "gsb:title" in props else ""
    title = re.sub(r"\s+", " ", title).strip() or root.get("name", "")
    fields: dict = {"programme": title, "fdb_path": f"{root.get('path', '')}/{root.get('name', '')}"}
    orgs: list[str] = []
    for facet_list in root.iter("classifiedLinkList"):
        classifier = [_target(link.get(XLINK)) or "" for link in facet_list.iterfind("classifierLinks/link")]
        facet = classifier[0].rsplit("/", 1)[-1] if classifier else ""
        targets = [t for t in (_target(link.get(XLINK)) for link in facet_list.iterfind("links/link")) if t]
        if facet in _fdb.FACETS:
            key = _fdb.FACETS[facet]
            labels = [_fdb.label(facet, t.rsplit("/", 1)[-1]) for t in targets]
            if key == "Fördergeber":
                fields["Fördergeber_ebene"] = labels
            else:
                fields[key] = labels
        elif facet == "Foerderorganisation":
            orgs = targets
    if orgs:
        fields["Fördergeber_ref"] = orgs
        names = []
        for ref in orgs:
            blob = related(ref) if related is not None else None
            name = _funder_name(blob, source) if blob else None
            if name:
                names.append(name)
        fields["Fördergeber"] = names or fields.get("Fördergeber_ebene", [])
    elif "Fördergeber_ebene" in fields:
        fields["Fördergeber"] = fields["Fördergeber_ebene"]
    if "gsb:keywords" in props:
        kw = "".join(props["gsb:keywords"].itertext()).strip()
        if kw:
            fields["keywords"] = kw.split()

    published = None
    if "gsb:dateOfIssue" in props:
        try:
            published = dt.date.fromisoformat("".join(props["gsb:dateOfIssue"].itertext()).strip()[:10])
        except ValueError:
            published = None

    parts: list[str] = [title]
    pos = len(title)
    sections: list[Section] = []
    links: list[Link] = []
    for name, heading in RICH_SECTIONS:
        if name not in props:
            continue
        fragment = _rich_html(props[name])
        body = rich_text(fragment, source)
        if not body:
            continue
        for href in re.findall(r'xlink:href="(target:[^"]+|https?://[^"]+)"', fragment):
            t = _target(href)
            links.append(Link(url=SITE + t + ".html" if t else href))
        block = f"{heading}\n{body}"
        pos += 2
        sections.append(Section(title=heading, start=pos, end=pos + len(block)))
        parts.append(block)
        pos += len(block)
    text = "\n\n".join(parts)
    return Document(source=source, kind="xml", text=text, title=title, published=published,
                    sections=sections, links=links, fields=fields,
                    land=_fdb.gebiet_land(fields.get("Fördergebiet")))


def _funder_name(blob: bytes, source: str) -> str | None:
    try:
        root = etree.fromstring(blob, parser=_PARSER)
    except etree.XMLSyntaxError:
        return None
    for p in root.findall("property"):
        if p.get("name") == "gsb:title":
            name = re.sub(r"\s+", " ", rich_text(_rich_html(p), source)).strip()
            return name or None
    return None


class FoerderdatenbankSource(Source):
    name = "foerderdatenbank"
    description = "Förderdatenbank des Bundes, XML export (zip of GSB documents, ~2,500 programmes)."
    options = {"export_url": f"URL of the export archive (default {EXPORT_URL})"}
    exports = [EXPORT_URL]
    allowed_hosts = ["www.foerderdatenbank.de"]
    export_members = [r"(^|/)Foerderprogramm/.+\.xml$", r"(^|/)Foerdergeber/.+\.xml$"]
    politeness = Politeness(concurrency=1, delay=2.0)
    max_pages = 5

    def configure(self, export_url: str | None = None, **_) -> None:
        if export_url:
            self.exports = [export_url]
        self._related_index: dict[str, object] | None = None

    def member_role(self, name: str) -> str:
        return DOCUMENT if re.search(r"(^|/)Foerderprogramm/", name) else RELATED

    def _related(self, record) -> Callable[[str], bytes | None]:
        """Look up referenced GSB documents of the same export in the raw store."""
        from extractors.rawstore import RawStore

        store = self.store or RawStore()
        base = record.url.split("#", 1)[0]

        def lookup(gsb_path: str) -> bytes | None:
            if self._related_index is None:
                self._related_index = {r.url: r for r in store.iter_records(self.name, roles=None)}
            for candidate in (f"{base}#{gsb_path.lstrip('/')}.xml", f"{base}#{gsb_path.lstrip('/')}"):
                rec = self._related_index.get(candidate)
                if rec is not None:
                    try:
                        return store.read(rec)
                    except (OSError, ValueError):
                        return None
            return None
        return lookup

    def documents(self, record, data: bytes, related=None) -> list[Document]:
        if related is None and "#" in (record.url or ""):
            related = self._related(record)
        try:
            doc = parse_programme_xml(data, record.url, related)
        except ValueError as exc:
            return [Document(source=record.url, kind="xml", text="", errors=[str(exc)], sha256=record.sha256)]
        if doc is None:
            return []
        doc.sha256 = record.sha256
        return [doc]
