"""Field component ``foerderradar_municipalities``: German local authorities, linked to the register.

Two passes over the text (regexes over the original string; no spaCy Matcher):

1. **Type words** (``extractors/patterns/muni_types.jsonl``): "Stadt Aachen", "im Landkreis Emsland",
   "Amt Mittleres Nordfriesland", plural heads with coordinated lists ("die Städte Iserlohn und
   Lippstadt"). With a register the name must be a register name of the type's level (longest
   match); without one, the capitalised words after the type word are taken (``ags`` null).
2. **Bare names** (register only): every capitalised word whose key starts a register name is
   extended to the longest register name (dict lookup over token n-grams). A bare name needs no
   organisation word or other noun right before it ("Stadtwerke München", "Universität Paderborn",
   "Regierungsbezirk Arnsberg"), no article ("das Essen"), must not sit in a contact block or postal
   address, must not be a Land, region or Regierungsbezirk, and needs evidence by how ordinary it
   is: names that are ordinary words (``muni_common_words.txt``: Essen, Halle, Hof, Leer ...) only
   in a list of other municipalities, a dateline, an apposition ("Breklum, eine kleine Gemeinde")
   or after a locative preposition for a sizeable town ("in Essen"); small places (fewer than
   ``UNCUED_MIN_POPULATION`` inhabitants) need the same evidence without the size limit.

Names several register entries share (Neuenkirchen x11) are resolved by a Kreis or Land named in the
text or by the other municipalities found, else by a clearly dominant population (Frankfurt ->
Frankfurt am Main), else ``ags`` stays null; ``candidates`` is the number of entries the name could
mean. ``ags``: 8 digits for Gemeinden, 5 for Kreise, 9 (Kreis + Verband number, the Regional-
schlüssel prefix) for Ämter, Samtgemeinden, Verbandsgemeinden and Verwaltungsgemeinschaften.
One record per distinct (name, level) per document, at its first accepted mention.
"""
from __future__ import annotations

import bisect
import json
import operator
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, compress

from spacy.language import Language
from spacy.tokens import Doc

from extractors.fields.gazetteer import KREIS, Entry, Gazetteer, norm_key, word_key_tokens
from extractors.settings import PATTERNS_DIR
from models.records import Municipality

# --- thresholds ---------------------------------------------------------------------------
UNCUED_MIN_POPULATION = 5_000             # a bare name of a smaller place needs context evidence
COMMON_LOCATIVE_MIN_POPULATION = 20_000   # "in Essen" counts; "in Stein" (a noun too) does not
DOMINANT_POPULATION_RATIO = 10            # "Frankfurt": am Main (773k) over (Oder) (58k)
DOMINANT_MIN_POPULATION = 20_000
CONTACT_BLOCK_LINES = 3                   # lines around a short line searched for address signals
SHORT_LINE_CHARS = 70                     # a line this short may belong to an address block
CONTACT_WINDOW_CHARS = 300               # how far around that line to look
LIST_MIN_NAMES = 3                        # a list this long of register names is a list of places
MAX_GAP_CHARS = 3                         # characters between the words of one name ("a. d. ")

# --- word lists (data files) -----------------------------------------------------------------


def _lines(name: str) -> list[str]:
    out = []
    for line in (PATTERNS_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
        if line:
            out.append(line)
    return out


@dataclass(frozen=True)
class Cue:
    word: str
    kind: str              # gemeinde, kreis, verband, any
    type: str | None
    plural: bool = False


# Characters ``re.IGNORECASE`` matches to a letter that ``str.lower`` keeps apart ("ſ" is an "s"
# to the regex engine, "İ" lower-cases to two characters): :func:`fold` maps them first, so a
# substring test on the folded text finds every place a case-insensitive pattern can match.
_FOLD_PRE = str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})


def fold(text: str) -> str:
    """Same-length lower-case copy of ``text`` for prefilters of case-insensitive patterns."""
    if "İ" in text or "ı" in text or "ſ" in text:
        text = text.translate(_FOLD_PRE)
    return text.lower()


def _minimal(forms) -> tuple[str, ...]:
    """The forms no other form is a substring of: a text holding any form holds one of these."""
    forms = set(forms)
    return tuple(sorted(f for f in forms if not any(o != f and o in f for o in forms)))


def _prefixes(forms) -> tuple[str, ...]:
    """The forms no other form is a prefix of: a text where any form starts has one of these there."""
    forms = set(forms)
    return tuple(sorted(f for f in forms if not any(o != f and f.startswith(o) for o in forms)))


