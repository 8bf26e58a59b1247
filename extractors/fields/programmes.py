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
_STEM_SUFFIXES = ("en", "es", "em", "er", "n", "s", "e")
_MIN_STEM = 4

# words between a cue word and its quoted name ("Förderprogramm des Landes „X“")
_GAP_OPENERS = frozenset({"des", "der", "zur", "zum"})
_SECTION_WORDS = frozenset({
    "bereich", "bereichs", "bereiches", "thema", "themas", "schwerpunkt", "schwerpunkts", "motto",
    "mottos", "kategorie", "rubrik", "sparte", "handlungsfeld", "handlungsfelds", "modul",
    "moduls", "säule", "titel", "stichwort", "stichworts", "unterseite", "seite", "projekt",
    "projekts", "projektes", "vorhaben", "vorhabens",
})
_DATIVE_PREPS = ("mit", "von", "bei", "aus", "nach", "seit", "zu")

# Quote pairs: opener -> closers. Straight quotes need a non-word character before the opener
# (and for the single one also after the closer: "geht's" is no quote).
_QUOTES = {
    "„": "“”\"", "“": "”“", "\"": "\"", "‚": "‘’", "‘": "’", "»": "«", "«": "»", "›": "‹",
    "'": "'",
}
_QUOTE_RE = re.compile("[„“\"‚‘»«›']")
_TRAIL_PUNCT = ",.;:!?)]}\"“”'’‘»«‹›"
_DASHES = frozenset({"-", "–", "—", "|", "/", "·"})


