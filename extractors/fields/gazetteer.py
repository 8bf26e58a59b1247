"""The official municipal register (Destatis GV100AD) as a fast name index.

``foerderradar gazetteer load PATH`` parses the fixed-width GV100AD file (or the zip Destatis
publishes), validates it and stores a compact gzipped-JSON cache at
:func:`extractors.settings.gazetteer_path`; extraction finds it with :meth:`Gazetteer.load_default`.

Levels (GV100AD Satzart): 10 Land, 20 Regierungsbezirk, 30 Region (Baden-Württemberg),
40 Kreis, 50 Gemeindeverband, 60 Gemeinde. Keys:

* Land: 2 digits, Regierungsbezirk: 3, Kreis: 5 (AGS prefix), Gemeinde: 8 (AGS).
* Gemeindeverband (Amt, Samtgemeinde, Verbandsgemeinde, Verwaltungsgemeinschaft, ...): the 9-digit
  Regionalschlüssel prefix, Kreis (5) + Verband (4), e.g. Amt Mittleres Nordfriesland ``010545494``.
  Gemeinden also carry their 12-digit ARS = AGS[0:5] + Verband + AGS[5:8].

Name keys (:func:`norm_key`) are casefolded word sequences without punctuation, with the particles
people abbreviate in place names folded to one form ("an der"/"a.d." -> "a d", "Sankt"/"St." ->
"st"), so "Neustadt a.d. Aisch", "Neustadt a. d. Aisch" and "Neustadt an der Aisch" share a key.
The cache holds the finished indices, so loading is one gunzip + one ``json.loads``.
"""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable

from extractors.atomic import write_atomic

CACHE_FORMAT = "foerderradar-gazetteer"
CACHE_VERSION = 1
INDEX_VERSION = 3               # bump when name indexing changes: older caches are re-indexed on load

LAND, RB, REGION, KREIS, VERBAND, GEMEINDE = 10, 20, 30, 40, 50, 60
LEVEL_NAMES = {LAND: "Land", RB: "Regierungsbezirk", REGION: "Region", KREIS: "Kreis",
               VERBAND: "Gemeindeverband", GEMEINDE: "Gemeinde"}

TYPE_LABELS = {
    "41": "kreisfreie Stadt", "42": "Stadtkreis", "43": "Kreis", "44": "Landkreis",
    "45": "Regionalverband",
    "50": "verbandsfreie Gemeinde", "51": "Amt", "52": "Samtgemeinde", "53": "Verbandsgemeinde",
    "54": "Verwaltungsgemeinschaft", "55": "Kirchspielslandgemeinde", "56": "Verwaltungsverband",
    "57": "Verwaltungsgemeinschaft (Trägermodell)", "58": "erfüllende Gemeinde",
    "60": "Markt", "61": "kreisfreie Stadt", "62": "Stadtkreis", "63": "Stadt",
    "64": "Gemeinde", "65": "gemeindefreies Gebiet (bewohnt)", "66": "gemeindefreies Gebiet",
    "67": "Große Kreisstadt",
}
# Verband codes that are real associations of several Gemeinden (50: a Gemeinde without one,
# 58: a Gemeinde fulfilling the tasks of others: both repeat a Gemeinde's own name).
VERBAND_TYPES = frozenset({"51", "52", "53", "54", "55", "56", "57"})
# Gemeinde codes that are not municipalities (unincorporated forests, lakes, military areas).
NOT_MUNICIPALITY = frozenset({"65", "66"})

MIN_KEPT_RATIO = 0.9           # a new register with fewer Gemeinden than this share of the old is suspect
MIN_LINE_LENGTH = 124           # up to the type code (columns 123-124)
AGS_DIGITS = {LAND: 2, RB: 3, REGION: 4, KREIS: 5, VERBAND: 5, GEMEINDE: 8}


class GazetteerError(Exception):
    """A register file that cannot be used (the message says why and what to do)."""


# --------------------------------------------------------------------------- name keys

_KEY_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_PARTICLES = {"am": "a", "an": "a", "auf": "a", "im": "i", "in": "i", "der": "d", "den": "d",
              "dem": "d", "bei": "b", "vor": "v", "ob": "o", "sankt": "st"}


def key_tokens(s: str) -> list[str]:
    """The words of a name's key, particles folded ("Neustadt a.d. Aisch" -> neustadt a d aisch)."""
    s = unicodedata.normalize("NFKC", s).casefold()
    return [_PARTICLES.get(t, t) for t in _KEY_TOKEN.findall(s)]


