"""What a source is: a declaration of what to fetch and how to find documents.

A source never does HTTP, retries, sleeps or database writes; :mod:`extractors.crawl` and
:mod:`extractors.fetch` do that for every source alike. A source may override

* :meth:`Source.discover` to find further URLs in a fetched feed, sitemap, listing or page
  (pure parsing of bytes), and
* :meth:`Source.documents` to turn raw bytes into :class:`models.Document` records (default: the
  generic parser ``extractors.parse.parse_bytes``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterable
from urllib.parse import urldefrag, urljoin, urlsplit

from models.records import Document

if TYPE_CHECKING:
    from extractors.rawstore import RawRecord

# Roles of a fetched URL: what the crawler does with it.
DOCUMENT, FEED, SITEMAP, LISTING, EXPORT = "document", "feed", "sitemap", "listing", "export"
RELATED = "related"
ROLES = (DOCUMENT, FEED, SITEMAP, LISTING, EXPORT, RELATED)

DEFAULT_PORTS = {"http": 80, "https": 443}

# Words that mark a link to a funding announcement (generic link rule; umlauts and their ASCII
# transliterations both appear in URLs).
ANNOUNCEMENT_WORDS = ("foerder", "förder", "forder", "aufruf", "richtlinie", "bekanntmachung",
                      "programm", "ausschreibung", "wettbewerb", "zuschuss", "zuwendung")


@dataclass(frozen=True)
class Politeness:
    """Per-host limits the fetcher enforces for a source."""
    concurrency: int = 1          # requests in flight per host
    delay: float = 1.0            # seconds between the starts of two requests to one host
    respect_robots: bool = True


@dataclass(frozen=True)
class Request:
    """A URL the crawler should fetch, with its role and how it was found."""
    url: str
    role: str = DOCUMENT
    depth: int = 0
    expect: str | None = None     # "pdf" when the link promised a PDF
    referrer: str | None = None


@dataclass
class Discovery:
    """What a source found in one fetched resource."""
    requests: list[Request] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Source:
    """Base class of all sources. Subclasses set class attributes; options come as kwargs."""

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    # the Land it publishes for ("Brandenburg" or "12"; the option land=... overrides it); None:
    # federal, EU or mixed. An instance holds its 2-digit code, which its documents carry.
    land: str | None = None
    start_urls: list[str] = []        # pages that are documents themselves or link to them
    feeds: list[str] = []             # RSS / Atom
    sitemaps: list[str] = []
    listings: list[str] = []          # listing pages with pagination
    exports: list[str] = []           # export archives (zip)
    allowed_hosts: list[str] = []     # empty: the hosts (with ports) of the URLs above; see host_allowed
    follow: list[str] = []            # regexes: links (absolute URLs) to documents
    deny: list[str] = []              # regexes: never fetch these
    pagination: list[str] = []        # regexes: links on a listing page to its next pages
    export_members: list[str] = [r"\.xml$"]   # regexes: archive members that are documents
    politeness: Politeness = Politeness()
    max_pages: int = 1000             # requests per run, all roles together
    max_depth: int = 2                # link hops from a start URL / feed / listing
    # contact private and loopback addresses (the demo; a source on your own network with the
    # option allow_private_network=true); otherwise they are refused
    allow_private_network: bool = False
    store = None                      # the RawStore of the current crawl (set by crawl_source)
    options: ClassVar[dict[str, str]] = {}   # option name -> help text (for `crawl --option`)

    def __init__(self, **options):
        unknown = set(options) - set(self.options) - set(COMMON_OPTIONS)
        if unknown:
            known = ", ".join(sorted(set(self.options) | set(COMMON_OPTIONS)))
            raise ValueError(f"source {self.name!r} has no option {', '.join(sorted(unknown))}; "
                             f"options: {known}")
        self.settings = dict(options)
        for key in ("start_urls", "feeds", "sitemaps", "listings", "exports", "follow", "deny",
                    "pagination", "export_members"):
            setattr(self, key, list(getattr(type(self), key)))
        self._common_options(options)
        self.configure(**{k: v for k, v in options.items() if k in self.options})
        if not self.allowed_hosts:
            self.allowed_hosts = sorted({_host_entry(u) for u in self.seed_urls()} - {""})
        self._hosts = [_host_rule(h) for h in self.allowed_hosts]
        self._follow = [re.compile(p, re.I) for p in self.follow]
        self._deny = [re.compile(p, re.I) for p in self.deny]
        self._pagination = [re.compile(p, re.I) for p in self.pagination]
        self._members = [re.compile(p, re.I) for p in self.export_members]

    def _common_options(self, options: dict) -> None:
        """The options every source takes (``COMMON_OPTIONS``), over the class's defaults."""
        hosts = options.get("allowed_hosts")
        if isinstance(hosts, str):
            hosts = [h.strip() for h in hosts.split(",") if h.strip()]
        self.allowed_hosts = [h.lower() for h in (hosts or type(self).allowed_hosts)]
        if "max_pages" in options:
            self.max_pages = int(options["max_pages"])
        if "max_depth" in options:
            self.max_depth = int(options["max_depth"])
        if "allow_private_network" in options:
            value = str(options["allow_private_network"]).strip().lower()
            if value not in ("1", "true", "yes", "0", "false", "no"):
                raise ValueError(f"allow_private_network={options['allow_private_network']!r}: write true or false")
            self.allow_private_network = value in ("1", "true", "yes")
        self.land = source_land(options["land"] if "land" in options else type(self).land)
        pol = type(self).politeness
        if "concurrency" in options or "delay" in options:
            pol = Politeness(concurrency=int(options.get("concurrency", pol.concurrency)),
                             delay=float(options.get("delay", pol.delay)),
                             respect_robots=pol.respect_robots)
        self.politeness = pol

    def configure(self, **options) -> None:
        """Hook for a source's own options (set start URLs from a base URL, say)."""

    # -- what to fetch -----------------------------------------------------------------------
    def seed_urls(self) -> list[str]:
        return [*self.start_urls, *self.feeds, *self.sitemaps, *self.listings, *self.exports]

    def seeds(self) -> list[Request]:
        return ([Request(u, DOCUMENT, 0, _expect(u)) for u in self.start_urls]
                + [Request(u, FEED) for u in self.feeds]
                + [Request(u, SITEMAP) for u in self.sitemaps]
                + [Request(u, LISTING) for u in self.listings]
                + [Request(u, EXPORT) for u in self.exports])

    def host_allowed(self, url: str) -> bool:
        """Is the URL's host (and port) among ``allowed_hosts``? An entry ``www.land.de`` admits
        that host on the default ports (80, 443), ``www.land.de:8080`` only that port, and
        ``*.land.de`` every subdomain of land.de (on the default ports, or the port given)."""
        try:
            parts = urlsplit(url)
            port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
        except ValueError:
            return False
        host = (parts.hostname or "").lower()
        return any((host == h or (sub and host.endswith("." + h)))
                   and (port == p if p else port in DEFAULT_PORTS.values())
                   for h, sub, p in self._hosts)

    def denied(self, url: str) -> bool:
        return any(p.search(url) for p in self._deny)

    def wants(self, url: str) -> bool:
        """Link rule: is this URL a document of this source?"""
        if self.denied(url) or not self.host_allowed(url):
            return False
        return any(p.search(url) for p in self._follow)

    def is_pagination(self, url: str) -> bool:
        return not self.denied(url) and self.host_allowed(url) and any(p.search(url) for p in self._pagination)

    def wants_member(self, name: str) -> bool:
        return any(p.search(name) for p in self._members)

    def member_role(self, name: str) -> str:
        """Role of a wanted archive member: DOCUMENT, or RELATED for a document other documents
        refer to (stored and readable, but not itself a document of the run)."""
        return DOCUMENT

    # -- finding more URLs -------------------------------------------------------------------
    def discover(self, record: "RawRecord", data: bytes, request: Request) -> Discovery:
        """Further URLs in a fetched resource (pure parsing). Default: feeds, sitemaps, links."""
        from extractors.sources import links as L

        found = Discovery()
        base = record.final_url or record.url
        if request.role in (FEED, SITEMAP):
            try:
                urls = L.feed_links(data) if request.role == FEED else L.sitemap_links(data)
            except L.FeedError as exc:
                found.errors.append(str(exc))
                return found
            for u in urls:
                u = _clean(urljoin(base, u))
                if u and not self.denied(u) and self.host_allowed(u):
                    found.requests.append(Request(u, SITEMAP if request.role == SITEMAP and u.endswith(".xml")
                                                  and "sitemap" in u.lower() else DOCUMENT,
                                                  request.depth + 1, _expect(u), base))
            return found
        if not L.looks_like_html(data, record.content_type):
            return found
        declared = L.html_base(data)
        if declared:
            base = urljoin(base, declared)
        for href in L.html_links(data):
            u = _clean(urljoin(base, href))
            if not u:
                continue
            if request.role == LISTING and self.is_pagination(u):
                found.requests.append(Request(u, LISTING, request.depth, None, base))
            elif self.wants(u):
                found.requests.append(Request(u, DOCUMENT, request.depth + 1, _expect(u), base))
        return found

    # -- turning bytes into documents ------------------------------------------------------
    def read(self, record: "RawRecord", data: bytes) -> list[Document]:
        """:meth:`documents`, each carrying the source's Land (``land``) unless its parser found
        the document's own (a Förderdatenbank Fördergebiet naming one Land): what the ingest
        flow's parse step calls."""
        docs = list(self.documents(record, data))
        code = source_land(self.land)
        for doc in docs:
            if doc.land is None:
                doc.land = code
        return docs

    def documents(self, record: "RawRecord", data: bytes) -> list[Document]:
        """Parse one stored resource into documents. Default: the generic parser."""
        from extractors.parse import ParseError, parse_bytes

        try:
            doc = parse_bytes(data, record.final_url or record.url, record.content_type)
        except ParseError as exc:
            return [Document(source=record.url, kind="txt", text="", errors=[str(exc)], sha256=record.sha256)]
        doc.source = record.url
        return [doc]

    def __repr__(self) -> str:
        return f"<Source {self.name} hosts={self.allowed_hosts}>"


