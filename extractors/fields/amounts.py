"""Field component ``foerderradar_amounts``: euro amounts as exact Decimals with qualifier and unit.

How it works
------------
* Word lists are data (``extractors/patterns/amount_*.txt``): currency words with a factor
  (``TEUR`` = 1,000 EUR), scale words (``Mio.``, ``Milliarden``, ``Viertelmillion``), number words,
  qualifier cues and unit cues, and regexes of negative contexts (``Euro-6-Norm``, ``Euro-Cent``).
  One core regex is compiled from them once per process.
* A currency word is required in every money phrase: numbers without one ("Drei Millionen für
  die City", "50 Prozent", "73 Modellprojekte", years, dates, phone numbers, ``§ 44``) are never
  amounts. The text is first scanned for currency words only (cheap); the core regex then runs
  over small windows around them, so the cost is proportional to the number of currency words.
* Inherited currency (rule ``amount:inherited``): in a sentence that holds a money phrase, a
  number whose currency stands only there counts too ("400 Mio. Euro zur Verfügung; davon
  entfallen 50 Mio. auf Kommunen", "Von den 12 Millionen Euro gehen 8 Millionen an Städte",
  "50.000 Euro, davon 20.000 für Personal", "mit je 2.500", "von 2,5 auf 3 Millionen Euro"):
  only with a scale word, a link word (``amount_inherit.txt``) or in "von … auf …", and never
  when a noun, a unit or an attribute of a noun follows ("1,2 Millionen Einwohner", "2 Mio. t",
  "3 Mio. kleine und mittlere Unternehmen"). Never across sentences (";" joins them here).
* Core forms: suffix currency ("1,5 Mio. €", "400 Millionen Euro", "1.000.000,- €",
  "50 000 Euro", "eine halbe Milliarde Euro", "150 T€"), prefix currency ("EUR 2.500,00",
  "Euro 5.000", "TEUR 150", "€ 500,-"), ranges ("zwischen 10.000 und 50.000 Euro", "1 bis 2
  Mio. €", "5.000–10.000 €", "EUR 5.000 bis 10.000") and coordinations ("10.000 oder 20.000
  Euro", "mindestens 10.000 und höchstens 50.000 Euro"). The first number of a range or
  coordination borrows the currency (and the scale word, when it is not larger than the second
  number: "1 bis 2 Mio." = 1 Mio. to 2 Mio., but "500.000 bis 2 Mio." keeps 500,000).
* Number reading: "1.500" and "1 500" are thousands; "1,5" and "1.5" are decimals; a comma
  followed by exactly three digits ("1,500") is a thousands separator unless a scale word
  follows ("1,250 Mio. €" = 1,250,000), several commas ("1,500,000") are English thousands.
* Qualifier and unit come from a chain of cue words directly before the number ("ca.",
  "bis zu", "jährlich", "insgesamt", fillers like "in Höhe von" may stand between), cues
  directly after the currency ("pro Jahr", "/Monat", "je Vorhaben", "nicht überschreiten"), and
  as a fallback from word parts earlier in the sentence ("Förderhöchstbetrag", "jährliche").
  The cue nearest to the number wins. ``text``/``start``/``end`` cover the adjacent cue words
  ("ca. 400 Millionen Euro", "20 Millionen Euro pro Jahr").

Ranges and the scorer
---------------------
A range is ONE statement but TWO values; the gold counts both and the scorer reads ``value_eur``
only. So a range yields two records over the same span: the upper bound (``value_eur`` = upper,
``low_eur`` = lower, qualifier ``max``, rule ``amount:range``) and the lower bound
(``value_eur`` = lower, qualifier ``min``, rule ``amount:range_low``). An approximation cue
("ca. 1 bis 2 Mio. €") makes both ``approx``. Consumers that want one row per statement drop
rule ``amount:range_low``. A coordination ("10.000 oder 20.000 Euro") yields one record per
number, each over its own span. Otherwise every mention is one record (no de-duplication).
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from extractors.fields.text import TextIndex
from extractors.settings import PATTERNS_DIR
from models.records import Amount, fast_constructor

# ---------------------------------------------------------------------------- thresholds
WINDOW_BEFORE = 60           # chars scanned before a currency word (ranges, number words)
WINDOW_AFTER = 45            # chars scanned after it (prefix form "EUR 1.000.000,00 bis 2.000.000,00")
PRE_LOOKBACK = 90            # chars searched for the cue chain before a number
NEAR_LOOKBACK = 100          # chars (clipped to the sentence) searched for near cues
NEG_CONTEXT = 25             # chars around a candidate searched for negative contexts
PREFIX_MIN_PLAIN_INT = 10    # "Euro 6" (emission standard) is no amount; "EUR 50" is
YEAR_MIN, YEAR_MAX = 1900, 2099   # plain 4-digit numbers in this range are years in prefix form
MAX_KEY_CACHE = 10_000       # normalised cue surfaces remembered per process
COVER_MIN_LEN = 6            # shortest substring used to prefilter near cue word parts
INHERIT_MIN_SHARE = Decimal("0.001")  # a linked number without scale word ("davon 20.000"): at
                             # least this share of the largest money amount of its sentence ...
INHERIT_MAX_SHARE = Decimal(1)        # ... and at most the amount itself
CHANGE_MAX_RATIO = Decimal(100)       # "von 2,5 auf 3 Millionen Euro": the values at most this far apart
SCOPE_JOIN_MAX = 3           # sentences joined across ";" into one inheritance scope
INHERIT_LOOKAHEAD_WORDS = 3  # words read after "8 Millionen gehen" for a noun or a preposition

_LETTER = r"[^\W\d_]"
_NUM_WS = "[ \u00a0\u202f\u2009]"        # thousands separator spaces (no line break)
# Whitespace between tokens is matched atomically (``(?>...)``, ``*+``): every token after it
# starts with a letter, a digit, "€" or a dash, so giving back a space or a hyphen never lets a
# match succeed; it only made failing forms (most range attempts) backtrack through them.
_SEP = r"(?>\s{0,3}(?:-\s{0,2})?)"        # between number, scale and currency
_PSEP = r"[ \t\u00a0\u202f\u2009]{0,2}+"  # between a prefix currency and its number
_CONN_RANGE = r"bis\s+zu|bis|[-–—]"
_CONN_LIST = r"und|oder|bzw\.|beziehungsweise|auf"     # "auf" only after "von": a change

# --------------------------------------------------------------------------- data files


def _lines(name: str) -> list[list[str]]:
    path = Path(PATTERNS_DIR) / name
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        out.append([c.strip() for c in line.split("\t")])
    return out


def _alt(words) -> str:
    """A regex alternation of literal words, longest first, spaces matching any whitespace."""
    parts = sorted(set(words), key=lambda w: (-len(w), w))
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in parts)


def _bounded_alt(words) -> str:
    """Alternation where entries starting with a letter must not follow a letter."""
    parts = sorted(set(words), key=lambda w: (-len(w), w))
    out = []
    for w in parts:
        p = re.escape(w).replace(r"\ ", r"\s+")
        out.append(f"(?<!{_LETTER}){p}" if w[0].isalpha() else p)
    return "|".join(out)


def _ci_trie(words, bounded: bool = False) -> str:
    """The alternation ``_alt(words)`` (``_bounded_alt`` with ``bounded``), factored by common
    prefixes for use inside ``(?i:...)``: same strings, same preference (longer before its
    prefixes), but the regex engine tries a few branches per character instead of every word,
    and the letter boundary is checked once instead of once per word."""
    root: dict = {}
    for w in set(words):
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + emit(node[ch])
                for ch in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    if not bounded:
        return emit(root)
    letters = {k: v for k, v in root.items() if k.isalpha()}
    others = {k: v for k, v in root.items() if not k.isalpha()}
    parts = []
    if letters:
        parts.append(f"(?<!{_LETTER})(?:{emit(letters)})")
    if others:
        parts.append(emit(others))
    return "|".join(parts)


def _first_char_trie(words) -> str:
    """``_trie(words)`` for lower-case text, each word not after a letter: dispatched on the first
    character, the letter before checked only then (three times cheaper than ``_ci_trie``'s
    look-behind at every position)."""
    groups: dict[str, list[str]] = {}
    for w in set(words):
        groups.setdefault(w[0], []).append(w[1:])
    alts = []
    for ch, rests in sorted(groups.items()):
        tail = _trie([r for r in rests if r], first_ci=False)
        if "" in rests and tail:
            tail = f"(?:{tail})?"
        alts.append(re.escape(ch) + rf"(?<!{_LETTER}.)" + (f"(?:{tail})" if tail else ""))
    return "(?:" + "|".join(alts) + ")"


def _trie(words, first_ci: bool = True) -> str:
    """A regex matching exactly ``words`` (lower-case), factored by common prefixes so the regex
    engine dispatches on one character at a time; the first letter also matches upper case."""
    root: dict = {}
    for w in set(words):
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict, top: bool) -> str:
        alts, end = [], "" in node
        for ch in sorted(k for k in node if k):
            sub = emit(node[ch], False)
            c = re.escape(ch)
            if top and first_ci and ch.upper() != ch:
                c = f"[{re.escape(ch)}{re.escape(ch.upper())}]"
            alts.append(c + sub)
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if end else body

    return emit(root, True)


class _Patterns:
    """Everything compiled from the data files, built once per process."""

    def __init__(self) -> None:
        self.currency = {w.casefold(): Decimal(f) for w, f in _lines("amount_currency.txt")}
        self.scale = {w.casefold(): Decimal(f) for w, f in _lines("amount_scales.txt")}
        morphs, self.article, self.fraction, self.half = [], {}, {}, {}
        for row in _lines("amount_numbers.txt"):
            word, kind = row[0].casefold(), row[1]
            if kind == "morph":
                morphs.append(word)
            elif kind == "article":
                self.article[word] = Decimal(row[2])
            elif kind == "fraction":
                self.fraction[word] = Decimal(row[2])
            elif kind == "half":
                self.half[word] = Decimal(row[2])
            else:
                raise ValueError(f"amount_numbers.txt: unknown kind {kind!r} for {word!r}")

        # cues: qualifier file and unit file share one format
        self.q_pre: dict[str, str] = {}
        self.q_post: dict[str, str] = {}
        self.q_near: dict[str, str] = {}
        for cue, qual, where in _lines("amount_qualifiers.txt"):
            {"pre": self.q_pre, "post": self.q_post, "near": self.q_near}[where][_key(cue)] = qual
        self.u_pre: dict[str, str] = {}
        self.u_post: dict[str, str] = {}
        self.u_near: dict[str, str] = {}
        for cue, unit, where in _lines("amount_units.txt"):
            if where in ("pre", "both"):
                self.u_pre[_key(cue)] = unit
            if where in ("post", "both"):
                self.u_post[_key(cue)] = unit
            if where == "near":
                self.u_near[_key(cue)] = unit

        cur = _ci_trie(self.currency, bounded=True)
        scale = _ci_trie(self.scale, bounded=True)
        morph_first = _trie(m for m in morphs if m != "und")
        morph_next = _trie(morphs, first_ci=False)
        words = _trie(list(self.article) + list(self.fraction))
        half = _ci_trie(self.half)
        dig_body = (
            rf"(?:\d{{1,3}}(?:\.\d{{3}})+(?:,\d+)?"            # 1.000.000,50
            rf"|\d{{1,3}}(?:{_NUM_WS}\d{{3}})+(?:,\d+)?"       # 50 000
            rf"|\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?"              # 1,500,000.00 / 1,250
            # 1,5 / 2500 / 12.50; not where one group of three follows (the forms above read
            # that exactly so; here it would only repeat them when a longer form fails)
            rf"|(?!\d{{1,3}}[.,]\d{{3}}(?!\d))\d+(?:[.,]\d+)?)"
            rf"(?:[,.][-–—]{{1,2}})?(?!\d|[.,]\d)"             # 500,- / 500.-
        )
        dig_first = rf"(?<![\w.,§/])(?<!\d[-–—])" + dig_body    # not "2025" of "2021-2025"
        dig_second = rf"(?<![\w.,§/])" + dig_body
        word = rf"(?<!{_LETTER})(?:{words}|{morph_first}(?:{morph_next})*)(?!{_LETTER})"

        def amt(p: str, first: bool = True) -> str:
            # number [half] [scale]
            dig = dig_first if first else dig_second
            return (rf"(?P<{p}n>{dig}|{word})"
                    rf"(?:{_SEP}(?P<{p}h>(?i:(?<!{_LETTER})(?:{half})(?!{_LETTER}))))?"
                    rf"(?:{_SEP}(?P<{p}s>(?i:{scale}))(?!{_LETTER}))?")

        def cur_g(name: str) -> str:
            return rf"(?P<{name}>(?i:{cur}))(?!{_LETTER})"

        def pnum(p: str, first: bool = True) -> str:
            dig = dig_first if first else dig_second
            return rf"(?P<{p}n>{dig})(?:{_SEP}(?P<{p}s>(?i:{scale}))(?!{_LETTER}))?"

        range_suffix = (
            rf"(?:(?P<ro>[Zz]wischen|[Vv]on)\s++)?{amt('a')}(?:{_SEP}{cur_g('ac')})?"
            rf"\s*+(?P<conn>(?i:{_CONN_RANGE}|(?<!{_LETTER})(?:{_CONN_LIST})(?!{_LETTER})))\s*+"
            rf"(?:(?P<q2>(?i:{_ci_trie(k for k, v in self.q_pre.items() if v != '-')}))\s++)?"
            rf"{amt('b', False)}{_SEP}{cur_g('bc')}"
        )
        range_prefix = (
            rf"{cur_g('pac')}{_PSEP}{pnum('pa')}\s*+(?P<pconn>(?i:{_CONN_RANGE}))\s*+"
            rf"(?:{cur_g('pbc')}{_PSEP})?{pnum('pb', False)}"
        )
        suffix = rf"{amt('s')}{_SEP}{cur_g('sc')}"
        prefix = rf"{cur_g('pc')}{_PSEP}{pnum('p')}"
        # every form starts at a word start: one cheap look-behind rejects most positions
        self.core = re.compile(
            rf"(?<![\w.,§/])(?:(?P<range>{range_suffix})|(?P<prange>{range_prefix})"
            rf"|(?P<suffix>{suffix})|(?P<prefix>{prefix}))"
        )
        # fallback when a range or coordination reading is refused at a position
        self.single = re.compile(rf"(?P<range>(?!))|(?P<prange>(?!))|(?P<suffix>{suffix})|(?P<prefix>{prefix})")
        # ``core`` where no range or coordination can match (no connector word after the start):
        # the same look-behind, the same groups, only the single forms
        self.core_single = re.compile(
            rf"(?<![\w.,§/])(?:(?P<range>(?!))|(?P<prange>(?!))|(?P<suffix>{suffix})|(?P<prefix>{prefix}))")
        # every connector of a range or coordination holds one of these (lower-cased text)
        self.conn_subs = ("bis", "und", "oder", "bzw.", "beziehungsweise", "auf", "-", "–", "—")
        # currency words are found with str.find on the lower-cased text (much faster than a
        # regex scan), by an anchor each surface contains, then confirmed with ``cur_at``
        self.anchors = sorted({("€" if "€" in w else "eur" if "eur" in w else w) for w in self.currency})
        self.cur_at = re.compile(rf"(?i:{cur})(?!{_LETTER})")
        self.max_len = max(len(w) for w in self.currency)
        self.max_lead = self.max_len
        # where a money phrase may start: a number, a number word, a range opener
        self.starts = re.compile(
            rf"(?<![\w.,§/])(?:\d|(?:[Zz]wischen|[Vv]on|{words}|{morph_first}))"
        )

        # cue chain before a number, read right-to-left on the reversed text
        pre_words = list(self.q_pre) + list(self.u_pre)
        rev_alt = _ci_trie(w[::-1] for w in pre_words)
        self.pre_rev = re.compile(rf"[\s(„\"]*(?P<cue>(?i:{rev_alt}))(?!{_LETTER})")
        self.post = re.compile(
            rf"[ \t\u00a0]*(?P<cue>(?i:{_ci_trie(list(self.u_post) + list(self.q_post))}))"
            rf"(?!{_LETTER})(?!\s*(?:19|20)\d\d(?!\d))"
        )
        # near unit cues: the listed word parts, and every multi-word pre cue as a whole phrase
        # ("Je Vorhaben sind bis zu 50.000 Euro möglich")
        phrases = {k: v for k, v in self.u_pre.items() if " " in k and v not in ("total", "per_unit")}
        self.u_near_parts = dict(self.u_near)
        self.u_near_phrases = {k: v for k, v in phrases.items() if k not in self.u_near}
        self.u_near_firsts = tuple(sorted({k.split(" ")[0] + " " for k in self.u_near_phrases}))
        # prefilters for ``_near`` on the raw lower-cased window (where a space of the normalised
        # window is any whitespace run): a few substrings, one of which every word part holds;
        # a phrase's first word followed by whitespace or the window end
        self.q_near_keys = _cover(self.q_near)
        self.u_near_keys = _cover(self.u_near_parts)
        self.u_first_words = tuple(f[:-1] for f in self.u_near_firsts)
        self.u_first_at = re.compile(
            "(?:" + ("|".join(map(re.escape, self.u_first_words)) or "(?!)") + r")(?:\s|\Z)")
        self.scale_before = re.compile(rf"(?i:{scale})\s*$")

        # (key, key regex or None for a plain literal, regex); see amount_negative.txt
        self.negative: list[tuple[str, re.Pattern | None, re.Pattern]] = [
            (key.lower(), None, re.compile(rx, re.IGNORECASE)) if re.escape(key) == key
            else (key, re.compile(key), re.compile(rx, re.IGNORECASE))
            for key, rx in _lines("amount_negative.txt")]
        # surface -> normalised key (``_key``), filled as surfaces are met
        self.keys: dict[str, str] = {}

        # inherited currency (see amount_inherit.txt): every number of a sentence part between
        # the money phrases, with optional scale word; read only where a scale or link word is
        inh: dict[str, set[str]] = {"link": set(), "stop": set(), "prep": set(), "conj": set(),
                                    "det": set()}
        for word, kind in _lines("amount_inherit.txt"):
            if kind not in inh:
                raise ValueError(f"amount_inherit.txt: unknown kind {kind!r} for {word!r}")
            inh[kind].add(word.casefold())
        self.inh_stop, self.inh_prep = frozenset(inh["stop"]), frozenset(inh["prep"])
        self.inh_free = frozenset(inh["prep"] | inh["conj"] | inh["link"])   # right after a number
        self.inherit = re.compile(amt("i"))
        cue_words = [w.casefold() for w in list(self.scale) + list(inh["link"])]
        self.inh_cue = re.compile(rf"(?i:{_ci_trie(cue_words, bounded=True)})(?!{_LETTER})")
        self.inh_cue_low = re.compile(_first_char_trie(cue_words) + rf"(?!{_LETTER})")  # lower-cased text
        # Where an inheriting number may stand, found by a few scans of the whole text whose
        # patterns begin with a literal (the regex engine skips to those fast; a pattern beginning
        # with a character class or an alternation of lower-case words costs ten times more): a
        # capitalised scale word not followed by a currency (original text), a link word (lower-
        # cased text; "je" and "jeweils" only with a digit soon after).
        caps = [w for w, _ in _lines("amount_scales.txt") if w[0] in "MT"]
        self.inh_scans_text = [          # a currency right after: a money phrase of its own
            re.compile(re.escape(c) + "(?:" + _alt(w[1:] for w in caps if w[0] == c) + ")"
                       + rf"(?![\s-]*+(?i:{cur}))")
            for c in sorted({w[0] for w in caps})]
        von_links = sorted(w for w in inh["link"] if w.endswith("von"))
        self.inh_scans_low = [re.compile(
            "von(?:" + "|".join(f"(?<=(?<!{_LETTER}){re.escape(w)})" for w in von_links) + ")")]
        by_two: dict[str, list[str]] = {}
        for w in inh["link"]:
            if not w.endswith("von"):
                by_two.setdefault(w[:2], []).append(w[2:])
        self.inh_scans_low += [
            re.compile(re.escape(two) + rf"(?<!{_LETTER}..)(?:{_alt(rests)})\s++(?:{_LETTER}++\.?\s++){{0,2}}\d")
            for two, rests in sorted(by_two.items())]
        links = _ci_trie(inh["link"], bounded=True)
        self.inh_link_in = re.compile(rf"(?i:{links})(?!{_LETTER})")          # in the cue chain
        self.inh_link_before = re.compile(rf"(?i:{links})[\s,:]*$")             # before it
        conj = _bounded_alt(inh["conj"])
        self.inh_conj_before = re.compile(rf"(?:(?i:{conj})|,)\s*$")   # a further linked number
        self.inh_word = re.compile(r"[^\W\d_][\w²³.]*")
        self.inh_det_before = re.compile(rf"(?i:{_bounded_alt(inh['det'])})\s+$")

    def key(self, surface: str) -> str:
        k = self.keys.get(surface)
        if k is None:
            if len(self.keys) > MAX_KEY_CACHE:
                self.keys.clear()
            k = self.keys[surface] = _key(surface)
        return k


def _cover(words, min_len: int = COVER_MIN_LEN) -> tuple[str, ...]:
    """A few substrings (no whitespace, at least ``min_len`` characters unless a word part is
    shorter) such that each of ``words`` contains one: a cheap necessary test for "any word
    occurs" (``any(k in s for k in keys)``), chosen greedily, most words covered first."""
    todo, keys = set(words), []
    while todo:
        cands: dict[str, set[str]] = {}
        for w in todo:
            for seg in w.split():
                for i in range(len(seg)):
                    for j in range(i + min(min_len, len(seg)), len(seg) + 1):
                        cands.setdefault(seg[i:j], set()).add(w)
        key = max(cands, key=lambda c: (len(cands[c]), len(c), c))
        keys.append(key)
        todo -= cands[key]
    return tuple(keys)


