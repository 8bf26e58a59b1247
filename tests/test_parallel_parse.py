"""The parse step on several cores: PARSE_WORKERS documents at once, each in its own guarded
worker process; the same documents as one after the other."""
from __future__ import annotations


def test_parallel_parse_gives_the_serial_documents_from_two_worker_processes(tmp_path, monkeypatch):
    from extractors import settings
    from extractors.crawl import crawl_source
    from extractors.demo import serve_demo_site
    from extractors.fetch import FetchSettings
    from extractors.parse import guard
    from extractors.rawstore import RawStore
    from extractors.sources import get_source
    from flows import tasks as T

    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path))
    with serve_demo_site(n_documents=8) as base:
        source = get_source("demo", base_url=base)
        report = crawl_source(source, RawStore(), settings=FetchSettings.for_tests())
    assert len(report.records) >= 8

    def parse(workers):
        monkeypatch.setattr(settings, "PARSE_WORKERS", workers)
        parsed, _ = T.parse_documents.fn(source, report.records)
        return [(p.record.url, [(d.title, d.text) for d in p.documents]) for p in parsed]

    serial = parse(1)
    guard._close_all()
    parallel = parse(2)
    pids = {g._proc.pid for g in guard._every if g._proc is not None}
    assert parallel == serial and all(docs and docs[0][1] for _url, docs in serial)
    assert len(pids) == 2          # two documents at a time, in two worker processes
