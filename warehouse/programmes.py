"""Merge the same programme seen in several documents and sources.

A programme is known by its names and aliases. Matching, most certain first:

1. exact: the compact normalised key (case, umlaut spelling, ß, quotes, hyphens and spaces
   ignored) of the name or of one of its aliases equals a known key;
2. fuzzy: rapidfuzz ``token_sort_ratio`` of the spaced normalised names >= FUZZY_MIN_SCORE, only
   for names long enough to carry meaning and only when both names hold the same numbers
   ("Aufruf 2024" is not "Aufruf 2025", "Programm 432" is not "Programm 433").

Conservative by design: a key that already points at two different programmes (an ambiguous
abbreviation such as "EFRE") is never used to merge, and generic words never serve as aliases.
Wrong merges corrupt every figure of a programme; a missed merge only shows a duplicate row.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

FUZZY_MIN_SCORE = 92          # token_sort_ratio on normalised names
FUZZY_MIN_CHARS = 12          # shorter names only match exactly
ALIAS_MIN_CHARS = 2           # compact alias keys shorter than this are ignored
# Aliases too generic to identify a programme on their own.
GENERIC_ALIASES = frozenset("""
efre esf esfplus eler emff fonds programm foerderprogramm foerderrichtlinie richtlinie
foerderaufruf aufruf bekanntmachung foerderung zuschuss darlehen kredit bund land eu
""".split())

_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_QUOTED = re.compile(r"[„“”\"»«‚‘’']([^„“”\"»«‚‘’']{4,}?)[„“”\"»«‚‘’']")
_PAREN_TAIL = re.compile(r"\s*\(([^()]{1,40})\)\s*$")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_LEADING_ARTICLE = re.compile(r"^(?:das|die|der|dem|den|des)\s+")
_DIGITS = re.compile(r"\d+")


def norm_spaced(name: str) -> str:
    """Lower-case ASCII-ish words separated by single spaces (for fuzzy matching)."""
    s = unicodedata.normalize("NFKC", name).casefold().translate(_TRANSLIT)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = _NON_WORD.sub(" ", s).strip()
    return _LEADING_ARTICLE.sub("", s)


def norm_key(name: str) -> str:
    """Compact key for exact matching: ``norm_spaced`` without spaces."""
    return norm_spaced(name).replace(" ", "")


def name_variants(name: str, aliases: list[str] | tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(text, origin) pairs a programme mention can be known by."""
    out: list[tuple[str, str]] = []
    name = " ".join(name.split())
    m = _PAREN_TAIL.search(name)
    if m:
        bare = name[: m.start()].strip()
        out.append((bare, "name"))
        out.append((m.group(1).strip(), "parenthesis"))
    else:
        out.append((name, "name"))
    for q in _QUOTED.findall(name):
        if len(q.split()) >= 2:
            out.append((q.strip(), "quoted"))
    for a in aliases:
        a = " ".join(str(a).split())
        if a:
            out.append((a, "alias"))
    seen: set[str] = set()
    result = []
    for text, origin in out:
        k = norm_key(text)
        if len(k) < ALIAS_MIN_CHARS or k in seen:
            continue
        if origin != "name" and k in GENERIC_ALIASES:
            continue
        seen.add(k)
        result.append((text, origin))
    return result


def programme_id_for(key: str) -> str:
    return "p_" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def _numbers(s: str) -> frozenset[str]:
    return frozenset(_DIGITS.findall(s))


@dataclass
class Match:
    programme_id: str
    matched_by: str        # new | exact | alias | fuzzy:<score>
    new_aliases: list[tuple[str, str, str]]   # (alias, norm key, origin) not known before


@dataclass
class ProgrammeIndex:
    """In-memory index of the known programmes; feeds from and into the warehouse tables."""
    keys: dict[str, set[str]] = field(default_factory=dict)      # norm key -> programme ids
    names: dict[str, str] = field(default_factory=dict)          # programme id -> display name
    fuzzy_choices: list[str] = field(default_factory=list)       # spaced names (fuzzy)
    fuzzy_ids: list[str] = field(default_factory=list)
    # created since the last drain(): (programme_id, name, norm_name) and
    # (programme_id, alias, norm_key, origin, matched_by, context) rows for the warehouse tables
    pending_programmes: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    pending_aliases: list[tuple[str, str, str, str, str, str | None]] = field(default_factory=list)
    context: str | None = None          # extraction id the next resolve() calls come from

    def drain(self):
        progs, aliases = self.pending_programmes, self.pending_aliases
        self.pending_programmes, self.pending_aliases = [], []
        return progs, aliases

    def add_standalone(self, pid: str, name: str) -> bool:
        """Register a programme that takes no part in matching (a title standing in)."""
        if pid in self.names:
            return False
        self.names[pid] = name
        self.pending_programmes.append((pid, name, norm_spaced(name), self.context))
        return True

    @classmethod
    def from_rows(cls, programmes, aliases) -> "ProgrammeIndex":
        """``programmes``: (programme_id, name) rows; ``aliases``: (programme_id, alias) rows."""
        idx = cls()
        for pid, name in programmes:
            idx.names[pid] = name
            idx._add_key(norm_key(name), pid)
            idx._add_fuzzy(name, pid)
        for pid, alias in aliases:
            idx._add_key(norm_key(alias), pid)
        return idx

    def _add_key(self, key: str, pid: str) -> None:
        if key:
            self.keys.setdefault(key, set()).add(pid)

    def _add_fuzzy(self, name: str, pid: str) -> None:
        spaced = norm_spaced(name)
        if len(spaced) >= FUZZY_MIN_CHARS:
            self.fuzzy_choices.append(spaced)
            self.fuzzy_ids.append(pid)

    def _unique(self, key: str) -> str | None:
        ids = self.keys.get(key)
        if ids and len(ids) == 1:
            return next(iter(ids))
        return None

    def resolve(self, name: str, aliases: list[str] | tuple[str, ...] = ()) -> Match:
        """The programme a mention belongs to; registers a new one when nothing matches."""
        variants = name_variants(name, aliases)
        if not variants:
            variants = [(name.strip() or "?", "name")]
        pid: str | None = None
        how = "new"
        # 1. exact on the name, then on quoted/parenthesised forms and aliases
        for text, origin in variants:
            hit = self._unique(norm_key(text))
            if hit:
                pid, how = hit, ("exact" if origin == "name" else "alias")
                break
        # 2. fuzzy on the name
        if pid is None and self.fuzzy_choices:
            spaced = norm_spaced(variants[0][0])
            if len(spaced) >= FUZZY_MIN_CHARS:
                nums = _numbers(spaced)
                for choice, score, i in process.extract(
                        spaced, self.fuzzy_choices, scorer=fuzz.token_sort_ratio,
                        score_cutoff=FUZZY_MIN_SCORE, limit=5):
                    if _numbers(choice) == nums:
                        pid, how = self.fuzzy_ids[i], f"fuzzy:{round(score)}"
                        break
        if pid is None:
            display = variants[0][0]
            pid = programme_id_for(norm_key(display) or display)
            while pid in self.names:               # hash collision or reused name key
                pid = programme_id_for(pid)
            self.names[pid] = display
            self._add_fuzzy(display, pid)
            self.pending_programmes.append((pid, display, norm_spaced(display), self.context))
        new_aliases = []
        for text, origin in variants:
            k = norm_key(text)
            if pid not in self.keys.get(k, ()):
                self._add_key(k, pid)
                new_aliases.append((text, k, origin))
                self.pending_aliases.append((pid, text, k, origin, how, self.context))
        return Match(pid, how, new_aliases)
