"""``web``: a generic source configured by a URL alone.

    get_source("web", url="https://www.land.de/foerderaufrufe/", allowed_hosts="www.land.de")
    get_source("web", feed="https://www.land.de/foerderaufrufe.rss", land="Brandenburg")

The URL is an announcement page, an overview page or an RSS/Atom feed (recognised by its
content). The crawler follows links on the same host(s) whose URL looks like a funding
announcement (Förder-, Aufruf, Richtlinie, Bekanntmachung, Programm ...) and links to PDFs (the
Förderrichtlinien), up to ``max_depth`` hops. Text comes from the generic parsers, without
site-specific selectors. ``land`` (an option every source takes: a Land's name, abbreviation or
2-digit key) says which Land the site publishes for; its documents carry it, and place names
several Länder share are keyed by it.
"""
from __future__ import annotations

from extractors.sources import links as L
from extractors.sources.base import ANNOUNCEMENT_WORDS, DOCUMENT, FEED, Discovery, Politeness, Request, Source

# links never worth fetching on an announcement site
DENY = [r"/(impressum|datenschutz|kontakt|barrierefreiheit|sitemap|login|suche|search)\b",
        r"\.(jpe?g|png|gif|svg|webp|ico|css|js|mp4|mp3|zip|docx?|xlsx?|pptx?|ics)(\?|$)",
        r"[?&](print|share|lang)="]


class WebSource(Source):
    name = "web"
    description = "Any announcement page or RSS/Atom feed, given by URL (generic parser, link rules)."
    options = {"url": "announcement page, overview page or feed to start from",
               "feed": "an RSS/Atom feed to start from (instead of or besides url)"}
    follow = [r"(" + "|".join(w.replace("ö", "(ö|%c3%b6)") for w in ANNOUNCEMENT_WORDS) + r")",
              r"\.pdf(\?|$)"]
    deny = DENY
    politeness = Politeness(concurrency=2, delay=1.0)
    max_pages = 300
    max_depth = 2

    def configure(self, url: str | None = None, feed: str | None = None, **_) -> None:
        if not url and not feed:
            raise ValueError("needs url=... (an announcement page or feed) or feed=...")
        self.start_urls = [url] if url else []
        self.feeds = [feed] if feed else []

    def discover(self, record, data: bytes, request: Request) -> Discovery:
        # a start URL that turns out to be a feed is read as one
        if request.role == DOCUMENT and not L.looks_like_html(data, record.content_type) \
                and _is_feed(data):
            return super().discover(record, data, Request(request.url, FEED, request.depth))
        return super().discover(record, data, request)

    def documents(self, record, data: bytes):
        if _is_feed(data) and not L.looks_like_html(data, record.content_type):
            return []            # a feed is a list of links, not an announcement
        return super().documents(record, data)


def _is_feed(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in data[:2048].lower() or b"<feed" in data[:2048].lower()) \
        or head.startswith(b"<rss") or head.startswith(b"<feed")
