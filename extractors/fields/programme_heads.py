"""Programme names found by their head noun rather than by a cue word before them.

``compound_head``
    a capitalised compound whose head is a programme noun (``patterns/programme_heads.txt``:
    …programm, …fonds, …budget, …scheck, …preis, …wettbewerb, …topf, …stock), with an optional
    year or edition ("Kulturscheck", "Dorffonds 2026", "LEADER-Kleinprojektebudget"), in a
    sentence that speaks of applying, funding or calling; ordinary nouns of that shape are a stop
    list (``programme_head_stops.txt``), and a hyphenated compound of a generic head needs a
    prefix that is no well-known programme ("Gaststätten-Sonderprogramm", not "EFRE-Programm").
``cue_head``
    the cue as the head of the name: a capitalised adjective before it ("Kommunales
    Klimaschutzprogramm 2.0", "Bremer Kulturfonds", "Thüringer Dorferneuerungs- und
    Dorfentwicklungsprogramm"), or a phrase after it that ends in an acronym in brackets or fills a
    heading line ("Landesprogramm für Dorfentwicklung (LPD)").
"""
from __future__ import annotations

import re

from extractors.fields.programme_groups import Mention
from extractors.fields.text import TextIndex

HEAD_INFLECTIONS = ("es", "s", "")
ENUM_CHARS = 200              # how far an enumeration of sibling compounds is read
CONTEXT_CHARS = 250           # the longest sentence looked at for a funding word
MAX_PHRASE_WORDS = 9          # "für Vorpommern und das östliche Mecklenburg"
HEADING_MAX_CHARS = 90
# a year, a period or an edition after a name ("2026", "2025–2029", "2.0", "III")
EDITION = re.compile(r" (?:(?:19|20)\d\d(?:\s?[-–/]\s?(?:19|20)?\d\d)?|\d{1,2}\.\d|[IVX]{1,4}\b|plus\b|Plus\b)"
                     r"(?![\w.,]\w)")
_ADJECTIVE = re.compile(r"([A-ZÄÖÜ][a-zäöüß]+(?:er|es|e|en|em)) $")
_PHRASE_AFTER = re.compile(r" (?:für|zur|zum|der|des) (?:[\w\-]+ ){0,%d}?[\w\-]+?(?= \(([A-ZÄÖÜ][A-Za-zÄÖÜ0-9+\-]{1,9})\))"
                           % (MAX_PHRASE_WORDS - 1))
_PHRASE_LINE = re.compile(r" (?:für|zur|zum) [\w\- ]{3,80}$")
_PARTICIPLE = re.compile(r"(?:nd|en|t)(?:e|es|en|er|em)$")
# "dem digitalen Spendenwettbewerb", "einen neuen Kulturfonds": an article and a lowercase
# adjective describe an ordinary thing
_DESCRIBED = re.compile(r"(?<![\w-])(?!(?:der|die|das|dem|den|des|eine[mnrs]?|unter|über|hinter|aber|oder|wieder|diese[mnrs]?|jede[mnrs]?|"
                        r"(?:ihr|sein|unser|mein|dein|euer|eur|kein)e[mnrs]?)\s)"
                        r"[a-zäöüß]{2,}(?:e|en|er|es|em)\s+$")
_COORD_BEFORE = re.compile(r"[A-ZÄÖÜ][\wäöüß]*-,?\s(?:und|oder|bzw\.)\s$")
TITLE_MAX_CHARS = 300         # a title line with a short name in brackets at its end
_SHORT_NAME = re.compile(r"\(([A-ZÄÖÜ][\w\-]{5,})(?:\s*[–-]\s*[A-ZÄÖÜ]{2,8})?\)")
_LIST_GAP = re.compile(r",\s*|\s+(?:und|sowie|oder)\s+")


def head_of(word: str, lex) -> tuple[str, str] | None:
    """(head noun, the word without its -s/-es) if ``word`` ends in a programme head noun after
    a non-empty modifier, else None."""
    low = word.lower()
    for infl in HEAD_INFLECTIONS:
        stem = low[: len(low) - len(infl)] if infl else low
        if infl and not low.endswith(infl):
            continue
        for head in lex.heads:
            if stem.endswith(head) and len(stem) > len(head):
                return head, word[: len(stem)]
    return None


def is_generic(base: str, lex) -> bool:
    """A compound that is an ordinary noun: on the stop list or a cue word ("Förderprogramm")."""
    low = base.lower()
    return low in lex.head_stops or (base[:1].isupper() and lex.cue_exact.get(base) is not None)