def _trie_pattern(words) -> str:
    """An alternation of literal words (a space stands for any run of white space) as a prefix
    tree: "Stadt(?:kreis(?:es)?|gemeinde)?". A backtracking engine tries the longest word first, as
    in the words sorted by length, but tests each shared prefix once."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(r"\s+" if ch == " " else re.escape(ch), {})
        node[""] = {}                       # a word ends here

    def emit(node: dict) -> str:
        alts = [k + emit(v) for k, v in node.items() if k]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return (body if len(alts) > 1 else "(?:" + body + ")") + "?"
        return body
    return emit(trie)


@dataclass
class _Words:
    cues: dict[str, Cue]
    cue_re: re.Pattern
    cue_scan: re.Pattern                   # cue_re without its look-behind: fast to search
    common: frozenset[str]
    regions: frozenset[str]
    land_keys: dict[str, str]              # key of a Land name -> code (non-city Länder)
    city_states: frozenset[str]            # keys: berlin, hamburg, bremen
    land_re: re.Pattern                    # Land names and adjectives in running text
    land_codes: dict[str, str]             # lower-case form -> code
    org_before: frozenset[str]
    org_suffixes: tuple[str, ...]
    org_after: frozenset[str]
    contact_re: re.Pattern
    contact_stems: tuple[str, ...]         # folded: every contact-word match starts with one
    land_stems: dict[str, tuple[str, ...]] | None  # code -> folded forms, one in every match mapped
                                                    # to it (None: forms that fold differently)
    function: frozenset[str]
    locative: frozenset[str]
    given: frozenset[str]


@lru_cache(maxsize=1)
def words() -> _Words:
    cues: dict[str, Cue] = {}
    for line in _lines("muni_types.jsonl"):
        d = json.loads(line)
        cues[d["word"]] = Cue(d["word"], d["kind"], d.get("type"), bool(d.get("plural")))
    alts = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(cues, key=len, reverse=True))
    cue_re = re.compile(rf"(?<![\w\-])(?P<cue>{alts})(?=\s+[A-ZÄÖÜ])")
    # without the leading look-behind the engine skips to the cue words' first letters
    cue_scan = re.compile(rf"(?P<cue>{_trie_pattern(cues)})(?=\s+[A-ZÄÖÜ])")
    land_keys, city_states, land_codes, land_forms, names, adjectives = {}, set(), {}, [], [], []
    for line in _lines("muni_laender.jsonl"):
        d = json.loads(line)
        for n in d["names"]:
            land_forms.append(re.escape(n))
            names.append(n)
            land_codes[n.casefold()] = d["code"]
            if d.get("city") and n == d["names"][0]:
                city_states.add(norm_key(n))
            else:
                land_keys[norm_key(n)] = d["code"]
        for a in d["adjectives"]:
            land_forms.append(re.escape(a) + r"\w*")
            adjectives.append(a)
            land_codes[a.casefold()] = d["code"]
    land_re = re.compile(r"(?<![\w\-])(" + "|".join(sorted(land_forms, key=len, reverse=True)) + r")(?![\w\-])",
                         re.IGNORECASE)
    # The code a land_re match stands for (_land_code): a name's own; an adjective with its ending
    # ("sachsen-anhaltischen") the code of the first form that is a prefix of it, so any code with a
    # form that is a prefix of the adjective or starts with it.
    by_code: dict[str, set[str]] = {}
    for n in names:
        by_code.setdefault(land_codes[n.casefold()], set()).add(fold(n))
    for a in adjectives:
        fa = a.casefold()
        for k, code in land_codes.items():
            if fa.startswith(k) or k.startswith(fa):
                by_code.setdefault(code, set()).add(fold(a))
    org = _lines("muni_org_before.txt")
    contact = _lines("muni_contact_words.txt")
    contact_re = re.compile(
        r"(?<![\w\-])(?:" + "|".join(re.escape(w) for w in sorted(contact, key=len, reverse=True)) + r")(?=[\s.:;,]|$)"
        r"|\b\d{5}\s+[A-ZÄÖÜ]"                                       # PLZ + Ort
        r"|\b[\wäöüß\-]*(?:straße|str\.|weg|platz|allee|ring|gasse|damm|ufer)\s+\d+[a-z]?\b"
        r"|@|https?://|www\.",
        re.IGNORECASE)
    return _Words(
        cues=cues, cue_re=cue_re, cue_scan=cue_scan,
        common=frozenset(norm_key(w) for w in _lines("muni_common_words.txt")),
        regions=frozenset(norm_key(w) for w in _lines("muni_regions.txt")),
        land_keys=land_keys, city_states=frozenset(city_states), land_re=land_re, land_codes=land_codes,
        org_before=frozenset(w for w in org if not w.startswith("-")),
        org_suffixes=tuple(w[1:].casefold() for w in org if w.startswith("-")),
        org_after=frozenset(_lines("muni_org_after.txt")),
        contact_re=contact_re,
        contact_stems=_prefixes(fold(w) for w in contact),
        land_stems=None if any(f.casefold() != fold(f) for f in names + adjectives)
        else {code: _minimal(v) for code, v in by_code.items()},
        function=frozenset(w for line in _lines("muni_function_words.txt") for w in line.split()),
        locative=frozenset(_lines("muni_locative.txt")),
        given=frozenset(_lines("muni_given_names.txt")),
    )


# --- text helpers ----------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_CAP = re.compile(r"(?<![\w\-.&/])[A-ZÄÖÜ][^\W\d_]*(?:-[^\W\d_]+)*")
# where _CAP matches start, each with its run of word characters: the look-behind after the first
# letter lets the engine skip ahead to capitals. A run of letters only is the _CAP match up to its
# first hyphen.
_CAP_RUN = re.compile(r"[A-ZÄÖÜ](?<![\w\-.&/][A-ZÄÖÜ])\w*")
_GAP_OK = re.compile(r"[ .()/]{1,%d}" % MAX_GAP_CHARS)
_SEP = re.compile(r"\s*(?:,\s*(?:und\s+|sowie\s+|oder\s+)?|\s+(?:und|sowie|oder|bzw\.)\s+|\s*/\s*)")
_PREV_WORD = re.compile(r"([^\W\d_][\w.\-]*)[ \t]+$")
_NEXT_WORD = re.compile(r"[ \t]*(\(?[\w.\-]+)")
_DATELINE_AFTER = re.compile(r"\s*(?:\([^)\n]{0,25}\)\s*)?[,–—-]\s*(?:den\s+)?\d{1,2}\.\s*(?:\d{1,2}\.|[A-ZÄ][a-zä]+)"
                             r"|\s*\((?:dpa|ots|epd|kna|afp|red)\b")
_APPOSITION = re.compile(
    r",\s+(?:eine?|die|der|das|als)\s+(?:[\wäöüß\-]+\s+){0,3}?"
    r"(?:Gemeinde|Stadt|Kommune|Kreisstadt|Großstadt|Kleinstadt|Mittelstadt|Hansestadt|Landeshauptstadt|"
    r"Universitätsstadt|Ortsgemeinde|Marktgemeinde|Metropole|Stadtgemeinde)\b"
    r"|\s+(?:im|in\s+der|in\s+den)\s+(?:Landkreis|Kreis|Amt|Samtgemeinde|Verbandsgemeinde|Gemeinde)\b"
    r"|\s*\((?:Landkreis|Kreis|Lkr\.|LK|Kr\.)\s")
_ARTICLES = frozenset("der die das dem den des ein eine einer einem einen eines kein keine keinem keinen "
                      "unser unsere unserem unseren ihr ihre ihrem ihren sein seine seinem seinen".split())
_ADDRESS_LINE = re.compile(
    r"\b\d{5}\s+[A-ZÄÖÜ]|^(?:D-)?\d{5}$|\bPostfach\b|\b(?:Tel|Fax|Telefon|Telefax|E-Mail)\b|@"
    r"|(?:straße|str\.|weg|platz|allee|gasse|damm|ufer)(?:\s+\d+[a-z]?)?$", re.IGNORECASE)
_HAS_ALNUM = re.compile(r"\w")
_WS_RUN = re.compile(r"\s+")
_WORDS = re.compile(r"[\w.\-]+")
_EV = re.compile(r"e\.\s?V\.")
_ADJ_ENDING = re.compile(r"(?:e|en|em|er|es)$")
_GUESS_NEXT = re.compile(r"\.?\s+([A-ZÄÖÜ][^\W\d_]*(?:-[^\W\d_]+)*)")
_GUESS_ADJ = re.compile(r"(?:es|er|isches|ischer)$")
_KREIS_TYPE = re.compile(r"(Landkreis|Kreis|Region|Städteregion|Regionalverband)\s+")
_CITY_STATE_BEFORE = re.compile(r"([A-ZÄÖÜ][\w\-]+)" + _SEP.pattern + r"$")
_KINDS = {"gemeinde": ("gemeinde",), "kreis": ("kreis",), "verband": ("verband",), "any": ("gemeinde", "kreis")}
_NEXT_NAME_TOKEN = re.compile(r"([ .()/]{1,%d})([^\W\d_]+(?:-[^\W\d_]+)*)" % MAX_GAP_CHARS)   # gap + _TOKEN


@lru_cache(maxsize=16384)
def _key(name: str) -> str:
    return norm_key(name)
_TITLES = frozenset("Dr. Prof. Hr. Fr. Bgm. OB Reg.-Bez. Lkr. Kr.".split())
_NOUN_SUFFIX = re.compile(r"(?:ung|heit|keit|schaft|tion|ität|ismus|nis|tum|ierung|ment)s?$")
_GUESS_PREFIX = frozenset("Bad Sankt St Groß Klein Alt Neu Hohen Ober Nieder Unter Mittel Nord Süd Ost West "
                          "Hansestadt Lutherstadt".split())
_GUESS_QUALIFIER = re.compile(
    r"\s*\([A-ZÄÖÜ][^()\n]{1,30}\)|\s*/\s*[A-ZÄÖÜ][\w.]*|"
    r"\s+(?:am|an\s+der|im|in\s+der|ob\s+der|auf\s+der|vor\s+der|bei|a\.\s?d\.|i\.|a\.|v\.\s?d\.)\s*[A-ZÄÖÜ][\w]*(?:(?<=\b\w{3})\.)?")


@dataclass
class _Mention:
    start: int                 # record span (cue included for a cued mention)
    end: int
    name_start: int
    name_end: int
    name: str
    kind: str                  # gemeinde, kreis, verband
    type: str | None
    cands: list[Entry] = field(default_factory=list)
    rule: str = "cue"
    accepted: bool = True
    common: bool = False
    ncands: int = 0


_STREET_STEMS = ("straße", "str.", "weg", "platz", "allee", "ring", "gasse", "damm", "ufer")  # as in contact_re
_FIVE_DIGITS = re.compile(r"\d\d\d\d\d")
_ADDRESS_STEMS = ("@", "postfach", "tel", "fax", "e-mail", "straße", "str.", "weg", "platz", "allee", "gasse",
                  "damm", "ufer")        # every _ADDRESS_LINE match without five digits holds one (folded)


def _one_space(s: str) -> str:
    """Runs of white space as one space."""
    return s if s.isalpha() else _WS_RUN.sub(" ", s)


def _address_line(line: str) -> bool:
    """``_ADDRESS_LINE.search(line)``, tried only where it can match."""
    low = fold(line)
    if any(x in low for x in _ADDRESS_STEMS) or _FIVE_DIGITS.search(line):
        return _ADDRESS_LINE.search(line) is not None
    return False


def _word_before(text: str, lo: int, hi: int) -> str | None:
    """``_PREV_WORD.search(text, lo, hi).group(1)`` (or None), read backwards from ``hi``: the
    blanks before the end (or before a final newline, where ``$`` matches too), then the run of
    word characters, dots and hyphens before them, from its first letter on."""
    e = hi - 1 if hi > lo and text[hi - 1] == "\n" else hi
    q = e
    while q > lo and text[q - 1] in " \t":
        q -= 1
    if q == e:
        return None
    r = q
    while r > lo and (_is_word_char(text[r - 1]) or text[r - 1] in ".-"):
        r -= 1
    for p in range(r, q):
        c = text[p]
        if c.isalnum() and not c.isdecimal():
            return text[p:q]
    return None


def _is_word_char(c: str) -> bool:
    """``re``'s ``\w`` for one character."""
    return c.isalnum() or c == "_"


