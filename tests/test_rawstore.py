"""Raw store: content-addressed, immutable, atomic, never outside its root."""
from __future__ import annotations

import hashlib
import json
import os

import pytest

from extractors.rawstore import LocalStorage, RawRecord, RawStore


def test_put_read_and_sidecar(tmp_path):
    store = RawStore(tmp_path)
    data = "<html><body><p>Förderaufruf</p></body></html>".encode()
    rec = store.put("demo", data, url="http://a.example/x", status=200,
                    headers={"etag": '"1"'}, content_type="text/html; charset=utf-8")
    sha = hashlib.sha256(data).hexdigest()
    assert rec.sha256 == sha and rec.path == f"demo/{sha[:2]}/{sha}.html" and rec.size == len(data)
    assert store.read(rec) == data
    side = json.loads((tmp_path / f"demo/{sha[:2]}/{sha}.json").read_text())
    assert side["url"] == "http://a.example/x" and side["headers"] == {"etag": '"1"'}
    assert RawRecord.from_dict(rec.to_dict()) == rec


def test_same_bytes_stored_once_latest_record_per_url(tmp_path):
    store = RawStore(tmp_path)
    store.put("demo", b"%PDF-1.4 v1", url="http://a/r.pdf", content_type="application/pdf", fetched_at="2030-01-01T00:00:00+00:00")
    store.put("demo", b"%PDF-1.4 v1", url="http://a/copy.pdf", content_type="application/pdf", fetched_at="2030-01-01T00:00:01+00:00")
    new = store.put("demo", b"%PDF-1.4 v2", url="http://a/r.pdf", content_type="application/pdf", fetched_at="2030-01-02T00:00:00+00:00")
    assert len([p for p in tmp_path.rglob("*.pdf")]) == 2
    recs = {r.url: r for r in store.iter_records("demo")}
    assert set(recs) == {"http://a/r.pdf", "http://a/copy.pdf"}
    assert recs["http://a/r.pdf"].sha256 == new.sha256
    # listing/feed records are hidden by default
    store.put("demo", b"<rss/>", url="http://a/feed", role="feed")
    assert "http://a/feed" not in {r.url for r in store.iter_records("demo")}
    assert "http://a/feed" in {r.url for r in store.iter_records("demo", roles=None)}


def test_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch):
    store = RawStore(tmp_path)

    def boom(src, dst):
        raise KeyboardInterrupt   # the crawl is killed between write and rename
    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        store.put("demo", b"x" * 1000, url="http://a/x")
    monkeypatch.undo()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    store.put("demo", b"x" * 1000, url="http://a/x")
    assert len(list(store.iter_records("demo"))) == 1


def test_keys_never_leave_the_root(tmp_path):
    st = LocalStorage(tmp_path / "raw")
    for key in ("../evil", "/etc/passwd", "demo/../../x"):
        with pytest.raises(ValueError):
            st.write_atomic(key, b"x")
    with pytest.raises(ValueError):
        RawStore(tmp_path).put("../etc", b"x", url="http://a/")
    assert not (tmp_path / "evil").exists()


def test_corrupt_file_detected_and_torn_log_line_skipped(tmp_path):
    store = RawStore(tmp_path)
    rec = store.put("demo", b"hello", url="http://a/h")
    (tmp_path / rec.path).write_bytes(b"HELLO")
    with pytest.raises(ValueError, match="sha256"):
        store.read(rec)
    log = next((tmp_path / "demo" / "_log").iterdir())
    with open(log, "a") as fh:
        fh.write('{"source": "demo", "url": "http://a/t')   # crash mid-line
    assert [r.url for r in store.iter_records("demo")] == ["http://a/h"]


def test_default_root_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("FOERDERRADAR_RAW", str(tmp_path / "elsewhere"))
    rec = RawStore().put("demo", b"abc", url="http://a/")
    assert (tmp_path / "elsewhere" / rec.path).exists()