def compound_name(word: str, lex) -> str | None:
    """The name part of a programme-head compound, or None for an ordinary noun of that shape."""
    hit = head_of(word, lex)
    if hit is None or not word[:1].isupper():
        return None
    base = hit[1]
    prefix, _, tail = base.rpartition("-")
    if not is_generic(tail or base, lex):
        return base
    if not prefix or lex.catalogue.link(prefix) is not None or lex.rejects(prefix) \
            or prefix.lower() in lex.head_stops or not prefix[:1].isupper():
        return None           # "EFRE-Programm", "EU-Förderprogramm", "Landes-Förderprogramm"
    return base               # "Gaststätten-Sonderprogramm"


def _edition_end(text: str, end: int) -> int:
    m = EDITION.match(text, end)
    return m.end() if m else end


def _speaks_of_funding(low: str, pos: int, end: int, lex) -> bool:
    """The sentence around ``pos`` (up to a line break, ". " or CONTEXT_CHARS) holds a word of
    applying, funding or calling, besides the word at ``pos``..``end`` itself. (A local window: the sentence index of the whole text costs
    3 ms per 1,500 words where no other rule needs it.)"""
    s = max(low.rfind(". ", 0, pos), low.rfind("\n", 0, pos), pos - CONTEXT_CHARS)
    ends = [x for x in (low.find(". ", pos), low.find("\n", pos)) if x >= 0]
    e = min(ends + [pos + CONTEXT_CHARS])
    return (lex.head_context_re.search(low, s + 1, pos) is not None
            or lex.head_context_re.search(low, end, e) is not None)


def _is_title(text: str, index: TextIndex, s: int, e: int) -> bool:
    """The word fills its line (a title: "Kleinprojektefonds")."""
    ls, le = index.line(s)
    return not text[ls:s].strip(" #*•-\t") and not text[e:le].strip()


def _followed_by_name(text: str, end: int, taken: set[int]) -> bool:
    """A cued name (quoted or not) starts right after ``end``: the word is its cue."""
    return any(p in taken for p in range(end + 1, end + 4))


def compound_heads(text: str, low: str, index: TextIndex, lex, mentions: list[Mention]) -> None:
    """``compound_head``: "Kulturscheck", "Dorffonds 2026", "LEADER-Kleinprojektebudget"."""
    taken = {m.start for m in mentions}
    n = len(text)
    for m in lex.head_re.finditer(low):
        ws, we = m.start(), m.end()
        while ws > 0 and (text[ws - 1].isalnum() or text[ws - 1] == "-"):
            ws -= 1
        while we < n and text[we].isalnum():
            we += 1
        word = text[ws:we]
        name = compound_name(word, lex)
        if name is None or _followed_by_name(text, we, taken) or _DESCRIBED.search(text, max(0, ws - 40), ws):
            continue
        if not (_speaks_of_funding(low, ws, we, lex) or _is_title(text, index, ws, we)):
            continue
        end = ws + len(name)
        if end == we:
            end = _edition_end(text, we)
        mentions.append(Mention(ws, end, text[ws:end], "compound_head"))
        _siblings(text, ws, we, mentions)


def _siblings(text: str, ws: int, we: int, mentions: list[Mention]) -> None:
    """The other members of an enumeration that share a compound's first part: the elements of
    one programme ("Heimat-Scheck, Heimat-Preis, Heimat-Werkstatt und Heimat-Fonds")."""
    first, dash, _ = text[ws:we].partition("-")
    if not dash or len(first) < 3:
        return
    lo, hi = max(0, ws - ENUM_CHARS), min(len(text), we + ENUM_CHARS)
    words = re.compile(rf"(?<![\w-]){re.escape(first)}-[A-ZÄÖÜ]\w*")
    items = [(m.start(), m.end()) for m in words.finditer(text, lo, hi)]
    k = next((n for n, (s, _e) in enumerate(items) if s == ws), None)
    if k is None:
        return
    a = b = k
    while a > 0 and _LIST_GAP.fullmatch(text, items[a - 1][1], items[a][0]):
        a -= 1
    while b + 1 < len(items) and _LIST_GAP.fullmatch(text, items[b][1], items[b + 1][0]):
        b += 1
    taken = {m.start for m in mentions}
    for s, e in items[a:b + 1]:
        if s not in taken:
            mentions.append(Mention(s, e, text[s:e], "compound_head"))


