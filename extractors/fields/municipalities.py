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

Every word list is a pattern file ``extractors/patterns/muni_*``; :func:`find_municipalities` is
the whole component as a plain function, the spaCy factory only hands it the document's context.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from itertools import accumulate


from extractors.fields.gazetteer import KREIS, Entry, Gazetteer, key_tokens, norm_key
from extractors.fields.municipality_keys import KREIS_TYPE, disambiguate
from extractors.fields.municipality_lists import ITEM_TAIL, SEP, accept_lists, line_bounds
from extractors.fields.municipality_words import Words, words
from extractors.fields.pipeline import field_component
from extractors.fields.rules import at_word_start, fold
from models.records import Municipality

# --- thresholds ---------------------------------------------------------------------------
UNCUED_MIN_POPULATION = 5_000             # a bare name of a smaller place needs context evidence
COMMON_LOCATIVE_MIN_POPULATION = 20_000   # "in Essen" counts; "in Stein" (a noun too) does not
CONTACT_BLOCK_LINES = 3                   # lines around a short line searched for address signals
SHORT_LINE_CHARS = 70                     # a line this short may belong to an address block
CONTACT_WINDOW_CHARS = 300                # how far around that line to look
CONTACT_SPAN_CHARS = 40                   # a contact signal this close to a name makes it contact data
MAX_GAP_CHARS = 3                         # characters between the words of one name ("a. d. ")

# --- text shapes (grammar, not vocabulary) -----------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# a capitalised word not inside a word or an abbreviation ("Ulm/Neu-Ulm" are two); the look-behind
# follows the first letter so that the engine skips ahead to capitals (5x faster than a leading one)
_CAP = re.compile(r"[A-ZÄÖÜ](?<![\w\-.&][A-ZÄÖÜ])[^\W\d_]*(?:-[^\W\d_]+)*")
_URL_TOKEN = re.compile(r"://|www\.|\w\.[a-z]{2,6}(?:/|$)")
_CUE_GAP = re.compile(r"(?:[^\S\n]*\([^()\n]{1,20}\))?:?[^\S\n]+(?:von[^\S\n]+)?")   # "Kreise (LK): ", "Kreise von"
_RANGE_SEP = re.compile(r"[^\S\n]+bis[^\S\n]+")                  # "fünf Kreise von Vorpommern-Rügen bis Barnim"
_GENITIVE_NEXT = re.compile(r"[^\S\n]+[A-ZÄÖÜ][a-zäöüß]")
_RB_WORDS = re.compile(r"Regierungsbezirk|Reg\.-Bez\.|Bezirksregierung")
_NEXT_NAME_TOKEN = re.compile(r"([ .()/]{1,%d})([^\W\d_]+(?:-[^\W\d_]+)*)" % MAX_GAP_CHARS)   # gap + _TOKEN
_NEXT_WORD = re.compile(r"[ \t]*(\(?[\w.\-]+)")
_WORDS = re.compile(r"[\w.\-]+")
_DATELINE_AFTER = re.compile(
    r"(?:/[A-ZÄÖÜ][\w\-]*)*"                                      # "Berlin/Magdeburg"
    r"(?:\s*(?:\([^)\n]{0,25}\)\s*)?[,–—-]\s*(?:den\s+)?\d{1,2}\.\s*(?:\d{1,2}\.|[A-ZÄ][a-zä]+)"  # ", 3. Mai"
    r"|\s*\((?:dpa|ots|epd|kna|afp|red)\b"                        # "(dpa)"
    r"|\.?[^\S\n]*\((?:[a-z]{2,5}|[A-Z]{2,5})(?:/[a-z]{2,4})?\)[^\S\n]*[.:–—-]?[^\S\n]*[A-ZÄÖÜ„\"«])")  # "(pm). Digital"
_CITY_STATE_BEFORE = re.compile(r"([A-ZÄÖÜ][\w\-]+)" + SEP.pattern + r"$")
_EV = re.compile(r"e\.\s?V\.")
_ADJ_ENDING = re.compile(r"(?:e|en|em|er|es)$")
_HAS_ALNUM = re.compile(r"\w")
_WS_RUN = re.compile(r"\s+")
_GUESS_NEXT = re.compile(r"\.?\s+([A-ZÄÖÜ][^\W\d_]*(?:-[^\W\d_]+)*)")
_GUESS_ADJ = re.compile(r"(?:es|er|isches|ischer)$")
_GUESS_QUALIFIER = re.compile(
    r"\s*\([A-ZÄÖÜ][^()\n]{1,30}\)|\s*/\s*[A-ZÄÖÜ][\w.]*|"
    r"\s+(?:am|an\s+der|im|in\s+der|ob\s+der|auf\s+der|vor\s+der|bei|a\.\s?d\.|i\.|a\.|v\.\s?d\.)\s*[A-ZÄÖÜ][\w]*(?:(?<=\b\w{3})\.)?")
