"""The local demo site: realistic German funding announcements generated from the project's own
templates and word lists, served over HTTP on 127.0.0.1."""
from __future__ import annotations

from extractors.demo.server import serve_demo_site

__all__ = ["serve_demo_site"]