def _has_any(s: str, keys: tuple[str, ...]) -> bool:
    for k in keys:
        if k in s:
            return True
    return False


def _last_cue(window: str, parts: dict[str, str], phrases: dict[str, str],
              firsts: tuple[str, ...] = ()) -> str | None:
    """The value of the cue standing last in ``window``: ``parts`` match inside words
    ("Förderhöchstbetrag"), ``phrases`` only as whole words (looked up by word n-grams)."""
    best, best_pos = None, -1
    for cue, value in parts.items():
        i = window.rfind(cue)
        if i > best_pos:
            best, best_pos = value, i
    if phrases and any(f in window for f in firsts):
        words = _WORDS.findall(window)
        pos = len(window)
        for k in range(len(words) - 1, -1, -1):
            pos = window.rfind(words[k], 0, pos)
            if pos <= best_pos:
                break
            for n in (2, 3, 4, 1):
                v = phrases.get(" ".join(words[k:k + n]))
                if v is not None:
                    return v
    return best


_WORDS = re.compile(r"[^\s,;:()„“\"]+")


def _key(cue: str) -> str:
    return " ".join(cue.casefold().split())


@lru_cache(maxsize=1)
def patterns() -> _Patterns:
    return _Patterns()


# ---------------------------------------------------------------------------- number reading


