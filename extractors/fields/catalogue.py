"""The programme catalogue: funding programmes that free-text mentions are linked to.

Two parts, one key space:

- ``patterns/programme_known.jsonl``: well-known programmes (a reference ``name``, other
  spellings in ``aliases``, or a regex ``pattern``), matched in any text by themselves (key
  ``known:<name>``).
- the Förderdatenbank catalogue, a file made from what the FDB sources load
  (``foerderradar catalogue build``, :func:`write_fdb_catalogue`; default
  ``$FOERDERRADAR_HOME/programme_catalogue.jsonl``, or ``FOERDERRADAR_CATALOGUE``): one programme
  a line, key ``fdb:<path of the programme on www.foerderdatenbank.de>`` (the same for the XML
  export and the web pages). Its titles are not searched for; a name the rules find links to the
  title it equals. Its :attr:`Catalogue.stamp` (count and content digest) is part of the
  extractor version (``pipeline.version_for``).

A mention links to an entry when its :func:`name_key` equals the key of one of the entry's forms
(:meth:`Catalogue.link`); the extraction reports the entry's key as ``catalogue_key``.

Names are compared in two ways, both built on one cleaning step (NFKC, quotes and dashes to
spaces):

- :func:`norm_name`: the casefolded text with single spaces ("Förder-Programm „X“" ->
  "förder programm x"); the scorer's comparison, used to tell two spellings apart.
- :func:`name_key`: the words of :func:`norm_name`, each stemmed unless it is an acronym, so
  declined forms share a key ("Modellprojekten Smart Cities" = "Modellprojekte Smart Cities").
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from extractors.fields.rules import PatternFileError, read_jsonl

_QUOTES_AND_BRACKETS = re.compile(r"[\"'„“”‚‘’«»()›‹]")
_DASHES = re.compile(r"[‐‑‒–—\-]")
_STEM_SUFFIXES = ("en", "es", "em", "er", "n", "s", "e")
_MIN_STEM = 4
_TOKEN_PUNCT = ".,;:!?"


def _clean(name: str) -> str:
    """NFKC-normalised ``name`` with quotes, brackets and dashes turned into spaces."""
    s = unicodedata.normalize("NFKC", name)
    return _DASHES.sub(" ", _QUOTES_AND_BRACKETS.sub(" ", s))


@lru_cache(maxsize=8192)
def norm_name(name: str) -> str:
    """Casefolded ``name`` without quotes, brackets and dashes, single-spaced."""
    return " ".join(_clean(name).casefold().split())


def _stem(tok: str) -> str:
    """Crude German stem: one inflection ending off a word of more than four letters."""
    if len(tok) <= _MIN_STEM or any(c.isdigit() for c in tok):
        return tok
    for suf in _STEM_SUFFIXES:
        if tok.endswith(suf) and len(tok) - len(suf) >= _MIN_STEM:
            return tok[: -len(suf)]
    return tok


@lru_cache(maxsize=8192)
def name_key(name: str) -> tuple[str, ...]:
    """Declension-tolerant identity of a name: the words of :func:`norm_name`, stemmed unless
    written as an acronym ("Modellprojekten Smart Cities" and "Modellprojekte Smart Cities"
    share a key; "EFRE" stays "efre")."""
    out = []
    for t in _clean(name).split():
        t = t.strip(_TOKEN_PUNCT)
        if t:
            out.append(t.casefold() if (t.isupper() and len(t) > 1) else _stem(t.casefold()))
    return tuple(out)


def declined_forms(form: str) -> list[str]:
    """A multi-word name and its dative/genitive forms ("Modellprojekten Smart Cities",
    "Lebendigen Zentren", "Sozialen Zusammenhalts")."""
    toks = form.split(" ")
    out = [form]
    if len(toks) < 2 or not toks[0].isalpha() or toks[0].isupper():
        return out
    firsts = [toks[0]]
    if toks[0].endswith("e"):
        firsts.append(toks[0] + "n")
    elif toks[0].endswith("er"):
        firsts.append(toks[0][:-2] + "en")
    lasts = [toks[-1]]
    if toks[-1].isalpha() and toks[-1][-1:].islower() and not toks[-1].endswith(("s", "n")):
        lasts.append(toks[-1] + "s")
    for f in firsts:
        for last in lasts:
            cand = " ".join([f] + toks[1:-1] + [last])
            if cand not in out:
                out.append(cand)
    return out


@dataclass(frozen=True, slots=True)
class KnownProgramme:
    """One catalogue entry: reference name, the forms matched in text, and where it came from."""
    key: str                      # stable catalogue key ("known:EFRE", "fdb:/…/gigabit")
    name: str
    forms: tuple[str, ...]
    kind: str | None = None
    searched: bool = True         # its forms are searched for in texts (the well-known list)


@dataclass(frozen=True, slots=True)
class KnownPattern:
    """A regex catalogue entry ("KfW {1}"), searched only where its trigger word occurs."""
    regex: re.Pattern
    name: str                     # may use {1} for the regex's first group
    index: int
    trigger: str


@dataclass(frozen=True, slots=True, eq=False)
class Catalogue:
    """Known programmes, their forms' keys and regex entries."""
    entries: tuple[KnownProgramme, ...]
    keys: dict[tuple, int]                    # name key of every form -> entry index
    patterns: tuple[KnownPattern, ...]
    stamp: str | None = None                  # "fdb2480-3f9a1c2e" (fdb_stamp), None without FDB entries

    def link(self, name: str) -> int | None:
        """The entry index whose form shares ``name``'s key, else None; a one-word name also as
        an acronym ("Leader" -> "LEADER")."""
        hit = self.keys.get(name_key(name))
        if hit is None and " " not in name.strip() and name[:1].isupper():
            hit = self.keys.get(name_key(name.upper()))
        return hit


