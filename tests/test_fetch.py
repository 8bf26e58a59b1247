"""Fetching against real HTTP servers on 127.0.0.1: every fault is recorded per URL with a
reason, and one failing URL never stops the others."""
from __future__ import annotations

import email.utils
import socket
import struct
import threading
import time

import pytest
from werkzeug.wrappers import Response

from extractors.crawl import crawl_source
from extractors.fetch import FetchSettings, parse_retry_after, resolve_host
from extractors.rawstore import RawStore
from extractors.sources.base import Politeness, Source

MB = 1024 * 1024


class Probe(Source):
    """A test source (not in the registry): fetch exactly the given URLs from loopback."""
    name = "probe"
    allow_private_network = True
    politeness = Politeness(concurrency=4, delay=0.0)
    max_depth = 0


def crawl(urls, tmp_path, source_cls=Probe, **settings):
    src = type("P", (source_cls,), {"start_urls": list(urls)})()
    store = RawStore(tmp_path / "raw")
    s = FetchSettings.for_tests(state_path=str(tmp_path / "state.json"), **settings)
    return crawl_source(src, store, settings=s), store


@pytest.fixture()
def server(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /privat/\n")
    return httpserver


def reasons(report):
    return {f.url.rsplit("/", 1)[-1]: f.reason for f in report.failures}


def test_503_then_success_and_other_urls_unaffected(server, tmp_path):
    calls = {"n": 0}

    def flaky(request):
        calls["n"] += 1
        if calls["n"] < 3:
            return Response("busy", status=503)
        return Response("<html><body><p>Förderaufruf</p></body></html>", content_type="text/html")
    server.expect_request("/flaky").respond_with_handler(flaky)
    server.expect_request("/gone").respond_with_data("weg", status=404)
    server.expect_request("/ok").respond_with_data("<html><p>ok</p></html>", content_type="text/html")
    report, store = crawl([server.url_for("/flaky"), server.url_for("/gone"), server.url_for("/ok")], tmp_path)
    assert calls["n"] == 3
    assert sorted(r.url.rsplit("/", 1)[-1] for r in report.records) == ["flaky", "ok"]
    assert reasons(report) == {"gone": "HTTP 404"}


def test_5xx_forever_gives_up_with_reason(server, tmp_path):
    server.expect_request("/down").respond_with_data("x", status=502)
    report, _ = crawl([server.url_for("/down")], tmp_path, retries=2)
    assert reasons(report)["down"] == "HTTP 502; gave up after 3 attempts"


def test_429_honours_retry_after_up_to_the_cap(server, tmp_path):
    calls = []

    def limited(request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return Response("<html><p>ok</p></html>", content_type="text/html")
    server.expect_request("/limited").respond_with_handler(limited)
    report, _ = crawl([server.url_for("/limited")], tmp_path, retry_after_cap=5)
    assert not report.failures and len(calls) == 2
    assert 0.9 <= calls[1] - calls[0] < 5     # waited the Retry-After, not the short backoff


def test_day_long_retry_after_stops_asking_that_host(server, tmp_path):
    asked = []

    def limited(request):
        asked.append(request.path)
        return Response("come back tomorrow", status=429, headers={"Retry-After": "86400"})
    for name in ("a", "b", "c"):
        server.expect_request(f"/{name}").respond_with_handler(limited)
    report, _ = crawl([server.url_for(f"/{n}") for n in "abc"], tmp_path, concurrency=1)
    assert len(asked) == 1                    # one answer was enough: no retries, no other URLs
    r = reasons(report)
    assert set(r) == {"a", "b", "c"}
    assert all("asked to wait 24 h (HTTP 429, Retry-After 86400)" in x and "not asking it again this run" in x
               for x in r.values())
    assert any("not asking it again this run" in n for n in report.notes)


def test_parse_retry_after_forms():
    now = 1_900_000_000.0
    assert parse_retry_after("120", now) == 120
    date = email.utils.formatdate(now + 90, usegmt=True)
    assert parse_retry_after(date, now) == pytest.approx(90, abs=1)
    assert parse_retry_after(email.utils.formatdate(now - 50, usegmt=True), now) == 0
    assert parse_retry_after("morgen", now) is None and parse_retry_after(None) is None


def test_timeout_recorded(server, tmp_path):
    def slow(request):
        time.sleep(0.6)
        return Response("late")
    server.expect_request("/slow").respond_with_handler(slow)
    report, _ = crawl([server.url_for("/slow")], tmp_path, read_timeout=0.15, retries=1)
    assert reasons(report)["slow"].startswith("timed out; gave up after 2 attempts")


def test_redirect_loop_and_too_many_redirects(server, tmp_path):
    server.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    server.expect_request("/b").respond_with_data("", status=301, headers={"Location": "/a"})
    for i in range(8):
        server.expect_request(f"/r{i}").respond_with_data("", status=302, headers={"Location": f"/r{i + 1}"})
    report, _ = crawl([server.url_for("/a"), server.url_for("/r0")], tmp_path)
    r = reasons(report)
    assert r["a"].startswith("redirect loop at") and r["r0"] == "more than 5 redirects"


def test_redirect_to_other_host_refused(server, tmp_path):
    server.expect_request("/away").respond_with_data("", status=302, headers={"Location": "http://evil.example/x"})
    report, _ = crawl([server.url_for("/away")], tmp_path)
    assert reasons(report)["away"] == "host evil.example is not among the source's allowed hosts"


def test_robots_disallow_recorded(server, tmp_path):
    server.expect_request("/privat/antrag.html").respond_with_data("<html>geheim</html>")
    report, store = crawl([server.url_for("/privat/antrag.html")], tmp_path)
    assert reasons(report)["antrag.html"] == "robots.txt disallows"
    assert list(store.iter_records()) == []
    assert all(req.path != "/privat/antrag.html" for req, _ in server.log)


def test_huge_response_cut_at_cap(server, tmp_path):
    produced = {"bytes": 0}

    def huge(request):
        def gen():
            chunk = b"A" * 65536
            for _ in range(8000):             # 500 MB, lazily
                produced["bytes"] += len(chunk)
                yield chunk
        return Response(gen(), content_type="text/html")   # chunked, no Content-Length
    server.expect_request("/huge").respond_with_handler(huge)
    t0 = time.monotonic()
    report, store = crawl([server.url_for("/huge")], tmp_path, max_bytes=2 * MB)
    assert reasons(report)["huge"] == "larger than the 2 MiB limit; cut off"
    assert time.monotonic() - t0 < 10 and produced["bytes"] < 100 * MB
    assert list(store.iter_records()) == []


def test_content_length_over_cap_refused_before_reading(server, tmp_path):
    server.expect_request("/big").respond_with_data(b"x" * (3 * MB), content_type="application/pdf")
    report, _ = crawl([server.url_for("/big")], tmp_path, max_bytes=1 * MB)
    assert reasons(report)["big"] == f"larger than the 1 MiB limit (Content-Length {3 * MB:,} bytes)"


def test_size_message_is_exact_just_over_the_limit(server, tmp_path):
    server.expect_request("/edge").respond_with_data(b"x" * (MB + 100), content_type="application/pdf")
    report, _ = crawl([server.url_for("/edge")], tmp_path, max_bytes=MB)
    assert reasons(report)["edge"] == "larger than the 1 MiB limit (Content-Length 1,048,676 bytes)"


def test_pdf_link_returning_html_is_stored_as_html_and_noted(server, tmp_path):
    server.expect_request("/richtlinie.pdf").respond_with_data(
        "<!DOCTYPE html><html><body>Seite nicht gefunden</body></html>", content_type="application/pdf")
    server.expect_request("/echt.pdf").respond_with_data(b"%PDF-1.4\n%%EOF", content_type="text/html")
    report, store = crawl([server.url_for("/richtlinie.pdf"), server.url_for("/echt.pdf")], tmp_path)
    recs = {r.url.rsplit("/", 1)[-1]: r for r in report.records}
    assert recs["richtlinie.pdf"].content_type == "text/html" and recs["richtlinie.pdf"].path.endswith(".html")
    assert any("link promised a PDF" in n for n in recs["richtlinie.pdf"].notes)
    assert recs["echt.pdf"].content_type == "application/pdf" and recs["echt.pdf"].path.endswith(".pdf")


def test_conditional_requests_304_no_restore(server, tmp_path):
    seen = []

    def page(request):
        seen.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response("<html><p>Antragsfrist 1. Mai 2031</p></html>", content_type="text/html",
                        headers={"ETag": '"v1"'})
    server.expect_request("/seite").respond_with_handler(page)
    r1, store = crawl([server.url_for("/seite")], tmp_path)
    r2, _ = crawl([server.url_for("/seite")], tmp_path)
    assert seen == [None, '"v1"']
    assert len(r1.new) == 1 and r2.not_modified == 1 and r2.new == [] and r2.unchanged == 1
    assert [r.sha256 for r in r2.records] == [r1.records[0].sha256]
    assert len([p for p in (tmp_path / "raw").rglob("*.html")]) == 1


class ResetServer:
    """Raw TCP server: the first `drops` connections are reset (RST), then a valid response."""

    def __init__(self, drops: int):
        self.drops = drops
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            req = conn.recv(65536)
            if req.startswith(b"GET /robots.txt"):
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            else:
                self.count += 1
                if self.count <= self.drops:
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                else:
                    body = b"<html><p>endlich</p></html>"
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                                 + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body)
            conn.close()


def test_connection_reset_then_success_and_forever(tmp_path):
    ok = ResetServer(drops=2)
    report, _ = crawl([f"http://127.0.0.1:{ok.port}/x"], tmp_path / "a")
    assert not report.failures and len(report.records) == 1 and ok.count == 3
    bad = ResetServer(drops=100)
    report, _ = crawl([f"http://127.0.0.1:{bad.port}/x"], tmp_path / "b", retries=1)
    assert "gave up after 2 attempts" in reasons(report)["x"]


def test_connection_refused(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    report, _ = crawl([f"http://127.0.0.1:{port}/x"], tmp_path, retries=1)
    assert "robots.txt unreachable" in reasons(report)["x"] or "cannot connect" in reasons(report)["x"]


class Public(Probe):
    allow_private_network = False


def test_304_to_a_request_without_conditions_is_a_recorded_failure(server, tmp_path):
    server.expect_request("/odd").respond_with_data("", status=304)
    report, _ = crawl([server.url_for("/odd")], tmp_path)
    assert reasons(report) == {"odd": "HTTP 304 Not Modified to a request without conditions (a server fault)"}


def test_time_cap_starts_with_the_request_not_the_wait_for_the_host(server, tmp_path):
    def slowish(request):
        time.sleep(0.5)
        return Response("<html><p>ok</p></html>", content_type="text/html")
    for i in range(4):
        server.expect_request(f"/s{i}").respond_with_handler(slowish)
    # one request at a time: a URL waits 0.5 s for its host's slot, then takes 0.5 s itself
    report, _ = crawl([server.url_for(f"/s{i}") for i in range(4)], tmp_path, concurrency=1, time_cap=0.9)
    assert not report.failures and len(report.records) == 4


def test_time_cap_still_bounds_a_slow_request(server, tmp_path):
    def trickle(request):
        def gen():
            for _ in range(40):
                time.sleep(0.1)
                yield b"<p>x</p>"
        return Response(gen(), content_type="text/html")
    server.expect_request("/trickle").respond_with_handler(trickle)
    report, _ = crawl([server.url_for("/trickle")], tmp_path, time_cap=0.5)
    assert reasons(report)["trickle"] == "took longer than the time cap of 0.5 s"


def test_robots_txt_redirects_are_followed_up_to_five(httpserver, tmp_path):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=301, headers={"Location": "/r/1"})
    httpserver.expect_request("/r/1").respond_with_data("", status=302, headers={"Location": "/r/robots.txt"})
    httpserver.expect_request("/r/robots.txt").respond_with_data("User-agent: *\nDisallow: /privat/\n")
    httpserver.expect_request("/ok").respond_with_data("<html><p>ok</p></html>", content_type="text/html")
    httpserver.expect_request("/privat/x").respond_with_data("<html>geheim</html>", content_type="text/html")
    report, _ = crawl([httpserver.url_for("/ok"), httpserver.url_for("/privat/x")], tmp_path)
    assert [r.url.rsplit("/", 1)[-1] for r in report.records] == ["ok"]
    assert reasons(report) == {"x": "robots.txt disallows"}
    assert all(req.path != "/privat/x" for req, _ in httpserver.log)


def test_robots_txt_redirecting_more_than_five_times_counts_as_absent(httpserver, tmp_path):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=301, headers={"Location": "/r/0"})
    for i in range(6):
        httpserver.expect_request(f"/r/{i}").respond_with_data("", status=301, headers={"Location": f"/r/{i + 1}"})
    httpserver.expect_request("/ok").respond_with_data("<html><p>ok</p></html>", content_type="text/html")
    report, _ = crawl([httpserver.url_for("/ok")], tmp_path)
    assert not report.failures and len(report.records) == 1
    assert any("redirects more than 5 times; treated as absent" in n for n in report.notes)


