"""Fetching, the one place that speaks HTTP (aiohttp, asyncio).

Every source gets the same treatment: only http(s); only the source's allowed hosts (and ports);
never a private, loopback or link-local address unless the source sets ``allow_private_network``
(the local demo does; any source may with the option ``allow_private_network=true``); each host is
resolved once per run, checked, and every connection goes to that checked address (no DNS
rebinding: the host's connection pool asks a resolver that knows only that address, while the URL
keeps the name for the Host header, SNI and the certificate check); robots.txt (protego, cached per
host, up to five redirects followed as RFC 9309 asks; a disallow is a recorded failure); per-host
concurrency and delay, one keep-alive connection pool per host; retries with exponential backoff
and jitter on timeouts, connection errors, 429 and 5xx (a Retry-After up to ``retry_after_cap`` is
honoured; a longer one stops asking that host for the rest of the run); conditional requests (ETag
/ Last-Modified); a size cap on the unpacked body (gzip and deflate are asked for; the body is
streamed and cut) and a time cap per document that starts with its first request (not while it
waits for the host's slot); redirects followed by hand (each hop checked; loops, long chains and
``Location`` headers that are not plain http(s) URLs refused with the reason); content-type
sniffing (a "PDF" link that returns HTML is kept as HTML and noted); a user agent with a contact
address. Charset detection is left to parse. The limits' defaults live in
:mod:`extractors.settings`.

Nothing here raises for an expected failure: :class:`FetchResult.error` says what went wrong.
"""
from __future__ import annotations

import asyncio
import contextvars
import email.utils
import functools
import ipaddress
import random
import re
import socket
import ssl
import time
from dataclasses import dataclass, field, replace
from typing import Callable
from urllib.parse import urljoin, urlsplit

import aiohttp
import certifi
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.http_exceptions import ContentEncodingError
from yarl import URL

from extractors import settings as _settings

REDIRECT_CODES = (301, 302, 303, 307, 308)
RETRY_CODES = frozenset({429, 500, 502, 503, 504, 520, 521, 522, 523, 524})
ROBOTS_MAX_BYTES = 512 * 1024            # RFC 9309 asks crawlers to read at least 500 KiB
ROBOTS_MAX_REDIRECTS = 5                 # RFC 9309: follow at least five; more: "unavailable"
MB = 1024 * 1024
DRAIN_MAX_BYTES = 64 * 1024              # an unwanted body read to keep its connection alive
READ_CHUNK = 64 * 1024
MAX_HEADER_LINE = 32 * 1024              # aiohttp's default 8 KiB is too tight for some real servers' cookies
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# the running fetch's time cap (an asyncio.Timeout, started by the fetch's first request)
_TIME_CAP: contextvars.ContextVar = contextvars.ContextVar("foerderradar_fetch_time_cap", default=None)


@dataclass(frozen=True)
class FetchSettings:
    """Timing and limits of fetching. ``FetchSettings.for_tests()`` makes every wait tiny."""
    connect_timeout: float = _settings.FETCH_CONNECT_TIMEOUT
    read_timeout: float = _settings.FETCH_READ_TIMEOUT
    time_cap: float = _settings.FETCH_TIME_CAP      # per document from its first request: hops, retries, waits
    max_bytes: int = _settings.FETCH_MAX_BYTES
    max_archive_bytes: int = _settings.FETCH_MAX_ARCHIVE_BYTES   # export archives, and all their members unpacked
    max_zip_ratio: float = _settings.FETCH_MAX_ZIP_RATIO          # a member inflating more is a zip bomb
    max_redirects: int = _settings.FETCH_MAX_REDIRECTS
    retries: int = _settings.FETCH_RETRIES                        # attempts after the first
    backoff_base: float = 1.0               # 1 s, 2 s, 4 s ... plus jitter up to backoff_base
    backoff_max: float = 60.0
    retry_after_cap: float = _settings.FETCH_RETRY_AFTER_CAP      # a longer Retry-After stops the host for the run
    user_agent: str = field(default_factory=_settings.user_agent)
    respect_robots: bool = True
    robots_delay_cap: float = _settings.FETCH_ROBOTS_DELAY_CAP    # a robots.txt Crawl-delay above this is capped
    concurrency: int | None = None          # override a source's per-host concurrency
    delay: float | None = None              # override a source's per-host delay
    state_path: str | None = None           # conditional-request state; default under settings.home()
    seed: int | None = None                 # jitter seed (tests)

    @classmethod
    def for_tests(cls, **kw) -> "FetchSettings":
        base = dict(connect_timeout=2.0, read_timeout=2.0, time_cap=10.0, retries=3,
                    backoff_base=0.01, backoff_max=0.05, retry_after_cap=0.2, delay=0.0, seed=0)
        base.update(kw)
        return cls(**base)

    def with_(self, **kw) -> "FetchSettings":
        return replace(self, **kw)


