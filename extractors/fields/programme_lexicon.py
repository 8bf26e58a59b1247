"""Word lists and regexes of the programme rules, loaded once from ``patterns/programme_*``.

Every list is a pattern file (see :mod:`extractors.fields.rules` for the syntax); this module only
turns them into sets and regexes. The well-known programmes are the catalogue
(:mod:`extractors.fields.catalogue`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractors.fields.catalogue import Catalogue, load_catalogue, norm_name
from extractors.fields.rules import PatternFileError, alternation, read_lines, read_table

INFLECTIONS = ("", "s", "es", "e", "en", "n")      # generated forms of a cue word
_PLURAL_ENDINGS = frozenset({"e", "en", "n"})       # "Programme", "Programmen", "Initiativen"
STRENGTHS = ("strong", "quoted")


@dataclass(frozen=True, slots=True, eq=False)
class Lexicon:
    """Everything the programme rules read from ``extractors/patterns/programme_*``."""
    cue_exact: dict[str, tuple[str, str]]           # inflected form -> (lemma, strength)
    cue_suffixes: tuple[tuple[str, str], ...]        # (lowercase suffix, strength)
    cue_stems: tuple[str, ...]                       # lowercase substrings every cue word holds
    stopwords: frozenset[str]
    connectors: frozenset[str]
    not_names: frozenset[str]                        # norm_name of names that are no programme
    not_heads: tuple[str, ...]
    generic_nouns: frozenset[str]
    adj_exceptions: frozenset[str]
    grammar_re: re.Pattern                           # a bare -e adjective, matched after a preposition
    dative_re: re.Pattern                            # a dative preposition at the text start; ...
    dative_inner_re: re.Pattern                      # ... after a space or line break (folded text)
    gap_openers: frozenset[str]
    naming_phrases: frozenset[tuple[str, ...]]
    section_words: frozenset[str]
    statement_words: frozenset[str]
    org_after: re.Pattern                            # a legal form right after a name
    quotes: dict[str, str]                           # opening quote -> closing characters
    quote_re: re.Pattern                             # any opening quote character
    closer_re: dict[str, re.Pattern]                 # per opener: its closer or a line end
    heads: tuple[str, ...]                           # programme head nouns ("fonds", "scheck")
    head_re: re.Pattern                              # a head noun at a word end (folded text)
    head_stops: frozenset[str]                       # ordinary compounds with a head noun
    head_context_re: re.Pattern                      # applying/funding/calling words (folded)
    name_adjective_stops: frozenset[str]             # "Neues Förderprogramm": no name
    known_compound_stops: frozenset[str]             # "Interreg-Ausschuss": no mention
    bare_cues: frozenset[str]                        # "Programm": no name with one word after it
    link_label_re: re.Pattern                        # a link label glued before a quoted name
    catalogue: Catalogue
    known_by_last: dict[str, tuple[tuple[str, int], ...]]   # last word of a known form -> forms

    @lru_cache(maxsize=50_000)  # noqa: B019 (the lexicon lives as long as the process)
    def cue_of(self, word: str) -> tuple[str, str, bool] | None:
        """(cue lemma, strength, plural) if ``word`` is a cue word, else None. A hyphenated word
        is judged by its last part ("ESF-Bundesprogramme" -> ("Bundesprogramm", ..., True))."""
        part = word.rsplit("-", 1)[-1]
        if not part or not part[0].isupper():
            return None
        exact = self.cue_exact.get(part)
        if exact:
            return exact[0], exact[1], part[len(exact[0]):] in _PLURAL_ENDINGS
        low = part.lower()
        for suf, strength in self.cue_suffixes:
            for infl in INFLECTIONS:
                if low.endswith(suf + infl) and len(low) > len(suf + infl):
                    return (part[: len(part) - len(infl)] if infl else part, strength,
                            infl in _PLURAL_ENDINGS)
        return None

    def rejects(self, name: str, cue: str | None = None, heads: bool = True) -> bool:
        """True for names that are no programme: agencies, laws, strategies, events, platforms
        (``heads=False``: a word's ending alone does not reject, for a quote right after a cue)."""
        if cue and norm_name(f"{cue} {name}") in self.not_names:
            return True
        n = norm_name(name)
        if not n or n in self.not_names:
            return True
        words = n.split()
        if all(t in self.not_names for t in words):
            return True                      # "Bund Länder EU"
        for tok in words:
            tok = tok.strip(".,;:!?")
            if (tok in self.not_names and len(words) == 1) or (heads and tok.endswith(self.not_heads)):
                return True
        return False


def _cues() -> tuple[dict, tuple, tuple[str, ...]]:
    """programme_cues.txt: exact cue forms, compound suffixes, and the minimal stems (no stem
    contains another) that every cue word holds."""
    exact: dict[str, tuple[str, str]] = {}
    suffixes: list[tuple[str, str]] = []
    stems: set[str] = set()
    for line in read_lines("programme_cues.txt"):
        word, _, strength = line.partition(" ")
        strength = strength.strip() or "strong"
        if strength not in STRENGTHS:
            raise PatternFileError(f"programme_cues.txt: unknown strength {strength!r} in {line!r}")
        if word.startswith("*"):
            suffixes.append((word[1:].lower(), strength))
            stems.add(word[1:].lower())
        else:
            for infl in INFLECTIONS:
                exact.setdefault(word + infl, (word, strength))
            stems.add(word.lower())
    return exact, tuple(suffixes), tuple(sorted(s for s in stems if not any(o != s and o in s for o in stems)))


def _known_by_last(catalogue: Catalogue) -> dict[str, tuple[tuple[str, int], ...]]:
    """Known forms by their last word, longest first (for "EFRE-Mittel"-style compounds); the
    Förderdatenbank titles are linked to, not searched for, so they are not among them."""
    out: dict[str, list[tuple[str, int]]] = {}
    for idx, entry in enumerate(catalogue.entries):
        if not entry.searched:
            continue
        for f in entry.forms:
            last = re.split(r"[\s\-]", f)[-1]
            if len(f) >= 3 and last[-1:].isalnum():
                out.setdefault(last, []).append((f, idx))
    return {k: tuple(sorted(v, key=lambda x: -len(x[0]))) for k, v in out.items()}


def _quotes() -> dict[str, str]:
    """programme_quotes.txt: opening quote -> closing characters."""
    out = {}
    for row in read_table("programme_quotes.txt"):
        if len(row) != 2 or len(row[0]) != 1:
            raise PatternFileError(f"programme_quotes.txt: expected 'OPENER<TAB>CLOSERS', got {row}")
        out[row[0]] = row[1]
    return out


def load_lexicon() -> Lexicon:
    """The programme lexicon over the programme catalogue in use (:func:`load_catalogue`): built
    once per catalogue, so a rebuilt Förderdatenbank catalogue reaches the next extractor."""
    return _lexicon_for(load_catalogue())


@lru_cache(maxsize=2)
def _lexicon_for(catalogue: Catalogue) -> Lexicon:
    cue_exact, cue_suffixes, cue_stems = _cues()
    ends = alternation(read_lines("programme_adjective_endings.txt"))
    preps = alternation(read_lines("programme_dative_prepositions.txt"))
    legal = alternation(read_lines("programme_legal_forms.txt"))
    quotes = _quotes()
    heads = tuple(read_lines("programme_heads.txt"))
    return Lexicon(
        cue_exact=cue_exact, cue_suffixes=cue_suffixes, cue_stems=cue_stems,
        stopwords=frozenset(read_lines("programme_stopwords.txt")),
        connectors=frozenset(read_lines("programme_connectors.txt")),
        not_names=frozenset(norm_name(x) for x in read_lines("programme_not_names.txt")),
        not_heads=tuple(x.casefold() for x in read_lines("programme_not_heads.txt")),
        generic_nouns=frozenset(read_lines("programme_generic_nouns.txt")),
        adj_exceptions=frozenset(read_lines("programme_adjective_exceptions.txt")),
        grammar_re=re.compile(rf" +([A-ZÄÖÜ][a-zäöüß]+(?:{ends})) +(?=[A-ZÄÖÜ])"),
        dative_re=re.compile(rf"(?:{preps})(?= )"),
        dative_inner_re=re.compile(rf"[ \n](?:{preps})(?= )"),  # 2x faster than a lookbehind
        gap_openers=frozenset(read_lines("programme_gap_words.txt")),
        naming_phrases=frozenset(tuple(p.split()) for p in read_lines("programme_naming_phrases.txt")),
        section_words=frozenset(read_lines("programme_section_words.txt")),
        statement_words=frozenset(read_lines("programme_statement_words.txt")),
        org_after=re.compile(rf"\s*(?:{legal})(?![\w])"),
        quotes=quotes,
        quote_re=re.compile("[" + re.escape("".join(quotes)) + "]"),
        closer_re={op: re.compile("[" + re.escape(cl) + "\n]") for op, cl in quotes.items()},
        heads=heads,
        head_re=re.compile(rf"(?:{alternation(heads)})(?:es|s)?(?![\w-])"),
        head_stops=frozenset(read_lines("programme_head_stops.txt")),
        head_context_re=re.compile(alternation(read_lines("programme_head_context.txt"))),
        name_adjective_stops=frozenset(read_lines("programme_name_adjective_stops.txt")),
        known_compound_stops=frozenset(read_lines("programme_known_compound_stops.txt")),
        bare_cues=frozenset(read_lines("programme_bare_cues.txt")),
        link_label_re=re.compile(rf"\s*(?:{alternation(read_lines('programme_link_labels.txt'))})\s*"),
        catalogue=catalogue,
        known_by_last=_known_by_last(catalogue),
    )
