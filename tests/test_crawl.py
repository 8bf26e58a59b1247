"""Crawling the demo site and export archives end to end (real servers on 127.0.0.1)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from extractors.crawl import crawl_source
from extractors.demo import demo_site
from extractors.fetch import FetchSettings
from extractors.rawstore import RawStore
from extractors.sources import get_source

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
                     allowed_hosts="127.0.0.1,localhost", allow_private_network=True)
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
                                 allowed_hosts="127.0.0.1,localhost", allow_private_network=True),
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
                         allowed_hosts="127.0.0.1,localhost", allow_private_network=True)
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
