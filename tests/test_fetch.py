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
from extractors.fetch import FetchSettings, address_refusal, parse_retry_after
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


def test_429_honours_retry_after_seconds_capped(server, tmp_path):
    calls = []

    def limited(request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "30"})
        return Response("<html><p>ok</p></html>", content_type="text/html")
    server.expect_request("/limited").respond_with_handler(limited)
    report, _ = crawl([server.url_for("/limited")], tmp_path, retry_after_cap=0.3)
    assert not report.failures and len(calls) == 2
    assert 0.25 <= calls[1] - calls[0] < 5    # waited the capped Retry-After, not 30 s


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
    assert reasons(report)["huge"] == "larger than 2 MB; cut off"
    assert time.monotonic() - t0 < 10 and produced["bytes"] < 100 * MB
    assert list(store.iter_records()) == []


def test_content_length_over_cap_refused_before_reading(server, tmp_path):
    server.expect_request("/big").respond_with_data(b"x" * (3 * MB), content_type="application/pdf")
    report, _ = crawl([server.url_for("/big")], tmp_path, max_bytes=1 * MB)
    assert reasons(report)["big"].startswith("larger than 1 MB (Content-Length 3 MB)")


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


def test_loopback_and_file_urls_refused_for_real_sources(server, tmp_path):
    server.expect_request("/x").respond_with_data("<html>x</html>")
    report, _ = crawl([server.url_for("/x"), "file:///etc/passwd"], tmp_path, source_cls=Public)
    r = {f.url: f.reason for f in report.failures}
    assert "private or loopback address 127.0.0.1" in r[server.url_for("/x")]
    assert len(server.log) == 0
    # file:// never becomes a request at all
    assert "file:///etc/passwd" not in r or "scheme" in r["file:///etc/passwd"]
    assert address_refusal("localhost", allow_private=False) is not None
    assert address_refusal("10.1.2.3", allow_private=False) is not None
    assert address_refusal("127.0.0.1", allow_private=True) is None
