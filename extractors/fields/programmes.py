"""Field component ``foerderradar_programmes``: names of funding programmes, initiatives, model
programmes, named calls, competitions and named funds.

Rules (every mention records the rule that found it):

``cue_quoted``
    a quoted name right after a cue word ("Förderinitiative „Heimat 2.0“", "im Rahmen des
    Wettbewerbs ‚X‘", "Förderprogramm des Landes "X"") or right before a hyphenated cue
    ("„X“-Förderaufruf"). Every quote pair of ``patterns/programme_quotes.txt``.
``cue_name``
    an unquoted capitalised run after a *strong* cue word ("Mit dem Programm Starke Heimat
    Hessen werden" -> "Starke Heimat Hessen"): capitalised words, numbers ("2.0") and lowercase
    connectors between them ("made in"); it stops at a lowercase word, punctuation, a line end or
    a stop word. One-word names must look like names ("DigitalPakt", "EXIST", "Sprach-Kitas").
``heading``
    a short line "X – 3. Förderaufruf" / "X: Projektaufruf 2024" (the name before the cue).
``known``
    the catalogue of well-known programmes (``patterns/programme_known.jsonl``), matched
    case-sensitively with a PhraseMatcher (declined forms generated), plus "EFRE-Mittel"-style
    compounds and regex entries.
``name_grammar``
    a capitalised bare -e adjective and a noun right after a dative preposition without article
    ("erprobt mit Resiliente Regionen"): ordinary German would decline it ("mit resilienten
    Regionen"), so the frozen form is a name. Only in texts that contain a programme cue.
``mention``
    further mentions of an accepted name anywhere in the text, quoted or not, declined or not
    ("in den „Modellprojekten Smart Cities“"): they add aliases and may move the first mention.

Quoted strings without a cue count only through ``mention`` (when the same name has a cue or is
well known elsewhere in the text). Mentions are grouped per programme by a declension-tolerant
key (:mod:`extractors.fields.programme_groups`); ``name`` is the most frequent form (ties: the
first), without the cue word; ``aliases`` holds the other forms and the cue-prefixed form.

Cost: one regex scan for cue stems, one for quote characters, one PhraseMatcher pass; all other
work runs on the few candidates only.
"""
from __future__ import annotations

import bisect
import re

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from extractors.fields.catalogue import declined_forms
from extractors.fields.programme_groups import Mention, drop_contained, group_mentions, in_label_list
from extractors.fields.programme_heads import compound_heads, cue_heads, quoted_head_names, title_short_names
from extractors.fields.pipeline import field_component
from extractors.fields.programme_lexicon import Lexicon, load_lexicon
from extractors.fields.text import TextIndex
from models.records import Programme

# Heuristic limits (named, not magic).
MAX_NAME_TOKENS = 7          # an unquoted name is 1..7 tokens
MAX_QUOTED_TOKENS = 12       # a quoted name after a cue is at most this long
MAX_QUOTED_CHARS = 110       # and at most this many characters
CUE_WINDOW_CHARS = 70        # how far before a quote the cue may stand (same line)
MAX_CUE_GAP_TOKENS = 2       # "Forschungsfeld der Raumordnung „X“": words between cue and quote
MAX_RUN_CHARS = 120          # an unquoted name is read from at most this many characters
HEADING_MAX_CHARS = 90       # a heading line is at most this long
STATEMENT_MIN_TOKENS = 6     # a quote this long with a finite verb or pronoun is a quotation

_ENUM_GAP = re.compile(r"\s*(?:\([^()\n]{1,12}\)\s*)?(?:,|und|sowie|oder|bzw\.)\s*")
_YEAR = re.compile(r"(?:19|20)\d\d")
_PERIOD = re.compile(r"(?:19|20)\d\d(?:\s*[-–/]\s*(?:19|20)?\d\d)?[+]?")
# "„X“ ist ein neues Förderprogramm": a quoted name followed by a copula and a cue word
_COPULA_AFTER = re.compile(r"[“”\"‘’»«‹›']?\s+(?:ist|war|heißt)\s+(?:ein|eine|das|die|der)\s+"
                           r"(?:[a-zäöüß]+\s+){0,2}([A-ZÄÖÜ][\w\-]*)")