def test_dns_rebinding_connects_to_the_checked_address(monkeypatch, tmp_path):
    """The name resolves to an acceptable address when checked and to a forbidden one later: the
    request must still go to the checked address."""
    import extractors.fetch as fetch
    from pytest_httpserver import HTTPServer

    good = HTTPServer(host="127.0.0.1", port=0)
    good.start()
    evil = HTTPServer(host="127.0.0.2", port=good.port)
    evil.start()
    try:
        for srv, text in ((good, "richtig"), (evil, "falsch")):
            srv.expect_request("/robots.txt").respond_with_data("", status=404)
            srv.expect_request("/seite").respond_with_data(f"<html><p>{text}</p></html>", content_type="text/html")
        real = socket.getaddrinfo
        answers = []

        def rebinding(host, *args, **kw):
            if host != "rebind.test":
                return real(host, *args, **kw)
            ip = "127.0.0.1" if not answers else "127.0.0.2"
            answers.append(ip)
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (ip, 0))]
        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        # only 127.0.0.1 counts as public here: the check must pass once and fail for the rebind
        monkeypatch.setattr(fetch, "is_public_address", lambda ip: str(ip) == "127.0.0.1")
        report, store = crawl([f"http://rebind.test:{good.port}/seite"], tmp_path, source_cls=Public)
        assert not report.failures and answers[0] == "127.0.0.1"
        assert b"richtig" in store.read(report.records[0])
        assert evil.log == []
        assert {req.headers["Host"] for req, _ in good.log} == {f"rebind.test:{good.port}"}
    finally:
        good.clear()
        good.stop()
        evil.stop()