_KINDS = {"gemeinde": ("gemeinde",), "kreis": ("kreis",), "verband": ("verband",), "any": ("gemeinde", "kreis")}
_LINKS = ("der", "des", "zu")              # "Sparkasse der Stadt Soest", "Universität zu Köln"
_LANDKREIS_TYPES = ("43", "44", "45")      # register type codes of Kreise that are not cities


# --- records and context ------------------------------------------------------------------------

@dataclass(slots=True)
class Mention:
    """A name found in the text, with its register entries and how it was judged (internal)."""
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
    common: bool = False       # the name is also an ordinary word
    ncands: int = 0            # entries the name could mean before disambiguation
    key: str = ""              # the register key matched (bare names)


@dataclass
class MuniText:
    """One document as the rules see it: text, register, word lists, and the per-line contact
    verdicts computed so far."""
    text: str
    gaz: Gazetteer | None
    w: Words
    low: str = ""                          # fold(text): same offsets, lower case
    land: str | None = None                # the source's Land (2-digit code), where known
    contact: dict[int, bool] = field(default_factory=dict)


def _one_space(s: str) -> str:
    return _WS_RUN.sub(" ", s)


def _word_before(text: str, lo: int, hi: int) -> str | None:
    """The word that ends, followed by blanks, at ``hi`` (a final newline aside) within
    ``text[lo:hi]``: its run of word characters, dots and hyphens from the first letter on. Read
    backwards (the equivalent regex ``([^\\W\\d_][\\w.\\-]*)[ \\t]+$`` costs 30 µs a call)."""
    seg = text[lo:hi - 1] if hi > lo and text[hi - 1] == "\n" else text[lo:hi]
    word = seg.rstrip(" \t")
    if len(word) == len(seg):
        return None
    r = len(word)
    while r and (word[r - 1].isalnum() or word[r - 1] in "_.-"):
        r -= 1
    return next((word[i:] for i in range(r, len(word)) if word[i].isalnum() and not word[i].isdecimal()), None)


# --- register matching ----------------------------------------------------------------------------

def _match(text: str, pos: int, kinds: tuple[str, ...], gaz: Gazetteer,
           first_filter: bool, limit: int | None = None) -> tuple[int, str, list[Entry], str] | None:
    """Longest register name starting at ``pos``: (end, key, entries, kind). Words are ``_TOKEN``
    matches within 120 characters (or up to ``limit``), joined by up to MAX_GAP_CHARS of " .()/"."""
    endpos = min(len(text), pos + 120, limit or len(text))
    m = _TOKEN.match(text, pos, endpos)
    if m is None:
        return None
    toks = key_tokens(m.group())
    if first_filter and toks and toks[0] not in gaz.first_tokens:
        return None
    best, opened, end, n = None, False, m.end(), 1
    while True:
        key = " ".join(toks)
        if toks and key not in gaz.key_prefixes:
            break                      # no register name goes on like this
        kind = next((k for k in kinds if gaz.has(key, k)), None)
        if kind is not None:
            best = (end + 1 if opened and text[end:end + 1] == ")" else end, key, kind)
        if n >= gaz.max_tokens:
            break
        nxt = _NEXT_NAME_TOKEN.match(text, end, endpos)
        if nxt is None:
            break
        opened = opened or "(" in nxt.group(1)
        toks.extend(key_tokens(nxt.group(2)))
        end = nxt.end()
        n += 1
    if best is None:
        return None
    end, key, kind = best
    return end, key, gaz.lookup(key, kind), kind


