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


def test_symbolic_links_never_lead_out_of_the_root(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text("{}")
    st = LocalStorage(tmp_path / "raw")
    st.write_atomic("demo/ab/ok.json", b"{}")
    (tmp_path / "raw" / "demo" / "cd").symlink_to(outside)                       # a folder link
    (tmp_path / "raw" / "demo" / "ab" / "link.json").symlink_to(outside / "secret.json")   # a file link
    for key in ("demo/cd/secret.json", "demo/ab/link.json"):
        with pytest.raises(ValueError, match="leaves the store root"):
            st.read(key)
    assert st.read("demo/ab/ok.json") == b"{}"


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


# -- faults that heal on their own, each with a warning -------------------------------------

def _log_file(tmp_path):
    return next((tmp_path / "demo" / "_log").iterdir())


def test_torn_log_line_does_not_swallow_the_next_record(tmp_path, caplog):
    store = RawStore(tmp_path)
    store.put("demo", b"eins", url="http://a/1")
    with open(_log_file(tmp_path), "a") as fh:
        fh.write('{"source": "demo", "url": "http://a/torn", "fin')      # a full disk cut this write
    store.put("demo", b"zwei", url="http://a/2")
    assert [r.url for r in store.iter_records("demo")] == ["http://a/1", "http://a/2"]
    assert any("ended in a torn line" in m for m in store.repairs)
    assert "torn line" in caplog.text


def test_record_glued_to_a_torn_line_is_still_read(tmp_path):
    """A log written before the fix: the next record was appended to the torn line."""
    store = RawStore(tmp_path)
    rec = store.put("demo", b"eins", url="http://a/1")
    glued = '{"source": "demo", "url": "http://a/to' + json.dumps(dict(rec.to_dict(), url="http://a/2"))
    with open(_log_file(tmp_path), "a") as fh:
        fh.write(glued + "\n" + "\x00\x00garbage\n")
    assert [r.url for r in store.iter_records("demo")] == ["http://a/1", "http://a/2"]
    assert any("skipped a torn record, kept the one after it" in m for m in store.repairs)
    assert any("skipped a damaged line" in m for m in store.repairs)


def test_failed_append_leaves_no_part_of_a_line(tmp_path, monkeypatch):
    import errno

    store = RawStore(tmp_path)
    store.put("demo", b"eins", url="http://a/1")
    before = _log_file(tmp_path).read_bytes()
    real_write = os.write

    def full_disk(fd, data):
        real_write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(OSError):
        store.put("demo", b"zwei", url="http://a/2")
    monkeypatch.undo()
    assert _log_file(tmp_path).read_bytes() == before
    store.put("demo", b"drei", url="http://a/3")
    assert [r.url for r in store.iter_records("demo")] == ["http://a/1", "http://a/3"]


@pytest.mark.parametrize("damage", [b"", b"{nicht json", b"[]", b'{"source": "demo"}', b"other-sha"])
def test_damaged_sidecar_is_rewritten_by_the_next_put(tmp_path, damage, caplog):
    store = RawStore(tmp_path)
    rec = store.put("demo", b"<html>x</html>", url="http://a/x", content_type="text/html")
    side = tmp_path / rec.path.replace(".html", ".json")
    if damage == b"other-sha":
        damage = json.dumps(dict(rec.to_dict(), sha256="0" * 64)).encode()
    side.write_bytes(damage)
    assert store.get("demo", rec.sha256) is None and not store.has("demo", rec.sha256)
    assert any("is damaged" in m for m in store.repairs)
    store.put("demo", b"<html>x</html>", url="http://a/x", content_type="text/html")
    assert store.get("demo", rec.sha256) == RawRecord.from_dict(json.loads(side.read_text()))
    assert store.has("demo", rec.sha256)
    assert any("rewrote the damaged sidecar" in m for m in store.repairs)
    assert "rewrote the damaged sidecar" in caplog.text


def test_deleted_data_file_counts_as_absent(tmp_path):
    store = RawStore(tmp_path)
    rec = store.put("demo", b"%PDF-1.4 x", url="http://a/r.pdf", content_type="application/pdf")
    (tmp_path / rec.path).unlink()
    assert not store.has("demo", rec.sha256)
    assert any("is missing (its sidecar remains)" in m for m in store.repairs)
    store.put("demo", b"%PDF-1.4 x", url="http://a/r.pdf", content_type="application/pdf")
    assert store.has("demo", rec.sha256) and store.read(rec) == b"%PDF-1.4 x"


def test_stale_temporary_files_are_swept_fresh_ones_kept(tmp_path):
    import time

    store = RawStore(tmp_path)
    rec = store.put("demo", b"abc", url="http://a/")
    folder = (tmp_path / rec.path).parent
    stale, fresh = folder / ".tmp-dead1234.part", folder / ".tmp-live5678.part"
    stale.write_bytes(b"half a pdf")
    fresh.write_bytes(b"being written")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    assert store.sweep("demo", older_than=3600) == [f"demo/{rec.sha256[:2]}/.tmp-dead1234.part"]
    assert not stale.exists() and fresh.exists() and (tmp_path / rec.path).exists()
    assert any("removed 1 temporary file(s)" in m for m in store.repairs)