_LETTER_RUN = re.compile(r"[^\W\d_]*")
_SPACES = " \t\u00a0\u202f\u2009"
_INHERIT_PUNCT = frozenset(",;.:)]!?\"“”»«'’-–")


def _by_start(a: Amount) -> int:
    return a.start


_DIGIT_AFTER = re.compile(r"[ \t\u00a0]*\d")
_WS_RUN = re.compile(r"\s+")
_NO_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")


def _parse_digits(s: str, has_scale: bool) -> Decimal | None:
    s = s.rstrip("-–—")
    if s[-1] in ",.":
        s = s[:-1]                                 # 500,- / 500.-
    if not s.isdigit():
        s = s.translate(_NO_SPACES)
    if "." in s and "," in s:
        if s.rfind(",") > s.rfind("."):          # German 1.500,50
            s = s.replace(".", "").replace(",", ".")
        else:                                      # English 1,500.50
            s = s.replace(",", "")
    elif "," in s:
        parts = s.split(",")
        if len(parts) > 2 or (len(parts[1]) == 3 and not has_scale):
            s = s.replace(",", "")                 # 1,500,000 / 1,500 (thousands)
        else:
            s = s.replace(",", ".")                # 1,5 / 1,250 Mio.
    elif "." in s:
        parts = s.split(".")
        if len(parts) > 2 or len(parts[1]) >= 3:
            s = s.replace(".", "")                 # 1.500 / 1.000.000 / typo 1.5000
        # else: English decimal 1.5 / 12.50
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


