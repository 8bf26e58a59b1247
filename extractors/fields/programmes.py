"""Field component ``foerderradar_programmes``: names of funding programmes, initiatives, model
programmes, named calls, competitions and named funds.

Rules (every mention records the rule that found it):

``cue_quoted``
    a quoted name right after a cue word ("Förderinitiative „Heimat 2.0“", "im Rahmen des
    Wettbewerbs ‚X‘", "Förderprogramm des Landes "X"") or right before a hyphenated cue
    ("„X“-Förderaufruf"). Every quote style: „“ "" ‚‘ »« «» ›‹ ''.
``cue_name``
    an unquoted capitalised run after a *strong* cue word ("Mit dem Programm Starke Heimat
    Hessen werden" -> "Starke Heimat Hessen"): capitalised words, numbers ("2.0") and lowercase
    connectors between them ("made in"); it stops at a lowercase word, punctuation, a line end or
    a stop word. One-word names must look like names ("DigitalPakt", "EXIST", "Sprach-Kitas").
``heading``
    a short line "X – 3. Förderaufruf" / "X: Projektaufruf 2024" (the name before the cue).
``known``
    the well-known list (``patterns/programme_known.jsonl``), matched case-sensitively with a
    PhraseMatcher (declined forms generated), plus "EFRE-Mittel"-style compounds and regex entries.
``name_grammar``
    a capitalised bare -e adjective and a noun right after a dative preposition without article
    ("erprobt mit Resiliente Regionen"): ordinary German would decline it ("mit resilienten
    Regionen"), so the frozen form is a name. Only in texts that contain a programme cue.
``mention``
    further mentions of an accepted name anywhere in the text, quoted or not, declined or not
    ("in den „Modellprojekten Smart Cities“"): they add aliases and may move the first mention.

Quoted strings without a cue count only through ``mention`` (when the same name has a cue or is
well known elsewhere in the text). Mentions are grouped per programme by a declension-tolerant
key; a shorter name contained in a longer one of the same text is merged into it ("Digitale
Modellregionen" -> "Digitale Modellregionen NRW"). ``name`` is the most frequent form (ties: the
first), without the cue word; ``aliases`` holds the other forms and the cue-prefixed form.

Cost: one regex scan for cue stems, one for quote characters, one PhraseMatcher pass; all other
work runs on the few candidates only.
"""
from __future__ import annotations

import json
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from models.records import Programme

PATTERNS = Path(__file__).resolve().parents[1] / "patterns"

# Heuristic limits (named, not magic).
MAX_NAME_TOKENS = 7          # an unquoted name is 1..7 tokens
MAX_QUOTED_TOKENS = 12       # a quoted name after a cue is at most this long
MAX_QUOTED_CHARS = 110       # and at most this many characters
CUE_WINDOW_CHARS = 70        # how far before a quote the cue may stand (same line)
MAX_CUE_GAP_TOKENS = 2       # "Forschungsfeld der Raumordnung „X“": words between cue and quote
MAX_RUN_CHARS = 120          # an unquoted name is read from at most this many characters
HEADING_MAX_CHARS = 90       # a heading line is at most this long
MIN_FORM_TOKENS_FOR_CONTAINMENT = 2   # a contained shorter name merges if it has >= 2 tokens ...
                                       # ... or is the start of the longer name

INFLECTIONS = ("", "s", "es", "e", "en", "n")      # generated forms of a cue word
_PLURAL_ENDINGS = frozenset({"e", "en", "n"})       # "Programme", "Programmen", "Initiativen"
_ENUM_GAP = re.compile(r"\s*(?:,|und|sowie|oder|bzw\.)\s*")
_YEAR = re.compile(r"(?:19|20)\d\d")
_PERIOD = re.compile(r"(?:19|20)\d\d(?:\s*[-–/]\s*(?:19|20)?\d\d)?[+]?")
_STEM_SUFFIXES = ("en", "es", "em", "er", "n", "s", "e")
_MIN_STEM = 4

# words between a cue word and its quoted name ("Förderprogramm des Landes „X“")
_GAP_OPENERS = frozenset({"des", "der", "zur", "zum"})
# naming phrases between a cue word and its quoted name ("Das Förderprogramm heißt „X“")
_NAMING_GAPS = frozenset({("heißt",), ("namens",), ("mit", "dem", "namen"), ("mit", "dem", "titel"),
                          ("unter", "dem", "namen"), ("unter", "dem", "titel"),
                          ("trägt", "den", "namen")})
# "„X“ ist ein neues Förderprogramm": a quoted name followed by a copula and a cue word
_COPULA_AFTER = re.compile(r"[“”\"‘’»«‹›']?\s+(?:ist|war|heißt)\s+(?:ein|eine|das|die|der)\s+"
                           r"(?:[a-zäöüß]+\s+){0,2}([A-ZÄÖÜ][\w\-]*)")