def _guess(d: MuniText, pos: int, kind: str) -> int | None:
    """Without a register: the end of the name after a type word (one capitalised word, with a
    prefix word its next one, and a qualifier: "Bad Homburg", "Frankfurt am Main", "Halle (Saale)")."""
    w, text = d.w, d.text
    m = _TOKEN.match(text, pos)
    if not m or not m.group()[0].isupper():
        return None
    first = m.group()
    k = norm_key(first)
    if first.casefold() in w.function or first in w.cues or w.noun_suffix_re.search(first):
        return None
    if kind != "kreis" and any(x in w.land_keys or x in w.regions for x in (k, k[:-1] if k.endswith("s") else k)):
        return None     # "Städte Deutschlands", "Gemeinden Hessens"; "Landkreis Emsland" is fine
    end = m.end()
    nxt = _GUESS_NEXT.match(text, end)
    if nxt and (first in w.name_prefixes or _GUESS_ADJ.search(first)) \
            and not w.noun_suffix_re.search(nxt.group(1)) and nxt.group(1).casefold() not in w.function:
        end = nxt.end()
    q = _GUESS_QUALIFIER.match(text, end)
    return q.end() if q else end


def _name_at(d: MuniText, pos: int, kinds: tuple[str, ...]) -> tuple[int, list[Entry], str] | None:
    """The name after a type word: (end, register entries, kind), or None."""
    if d.gaz is None:
        end = _guess(d, pos, kinds[0])
        return None if end is None else (end, [], kinds[0])
    hit = _match(d.text, pos, kinds, d.gaz, first_filter=False)
    if hit is None:
        return None
    end, _key, cands, kind = hit
    if kind == "kreis_uncued":
        kind = "kreis"
    if kind == "kreis" and any(c.type_code in _LANDKREIS_TYPES for c in cands):
        # "Landkreis Hof" is the Landkreis, not the kreisfreie Stadt of the same name
        cands = [c for c in cands if c.type_code in _LANDKREIS_TYPES]
    return end, cands, kind


# --- context tests ----------------------------------------------------------------------------

def _prev_word(text: str, start: int) -> str | None:
    """The word right before ``start`` unless it ends in a dot."""
    prev = _word_before(text, max(0, start - 60), start)
    return prev if prev and not prev.endswith(".") else None


def _in_contact(d: MuniText, start: int, end: int) -> bool:
    """Is the name at ``start:end`` contact data: a contact signal (contact word, PLZ + town,
    street + number, mail or web address) within CONTACT_SPAN_CHARS on its line, or a short line in
    an address block ("Fachbereich Digitales" between "Stadt Soest" and "59494 Soest")? A street
    before a locative preposition is a project's place, not an address ("Dorfstraße 12 in Mildenau")."""
    ls, le = line_bounds(d.text, start)
    for m in d.w.contact_re.finditer(d.low, max(ls, start - CONTACT_SPAN_CHARS), min(le, end + CONTACT_SPAN_CHARS)):
        if m.lastgroup == "street" and m.end() <= start and \
                (_prev_word(d.text, start) or "").casefold() in d.w.locative:
            continue
        return True
    if ls not in d.contact:
        d.contact[ls] = _address_block(d, ls, le)
    return d.contact[ls]


def _address_block(d: MuniText, ls: int, le: int) -> bool:
    """Is the line ``text[ls:le]`` a short line near short address lines?"""
    text = d.text
    if le - ls > SHORT_LINE_CHARS:
        return False
    before = [x.strip() for x in text[max(0, ls - CONTACT_WINDOW_CHARS):ls].split("\n") if _HAS_ALNUM.search(x)]
    after = [x.strip() for x in text[le:le + CONTACT_WINDOW_CHARS].split("\n") if _HAS_ALNUM.search(x)]
    return any(len(line) <= SHORT_LINE_CHARS and d.w.address_re.search(line)
               for line in before[-CONTACT_BLOCK_LINES:] + after[:CONTACT_BLOCK_LINES])


def _org_before(d: MuniText, start: int, allow_article: bool = False) -> bool:
    """A capitalised noun or an organisation word right before the name ("Stadtwerke München",
    "Universität zu Köln"), an article ("das Essen") or an article and adjective ("das gute Essen")."""
    w, text = d.w, d.text
    ls, _ = line_bounds(text, start)
    lo = max(ls, start - 80)
    prev = _word_before(text, lo, start)
    if not prev:
        return False
    if prev.endswith("."):
        # a title ("Dr.", "Reg.-Bez.") belongs to the name; any other dot ends a sentence
        return prev in w.titles or prev in w.org_before
    low = prev.casefold()
    if prev[0].isupper() and low not in w.function:
        return _names_org_or_person(w, prev)
    if low in w.articles:
        return not allow_article
    words_before = _WORDS.findall(text[lo:start])[-4:]
    if len(words_before) >= 2 and words_before[-2].casefold() in w.articles and prev[0].islower() \
            and _ADJ_ENDING.search(prev):
        return True
    for wd in reversed(words_before[:-1]):
        if wd in w.org_before or wd.casefold().endswith(w.org_suffixes):
            return low in _LINKS
        if wd.casefold() not in _LINKS:
            break
    return False