def test_private_network_refusal_names_the_option_and_the_option_is_listed(server, tmp_path):
    from extractors.sources import SourceError, get_source

    server.expect_request("/x").respond_with_data("<html>x</html>")
    report, _ = crawl([server.url_for("/x")], tmp_path, source_cls=Public)
    assert "allow_private_network=true" in reasons(report)["x"]
    with pytest.raises(SourceError, match="allow_private_network"):
        get_source("web", url="https://www.land.example/", colour="blau")
    with pytest.raises(SourceError, match="allow_private_network='ja': write true or false"):
        get_source("web", url=server.url_for("/x"), allow_private_network="ja")
    src = get_source("web", url=server.url_for("/x"), allow_private_network="true")
    report = crawl_source(src, RawStore(tmp_path / "raw2"),
                          settings=FetchSettings.for_tests(state_path=str(tmp_path / "s2.json")))
    assert any(n.startswith("allow_private_network is on") for n in report.notes)


class _LoopbackListener:
    """A socket on 127.0.0.1 that hands every accepted connection to ``handle`` (in its thread)."""

    def __init__(self, routes: dict):
        self.routes = routes
        self.connections = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.run, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            self.handle(conn)

    def handle(self, conn) -> None:
        raise NotImplementedError

    def close(self):
        self.sock.close()


