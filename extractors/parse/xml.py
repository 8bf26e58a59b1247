"""XML: RSS/Atom feeds and generic exports (e.g. GSB documents with escaped HTML inside).

Parsed with lxml without network access; the internal DTD subset's entities are expanded here
within a budget (:class:`_Entities`: no external entity is ever read, no expansion bomb), HTML
entity names are their characters, and a file whose declared encoding does not fit is read with a
guessed one, noted in ``warnings``. Feeds: each item becomes a
heading (its title) and its description/content as paragraphs. Other XML: every element with
text gives a paragraph; text that is escaped HTML ("&lt;p&gt;...") goes through the HTML walker.
Structured sources that know an export's schema override this in ``Source.documents``.
"""
from __future__ import annotations

import re
from html.entities import html5

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


# -- entities ------------------------------------------------------------------------------------
# The internal DTD subset's entities are expanded here, not by libxml2: its amplification guard
# aborts the parse at a bomb (losing the text after it) and an undeclared or external entity
# ends the document. External entities are never read; HTML entity names that no DTD declares
# (RSS "&auml;") are the characters they name.
_DOCTYPE = re.compile(r"<!DOCTYPE\s[^\[>]*(?:\[(.*?)\]\s*)?>", re.S | re.I)
_ENTITY_DECL = re.compile(r"""<!ENTITY\s+(%\s+)?([\w.:-]+)\s+(?:(SYSTEM|PUBLIC)\b[^>]*|"([^"]*)"|'([^']*)')\s*>""", re.S)
_REF = re.compile(r"&([A-Za-z_:][\w.:-]*);")
_PREDEFINED = frozenset({"lt", "gt", "amp", "quot", "apos"})
_FIRST_ELEMENT = re.compile(r"<[A-Za-z_]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*\bencoding\s*=\s*[\"']([A-Za-z0-9._-]+)")
# Characters all entity references of one document may expand to, at least (and 10 per byte).
MAX_ENTITY_EXPANSION = 1_000_000


class _Entities:
    """The general entities of a document's internal DTD subset, expanded within a budget."""

    def __init__(self, subset: str, size: int, notes: list[str]):
        self.values: dict[str, str] = {}
        self.external: set[str] = set()
        for param, name, ext, v1, v2 in _ENTITY_DECL.findall(subset):
            if param or name in self.values or name in self.external:
                continue                             # the first declaration binds (XML 1.0, 4.2)
            if ext:
                self.external.add(name)
            else:
                self.values[name] = v1 or v2
        self.budget = max(MAX_ENTITY_EXPANSION, 10 * size)
        self.notes = notes
        self._lengths: dict[str, float] = {}

    def _length(self, name: str, active: frozenset = frozenset()) -> float:
        """Characters ``name`` expands to (infinite for a loop), computed without expanding it."""
        if name in self._lengths:
            return self._lengths[name]
        if name in active:
            return float("inf")
        raw = self.values[name]
        total = float(len(raw))
        for m in _REF.finditer(raw):
            ref = m.group(1)
            if ref in self.values:
                total += self._length(ref, active | {name}) - len(m.group(0))
            elif ref in self.external:
                total -= len(m.group(0))
        self._lengths[name] = total
        return total

    def _note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def replace(self, m: re.Match) -> str:
        name = m.group(1)
        if name in _PREDEFINED:
            return m.group(0)
        if name in self.values:
            n = self._length(name)
            if n > self.budget:
                what = "refers to itself" if n == float("inf") else f"would expand to {int(n):,} characters"
                self._note(f"entity &{name}; {what} (an entity bomb?); left out")
                return ""
            self.budget -= n
            return _REF.sub(self.replace, self.values[name])
        if name in self.external:
            self._note(f"external entity &{name}; not loaded (external files and URLs are never read); left out")
            return ""
        char = html5.get(name + ";")
        if char is not None:
            return char.replace("&", "&amp;").replace("<", "&lt;")
        self._note(f"entity &{name}; is not declared; left out")
        return ""


def _decode(data: bytes, content_type: str | None, notes: list[str]) -> str:
    """The document as text: its declared encoding (UTF-8 by default), else a guess, noted."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return decode(data, content_type)[0]
    m = _XML_ENCODING.match(data)
    declared = (m.group(1).decode("ascii") if m else "utf-8").lower()
    try:
        return data.decode(declared)
    except (UnicodeDecodeError, LookupError):
        text, guessed = decode(data, content_type)
        notes.append(f"declared {declared.upper()} but is not; read as {guessed} (a guess: check the umlauts)")
        return text


def _well_formed(data: bytes, content_type: str | None, notes: list[str]) -> bytes:
    """UTF-8 bytes without XML declaration or DTD, every entity but the five predefined expanded."""
    text = _XML_DECL.sub("", _decode(data, content_type, notes), count=1)
    root = _FIRST_ELEMENT.search(text)                # a DOCTYPE stands before the root element
    m = _DOCTYPE.search(text, 0, root.start() if root else len(text))
    entities = _Entities(m.group(1) or "" if m else "", len(data), notes)
    if m:
        text = text[:m.start()] + text[m.end():]
    return _REF.sub(entities.replace, text).encode("utf-8")


def parse_xml(data: bytes, source: str, content_type: str | None = None) -> Document:
    notes: list[str] = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, recover=True,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(_well_formed(data, content_type, notes), parser)
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
    return Document(source=source, kind="xml", text=text, title=title, sections=sections, links=links,
                    warnings=notes)
