"""The applicant vocabulary (``extractors/patterns/applicant_*``) and the regexes built from it,
read once; without spaCy, so the warehouse and the saved filters can use it.

To add a form or a type, add to ``applicant_types.jsonl``; a cue, a line in
``applicant_cues.txt``; nothing here changes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extractors.fields.rules import alternation, fold, read_jsonl, read_lines


@dataclass(frozen=True, slots=True)
class Vocabulary:
    words: re.Pattern          # any form of applicant_types.jsonl, as a whole word, in folded text
    type_of: dict[str, str]    # folded form (single spaces) -> type
    cues: re.Pattern           # applicant_cues.txt, in folded text (the caller checks the word start)
    negations: re.Pattern      # applicant_negations.txt, whole words, in folded text
    fdb: dict[str, str]        # Förderdatenbank Förderberechtigte label -> type
    types: tuple[str, ...]     # the vocabulary, in file order


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    entries = read_jsonl("applicant_types.jsonl")
    type_of = {fold(w): e["type"] for e in entries for w in e["words"]}
    return Vocabulary(
        words=re.compile(r"(?<![\w-])(?:" + alternation(type_of) + r")(?![\w-])"),
        type_of=type_of,
        # the word start is checked on the match (rules.at_word_start): 0.19 -> 0.08 ms per 1,500 words
        cues=re.compile(alternation(fold(c) for c in read_lines("applicant_cues.txt"))),
        negations=re.compile(r"(?<!\w)(?:" + alternation(fold(c) for c in read_lines("applicant_negations.txt"))
                             + r")(?!\w)"),
        fdb={label: e["type"] for e in entries for label in e.get("fdb", [])},
        types=tuple(dict.fromkeys(e["type"] for e in entries)))


def applicant_types() -> list[str]:
    """The vocabulary, in file order."""
    return list(vocabulary().types)


def fdb_types(labels) -> list[str]:
    """The vocabulary types of Förderdatenbank Förderberechtigte labels (unknown labels left out)."""
    fdb = vocabulary().fdb
    out: list[str] = []
    for label in labels or []:
        t = fdb.get(str(label).strip())
        if t and t not in out:
            out.append(t)
    return out
