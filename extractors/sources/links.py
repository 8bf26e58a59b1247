"""Pure link finding in feeds (RSS/Atom), sitemaps and HTML pages, shared by all sources."""
from __future__ import annotations

from lxml import etree
from lxml import html as lhtml


class FeedError(ValueError):
    """A feed or sitemap that is not well-formed XML."""


_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def _xml(data: bytes, what: str):
    if not data.strip():
        raise FeedError(f"{what} is empty")
    try:
        return etree.fromstring(data.strip(), parser=_XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"{what} is not well-formed XML: {exc.msg if hasattr(exc, 'msg') else exc}") from None


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def feed_links(data: bytes) -> list[str]:
    """Item links of an RSS 2.0 / RSS 1.0 / Atom feed, in feed order."""
    root = _xml(data, "feed")
    out: list[str] = []
    for el in root.iter():
        name = _local(el.tag)
        if name in ("item", "entry"):
            link = None
            for child in el:
                cn = _local(child.tag)
                if cn == "link":
                    href = child.get("href")
                    rel = child.get("rel", "alternate")
                    if href and rel == "alternate":
                        link = href.strip()
                        break
                    if not href and child.text and child.text.strip():
                        link = child.text.strip()
                        break
            if link is None:
                for child in el:
                    if _local(child.tag) == "guid" and child.get("isPermaLink", "true") != "false" \
                            and (child.text or "").startswith("http"):
                        link = child.text.strip()
            if link:
                out.append(link)
    if not out and _local(root.tag) not in ("rss", "feed", "rdf"):
        raise FeedError(f"not an RSS or Atom feed (root element <{_local(root.tag)}>)")
    return out


def sitemap_links(data: bytes) -> list[str]:
    root = _xml(data, "sitemap")
    return [el.text.strip() for el in root.iter() if _local(el.tag) == "loc" and el.text and el.text.strip()]


def looks_like_html(data: bytes, content_type: str | None = None) -> bool:
    ct = (content_type or "").lower()
    if "html" in ct:
        return True
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<!doctype html") or b"<html" in head


def html_base(data: bytes) -> str | None:
    """The href of <base>, if the page declares one (links resolve against it)."""
    import re
    m = re.search(rb"<base\s[^>]*href=[\"']([^\"']+)[\"']", data[:20000], re.I)
    return m.group(1).decode("utf-8", "replace").strip() if m else None


def html_links(data: bytes) -> list[str]:
    """href values of <a> and <link rel=alternate> in document order (unresolved)."""
    if not data.strip():
        return []
    try:
        root = lhtml.fromstring(data)
    except (etree.ParserError, ValueError):
        return []
    out = []
    for el in root.iter("a", "link", "area"):
        if el.tag == "link" and (el.get("rel") or "").lower() not in ("alternate", "next"):
            continue
        href = el.get("href")
        if href and not href.startswith(("mailto:", "javascript:", "tel:", "#")):
            out.append(href.strip())
    return out
