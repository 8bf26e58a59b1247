"""The rule toolkit: fragment_tree matches what a plain alternation of named fragments matches."""
from __future__ import annotations

import re

import pytest

from extractors.fields.rules import fragment_name, fragment_tree, read_jsonl

FRAGMENTS = [
    ("noun", r"(?:förder)?antrags(?:frist\w*|schluss)|antragstellung"),
    ("subject", r"(?:förder|projekt)?anträge?n?\b|(?:förder)?antrag\w*"),
    ("count", r"(?:\d{1,2}|ein|zwei)\s+(?:wochen|monate)\s+lang\b"),
    ("verb", r"einzureichen|einreichen|zu\s+stellen|stellen"),
    ("mark", r'[„"]frist\b|\.\.\.|d\+\+'),
    ("digits", r"q\d+|h[12]"),
]
TEXTS = [
    "Förderanträge sind bis zum 31. März einzureichen; Antragsfrist endet.",
    "Der Antragsteller kann 12 Wochen lang einen Projektantrag stellen, zwei monate lang.",
    "„Frist“ … Antragsschluss, antragsfristen und \"frist d++ ... q12 h1 h3 zu   stellen",
    "förderantragsschluss förderantrag anträgen antragstellung einreichen einzureichen",
]


def _plain(named):
    return re.compile(r"(?<![\w])(?:" + "|".join(f"(?P<{n}>{f})" for n, f in named) + ")")


def _tree(named):
    return re.compile(r"(?<![\w])(?:" + fragment_tree(named) + ")")


@pytest.mark.parametrize("text", TEXTS)
def test_fragment_tree_matches_like_the_plain_alternation(text):
    low = text.lower()
    plain, tree = _plain(FRAGMENTS), _tree(FRAGMENTS)
    expected = [(m.start(), m.end(), m.lastgroup) for m in plain.finditer(low)]
    assert expected, "the table should hold matches"
    assert [(m.start(), m.end(), fragment_name(m)) for m in tree.finditer(low)] == expected


def test_fragment_tree_keeps_the_order_of_fragments():
    """At one position the first fragment listed wins, also when a later one is longer."""
    named = [("short", "antrag"), ("long", "antragsfrist")]
    m = _tree(named).search("die antragsfrist")
    assert (m.group(0), fragment_name(m)) == ("antrag", "short")


@pytest.mark.parametrize("file", ["deadline_cues.jsonl", "deadline_negative.jsonl", "date_kind_cues.jsonl"])
def test_cue_files_build_trees_that_match_like_plain_alternations(file):
    named = [(f"c{i}", o["re"]) for i, o in enumerate(read_jsonl(file))]
    text = " ".join(TEXTS).lower() + " " + " ".join(
        w for _, f in named for w in re.findall(r"[a-zäöüß]{4,}", f))
    plain, tree = _plain(named), _tree(named)
    expected = [(m.start(), m.end(), m.lastgroup) for m in plain.finditer(text)]
    assert len(expected) > 20
    assert [(m.start(), m.end(), fragment_name(m)) for m in tree.finditer(text)] == expected


@pytest.mark.parametrize("fragment", [r"\w+frist", r"(?<!x)frist", r"a?frist", r"(?:a|b)*x", r".frist"])
def test_fragment_tree_refuses_a_fragment_without_a_readable_first_character(fragment):
    with pytest.raises(ValueError, match="must start with"):
        fragment_tree([("cue", fragment)])
