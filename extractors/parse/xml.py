"""XML: RSS/Atom feeds and generic exports (e.g. GSB documents with escaped HTML inside).

Parsed with lxml without network access or entity expansion (no XXE). Feeds: each item becomes a
heading (its title) and its description/content as paragraphs. Other XML: every element with
text gives a paragraph; text that is escaped HTML ("&lt;p&gt;...") goes through the HTML walker.
Structured sources that know an export's schema override this in ``Source.documents``.
"""
from __future__ import annotations

import re

from lxml import etree

from extractors.parse import ParseError
from extractors.parse.charset import decode
from extractors.parse.normalize import TextBuilder, clean_line
from models.records import Document, Link, Section

_LOOKS_HTML = re.compile(r"<(?:p|br|div|ul|ol|li|h[1-6]|table|strong|em|a\s)[\s/>]", re.I)
TITLE_TAGS = ("title", "titel", "name", "headline", "ueberschrift")
ITEM_TAGS = ("item", "entry")
BODY_TAGS = ("description", "summary", "content", "encoded", "bodytext", "text")


def _local(tag) -> str:
    return etree.QName(tag).localname.casefold() if isinstance(tag, str) else ""


def _html_text(fragment: str) -> str:
    from extractors.parse.html import parse_html

    return parse_html(f"<html><body>{fragment}</body></html>", "-").text


def parse_xml(data: bytes, source: str, content_type: str | None = None) -> Document:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        # wrong encoding declaration or garbage: decode ourselves and retry once
        text = decode(data, content_type)[0]
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
        try:
            root = etree.fromstring(text.encode("utf-8"), parser)
        except (etree.XMLSyntaxError, ValueError):
            root = None
    if root is None:
        raise ParseError("XML is not well-formed and could not be recovered; check the file")
    out = TextBuilder()
    sections: list[Section] = []
    links: list[Link] = []
    title = None

    def add_text(value: str | None, heading: bool = False):
        if not value or not value.strip():
            return None
        value = _html_text(value) if _LOOKS_HTML.search(value) else "\n".join(
            x for x in (clean_line(ln) for ln in value.split("\n")) if x)
        return out.add(value)

    items = [el for el in root.iter() if _local(el.tag) in ITEM_TAGS]
    if items:
        channel_title = next((el.text for el in root.iter() if _local(el.tag) == "title" and el.text), None)
        title = clean_line(channel_title) if channel_title else None
        for it in items:
            head, body, link = None, [], None
            for ch in it:
                name = _local(ch.tag)
                if name == "title":
                    head = "".join(ch.itertext())
                elif name in BODY_TAGS:
                    body.append("".join(ch.itertext()))
                elif name == "link":
                    link = ch.get("href") or (ch.text or "").strip() or None
            span = add_text(clean_line(head or "")) if head else None
            start = span[0] if span else out.length
            for b in body:
                add_text(b)
            if span:
                sections.append(Section(title=clean_line(head), start=start, end=out.length))
            if link:
                links.append(Link(url=link, text=clean_line(head or "")))
    else:
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            name = _local(el.tag)
            value = el.text
            if value and value.strip():
                span = add_text(value)
                if span and title is None and name in TITLE_TAGS:
                    title = clean_line(value)[:300]
            href = el.get("href") or el.get("{http://www.w3.org/1999/xlink}href")
            if href:
                links.append(Link(url=href, text=""))
    text = out.text()
    if not text.strip():
        raise ParseError("XML holds no text")
    return Document(source=source, kind="xml", text=text, title=title, sections=sections, links=links)