class RawHTTPServer(_LoopbackListener):
    """Loopback server answering raw bytes per path (headers no HTTP library would send)."""

    def __init__(self, routes: dict[str, bytes]):
        self.paths: list[str] = []
        super().__init__(routes)

    def handle(self, conn) -> None:
        with conn:
            head = conn.recv(65536).split(b"\r\n", 1)[0].decode("latin-1")
            path = head.split(" ")[1] if " " in head else "/"
            self.paths.append(path)
            conn.sendall(self.routes.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                                               b"Connection: close\r\n\r\n"))


def _redirect(location: bytes) -> bytes:
    return b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def test_data_javascript_and_backslash_locations_refused_with_the_reason(tmp_path):
    locations = {"/data": b"data:text/html,<script>alert(1)</script>", "/js": b"javascript:alert(1)",
                 "/unc": b"\\\\evil.example\\x", "/slash": b"/\\evil.example/x",
                 "/v6": b"http://[::1", "/file": b"file:///etc/passwd"}
    srv = RawHTTPServer({p: _redirect(loc) for p, loc in locations.items()})
    try:
        report, _ = crawl([srv.url(p) for p in locations], tmp_path)
    finally:
        srv.close()
    r = reasons(report)
    assert r["data"] == "redirect to a data: URL refused (only http and https are followed)"
    assert r["js"] == "redirect to a javascript: URL refused (only http and https are followed)"
    assert r["file"] == "redirect to a file: URL refused (only http and https are followed)"
    assert "a backslash in Location" in r["unc"] and "a backslash in Location" in r["slash"]
    assert r["v6"].startswith("redirect to 'http://[::1' refused: not a valid URL")
    assert not any("internal error" in x for x in r.values())
    assert not any(p in ("/x", "/evil.example/x") for p in srv.paths)