@dataclass
class FetchResult:
    url: str
    final_url: str
    status: int = 0
    headers: dict = field(default_factory=dict)
    data: bytes | None = None
    content_type: str | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    not_modified: bool = False
    requests: int = 0                       # HTTP requests made for this URL (hops, retries)
    conditional: bool = False               # sent If-None-Match / If-Modified-Since

    @property
    def ok(self) -> bool:
        return self.error is None and not self.not_modified and self.data is not None


class FetchError(Exception):
    """Internal: a final failure for one URL (message is the recorded reason)."""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date; None if absent
    or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def mib(n: int) -> str:
    """A size limit for messages: "50 MiB" (exact), else bytes."""
    return f"{n // MB} MiB" if n % MB == 0 else f"{n:,} bytes"


def backoff_delay(attempt: int, s: FetchSettings, rng: random.Random) -> float:
    """Exponential backoff with full jitter on top: base*2^attempt + U(0, base), capped."""
    return min(s.backoff_max, s.backoff_base * (2 ** attempt) + rng.uniform(0, s.backoff_base))


def sniff_type(data: bytes) -> str | None:
    """MIME type from the bytes themselves, or None when they say nothing clear."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "application/zip"
    low = head.lower()
    if low.startswith(b"<!doctype html") or b"<html" in low[:512]:
        return "text/html"
    if low.startswith(b"<?xml") or low.startswith(b"<rss") or low.startswith(b"<feed") or low.startswith(b"<urlset"):
        return "application/xml"
    if low.startswith(b"{") or low.startswith(b"["):
        return None
    return None


_KIND = {"application/pdf": "pdf", "text/html": "html", "application/xhtml+xml": "html",
         "application/zip": "zip", "application/xml": "xml", "text/xml": "xml",
         "application/rss+xml": "xml", "application/atom+xml": "xml", "text/plain": "text"}


def _kind(ct: str | None) -> str | None:
    return _KIND.get((ct or "").split(";")[0].strip().lower())


def is_public_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """May a crawler for the open web contact this address (not private, loopback, ...)?"""
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
                or ip.is_multicast or ip.is_unspecified)


def resolve_host(host: str, allow_private: bool) -> tuple[str | None, str | None]:
    """``(address, None)``: the address to connect to, checked; or ``(None, reason)``.

    Every address the name resolves to must be public (unless ``allow_private``); the first IPv4
    address is used (else the first one), so a name that resolves differently later (DNS
    rebinding) cannot send the connection elsewhere."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        return None, f"cannot resolve host {host}: {exc}"
    addresses = list(dict.fromkeys(info[4][0].split("%")[0] for info in infos))
    if not addresses:
        return None, f"cannot resolve host {host}: no address"
    if not allow_private:
        for a in addresses:
            if not is_public_address(ipaddress.ip_address(a)):
                return None, (f"refusing {host}: it resolves to the private or loopback address {a} "
                              f"(a source on your own network needs the option allow_private_network=true)")
    return next((a for a in addresses if ":" not in a), addresses[0]), None