def _entry(obj: dict, n: int) -> tuple[KnownProgramme, KnownPattern | None]:
    """One line of programme_known.jsonl as an entry (and its regex, if it has one)."""
    name = obj.get("name")
    if not isinstance(name, str) or not name:
        raise PatternFileError(f"programme_known.jsonl: entry {n} has no 'name': {obj}")
    pattern = obj.get("pattern")
    forms = ([] if pattern else [name]) + [a for a in obj.get("aliases", []) if a]
    entry = KnownProgramme(f"known:{name}", name, tuple(forms), obj.get("kind"))
    if not pattern:
        return entry, None
    return entry, KnownPattern(re.compile(pattern), name, n, obj.get("trigger", ""))


def catalogue_path() -> Path:
    """Where the Förderdatenbank catalogue is read from and written to."""
    from extractors import settings
    env = os.environ.get("FOERDERRADAR_CATALOGUE")
    return Path(env).expanduser() if env else settings.home() / "programme_catalogue.jsonl"


def _fdb_entries(path: Path) -> list[KnownProgramme]:
    """The entries of a catalogue file (missing file: none; a bad line is skipped, not fatal)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        try:
            out.append(fdb_programme(json.loads(line)))
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
    return out


def fdb_programme(row: dict) -> KnownProgramme:
    """One catalogue line (:func:`fdb_entry`) as an entry: linked to, not searched for."""
    name = str(row["name"])
    return KnownProgramme(str(row["key"]), name, tuple([name] + [str(a) for a in row.get("aliases", [])]),
                          row.get("kind", "fdb"), searched=False)


def fdb_stamp(entries: Iterable[KnownProgramme]) -> str | None:
    """A short identity of the Förderdatenbank entries in use: their number and the first 8 hex
    digits of a digest of their keys and forms ("fdb2480-3f9a1c2e"); None without entries. The
    same titles give the same stamp however often the catalogue is rebuilt."""
    rows = sorted((e.key, e.forms) for e in entries)
    if not rows:
        return None
    digest = hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()
    return f"fdb{len(rows)}-{digest[:8]}"


def load_catalogue(path: Path | None = None) -> Catalogue:
    """The well-known list plus the Förderdatenbank catalogue at ``path`` (default
    :func:`catalogue_path`). Read once per state of the file: a catalogue rebuilt meanwhile (by
    ``foerderradar catalogue build`` in another process) is read again by the next caller. A
    title that is also a well-known form links to the well-known entry."""
    path = Path(path or catalogue_path())
    try:
        st = path.stat()
        state = (st.st_ino, st.st_mtime_ns, st.st_size)
    except OSError:
        state = None
    return _load_catalogue(str(path), state)


@lru_cache(maxsize=4)
def _load_catalogue(path: str, _state: tuple | None) -> Catalogue:
    entries, patterns, keys = [], [], {}
    for obj in read_jsonl("programme_known.jsonl"):
        entry, pattern = _entry(obj, len(entries))
        for f in entry.forms:
            keys.setdefault(name_key(f), len(entries))
        entries.append(entry)
        if pattern:
            patterns.append(pattern)
    fdb = _fdb_entries(Path(path)) if _state is not None else []
    for entry in fdb:
        for f in entry.forms:
            keys.setdefault(name_key(f), len(entries))
        entries.append(entry)
    return Catalogue(tuple(entries), keys, tuple(patterns), fdb_stamp(fdb))


_TITLE_ACRONYM = re.compile(r"^(.{6,}?)\s*\(([A-ZÄÖÜ][A-Za-zÄÖÜ0-9+\-]{1,11})\)$")


_FDB_PAGE = re.compile(r"^(?:/[A-Z]+)?(/FDB/Content/.+?)(?:\.html)?$")


def fdb_key(document) -> str:
    """The programme's catalogue key: its path on www.foerderdatenbank.de, the same whether the
    XML export (``fdb_path`` "/BMWI/FDB/Content/DE/Foerderprogramm/Bund/BA/x") or the web page
    (".../FDB/Content/DE/Foerderprogramm/Bund/BA/x.html") loaded it: "fdb:/FDB/Content/DE/
    Foerderprogramm/Bund/BA/x". Another address is kept as it is."""
    from urllib.parse import urlsplit

    fields = getattr(document, "fields", None) or {}
    raw = str(fields.get("fdb_path") or document.source)
    parts = urlsplit(raw)
    path = parts.path.split(";", 1)[0]              # ";jsessionid=…"
    m = _FDB_PAGE.match(path)
    if m and (not parts.netloc or parts.netloc.endswith("foerderdatenbank.de")):
        return f"fdb:{m.group(1)}"
    return f"fdb:{raw}"