def norm_key(s: str) -> str:
    """The lookup key of a written name: "Neustadt a.d. Aisch" -> "neustadt a d aisch"."""
    return " ".join(key_tokens(s))


_SUFFIX = re.compile(r",.*$")
_VERBAND_NOISE = re.compile(r"\s*\((?:VGem|VG|Verwaltungsgemeinschaft)\)\s*$|^VVG der (?:Stadt|Gemeinde)\s+")
# "Frankfurt am Main", "Burg (Dithmarschen)", "Töging a.Inn", "Pfarrkirchen i.Rottal": the base
# name is what comes before
_QUALIFIER = re.compile(r"\s*[(/]|\s+(?:[aibvo]\.\s*(?=\w)|(?:am|an|auf|im|in|ob|bei|vor)\s)", re.IGNORECASE)
_KREIS_PREFIX = re.compile(r"^(?:Landkreis|Kreis|Region|Städteregion|Regionalverband|"
                           r"[\w-]*[Kk]reis)\s+(?=\S)")
_RB_PREFIX = re.compile(r"^(?:früher:\s*)?(?:Reg\.-Bez\.|Regierungsbezirk|Direktionsbezirk|"
                        r"Statistische Region|Region)\s+")


def bare_name(register_name: str) -> str:
    """Register name without its suffix: "Kiel, Landeshauptstadt" -> "Kiel"."""
    return _SUFFIX.sub("", register_name).strip()


def base_name(bare: str) -> str:
    """Name without qualifier: "Frankfurt am Main" -> "Frankfurt", "Burg (Dithmarschen)" -> "Burg"."""
    m = _QUALIFIER.search(bare)
    return bare[:m.start()].strip() if m and m.start() > 0 else bare


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Entry:
    """One register record, as the extractor sees it."""
    id: int
    level: int                 # 10, 20, 30, 40, 50, 60
    key: str                   # 2/3/4/5/9/8 digits (see module doc)
    name: str                  # register name, "Soest, Stadt"
    bare: str                  # "Soest"
    type_code: str             # "63"
    population: int
    ars: str | None = None     # Gemeinden: 12-digit Regionalschlüssel

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type_code, LEVEL_NAMES[self.level])

    @property
    def kreis(self) -> str | None:
        return self.key[:5] if self.level in (KREIS, VERBAND, GEMEINDE) else None

    @property
    def land(self) -> str:
        return self.key[:2]


@dataclass
class _Raw:
    level: int
    key: str
    name: str
    type_code: str
    population: int
    ars: str | None
    seat: str = ""


def _read_bytes(source: Path | bytes) -> tuple[bytes, str]:
    """The bytes of a register given as a path (and its name) or as bytes."""
    if not isinstance(source, (str, Path)):
        return source, ""
    path = Path(source)
    try:
        return path.read_bytes(), str(path)
    except FileNotFoundError:
        raise GazetteerError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise GazetteerError(f"{path}: is a directory; give the GV100AD .txt or .zip file") from None
    except OSError as exc:
        raise GazetteerError(f"{path}: cannot read ({exc.strerror})") from None