def location_refusal(location: str) -> str | None:
    """Why a redirect's ``Location`` must not be followed, or None (a plain http(s) URL,
    absolute or relative)."""
    shown = location if len(location) <= 200 else location[:200] + "..."
    if "\\" in location:
        return (f"redirect to {shown!r} refused: a backslash in Location (browsers read it as a "
                f"slash, so where it leads is ambiguous)")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in location.strip()):
        return f"redirect to {shown!r} refused: control characters or spaces in Location"
    try:
        scheme = urlsplit(location).scheme.lower()
        if scheme and scheme not in ("http", "https"):
            return f"redirect to a {scheme}: URL refused (only http and https are followed)"
        URL(location)
    except ValueError as exc:
        return f"redirect to {shown!r} refused: not a valid URL ({exc})"
    return None


class _HostGate:
    """Per-host concurrency (semaphore) and spacing between request starts (delay)."""

    def __init__(self, concurrency: int, delay: float):
        self.sem = asyncio.Semaphore(max(1, concurrency))
        self.delay = max(0.0, delay)
        self.next_start = 0.0
        self.lock = asyncio.Lock()

    async def __aenter__(self):
        await self.sem.acquire()
        if self.delay:
            async with self.lock:
                now = time.monotonic()
                start = max(now, self.next_start)
                self.next_start = start + self.delay
            if start > now:
                await asyncio.sleep(start - now)
        return self

    async def __aexit__(self, *exc):
        self.sem.release()


class _PinnedResolver(AbstractResolver):
    """The name lookup of one host's connection pool: always the address checked for that host
    (:func:`resolve_host`), so no later DNS answer can send a connection elsewhere. The URL keeps
    the name, so the Host header, SNI and the certificate check are for the name."""

    def __init__(self, address: str):
        self.address = address
        self.family = socket.AF_INET6 if ":" in address else socket.AF_INET

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_UNSPEC) -> list[ResolveResult]:
        return [ResolveResult(hostname=host, host=self.address, port=port, family=self.family,
                              proto=socket.IPPROTO_TCP, flags=socket.AI_NUMERICHOST | socket.AI_NUMERICSERV)]

    async def close(self) -> None:
        pass


@functools.lru_cache(maxsize=2)
def _tls_context(ca_file: str) -> ssl.SSLContext:
    """Certificate checks against certifi's CA bundle (the same on every machine), loaded once."""
    return ssl.create_default_context(cafile=ca_file)


async def _drain(response: aiohttp.ClientResponse) -> None:
    """Read the rest of an answer whose body is not wanted (304, a redirect, a retry), up to
    ``DRAIN_MAX_BYTES``: only a connection whose answer has arrived to its end goes back to the
    pool for the next request (keep-alive); a longer or broken body just closes it."""
    read = 0
    try:
        async for chunk in response.content.iter_chunked(READ_CHUNK):
            read += len(chunk)
            if read > DRAIN_MAX_BYTES:
                return
    except (aiohttp.ClientError, TimeoutError):
        pass