def _lines(name: str) -> list[str]:
    path = PATTERNS / name
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:  # a broken install, not a user error
        raise RuntimeError(f"programme patterns missing: {path} ({exc}); reinstall foerderradar") from None
    return [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


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
    cue_stem_re: re.Pattern
    stopwords: frozenset[str]
    connectors: frozenset[str]
    not_names: frozenset[str]
    not_heads: tuple[str, ...]
    adj_endings: tuple[str, ...]
    adj_exceptions: frozenset[str]
    known: list[KnownProgramme]
    known_keys: dict[tuple, int]                     # name key of every known form -> index
    known_patterns: list[tuple[re.Pattern, str, int]]
    known_compound_re: re.Pattern | None
    known_compound_idx: dict[str, int]
    grammar_re: re.Pattern

    _cue_cache: dict = field(default_factory=dict)

    def cue_of(self, word: str) -> tuple[str, str] | None:
        """(cue lemma as written, strength) if ``word`` is a cue word, else None."""
        hit = self._cue_cache.get(word, 0)
        if hit != 0:
            return hit
        res = None
        part = word.rsplit("-", 1)[-1]
        if part and part[0].isupper():
            ex = self.cue_exact.get(part)
            if ex:
                res = (word[: len(word) - len(part)] + ex[0], ex[1])
            else:
                low = part.lower()
                for suf, strength in self.cue_suffixes:
                    for infl in INFLECTIONS:
                        if low.endswith(suf + infl) and len(low) > len(suf + infl):
                            res = (word[: len(word) - len(infl)] if infl else word, strength)
                            break
                    if res:
                        break
        if len(self._cue_cache) < 50_000:
            self._cue_cache[word] = res
        return res

    def rejects(self, name: str) -> bool:
        """True for names that are no programme: agencies, laws, strategies, events, platforms."""
        n = _norm_text(name)
        if not n or n in self.not_names:
            return True
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
    alts = "|".join(f"[{s[0].upper()}{s[0]}]{re.escape(s[1:])}" for s in sorted(minimal, key=len, reverse=True))
    cue_stem_re = re.compile(alts)

    known: list[KnownProgramme] = []
    known_keys: dict[tuple, int] = {}
    known_patterns: list[tuple[re.Pattern, str, int]] = []
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
            known_patterns.append((re.compile(obj["pattern"]), obj["name"], idx))
    compound_idx: dict[str, int] = {}
    for idx, kp in enumerate(known):
        for f in kp.forms:
            if " " not in f and "-" not in f and len(f) >= 3 and any(c.isupper() for c in f[1:]):
                compound_idx.setdefault(f, idx)
    compound_re = None
    if compound_idx:
        alts = "|".join(re.escape(f) for f in sorted(compound_idx, key=len, reverse=True))
        compound_re = re.compile(rf"(?<![\w\-])({alts})-(?=[A-ZÄÖÜ])")

    adj_endings = tuple(_lines("programme_adjective_endings.txt"))
    preps = "|".join(f"[{p[0].upper()}{p[0]}]{p[1:]}" for p in _DATIVE_PREPS)
    ends = "|".join(sorted(adj_endings, key=len, reverse=True))
    grammar_re = re.compile(rf"\b(?:{preps}) +([A-ZÄÖÜ][a-zäöüß]+(?:{ends})) +(?=[A-ZÄÖÜ])")
    return Lexicon(
        cue_exact=cue_exact, cue_suffixes=cue_suffixes, cue_stem_re=cue_stem_re,
        stopwords=frozenset(_lines("programme_stopwords.txt")),
        connectors=frozenset(_lines("programme_connectors.txt")),
        not_names=frozenset(_norm_text(x) for x in _lines("programme_not_names.txt")),
        not_heads=tuple(x.casefold() for x in _lines("programme_not_heads.txt")),
        adj_endings=adj_endings,
        adj_exceptions=frozenset(_lines("programme_adjective_exceptions.txt")),
        known=known, known_keys=known_keys, known_patterns=known_patterns,
        known_compound_re=compound_re, known_compound_idx=compound_idx, grammar_re=grammar_re,
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


class ProgrammesComponent:
    def __init__(self, nlp: Language, name: str):
        self.name = name
        self.lex = load_lexicon()
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._match_known: dict[int, int] = {}
        for idx, kp in enumerate(self.lex.known):
            patterns = []
            for f in kp.forms:
                patterns += [nlp.make_doc(v) for v in _declined_forms(f)]
            if patterns:
                key = f"PROG{idx}"
                self.matcher.add(key, patterns)
                self._match_known[nlp.vocab.strings[key]] = idx

    # -- candidates ----------------------------------------------------------------------------
    def _cues(self, text: str) -> list[tuple[int, int, str, str]]:
        """(word start, word end, lemma, strength) for every cue word in the text."""
        out, last = [], -1
        for m in self.lex.cue_stem_re.finditer(text):
            ws = m.start()
            if ws < last:
                continue
            while ws > 0 and (text[ws - 1].isalnum() or text[ws - 1] == "-"):
                ws -= 1
            we = m.end()
            n = len(text)
            while we < n and (text[we].isalnum() or (text[we] == "-" and we + 1 < n and text[we + 1].isalpha())):
                we += 1
            last = we
            word = text[ws:we].lstrip("-")
            hit = self.lex.cue_of(word)
            if hit:
                out.append((we - len(word), we, hit[0], hit[1]))
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
        end_line = text.find("\n", pos)
        stop = min(limit, end_line if end_line >= 0 else len(text))
        toks = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text[pos:stop])]
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

    def _name_shaped(self, tokens: list[str]) -> bool:
        if not tokens or len(tokens) > MAX_NAME_TOKENS:
            return False
        if all(t.replace(".", "").isdigit() for t in tokens):
            return False                                   # "Förderaufruf 2024": an edition
        if len(tokens) == 1:
            t = tokens[0]
            upp = sum(c.isupper() for c in t)
            return (any(c.isdigit() for c in t) or upp >= 2 or "+" in t
                    or ("-" in t and any(p[:1].isupper() for p in t.split("-")[1:])))
        return tokens[0][0].isupper() or tokens[0][0].isdigit()

    def _quoted(self, text: str, cues_at: dict[int, tuple[str, str]], mentions: list[_Mention],
                quotes: list[tuple[int, int, str]]) -> None:
        pos = 0
        n = len(text)
        while True:
            m = _QUOTE_RE.search(text, pos)
            if not m:
                return
            i = m.start()
            op = m.group()
            pos = i + 1
            if op in "\"'" and i > 0 and text[i - 1].isalnum():
                continue
            lim = min(n, i + 1 + MAX_QUOTED_CHARS)
            j, closers = -1, _QUOTES[op]
            for k in range(i + 1, lim):
                ch = text[k]
                if ch == "\n":
                    break
                if ch in closers:
                    if op == "'" and k + 1 < n and text[k + 1].isalnum():
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
            quotes.append((qs, qe, inner_s))
            cue = self._cue_before(text, i, cues_at)
            if cue is None and j + 2 < n and text[j + 1] == "-":
                wm = re.match(r"[\w\-]+", text[j + 2:j + 40])
                if wm:
                    hit = self.lex.cue_of(wm.group())
                    cue = hit[0] if hit else None
            if cue is None:
                continue
            if len(inner_s.split()) > MAX_QUOTED_TOKENS or self.lex.rejects(inner_s):
                continue
            if all(t.replace(".", "").isdigit() for t in inner_s.split()):
                continue
            mentions.append(_Mention(qs, qe, inner_s, "cue_quoted", cue=cue))

    def _cue_before(self, text: str, qpos: int, cues_at: dict[int, tuple[str, str]]) -> str | None:
        """The cue lemma standing right before the quote at ``qpos`` (same line), else None."""
        ls = text.rfind("\n", 0, qpos) + 1
        ws = max(ls, qpos - CUE_WINDOW_CHARS)
        window = text[ws:qpos]
        toks = [(m.start() + ws, m.end() + ws, m.group()) for m in re.finditer(r"\S+", window)]
        if not toks:
            return None
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
            idx = self._match_known[match_id]
            span = doc[s:e]
            surf = text[span.start_char:span.end_char]
            mentions.append(_Mention(span.start_char, span.end_char, surf, "known", known=idx,
                                     acronym=surf.isupper() and " " not in surf))
        if lex.known_compound_re is not None:
            for m in lex.known_compound_re.finditer(text):
                surf = m.group(1)
                mentions.append(_Mention(m.start(1), m.end(1), surf, "known",
                                         known=lex.known_compound_idx[surf], acronym=surf.isupper()))
        for rx, name, idx in lex.known_patterns:
            for m in rx.finditer(text):
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

    def _grammar(self, text: str, mentions: list[_Mention]) -> None:
        lex = self.lex
        for m in lex.grammar_re.finditer(text):
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

        cues = self._cues(text)
        cues_at = {ce: (lemma, strength) for cs, ce, lemma, strength in cues}
        quotes: list[tuple[int, int, str]] = []
        if cues:
            self._quoted(text, cues_at, mentions, quotes)
            quoted_starts = {m.start for m in mentions}
            for cs, ce, lemma, strength in cues:
                nxt = text[ce:ce + 3]
                if strength == "strong" and nxt[:1] == " " and nxt.strip()[:1] not in _QUOTES:
                    if ce + 1 in quoted_starts:
                        continue
                    run = self._run(text, ce + 1, ce + 1 + MAX_RUN_CHARS)
                    if run and self._name_shaped(run[2]):
                        s, e, toks = run
                        name = text[s:e]
                        if not lex.rejects(name) or lex.known_keys.get(name_key(name)) is not None:
                            mentions.append(_Mention(s, e, name, "cue_name", cue=lemma))
                if strength == "strong" and ctx is not None:
                    self._heading(text, ctx.index, cs, ce, mentions)
            self._grammar(text, mentions)
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
        order = sorted(groups, key=lambda g: -max(len(name_key(x.surface)) for x in groups[g]))
        for gid in list(order):
            if gid not in groups:
                continue
            short_keys = {name_key(x.surface) for x in groups[gid] if not x.acronym}
            for other in order:
                if other == gid or other not in groups:
                    continue
                long_keys = {name_key(x.surface) for x in groups[other]}
                if any(len(lk) > len(sk) and (pos := _is_sub(sk, lk)) >= 0
                       and (len(sk) >= MIN_FORM_TOKENS_FOR_CONTAINMENT or pos == 0)
                       for sk in short_keys for lk in long_keys):
                    if gid[0] == "known" and other[0] == "known":
                        continue
                    groups[other].extend(groups.pop(gid))
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
            alts = []
            for f in sorted(forms, key=len, reverse=True):
                parts = []
                for t in f.split():
                    esc = re.escape(t)
                    if t.isalpha() and not t.isupper() and len(t) > 3:
                        esc += "(?:n|s|es)?"
                    parts.append(esc)
                alts.append(r"\s+".join(parts))
            rx = re.compile(r"(?<![\w\-])(?:" + "|".join(alts) + r")(?![\w])")
            taken = {(m.start, m.end) for ms in groups.values() for m in ms}
            spans = [(m.start, m.end) for ms in groups.values() for m in ms]
            for mm in rx.finditer(text):
                s, e = mm.start(), mm.end()
                if (s, e) in taken or any(a <= s and e <= b for a, b in spans):
                    continue
                surf = mm.group()
                gid = keys.get(name_key(surf)) or forms.get(surf)
                if gid is None or gid not in groups:
                    continue
                groups[gid].append(_Mention(s, e, re.sub(r"\s+", " ", surf), "mention",
                                            acronym=surf.isupper() and " " not in surf))
        out = []
        for gid, ms in groups.items():
            ms.sort(key=lambda m: m.start)
            # a well-known acronym that only occurs inside a longer accepted name is absorbed
            primary = [m for m in ms if m.rule != "mention"]
            if not primary:
                continue
            full = [m for m in ms if not m.acronym] or ms
            counts = Counter(m.surface for m in full)
            first_pos = {}
            for m in full:
                first_pos.setdefault(m.surface, m.start)
            name = max(counts, key=lambda s: (counts[s], -first_pos[s]))
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
    keep = []
    for m in mentions:
        if not any(o.start <= m.start and m.end <= o.end and (o.end - o.start) > (m.end - m.start)
                   for o in mentions):
            keep.append(m)
    return keep


_RULE_RANK = {"cue_quoted": 0, "cue_name": 1, "heading": 2, "known": 3, "name_grammar": 4, "mention": 5}


@Language.factory("foerderradar_programmes")
def make_component(nlp: Language, name: str):
    return ProgrammesComponent(nlp, name)