def _names_org_or_person(w: Words, word: str) -> bool:
    """Does ``word`` right before a place make the place part of a name: an organisation word
    ("Sparkasse", "…verein"), an acronym ("TU", "DRK"), a title, office or given name (a person's
    surname: "Ministerpräsident Stephan Weil")? A facility or any other noun does not ("Sporthalle
    Gerlingen", "an den Standorten Berlin und Bonn")."""
    return (word in w.org_before or word.casefold().endswith(w.org_suffixes) or word in w.persons
            or (len(word) <= 5 and word.isupper()))


def _org_after(d: MuniText, end: int, name: str) -> tuple[bool, str | None]:
    """(the name is part of an organisation's name by the word after it, that word): "Essen GmbH",
    "Iserlohn e.V."; a given name before a capitalised word is a person ("Achim Müller")."""
    w, text = d.w, d.text
    m = _NEXT_WORD.match(text, end)
    if m is None:
        return False, None
    nxt = m.group(1)
    if nxt in w.org_after or nxt.rstrip(".") in w.org_after or _EV.match(text, m.start(1)):
        return True, nxt
    if name in w.given and nxt[0].isupper() and nxt.casefold() not in w.function:
        return True, nxt
    return False, nxt


def _org_word_before_cue(d: MuniText, rec_start: int) -> bool:
    """An organisation word before a type word ("Sparkasse der Stadt Soest"); "Leitkommune Stadt
    Soest" and "Region Stadt X" are no organisations."""
    w = d.w
    before = d.text[max(0, rec_start - 40):rec_start]
    for wd in reversed(_WORDS.findall(before)[-3:]):
        low = wd.casefold()
        if (wd in w.org_before and wd not in ("Land", "Region")) or \
                (wd[0].isupper() and low.endswith(w.org_suffixes) and not low.endswith(("kommune", "kommunen"))):
            return True
        if low not in _LINKS:
            break
    return False


def _cued_ok(d: MuniText, rec_start: int, pos: int, end: int, name: str, first: bool, kind: str) -> bool:
    """A name after a type word counts unless it is a Land or region (without a register), in
    contact data, part of an organisation's name, or the type word follows an organisation word."""
    w = d.w
    key = norm_key(name)
    if d.gaz is None and kind in ("gemeinde", "any") and (key in w.land_keys or key in w.regions):
        return False     # with a register, the register decides what a Kreis or Gemeinde is
    if _in_contact(d, pos, end) or _org_after(d, end, "")[0]:
        return False
    return not (first and _org_word_before_cue(d, rec_start))


# --- pass 1: type words -----------------------------------------------------------------------

def _next_item(d: MuniText, end: int) -> int | None:
    """Where the next name of a plural head's list starts after a name ending at ``end`` (past an
    item's bracket or "mit …" phrase and the separator), or None where the list ends."""
    text = d.text
    tail = ITEM_TAIL.match(text, end)
    sep = SEP.match(text, tail.end() if tail else end) or _RANGE_SEP.match(text, end)
    if not sep or sep.end() >= len(text) or not text[sep.end()].isupper():
        return None
    nxt_word = _TOKEN.match(text, sep.end())
    if not nxt_word or nxt_word.group() in d.w.cues or d.w.cue_re.match(text, sep.end()):
        return None
    return sep.end()


def _cue_list(d: MuniText, m: re.Match) -> list[Mention]:
    """The names after one type word: one, or for a plural head each name of the list until a
    word that is no register name (or, without a register, no name): "die Städte A, B und C", "an
    die Landkreise: A (3), B (5)", "die Gemeinden A mit 12.000 Euro und B mit …"."""
    w, text = d.w, d.text
    cue = w.cues[_one_space(m.group("cue"))]
    gap = _CUE_GAP.match(text, m.end())
    if gap is None or (not cue.plural and not text[m.end():gap.end()].isspace()):
        return []
    pos = gap.end()
    found: list[Mention] = []
    first, rec_start = True, m.start()
    while pos is not None:
        hit = _name_at(d, pos, _KINDS[cue.kind])
        if hit is None:
            break
        end, cands, kind = hit
        name = _one_space(text[pos:end])
        if not _cued_ok(d, rec_start, pos, end, name, first, kind):
            break
        found.append(Mention(rec_start if first else pos, end, pos, end, name, kind, cue.type,
                              cands, "cue" if first else "cue-list"))
        pos = _next_item(d, end) if cue.plural else None
        rec_start, first = pos, False
    return found