def _headers(response: aiohttp.ClientResponse) -> dict[str, str]:
    """Response headers by lower-case name; a repeated header's values joined with ", "."""
    out: dict[str, str] = {}
    for name, value in response.headers.items():
        if not value.isascii():
            value = _header_text(value)
        name = name.lower()
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _header_text(value: str) -> str:
    """A header value as UTF-8 text, else as Latin-1 (aiohttp keeps bytes that are not UTF-8 as
    surrogates, which no file or JSON record accepts)."""
    raw = value.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _connection_failure(exc: aiohttp.ClientError) -> str:
    """The recorded reason for an aiohttp error while talking to the host (the attempt may be
    retried)."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect: {exc.os_error}" if str(exc.os_error) else "cannot connect"
    if isinstance(exc, aiohttp.ClientResponseError):      # a status line or header aiohttp cannot read
        return f"the server's answer is not valid HTTP ({exc.message})"
    return f"connection reset or closed by the server ({type(exc).__name__})"


def _human_seconds(seconds: float) -> str:
    if seconds >= 5400:
        return f"{seconds / 3600:.0f} h"
    if seconds >= 90:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


class Fetcher:
    """Fetches URLs for one source. Use inside a running event loop::

        async with Fetcher(s, host_allowed=src.host_allowed, allow_private=False,
                           concurrency=1, delay=1.0) as f:
            result = await f.fetch(url)

    ``notes`` collects what the run should tell its user (a host left alone, robots.txt
    redirects given up).
    """

    def __init__(self, s: FetchSettings | None = None, *, host_allowed: Callable[[str], bool] | None = None,
                 allow_private: bool = False, concurrency: int = 1, delay: float = 1.0,
                 respect_robots: bool = True):
        self.s = s or FetchSettings()
        self.host_allowed = host_allowed or (lambda url: True)
        self.allow_private = allow_private
        self.concurrency = self.s.concurrency or concurrency
        self.delay = self.s.delay if self.s.delay is not None else delay
        self.respect_robots = respect_robots and self.s.respect_robots
        self.rng = random.Random(self.s.seed)
        self.requests = 0
        self.conditional_requests = 0
        self.waits: list[float] = []            # every backoff/Retry-After wait, for reports and tests
        self.notes: list[str] = []
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, object] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._addr: dict[str, tuple[str | None, str | None]] = {}
        self._stopped: dict[str, str] = {}      # host -> why it is not asked again this run
        # one session (connection pool) per host: a pooled connection was opened, and its TLS
        # certificate checked, for exactly one host name at its pinned address
        self._clients: dict[str, aiohttp.ClientSession] = {}

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        await self.aclose()

    async def aclose(self):
        for client in self._clients.values():
            await client.close()

    def _client(self, host: str, address: str) -> aiohttp.ClientSession:
        client = self._clients.get(host)
        if client is None:
            client = self._clients[host] = aiohttp.ClientSession(
                # the host's gate lets `concurrency` requests in at once: as many connections,
                # each kept alive for the next request
                connector=aiohttp.TCPConnector(limit=self.concurrency, resolver=_PinnedResolver(address),
                                               use_dns_cache=False, ssl=_tls_context(certifi.where())),
                headers={"User-Agent": self.s.user_agent, "Accept-Encoding": "gzip, deflate"},
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.s.connect_timeout,
                                              sock_read=self.s.read_timeout),
                trust_env=False, max_line_size=MAX_HEADER_LINE, max_field_size=MAX_HEADER_LINE,
            )
        return client

    # -- gates ----------------------------------------------------------------------------
    def _gate(self, host: str) -> _HostGate:
        g = self._gates.get(host)
        if g is None:
            g = self._gates[host] = _HostGate(self.concurrency, self.delay)
        return g

    async def _address(self, host: str) -> str:
        """The checked address of ``host`` (resolved once per run), or FetchError."""
        if host not in self._addr:
            loop = asyncio.get_running_loop()
            self._addr[host] = await loop.run_in_executor(None, resolve_host, host, self.allow_private)
        address, refusal = self._addr[host]
        if refusal:
            raise FetchError(refusal)
        return address

    def _check_url(self, url: str) -> str:
        bad = _CONTROL.search(url)
        if bad:
            raise FetchError(f"not a valid URL (Invalid non-printable ASCII character in URL, "
                             f"{bad.group()!r} at position {bad.start()})")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise FetchError(f"not a valid URL ({exc})") from None
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"scheme {parts.scheme or '(none)'}: is not allowed (only http and https)")
        host = (parts.hostname or "").lower()
        if not host:
            raise FetchError("URL has no host")
        if not self.host_allowed(url):
            where = host if port is None else f"{host}:{port}"
            raise FetchError(f"host {where} is not among the source's allowed hosts")
        return host

    def _stop_host(self, host: str, status: int, retry_after: str, seconds: float) -> FetchError:
        reason = (f"{host} asked to wait {_human_seconds(seconds)} (HTTP {status}, Retry-After "
                  f"{retry_after}), longer than retry_after_cap={self.s.retry_after_cap:g} s; "
                  f"not asking it again this run")
        if host not in self._stopped:
            self._stopped[host] = reason
            self.notes.append(reason)
        return FetchError(reason)

    # -- robots.txt -----------------------------------------------------------------------
    async def _robots_for(self, url: str):
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin in self._robots:
            return self._robots[origin]
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            if origin in self._robots:
                return self._robots[origin]
            rules = await self._read_robots(origin, parts.netloc)
            self._robots[origin] = rules
            if hasattr(rules, "crawl_delay"):
                cd = rules.crawl_delay(self.s.user_agent)
                if cd:
                    gate = self._gate(parts.hostname.lower())
                    gate.delay = max(gate.delay, min(float(cd), self.s.robots_delay_cap))
            return rules

    async def _read_robots(self, origin: str, netloc: str):
        """Protego rules, None (no robots.txt: all allowed) or a string (why not to crawl).
        Redirects are followed up to five times, to any public http(s) host (RFC 9309 2.3.1.2);
        after more the file counts as unavailable, which allows everything."""
        from protego import Protego

        url = origin + "/robots.txt"
        try:
            for _ in range(ROBOTS_MAX_REDIRECTS + 1):
                res = await self._attempts(url, {}, ROBOTS_MAX_BYTES, retries=1, truncate=True)
                if res.status not in REDIRECT_CODES:
                    break
                url = urljoin(url, res.headers.get("location") or "")
                if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
                    return f"robots.txt redirects to {url!r}, not an http(s) URL; not crawling {netloc}"
            else:
                self.notes.append(f"robots.txt of {netloc} redirects more than {ROBOTS_MAX_REDIRECTS} "
                                  f"times; treated as absent (RFC 9309), so everything is allowed")
                return None
        except FetchError as exc:
            return f"robots.txt unreachable ({exc}); not crawling {netloc}"
        if res.status == 200:
            return Protego.parse((res.data or b"").decode("utf-8", "replace"))
        if 400 <= res.status < 500:
            return None                                   # no robots.txt: all allowed
        return f"robots.txt unreachable (HTTP {res.status}); not crawling {netloc}"

    async def _robots_ok(self, url: str) -> None:
        if not self.respect_robots:
            return
        rules = await self._robots_for(url)
        if isinstance(rules, str):
            raise FetchError(rules)
        if rules is not None and not rules.can_fetch(url, self.s.user_agent):
            raise FetchError("robots.txt disallows")

    # -- one request, with retries ----------------------------------------------------------
    async def _once(self, url: str, headers: dict, max_bytes: int, truncate: bool) -> FetchResult:
        try:
            target = URL(url)
        except ValueError as exc:
            raise FetchError(f"not a valid URL ({exc})") from None
        host = target.host                    # lower case, international names decoded
        address = await self._address(host)
        async with self._gate(host):
            if host in self._stopped:
                raise FetchError(self._stopped[host])
            cap = _TIME_CAP.get()
            if cap is not None and cap.when() is None:      # the time cap starts with the first request
                cap.reschedule(asyncio.get_running_loop().time() + self.s.time_cap)
            self.requests += 1
            if "If-None-Match" in headers or "If-Modified-Since" in headers:
                self.conditional_requests += 1
            async with self._client(host, address).get(target, headers=headers, allow_redirects=False) as resp:
                res = FetchResult(url=url, final_url=url, status=resp.status, headers=_headers(resp), requests=1)
                if resp.status in REDIRECT_CODES:
                    why = location_refusal(res.headers.get("location") or "")
                    if why:
                        raise FetchError(why)
                if resp.status in REDIRECT_CODES or resp.status == 304 or resp.status in RETRY_CODES:
                    await _drain(resp)
                    return res
                length = resp.headers.get("content-length")
                if length and length.isdigit() and int(length) > max_bytes and not truncate:
                    raise FetchError(f"larger than the {mib(max_bytes)} limit (Content-Length {int(length):,} bytes)")
                buf = bytearray()
                async for chunk in resp.content.iter_chunked(READ_CHUNK):   # decompressed
                    buf += chunk
                    if len(buf) > max_bytes:
                        if truncate:
                            del buf[max_bytes:]
                            break
                        raise FetchError(f"larger than the {mib(max_bytes)} limit; cut off")
                res.data = bytes(buf)
                return res

    async def _attempts(self, url: str, headers: dict, max_bytes: int, retries: int | None = None,
                        truncate: bool = False) -> FetchResult:
        retries = self.s.retries if retries is None else retries
        last = ""
        made = 0
        for attempt in range(retries + 1):
            wait = None
            try:
                made += 1
                res = await self._once(url, headers, max_bytes, truncate)
                if res.status not in RETRY_CODES:
                    res.requests = made
                    return res
                last = f"HTTP {res.status}"
                if res.status in (429, 503):
                    ra = parse_retry_after(res.headers.get("retry-after"))
                    if ra is not None and ra > self.s.retry_after_cap:
                        raise self._stop_host(urlsplit(url).hostname.lower(), res.status,
                                              res.headers.get("retry-after"), ra)
                    if ra is not None:
                        wait = ra
                        last += f" (Retry-After {res.headers.get('retry-after')})"
            except TimeoutError:              # aiohttp's connect and read timeouts (the time cap
                last = "timed out"              # cancels instead, and ends the fetch)
            except aiohttp.ClientPayloadError as exc:
                if isinstance(exc.__cause__, ContentEncodingError):
                    raise FetchError(f"cannot decode the response body: {exc}") from None
                last = _connection_failure(exc)
            except (aiohttp.ClientConnectionError, aiohttp.ClientResponseError) as exc:
                last = _connection_failure(exc)
            if attempt == retries:
                break
            if wait is None:
                wait = backoff_delay(attempt, self.s, self.rng)
            self.waits.append(wait)
            await asyncio.sleep(wait)
        raise FetchError(f"{last}; gave up after {made} attempts")

    # -- the public call ------------------------------------------------------------------
    async def fetch(self, url: str, *, expect: str | None = None, etag: str | None = None,
                    last_modified: str | None = None, max_bytes: int | None = None) -> FetchResult:
        """Fetch one URL following redirects; never raises for expected failures. The time cap
        runs from the first request on, so waiting for the host's slot does not count."""
        before = self.requests
        try:
            async with asyncio.timeout(None) as cap:
                token = _TIME_CAP.set(cap)
                try:
                    res = await self._fetch(url, expect, etag, last_modified, max_bytes or self.s.max_bytes)
                finally:
                    _TIME_CAP.reset(token)
        except FetchError as exc:
            res = FetchResult(url=url, final_url=url, error=str(exc))
        except aiohttp.InvalidURL as exc:
            res = FetchResult(url=url, final_url=url, error=f"not a valid URL ({exc})")
        except TimeoutError:
            res = FetchResult(url=url, final_url=url,
                              error=f"took longer than the time cap of {self.s.time_cap:g} s")
        except aiohttp.ClientError as exc:      # anything aiohttp raises that we did not foresee
            res = FetchResult(url=url, final_url=url, error=f"{type(exc).__name__}: {exc}")
        res.requests = self.requests - before
        return res

    async def _fetch(self, url, expect, etag, last_modified, max_bytes) -> FetchResult:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = set()
        current = url
        for hop in range(self.s.max_redirects + 1):
            if current in seen:
                raise FetchError(f"redirect loop at {current}")
            seen.add(current)
            self._check_url(current)
            await self._robots_ok(current)
            res = await self._attempts(current, headers if hop == 0 else {}, max_bytes)
            if res.status in REDIRECT_CODES:
                loc = res.headers.get("location")
                if not loc:
                    raise FetchError(f"HTTP {res.status} without a Location header")
                current = urljoin(current, loc)
                continue
            res.url = url
            res.final_url = current
            res.conditional = bool(headers) and hop == 0
            if res.status == 304:
                res.not_modified = True
                res.data = None
                return res
            if res.status >= 400:
                raise FetchError(f"HTTP {res.status}")
            self._sniff(res, expect)
            return res
        raise FetchError(f"more than {self.s.max_redirects} redirects")

    @staticmethod
    def _sniff(res: FetchResult, expect: str | None) -> None:
        declared = res.headers.get("content-type")
        sniffed = sniff_type(res.data or b"")
        ct = declared
        if sniffed and _kind(sniffed) != _kind(declared):
            if declared:
                res.notes.append(f"server said {declared.split(';')[0]}, content is {sniffed}")
            ct = sniffed
        if expect == "pdf" and _kind(ct) != "pdf":
            res.notes.append(f"link promised a PDF, the server sent {_kind(ct) or ct or 'unknown content'}; stored as such")
        res.content_type = ct