class _DocText:
    """One document's text plus what the checks compute at most once per document."""
    __slots__ = ("text", "_low", "contact")

    def __init__(self, text: str):
        self.text = text
        self._low: str | None = None
        self.contact: dict[int, bool] = {}       # line start -> the line is (near) contact data

    @property
    def low(self) -> str:
        if self._low is None:
            self._low = fold(self.text)
        return self._low


class _Lazy:
    """A set asked only with ``in``, each member found out on demand."""
    __slots__ = ("test", "known")

    def __init__(self, test):
        self.test = test
        self.known: dict = {}

    def __contains__(self, item) -> bool:
        hit = self.known.get(item)
        if hit is None:
            hit = self.known[item] = self.test(item)
        return hit


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    return s, (len(text) if e < 0 else e)


class MunicipalitiesComponent:
    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.gazetteer: Gazetteer | None = None
        self.w = words()
        self._fw: tuple[Gazetteer, frozenset[str], frozenset[str]] | None = None

    def _first_words(self, gaz: Gazetteer) -> tuple[frozenset[str], frozenset[str]]:
        """Casefolded words a register name can start with ("sankt": keyed "st"), and their parts
        before the first hyphen ("rhein" for "rhein-sieg-kreis")."""
        fw = self._fw
        if fw is None or fw[0] is not gaz:
            first = gaz.first_tokens | {"sankt"}
            fw = self._fw = (gaz, first, frozenset(x.split("-", 1)[0] for x in first))
        return fw[1], fw[2]

    # -- register matching ---------------------------------------------------------------
    def _match(self, text: str, pos: int, kinds: tuple[str, ...], gaz: Gazetteer,
               first_filter: bool) -> tuple[int, str, list[Entry], str] | None:
        """Longest register name starting at ``pos``: (end, key, entries, kind). Words are
        ``_TOKEN`` matches within 120 characters, joined by up to MAX_GAP_CHARS of " .()/"."""
        endpos = min(len(text), pos + 120)
        m = _TOKEN.match(text, pos, endpos)
        if m is None:
            return None
        toks = list(word_key_tokens(m.group()))
        if first_filter and toks and toks[0] not in gaz.first_tokens:
            return None
        prefixes = gaz.key_prefixes
        best = None
        opened = False
        end = m.end()
        n = 1
        while True:
            key = " ".join(toks)
            if toks and key not in prefixes:
                break                      # no register name goes on like this
            for kind in kinds:
                if gaz.has(key, kind):
                    e = end + 1 if opened and text[end:end + 1] == ")" else end
                    best = (e, key, kind)
                    break
            if n >= gaz.max_tokens:
                break
            nxt = _NEXT_NAME_TOKEN.match(text, end, endpos)
            if nxt is None:
                break
            opened = opened or "(" in nxt.group(1)
            toks.extend(word_key_tokens(nxt.group(2)))
            end = nxt.end()
            n += 1
        if best is None:
            return None
        end, key, kind = best
        return end, key, gaz.lookup(key, kind), kind

    def _guess(self, text: str, pos: int, kind: str) -> int | None:
        """End of a name after a type word, without a register."""
        w = self.w
        m = _TOKEN.match(text, pos)
        if not m or not m.group()[0].isupper():
            return None
        first = m.group()
        k = _key(first)
        if first.casefold() in w.function or first in w.cues or _NOUN_SUFFIX.search(first):
            return None
        if kind != "kreis" and any(x in w.land_keys or x in w.regions for x in (k, k[:-1] if k.endswith("s") else k)):
            return None     # "Städte Deutschlands", "Gemeinden Hessens"; "Landkreis Emsland" is fine
        end = m.end()
        nxt = _GUESS_NEXT.match(text, end)
        if nxt and (first in _GUESS_PREFIX or _GUESS_ADJ.search(first)) \
                and not _NOUN_SUFFIX.search(nxt.group(1)) and nxt.group(1).casefold() not in w.function:
            end = nxt.end()
        q = _GUESS_QUALIFIER.match(text, end)
        if q:
            end = q.end()
        return end

    # -- context tests ------------------------------------------------------------------
    def _prev_word(self, text: str, start: int) -> str | None:
        prev = _word_before(text, max(0, start - 60), start)
        return prev if prev and not prev.endswith(".") else None

    def _in_contact(self, dt: _DocText, pos: int) -> bool:
        text = dt.text
        ls, le = _line_bounds(text, pos)
        hit = dt.contact.get(ls)
        if hit is None:
            hit = dt.contact[ls] = self._contact_line(dt, ls, le)
        return hit

    def _contact_line(self, dt: _DocText, ls: int, le: int) -> bool:
        text = dt.text
        if self._may_contact(dt, ls, le) and self.w.contact_re.search(text, ls, le):
            return True
        if le - ls > SHORT_LINE_CHARS:
            return False
        # a short line amid an address block: look at the non-empty lines around it
        before = [x.strip() for x in text[max(0, ls - CONTACT_WINDOW_CHARS):ls].split("\n") if _HAS_ALNUM.search(x)]
        after = [x.strip() for x in text[le:le + CONTACT_WINDOW_CHARS].split("\n") if _HAS_ALNUM.search(x)]
        for line in before[-CONTACT_BLOCK_LINES:] + after[:CONTACT_BLOCK_LINES]:
            if len(line) <= SHORT_LINE_CHARS and _address_line(line):
                return True
        return False

    def _may_contact(self, dt: _DocText, ls: int, le: int) -> bool:
        """False only where ``contact_re`` cannot match in the line: each of its branches needs a
        contact word at a word start, a street word before white space and a digit, five digits,
        "@", "://" or "www." (tests on the folded text, see :func:`fold`)."""
        text, low = dt.text, dt.low
        if low.find("@", ls, le) >= 0 or low.find("://", ls, le) >= 0 or low.find("www.", ls, le) >= 0:
            return True
        for x in self.w.contact_stems:
            i = low.find(x, ls, le)
            while i >= 0:
                if i == 0 or not (_is_word_char(text[i - 1]) or text[i - 1] == "-"):
                    return True
                i = low.find(x, i + 1, le)
        for x in _STREET_STEMS:
            i = low.find(x, ls, le)
            while i >= 0:
                j = i + len(x)
                if j < le and text[j].isspace():
                    while j < le and text[j].isspace():
                        j += 1
                    if j < le and text[j].isdecimal():
                        return True
                i = low.find(x, i + 1, le)
        return _FIVE_DIGITS.search(text, ls, le) is not None

    def _org_before(self, text: str, start: int, allow_article: bool = False) -> bool:
        """A capitalised noun or an organisation word right before the name."""
        w = self.w
        ls, _ = _line_bounds(text, start)
        lo = max(ls, start - 80)
        before = text[lo:start]
        prev = _word_before(text, lo, start)
        if not prev:
            return False
        if prev.endswith("."):
            # a title ("Dr.", "Reg.-Bez.") belongs to the name; any other dot ends a sentence
            return prev in _TITLES or prev in w.org_before
        low = prev.casefold()
        if prev[0].isupper() and low not in w.function:
            return True
        if low in _ARTICLES:
            return not allow_article
        # "Universität zu Köln", "Sparkasse der Stadt"; "das gute Essen"
        words_before = _WORDS.findall(before)[-4:]
        if len(words_before) >= 2 and words_before[-2].casefold() in _ARTICLES and prev[0].islower() \
                and _ADJ_ENDING.search(prev):
            return True
        for wd in reversed(words_before[:-1]):
            if wd in w.org_before or wd.casefold().endswith(w.org_suffixes):
                return prev.casefold() in ("zu", "der", "des", "in")
            if wd.casefold() not in ("zu", "der", "des"):
                break
        return False

    def _org_after(self, text: str, end: int, name: str) -> tuple[bool, str | None]:
        w = self.w
        m = _NEXT_WORD.match(text, end)
        nxt = m.group(1) if m else None
        if nxt is None:
            return False, None
        if nxt in w.org_after or nxt.rstrip(".") in w.org_after or (
                text.startswith("e", m.start(1)) and _EV.match(text[m.start(1):m.start(1) + 6])):
            return True, nxt
        if name in w.given and nxt[0].isupper() and nxt.casefold() not in w.function:
            return True, nxt
        return False, nxt

    # -- main -----------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        ctx = doc._.fr_ctx
        if ctx is None:
            return doc
        dt = _DocText(ctx.text)
        gaz = self.gazetteer if self.gazetteer is not None else getattr(ctx, "gazetteer", None)
        mentions = self._cued(dt, gaz)
        if gaz is not None:
            mentions += self._uncued(dt, gaz, mentions)
        mentions.sort(key=lambda m: m.start)
        out = self._resolve(dt, [m for m in mentions if m.accepted], gaz)
        doc._.fr["municipalities"].extend(out)
        return doc

    def _cue_matches(self, text: str):
        """``cue_re.finditer(text)``, searched with ``cue_scan`` (its look-behind tested here)."""
        scan = self.w.cue_scan.search
        pos = 0
        while True:
            m = scan(text, pos)
            if m is None:
                return
            s = m.start()
            if s and (_is_word_char(text[s - 1]) or text[s - 1] == "-"):
                pos = s + 1
                continue
            yield m
            pos = m.end()

    def _cued(self, dt: _DocText, gaz: Gazetteer | None) -> list[_Mention]:
        w = self.w
        text = dt.text
        found: list[_Mention] = []
        taken_until = -1
        for m in self._cue_matches(text):
            if m.start() < taken_until:
                continue
            cue = w.cues[_one_space(m.group("cue"))]
            pos = m.end()
            while text[pos].isspace():
                pos += 1
            if "\n" in text[m.end():pos]:
                continue
            kinds = _KINDS[cue.kind]
            first = True
            rec_start = m.start()
            while True:
                hit = self._name_at(text, pos, kinds, gaz)
                if hit is None:
                    break
                end, cands, kind = hit
                name = _one_space(text[pos:end])
                if not self._cued_ok(dt, rec_start, pos, end, name, first, gaz, kind):
                    break
                found.append(_Mention(rec_start if first else pos, end, pos, end, name, kind, cue.type,
                                      cands, "cue" if first else "cue-list"))
                taken_until = end
                if not cue.plural:
                    break
                sep = _SEP.match(text, end)
                if not sep or sep.end() >= len(text) or not text[sep.end()].isupper():
                    break
                nxt_word = _TOKEN.match(text, sep.end())
                if not nxt_word or nxt_word.group() in w.cues or w.cue_re.match(text, sep.end()):
                    break
                pos = sep.end()
                first = False
                rec_start = pos
        return found

    def _name_at(self, text: str, pos: int, kinds: tuple[str, ...], gaz: Gazetteer | None):
        if gaz is not None:
            hit = self._match(text, pos, kinds, gaz, first_filter=False)
            if hit is None:
                return None
            end, key, cands, kind = hit
            if kind == "kreis_uncued":
                kind = "kreis"
            if kind == "kreis" and any(c.type_code in ("43", "44", "45") for c in cands):
                # "Landkreis Hof" is the Landkreis, not the kreisfreie Stadt of the same name
                cands = [c for c in cands if c.type_code in ("43", "44", "45")]
            return end, cands, kind
        end = self._guess(text, pos, kinds[0])
        if end is None:
            return None
        kind = kinds[0]
        return end, [], kind

    def _cued_ok(self, dt: _DocText, rec_start: int, pos: int, end: int, name: str, first: bool,
                 gaz: Gazetteer | None, kind: str = "gemeinde") -> bool:
        w = self.w
        text = dt.text
        key = _key(name)
        if gaz is None and kind in ("gemeinde", "any") and (key in w.land_keys or key in w.regions):
            return False     # with a register, the register decides what a Kreis or Gemeinde is
        if self._in_contact(dt, pos):
            return False
        org, _nxt = self._org_after(text, end, "")
        if org:
            return False
        if first:
            # "Sparkasse der Stadt Soest" is an organisation; "Leitkommune Stadt Soest" is not
            before = text[max(0, rec_start - 40):rec_start]
            for wd in reversed(_WORDS.findall(before)[-3:]):
                low = wd.casefold()
                if (wd in w.org_before and wd not in ("Land", "Region", "Raum")) or \
                        (wd[0].isupper() and low.endswith(w.org_suffixes) and not low.endswith(("kommune", "kommunen"))):
                    return False
                if low not in ("der", "des", "zu"):
                    break
        return True

    def _name_starts(self, text: str, gaz: Gazetteer) -> list[int]:
        """Where ``_CAP`` matches a word whose key can start a register name (particles never
        start one): the starts of ``m`` in ``_CAP.finditer(text)`` with ``m.group().casefold()`` a
        first word. Found without a Python step per word: ``_CAP_RUN`` hands over every capitalised
        run of word characters; a run of letters is its _CAP match up to the first hyphen, so its
        key must be the part of a first word before the first hyphen; runs holding digits or "_"
        are checked one by one."""
        first_words, first_parts = self._first_words(gaz)
        runs = _CAP_RUN.findall(text)
        keys = "\n".join(runs).casefold().split("\n")      # casefold works character by character
        maybe = map(first_parts.__contains__, keys)
        if not "".join(runs).isalpha():
            maybe = map(operator.or_, maybe, map(operator.not_, map(str.isalpha, runs)))
        out = []
        pos = 0
        for i in compress(range(len(runs)), maybe):
            # runs with the same text are all candidates: the first place after the last
            # candidate where this text is a whole run is this run
            r = runs[i]
            s = text.find(r, pos)
            e = s + len(r)
            while (m := _CAP_RUN.match(text, s)) is None or m.end() != e:
                s = text.find(r, s + 1)
                e = s + len(r)
            pos = e
            if text.startswith("-", e) or not r.isalpha():
                key = _CAP.match(text, s).group().casefold()
            else:
                key = keys[i]
            if key in first_words:
                out.append(s)
        return out

    def _uncued(self, dt: _DocText, gaz: Gazetteer, cued: list[_Mention]) -> list[_Mention]:
        w = self.w
        text = dt.text
        spans = sorted((m.start, m.end) for m in cued)
        span_starts = [a for a, _ in spans]
        span_reach = list(accumulate((b for _, b in spans), max))     # furthest end so far
        out: list[_Mention] = []
        skip_until = -1
        for s in self._name_starts(text, gaz):
            if s < skip_until:
                continue
            k = bisect.bisect_right(span_starts, s)
            if k and span_reach[k - 1] > s:
                continue                     # inside a cued mention
            hit = self._match(text, s, ("gemeinde", "kreis_uncued"), gaz, first_filter=True)
            if hit is None:
                continue
            end, key, cands, kind = hit
            skip_until = end
            name = _one_space(text[s:end])
            typ = None
            name_start = s
            if kind == "kreis_uncued":
                kind = "kreis"
                if len(cands) == 1:
                    name = cands[0].bare        # "des Märkischen Kreises" -> "Märkischer Kreis"
                pm = _KREIS_TYPE.match(name)
                if pm:
                    typ = pm.group(1)
                    name = name[pm.end():]
                    name_start = s + pm.end()
            mention = _Mention(s, end, name_start, end, name, kind, typ, cands, "register")
            mention.common = key in w.common
            mention.accepted = self._uncued_ok(dt, mention, key, cands, kind)
            if mention.accepted is None:      # needs list evidence: decided below
                mention.accepted = False
                mention.rule = "pending"
            elif mention.accepted is False:
                continue
            out.append(mention)
        # names in a list with accepted municipalities ("Essen, Bochum und Dortmund"), and lists of
        # at least LIST_MIN_NAMES register names ("Breklum, Bordelum und Bredstedt")
        allm = sorted(out + cued, key=lambda x: x.start)
        chain: list[_Mention] = []
        for mm in allm + [None]:
            if mm is not None and chain:
                sep = _SEP.match(text, chain[-1].end)
                if sep and sep.end() == mm.start:
                    chain.append(mm)
                    continue
            if len(chain) >= LIST_MIN_NAMES:
                for c in chain:
                    if not c.accepted:
                        c.accepted, c.rule = True, "register-list"
            chain = [mm] if mm is not None else []
        changed = True
        while changed:
            changed = False
            for i, mm in enumerate(allm):
                if mm.accepted:
                    continue
                for j in (i - 1, i + 1):
                    if not (0 <= j < len(allm) and allm[j].accepted):
                        continue
                    a, b = (allm[j], mm) if j < i else (mm, allm[j])
                    sep = _SEP.match(text, a.end)
                    if sep and sep.end() == b.start:
                        mm.accepted = True
                        mm.rule = "register-list"
                        changed = True
                        break
        return [m for m in out if m.accepted]

    def _uncued_ok(self, dt: _DocText, m: _Mention, key: str, cands: list[Entry], kind: str) -> bool | None:
        """True: accept; False: refuse; None: accept only in a list with accepted names."""
        w = self.w
        text = dt.text
        s, e = m.start, m.end
        if kind == "kreis" and m.type is None and not cands:
            return False
        if key in w.regions or key in w.land_keys:
            return False
        prev = self._prev_word(text, s)
        prev_low = prev.casefold() if prev else ""
        if key in w.city_states:
            # "Land Berlin", "die Länder Berlin und Brandenburg"
            if prev and prev in ("Land", "Bundesland", "Länder", "Bundesländer", "Stadtstaat", "Stadtstaaten"):
                return False
            sep = _SEP.match(text, e)
            if sep:
                nm = _TOKEN.match(text, sep.end())
                if nm and _key(nm.group()) in w.land_keys:
                    return False
            pm = _CITY_STATE_BEFORE.search(text[max(0, s - 40):s])
            if pm and _key(pm.group(1)) in w.land_keys:
                return False
        if self._org_before(text, s, allow_article=kind == "kreis"):
            return False
        org, nxt = self._org_after(text, e, m.name)
        if org:
            return False
        if self._in_contact(dt, s):
            return False
        if m.type is not None or any(c.level == KREIS for c in cands) and kind == "kreis":
            return True              # "Rhein-Sieg-Kreis", "Region Hannover"
        ls, _ = _line_bounds(text, s)
        at_line_start = not text[ls:s].strip(" \t•·-–*▪")
        if at_line_start and _DATELINE_AFTER.match(text, e):
            m.rule = "dateline"
            return True
        if _APPOSITION.match(text, e):
            m.rule = "apposition"
            return True
        pop = max((c.population for c in cands), default=0)
        locative = prev_low in w.locative
        if m.common:
            if locative and pop >= COMMON_LOCATIVE_MIN_POPULATION and not (nxt and nxt[:1].isdigit()) \
                    and not (nxt and nxt[:1].isupper() and nxt.casefold() not in w.function):
                m.rule = "locative"
                return True
            return None
        if pop >= UNCUED_MIN_POPULATION:
            return True
        if locative:
            m.rule = "locative"
            return True
        return None

    # -- resolution -----------------------------------------------------------------------
    def _land_code(self, form: str) -> str | None:
        return self.w.land_codes.get(form.casefold()) or self._adj_code(form)

    def _named_laender(self, dt: _DocText):
        """The codes of the Länder the text names (``land_re`` matches), as a container asked
        code by code: a code is looked for only where the folded text holds a form mapped to it."""
        text = dt.text
        if "ı" in text or "İ" in text or self.w.land_stems is None:   # casefold and fold differ
            return {self._land_code(x.group(1)) for x in self.w.land_re.finditer(text)}
        return _Lazy(lambda code: self._land_named(dt, code))

    def _land_named(self, dt: _DocText, code: str) -> bool:
        """Does ``land_re.finditer`` find a match standing for ``code``? Every match starts a run of
        word characters and hyphens (its look-behind) and holds a form of its code: matched at
        the start of each run holding one, it is the finditer match, or the inner one of a match
        spanning two runs ("Freistaat Bayern"), which stands for the same Land."""
        w = self.w
        text, low = dt.text, dt.low
        for stem in w.land_stems.get(code, ()):
            i = low.find(stem)
            while i >= 0:
                j = i
                while j > 0 and (_is_word_char(text[j - 1]) or text[j - 1] == "-"):
                    j -= 1
                x = w.land_re.match(text, j)
                if x and self._land_code(x.group(1)) == code:
                    return True
                i = low.find(stem, i + 1)
        return False

    def _resolve(self, dt: _DocText, mentions: list[_Mention], gaz: Gazetteer | None) -> list[Municipality]:
        text = dt.text
        if gaz is not None and any(len(m.cands) > 1 for m in mentions):
            named_kreise = {m.cands[0].key for m in mentions if m.kind == "kreis" and len(m.cands) == 1}
            coloc_kreise = {m.cands[0].key[:5] for m in mentions if m.kind != "kreis" and len(m.cands) == 1}
            named_laender = self._named_laender(dt)
            coloc_laender = {m.cands[0].key[:2] for m in mentions if len(m.cands) == 1}
            for m in mentions:
                if len(m.cands) > 1:
                    best = self._pick(m.cands, named_kreise, coloc_kreise, named_laender, coloc_laender)
                    m.ncands = len(m.cands)
                    if best is not None:
                        m.cands = [best]
        out: list[Municipality] = []
        seen: dict[tuple[str, str], Municipality] = {}
        for m in mentions:
            k = (_key(m.name), m.kind)
            ags = m.cands[0].key if len(m.cands) == 1 else None
            if k in seen:
                rec = seen[k]
                if rec.type is None and m.type:
                    rec.type = m.type
                if rec.ags is None and ags:
                    rec.ags = ags
                continue
            # typed values from here: no validation needed
            rec = Municipality.model_construct(text=text[m.start:m.end], start=m.start, end=m.end, name=m.name,
                                               type=m.type, ags=ags, candidates=m.ncands or len(m.cands),
                                               rule=m.rule)
            seen[k] = rec
            out.append(rec)
        return out

    def _adj_code(self, form: str) -> str | None:
        low = form.casefold()
        for k, code in self.w.land_codes.items():
            if low.startswith(k):
                return code
        return None

    @staticmethod
    def _pick(cands, named_kreise, coloc_kreise, named_laender, coloc_laender) -> Entry | None:
        def score(c: Entry) -> float:
            return (3 * (c.key[:5] in named_kreise) + 1 * (c.key[:5] in coloc_kreise)
                    + 1 * (c.key[:2] in named_laender) + 0.5 * (c.key[:2] in coloc_laender))
        scored = sorted(((score(c), c) for c in cands), key=lambda x: -x[0])
        if scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
            return scored[0][1]
        by_pop = sorted(cands, key=lambda c: -c.population)
        if by_pop[0].population >= DOMINANT_MIN_POPULATION and \
                by_pop[0].population >= DOMINANT_POPULATION_RATIO * max(by_pop[1].population, 1):
            return by_pop[0]
        return None


@Language.factory("foerderradar_municipalities")
def make_component(nlp: Language, name: str):
    return MunicipalitiesComponent(nlp, name)