def _unzip(data: bytes, name: str) -> tuple[bytes, str]:
    """The GV100AD member of the zip Destatis publishes (a member named gv100…, else the first .txt)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [m for m in zf.namelist() if m.lower().endswith(".txt") and not m.endswith("/")]
            preferred = [m for m in members if "gv100" in m.lower()] or members
            if not preferred:
                raise GazetteerError(f"{name or 'zip'}: the zip holds no GV100AD .txt file "
                                     f"(members: {', '.join(zf.namelist()[:5]) or 'none'})")
            member = preferred[0]
            return zf.read(member), (f"{name}!{member}" if name else member)
    except zipfile.BadZipFile:
        raise GazetteerError(f"{name or 'download'}: a damaged zip file") from None


def _read_source(source: Path | bytes, name: str = "") -> tuple[str, str]:
    """Text of a GV100AD file given as a path or bytes (plain text or the Destatis zip)."""
    data, path_name = _read_bytes(source)
    name = path_name or name
    if data[:4] == b"PK\x03\x04":
        data, name = _unzip(data, name)
    if b"\x00" in data[:4096]:
        raise GazetteerError(f"{name or 'input'}: a binary file, not the GV100AD text register")
    try:
        return data.decode("utf-8-sig"), name
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), name   # older Destatis files were ANSI


def _lines(text: str, label: str) -> tuple[list[str], bool]:
    """The record lines and whether the last one ended with a newline; a cut-off last record of a
    fixed-width file is refused."""
    lines = text.split("\n")
    complete_last = bool(lines) and lines[-1] == ""
    if complete_last:
        lines.pop()
    if not lines:
        raise GazetteerError(f"{label}: empty file")
    if not complete_last and len(lines) > 1:
        # fixed width: a last line without newline and of another length than the others is cut off
        widths = {len(x.rstrip("\r")) for x in lines[:-1][:50]}
        if len(widths) == 1 and len(lines[-1].rstrip("\r")) != widths.pop():
            raise GazetteerError(f"{label}: not a valid GV100AD register: line {len(lines)}: the last "
                                 "record is cut off (truncated download?)")
    return lines, complete_last


def _field_problems(no: int, line: str, level: int) -> list[str]:
    """What is wrong with the key, Verband, name and type columns of one record."""
    sa, n = line[:2], AGS_DIGITS[level]
    out = []
    if not line[10:10 + n].isdigit() or line[10 + n:18].strip():
        out.append(f"line {no}: key {line[10:18]!r} does not fit record type {sa}")
    if level in (VERBAND, GEMEINDE) and not line[18:22].isdigit():
        out.append(f"line {no}: Verband number {line[18:22]!r} is not 4 digits")
    if not line[22:72].strip():
        out.append(f"line {no}: record without a name")
    tc = line[122:124].strip()
    if level >= KREIS and not (tc.isdigit() and tc[0] == sa[0]):
        out.append(f"line {no}: type code {tc!r} does not fit record type {sa}")
    return out


def _record(level: int, line: str) -> _Raw:
    """One checked record line as a :class:`_Raw` (population 0 where the column is not a number:
    :func:`parse_gv100ad` reports that)."""
    ags, verband = line[10:10 + AGS_DIGITS[level]], line[18:22]
    pop = line[139:150].strip() if level == GEMEINDE else ""
    key = ags + verband if level == VERBAND else ags
    ars = ags[:5] + verband + ags[5:] if level == GEMEINDE else None
    return _Raw(level, key, line[22:72].strip(), line[122:124].strip(), int(pop) if pop.isdigit() else 0,
                ars, line[72:122].strip())


def _completeness(records: list[_Raw], label: str) -> None:
    """Refuse a register without Gemeinden, Länder or Kreise, or whose Gemeinden lack their Kreis."""
    levels = {r.level for r in records}
    if GEMEINDE not in levels:
        raise GazetteerError(f"{label}: no Gemeinde records (Satzart 60); not a GV100AD register")
    if LAND not in levels or KREIS not in levels:
        raise GazetteerError(f"{label}: no Land or Kreis records; not a complete GV100AD register")
    kreise = {r.key for r in records if r.level == KREIS}
    orphans = sorted({r.key[:5] for r in records if r.level == GEMEINDE and r.type_code not in NOT_MUNICIPALITY
                      and r.key[:5] not in kreise})
    if orphans:
        raise GazetteerError(f"{label}: Gemeinden refer to Kreise missing from the file "
                             f"({', '.join(orphans[:3])}…); incomplete register")


def _line_problems(no: int, line: str, cut_last: bool, stand: str | None) -> tuple[list[str], str | None]:
    """What is wrong with one record line (``stand``: the Gebietsstand of the records before), and
    the line's Gebietsstand where it has one."""
    sa = line[:2]
    if sa not in ("10", "20", "30", "40", "50", "60"):
        return [f"line {no}: unknown record type (Satzart) {sa!r}"], None
    if len(line) < MIN_LINE_LENGTH or (sa == "60" and len(line) < 150):
        if cut_last:
            return [f"line {no}: the last record is cut off (truncated download?)"], None
        return [f"line {no}: record too short ({len(line)} characters)"], None
    out = []
    gs = line[2:10]
    if not gs.isdigit():
        out.append(f"line {no}: Gebietsstand {gs!r} is not a date")
    elif stand is not None and gs != stand:
        out.append(f"line {no}: Gebietsstand {gs} differs from {stand}")
    return out + _field_problems(no, line, int(sa)), (gs if gs.isdigit() else None)