def cued_mentions(d: MuniText) -> list[Mention]:
    """Pass 1: every name after a type word ("Stadt Soest", "die Städte Iserlohn und Lippstadt")."""
    found: list[Mention] = []
    taken_until = -1
    for m in d.w.cue_re.finditer(d.text):
        if m.start() < taken_until or not at_word_start(d.text, m.start(), "-"):
            continue
        names = _cue_list(d, m)
        if names:
            taken_until = names[-1].end
        found += names
    return found


# --- pass 2: bare register names ----------------------------------------------------------------

def _register_name_at(d: MuniText, s: int, word_end: int) -> Mention | None:
    """The longest register name (Gemeinde, or Kreis with its own type word) starting at ``s``; a
    genitive before a noun is the name without its "s" ("Kölns Altstadt", "Neubrunns Bürgermeister")."""
    hit = _match(d.text, s, ("gemeinde", "kreis_uncued"), d.gaz, first_filter=True)
    end = None
    if hit is None and d.text.startswith("s", word_end - 1) and _GENITIVE_NEXT.match(d.text, word_end):
        hit = _match(d.text, s, ("gemeinde",), d.gaz, first_filter=True, limit=word_end - 1)
        end = word_end
    if hit is None:
        return None
    name_end, key, cands, kind = hit
    name, typ, name_start = _one_space(d.text[s:name_end]), None, s
    if kind == "kreis_uncued":
        kind = "kreis"
        if len(cands) == 1:
            name = cands[0].bare        # "des Märkischen Kreises" -> "Märkischer Kreis"
        pm = KREIS_TYPE.match(name)
        if pm:
            typ, name, name_start = pm.group(1), name[pm.end():], s + pm.end()
    return Mention(s, end or name_end, name_start, name_end, name, kind, typ, cands, "register", key=key,
                    common=key in d.w.common)


def register_mentions(d: MuniText, cued: list[Mention]) -> list[Mention]:
    """Pass 2: capitalised words that start a register name, outside the cued names, judged by
    :func:`_uncued_ok`; those that need list evidence are decided by :func:`_accept_lists`."""
    text, gaz = d.text, d.gaz
    spans = sorted((m.start, m.end) for m in cued)
    span_starts = [a for a, _ in spans]
    span_reach = list(accumulate((b for _, b in spans), max))     # furthest end so far
    starts = gaz.first_tokens
    out: list[Mention] = []
    skip_until = -1
    for cap in _CAP.finditer(text):
        s = cap.start()
        word = cap.group().casefold()
        if s < skip_until or (word not in starts and word != "sankt" and word[:-1] not in starts):
            continue                                                     # "Sankt" is keyed "st"
        k = bisect.bisect_right(span_starts, s)
        if k and span_reach[k - 1] > s:
            continue                     # inside a cued mention
        mention = _register_name_at(d, s, cap.end())
        if mention is None:
            continue
        skip_until = mention.end
        verdict = _uncued_ok(d, mention)
        if verdict is False:
            continue
        if verdict is None:              # needs list evidence: decided below
            mention.accepted, mention.rule = False, "pending"
        out.append(mention)
    accept_lists(d, out + cued)
    return [m for m in out if m.accepted]


def _city_state_is_land(d: MuniText, m: Mention, prev: str | None) -> bool:
    """Berlin, Hamburg or Bremen meant as the Land: "Land Berlin", "die Länder Berlin und
    Brandenburg", "Brandenburg und Berlin"."""
    w, text = d.w, d.text
    if prev and prev in w.land_heads:
        return True
    sep = SEP.match(text, m.end)
    if sep:
        nm = _TOKEN.match(text, sep.end())
        if nm and norm_key(nm.group()) in w.land_keys:
            return True
    pm = _CITY_STATE_BEFORE.search(text[max(0, m.start - 40):m.start])
    return bool(pm) and norm_key(pm.group(1)) in w.land_keys