def test_invalid_urls_are_recorded_with_the_reason(server, tmp_path):
    base = server.url_for("/")
    report, _ = crawl([base + "\x01x", base.replace("localhost", "local\x00host") + "y"], tmp_path)
    r = reasons(report)
    assert r["\x01x"].startswith("not a valid URL (Invalid non-printable ASCII character in URL")
    assert r["y"].startswith("not a valid URL (")
    from extractors.sources import SourceError, get_source
    with pytest.raises(SourceError, match="'http://localhost:99999/' is not a valid URL"):
        get_source("web", url="http://localhost:99999/")


def test_allowed_hosts_respect_ports_and_do_not_admit_subdomains_of_a_bare_name(server, tmp_path):
    other = socket.socket()
    other.bind(("127.0.0.1", 0))
    other_port = other.getsockname()[1]
    other.close()
    server.expect_request("/port").respond_with_data(
        "", status=302, headers={"Location": f"http://localhost:{other_port}/admin"})
    report, _ = crawl([server.url_for("/port")], tmp_path)
    assert reasons(report)["port"] == f"host localhost:{other_port} is not among the source's allowed hosts"

    rules = type("S", (Source,), {"name": "s", "allowed_hosts": ["land.de", "*.kreis.de", "amt.de:8080"]})()
    assert rules.host_allowed("https://land.de/x") and rules.host_allowed("http://land.de:80/x")
    assert not rules.host_allowed("https://www.land.de/x")          # a bare name is that host only
    assert not rules.host_allowed("https://evil-land.de/x") and not rules.host_allowed("https://land.de:22/")
    assert rules.host_allowed("https://www.kreis.de/x") and rules.host_allowed("https://a.b.kreis.de/")
    assert rules.host_allowed("http://amt.de:8080/x") and not rules.host_allowed("http://amt.de/x")
    derived = type("D", (Source,), {"name": "d", "start_urls": ["http://127.0.0.1:8765/a", "https://www.land.de:443/"]})()
    assert derived.allowed_hosts == ["127.0.0.1:8765", "www.land.de"]
    with pytest.raises(ValueError, match="is not a host name"):
        type("B", (Source,), {"name": "b", "allowed_hosts": ["https://land.de/pfad"]})()


