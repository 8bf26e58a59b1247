"""The word lists of the municipalities component (``extractors/patterns/muni_*``) and the regexes
built from them, read once: :func:`words`.

Each file's header says what an entry is. To add a type word, an organisation word, a contact word
or a region, add a line to its file; nothing here changes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractors.fields.gazetteer import norm_key
from extractors.fields.rules import alternation, fold, read_jsonl, read_lines, read_table


@dataclass(frozen=True, slots=True)
class Cue:
    """A type word before a name (``muni_types.jsonl``)."""
    word: str
    kind: str              # gemeinde, kreis, verband, any
    type: str | None
    plural: bool = False


@dataclass(frozen=True)
class Words:
    """The word lists of ``extractors/patterns/muni_*`` and the regexes built from them."""
    cues: dict[str, Cue]
    cue_re: re.Pattern                     # a type word before a capitalised word (word start: the caller)
    common: frozenset[str]                 # keys of names that are ordinary words
    regions: frozenset[str]
    land_keys: dict[str, str]              # key of a Land name -> code (non-city Länder)
    city_states: frozenset[str]            # keys: berlin, hamburg, bremen
    land_re: re.Pattern                    # Land names and adjectives in running text
    land_codes: dict[str, str]             # casefolded form -> code
    land_forms: dict[str, set[str]]        # code -> folded forms a match meaning it starts with
    land_heads: frozenset[str]             # "Land Berlin": the Land, not the city
    org_before: frozenset[str]
    org_suffixes: tuple[str, ...]
    org_after: frozenset[str]
    contact_re: re.Pattern                 # a contact word, PLZ + town, street + number, mail, web
    address_re: re.Pattern                 # a short line of an address block
    apposition_re: re.Pattern              # ", eine kleine Gemeinde", " im Landkreis", " (Kreis "
    function: frozenset[str]
    locative: frozenset[str]
    given: frozenset[str]
    persons: frozenset[str]                # titles, offices, given names before a surname
    articles: frozenset[str]
    titles: frozenset[str]
    name_prefixes: frozenset[str]
    noun_suffix_re: re.Pattern


def _words_of(name: str) -> list[str]:
    """The white-space separated words of a pattern file with several words a line."""
    return [w for line in read_lines(name) for w in line.split()]


def _land_words() -> dict:
    """Land names and adjectives (``muni_laender.jsonl``): keys, codes and the running-text regex."""
    land_keys, city_states, land_codes, names, adjectives = {}, set(), {}, [], []
    for d in read_jsonl("muni_laender.jsonl"):
        for n in d["names"]:
            names.append(n)
            land_codes[n.casefold()] = d["code"]
            if d.get("city") and n == d["names"][0]:
                city_states.add(norm_key(n))
            else:
                land_keys[norm_key(n)] = d["code"]
        for a in d["adjectives"]:
            adjectives.append(a)
            land_codes[a.casefold()] = d["code"]
    land_re = re.compile(rf"(?<![\w\-])((?:{alternation(adjectives)})\w*|{alternation(names)})(?![\w\-])",
                         re.IGNORECASE)
    # where a match meaning a code can start: the code's names, and every adjective that starts
    # with one of its forms or is the start of one (the code of an inflected adjective is that of
    # the first form it starts with, see _land_code)
    land_forms: dict[str, set[str]] = {}
    for n in names:
        land_forms.setdefault(land_codes[n.casefold()], set()).add(fold(n))
    for a in adjectives:
        for k, code in land_codes.items():
            if a.casefold().startswith(k) or k.startswith(a.casefold()):
                land_forms.setdefault(code, set()).add(fold(a))
    return dict(land_keys=land_keys, city_states=frozenset(city_states), land_codes=land_codes,
                land_re=land_re, land_forms=land_forms)


def _contact_words() -> dict:
    """Contact words and street words as the contact and address-line regexes."""
    contact = read_table("muni_contact_words.txt")
    streets = read_table("muni_street_words.txt")
    any_street = alternation(row[0] for row in streets)
    line_street = alternation(row[0] for row in streets if "line" in row[1:])
    address_words = alternation(row[0] for row in contact if "address" in row[1:])
    # searched in the folded text (see rules.fold): lower-case patterns, no IGNORECASE (4x faster)
    contact_re = re.compile(
        rf"(?P<word>(?<![\w\-])(?:{alternation(row[0].lower() for row in contact)})(?=[\s.:;,]|$))"
        r"|(?P<plz>\b\d{5}\s+[a-zäöü])"                                  # PLZ + Ort
        rf"|(?P<street>(?:{any_street})\s+\d+[a-z]?\b)"                 # Schillerplatz 7
        r"|(?P<web>@|https?://|www\.)")
    address_re = re.compile(
        rf"\b\d{{5}}\s+[A-ZÄÖÜ]|^(?:D-)?\d{{5}}$|\b(?:{address_words})\b|@"
        rf"|(?:{line_street})(?:\s+\d+[a-z]?)?$", re.IGNORECASE)
    return dict(contact_re=contact_re, address_re=address_re)


def _apposition_re() -> re.Pattern:
    """The three apposition forms of ``muni_apposition.txt`` as one regex matched after a name."""
    by_form: dict[str, list[str]] = {}
    for word, form in read_table("muni_apposition.txt"):
        by_form.setdefault(form, []).append(word)
    return re.compile(
        rf",\s+(?:eine?|die|der|das|als)\s+(?:[\wäöüß\-]+\s+){{0,3}}?(?:{alternation(by_form['noun'])})\b"
        rf"|\s+(?:im|in\s+der|in\s+den)\s+(?:{alternation(by_form['area'])})\b"
        rf"|\s*\((?:{alternation(by_form['bracket'])})\s")


@lru_cache(maxsize=1)
def words() -> Words:
    """All municipality word lists, read once."""
    cues = {d["word"]: Cue(d["word"], d["kind"], d.get("type"), bool(d.get("plural")))
            for d in read_jsonl("muni_types.jsonl")}
    org = read_lines("muni_org_before.txt")
    return Words(
        cues=cues,
        # the word start is checked on the match (rules.at_word_start): 0.20 -> 0.06 ms per 1,500 words
        cue_re=re.compile(rf"(?P<cue>{alternation(cues)})(?=(?:\s*\([^()\n]{{1,20}}\))?:?\s+(?:von\s+)?[A-ZÄÖÜ])"),
        common=frozenset(norm_key(w) for w in read_lines("muni_common_words.txt")),
        regions=frozenset(norm_key(w) for w in read_lines("muni_regions.txt")),
        land_heads=frozenset(read_lines("muni_land_heads.txt")),
        org_before=frozenset(w for w in org if not w.startswith("-")),
        org_suffixes=tuple(w[1:].casefold() for w in org if w.startswith("-")),
        org_after=frozenset(read_lines("muni_org_after.txt")),
        apposition_re=_apposition_re(),
        function=frozenset(_words_of("muni_function_words.txt")),
        locative=frozenset(read_lines("muni_locative.txt")),
        given=frozenset(read_lines("muni_given_names.txt")),
        persons=frozenset(_words_of("muni_person_words.txt")),
        articles=frozenset(_words_of("muni_articles.txt")),
        titles=frozenset(_words_of("muni_titles.txt")),
        name_prefixes=frozenset(_words_of("muni_name_prefixes.txt")),
        noun_suffix_re=re.compile(rf"(?:{alternation(read_lines('muni_noun_suffixes.txt'))})s?$"),
        **_land_words(), **_contact_words(),
    )