def _evidence(d: MuniText, m: Mention, prev: str | None, nxt: str | None) -> bool | None:
    """How a bare name's own context vouches for it: a dateline, an apposition, a locative
    preposition or the town's size (True); None: only a list can make it count."""
    w, text = d.w, d.text
    ls, _ = line_bounds(text, m.start)
    if not text[ls:m.start].strip(" \t•·-–*▪") and _DATELINE_AFTER.match(text, m.end):
        m.rule = "dateline"
        return True
    if w.apposition_re.match(text, m.end):
        m.rule = "apposition"
        return True
    pop = max((c.population for c in m.cands), default=0)
    locative = (prev.casefold() if prev else "") in w.locative
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


def _in_url(text: str, pos: int, end: int) -> bool:
    """Is the name at ``pos:end`` inside a web address ("www.essen.de/Kultur", "Berlin.de")?"""
    if text[pos - 1:pos] not in "./" and text[end:end + 1] not in "./":
        return False             # a web address joins its parts with dots and slashes
    lo = max(text.rfind(" ", 0, pos), text.rfind("\n", 0, pos)) + 1
    hi = min(x for x in (text.find(" ", pos), text.find("\n", pos), len(text)) if x >= 0)
    return _URL_TOKEN.search(text, lo, hi) is not None


def _means_rb(d: MuniText, m: Mention) -> bool:
    """A Regierungsbezirk's name where the sentence speaks of Regierungsbezirke ("der
    Regierungsbezirk Arnsberg (20), gefolgt von Detmold (12) und Münster (9)")."""
    if m.key not in d.gaz.index["rb"]:
        return False
    ls, _ = line_bounds(d.text, m.start)
    return _RB_WORDS.search(d.text, max(ls, m.start - 200), m.start) is not None


def _uncued_ok(d: MuniText, m: Mention) -> bool | None:
    """A bare register name: True accept, False refuse, None accept only in a list."""
    w, key = d.w, m.key
    if m.kind == "kreis" and m.type is None and not m.cands:
        return False
    if key in w.regions or key in w.land_keys or _in_url(d.text, m.start, m.end) or _means_rb(d, m):
        return False
    prev = _prev_word(d.text, m.start)
    if key in w.city_states and _city_state_is_land(d, m, prev):
        return False
    if _org_before(d, m.start, allow_article=m.kind == "kreis"):
        return False
    org, nxt = _org_after(d, m.end, m.name)
    if org or _in_contact(d, m.start, m.end) or d.text.startswith("- ", m.end):
        return False             # "Flöha- und Zschopautal": the first part of a compound
    if m.type is not None or any(c.level == KREIS for c in m.cands) and m.kind == "kreis":
        return True              # "Rhein-Sieg-Kreis", "Region Hannover"
    return _evidence(d, m, prev, nxt)


def _records(text: str, mentions: list[Mention]) -> list[Municipality]:
    """One record per (name, level) at its first mention; a later mention adds a missing type
    or key."""
    firsts: dict[tuple[str, str], dict] = {}
    for m in mentions:
        ags = m.cands[0].key if len(m.cands) == 1 else None
        rec = firsts.get((norm_key(m.name), m.kind))
        if rec is None:
            firsts[(norm_key(m.name), m.kind)] = dict(
                text=text[m.start:m.end], start=m.start, end=m.end, name=m.name, type=m.type, ags=ags,
                candidates=m.ncands or len(m.cands), rule=m.rule)
            continue
        rec["type"] = rec["type"] or m.type
        rec["ags"] = rec["ags"] or ags
    return [Municipality(**r) for r in firsts.values()]


def find_municipalities(text: str, gazetteer: Gazetteer | None, land: str | None = None,
                        folded: str = "") -> list[Municipality]:
    """The municipalities ``text`` names, in text order, linked to ``gazetteer`` where given.
    ``land``: the 2-digit code of the source's Land, where known: it resolves names several
    Länder share like a Land the text names. ``folded``: :func:`rules.fold` of the text, if known."""
    d = MuniText(text, gazetteer, words(), folded if len(folded) == len(text) else fold(text), land)
    mentions = cued_mentions(d)
    if gazetteer is not None:
        mentions += register_mentions(d, mentions)
    mentions = sorted((m for m in mentions if m.accepted), key=lambda m: m.start)
    disambiguate(d, mentions)
    return _records(text, mentions)


field_component("municipalities",
                lambda ctx, doc: find_municipalities(ctx.text, ctx.gazetteer, ctx.land, ctx.folded))