def test_fetch_limits_are_settings_from_the_environment(tmp_path):
    import os
    import subprocess
    import sys

    code = ("from extractors.fetch import FetchSettings as F; s = F(); "
            "print(s.time_cap, s.max_bytes, s.retries, s.max_archive_bytes)")
    env = {**os.environ, "FOERDERRADAR_FETCH_TIME_CAP": "600", "FOERDERRADAR_FETCH_MAX_BYTES": "1048576",
           "FOERDERRADAR_FETCH_RETRIES": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["600.0", "1048576", "1", str(400 * MB)]
    env["FOERDERRADAR_FETCH_TIME_CAP"] = "drei Minuten"
    bad = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and "FOERDERRADAR_FETCH_TIME_CAP='drei Minuten' is not a number" in bad.stderr


def test_loopback_and_file_urls_refused_for_real_sources(server, tmp_path):
    server.expect_request("/x").respond_with_data("<html>x</html>")
    report, _ = crawl([server.url_for("/x"), "file:///etc/passwd"], tmp_path, source_cls=Public)
    r = {f.url: f.reason for f in report.failures}
    assert "private or loopback address 127.0.0.1" in r[server.url_for("/x")]
    assert len(server.log) == 0
    # file:// never becomes a request at all
    assert "file:///etc/passwd" not in r or "scheme" in r["file:///etc/passwd"]
    assert resolve_host("localhost", allow_private=False)[1] is not None
    assert resolve_host("10.1.2.3", allow_private=False)[1] is not None
    assert resolve_host("127.0.0.1", allow_private=True) == ("127.0.0.1", None)


def _tls_pair(tmp_path, name: str):
    """A CA (PEM file) and an ssl server context with a certificate for ``name`` signed by it."""
    import datetime as dt
    import ssl

    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.timezone.utc)

    def cert(subject, issuer, key, sign_key, ca):
        b = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
             .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if ca:
            b = b.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                              content_commitment=False, key_encipherment=False,
                                              data_encipherment=False, key_agreement=False,
                                              encipher_only=False, decipher_only=False), critical=True)
        else:
            b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False)
        return b.sign(sign_key, hashes.SHA256())
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = cert("Test CA", "Test CA", ca_key, ca_key, True)
    leaf = cert(name, "Test CA", leaf_key, ca_key, False)
    ca_file, cert_file, key_file = tmp_path / "ca.pem", tmp_path / "leaf.pem", tmp_path / "leaf.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_file, key_file)
    return str(ca_file), ctx


@pytest.mark.parametrize("cert_name, ok", [("sicher.test", True), ("anders.test", False)])
def test_https_to_the_pinned_address_verifies_the_host_name(monkeypatch, tmp_path, cert_name, ok):
    """The connection goes to the checked address, yet TLS (SNI, certificate) is checked for the
    name in the URL: a certificate for another name is refused."""
    import certifi
    from pytest_httpserver import HTTPServer

    ca_file, server_ctx = _tls_pair(tmp_path, cert_name)
    monkeypatch.setattr(certifi, "where", lambda: ca_file)     # the test CA is the only one trusted
    real = socket.getaddrinfo

    def resolve(host, *args, **kw):
        if host == "sicher.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", 0))]
        return real(host, *args, **kw)
    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    srv = HTTPServer(host="127.0.0.1", port=0, ssl_context=server_ctx)
    srv.start()
    try:
        srv.expect_request("/robots.txt").respond_with_data("", status=404)
        srv.expect_request("/seite").respond_with_data("<html><p>sicher</p></html>", content_type="text/html")
        report, store = crawl([f"https://sicher.test:{srv.port}/seite"], tmp_path / "crawl", retries=0)
    finally:
        srv.clear()
        srv.stop()
    if ok:
        assert not report.failures and b"sicher" in store.read(report.records[0])
    else:
        assert report.records == [] and "CERTIFICATE_VERIFY_FAILED" in reasons(report)["seite"]


class KeepAliveServer(_LoopbackListener):
    """Loopback HTTP/1.1 server that keeps each connection open for the next request and counts
    the connections it accepted. ``routes[path](request_headers)`` answers ``(status, header
    lines, body)``; every request's headers are kept in ``requests``."""

    def __init__(self, routes: dict):
        self.requests: list[tuple[str, dict]] = []
        super().__init__(routes)

    def handle(self, conn) -> None:
        threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        buf = b""
        with conn:
            while True:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
                self.requests.append((path, headers))
                route = self.routes.get(path, lambda h: ("404 Not Found", b"", b""))
                status, extra, body = route(headers)
                try:
                    conn.sendall(b"HTTP/1.1 " + status.encode() + b"\r\nContent-Length: " + str(len(body)).encode()
                                 + b"\r\n" + extra + b"\r\n" + body)
                except OSError:                 # the client closed the connection mid-body
                    return


