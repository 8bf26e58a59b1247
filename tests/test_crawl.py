"""Crawling the demo site and export archives end to end (real servers on 127.0.0.1)."""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from extractors.crawl import crawl_source
from extractors.demo import demo_site
from extractors.fetch import FetchSettings
from extractors.rawstore import RawStore
from extractors.sources import get_source
from extractors.sources.demo import DemoSource

FIX = Path(__file__).resolve().parent / "fixtures" / "sources" / "foerderdatenbank"


def settings(tmp_path, **kw):
    return FetchSettings.for_tests(state_path=str(tmp_path / "state.json"), **kw)


def test_demo_crawl_then_recrawl_costs_only_conditional_requests(tmp_path):
    store = RawStore(tmp_path / "raw")
    with demo_site(n_documents=25) as site:
        src = get_source("demo", base_url=site.base_url)
        r1 = crawl_source(src, store, settings=settings(tmp_path))
        n_html = sum(1 for r in r1.records if r.path.endswith(".html"))
        n_pdf = sum(1 for r in r1.records if r.path.endswith(".pdf"))
        assert (n_html, n_pdf) == (25, 7) and not r1.failures and len(r1.new) == 32
        before = site.requests
        r2 = crawl_source(src, store, settings=settings(tmp_path))
    assert r2.new == [] and r2.unchanged == 32 and len(r2.records) == 32
    # everything but robots.txt was asked conditionally and answered 304
    assert r2.not_modified == site.not_modified == r2.conditional == site.requests - before - 1
    docs = src.documents(r1.records[0], store.read(r1.records[0]))
    assert docs and "Förder" in docs[0].text


def test_each_document_is_handed_on_once_as_soon_as_its_bytes_are_stored(tmp_path):
    """``on_record`` gets every document (not listing pages) once, while the crawl goes on,
    with its bytes already readable from the store (the flow starts parsing them then)."""
    store = RawStore(tmp_path / "raw")
    handed, readable = [], []

    def on_record(rec):
        handed.append(rec)
        readable.append(store.read(rec)[:4] in (b"%PDF", b"<!DO", b"<htm"))

    with demo_site(n_documents=9) as site:
        src = get_source("demo", base_url=site.base_url)
        r1 = crawl_source(src, store, settings=settings(tmp_path), on_record=on_record)
        assert handed == r1.records and len(handed) == 12 and all(readable)
        handed.clear()
        r2 = crawl_source(src, store, settings=settings(tmp_path), on_record=on_record)
    assert r2.unchanged == 12 and sorted(r.url for r in handed) == sorted(r.url for r in r1.records)


class _CountingStore(RawStore):
    reads = 0

    def read(self, rec):
        self.reads += 1
        return super().read(rec)


def test_recrawl_keeps_connections_alive_and_reuses_the_links_of_unchanged_pages(tmp_path):
    store = _CountingStore(tmp_path / "raw")
    with demo_site(n_documents=40) as site:
        src = get_source("demo", base_url=site.base_url, concurrency=4)
        crawl_source(src, store, settings=settings(tmp_path))
        first = sorted(site.paths)
        requests, connections, store.reads = site.requests, site.connections, 0
        r2 = crawl_source(src, store, settings=settings(tmp_path))
        again = sorted(site.paths[len(first):])
        assert r2.unchanged == len(r2.records) == 50 and r2.not_modified == len(again) - 1
        # every URL asked again (the PDFs linked from unchanged pages too) ...
        assert again == first
        # ... over at most one kept-alive connection per request slot of the host
        assert site.requests - requests == len(again) and site.connections - connections <= 4
        # ... and no stored page read or parsed for its links: they were found last night
        assert store.reads == 0


class _NoGuidelines(DemoSource):
    """The demo source with a changed link rule: announcements only, no PDF Richtlinien."""
    follow = [r"/foerderung/[^/]+\.html$"]


def test_a_changed_link_rule_applies_although_every_page_answers_304(tmp_path):
    store = RawStore(tmp_path / "raw")
    with demo_site(n_documents=12) as site:
        r1 = crawl_source(get_source("demo", base_url=site.base_url), store, settings=settings(tmp_path))
        assert any(r.url.endswith(".pdf") for r in r1.records)
        start = len(site.paths)
        r2 = crawl_source(_NoGuidelines(base_url=site.base_url), store, settings=settings(tmp_path))
        assert not any(p.endswith(".pdf") for p in site.paths[start:])
    assert r2.records and not any(r.url.endswith(".pdf") for r in r2.records)
    assert r2.not_modified == len(site.paths[start:]) - 1        # all but robots.txt: 304