_text2num = None


def _parse_words(s: str, pat: _Patterns) -> Decimal | None:
    global _text2num
    w = s.casefold()
    if w in pat.article:
        return pat.article[w]
    if w in pat.fraction:
        return pat.fraction[w]
    if _text2num is None:
        from text_to_num import text2num as _text2num
    try:
        return Decimal(_text2num(w, "de"))
    except (ValueError, TypeError, IndexError, KeyError):
        return None


def _clean(v: Decimal) -> Decimal:
    if v == v.to_integral_value():
        return v.quantize(Decimal(1))
    return v.normalize()


@dataclass(slots=True)
class _Num:
    raw: Decimal            # the number as written
    mult: Decimal           # half x scale
    has_scale: bool
    is_word: bool
    start: int
    end: int                # end of number (+ scale)
    plain: bool             # digits only, no separators, no scale


# group names of a number: prefix -> (number, scale, half or None where the form has none)
_GROUPS = {p: (f"{p}n", f"{p}s", f"{p}h" if p in ("a", "b", "s", "i") else None)
           for p in ("a", "b", "s", "p", "pa", "pb", "i")}


def _num_parts(n: str, s: str | None, h: str | None, pat: _Patterns) -> tuple | None:
    """(raw, mult, is_word) of a number with its scale and half word, or None where it is no
    amount; a pure function of the three surfaces (cached in ``_read_num``)."""
    is_word = not n[0].isdigit()
    raw = _parse_words(n, pat) if is_word else _parse_digits(n, bool(s))
    if raw is None or raw == 0:
        return None
    mult = Decimal(1)
    if h:
        mult *= pat.half[h.casefold()]
    if s:
        mult *= pat.scale[pat.key(s)]
    if is_word and n.casefold() in pat.article and not (s or h):
        return None                                  # "eine Euro-..." is no amount
    return raw, mult, is_word