def test_unwanted_bodies_are_read_so_the_connection_is_kept_alive(tmp_path):
    """A 304 or a redirect with a short body leaves its connection in the pool for the next
    request; a redirect whose long body is still arriving after DRAIN_MAX_BYTES closes it."""
    def page(h):
        if h.get("if-none-match") == '"v1"':
            return "304 Not Modified", b'ETag: "v1"\r\n', b""
        return "200 OK", b'ETag: "v1"\r\nContent-Type: text/html\r\n', b"<html><p>Seite</p></html>"

    def moved(i, size):
        return lambda h: ("302 Found", f"Location: /p{i}\r\n".encode(), b"x" * size)
    routes = {f"/p{i}": page for i in range(4)}
    routes["/robots.txt"] = lambda h: ("404 Not Found", b"", b"")
    routes.update({f"/kurz{i}": moved(i, 500) for i in range(2)})
    routes.update({f"/lang{i}": moved(i, 8 * MB) for i in range(2)})
    srv = KeepAliveServer(routes)
    try:
        pages = [srv.url(f"/p{i}") for i in range(4)]
        first, _ = crawl(pages, tmp_path, concurrency=1)
        assert len(first.records) == 4 and srv.connections == 1
        again, _ = crawl(pages, tmp_path, concurrency=1)
        assert again.not_modified == 4 and srv.connections == 2          # one more crawl, one more connection
        short, _ = crawl([srv.url("/kurz0"), srv.url("/kurz1")], tmp_path / "kurz", concurrency=1)
        assert not short.failures and srv.connections == 3
        long, _ = crawl([srv.url("/lang0"), srv.url("/lang1")], tmp_path / "lang", concurrency=1)
        assert not long.failures and srv.connections == 3 + 1 + 2       # each long redirect closed its connection
    finally:
        srv.close()


def test_gzip_bodies_are_unpacked_and_the_size_cap_counts_unpacked_bytes(tmp_path):
    import gzip

    def gz(body: bytes):
        return lambda h: ("200 OK", b"Content-Type: text/html\r\nContent-Encoding: gzip\r\n", body)
    srv = KeepAliveServer({
        "/robots.txt": lambda h: ("404 Not Found", b"", b""),
        "/klein": gz(gzip.compress("<html><p>Förderaufruf</p></html>".encode())),
        "/bombe": gz(gzip.compress(b"<html>" + b"A" * (64 * MB))),          # 64 KiB on the wire
        "/kaputt": gz(b"\x1f\x8b\x08\x00 this is not gzip at all"),
    })
    try:
        report, store = crawl([srv.url(p) for p in ("/klein", "/bombe", "/kaputt")], tmp_path, max_bytes=MB)
    finally:
        srv.close()
    assert {path: h["accept-encoding"] for path, h in srv.requests if path != "/robots.txt"} == \
        dict.fromkeys(("/klein", "/bombe", "/kaputt"), "gzip, deflate")
    r = reasons(report)
    assert r["bombe"] == "larger than the 1 MiB limit; cut off"
    assert r["kaputt"].startswith("cannot decode the response body")
    [rec] = report.records
    assert store.read(rec) == "<html><p>Förderaufruf</p></html>".encode()


def test_unusual_headers_of_real_servers_are_read(tmp_path):
    """Some servers send cookies or policies longer than 8 KiB in one header line, or header bytes
    that are not UTF-8 (read as Latin-1, kept in the record and sent back in the next crawl's
    conditional request)."""
    long = b"Set-Cookie: session=" + b"x" * 20_000 + b"\r\n"

    def latin1(h):
        if h.get("if-none-match"):
            return "304 Not Modified", b"", b""
        return "200 OK", b'Content-Type: text/html\r\nETag: "gr\xfc\xdfe"\r\nX-Titel: F\xc3\xb6rderung\r\n', b"<html>x</html>"
    srv = KeepAliveServer({
        "/robots.txt": lambda h: ("404 Not Found", b"", b""),
        "/lang": lambda h: ("200 OK", b"Content-Type: text/html\r\n" + long, b"<html><p>ok</p></html>"),
        "/latin1": latin1,
    })
    try:
        report, _ = crawl([srv.url("/lang"), srv.url("/latin1")], tmp_path)
        again, _ = crawl([srv.url("/latin1")], tmp_path)
    finally:
        srv.close()
    assert not report.failures and len(report.records) == 2
    rec = next(r for r in report.records if r.url.endswith("/latin1"))
    assert rec.headers["etag"] == '"grüße"' and rec.headers["x-titel"] == "Förderung"
    assert not again.failures and again.not_modified == 1
