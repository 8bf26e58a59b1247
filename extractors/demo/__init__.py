"""The local demo site: realistic German funding announcements generated from the project's own
templates and word lists (``corpus/``), served over HTTP on 127.0.0.1 with a feed, a paginated
listing, a sitemap, robots.txt, HTML announcements and PDF Förderrichtlinien."""
from __future__ import annotations

from extractors.demo.server import DemoSite, demo_site, serve_demo_site

__all__ = ["serve_demo_site", "demo_site", "DemoSite"]