# an organisation's legal form after a name ("Initiative Standort Nord e.V.")
_ORG_AFTER = re.compile(r"\s*(?:e\.\s?V\.|gGmbH|GmbH|gAG|AG|eG|mbH|KG)(?![\w])")
_SECTION_WORDS = frozenset({
    "bereich", "bereichs", "bereiches", "thema", "themas", "schwerpunkt", "schwerpunkts", "motto",
    "mottos", "kategorie", "rubrik", "sparte", "handlungsfeld", "handlungsfelds", "modul",
    "moduls", "säule", "titel", "stichwort", "stichworts", "unterseite", "seite", "projekt",
    "projekts", "projektes", "vorhaben", "vorhabens",
})
_DATIVE_PREPS = ("mit", "von", "bei", "aus", "nach", "seit", "zu")
_DATIVE_RE = re.compile(r"[ \n](" + "|".join(_DATIVE_PREPS) + ")(?= )")

# Quote pairs: opener -> closers. Straight quotes need a non-word character before the opener
# (and for the single one also after the closer: "geht's" is no quote).
_QUOTES = {
    "„": "“”\"", "“": "”“", "\"": "\"", "‚": "‘’", "‘": "’", "»": "«", "«": "»", "›": "‹",
    "'": "'",
}
_QUOTE_RE = re.compile("[„“\"‚‘»«›']")
# per opener: the next closing quote or line end
_CLOSER_RE = {op: re.compile("[" + re.escape(cl) + "\n]") for op, cl in _QUOTES.items()}
_NONSPACE = re.compile(r"\S+")
_EDITION = re.compile(r"[ -](?:II|III|IV|V|VI|VII|VIII|IX|X)(?:[ -][ABC])?(?![\w])")
_TRAIL_PUNCT = ",.;:!?)]}\"“”'’‘»«‹›"
_DASHES = frozenset({"-", "–", "—", "|", "/", "·"})


_STATEMENT_WORDS = frozenset({"wir", "ich", "ist", "sind", "wird", "werden", "haben", "können",
                              "sollen", "müssen", "wollen", "möchten", "dass"})
STATEMENT_MIN_TOKENS = 6     # a quote this long with a finite verb or pronoun is a quotation


def _is_statement(s: str) -> bool:
    """A quotation ("„Wir unterstützen die Kommunen.“") rather than a name."""
    if s[-1] in ".?;:" and not re.search(r"\b(?:e\.\s?V|Nr|Co)\.$", s):
        return True
    toks = s.lower().split()
    return len(toks) >= STATEMENT_MIN_TOKENS and any(t.strip(",.!?") in _STATEMENT_WORDS for t in toks)