def test_changed_announcements_are_new_on_recrawl(tmp_path):
    store = RawStore(tmp_path / "raw")
    with demo_site(n_documents=12) as site:
        crawl_source(get_source("demo", base_url=site.base_url), store, settings=settings(tmp_path))
        port = int(site.base_url.rsplit(":", 1)[1].strip("/"))
    with demo_site(n_documents=12, port=port, changed={3, 7}) as site:
        r = crawl_source(get_source("demo", base_url=site.base_url), store, settings=settings(tmp_path))
    assert sorted(int(rec.url.rsplit("/", 1)[-1][:4]) for rec in r.new) == [3, 7]
    text = store.read(r.new[0]).decode()
    assert "verlängert" in text


def test_limit_and_robots_on_demo(tmp_path):
    with demo_site(n_documents=30) as site:
        r = crawl_source(get_source("demo", base_url=site.base_url), RawStore(tmp_path / "raw"),
                         limit=5, settings=settings(tmp_path))
        assert len(r.records) == 5 and "/intern/" not in " ".join(site.paths)


def test_broken_feed_recorded_listing_still_crawled(httpserver, tmp_path):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/feed.xml").respond_with_data(
        '<?xml version="1.0"?><rss><channel><item><title>Aufruf</title><link>/foerderung/a.html',
        content_type="application/rss+xml")
    httpserver.expect_request("/aufrufe.html").respond_with_data(
        '<html><body><a href="/foerderaufruf-klima.html">Förderaufruf Klima</a> '
        '<a href="/impressum.html">Impressum</a></body></html>', content_type="text/html")
    httpserver.expect_request("/foerderaufruf-klima.html").respond_with_data(
        "<html><body><h1>Förderaufruf Klima</h1><p>Anträge bis zum 1. März 2031.</p></body></html>",
        content_type="text/html")
    src = get_source("web", url=httpserver.url_for("/aufrufe.html"), feed=httpserver.url_for("/feed.xml"),
                     allow_private_network=True)
    r = crawl_source(src, RawStore(tmp_path / "raw"), settings=settings(tmp_path))
    assert [f.url.rsplit("/", 1)[-1] for f in r.failures] == ["feed.xml"]
    assert "not well-formed XML" in r.failures[0].reason
    urls = sorted(rec.url.rsplit("/", 1)[-1] for rec in r.records)
    assert urls == ["aufrufe.html", "foerderaufruf-klima.html"]


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.fixture()
def export_server(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    return httpserver


PROG = "BMWI/FDB/Content/DE/Foerderprogramm/Land/Nordland/klimafit-kommunen.xml"
GEBER = "BMWI/FDB/Content/DE/Foerdergeber/N/umweltministerium-nordland.xml"


def test_export_zip_members_stored_and_parsed(export_server, tmp_path):
    data = _zip({PROG: (FIX / "programm-kommunal.xml").read_bytes(), GEBER: (FIX / "foerdergeber.xml").read_bytes(),
                 "BMWI/FDB/Content/DE/Kontakt/K/kontakt.xml": b"<document/>"})
    export_server.expect_request("/export").respond_with_data(data, content_type="application/zip",
                                                              headers={"ETag": '"e1"'})
    store = RawStore(tmp_path / "raw")
    src = get_source("foerderdatenbank", export_url=export_server.url_for("/export"),
                     allowed_hosts=f"localhost:{export_server.port}", allow_private_network=True)
    r = crawl_source(src, store, settings=settings(tmp_path))
    assert not r.failures
    assert [rec.url.split("#")[1] for rec in r.records] == [PROG]      # funder stored as related, not a document
    docs = src.documents(r.records[0], store.read(r.records[0]))
    assert docs[0].fields["Fördergeber"] == ["Ministerium für Umwelt und Klima des Landes Nordland (MUK)"]
    # second run: 304 on the archive, the members are still reported
    export_server.clear()
    export_server.expect_request("/export", headers={"If-None-Match": '"e1"'}).respond_with_data(
        "", status=304, headers={"ETag": '"e1"'})
    r2 = crawl_source(get_source("foerderdatenbank", export_url=export_server.url_for("/export"),
                                 allowed_hosts=f"localhost:{export_server.port}", allow_private_network=True),
                      store, settings=settings(tmp_path, respect_robots=False))
    assert r2.not_modified == 1 and [x.sha256 for x in r2.records] == [r.records[0].sha256] and r2.new == []


def test_export_truncated_or_hostile_zip(export_server, tmp_path):
    good = _zip({PROG: (FIX / "programm-kommunal.xml").read_bytes()})
    evil = _zip({"../../etc/passwd.xml": b"root:x:0:0", "/abs/Foerderprogramm/x.xml": b"<x/>",
                 PROG: (FIX / "programm-kommunal.xml").read_bytes()})
    export_server.expect_request("/cut").respond_with_data(good[: len(good) // 2], content_type="application/zip")
    export_server.expect_request("/evil").respond_with_data(evil, content_type="application/zip")
    for path in ("/cut", "/evil"):
        src = get_source("foerderdatenbank", export_url=export_server.url_for(path),
                         allowed_hosts=f"localhost:{export_server.port}", allow_private_network=True)
        r = crawl_source(src, RawStore(tmp_path / "raw"), settings=settings(tmp_path / path.strip("/")))
        if path == "/cut":
            assert r.records == [] and "truncated or not a zip" in r.failures[0].reason
        else:
            reasons = {f.url.split("#")[1]: f.reason for f in r.failures}
            assert "path leaves the archive" in reasons["../../etc/passwd.xml"]
            assert "absolute path" in reasons["/abs/Foerderprogramm/x.xml"]
            assert [rec.url.split("#")[1] for rec in r.records] == [PROG]
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(str(p).startswith(str(tmp_path)) for p in written)
    assert not any(p.name == "passwd.xml" for p in written)
    assert not any(b"root:x:0:0" in p.read_bytes() for p in written if p.suffix == ".xml")


# -- faults a crash or a hand leaves behind heal on the next crawl, with a note -----------------

from extractors.sources.base import Politeness, Source  # noqa: E402


class Pages(Source):
    name = "pages"
    allow_private_network = True
    politeness = Politeness(concurrency=2, delay=0.0)
    max_depth = 0


@pytest.fixture()
def etag_server(httpserver):
    """/a and /b with ETags; ``etag_server.asked`` lists (path, If-None-Match) per request."""
    from werkzeug.wrappers import Response

    httpserver.asked = []

    def page(request):
        tag = f'"{request.path}"'
        httpserver.asked.append((request.path, request.headers.get("If-None-Match")))
        if request.headers.get("If-None-Match") == tag:
            return Response(status=304, headers={"ETag": tag})
        return Response(f"<html><p>Seite {request.path}</p></html>", content_type="text/html", headers={"ETag": tag})
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    for p in ("/a", "/b"):
        httpserver.expect_request(p).respond_with_handler(page)
    return httpserver


def crawl_pages(server, tmp_path):
    src = type("P", (Pages,), {"start_urls": [server.url_for("/a"), server.url_for("/b")]})()
    store = RawStore(tmp_path / "raw")
    return crawl_source(src, store, settings=settings(tmp_path)), store


@pytest.mark.parametrize("state", ["[]", '{"urls": []}', '{"urls": {"x": 1}', "{kaputt", ""])
def test_unreadable_crawl_state_is_rebuilt_from_the_raw_store(etag_server, tmp_path, state, caplog):
    r1, store = crawl_pages(etag_server, tmp_path)
    (tmp_path / "state.json").write_text(state)
    etag_server.asked.clear()
    r2, _ = crawl_pages(etag_server, tmp_path)
    assert not r2.failures and sorted(r.sha256 for r in r2.records) == sorted(r.sha256 for r in r1.records)
    assert sorted(etag_server.asked) == [("/a", '"/a"'), ("/b", '"/b"')]     # still conditional
    assert any("rebuilt from the raw store's fetch log" in n for n in r2.notes)
    assert "crawl state" in caplog.text
    etag_server.asked.clear()
    r3, _ = crawl_pages(etag_server, tmp_path)              # the state was written sound again
    assert not any("crawl state" in n for n in r3.notes) and r3.not_modified == 2


@pytest.mark.parametrize("entry", [
    "etag", None, 7, {"record": {"url": 5}}, {"etag": ["x"], "record": None}, {"record": {}, "members": 3},
    {"etag": '"/a"', "record": [1, 2]}, {"etag": '"/a"', "record": {"source": "pages", "url": "u"}},
])
def test_crawl_state_entry_of_the_wrong_shape_is_dropped(etag_server, tmp_path, entry, caplog):
    r1, store = crawl_pages(etag_server, tmp_path)
    rec_a = next(r for r in r1.records if r.url.endswith("/a"))
    state = json.loads((tmp_path / "state.json").read_text())
    state["urls"][etag_server.url_for("/a")] = entry
    (tmp_path / "state.json").write_text(json.dumps(state))
    etag_server.asked.clear()
    r2, _ = crawl_pages(etag_server, tmp_path)
    assert not r2.failures and len(r2.records) == 2
    assert [r.sha256 for r in r2.records if r.url.endswith("/a")] == [rec_a.sha256]
    assert sorted(etag_server.asked) == [("/a", None), ("/b", '"/b"')]     # only /a in full
    assert any("dropped 1 damaged entry" in n for n in r2.notes)
    assert "crawl state" in caplog.text
    etag_server.asked.clear()
    r3, _ = crawl_pages(etag_server, tmp_path)              # the state was written sound again
    assert not any("crawl state" in n for n in r3.notes) and r3.not_modified == 2


def test_deleted_raw_file_is_fetched_again_without_conditions(etag_server, tmp_path):
    r1, store = crawl_pages(etag_server, tmp_path)
    rec_a = next(r for r in r1.records if r.url.endswith("/a"))
    (tmp_path / "raw" / rec_a.path).unlink()              # by hand; the sidecar remains
    etag_server.asked.clear()
    r2, _ = crawl_pages(etag_server, tmp_path)
    assert sorted(etag_server.asked) == [("/a", None), ("/b", '"/b"')]
    assert not r2.failures and store.read(rec_a) == (tmp_path / "raw" / rec_a.path).read_bytes()
    assert any(f"raw file {rec_a.path} is missing" in n for n in r2.notes)


def test_corrupt_sidecar_is_rewritten_by_the_next_crawl(etag_server, tmp_path):
    r1, store = crawl_pages(etag_server, tmp_path)
    rec_a = next(r for r in r1.records if r.url.endswith("/a"))
    side = tmp_path / "raw" / rec_a.path.replace(".html", ".json")
    side.write_text('{"source": "pages", "url": ')
    r2, _ = crawl_pages(etag_server, tmp_path)
    assert not r2.failures
    assert store.get("pages", rec_a.sha256).url == rec_a.url
    assert any("rewrote the damaged sidecar" in n for n in r2.notes)


def test_stray_temporary_files_are_swept_by_the_crawl(etag_server, tmp_path):
    import os
    import time

    r1, store = crawl_pages(etag_server, tmp_path)
    folder = (tmp_path / "raw" / r1.records[0].path).parent
    stray = folder / ".tmp-killed.part"
    stray.write_bytes(b"%PDF-1.4 half")
    os.utime(stray, (time.time() - 7200, time.time() - 7200))
    r2, _ = crawl_pages(etag_server, tmp_path)
    assert not stray.exists()
    assert any("removed 1 temporary file(s)" in n for n in r2.notes)


def test_export_with_a_deleted_member_is_fetched_again(export_server, tmp_path):
    data = _zip({PROG: (FIX / "programm-kommunal.xml").read_bytes()})
    asked = []

    def export(request):
        asked.append(request.headers.get("If-None-Match"))
        from werkzeug.wrappers import Response
        if request.headers.get("If-None-Match") == '"e1"':
            return Response(status=304, headers={"ETag": '"e1"'})
        return Response(data, content_type="application/zip", headers={"ETag": '"e1"'})
    export_server.expect_request("/export").respond_with_handler(export)
    store = RawStore(tmp_path / "raw")

    def run():
        src = get_source("foerderdatenbank", export_url=export_server.url_for("/export"),
                         allowed_hosts=f"localhost:{export_server.port}", allow_private_network=True)
        return crawl_source(src, store, settings=settings(tmp_path))
    r1 = run()
    (tmp_path / "raw" / r1.records[0].path).unlink()
    r2 = run()
    assert asked == [None, None] and not r2.failures
    assert store.read(r2.records[0]) == (FIX / "programm-kommunal.xml").read_bytes()


def test_duplicate_zip_member_names_resolve_the_same_in_ingest_and_reprocess(export_server, tmp_path):
    first, second = (FIX / "programm-kommunal.xml").read_bytes(), b"<document><title>Zweite Fassung</title></document>"
    buf = io.BytesIO()
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(PROG, first)
        zf.writestr(PROG, second)
    export_server.expect_request("/export").respond_with_data(buf.getvalue(), content_type="application/zip")
    store = RawStore(tmp_path / "raw")
    src = get_source("foerderdatenbank", export_url=export_server.url_for("/export"),
                     allowed_hosts=f"localhost:{export_server.port}", allow_private_network=True)
    r = crawl_source(src, store, settings=settings(tmp_path))
    in_ingest = [store.read(rec) for rec in r.records]
    in_reprocess = [store.read(rec) for rec in store.iter_records("foerderdatenbank")]
    assert in_ingest == in_reprocess == [first]
    assert [f.reason for f in r.failures] == ["duplicate member name in archive; the first member of that name is used"]


def test_stray_temporary_state_files_are_swept(etag_server, tmp_path, monkeypatch):
    import os
    import time

    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path / "home"))
    stray = tmp_path / "home" / "crawl-state" / ".tmp-abc.part"
    stray.parent.mkdir(parents=True)
    stray.write_text('{"urls": {')
    os.utime(stray, (time.time() - 7200, time.time() - 7200))
    src = type("P", (Pages,), {"start_urls": [etag_server.url_for("/a")]})()
    r = crawl_source(src, RawStore(tmp_path / "raw"), settings=FetchSettings.for_tests())
    assert not stray.exists() and (tmp_path / "home" / "crawl-state" / "pages.json").exists()
    assert any("temporary file(s) of an interrupted state write" in n for n in r.notes)