_ABBREV_END = re.compile(r"\b(?:e\.\s?V|Nr|Co)\.$")
_HEADING = re.compile(r"^[\s#*•]*(.+?)\s*[-–—:|]\s*(?:\d{1,2}\.\s*|\d{4}\s*)?$")
_LETTER = re.compile(r"[A-Za-zÄÖÜäöüß]")
_HYPHEN_BEFORE_CAPITAL = re.compile(r"-(?=[A-ZÄÖÜ])")
_NONSPACE = re.compile(r"\S+")
_WORD = re.compile(r"\w+")
_NEXT_LINE = re.compile(r"\s*\n[ \t]*([^\n]*?)[ \t]*(?=\n|$)")
_EDITION = re.compile(r"[ -](?:II|III|IV|V|VI|VII|VIII|IX|X)(?:[ -][ABC])?(?![\w])")
_TRAIL_PUNCT = ",.;:!?)]}\"“”'’‘»«‹›"
_DASHES = frozenset({"-", "–", "—", "|", "/", "·"})


class ProgrammeRules:
    """The programme rules of one pipeline: finds candidate mentions with the rules below and
    groups them (``field_component``'s find: called with a document's Context and Doc)."""

    def __init__(self, nlp: Language):
        """Load the lexicon and put every catalogue form (and its declined forms) into one
        PhraseMatcher."""
        self.lex: Lexicon = load_lexicon()
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._match_known: dict[int, tuple[int, str]] = {}
        for idx, entry in enumerate(self.lex.catalogue.entries):
            if not entry.searched:
                continue                 # Förderdatenbank titles: linked to, not searched for
            for fi, f in enumerate(entry.forms):
                key = f"PROG{idx}_{fi}"
                self.matcher.add(key, [nlp.make_doc(v) for v in declined_forms(f)])
                self._match_known[nlp.vocab.strings[key]] = (idx, f)

    def __call__(self, ctx, doc: Doc) -> list[Programme]:
        """The programmes of the document."""
        return self.programmes(doc, ctx.text, ctx.index, ctx.folded)

    def programmes(self, doc: Doc, text: str, index: TextIndex, low: str) -> list[Programme]:
        """Every programme named in ``text`` (``doc``: its tokens; ``index``: its lines and
        sentences; ``low``: its same-length fold)."""
        mentions: list[Mention] = []
        cues = self._cues(text, low)
        if cues:
            uncued: list[tuple[int, int]] = []
            self._quoted(text, {ce: (lemma, strength) for _cs, ce, lemma, strength, _pl in cues},
                         mentions, uncued)
            quoted_head_names(text, self.lex, mentions, uncued)
            self._cue_names(text, index, cues, mentions)
            cue_heads(text, index, cues, self.lex, mentions)
            title_short_names(text, index, cues, self.lex, mentions)
            self._grammar(text, low, mentions)
        compound_heads(text, low, index, self.lex, mentions)
        self._known(doc, text, mentions)
        mentions = [m for m in mentions if not (m.rule == "known" and in_label_list(text, index, m))]
        if not mentions:
            return []
        return group_mentions(text, drop_contained(mentions), self.lex)

    # -- cue words -------------------------------------------------------------------------------
    def _cues(self, text: str, low: str) -> list[tuple[int, int, str, str, bool]]:
        """(word start, word end, lemma, strength, plural) for every cue word in the text; the
        cue stems are searched in the folded text ``low``, each word holding one is judged."""
        # str.find per stem (memchr-fast) instead of one regex alternation: 1 ms less per
        # 1,500 words, a fifth of text -> fields
        hits = []
        for stem in self.lex.cue_stems:
            i = low.find(stem)
            while i >= 0:
                hits.append((i, i + len(stem)))
                i = low.find(stem, i + len(stem))
        out, last, n = [], -1, len(text)
        for ws, we in sorted(hits):
            if ws < last:
                continue
            while ws > 0 and (text[ws - 1].isalnum() or text[ws - 1] == "-"):
                ws -= 1
            while we < n and (text[we].isalnum() or (text[we] == "-" and we + 1 < n and text[we + 1].isalpha())):
                we += 1
            last = we
            word = text[ws:we].lstrip("-")
            hit = self.lex.cue_of(word)
            if hit:
                out.append((we - len(word), we, hit[0], hit[1], hit[2]))
        return out

    # -- unquoted names after a cue ----------------------------------------------------------------
    def _cue_names(self, text: str, index: TextIndex, cues, mentions: list[Mention]) -> None:
        """``cue_name`` and ``heading``: a label line "Förderprogramm: X", a capitalised run after
        a strong cue, and a heading "X – 3. Förderaufruf"."""
        lex = self.lex
        quoted_starts = {m.start for m in mentions}
        for cs, ce, lemma, strength, plural in cues:
            if strength != "strong":
                continue
            nxt = text[ce:ce + 3]
            if nxt[:2] == ": " and not text[index.line(cs)[0]:cs].strip(" #*•-\t"):
                self._label_line(text, ce + 2, lemma, mentions)
                continue
            # "EFRE-Programm NRW 2021-2027": the name is the compound's first part (well-known
            # list), what follows is a region and a period
            compound = ("-" in text[cs:ce] and text[cs:cs + 1].isupper()
                        and not text[cs:ce].startswith(("EU-", "Bund-")))
            if compound and nxt[:1] == " ":
                self._compound_cue_run(text, cs, ce, mentions)
            elif nxt[:1] == " " and nxt.strip()[:1] not in lex.quotes and (
                    ce + 1 in quoted_starts or not self._run_after_cue(text, cs, ce, lemma, plural, mentions)):
                continue                 # a quoted name or an organisation follows
            self._label_above(text, index, cs, ce, mentions)
            self._heading(text, index, cs, ce, mentions)

    def _compound_cue_run(self, text: str, cs: int, ce: int, mentions: list[Mention]) -> None:
        """A hyphenated cue and a run of two words or more: all of it is the name
        ("EFRE-Sonderfonds Innovative Maßnahmen"); a region and period after it are not."""
        run = self._run(text, ce + 1, ce + 1 + MAX_RUN_CHARS)
        if run and len(run[2]) >= 2 and self._name_shaped(run[2]) and not self.lex.rejects(text[ce + 1:run[1]]):
            mentions.append(Mention(cs, run[1], text[cs:run[1]], "cue_name"))

    def _label_above(self, text: str, index: TextIndex, cs: int, ce: int, mentions: list[Mention]) -> None:
        """A line that is only a cue word and the next non-empty line a short name
        ("Förderprogramm⏎⏎Zukunft Region", the layout of programme databases)."""
        ls, le = index.line(cs)
        if text[ls:cs].strip(" #*•-\t") or text[ce:le].strip():
            return
        m = _NEXT_LINE.match(text, le)
        if not m or len(m.group(1)) > HEADING_MAX_CHARS // 2:
            return
        s = m.start(1)
        run = self._run(text, s, m.end(1))
        if run and run[1] == m.end(1) and self._name_shaped(run[2]) and not self.lex.rejects(m.group(1)):
            mentions.append(Mention(s, run[1], m.group(1), "cue_name"))

    def _label_line(self, text: str, pos: int, lemma: str, mentions: list[Mention]) -> None:
        """A label line "Förderprogramm: Digitalbonus Kommunal"."""
        run = self._run(text, pos, pos + MAX_RUN_CHARS)
        if run and self._name_shaped(run[2]) and not self.lex.rejects(text[run[0]:run[1]], lemma):
            mentions.append(Mention(run[0], run[1], text[run[0]:run[1]], "cue_name", cue=lemma))

    def _run_after_cue(self, text: str, cs: int, ce: int, lemma: str, plural: bool,
                       mentions: list[Mention]) -> bool:
        """The capitalised run right after a strong cue ("Programm Starke Heimat Hessen");
        False when the run is an organisation's name ("Initiative Standort Nord e.V.")."""
        pos = ce + 1
        run = self._run(text, pos, pos + MAX_RUN_CHARS)
        if not run:
            return True
        if self.lex.org_after.match(text, run[1]):
            return False
        for s, e, toks in self._split_run(text, run, plural):
            name = text[s:e]
            if self.lex.catalogue.link(name) is not None or (
                    self._name_shaped(toks) and not self.lex.rejects(name, lemma)):
                mentions.append(Mention(s, e, name, "cue_name", cue=lemma))
            elif not plural and len(toks) == 1 and self._keeps_cue(lemma, toks[0]):
                mentions.append(Mention(cs, e, text[cs:e], "cue_name", form=f"{lemma} {toks[0]}"))
        return True

    def _keeps_cue(self, lemma: str, word: str) -> bool:
        """A one-word name after a compound cue that is no name alone: the cue stays in the
        name ("Sofortprogramm Ortskern", "Förderprogramm Dorfentwicklung")."""
        lex = self.lex
        return (lemma not in lex.bare_cues and len(word) >= 4 and word.replace("-", "").isalpha()
                and word[:1].isupper() and word not in lex.generic_nouns and not lex.rejects(word))

    def _is_name_token(self, tok: str) -> bool:
        """A capitalised word or a number that is neither a stop word nor a cue word."""
        if not tok or tok in self.lex.stopwords or tok in _DASHES:
            return False
        if tok[0].isupper() or tok[0].isdigit():
            return self.lex.cue_of(tok) is None
        return False

    def _run(self, text: str, pos: int, limit: int) -> tuple[int, int, list[str]] | None:
        """Read an unquoted capitalised name starting at ``pos`` (on one line)."""
        if pos >= len(text) or not (text[pos].isupper() or text[pos].isdigit()):
            return None                        # "Programm des Landes", "Förderprogramm wird"
        end_line = text.find("\n", pos, limit)
        stop = min(limit, end_line if end_line >= 0 else len(text))
        toks = [(m.start() - pos, m.group()) for m in _NONSPACE.finditer(text, pos, stop)]
        names: list[tuple[int, str]] = []
        for i, (s, raw) in enumerate(toks):
            if raw[0] in "([{":
                break
            core = _core(raw)
            trailing = len(core) < len(raw)
            if not (self._is_name_token(core) or (names and not trailing and self._connects(core, toks[i + 1:]))):
                break
            names.append((s, core))
            if trailing:
                break
            if len(names) > MAX_NAME_TOKENS:
                return None
        while names and names[-1][1] in self.lex.connectors:
            names.pop()
        if not names:
            return None
        return pos + names[0][0], pos + names[-1][0] + len(names[-1][1]), [t for _, t in names]

    def _connects(self, word: str, rest: list[tuple[int, str]]) -> bool:
        """A lowercase connector between two name tokens ("Smart Cities made in Germany")."""
        return word in self.lex.connectors and bool(rest) and self._is_name_token(rest[0][1].rstrip(_TRAIL_PUNCT))

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
        """Tokens that can be a name: not only an edition, a region and a period, or generic
        nouns; a one-word name needs a digit, two capitals, a "+" or a capitalised hyphen part."""
        lex = self.lex
        if not tokens or len(tokens) > MAX_NAME_TOKENS:
            return False
        if all(t.replace(".", "").isdigit() for t in tokens):
            return False                                   # "Förderaufruf 2024": an edition
        if all(_PERIOD.fullmatch(t) or (t.isupper() and len(t) <= 3) for t in tokens):
            return False                                   # "NRW 2021-2027": region and period
        if all(t in lex.generic_nouns or t in lex.connectors or _PERIOD.fullmatch(t) for t in tokens):
            return False                                   # "Kommunen und Vereine": a description
        if len(tokens) > 1:
            return tokens[0][0].isupper() or tokens[0][0].isdigit()
        return _one_word_name(tokens[0])

    def _heading(self, text: str, index: TextIndex, cs: int, ce: int, mentions: list[Mention]) -> None:
        """A short line "X – 3. Förderaufruf" / "X: Projektaufruf 2024": X is the name."""
        ls, le = index.line(cs)
        if le - ls > HEADING_MAX_CHARS or _LETTER.search(text, ce, le):
            return
        m = _HEADING.match(text[ls:cs])
        if not m:
            return
        raw = m.group(1).strip().strip("„“\"‚‘»«›‹'")
        toks = raw.split()
        if not self._name_shaped(toks) or self.lex.rejects(raw) or \
                not all(self._is_name_token(t) or t in self.lex.connectors for t in toks):
            return
        s = text.find(raw, ls, cs)
        if s >= 0:
            mentions.append(Mention(s, s + len(raw), raw, "heading"))

    # -- quoted names ------------------------------------------------------------------------------
    def _quoted(self, text: str, cues_at: dict[int, tuple[str, str]], mentions: list[Mention],
                uncued: list[tuple[int, int]]) -> None:
        """``cue_quoted``: quoted names with a cue word before them (or a hyphenated cue or a
        copula and a cue after them); „X“, „Y“ und „Z“ after one plural cue. The spans of quotes
        without a cue go to ``uncued``."""
        pos = 0
        last_cued: tuple[int, str] | None = None
        cue_ends = sorted(cues_at)
        for qm in self.lex.quote_re.finditer(text):
            i = qm.start()
            if i < pos:
                continue               # inside the quote just read
            pos = i + 1
            j = self._closing_quote(text, i)
            if j < 0:
                continue
            pos = j + 1
            label = self.lex.link_label_re.match(text, i + 1, j)    # "Öffnet externen Link …X"
            inner_start = label.end() if label else i + 1
            inner = text[inner_start:j]
            inner_s = inner.strip()
            if not inner_s or not inner_s[0].isalnum():
                continue
            cue = self._cue_before(text, i, cues_at, cue_ends)
            if cue is None and last_cued is not None and _ENUM_GAP.fullmatch(text, last_cued[0], i):
                cue = last_cued[1]
            cue = cue or self._cue_after(text, j)
            qs = inner_start + len(inner) - len(inner.lstrip())
            if cue is None:
                uncued.append((qs, qs + len(inner_s)))
                continue
            if not self._quoted_name_ok(text, inner_s, j, cue, _cue_right_before(text, i, cues_at)):
                continue
            mentions.append(Mention(qs, qs + len(inner_s), inner_s, "cue_quoted", cue=cue))
            last_cued = (j + 1, cue)

    def _closing_quote(self, text: str, i: int) -> int:
        """Position of the quote that closes the one at ``i`` on the same line, else -1."""
        op, n = text[i], len(text)
        if op in "\"'" and i > 0 and text[i - 1].isalnum():
            return -1
        lim = min(n, i + 1 + MAX_QUOTED_CHARS)
        closer = self.lex.closer_re[op]
        k = i + 1
        while (c := closer.search(text, k, lim)) is not None:
            k = c.start()
            if text[k] == "\n":
                return -1
            if op == "'" and k + 1 < n and text[k + 1].isalnum():
                k += 1               # "geht's": an apostrophe, no closing quote
                continue
            return k
        return -1

    def _cue_after(self, text: str, j: int) -> str | None:
        """The cue after a closing quote at ``j``: "„X“ ist ein neues Förderprogramm",
        "„X“-Förderaufruf"."""
        cm = _COPULA_AFTER.match(text, j, min(len(text), j + 60))
        word = cm.group(1) if cm else None
        if word is None and j + 2 < len(text) and text[j + 1] == "-":
            wm = re.match(r"[\w\-]+", text[j + 2:j + 40])
            word = wm.group() if wm else None
        hit = self.lex.cue_of(word) if word else None
        return hit[0] if hit else None

    def _quoted_name_ok(self, text: str, inner: str, j: int, cue: str, direct: bool) -> bool:
        """A cued quote is a name unless too long, rejected, a number, an association or a
        quotation. Right after its cue (``direct``) a slogan that reads like a sentence and a
        word like "…strategie" stay names ("Förderprogramm „Deutsche Anpassungsstrategie …“")."""
        words = inner.split()
        return not (len(words) > MAX_QUOTED_TOKENS or self.lex.rejects(inner, cue, heads=not direct)
                    or all(t.replace(".", "").isdigit() for t in words)
                    or self.lex.org_after.match(text, j + 1)   # „Sicher im Netz“ e.V.
                    or self._is_statement(inner, direct))

    def _is_statement(self, s: str, direct: bool = False) -> bool:
        """A quotation ("„Wir unterstützen die Kommunen.“") rather than a name."""
        if s[-1] in ".?;:" and not _ABBREV_END.search(s):
            return True
        toks = s.lower().split()
        return not direct and len(toks) >= STATEMENT_MIN_TOKENS and any(
            t.strip(",.!?") in self.lex.statement_words for t in toks)

    def _cue_before(self, text: str, qpos: int, cues_at: dict[int, tuple[str, str]],
                    cue_ends: list[int]) -> str | None:
        """The cue lemma standing right before the quote at ``qpos`` (same line), else None:
        right before it (with a colon), behind a naming phrase ("heißt", "mit dem Namen"), or
        behind a short gap opened by a genitive ("Förderprogramm des Landes")."""
        ls = text.rfind("\n", 0, qpos) + 1
        ws = max(ls, qpos - CUE_WINDOW_CHARS)
        parts = text[ws:qpos].rsplit(None, 4)        # only the last four words are looked at
        if not parts:
            return self._cue_line_above(text, ls, qpos)
        k = bisect.bisect_left(cue_ends, ws)
        if k == len(cue_ends) or cue_ends[k] > qpos:
            return None              # no cue word in the window (most quotes: a saving of 2/3 here)
        start = ws + len(parts[0]) if len(parts) == 5 else ws
        toks = [(m.start(), m.group()) for m in _NONSPACE.finditer(text, start, qpos)]
        named = self._named_by_phrase(toks)
        if named:
            return named
        for gap in range(0, min(MAX_CUE_GAP_TOKENS + 1, len(toks))):
            k = len(toks) - 1 - gap
            s, raw = toks[k]
            word = raw.rstrip(":") if gap == 0 else raw
            if gap and raw[-1:] in _TRAIL_PUNCT:
                break
            hit = cues_at.get(s + len(word)) or self._cue_word(word)
            if hit is not None:
                gap_toks = [t for _, t in toks[k + 1:]]
                if gap == 0 or (gap_toks[0] in self.lex.gap_openers
                                and not any(t.lower() in self.lex.section_words for t in gap_toks)):
                    return hit[0]
                return None
            if gap == 0 and raw.endswith(":"):
                return None
        return None

    def _cue_line_above(self, text: str, ls: int, qpos: int) -> str | None:
        """A quote that opens its line under a line that is only a cue word
        ("Förderbekanntmachung⏎„X“")."""
        if ls < 2 or text[ls:qpos].strip():
            return None
        prev = text[text.rfind("\n", 0, ls - 1) + 1:ls - 1].strip(" #*•-\t:")
        c = self.lex.cue_of(prev) if prev and " " not in prev else None
        return c[0] if c else None

    def _named_by_phrase(self, toks: list[tuple[int, str]]) -> str | None:
        """The cue before a naming phrase that ends ``toks`` ("Das Förderprogramm heißt")."""
        for g in (1, 3):
            if len(toks) > g and tuple(t.lower() for _, t in toks[-g:]) in self.lex.naming_phrases:
                c = self._cue_word(toks[-g - 1][1])
                if c:
                    return c[0]
        return None

    def _cue_word(self, raw: str) -> tuple[str, str, bool] | None:
        """The cue of a word with leading markup or brackets ("#Modellprogramm", "(Initiative")."""
        w = raw.lstrip("#*•([")
        return self.lex.cue_of(w) if w else None

    # -- well-known names --------------------------------------------------------------------------
    def _known(self, doc: Doc, text: str, mentions: list[Mention]) -> None:
        """``known``: catalogue forms (PhraseMatcher), "EFRE-Mittel" compounds, regex entries."""
        for match_id, s, e in self.matcher(doc):
            idx, form = self._match_known[match_id]
            span = doc[s:e]
            start, end = span.start_char, span.end_char
            ed = _EDITION.match(text, end)       # "Interreg VI A", "Überbrückungshilfe IV"
            if ed:
                end = ed.end()
                form = form + text[ed.start():end]
            surf = text[start:end]
            mentions.append(Mention(start, end, surf, "known", known=idx,
                                    acronym=surf.isupper() and " " not in surf, form=form))
        self._known_compounds(text, mentions)
        self._known_patterns(text, mentions)

    def _known_compounds(self, text: str, mentions: list[Mention]) -> None:
        """A known form before a hyphen and a capital: "EFRE-Mittel", "LEADER-Region"; an
        acronym also in title case ("Leader-Mittel")."""
        for m in _HYPHEN_BEFORE_CAPITAL.finditer(text):
            h = ws = m.start()
            while ws > 0 and (text[ws - 1].isalnum() or text[ws - 1] in "+."):
                ws -= 1
            tail = _WORD.match(text, h + 1)
            if tail and tail.group() in self.lex.known_compound_stops:
                continue                 # "Interreg-Ausschuss": a body, not the programme
            for form, idx in self.lex.known_by_last.get(text[ws:h], ()):
                fs = h - len(form)
                if fs >= 0 and text[fs:h] == form and (
                        fs == 0 or not (text[fs - 1].isalnum() or text[fs - 1] == "-")):
                    mentions.append(Mention(fs, h, form, "known", known=idx,
                                            acronym=form.isupper() and " " not in form, form=form))
                    break
            else:
                self._title_case_acronym(text, ws, h, mentions)

    def _title_case_acronym(self, text: str, ws: int, h: int, mentions: list[Mention]) -> None:
        """A known acronym written in title case before a hyphen ("Leader-Region"): the
        catalogue's form ("LEADER")."""
        word = text[ws:h]
        if len(word) < 3 or not word[0].isupper() or word[1:].isupper() or not word.isalpha() or \
                (ws > 0 and text[ws - 1] == "-"):
            return
        for form, idx in self.lex.known_by_last.get(word.upper(), ()):
            if form == word.upper():
                mentions.append(Mention(ws, h, word, "known", known=idx, form=form))
                return

    def _known_patterns(self, text: str, mentions: list[Mention]) -> None:
        """Regex catalogue entries ("KfW 432"), only where their trigger word occurs and no listed
        form covers the match."""
        listed = [(m.start, m.end) for m in mentions if m.rule == "known"]
        catalogue = self.lex.catalogue
        for p in catalogue.patterns:
            if p.trigger and p.trigger not in text:
                continue
            for m in p.regex.finditer(text):
                if any(a < m.end() and m.start() < b for a, b in listed):
                    continue
                nm = p.name.format(*(("",) + m.groups()))
                k = catalogue.link(nm)
                mentions.append(Mention(m.start(), m.end(), nm, "known",
                                        known=k if k is not None else p.index))

    # -- frozen adjectives -------------------------------------------------------------------------
    def _grammar(self, text: str, low: str, mentions: list[Mention]) -> None:
        """``name_grammar``: "mit Resiliente Regionen": a bare -e adjective right after a dative
        preposition, followed by a capitalised word, starts a name."""
        lex = self.lex
        at_start = lex.dative_re.match(low)
        ends = ([at_start.end()] if at_start else []) + [p.end() for p in lex.dative_inner_re.finditer(low)]
        for end in ends:
            m = lex.grammar_re.match(text, end)
            if not m:
                continue
            adj = m.group(1)
            if adj in lex.adj_exceptions or lex.cue_of(adj):
                continue
            run = self._run(text, m.start(1), m.start(1) + MAX_RUN_CHARS)
            if not run or len(run[2]) < 2 or run[2][0] != adj:
                continue
            s, e, _toks = run
            if not lex.rejects(text[s:e]):
                mentions.append(Mention(s, e, text[s:e], "name_grammar"))


def _cue_right_before(text: str, i: int, cues_at: dict) -> bool:
    """A cue word ends right before position ``i`` (spaces and a colon between)."""
    k = i
    while k > 0 and text[k - 1] in " :":
        k -= 1
    return k in cues_at


def _core(raw: str) -> str:
    """A whitespace token without trailing punctuation; an abbreviation's dot goes too, a
    number's stays ("2.0.")."""
    core = raw.rstrip(_TRAIL_PUNCT)
    if core.endswith(".") and not core[:-1].replace(".", "").isdigit():
        core = core[:-1]
    return core


def _one_word_name(t: str) -> bool:
    """A single word that looks like a name: a digit, two capitals, a "+", or a capitalised part
    after a hyphen ("DigitalPakt", "EXIST", "Erasmus+", "Sprach-Kitas")."""
    return (any(c.isdigit() for c in t) or sum(c.isupper() for c in t) >= 2 or "+" in t
            or ("-" in t and any(p[:1].isupper() for p in t.split("-")[1:])))


field_component("programmes", build=ProgrammeRules)