def fdb_entry(document) -> dict | None:
    """The catalogue line of a Förderdatenbank programme document (from the ``foerderdatenbank``
    or ``foerderdatenbank_html`` source: ``fields["programme"]``), or None for other documents.
    "Bundesförderung für effiziente Gebäude (BEG)" gives the name without the acronym and the
    acronym as an alias."""
    fields = getattr(document, "fields", None) or {}
    title = " ".join(str(fields.get("programme") or "").split())
    if not title:
        return None
    aliases = []
    m = _TITLE_ACRONYM.match(title)
    if m and sum(c.isupper() for c in m.group(2)) >= 2:
        aliases = [m.group(2)]
        title = m.group(1)
    return {"key": fdb_key(document), "name": title, "aliases": aliases, "kind": "fdb"}


def fdb_rows(documents: Iterable) -> list[dict]:
    """The catalogue lines of the Förderdatenbank programme documents among ``documents``, one per
    key, sorted by key. A programme loaded twice (export and web page) under two titles keeps the
    first as its name and the other as an alias."""
    rows: dict[str, dict] = {}
    for e in filter(None, map(fdb_entry, documents)):
        row = rows.setdefault(e["key"], e)
        if row is not e:
            have = {name_key(f) for f in [row["name"], *row["aliases"]]}
            for form in [e["name"], *e["aliases"]]:
                if name_key(form) not in have:
                    row["aliases"].append(form)
                    have.add(name_key(form))
    return [rows[k] for k in sorted(rows)]


def write_fdb_catalogue(documents: Iterable, path: Path | None = None) -> int:
    """Write the catalogue of the Förderdatenbank programme documents among ``documents`` (one
    JSON line each, sorted by key; written to a temporary file and renamed, so a crash leaves
    the old catalogue). Returns the number of programmes. Extractors built afterwards link to it."""
    from extractors.atomic import write_atomic

    path = Path(path or catalogue_path())
    rows = fdb_rows(documents)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8"))
    return len(rows)