_NUM_CACHE: dict[tuple, tuple | None] = {}


def _read_num(m: re.Match, p: str, pat: _Patterns) -> _Num | None:
    gn, gs, gh = _GROUPS[p]
    n = m.group(gn)
    s = m.group(gs)
    h = m.group(gh) if gh is not None else None
    key = (n, s, h)
    try:
        parts = _NUM_CACHE[key]
    except KeyError:
        if len(_NUM_CACHE) > MAX_KEY_CACHE:
            _NUM_CACHE.clear()
        parts = _NUM_CACHE[key] = _num_parts(n, s, h, pat)
    if parts is None:
        return None
    raw, mult, is_word = parts
    return _Num(raw, mult, bool(s), is_word, m.start(gn), m.end(gs if s else gh if h else gn), n.isdigit())


def _year_like(num: _Num) -> bool:
    return num.plain and len(str(num.raw)) == 4 and YEAR_MIN <= int(num.raw) <= YEAR_MAX


# ---------------------------------------------------------------------------- records

_AMOUNT_FIELDS = ("text", "start", "end", "value_eur", "low_eur", "qualifier", "unit", "rule")


def _construct_amount(text, start, end, value_eur, low_eur, qualifier, unit, rule) -> Amount:
    return Amount.model_construct(text=text, start=start, end=end, value_eur=value_eur,
                                  low_eur=low_eur, qualifier=qualifier, unit=unit, rule=rule)


def _amount_maker():
    """``Amount.model_construct`` with all fields given, without its per-call field loop
    (``models.records.fast_constructor``; ``model_construct`` itself where the model is not
    plain). tests/test_amounts.py compares both."""
    fill = fast_constructor(Amount, _AMOUNT_FIELDS)
    if fill is None:
        return _construct_amount

    def make(text, start, end, value_eur, low_eur, qualifier, unit, rule) -> Amount:
        return fill({"text": text, "start": start, "end": end, "value_eur": value_eur,
                     "low_eur": low_eur, "qualifier": qualifier, "unit": unit, "rule": rule})

    return make


_amount = _amount_maker()


# ---------------------------------------------------------------------------- component


@dataclass(slots=True)
class _Hit:
    value: Decimal
    low: Decimal | None
    start: int              # core start (before cue chain)
    end: int                # core end (before post cues)
    rule: str
    qualifier: str | None   # forced by the form (range bounds, in-phrase cue)
    sub: bool = False       # part of a coordination: own span, shares post cues


