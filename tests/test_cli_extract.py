"""``foerderradar extract``: the JSON contract, exit codes, and every kind of bad input."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractors.parse import read_document
from extractors.settings import MAX_DOCUMENT_BYTES

CONTRACT_KEYS = {"source", "title", "published", "amounts", "deadlines", "dates", "programmes",
                 "municipalities", "applicants", "errors", "extractor_version", "sha256", "warnings",
                 "pdf_backend", "pages"}
SPAN_FIELDS = ("amounts", "deadlines", "dates", "programmes", "municipalities", "applicants")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path / "home"))


def run(*args: str):
    from flows.cli import app

    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr
    return result


def records(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_sample_corpus_contract(sample_dir):
    result = run("extract", "--no-gazetteer", str(sample_dir))
    assert result.exit_code == 0, result.stderr
    recs = records(result)
    assert len(recs) == len([p for p in sample_dir.iterdir() if p.suffix in (".txt", ".html")]) == 5
    for rec in recs:
        assert set(rec) == CONTRACT_KEYS
        assert rec["errors"] == [] and rec["title"] and len(rec["sha256"]) == 64
        for f in SPAN_FIELDS:
            assert isinstance(rec[f], list)
        # every span's offsets point into the parsed text of its document
        text = read_document(rec["source"]).text
        for f in SPAN_FIELDS:
            for item in rec[f]:
                assert text[item["start"]:item["end"]] == item["text"], (rec["source"], f, item)
    portal = next(r for r in recs if r["source"].endswith("landesportal_nahversorgung_im_dorf.html"))
    assert portal["published"] == "2024-11-18" and portal["title"] == "Nahversorgung im Dorf"


def test_published_option_and_single_file(sample_dir):
    path = sample_dir / "pressemitteilung_radnetz_kommunal.txt"
    result = run("extract", "--no-gazetteer", "--published", "2025-02-14", str(path))
    assert result.exit_code == 0
    (rec,) = records(result)
    assert rec["published"] == "2025-02-14" and rec["source"] == str(path)


def test_table_format(sample_dir):
    result = run("extract", "--no-gazetteer", "--format", "table", str(sample_dir / "landesportal_nahversorgung_im_dorf.html"))
    assert result.exit_code == 0
    assert "landesportal_nahversorgung_im_dorf.html" in result.stdout and "field" in result.stdout
    assert '"amounts"' not in result.stdout


def test_directories_are_searched_recursively_by_content(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "seite.htm").write_text(
        "<html><body><nav>Menü</nav><p>Förderung für die Gemeinde bis 31.12.2025.</p></body></html>", encoding="utf-8")
    (tmp_path / "a" / "notiz").write_text("<p>Ein HTML-Schnipsel ohne Endung über Zuschüsse.</p>\n<p>Zweiter Absatz</p>")
    (tmp_path / ".versteckt.txt").write_text("nicht lesen")
    (tmp_path / "bild.png").write_bytes(b"\x89PNG\r\n")
    result = run("extract", "--no-gazetteer", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert sorted(Path(r["source"]).name for r in records(result)) == ["notiz", "seite.htm"]


def _bad_corpus(root: Path, make_pdf) -> dict[str, str]:
    """Write one file per kind of bad input; returns file name -> expected message fragment."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    (root / "leer.txt").write_bytes(b"")
    (root / "zufall.txt").write_bytes(random.Random(1234).randbytes(8192))
    good_pdf = make_pdf([("p", "Zuschüsse für Vereine bis 31. März 2025 beantragen.")])
    (root / "kaputt.pdf").write_bytes(good_pdf[: len(good_pdf) // 3])
    (root / "gesperrt.pdf").write_bytes(make_pdf([("p", "Geheimer Bescheid über 5.000 Euro.")],
                                                 encrypt=StandardEncryption("geheim", canPrint=0)))
    with open(root / "riesig.txt", "wb") as f:        # sparse: takes no disk space
        f.truncate(MAX_DOCUMENT_BYTES + 1)
    return {"leer.txt": "file is empty", "zufall.txt": "binary data", "kaputt.pdf": "PDF is damaged",
            "gesperrt.pdf": "PDF is encrypted",
            "riesig.txt": f"file is {MAX_DOCUMENT_BYTES + 1:,} bytes, more than the limit of {MAX_DOCUMENT_BYTES:,} (50 MiB)"}


def test_bad_inputs_are_reported_and_the_rest_is_processed(tmp_path, make_pdf, sample_dir):
    docs = tmp_path / "docs"
    docs.mkdir()
    expected = _bad_corpus(docs, make_pdf)
    # wrong charset: declared UTF-8, written in windows-1252; must be read, with umlauts intact
    (docs / "falsch.html").write_bytes(
        '<html><head><meta charset="utf-8"><title>Dorfläden</title></head><body><h1>Zuschüsse für Dorfläden</h1>'
        "<p>Höchstens 15.000 € je Gemeinde.</p></body></html>".encode("cp1252"))
    (docs / "gut.txt").write_text((sample_dir / "pressemitteilung_radnetz_kommunal.txt").read_text(encoding="utf-8"),
                                  encoding="utf-8")
    empty_dir = tmp_path / "leerer_ordner"
    empty_dir.mkdir()
    (empty_dir / "liesmich.docx.bak").write_text("x")
    missing = tmp_path / "gibt_es_nicht.pdf"

    result = run("extract", "--no-gazetteer", str(docs), str(empty_dir), str(missing))
    assert result.exit_code == 1
    recs = {Path(r["source"]).name: r for r in records(result)}
    expected |= {"leerer_ordner": "holds no documents", "gibt_es_nicht.pdf": "no such file"}
    assert set(recs) == set(expected) | {"falsch.html", "gut.txt"}
    for name, fragment in expected.items():
        assert len(recs[name]["errors"]) == 1 and fragment in recs[name]["errors"][0], recs[name]
        assert set(recs[name]) == CONTRACT_KEYS
        # the same message on stderr, naming the file
        assert any(name in line and fragment in line for line in result.stderr.splitlines()), name
    assert recs["gut.txt"]["errors"] == [] and recs["falsch.html"]["errors"] == []
    assert recs["falsch.html"]["title"] == "Zuschüsse für Dorfläden"


@pytest.mark.parametrize("args, message", [
    (["extract", "--format", "csv", "x.txt"], "--format"),
    (["extract", "--published", "14.02.2025", "x.txt"], "YYYY-MM-DD"),
    (["extract", "--published", "2025-02-30", "x.txt"], "YYYY-MM-DD"),
    (["extract"], "Missing argument"),
    (["extract", "--pdf-backend", "ocr", "x.txt"], "--pdf-backend"),
])
def test_usage_errors_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_real_entry_point_exit_status(tmp_path, sample_dir):
    """The installed console script: jsonl on stdout, messages on stderr, status 1, no traceback."""
    exe = Path(sys.executable).with_name("foerderradar")
    if not exe.exists():
        pytest.skip("console script not installed")
    (tmp_path / "leer.html").write_bytes(b"")
    good = sample_dir / "foerderrichtlinie_vereinsstaetten.txt"
    env = dict(os.environ, FOERDERRADAR_HOME=str(tmp_path / "home"))
    proc = subprocess.run([str(exe), "extract", "--no-gazetteer", str(good), str(tmp_path / "leer.html")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "leer.html: file is empty" in proc.stderr
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [Path(x["source"]).name for x in lines] == [good.name, "leer.html"]
    assert lines[0]["errors"] == []
    proc = subprocess.run([str(exe), "extract", "--no-gazetteer", str(good)], capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr


# -- hostile names and directory trees ---------------------------------------------------------

TEXT = "Anträge sind bis zum 15. Mai 2025 zu stellen. Gefördert werden Vorhaben bis 50.000 Euro."


def test_file_names_that_are_not_utf8_or_hold_newlines(tmp_path):
    """Neither aborts the run, and neither forges a line on stderr or stdout."""
    root = os.fsencode(tmp_path)
    bad = os.path.join(root, b"aufruf_\xe4\xf6.txt")            # Latin-1 bytes: not UTF-8
    with open(bad, "wb") as f:
        f.write(TEXT.encode())
    forged = tmp_path / "a\nfoerderradar: b.txt: PDF is damaged.txt"
    forged.write_bytes(b"")                                     # empty: its name goes to stderr
    result = run("extract", "--no-gazetteer", str(tmp_path))
    assert result.exit_code == 1
    recs = records(result)
    assert len(recs) == 2
    by_name = {r["source"].rsplit("/", 1)[-1]: r for r in recs}
    assert by_name["aufruf_\\xe4\\xf6.txt"]["deadlines"][0]["date"] == "2025-05-15"
    assert by_name["a\nfoerderradar: b.txt: PDF is damaged.txt"]["errors"] == ["file is empty"]
    lines = result.stderr.splitlines()
    assert not any(line.startswith("foerderradar: b.txt") for line in lines), lines
    assert lines == [f"foerderradar: {tmp_path}/a\\nfoerderradar: b.txt: PDF is damaged.txt: file is empty"]


def test_directory_walk_reports_what_it_cannot_read(tmp_path):
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "sub" / "aufruf.txt").write_text(TEXT, encoding="utf-8")
    (docs / "sub" / "zurueck").symlink_to(docs, target_is_directory=True)      # a loop
    (docs / "kaputt.txt").symlink_to(docs / "fehlt.txt")                       # dangling
    os.mkfifo(docs / "rohr.txt")                                               # would block a reader
    result = run("extract", "--no-gazetteer", str(docs))
    assert result.exit_code == 1
    recs = {r["source"]: r for r in records(result)}
    assert recs[str(docs / "sub" / "aufruf.txt")]["errors"] == []
    assert "symbolic link loop" in recs[str(docs / "sub" / "zurueck")]["errors"][0]
    assert "broken symbolic link" in recs[str(docs / "kaputt.txt")]["errors"][0]
    assert "named pipe" in recs[str(docs / "rohr.txt")]["errors"][0]
    assert len(recs) == 4


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads every directory")
def test_unreadable_directory_is_reported(tmp_path):
    docs = tmp_path / "docs"
    (docs / "gesperrt").mkdir(parents=True)
    (docs / "aufruf.txt").write_text(TEXT, encoding="utf-8")
    (docs / "gesperrt" / "x.txt").write_text(TEXT, encoding="utf-8")
    (docs / "gesperrt").chmod(0)
    try:
        result = run("extract", "--no-gazetteer", str(docs))
    finally:
        (docs / "gesperrt").chmod(0o755)
    assert result.exit_code == 1
    recs = {r["source"]: r for r in records(result)}
    assert "cannot read directory" in recs[str(docs / "gesperrt")]["errors"][0]


def test_a_hanging_pdf_gets_an_error_record_and_the_run_goes_on(tmp_path, monkeypatch):
    import hostile_pdfs as H

    monkeypatch.setenv("FOERDERRADAR_PARSE_TIMEOUT", "4")
    from extractors import settings

    monkeypatch.setattr(settings, "PARSE_TIMEOUT_SECONDS", 4.0)
    (tmp_path / "a_schleife.pdf").write_bytes(H.reference_loop())
    (tmp_path / "b_gut.pdf").write_bytes(H.text_pdf(3))
    (tmp_path / "c_scan.pdf").write_bytes(H.image_only_middle_pages())
    result = run("extract", "--no-gazetteer", str(tmp_path))
    assert result.exit_code == 1
    a, b, c = records(result)
    assert "took longer than 4 s" in a["errors"][0] and a["amounts"] == []
    assert b["errors"] == [] and b["pdf_backend"] == "pdfplumber" and b["pages"] == 3 and b["deadlines"]
    assert c["pages"] == 4 and c["errors"] == ["pages 2–3 are images only (OCR needed); the text of the other "
                                               "pages was read"]
    assert c["deadlines"]                      # the text pages are still extracted


def test_long_document_is_extracted_whole_with_offsets_right(tmp_path):
    """More than spaCy's default max_length (1,000,000 characters): every field, to the end."""
    para = ("Die Gemeinde erhält einen Zuschuss von bis zu 25.000 Euro. "
            "Anträge sind bis zum 15. Mai 2025 einzureichen.\n\n")
    body = para * (1_200_000 // len(para) + 1)
    path = tmp_path / "lang.txt"
    path.write_text("Richtlinie " + "x" * 400 + "\n\n" + body, encoding="utf-8")
    result = run("extract", "--no-gazetteer", str(path))
    assert result.exit_code == 0, result.stderr
    (rec,) = records(result)
    text = read_document(path).text
    assert len(text) > 1_000_000
    assert len(rec["title"]) <= 300
    assert rec["amounts"] and rec["amounts"][-1]["end"] > 1_000_000
    for item in rec["amounts"][-3:] + rec["deadlines"][-3:]:
        assert text[item["start"]:item["end"]] == item["text"]