# options every source takes besides its own (`crawl --option key=value`)
COMMON_OPTIONS = {
    "allowed_hosts": "comma-separated hosts the crawler may contact (host, host:port, *.domain)",
    "max_pages": "requests per run, all roles together",
    "max_depth": "link hops from a start URL, feed or listing",
    "concurrency": "requests in flight per host",
    "delay": "seconds between the starts of two requests to one host",
    "allow_private_network": "true: also contact private and loopback addresses (own network, tests)",
    "land": "the Land the source publishes for (Brandenburg, NRW or 12): resolves place names several "
            "Länder share; empty: none",
}


def source_land(value) -> str | None:
    """The 2-digit code of a source's ``land`` (a Land's name, abbreviation or key; an int from
    the command line's ``-o web.land=12``); None for None or an empty value. Anything else is a
    ValueError that lists what to write."""
    from extractors.fields.laender import land_code, land_forms

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = f"{value:02d}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
    code = land_code(text)
    if code is None:
        raise ValueError(f"land={value!r} is no Land: write {land_forms()}, or leave it empty for none")
    return code


def _host_entry(url: str) -> str:
    """The allowed-hosts entry of a URL: its host, with the port when it is not the default."""
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError as exc:
        raise ValueError(f"{url!r} is not a valid URL ({exc})") from None
    if not host:
        return ""
    host = f"[{host}]" if ":" in host else host
    return host if port in (None, DEFAULT_PORTS.get(parts.scheme.lower())) else f"{host}:{port}"


def _host_rule(entry: str) -> tuple[str, bool, int | None]:
    """(host, subdomains too, port or None) of one allowed-hosts entry."""
    text = entry.strip().lower()
    sub = text.startswith("*.")
    try:
        parts = urlsplit("//" + (text[2:] if sub else text))
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or parts.path or parts.query or parts.username:
        raise ValueError(f"allowed_hosts entry {entry!r} is not a host name "
                         f"(write www.land.de, www.land.de:8080 or *.land.de)")
    return host, sub, port


def _clean(url: str) -> str | None:
    url, _ = urldefrag(url.strip())
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return url


def _expect(url: str) -> str | None:
    return "pdf" if urlsplit(url).path.lower().endswith(".pdf") else None


def iter_unique(items: Iterable[str]) -> list[str]:
    seen, out = set(), []
    for i in items:
        if i not in seen:
            seen.add(i)
            out.append(i)
    return out
