"""Source registry, options and `sources new` scaffolding (the generated test must pass)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import extractors.sources as registry
from extractors.sources import SourceError, UnknownSourceError, all_sources, get_source
from extractors.sources.base import Source

REPO = Path(__file__).resolve().parents[1]


def test_known_sources_and_errors():
    assert {"demo", "foerderdatenbank", "foerderdatenbank_html", "web"} <= set(all_sources())
    with pytest.raises(UnknownSourceError, match="no source named 'nope'; known sources: demo"):
        get_source("nope")
    with pytest.raises(SourceError, match="has no option colour"):
        get_source("web", url="https://www.example.de/", colour="blau")
    with pytest.raises(SourceError, match="needs url"):
        get_source("web")
    web = get_source("web", url="https://www.land.example/foerderung/")
    assert web.allowed_hosts == ["www.land.example"] and not web.allow_private_network
    assert web.wants("https://www.land.example/aufruf-2031.html") and web.wants("https://www.land.example/a/b.pdf")
    assert not web.wants("https://other.example/foerderung.html") and not web.wants("https://www.land.example/impressum")


def test_duplicate_names_are_an_error(monkeypatch):
    a = types.ModuleType("extractors.sources.zz_a")
    b = types.ModuleType("extractors.sources.zz_b")
    for mod in (a, b):
        cls = type("Dup", (Source,), {"name": "doppelt", "__module__": mod.__name__})
        setattr(mod, "Dup", cls)
    mods = {"extractors.sources.zz_a": a, "extractors.sources.zz_b": b}
    infos = [types.SimpleNamespace(name="zz_a", ispkg=False), types.SimpleNamespace(name="zz_b", ispkg=False)]
    monkeypatch.setattr(registry.pkgutil, "iter_modules", lambda path: infos)
    monkeypatch.setattr(registry.importlib, "import_module", lambda name: mods[name])
    with pytest.raises(registry.DuplicateSourceError, match="'doppelt' is defined twice: in extractors.sources.zz_a and in extractors.sources.zz_b"):
        registry._scan()


def test_sources_new_refuses_invalid_and_existing_names():
    from flows.commands.sources import scaffold
    for bad in ("Web", "1abc", "mit-strich", "class", "x"):
        with pytest.raises(ValueError, match="not a valid source name"):
            scaffold(bad, REPO)
    with pytest.raises(FileExistsError):
        scaffold("web", REPO)


def test_sources_new_scaffold_passes_its_own_test(tmp_path):
    name = f"zz_scaffold_{os.getpid()}"
    cli = [str(REPO / ".venv" / "bin" / "foerderradar"), "sources", "new", name]
    written = [REPO / "extractors" / "sources" / f"{name}.py", REPO / "tests" / f"test_sources_{name}.py",
               REPO / "tests" / "fixtures" / "sources" / name]
    try:
        out = subprocess.run(cli, capture_output=True, text=True, cwd=REPO, timeout=60)
        assert out.returncode == 0, out.stderr
        assert all(p.exists() for p in written)
        again = subprocess.run(cli, capture_output=True, text=True, cwd=REPO, timeout=60)
        assert again.returncode == 2 and "already exists" in again.stderr
        test = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", str(written[1])],
                              capture_output=True, text=True, cwd=REPO, timeout=120,
                              env={**os.environ, "FOERDERRADAR_HOME": str(tmp_path)})
        assert test.returncode == 0, test.stdout + test.stderr
        assert "1 passed" in test.stdout
    finally:
        written[0].unlink(missing_ok=True)
        written[1].unlink(missing_ok=True)
        shutil.rmtree(written[2], ignore_errors=True)