def parse_gv100ad(source: Path | bytes, name: str = "") -> tuple[list[_Raw], dt.date, str]:
    """Parse and validate a GV100AD file. Returns (records, Gebietsstand, sha256). Stops at the
    first five problems and names them all in one :class:`GazetteerError`."""
    text, name = _read_source(source, name)
    label = name or "input"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    lines, complete_last = _lines(text, label)
    records: list[_Raw] = []
    stand: str | None = None
    problems: list[str] = []
    for no, line in enumerate(lines, 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        found, gs = _line_problems(no, line, no == len(lines) and not complete_last, stand)
        stand = stand or gs
        problems += found
        if not problems:
            pop = line[139:150].strip() if line[:2] == "60" else ""
            if pop and not pop.isdigit():
                problems.append(f"line {no}: population {pop!r} is not a number")
            records.append(_record(int(line[:2]), line))
        if len(problems) >= 5:
            break
    if problems:
        more = " (stopped at the first 5 problems)" if len(problems) >= 5 else ""
        raise GazetteerError(f"{label}: not a valid GV100AD register: " + "; ".join(problems) + more)
    _completeness(records, label)
    try:
        gebietsstand = dt.date(int(stand[:4]), int(stand[4:6]), int(stand[6:8]))
    except ValueError:
        raise GazetteerError(f"{label}: Gebietsstand {stand} is not a valid date") from None
    return records, gebietsstand, digest


# --------------------------------------------------------------------------- index building


def _add(index: dict[str, list[int]], key: str, i: int) -> None:
    if key:
        ids = index.setdefault(key, [])
        if i not in ids:
            ids.append(i)


def _name_variants(bare: str) -> set[str]:
    """Written forms of one name (besides the register's own)."""
    out = {bare}
    # "Halle (Saale)" also written "Halle/Saale", "Halle an der Saale"; brackets vanish in the key
    m = re.match(r"^(.*?)\s*\((.+)\)$", bare)
    if m:
        out.add(f"{m.group(1)} {m.group(2)}")
    return out


def _kreis_forms(full: str) -> set[str]:
    """Inflected forms of Kreis names: "des Rhein-Sieg-Kreises", "der Märkische Kreis"."""
    out = {full}
    if full.endswith("kreis"):
        out.add(full + "es")
    m = re.match(r"^(.*\w)er Kreis$", full)
    if m:
        out |= {f"{m.group(1)}e Kreis", f"{m.group(1)}en Kreis", f"{m.group(1)}en Kreises"}
    return out


def _index_names(index: dict[str, dict[str, list[int]]], kind: str, i: int, bare: str) -> None:
    """Index a name, its written variants and (if it has one) its name without qualifier."""
    for v in _name_variants(bare):
        _add(index[kind], norm_key(v), i)
    base = base_name(bare)
    if base != bare:
        _add(index["gemeinde_base" if kind == "gemeinde" else kind], norm_key(base), i)


def _index_kreis(index: dict[str, dict[str, list[int]]], i: int, r: _Raw, full: str) -> None:
    """A Kreis under its full name, without its type word, and (Kreise whose name holds "Kreis" or
    a Region) in the inflected forms it is found by without a type word before it."""
    _add(index["kreis"], norm_key(full), i)
    stripped = _KREIS_PREFIX.sub("", full)
    if stripped != full:
        _add(index["kreis"], norm_key(stripped), i)
    _index_names(index, "kreis", i, stripped)
    if r.type_code in ("43", "44", "45") and re.search(r"kreis|^Region|^Städteregion|^Regionalverband",
                                                        full, re.IGNORECASE):
        for v in _kreis_forms(full):
            _add(index["kreis_uncued"], norm_key(v), i)
            _add(index["kreis"], norm_key(v), i)


def _display_name(r: _Raw) -> str:
    """The register name without suffix, Verband noise or Regierungsbezirk prefix."""
    bare = bare_name(r.name)
    if r.level == VERBAND:
        bare = _VERBAND_NOISE.sub("", bare).strip()
    if r.level == RB or r.level == REGION:
        bare = _RB_PREFIX.sub("", bare).strip()
    return bare


def build_index(records: list[_Raw]) -> dict:
    """The cache content: entry columns and the name indices by kind (gemeinde, gemeinde_base,
    kreis, kreis_uncued, verband, land, rb), each key -> entry numbers."""
    cols: dict[str, list] = {"level": [], "key": [], "name": [], "bare": [], "type": [], "pop": [], "ars": []}
    index: dict[str, dict[str, list[int]]] = {
        "gemeinde": {}, "gemeinde_base": {}, "kreis": {}, "kreis_uncued": {}, "verband": {},
        "land": {}, "rb": {},
    }
    for i, r in enumerate(records):
        bare = _display_name(r)
        for col, value in zip(cols, (r.level, r.key, r.name, bare, r.type_code, r.population, r.ars)):
            cols[col].append(value)
        if r.level == GEMEINDE and r.type_code not in NOT_MUNICIPALITY:
            _index_names(index, "gemeinde", i, bare)
        elif r.level == KREIS:
            _index_kreis(index, i, r, bare)
        elif r.level == VERBAND and r.type_code in VERBAND_TYPES:
            _index_names(index, "verband", i, bare)
        elif r.level == LAND:
            _add(index["land"], norm_key(bare), i)
        elif r.level in (RB, REGION):
            _add(index["rb"], norm_key(bare), i)
    return {"cols": cols, "index": index}


# --------------------------------------------------------------------------- the register


class Gazetteer:
    """The loaded register: entries plus name indices (see :meth:`lookup`)."""

    def __init__(self, data: dict, path: Path | None = None):
        self.path = path
        cols = data["cols"]
        self._level: list[int] = cols["level"]
        self._key: list[str] = cols["key"]
        self._name: list[str] = cols["name"]
        self._bare: list[str] = cols["bare"]
        self._type: list[str] = cols["type"]
        self._pop: list[int] = cols["pop"]
        self._ars: list[str | None] = cols["ars"]
        self.reindexed = data.get("index_version") != INDEX_VERSION
        if self.reindexed:
            raws = [_Raw(lv, k, n, t, p, a) for lv, k, n, t, p, a in
                    zip(cols["level"], cols["key"], cols["name"], cols["type"], cols["pop"], cols["ars"])]
            data["index"] = build_index(raws)["index"]
            data["index_version"] = INDEX_VERSION
        self.index: dict[str, dict[str, list[int]]] = data["index"]
        self.meta = {k: v for k, v in data.items() if k not in ("cols", "index")}
        self.gebietsstand = dt.date.fromisoformat(data["gebietsstand"])
        # first tokens of every indexed name: a cheap filter before building n-gram keys
        self.first_tokens: frozenset[str] = frozenset(
            k.split(" ", 1)[0] for name in ("gemeinde", "gemeinde_base", "kreis_uncued") for k in self.index[name])
        self.max_tokens = max((k.count(" ") + 1 for idx in self.index.values() for k in idx), default=1)
        self._entries: dict[int, Entry] = {}

    @cached_property
    def key_prefixes(self) -> frozenset[str]:
        """Every indexed key and every leading part of one by whole tokens ("bad", "bad homburg",
        "bad homburg v", ...): a longest-match scan stops at the first key not in here."""
        out = set()
        for idx in self.index.values():
            for k in idx:
                out.add(k)
                i = k.find(" ")
                while i >= 0:
                    out.add(k[:i])
                    i = k.find(" ", i + 1)
        return frozenset(out)

    # -- construction -------------------------------------------------------------------
    @classmethod
    def from_gv100ad(cls, source: Path | bytes, name: str = "") -> "Gazetteer":
        records, stand, digest = parse_gv100ad(source, name)
        data = build_index(records)
        counts: dict[str, int] = {}
        for r in records:
            counts[LEVEL_NAMES[r.level]] = counts.get(LEVEL_NAMES[r.level], 0) + 1
        src = name or (str(source) if isinstance(source, (str, Path)) else "download")
        data.update(format=CACHE_FORMAT, version=CACHE_VERSION, index_version=INDEX_VERSION, gebietsstand=stand.isoformat(),
                    source=src, sha256=digest, counts=counts,
                    loaded_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))
        return cls(data)

    @classmethod
    def load(cls, path: Path) -> "Gazetteer":
        path = Path(path)
        try:
            with gzip.open(path, "rb") as fh:
                data = json.loads(fh.read())
        except FileNotFoundError:
            raise
        except (OSError, EOFError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise GazetteerError(f"{path}: the stored register is damaged ({exc}); "
                                 "load it again with `foerderradar gazetteer load PATH`") from None
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            raise GazetteerError(f"{path}: not a foerderradar register file")
        if data.get("version") != CACHE_VERSION:
            raise GazetteerError(f"{path}: stored register has format version {data.get('version')}, "
                                 f"this foerderradar reads {CACHE_VERSION}; load the GV100AD file again")
        gaz = cls(data, path)
        if gaz.reindexed:
            try:                 # keep the new index: the next load need not rebuild it
                gaz.save(path)
            except OSError:
                pass
        return gaz

    @classmethod
    def load_default(cls) -> "Gazetteer | None":
        """The register loaded with ``foerderradar gazetteer load``, or None if there is none."""
        from extractors import settings
        path = settings.gazetteer_path()
        if not path.exists():
            return None
        return cls.load(path)

    def to_dict(self) -> dict:
        data = dict(self.meta)
        data["cols"] = {"level": self._level, "key": self._key, "name": self._name, "bare": self._bare,
                        "type": self._type, "pop": self._pop, "ars": self._ars}
        data["index"] = self.index
        return data

    def save(self, path: Path) -> None:
        """Write atomically: a crash leaves the previous register in place."""
        path = Path(path)
        payload = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        write_atomic(path, gzip.compress(payload, compresslevel=6, mtime=0))
        self.path = path

    # -- access ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._key)

    @property
    def counts(self) -> dict[str, int]:
        return dict(self.meta.get("counts", {}))

    def entry(self, i: int) -> Entry:
        e = self._entries.get(i)
        if e is None:
            e = Entry(i, self._level[i], self._key[i], self._name[i], self._bare[i], self._type[i],
                      self._pop[i], self._ars[i])
            self._entries[i] = e
        return e

    def entries(self, level: int | None = None) -> Iterable[Entry]:
        for i in range(len(self._key)):
            if level is None or self._level[i] == level:
                yield self.entry(i)

    def by_key(self, key: str) -> Entry | None:
        if not hasattr(self, "_by_key"):
            self._by_key = {k: i for i, k in enumerate(self._key)}
        i = self._by_key.get(key)
        return None if i is None else self.entry(i)

    def lookup(self, key: str, kind: str = "gemeinde") -> list[Entry]:
        """Entries a normalised name key may mean. ``kind``: gemeinde (full and base names),
        kreis, kreis_uncued, verband, land, rb."""
        ids = list(self.index.get(kind, {}).get(key, ()))
        if kind == "gemeinde":
            ids += [i for i in self.index["gemeinde_base"].get(key, ()) if i not in ids]
        return [self.entry(i) for i in ids]

    def has(self, key: str, kind: str) -> bool:
        if key in self.index.get(kind, ()):
            return True
        return kind == "gemeinde" and key in self.index["gemeinde_base"]

    def find(self, name: str, kind: str = "gemeinde") -> list[Entry]:
        """Entries for a name as people write it ("Stadt Soest" -> give "Soest")."""
        return self.lookup(norm_key(name), kind)

    def describe(self) -> str:
        c = self.counts
        parts = ", ".join(f"{c.get(n, 0)} {n}" for n in ("Land", "Regierungsbezirk", "Kreis",
                                                           "Gemeindeverband", "Gemeinde"))
        return f"Gebietsstand {self.gebietsstand.isoformat()}: {parts}"


def install(source: Path | bytes, *, name: str = "", force: bool = False,
            target: Path | None = None) -> tuple[Gazetteer, str]:
    """Parse, validate and store a register. Returns (gazetteer, what happened).

    Idempotent: the same file again changes nothing. A register with an older Gebietsstand than
    the stored one is refused unless ``force``. Any error leaves the stored register untouched.
    """
    from extractors import settings
    target = Path(target or settings.gazetteer_path())
    new = Gazetteer.from_gv100ad(source, name)
    old = None
    if target.exists():
        try:
            old = Gazetteer.load(target)
        except GazetteerError:
            old = None          # a damaged cache is replaced
    if old is not None:
        if old.meta.get("sha256") == new.meta.get("sha256") and not old.reindexed and not force:
            return old, f"register unchanged (Gebietsstand {old.gebietsstand.isoformat()}, same file)"
        if new.gebietsstand < old.gebietsstand and not force:
            raise GazetteerError(
                f"the file has Gebietsstand {new.gebietsstand.isoformat()}, older than the loaded "
                f"register ({old.gebietsstand.isoformat()}); kept the loaded one. Use --force to replace it.")
        old_n, new_n = old.counts.get("Gemeinde", 0), new.counts.get("Gemeinde", 0)
        if new_n < MIN_KEPT_RATIO * old_n and not force:
            raise GazetteerError(
                f"the file has {new_n} Gemeinden, far fewer than the loaded register ({old_n}); it looks "
                "incomplete (a truncated download?). Kept the loaded one. Use --force to replace it.")
    new.save(target)
    verb = "replaced" if old is not None else "loaded"
    return new, f"{verb} register: {new.describe()} -> {target}"
