"""The raw store on S3: a real S3 server (moto's) on 127.0.0.1, obstore as the client."""
from __future__ import annotations

import hashlib
import sys

import pytest

pytest.importorskip("obstore")
pytest.importorskip("moto")



def _objects(url: str) -> list[str]:
    import obstore
    from obstore.store import S3Store

    store = S3Store.from_url(url, client_options={"allow_http": True})
    return sorted(m["path"] for batch in obstore.list(store) for m in batch)


def test_put_read_and_log_on_s3(s3_env):
    from extractors.rawstore import RawStore

    store = RawStore(s3_env)
    data = b"<html><title>Aufruf</title><p>Antragsfrist: 31.03.2025</p></html>"
    rec = store.put("demo", data, url="http://127.0.0.1/a", content_type="text/html",
                    headers={"etag": '"v1"'})
    sha = hashlib.sha256(data).hexdigest()
    assert rec.path == f"demo/{sha[:2]}/{sha}.html"
    assert store.read(rec) == data
    assert store.has("demo", sha) and store.get("demo", sha).url == "http://127.0.0.1/a"
    assert not store.has("demo", "0" * 64)

    # the log is buffered until the store is flushed, then written as one object of its own
    assert list(store.iter_log("demo")) == []
    store.flush()
    assert [r.url for r in store.iter_log("demo")] == ["http://127.0.0.1/a"]
    logs = [k for k in _objects(s3_env) if "/_log/" in k]
    assert len(logs) == 1 and logs[0].startswith(f"demo/_log/{rec.fetched_at[:7]}/")


def test_content_objects_are_create_only(s3_env):
    """The same bytes fetched again (from another URL) never overwrite the first sidecar."""
    from extractors.rawstore import RawStore

    first, second = RawStore(s3_env), RawStore(s3_env)
    data = b"%PDF-1.4 same bytes"
    first.put("demo", data, url="http://127.0.0.1/first.pdf", content_type="application/pdf")
    second.put("demo", data, url="http://127.0.0.1/moved.pdf", content_type="application/pdf")
    first.flush()
    second.flush()
    sha = hashlib.sha256(data).hexdigest()
    assert RawStore(s3_env).get("demo", sha).url == "http://127.0.0.1/first.pdf"
    # two writers, two log objects, both fetches in the log
    assert sorted(r.url for r in RawStore(s3_env).iter_log("demo")) == [
        "http://127.0.0.1/first.pdf", "http://127.0.0.1/moved.pdf"]


def test_bad_keys_and_missing_library_message(s3_env, monkeypatch):
    from extractors.objectstore import S3Storage

    st = S3Storage(s3_env)
    with pytest.raises(ValueError):
        st.read("../etc/passwd")
    with pytest.raises(FileNotFoundError):
        st.read("demo/aa/missing.html")
    monkeypatch.setitem(sys.modules, "obstore", None)
    with pytest.raises(Exception, match=r"pip install 'foerderradar\[s3\]'"):
        S3Storage(s3_env)


def test_a_worker_without_local_state_crawls_conditionally(s3_env, tmp_path, monkeypatch):
    """Two machines share the raw store on S3; the second has no crawl-state file and still
    sends conditional requests (state rebuilt from the raw records), so nothing is re-stored."""
    from extractors.crawl import crawl_source
    from extractors.demo import serve_demo_site
    from extractors.fetch import FetchSettings
    from extractors.rawstore import RawStore
    from extractors.sources import get_source

    with serve_demo_site(n_documents=6) as base:
        monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path / "machine-a"))
        first = crawl_source(get_source("demo", base_url=base), RawStore(s3_env),
                             settings=FetchSettings.for_tests())
        monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path / "machine-b"))
        assert not (tmp_path / "machine-b").exists()
        second = crawl_source(get_source("demo", base_url=base), RawStore(s3_env),
                              settings=FetchSettings.for_tests())
    assert len(first.new) >= 6 and not first.failures
    assert second.not_modified >= len(first.records)
    assert second.new == []
    docs = {r.url for r in RawStore(s3_env).iter_records("demo")}
    assert docs == {r.url for r in first.records}