class AmountsComponent:
    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.pat = patterns()

    # -- finding --------------------------------------------------------------------------
    def find(self, text: str, index=None) -> list[Amount]:
        """All amounts in ``text``; ``index`` (a TextIndex) clips near cues to the sentence.

        Anchored on currency words: for each one, the places before it where a number (or a
        range opener) starts are tried in order with ``core.match``; the first money phrase that
        reaches the currency wins, else the prefix form starting at the currency itself.
        """
        pat = self.pat
        out: list[Amount] = []
        prev_end = 0
        n = len(text)
        low = text.lower()
        if len(low) == n:
            # negative contexts whose key is nowhere in the text cannot apply near a candidate
            negs = [neg for neg in pat.negative
                    if (neg[0] in low if neg[1] is None else neg[1].search(low) is not None)]
        else:                                        # a few characters change length when lowered
            negs = pat.negative
        starts_at, core, core_single = pat.starts.finditer, pat.core.match, pat.core_single.match
        # Range and coordination forms need a connector ("bis", "und", "-", ...) in the match: a
        # start after the window's last connector tries only the single forms. (Exact where the
        # lower-cased text has the same length and no letter that case-insensitive matching
        # equates with a connector letter: dotless i, long s.)
        conn_subs = pat.conn_subs if len(low) == n and "ı" not in text and "ſ" not in text else None
        for cs, ce in self._currencies(text, low):
            if cs < prev_end:
                continue                             # inside the last phrase ("EUR 5 bis EUR 10")
            lo = cs - WINDOW_BEFORE
            if lo < prev_end:
                lo = prev_end
            hi = ce + WINDOW_AFTER
            if hi > n:
                hi = n
            starts = [m.start() for m in starts_at(text, lo, cs)]
            starts.append(cs)
            last_conn = hi
            if conn_subs is not None:
                last_conn = -1
                for c in conn_subs:
                    i = low.rfind(c, lo, hi)
                    if i > last_conn:
                        last_conn = i
            for p in starts:
                m = core(text, p, hi) if p <= last_conn else core_single(text, p, hi)
                if m is None or m.end() < ce:
                    continue
                hits = self._hits(m, text, negs)
                if hits is None and (m.group("range") or m.group("prange")):
                    m2 = pat.single.match(text, p, hi)
                    if m2 is not None and m2.end() >= ce:
                        m, hits = m2, self._hits(m2, text, negs)
                if hits is None:
                    continue
                recs = self._records(hits, m.start(), m.end(), text, prev_end, index)
                out.extend(recs)
                prev_end = max(m.end(), max(r.end for r in recs))
                break
        if out:
            inherited = self._inherited(text, low, out, index)
            if inherited:
                out = sorted(out + inherited, key=_by_start)   # stable: range pairs keep order
        return out

    def _currencies(self, text: str, low: str | None = None) -> list[tuple[int, int]]:
        """(start, end) of every currency word, found with str.find on the lower-cased text."""
        pat = self.pat
        if low is None:
            low = text.lower()
        if len(low) != len(text):                    # a few characters change length when lowered
            return [m.span() for m in pat.cur_at.finditer(text)]
        n, found = len(text), set()
        for anchor in pat.anchors:
            i = low.find(anchor)
            while i != -1:
                s, e = i, _LETTER_RUN.match(low, i + len(anchor)).end()
                while s > 0 and low[s - 1].isalpha() and i - s <= pat.max_lead:
                    s -= 1
                if e - s <= pat.max_len and low[s:e] in pat.currency:
                    found.add((s, e))
                elif not anchor[0].isalpha() and not (i + len(anchor) < n and low[i + len(anchor)].isalpha()):
                    found.add((i, i + len(anchor)))  # "Mio€": the bare symbol
                i = low.find(anchor, e)
        return sorted(found)

    def _hits(self, m: re.Match, text: str, negs: list | None = None) -> list[_Hit] | None:
        pat = self.pat
        kind = m.lastgroup                           # the outermost group closes last
        if negs is None:
            negs = pat.negative
        if negs:
            ctx0, ctx1 = max(0, m.start() - NEG_CONTEXT), min(len(text), m.end() + NEG_CONTEXT)
            near = text[ctx0:ctx1].lower()
            for key, key_rx, rx in negs:
                if key in near if key_rx is None else key_rx.search(near) is not None:
                    for nm in rx.finditer(text, ctx0, ctx1):
                        if nm.start() < m.end() and nm.end() > m.start():
                            return None
        end = m.end()

        if kind == "suffix":
            num = _read_num(m, "s", pat)
            if num is None:
                return None
            factor = pat.currency[m.group("sc").casefold()]
            if num.plain and _year_like(num) and _DIGIT_AFTER.match(text, end, end + 4):
                return None                          # "im Jahr 2024 EUR 5.000"
            if num.is_word and not num.has_scale and text[end:end + 1] == "-":
                return None                          # "Ein-Euro-Job"-like compounds
            return [_Hit(_clean(num.raw * num.mult * factor), None, m.start(), end,
                         "amount:suffix:words" if num.is_word else "amount:suffix", None)]

        if kind == "prefix":
            num = _read_num(m, "p", pat)
            if num is None or not self._prefix_ok(m, "pc", num, text):
                return None
            factor = pat.currency[m.group("pc").casefold()]
            return [_Hit(_clean(num.raw * num.mult * factor), None, m.start(), end,
                         "amount:prefix", None)]

        if kind == "prange":
            a, b = _read_num(m, "pa", pat), _read_num(m, "pb", pat)
            if a is None or b is None or not self._prefix_ok(m, "pac", a, text):
                return None
            factor = pat.currency[m.group("pac").casefold()]
            fb = pat.currency[m.group("pbc").casefold()] if m.group("pbc") else factor
            return self._range(a, b, factor, fb, m, is_range=True)

        # suffix range or coordination
        a, b = _read_num(m, "a", pat), _read_num(m, "b", pat)
        if a is None or b is None:
            return None
        fb = pat.currency[m.group("bc").casefold()]
        fa = pat.currency[m.group("ac").casefold()] if m.group("ac") else fb
        if b.plain and _year_like(b) and _DIGIT_AFTER.match(text, end, end + 4):
            return None
        if _year_like(a) and not m.group("ac") and not _year_like(b):
            return None              # "ab 2024 bis zu 50.000 Euro": a year, then the amount
        conn = _WS_RUN.sub(" ", m.group("conn").casefold())
        opener = (m.group("ro") or "").casefold()
        if conn == "auf":            # "von 2,5 auf 3 Millionen Euro": a change, not a range
            return None if opener != "von" or m.group("ac") else self._change(a, b, fb, m)
        is_range = conn.startswith("bis") or conn in "-–—" or (opener == "zwischen" and conn == "und")
        if not is_range and m.group("ac"):
            return None              # "10.000 Euro und 20.000 Euro": two single amounts
        return self._range(a, b, fa, fb, m, is_range=is_range)

    def _prefix_ok(self, m: re.Match, cur_group: str, num: _Num, text: str) -> bool:
        if num.has_scale:
            return True
        if num.plain and num.raw < PREFIX_MIN_PLAIN_INT:
            return False                             # "Euro 6"
        if _year_like(num):
            return False                             # "Euro 2024", table header "EUR 2023"
        if self.pat.scale_before.search(text, max(0, m.start(cur_group) - 12), m.start(cur_group)):
            return False                             # header "in Mio. € 2022"
        nxt = text[m.end():m.end() + 1]
        return not (nxt and nxt.isalpha())          # "Euro 6d"

    def _range(self, a: _Num, b: _Num, fa: Decimal, fb: Decimal, m: re.Match,
               is_range: bool) -> list[_Hit]:
        # the first number borrows the second's scale when it has none and is not larger
        mult_a = a.mult
        if not a.has_scale and b.has_scale and a.raw <= b.raw and a.mult == 1:
            mult_a = b.mult
        va = _clean(a.raw * mult_a * fa)
        vb = _clean(b.raw * b.mult * fb)
        if is_range:
            lo, hi = min(va, vb), max(va, vb)
            return [_Hit(hi, lo, m.start(), m.end(), "amount:range", "max"),
                    _Hit(lo, None, m.start(), m.end(), "amount:range_low", "min")]
        q2 = m.groupdict().get("q2")
        q2v = self.pat.q_pre.get(_key(q2)) if q2 else None
        first_end = m.end("ac") if m.group("ac") else a.end
        return [_Hit(va, None, m.start(), first_end, "amount:list", None, sub=True),
                _Hit(vb, None, m.start("q2") if q2 else b.start, m.end(), "amount:list",
                     q2v or "exact", sub=True)]

    def _change(self, a: _Num, b: _Num, factor: Decimal, m: re.Match) -> list[_Hit] | None:
        """"von 2,5 auf 3 Millionen Euro": the first number inherits the currency, and the scale
        word when it has none and is below a thousand (also when it is the larger one: "sinkt von
        3 auf 2,5 Millionen Euro"); refused when the two values are far apart in size."""
        mult_a = b.mult if not a.has_scale and a.mult == 1 and a.raw < 1000 else a.mult
        va = _clean(a.raw * mult_a * factor)
        vb = _clean(b.raw * b.mult * factor)
        if not (vb <= va * CHANGE_MAX_RATIO and va <= vb * CHANGE_MAX_RATIO):
            return None                          # "von 800 auf 1,2 Mio. Euro" is no 800 Mio.
        q2 = m.group("q2")
        q2v = self.pat.q_pre.get(_key(q2)) if q2 else None
        return [_Hit(va, None, m.start(), a.end, "amount:inherited", None, sub=True),
                _Hit(vb, None, m.start("q2") if q2 else b.start, m.end(), "amount:suffix",
                     q2v, sub=True)]

    # -- cues -----------------------------------------------------------------------------
    def _pre_chain(self, text: str, start: int, floor: int) -> tuple[int, str | None, str | None]:
        """Walk cue words leftwards from ``start``: (span start, qualifier, unit)."""
        pat = self.pat
        lo = max(floor, start - PRE_LOOKBACK)
        rev = text[lo:start][::-1]
        pos, span_start, qual, unit = 0, start, None, None
        while True:
            m = pat.pre_rev.match(rev, pos)
            if m is None:
                break
            cue = _key(m.group("cue")[::-1])
            q, u = pat.q_pre.get(cue), pat.u_pre.get(cue)
            if q is None and u is None:
                break
            if q != "-":
                span_start = start - m.end()
            if q and q != "-" and qual is None:
                qual = q
            if u and unit is None:
                unit = u
            pos = m.end()
        return span_start, qual, unit

    def _post(self, text: str, end: int) -> tuple[int, str | None, str | None]:
        pat = self.pat
        pos, qual, unit = end, None, None
        for _ in range(2):
            m = pat.post.match(text, pos)
            if m is None:
                break
            cue = _key(m.group("cue"))
            if cue in pat.u_post and unit is None:
                unit = pat.u_post[cue]
            elif cue in pat.q_post and qual is None:
                qual = pat.q_post[cue]
            else:
                break
            pos = m.end()
        return pos, qual, unit

    def _near(self, text: str, start: int, floor: int, index) -> tuple[str | None, str | None]:
        """Qualifier and unit from word parts and phrases earlier in the sentence (at most
        NEAR_LOOKBACK characters back, not before ``floor``)."""
        pat = self.pat
        lo = max(floor, start - NEAR_LOOKBACK)
        if lo >= start:
            return None, None
        # Plain substring tests on the whitespace-normalised lower-cased window: far cheaper than
        # a big alternation. That window is built only when a prefilter on the raw window finds
        # a cue, and the sentence start is looked up only then (the window only gets shorter).
        raw = text[lo:start].lower()
        q_maybe, u_maybe = _has_any(raw, pat.q_near_keys), _has_any(raw, pat.u_near_keys)
        if not u_maybe and _has_any(raw, pat.u_first_words):
            u_maybe = pat.u_first_at.search(raw) is not None
        if not (q_maybe or u_maybe):
            return None, None
        if index is not None:
            s0 = index.sentence(start)[0]
            if s0 > lo:
                lo = s0
                if lo >= start:
                    return None, None
                raw = text[lo:start].lower()
        w = " ".join(raw.split())
        return (_last_cue(w, pat.q_near, {}) if q_maybe else None,
                _last_cue(w + " ", pat.u_near_parts, pat.u_near_phrases, pat.u_near_firsts)
                if u_maybe else None)

    def _records(self, hits: list[_Hit], core_start: int, core_end: int, text: str, floor: int,
                 index) -> list[Amount]:
        post_end, post_q, post_u = self._post(text, core_end)
        chain_start, pre_q, pre_u = self._pre_chain(text, core_start, floor)
        near_q = near_u = None
        if pre_q is None and post_q is None or pre_u is None and post_u is None:
            near_q, near_u = self._near(text, chain_start, floor, index)
        unit = pre_u or post_u or near_u or "total"
        recs = []
        for i, h in enumerate(hits):
            if h.sub:
                if i == 0:
                    start, end, q = chain_start, h.end, pre_q or near_q or "exact"
                else:
                    start, end, q = h.start, post_end, post_q or h.qualifier or "exact"
            else:
                start, end = chain_start, post_end
                cue_q = pre_q or post_q
                if h.qualifier is not None:          # range bounds; an approximation wins
                    q = "approx" if cue_q == "approx" else h.qualifier
                else:
                    q = cue_q or near_q or "exact"
            # values are typed and checked here; skip pydantic validation (hot path)
            recs.append(_amount(text[start:end], start, end, h.value, h.low, q, unit, h.rule))
        return recs

    # -- inherited currency ---------------------------------------------------------------
    def _inherited(self, text: str, low: str, found: list[Amount], index) -> list[Amount]:
        """Amounts whose currency stands only at another money amount of the same sentence.

        A few fast scans find where such a number may stand (a capitalised scale word, a link
        word); only a sentence holding one of those outside the found amounts and a found amount
        (sentences joined across ";" on one line) is read: the parts between its found amounts.
        A number inherits when it has a scale word ("davon entfallen 50 Mio. auf Kommunen"), or
        a link word before it ("davon 20.000", "je 2.500", and a number coordinated with an
        inherited one: "und 250.000") and is at most the sentence's largest amount and at least
        a thousandth of it; never when a unit, a capitalised word (a noun: "1,2 Millionen
        Einwohner") or an attribute of one ("2 Millionen neue Stellen") follows. ("von 2,5 auf
        3 Millionen Euro" is read by the core regex: ``_change``.)
        """
        pat = self.pat
        same = len(low) == len(text)
        cands = [m.start() for rx in pat.inh_scans_text for m in rx.finditer(text)]
        for rx in pat.inh_scans_low:
            if same:
                cands.extend(m.start() for m in rx.finditer(low))
            else:                                    # a few characters change length when lowered
                cands.extend(m.start() for m in re.finditer(rx.pattern, text, re.IGNORECASE))
        if not cands:
            return []
        outside = []                                 # found: in text order, not overlapping
        for p in cands:
            i = bisect_right(found, p, key=_by_start) - 1
            if i < 0 or found[i].end <= p:
                outside.append(p)
        if not outside:
            return []
        k = len(found)
        if index is None:
            index = TextIndex(text)
        cue_at, cue_text = (pat.inh_cue_low.search, low) if same else (pat.inh_cue.search, text)
        starts = index.sentence_starts
        out: list[Amount] = []
        done_to = -1
        for p in sorted(outside):
            if p < done_to:
                continue                             # its sentence was read
            s0, s1 = self._scope(text, starts, p)
            done_to = s1
            i0 = i = bisect_right(found, s0 - 1, key=_by_start)
            if i >= k or found[i].start >= s1:
                continue                             # no money in the sentence
            cur, gaps = s0, []
            while i < k and found[i].start < s1:
                r = found[i]
                if r.start > cur + 1:
                    gaps.append((cur, r.start))
                if r.end > cur:
                    cur = r.end
                i += 1
            if cur + 1 < s1:
                gaps.append((cur, s1))
            top = max(found[x].value_eur for x in range(i0, i))
            for g0, g1 in gaps:
                self._read_gap(text, g0, g1, top, cue_at, cue_text, index, out)
        return out

    def _read_gap(self, text: str, g0: int, g1: int, top: Decimal,
                  cue_at, cue_text: str, index, out: list[Amount]) -> None:
        """Inherited amounts in text[g0:g1], a sentence part between money phrases (``top``: the
        largest money amount of the sentence)."""
        pat = self.pat
        if cue_at(cue_text, g0, g1) is None:
            return
        floor, linked = g0, False
        for m in pat.inherit.finditer(text, g0, g1):
            if m.start() < floor:
                continue
            num = _read_num(m, "i", pat)
            if num is None:
                continue
            value = _clean(num.raw * num.mult)
            if not num.has_scale:
                # a linked plain number: digits, no year, a plausible share of the money
                if num.is_word or _year_like(num):
                    continue
                if not (top * INHERIT_MIN_SHARE <= value <= top * INHERIT_MAX_SHARE):
                    continue
            chain_start = self._pre_chain(text, m.start(), floor)[0]
            lo = max(floor, chain_start - 12)
            if pat.inh_det_before.search(text, lo, chain_start):
                continue                     # "der rund 4 Mio. in ländlichen Räumen lebenden …"
            if not num.has_scale:
                if (pat.inh_link_in.search(text, chain_start, m.start()) is None
                        and pat.inh_link_before.search(text, lo, chain_start) is None
                        and not (linked and pat.inh_conj_before.search(text, lo, chain_start))):
                    continue
            if not self._money_follows(text, num.end, g1):
                continue
            recs = self._records([_Hit(value, None, m.start(), num.end, "amount:inherited", None)],
                                 m.start(), num.end, text, floor, index)
            out.extend(recs)
            floor = recs[-1].end
            linked = True            # "davon 500.000 für Kommunen und 250.000 für Vereine"

    @staticmethod
    def _scope(text: str, starts: list[int], pos: int) -> tuple[int, int]:
        """The sentence holding ``pos`` (``starts``: the sentence starts of a TextIndex), joined
        with its neighbours across a ";" on the same line."""
        i = bisect_right(starts, pos) - 1
        j = i + 1
        for _ in range(SCOPE_JOIN_MAX):
            if i <= 0 or not text[starts[i] - 4:starts[i]].rstrip(_SPACES).endswith(";"):
                break
            i -= 1
        last = len(starts)
        for _ in range(SCOPE_JOIN_MAX):
            if j >= last or not text[starts[j] - 4:starts[j]].rstrip(_SPACES).endswith(";"):
                break
            j += 1
        return (starts[i] if i >= 0 else 0), (starts[j] if j < last else len(text))

    def _money_follows(self, text: str, end: int, limit: int) -> bool:
        """May the number ending at ``end`` be money by what follows it? A post cue ("pro Jahr"),
        punctuation, a preposition or conjunction ("8 Millionen an Städte") yes; a digit, a unit,
        a symbol, a capitalised word (a noun, another currency: "1,2 Millionen Einwohner") no;
        another lower-case word (a verb or an attribute) yes unless a capitalised word follows
        before a preposition or punctuation ("3 Mio. kleine und mittlere Unternehmen")."""
        pat = self.pat
        if pat.post.match(text, end) is not None:
            return True
        j = end
        while j < limit and text[j].isspace():
            j += 1
        if j >= limit:
            return True
        c = text[j]
        if c in _INHERIT_PUNCT:
            return c not in "-–" or j > end          # "3 Mio. – davon", not "3-Millionen-Programm"
        if not c.isalpha() or c.isupper() or j == end:
            return False
        m = pat.inh_word.match(text, j)
        word = m.group().casefold()
        bare = word.rstrip(".")
        if word in pat.inh_stop or bare in pat.inh_stop:
            return False
        if word in pat.inh_free or bare in pat.inh_free:
            return True
        k = m.end()
        for _ in range(INHERIT_LOOKAHEAD_WORDS):
            while k < limit and text[k].isspace():
                k += 1
            if k >= limit:
                return True
            c = text[k]
            if c.isupper():
                return False                         # "2 Millionen neue Arbeitsplätze"
            if not c.isalpha():
                return True                          # punctuation, a number
            m = pat.inh_word.match(text, k)
            word = m.group().casefold()
            if word in pat.inh_prep or word.rstrip(".") in pat.inh_prep:
                return True                          # "8 Millionen gehen an Städte"
            k = m.end()
        return True

    def __call__(self, doc: Doc) -> Doc:
        ctx = doc._.fr_ctx
        if ctx is not None:
            found = self.find(ctx.text, ctx.index)
        else:
            found = self.find(doc.text)
        if doc._.fr is None:
            doc._.fr = {}
        doc._.fr.setdefault("amounts", []).extend(found)
        return doc


@Language.factory("foerderradar_amounts")
def make_component(nlp: Language, name: str):
    return AmountsComponent(nlp, name)