def _adjective(text: str, cs: int, lex) -> int | None:
    """Start of a capitalised adjective right before the cue at ``cs`` that can open a name
    ("Kommunales", "Bremer", "Thüringer Dorferneuerungs- und"), else None."""
    if cs < 3 or text[cs - 1] != " ":
        return None
    k = cs - 1                       # the word before the cue
    while k > 0 and not text[k - 1].isspace() and text[k - 1] not in "(„\"»":
        k -= 1
    m = _ADJECTIVE.match(text, k, cs)
    if not m:
        return None
    ls = text.rfind("\n", 0, cs) + 1
    adj = m.group(1)
    if adj in lex.stopwords or lex.cue_of(adj) or adj in lex.adj_exceptions:
        return None
    stem = re.sub(r"(?:er|es|en|em|e)$", "", adj.lower())
    if stem in lex.name_adjective_stops or adj.lower() in lex.name_adjective_stops:
        return None
    if _PARTICIPLE.search(adj):
        return None           # "Abgeschlossene Modellvorhaben", "Geplante Programme"
    at_sentence_start = not text[ls:m.start(1)].strip(" #*•-\t")
    if at_sentence_start and not adj.endswith("er"):
        return None           # only "Bremer", "Thüringer" open a sentence as part of a name
    return m.start(1)


def cue_heads(text: str, index: TextIndex, cues, lex, mentions: list[Mention]) -> None:
    """``cue_head``: an adjective before a cue, or a phrase after it ending in "(ACRONYM)" or a
    heading line: the cue belongs to the name."""
    taken = {m.start for m in mentions}
    for cs, ce, lemma, _strength, plural in cues:
        if plural or _followed_by_name(text, ce, taken) or text[cs:ce].startswith("EU-"):
            continue
        coord = _COORD_BEFORE.search(text, max(0, cs - 50), cs)
        if coord:
            cs = coord.start()       # "Dorferneuerungs- und Dorfentwicklungsprogramm"
        start = _adjective(text, cs, lex)
        end = _phrase_end(text, index, cs, ce, lex)
        if coord and start is None:
            start = cs
        if start is None and end is None:
            continue
        start = cs if start is None else start
        end = _edition_end(text, ce) if end is None else end
        name = text[start:end]
        if not lex.rejects(name) and not is_generic(name, lex):
            mentions.append(Mention(start, end, name, "cue_name"))


def _phrase_end(text: str, index: TextIndex, cs: int, ce: int, lex) -> int | None:
    """End of a phrase after a cue that belongs to the name: "für Dorfentwicklung (LPD)", or a
    heading line that is only the cue and its phrase ("Fonds für Vorpommern und …")."""
    m = _PHRASE_AFTER.match(text, ce)
    if m and sum(c.isupper() for c in m.group(1)) >= 2 and _phrase_ok(m.group(0), lex, generic=True):
        return m.end()
    ls, le = index.line(cs)
    if le - ls <= HEADING_MAX_CHARS and not text[ls:cs].strip(" #*•-\t") and _PHRASE_LINE.match(text, ce, le):
        line = text[ce:le].rstrip()
        if _phrase_ok(line, lex):
            return ce + len(line)
    return None


def _phrase_ok(phrase: str, lex, generic: bool = False) -> bool:
    """A phrase that can end a name: its last word capitalised, no word a stop word, and (unless
    ``generic``: an acronym follows) no word a generic noun."""
    words = re.findall(r"[\w\-]+", phrase)
    return bool(words) and words[-1][:1].isupper() and not any(
        w in lex.stopwords or (not generic and w in lex.generic_nouns) for w in words if w[:1].isupper())


def title_short_names(text: str, index: TextIndex, cues, lex, mentions: list[Mention]) -> None:
    """``heading``: the short name in brackets at the end of a title line that opens with a cue
    ("Richtlinie des Landkreises … zur Förderung von Vereinsstätten (Vereinsstättenrichtlinie)")."""
    for cs, _ce, _lemma, _strength, _plural in cues:
        ls, le = index.line(cs)
        if text[ls:cs].strip(" #*•-\t") or le - ls > TITLE_MAX_CHARS:
            continue
        m = _SHORT_NAME.search(text, cs, le)
        if m and lex.cue_of(m.group(1)) and not is_generic(m.group(1), lex) and not text[m.end():le].strip():
            mentions.append(Mention(m.start(1), m.end(1), m.group(1), "heading"))


def quoted_head_names(text: str, lex, mentions: list[Mention], quoted: list[tuple[int, int]]) -> None:
    """A quoted name without a cue before it that holds a programme head or cue word itself
    ("aus dem „Kiezfonds“", "«EU-Fonds für kleine Projekte»")."""
    for qs, qe in quoted:
        inner = text[qs:qe]
        words = inner.split()
        if not words or len(words) > MAX_PHRASE_WORDS or not inner[:1].isupper():
            continue
        if len(words) == 1:
            ok = compound_name(inner, lex) is not None
        else:
            ok = any(lex.cue_of(w.strip(",.:;")) or head_of(w, lex) for w in words)
        if ok and not lex.rejects(inner) and inner[-1:] not in ".?!:":
            mentions.append(Mention(qs, qe, inner, "cue_quoted"))
