"""The programme catalogue: funding programmes that free-text mentions are linked to.

Two parts, one key space:

- ``patterns/programme_known.jsonl``: well-known programmes (a reference ``name``, other
  spellings in ``aliases``, or a regex ``pattern``), matched in any text by themselves (key
  ``known:<name>``).
- the Förderdatenbank catalogue, a file made from what the FDB sources load
  (:func:`write_fdb_catalogue`; default ``$FOERDERRADAR_HOME/programme_catalogue.jsonl``, or
  ``FOERDERRADAR_CATALOGUE``): one programme title a line, key ``fdb:<path of the programme>``.
  Its titles are not searched for; a name the rules find links to the title it equals.

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
            obj = json.loads(line)
            out.append(KnownProgramme(str(obj["key"]), str(obj["name"]),
                                      tuple([obj["name"]] + list(obj.get("aliases", []))),
                                      obj.get("kind", "fdb"), searched=False))
        except (ValueError, KeyError, TypeError):
            continue
    return out


@lru_cache(maxsize=4)
def load_catalogue(path: Path | None = None) -> Catalogue:
    """The well-known list plus the Förderdatenbank catalogue at ``path`` (default
    :func:`catalogue_path`), loaded once. A title that is also a well-known form links to the
    well-known entry."""
    entries, patterns, keys = [], [], {}
    for obj in read_jsonl("programme_known.jsonl"):
        entry, pattern = _entry(obj, len(entries))
        for f in entry.forms:
            keys.setdefault(name_key(f), len(entries))
        entries.append(entry)
        if pattern:
            patterns.append(pattern)
    for entry in _fdb_entries(path or catalogue_path()):
        for f in entry.forms:
            keys.setdefault(name_key(f), len(entries))
        entries.append(entry)
    return Catalogue(tuple(entries), keys, tuple(patterns))


_TITLE_ACRONYM = re.compile(r"^(.{6,}?)\s*\(([A-ZÄÖÜ][A-Za-zÄÖÜ0-9+\-]{1,11})\)$")


def fdb_entry(document) -> dict | None:
    """The catalogue line of a Förderdatenbank programme document (from the ``foerderdatenbank``
    or ``foerderdatenbank_html`` source: ``fields["programme"]``), or None for other documents.
    "Bundesförderung für effiziente Gebäude (BEG)" gives the name without the acronym and the
    acronym as an alias."""
    fields = getattr(document, "fields", None) or {}
    title = " ".join(str(fields.get("programme") or "").split())
    if not title:
        return None
    key = fields.get("fdb_path") or document.source
    aliases = []
    m = _TITLE_ACRONYM.match(title)
    if m and sum(c.isupper() for c in m.group(2)) >= 2:
        aliases = [m.group(2)]
        title = m.group(1)
    return {"key": f"fdb:{key}", "name": title, "aliases": aliases, "kind": "fdb"}


def write_fdb_catalogue(documents: Iterable, path: Path | None = None) -> int:
    """Write the catalogue of the Förderdatenbank programme documents among ``documents`` (one
    JSON line each, sorted by key; written to a temporary file and renamed, so a crash leaves
    the old catalogue). Returns the number of programmes. Extractors built afterwards link to it."""
    path = path or catalogue_path()
    rows = {e["key"]: e for e in map(fdb_entry, documents) if e}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(rows[k], ensure_ascii=False) + "\n" for k in sorted(rows)),
                   encoding="utf-8")
    tmp.replace(path)
    load_catalogue.cache_clear()
    return len(rows)
