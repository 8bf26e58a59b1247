"""``demo``: the local demo site (extractors/demo), crawled by the same code path as a real
source: a feed, a paginated listing, a sitemap, HTML announcements and PDF Förderrichtlinien.

    with serve_demo_site(n_documents=40) as base:
        src = get_source("demo", base_url=base)
"""
from __future__ import annotations

from extractors.sources.base import Politeness, Source


class DemoSource(Source):
    name = "demo"
    description = "The local demo site (foerderradar demo-site); same code path as a real source."
    options = {"base_url": "base URL of a running demo site, e.g. http://127.0.0.1:8765/"}
    follow = [r"/foerderung/[^/]+\.html$", r"/richtlinien/[^/]+\.pdf$"]
    pagination = [r"/programme/seite-\d+\.html$"]
    politeness = Politeness(concurrency=8, delay=0.0)
    allow_private_network = True
    max_pages = 100_000
    max_depth = 3

    def configure(self, base_url: str | None = None, **_) -> None:
        if not base_url:
            raise ValueError("needs base_url=... (start one with `foerderradar demo-site`)")
        base = base_url.rstrip("/") + "/"
        self.base_url = base
        self.feeds = [base + "feed.xml"]
        self.listings = [base + "programme/seite-1.html"]
        self.sitemaps = []


class DemoLandSource(Source):
    """The demo site's second portal (``/land/``): the same calls announced by a Land in its own
    words, so the warehouse shows one call with documents from two sources."""
    name = "demo_land"
    description = "The local demo site's second portal (Landesförderportal Südland)."
    options = {"base_url": "base URL of a running demo site, e.g. http://127.0.0.1:8765/"}
    follow = [r"/land/aufruf/[^/]+\.html$"]
    politeness = Politeness(concurrency=8, delay=0.0)
    allow_private_network = True
    max_pages = 100_000
    max_depth = 2

    def configure(self, base_url: str | None = None, **_) -> None:
        if not base_url:
            raise ValueError("needs base_url=... (start one with `foerderradar demo-site`)")
        base = base_url.rstrip("/") + "/"
        self.base_url = base
        self.listings = [base + "land/aufrufe.html"]
        self.feeds = []
        self.sitemaps = []
