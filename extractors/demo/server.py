"""The demo site's HTTP server: threaded, on 127.0.0.1, a random port by default.

Routes: ``/`` · ``/robots.txt`` (disallows ``/intern/``) · ``/sitemap.xml`` · ``/feed.xml`` (RSS
2.0, newest 20) · ``/programme/seite-N.html`` (paginated listing) · ``/foerderung/<slug>.html`` ·
``/richtlinien/<slug>.pdf`` (rendered with reportlab on first request) · ``/intern/...`` · and the
second portal (source ``demo_land``): ``/land/aufrufe.html`` · ``/land/aufruf/<slug>.html``.
Every response carries ETag and Last-Modified and answers conditional requests with 304; an
announcement gone on this night (see ``generator``) answers 410.

    with serve_demo_site(n_documents=40) as base_url:   # "http://127.0.0.1:PORT/"
        ...
    python -m extractors.demo --port 8765 --documents 200   # by hand, until Ctrl-C
"""
from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import html
import io
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from extractors.demo.generator import (PAGE_SIZE, Announcement, etag_of, generate, german_date,
                                       page)

GONE = object()            # DemoSite.resource(): the path was there and is gone (410)

FEED_ITEMS = 20


def render_pdf(a: Announcement) -> bytes:
    """A Förderrichtlinie as a real PDF (reportlab), text from the announcement."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(f"Richtlinie {a.programme}")
    width, height = A4
    y = height - 60

    def line(text: str, font: str = "Helvetica", size: int = 10, gap: int = 4):
        nonlocal y
        for part in simpleSplit(text, font, size, width - 120):
            if y < 60:
                c.showPage()
                y = height - 60
            c.setFont(font, size)
            c.drawString(60, y, part)
            y -= size + gap

    line(f"Richtlinie des {a.geber} zur Förderung im Programm „{a.programme}“", "Helvetica-Bold", 13)
    line(f"vom {german_date(a.published)}")
    y -= 8
    for n, (heading, sentences) in enumerate(a.sections, 1):
        line(f"{n}. {heading}", "Helvetica-Bold", 11)
        line(" ".join(sentences))
        y -= 6
    line(f"{len(a.sections) + 1}. Inkrafttreten", "Helvetica-Bold", 11)
    line(f"Diese Richtlinie tritt am {german_date(a.published)} in Kraft.")
    c.showPage()
    c.save()
    return buf.getvalue()


class DemoSite:
    """The content of the site (generated once) plus request counters."""

    def __init__(self, n_documents: int = 40, seed: int = 0, changed=(), night: int = 1):
        self.night = night
        self.announcements = generate(n_documents, seed, changed, night)
        self.by_path = {"/" + a.path: a for a in self.announcements}
        self.land = {"/" + a.land_path: a for a in self.announcements if a.on_land}
        self.pdfs = {"/" + a.pdf_path: a for a in self.announcements if a.pdf_path}
        self.cache: dict[str, tuple[bytes, str, str, str]] = {}
        self.lock = threading.Lock()
        self.requests = 0
        self.connections = 0           # TCP connections accepted (keep-alive serves many requests on one)
        self.not_modified = 0
        self.paths: list[str] = []
        self.base_url = ""

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.announcements) // PAGE_SIZE))

    def _http_date(self, d: dt.date) -> str:
        return email.utils.format_datetime(dt.datetime(d.year, d.month, d.day, 8, tzinfo=dt.timezone.utc),
                                           usegmt=True)

    def resource(self, path: str) -> tuple[bytes, str, str, str] | None:
        """(body, content type, ETag, Last-Modified) for a path, or None."""
        with self.lock:
            if path in self.cache:
                return self.cache[path]
        a = self.by_path.get(path) or self.land.get(path)
        if a is not None and a.gone:
            return GONE
        made = self._make(path)
        if made is None:
            return None
        body, ctype, modified = made
        entry = (body, ctype, etag_of(body), self._http_date(modified))
        with self.lock:
            self.cache[path] = entry
        return entry

    def _make(self, path: str):
        anns = self.announcements
        newest = max((a.published for a in anns), default=dt.date(2025, 1, 6))
        if path in self.by_path:
            a = self.by_path[path]
            return a.html().encode("utf-8"), "text/html; charset=utf-8", a.published
        if path in self.pdfs:
            a = self.pdfs[path]
            return render_pdf(a), "application/pdf", a.published
        if path in self.land:
            a = self.land[path]
            return a.land_html().encode("utf-8"), "text/html; charset=utf-8", a.published
        if path == "/land/aufrufe.html":
            rows = "".join(f'<li><a href="aufruf/{a.slug}.html">Landesaufruf {html.escape(a.programme)}</a></li>'
                           for a in self.land.values())
            body = page("Landesaufrufe", f"<h1>Aktuelle Landesaufrufe</h1><ul>{rows}</ul>",
                        portal="Landesförderportal Südland")
            return body.encode("utf-8"), "text/html; charset=utf-8", newest
        if path == "/robots.txt":
            body = (f"User-agent: *\nDisallow: /intern/\n\nSitemap: {self.base_url}sitemap.xml\n")
            return body.encode(), "text/plain; charset=utf-8", newest
        if path in ("/", "/index.html"):
            body = page("Förderportal Nordland", "<h1>Förderportal Nordland</h1><p>Aktuelle "
                        '<a href="programme/seite-1.html">Förderprogramme</a> und ein '
                        '<a href="feed.xml">RSS-Feed</a>.</p>')
            return body.encode("utf-8"), "text/html; charset=utf-8", newest
        if path == "/impressum.html":
            return page("Impressum", "<h1>Impressum</h1><p>Demo.</p>").encode(), "text/html; charset=utf-8", newest
        if path.startswith("/intern/"):
            return page("Intern", "<h1>Interner Bereich</h1>").encode(), "text/html; charset=utf-8", newest
        if path == "/feed.xml":
            items = []
            for a in sorted(anns, key=lambda a: a.published, reverse=True)[:FEED_ITEMS]:
                items.append(f"<item><title>{html.escape(a.title)}</title><link>{self.base_url}{a.path}</link>"
                             f"<guid>{self.base_url}{a.path}</guid><pubDate>{self._http_date(a.published)}</pubDate>"
                             "</item>")
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                    f"<title>Förderportal Nordland: neue Förderaufrufe</title><link>{self.base_url}</link>"
                    "<description>Demo</description>" + "".join(items) + "</channel></rss>")
            return body.encode("utf-8"), "application/rss+xml; charset=utf-8", newest
        if path == "/sitemap.xml":
            locs = "".join(f"<url><loc>{self.base_url}{a.path}</loc></url>" for a in anns)
            body = ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/'
                    f'schemas/sitemap/0.9">{locs}</urlset>')
            return body.encode("utf-8"), "application/xml", newest
        if path.startswith("/programme/seite-") and path.endswith(".html"):
            try:
                n = int(path[len("/programme/seite-"):-len(".html")])
            except ValueError:
                return None
            if not 1 <= n <= self.pages:
                return None
            chunk = anns[(n - 1) * PAGE_SIZE:n * PAGE_SIZE]
            rows = "".join(f'<li><a href="../{a.path}">{html.escape(a.title)}</a> '
                           f"<span>{german_date(a.published)}</span></li>" for a in chunk)
            nav = []
            if n > 1:
                nav.append(f'<a rel="prev" href="seite-{n - 1}.html">Zurück</a>')
            nav.append(f"Seite {n} von {self.pages}")
            if n < self.pages:
                nav.append(f'<a rel="next" href="seite-{n + 1}.html">Weiter</a>')
            body = page(f"Förderprogramme, Seite {n}",
                        f"<h1>Förderprogramme</h1><ul>{rows}</ul><nav class=\"pagination\">{' · '.join(nav)}</nav>")
            return body.encode("utf-8"), "text/html; charset=utf-8", chunk[-1].published if chunk else newest
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "foerderradar-demo/0.1"
    site: DemoSite

    def log_message(self, *args):  # quiet
        pass

    def setup(self):
        super().setup()
        # headers and body go out in two writes: without TCP_NODELAY (on by default in nginx and
        # Apache) Nagle holds the body until the client's delayed ACK, about 40 ms per request
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        site = self.server.site  # type: ignore[attr-defined]
        with site.lock:
            site.connections += 1

    def do_GET(self):
        self._serve(body=True)

    def do_HEAD(self):
        self._serve(body=False)

    def _serve(self, body: bool):
        site = self.server.site  # type: ignore[attr-defined]
        path = urlsplit(self.path).path
        with site.lock:
            site.requests += 1
            site.paths.append(path)
        res = site.resource(path)
        if res is None or res is GONE:
            data = page("Nicht gefunden", "<h1>Seite nicht gefunden</h1>").encode()
            self.send_response(404 if res is None else 410)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if body:
                self.wfile.write(data)
            return
        data, ctype, etag, modified = res
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        fresh = False
        if inm is not None:
            fresh = etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
        elif ims:
            try:
                fresh = email.utils.parsedate_to_datetime(ims) >= email.utils.parsedate_to_datetime(modified)
            except (TypeError, ValueError):
                fresh = False
        if fresh:
            with site.lock:
                site.not_modified += 1
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", modified)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", modified)
        self.end_headers()
        if body:
            self.wfile.write(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


@contextlib.contextmanager
def demo_site(n_documents: int = 40, host: str = "127.0.0.1", port: int = 0, seed: int = 0, changed=(),
              night: int = 1):
    """Like :func:`serve_demo_site` but yields the :class:`DemoSite` (``.base_url``, counters)."""
    site = DemoSite(n_documents, seed, changed, night)
    server = _Server((host, port), _Handler)
    server.site = site  # type: ignore[attr-defined]
    h, p = server.server_address[:2]
    site.base_url = f"http://{h}:{p}/"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="foerderradar-demo-site", daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def serve_demo_site(n_documents: int = 40, host: str = "127.0.0.1", port: int = 0, seed: int = 0,
                    changed=(), night: int = 1):
    """Serve the demo site in a background thread; yield its base URL (ending in "/")."""
    with demo_site(n_documents, host, port, seed, changed, night) as site:
        yield site.base_url


def main(argv: list[str] | None = None) -> int:
    import argparse
    import time

    ap = argparse.ArgumentParser(prog="python -m extractors.demo", description="Serve the demo site.")
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--documents", type=int, default=40)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    try:
        with serve_demo_site(args.documents, args.host, args.port, args.seed) as base:
            print(f"demo site with {args.documents} announcements at {base} (Ctrl-C to stop)")
            print(f"crawl it: foerderradar crawl demo --option demo.base_url={base}")
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        print(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}; choose another --port")
        return 1