def _lines(name: str) -> list[str]:
    path = PATTERNS / name
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:  # a broken install, not a user error
        raise RuntimeError(f"programme patterns missing: {path} ({exc}); reinstall foerderradar") from None
    return [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@lru_cache(maxsize=8192)
def _norm_text(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).casefold()
    s = re.sub(r"[\"'„“”‚‘’«»()›‹]", " ", s)
    s = re.sub(r"[‐‑‒–—-]", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def _stem(tok: str) -> str:
    if len(tok) <= _MIN_STEM or any(c.isdigit() for c in tok):
        return tok
    for suf in _STEM_SUFFIXES:
        if tok.endswith(suf) and len(tok) - len(suf) >= _MIN_STEM:
            return tok[: -len(suf)]
    return tok


@lru_cache(maxsize=8192)
def name_key(name: str) -> tuple[str, ...]:
    """Declension-tolerant identity of a name: casefolded, quotes/dashes removed, words stemmed
    ("Modellprojekten Smart Cities" and "Modellprojekte Smart Cities" share a key)."""
    s = unicodedata.normalize("NFKC", name)
    s = re.sub(r"[\"'„“”‚‘’«»()›‹]", " ", s)
    s = re.sub(r"[‐‑‒–—\-]", " ", s)
    out = []
    for t in s.split():
        t = t.strip(".,;:!?")
        if not t:
            continue
        out.append(t.casefold() if (t.isupper() and len(t) > 1) else _stem(t.casefold()))
    return tuple(out)


def _is_sub(short: tuple, long_: tuple) -> int:
    """Index where ``short`` occurs contiguously in ``long_``, or -1."""
    n = len(short)
    for i in range(len(long_) - n + 1):
        if long_[i:i + n] == short:
            return i
    return -1


@dataclass
class KnownProgramme:
    name: str
    forms: list[str]
    kind: str | None = None


@dataclass
class Lexicon:
    """Everything loaded once from ``extractors/patterns/programme_*``."""
    cue_exact: dict[str, tuple[str, str]]           # inflected form -> (lemma, strength)
    cue_suffixes: list[tuple[str, str]]              # (lowercase suffix, strength)
    cue_stems: tuple[str, ...]                       # lowercase substrings every cue word holds
    stopwords: frozenset[str]
    connectors: frozenset[str]
    not_names: frozenset[str]
    not_heads: tuple[str, ...]
    generic_nouns: frozenset[str]
    adj_endings: tuple[str, ...]
    adj_exceptions: frozenset[str]
    known: list[KnownProgramme]
    known_keys: dict[tuple, int]                     # name key of every known form -> index
    known_patterns: list[tuple[re.Pattern, str, int, str]]
    known_by_last: dict[str, list[tuple[str, int]]]   # last word of a known form -> forms
    grammar_re: re.Pattern                           # matched at a dative preposition

    _cue_cache: dict = field(default_factory=dict)

    def cue_of(self, word: str) -> tuple[str, str, bool] | None:
        """(cue lemma, strength, plural) if ``word`` is a cue word, else None. A hyphenated word
        is judged by its last part ("ESF-Bundesprogramme" -> ("Bundesprogramm", ..., True))."""
        hit = self._cue_cache.get(word, 0)
        if hit != 0:
            return hit
        res = None
        part = word.rsplit("-", 1)[-1]
        if part and part[0].isupper():
            ex = self.cue_exact.get(part)
            if ex:
                infl = part[len(ex[0]):]
                res = (ex[0], ex[1], infl in _PLURAL_ENDINGS)
            else:
                low = part.lower()
                for suf, strength in self.cue_suffixes:
                    for infl in INFLECTIONS:
                        if low.endswith(suf + infl) and len(low) > len(suf + infl):
                            res = (part[: len(part) - len(infl)] if infl else part, strength,
                                   infl in _PLURAL_ENDINGS)
                            break
                    if res:
                        break
        if len(self._cue_cache) < 50_000:
            self._cue_cache[word] = res
        return res

    def rejects(self, name: str, cue: str | None = None) -> bool:
        """True for names that are no programme: agencies, laws, strategies, events, platforms."""
        if cue and _norm_text(f"{cue} {name}") in self.not_names:
            return True
        n = _norm_text(name)
        if not n or n in self.not_names:
            return True
        if all(t in self.not_names for t in n.split()):
            return True                      # "Bund Länder EU"
        for tok in n.split():
            tok = tok.strip(".,;:!?")
            if tok in self.not_names and len(n.split()) == 1:
                return True
            if tok.endswith(self.not_heads):
                return True
        return False


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    cue_exact: dict[str, tuple[str, str]] = {}
    cue_suffixes: list[tuple[str, str]] = []
    stems: set[str] = set()
    for line in _lines("programme_cues.txt"):
        word, _, strength = line.partition(" ")
        strength = strength.strip() or "strong"
        if strength not in ("strong", "quoted"):
            raise RuntimeError(f"programme_cues.txt: unknown strength {strength!r} in {line!r}")
        if word.startswith("*"):
            cue_suffixes.append((word[1:].lower(), strength))
            stems.add(word[1:].lower())
        else:
            for infl in INFLECTIONS:
                cue_exact.setdefault(word + infl, (word, strength))
            stems.add(word.lower())
    minimal = sorted(s for s in stems if not any(o != s and o in s for o in stems))

    known: list[KnownProgramme] = []
    known_keys: dict[tuple, int] = {}
    known_patterns: list[tuple[re.Pattern, str, int, str]] = []
    for line in _lines("programme_known.jsonl"):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise RuntimeError(f"programme_known.jsonl: bad line {line[:60]!r}: {exc}") from None
        if "name" not in obj:
            continue
        idx = len(known)
        forms = [] if obj.get("pattern") else [obj["name"]]
        forms += [a for a in obj.get("aliases", []) if a]
        known.append(KnownProgramme(obj["name"], forms, obj.get("kind")))
        for f in forms:
            known_keys.setdefault(name_key(f), idx)
        if obj.get("pattern"):
            known_patterns.append((re.compile(obj["pattern"]), obj["name"], idx, obj.get("trigger", "")))
    known_by_last: dict[str, list[tuple[str, int]]] = {}
    for idx, kp in enumerate(known):
        for f in kp.forms:
            last = re.split(r"[\s\-]", f)[-1]
            if len(f) >= 3 and last[-1:].isalnum():
                known_by_last.setdefault(last, []).append((f, idx))
    for lst in known_by_last.values():
        lst.sort(key=lambda x: -len(x[0]))

    adj_endings = tuple(_lines("programme_adjective_endings.txt"))
    ends = "|".join(sorted(adj_endings, key=len, reverse=True))
    grammar_re = re.compile(rf" +([A-ZÄÖÜ][a-zäöüß]+(?:{ends})) +(?=[A-ZÄÖÜ])")
    return Lexicon(
        cue_exact=cue_exact, cue_suffixes=cue_suffixes, cue_stems=tuple(minimal),
        stopwords=frozenset(_lines("programme_stopwords.txt")),
        connectors=frozenset(_lines("programme_connectors.txt")),
        not_names=frozenset(_norm_text(x) for x in _lines("programme_not_names.txt")),
        not_heads=tuple(x.casefold() for x in _lines("programme_not_heads.txt")),
        generic_nouns=frozenset(_lines("programme_generic_nouns.txt")),
        adj_endings=adj_endings,
        adj_exceptions=frozenset(_lines("programme_adjective_exceptions.txt")),
        known=known, known_keys=known_keys, known_patterns=known_patterns,
        known_by_last=known_by_last, grammar_re=grammar_re,
    )


def _declined_forms(form: str) -> list[str]:
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


@dataclass
class _Mention:
    start: int
    end: int
    surface: str
    rule: str
    cue: str | None = None          # the cue lemma that introduced it ("Förderinitiative")
    known: int | None = None        # index into the well-known list
    acronym: bool = False
    form: str | None = None         # the undeclined well-known form a declined mention stands for


class ProgrammesComponent:
    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.lex = load_lexicon()
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._match_known: dict[int, tuple[int, str]] = {}
        for idx, kp in enumerate(self.lex.known):
            for fi, f in enumerate(kp.forms):
                key = f"PROG{idx}_{fi}"
                self.matcher.add(key, [nlp.make_doc(v) for v in _declined_forms(f)])
                self._match_known[nlp.vocab.strings[key]] = (idx, f)

    # -- candidates ----------------------------------------------------------------------------
    def _cues(self, text: str, low: str) -> list[tuple[int, int, str, str, bool]]:
        """(word start, word end, lemma, strength, plural) for every cue word in the text.
        ``low`` is the lower-cased text (same length): str.find per stem is the cheap prefilter."""
        hits = []
        for stem in self.lex.cue_stems:
            i = low.find(stem)
            while i >= 0:
                hits.append((i, i + len(stem)))
                i = low.find(stem, i + len(stem))
        hits.sort()
        out, last = [], -1
        n = len(text)
        for ms, me in hits:
            ws = ms
            if ws < last:
                continue
            while ws > 0 and (text[ws - 1].isalnum() or text[ws - 1] == "-"):
                ws -= 1
            we = me
            while we < n and (text[we].isalnum() or (text[we] == "-" and we + 1 < n and text[we + 1].isalpha())):
                we += 1
            last = we
            word = text[ws:we].lstrip("-")
            hit = self.lex.cue_of(word)
            if hit:
                out.append((we - len(word), we, hit[0], hit[1], hit[2]))
        return out

    def _is_name_token(self, tok: str) -> bool:
        if not tok or tok in self.lex.stopwords or tok in _DASHES:
            return False
        c = tok[0]
        if c.isupper() or c.isdigit():
            return self.lex.cue_of(tok) is None
        return False

    def _run(self, text: str, pos: int, limit: int) -> tuple[int, int, list[str]] | None:
        """Read an unquoted capitalised name starting at ``pos`` (on one line)."""
        if pos >= len(text) or not (text[pos].isupper() or text[pos].isdigit()):
            return None                        # "Programm des Landes", "Förderprogramm wird"
        end_line = text.find("\n", pos, limit)
        stop = min(limit, end_line if end_line >= 0 else len(text))
        toks = [(m.start() - pos, m.end() - pos, m.group()) for m in _NONSPACE.finditer(text, pos, stop)]
        names: list[tuple[int, int, str]] = []
        i = 0
        while i < len(toks):
            s, e, raw = toks[i]
            if raw[0] in "([{":
                break
            core = raw.rstrip(_TRAIL_PUNCT)
            if core.endswith(".") and not core[:-1].replace(".", "").isdigit():
                core = core[:-1]
            trailing = len(core) < len(raw)
            if self._is_name_token(core):
                names.append((s, s + len(core), core))
                if trailing:
                    break
            elif core in self.lex.connectors and names and not trailing and i + 1 < len(toks) \
                    and self._is_name_token(toks[i + 1][2].rstrip(_TRAIL_PUNCT)):
                names.append((s, s + len(core), core))
            else:
                break
            if len(names) > MAX_NAME_TOKENS:
                return None
            i += 1
        while names and names[-1][2] in self.lex.connectors:
            names.pop()
        if not names:
            return None
        return pos + names[0][0], pos + names[-1][1], [t for _, _, t in names]

    def _split_run(self, text: str, run: tuple[int, int, list[str]], plural: bool):
        """The names in an unquoted run: after a plural cue "und" separates names ("aus den
        Programmen Lebendige Zentren und Sozialer Zusammenhalt"); a trailing year after a
        one-word name is an edition ("Förderaufruf Kommunen 2024" -> no name)."""
        s, e, toks = run
        parts: list[list[str]] = [[]]
        for t in toks:
            if plural and t == "und":
                parts.append([])
            else:
                parts[-1].append(t)
        out, pos = [], s
        for part in parts:
            if not part:
                continue
            if len(part) == 2 and _YEAR.fullmatch(part[1]):
                part = part[:1]
            ps = text.find(part[0], pos, e)
            pe = text.find(part[-1], ps, e) + len(part[-1])
            pos = pe
            out.append((ps, pe, part))
        return out

    def _name_shaped(self, tokens: list[str]) -> bool:
        if not tokens or len(tokens) > MAX_NAME_TOKENS:
            return False
        if all(t.replace(".", "").isdigit() for t in tokens):
            return False                                   # "Förderaufruf 2024": an edition
        if all(_PERIOD.fullmatch(t) or (t.isupper() and len(t) <= 3) for t in tokens):
            return False                                   # "NRW 2021-2027": region and period
        if all(t in self.lex.generic_nouns or t in self.lex.connectors or _PERIOD.fullmatch(t)
               for t in tokens):
            return False                                   # "Kommunen und Vereine": a description
        if len(tokens) == 1:
            t = tokens[0]
            upp = sum(c.isupper() for c in t)
            return (any(c.isdigit() for c in t) or upp >= 2 or "+" in t
                    or ("-" in t and any(p[:1].isupper() for p in t.split("-")[1:])))
        return tokens[0][0].isupper() or tokens[0][0].isdigit()

    def _quoted(self, text: str, cues_at: dict[int, tuple[str, str]], mentions: list[_Mention]) -> None:
        """Quoted names with a cue word before them (or a hyphenated cue or copula after)."""
        pos = 0
        n = len(text)
        last_cued: tuple[int, str] | None = None
        # every quote character (one str.find per kind beats a character-class scan), in order
        quotes = []
        for q in _QUOTES:
            i = text.find(q)
            while i >= 0:
                quotes.append(i)
                i = text.find(q, i + 1)
        quotes.sort()
        for i in quotes:
            if i < pos:
                continue               # inside the quote just read
            op = text[i]
            pos = i + 1
            if op in "\"'" and i > 0 and text[i - 1].isalnum():
                continue
            lim = min(n, i + 1 + MAX_QUOTED_CHARS)
            j = -1
            closer = _CLOSER_RE[op]
            k = i + 1
            while (c := closer.search(text, k, lim)) is not None:
                k = c.start()
                if text[k] == "\n":
                    break
                if op == "'" and k + 1 < n and text[k + 1].isalnum():
                    k += 1               # "geht's": an apostrophe, no closing quote
                    continue
                j = k
                break
            if j < 0:
                continue
            pos = j + 1
            inner = text[i + 1:j]
            s_off = len(inner) - len(inner.lstrip())
            inner_s = inner.strip()
            if not inner_s or not (inner_s[0].isalnum()):
                continue
            qs, qe = i + 1 + s_off, i + 1 + s_off + len(inner_s)
            cue = self._cue_before(text, i, cues_at)
            if cue is None and last_cued is not None and _ENUM_GAP.fullmatch(text, last_cued[0], i):
                cue = last_cued[1]     # „X“, „Y“ und „Z“ after one (plural) cue word
            if cue is None:
                cm = _COPULA_AFTER.match(text, j, min(n, j + 60))
                if cm:
                    hit = self.lex.cue_of(cm.group(1))
                    cue = hit[0] if hit else None
            if cue is None and j + 2 < n and text[j + 1] == "-":
                wm = re.match(r"[\w\-]+", text[j + 2:j + 40])
                if wm:
                    hit = self.lex.cue_of(wm.group())
                    cue = hit[0] if hit else None
            if cue is None:
                continue
            if len(inner_s.split()) > MAX_QUOTED_TOKENS or self.lex.rejects(inner_s, cue):
                continue
            if all(t.replace(".", "").isdigit() for t in inner_s.split()):
                continue
            if _ORG_AFTER.match(text, j + 1):
                continue                       # „Deutschland sicher im Netz“ e.V.: an association
            if _is_statement(inner_s):
                continue                       # a quotation, not a name
            mentions.append(_Mention(qs, qe, inner_s, "cue_quoted", cue=cue))
            last_cued = (j + 1, cue)

    def _cue_before(self, text: str, qpos: int, cues_at: dict[int, tuple[str, str]]) -> str | None:
        """The cue lemma standing right before the quote at ``qpos`` (same line), else None."""
        ls = text.rfind("\n", 0, qpos) + 1
        ws = max(ls, qpos - CUE_WINDOW_CHARS)
        # the words of the window; only the last four are looked at
        parts = text[ws:qpos].rsplit(None, 4)
        if not parts:
            return None
        start = ws + len(parts[0]) if len(parts) == 5 else ws
        toks = [(m.start(), m.end(), m.group()) for m in _NONSPACE.finditer(text, start, qpos)]
        # "Das Förderprogramm heißt „X“", "eine Initiative mit dem Namen „X“"
        for g in (1, 3):
            if len(toks) > g and tuple(t.lower() for _, _, t in toks[-g:]) in _NAMING_GAPS:
                w = toks[-g - 1][2].lstrip("#*•([")
                c = self.lex.cue_of(w) if w else None
                if c:
                    return c[0]
        # the cue may carry a colon ("Förderaufruf: „X“")
        for gap in range(0, MAX_CUE_GAP_TOKENS + 1):
            k = len(toks) - 1 - gap
            if k < 0:
                break
            s, e, raw = toks[k]
            word = raw.rstrip(":") if gap == 0 else raw
            if gap and (raw[-1:] in _TRAIL_PUNCT):
                break
            cue_end = s + len(word)
            hit = cues_at.get(cue_end)
            if hit is None:
                w = word.lstrip("#*•([")
                c = self.lex.cue_of(w) if w else None
                hit = (c[0], c[1]) if c else None
            if hit is not None:
                if gap == 0:
                    return hit[0]
                gap_toks = [t for _, _, t in toks[k + 1:]]
                if gap_toks[0] in _GAP_OPENERS and not any(t.lower() in _SECTION_WORDS for t in gap_toks):
                    return hit[0]
                return None
            if gap == 0 and raw.endswith(":"):
                return None
        return None

    def _known(self, doc: Doc, text: str, mentions: list[_Mention]) -> None:
        lex = self.lex
        for match_id, s, e in self.matcher(doc):
            idx, form = self._match_known[match_id]
            span = doc[s:e]
            start, end = span.start_char, span.end_char
            surf = text[start:end]
            ed = _EDITION.match(text, end)       # "Interreg VI A", "Überbrückungshilfe IV"
            if ed:
                end = ed.end()
                form = form + text[ed.start():end]
                surf = text[start:end]
            mentions.append(_Mention(start, end, surf, "known", known=idx,
                                     acronym=surf.isupper() and " " not in surf, form=form))
        # "EFRE-Mittel", "LEADER-Region", "ESF Plus-Programm": a known form before a hyphen
        n = len(text)
        h = text.find("-")
        while h >= 0:
            nxt = h + 1
            if 0 < h < n - 1 and text[nxt].isupper() and (text[h - 1].isalnum() or text[h - 1] == "+"):
                ws = h
                while ws > 0 and (text[ws - 1].isalnum() or text[ws - 1] in "+."):
                    ws -= 1
                for form, idx in lex.known_by_last.get(text[ws:h], ()):
                    fs = h - len(form)
                    if fs >= 0 and text[fs:h] == form and (
                            fs == 0 or not (text[fs - 1].isalnum() or text[fs - 1] == "-")):
                        mentions.append(_Mention(fs, h, form, "known", known=idx,
                                                 acronym=form.isupper() and " " not in form, form=form))
                        break
            h = text.find("-", nxt)
        # regex entries ("KfW 432"): only where their trigger word occurs
        listed = [(m.start, m.end) for m in mentions if m.rule == "known"]
        for rx, name, idx, trigger in lex.known_patterns:
            if trigger and trigger not in text:
                continue
            for m in rx.finditer(text):
                if any(a < m.end() and m.start() < b for a, b in listed):
                    continue            # a listed form already covers it
                nm = name.format(*(("",) + m.groups()))
                k = lex.known_keys.get(name_key(nm))
                mentions.append(_Mention(m.start(), m.end(), nm, "known",
                                         known=k if k is not None else idx))

    def _heading(self, text: str, index, cs: int, ce: int, mentions: list[_Mention]) -> None:
        ls, le = index.line(cs)
        if le - ls > HEADING_MAX_CHARS:
            return
        rest = text[ce:le]
        if re.search(r"[A-Za-zÄÖÜäöüß]", rest):
            return
        m = re.match(r"^[\s#*•]*(.+?)\s*[-–—:|]\s*(?:\d{1,2}\.\s*|\d{4}\s*)?$", text[ls:cs])
        if not m:
            return
        raw = m.group(1).strip().strip("„“\"‚‘»«›‹'")
        toks = raw.split()
        if not self._name_shaped(toks) or not all(self._is_name_token(t) or t in self.lex.connectors for t in toks):
            return
        if self.lex.rejects(raw):
            return
        s = text.find(raw, ls, cs)
        if s >= 0:
            mentions.append(_Mention(s, s + len(raw), raw, "heading"))

    def _grammar(self, text: str, low: str, mentions: list[_Mention]) -> None:
        lex = self.lex
        # every " prep " and "\nprep " (the blank after it), prep by prep, then a prep at the start
        gm = lex.grammar_re.match               # (only places where it matches count below)
        found = [(_DATIVE_PREPS.index(m.group(1)), m.group(0)[0] == "\n", m.end())
                 for m in _DATIVE_RE.finditer(low) if gm(text, m.end())]
        found += [(k, 2, len(prep)) for k, prep in enumerate(_DATIVE_PREPS)
                  if low.startswith(f"{prep} ") and gm(text, len(prep))]
        found.sort()
        starts = [pos for _, _, pos in found]
        for pos in starts:
            m = lex.grammar_re.match(text, pos)
            if not m:
                continue
            adj = m.group(1)
            if adj in lex.adj_exceptions or lex.cue_of(adj):
                continue
            run = self._run(text, m.start(1), m.start(1) + MAX_RUN_CHARS)
            if not run or len(run[2]) < 2 or run[2][0] != adj:
                continue
            s, e, toks = run
            name = text[s:e]
            if lex.rejects(name):
                continue
            mentions.append(_Mention(s, e, name, "name_grammar"))

    # -- grouping --------------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        ctx = doc._.fr_ctx
        text = ctx.text if ctx is not None else doc.text
        lex = self.lex
        mentions: list[_Mention] = []

        # (never doc.text: spaCy rebuilds that string from the tokens on every access)
        low = text.lower()
        if len(low) != len(text):   # a character whose lower case is longer ("İ"): keep offsets
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
        cues = self._cues(text, low)
        cues_at = {ce: (lemma, strength) for cs, ce, lemma, strength, _pl in cues}
        if cues:
            self._quoted(text, cues_at, mentions)
            quoted_starts = {m.start for m in mentions}
            for cs, ce, lemma, strength, plural in cues:
                nxt = text[ce:ce + 3]
                if nxt[:2] == ": " and strength == "strong" and ctx is not None \
                        and not text[ctx.index.line(cs)[0]:cs].strip(" #*•-\t"):
                    # a label line "Förderprogramm: Digitalbonus Kommunal"
                    run = self._run(text, ce + 2, ce + 2 + MAX_RUN_CHARS)
                    if run and self._name_shaped(run[2]) and not lex.rejects(text[run[0]:run[1]], lemma):
                        mentions.append(_Mention(run[0], run[1], text[run[0]:run[1]], "cue_name", cue=lemma))
                    continue
                # "EFRE-Programm NRW 2021-2027": the name is the compound's first part (well-known
                # list), what follows is a region and a period
                compound = "-" in text[cs:ce] and text[cs:cs + 1].isupper() and not text[cs:ce].startswith(("EU-", "Bund-"))
                if strength == "strong" and not compound and nxt[:1] == " " and nxt.strip()[:1] not in _QUOTES:
                    if ce + 1 in quoted_starts:
                        continue
                    run = self._run(text, ce + 1, ce + 1 + MAX_RUN_CHARS)
                    if run:
                        if _ORG_AFTER.match(text, run[1]):
                            continue
                        for s, e, toks in self._split_run(text, run, plural):
                            name = text[s:e]
                            if lex.known_keys.get(name_key(name)) is not None or (
                                    self._name_shaped(toks) and not lex.rejects(name, lemma)):
                                mentions.append(_Mention(s, e, name, "cue_name", cue=lemma))
                if strength == "strong" and ctx is not None:
                    self._heading(text, ctx.index, cs, ce, mentions)
            self._grammar(text, low, mentions)
        self._known(doc, text, mentions)
        if not mentions:
            return doc
        mentions = _drop_contained(mentions)
        doc._.fr["programmes"].extend(self._group(text, mentions))
        return doc

    def _group(self, text: str, mentions: list[_Mention]) -> list[Programme]:
        lex = self.lex
        groups: dict[object, list[_Mention]] = {}
        keys: dict[tuple, object] = {}
        # well-known first, so cue names that are well-known forms join them
        mentions.sort(key=lambda m: (m.known is None, m.start))
        for m in mentions:
            k = name_key(m.surface)
            if m.known is not None:
                gid = ("known", m.known)
            else:
                kn = lex.known_keys.get(k)
                gid = ("known", kn) if kn is not None else keys.get(k, ("name", k))
            keys.setdefault(k, gid)
            groups.setdefault(gid, []).append(m)
        # acronym in brackets right after a cue name: "Modellprojekte Smart Cities (MPSC)"
        for gid, ms in groups.items():
            for m in list(ms):
                if m.rule in ("cue_quoted", "cue_name"):
                    am = re.match(r"[“”\"‘’»«‹›']?\s*\(([A-ZÄÖÜ][A-Za-zÄÖÜ0-9+\-]{1,11})\)", text[m.end:m.end + 16])
                    if am and sum(c.isupper() for c in am.group(1)) >= 2 and not lex.rejects(am.group(1)):
                        ak = name_key(am.group(1))
                        if ak not in keys:
                            keys[ak] = gid
                            s = m.end + am.start(1)
                            ms.append(_Mention(s, s + len(am.group(1)), am.group(1), "mention", acronym=True))
        # a shorter name contained in a longer one merges into it
        all_keys = {g: {name_key(x.surface) for x in ms} for g, ms in groups.items()}     # kept up to date
        full_keys = {g: {name_key(x.surface) for x in ms if not x.acronym} for g, ms in groups.items()}
        order = sorted(groups, key=lambda g: -max(len(k) for k in all_keys[g]))
        for gid in list(order):
            if gid not in groups:
                continue
            short_keys = full_keys[gid]
            for other in order:
                if other == gid or other not in groups or (gid[0] == "known" and other[0] == "known"):
                    continue
                long_keys = all_keys[other]
                if any(len(lk) > len(sk) and (pos := _is_sub(sk, lk)) >= 0
                       and (len(sk) >= MIN_FORM_TOKENS_FOR_CONTAINMENT or pos == 0)
                       for sk in short_keys for lk in long_keys):
                    groups[other].extend(groups.pop(gid))
                    all_keys[other] |= all_keys[gid]
                    full_keys[other] |= full_keys[gid]
                    for k, v in list(keys.items()):
                        if v == gid:
                            keys[k] = other
                    break
        # further mentions of every accepted form (quoted or not, declined or not)
        forms: dict[str, object] = {}
        for gid, ms in groups.items():
            for m in ms:
                if len(m.surface) >= 3:
                    forms.setdefault(m.surface, gid)
        if forms:
            spans = sorted((m.start, m.end) for ms in groups.values() for m in ms)
            exact = set(spans)
            found: dict[tuple[int, int], tuple[str, object]] = {}
            for f, gid in forms.items():
                variants = _declined_forms(f)
                # every variant starts with their common prefix: one search for it, then each variant
                hits: dict[str, list[int]] = {v: [] for v in variants}
                prefix = os.path.commonprefix(variants) or variants[0]
                i = text.find(prefix)
                while i >= 0:
                    for v in variants:
                        if text.startswith(v, i):
                            hits[v].append(i)
                    i = text.find(prefix, i + 1)
                if prefix == variants[0] and len(variants) > 1 and not all(v.startswith(prefix) for v in variants):
                    for v in variants[1:]:        # no common prefix: each variant on its own
                        hits[v] = []
                        i = text.find(v)
                        while i >= 0:
                            hits[v].append(i)
                            i = text.find(v, i + 1)
                for v in variants:
                    for i in hits[v]:
                        e = i + len(v)
                        if (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "-")) and (
                                e == len(text) or not text[e].isalnum()):
                            found.setdefault((i, e), (v, gid))
            for (s, e), (v, gid) in sorted(found.items(), key=lambda x: (x[0][0], -x[0][1])):
                if (s, e) in exact or any(a <= s and e <= b for a, b in spans):
                    continue               # already a mention, or inside a longer one
                spans.append((s, e))
                groups[gid].append(_Mention(s, e, v, "mention", acronym=v.isupper() and " " not in v))
        out = []
        for gid, ms in groups.items():
            ms.sort(key=lambda m: m.start)
            # a well-known acronym that only occurs inside a longer accepted name is absorbed
            primary = [m for m in ms if m.rule != "mention"]
            if not primary:
                continue
            full = [m for m in ms if not m.acronym] or ms
            counts = Counter(m.form or m.surface for m in full)
            first_pos = {}
            for m in full:
                first_pos.setdefault(m.form or m.surface, m.start)
            name = max(counts, key=lambda s: (counts[s], -first_pos[s]))
            if gid[0] == "known":
                # the reference name where the text uses it ("EFRE" over "Europäischen Fonds ...")
                canon = lex.known[gid[1]].name
                if any(_norm_text(m.form or m.surface) == _norm_text(canon) for m in ms):
                    name = canon
            aliases: list[str] = []
            seen = {_norm_text(name)}
            for m in ms:
                for form in ([m.surface] + ([f"{m.cue} {m.surface}"] if m.cue else [])):
                    nf = _norm_text(form)
                    if nf not in seen:
                        seen.add(nf)
                        aliases.append(form)
            if gid[0] == "known":
                canon = lex.known[gid[1]].name
                if "{" not in canon and _norm_text(canon) not in seen:
                    aliases.append(canon)
            first = ms[0]
            rule = min(primary, key=lambda m: _RULE_RANK.get(m.rule, 9)).rule
            out.append(Programme(text=text[first.start:first.end], start=first.start, end=first.end,
                                 name=name, aliases=aliases, rule=rule))
        out.sort(key=lambda p: p.start)
        return out


def _drop_contained(mentions: list[_Mention]) -> list[_Mention]:
    """A mention inside a longer mention is part of that name, not a programme of its own
    ("MORO" inside „MORO digital“)."""
    ordered = sorted(mentions, key=lambda m: (m.start, -m.end))
    keep, reach, reach_len = [], -1, 0
    for m in ordered:
        if m.end <= reach and (m.end - m.start) < reach_len:
            continue
        keep.append(m)
        if m.end > reach:
            reach, reach_len = m.end, m.end - m.start
    return keep


_RULE_RANK = {"cue_quoted": 0, "cue_name": 1, "heading": 2, "known": 3, "name_grammar": 4, "mention": 5}


@Language.factory("foerderradar_programmes")
def make_component(nlp: Language, name: str):
    return ProgrammesComponent(nlp, name)
