"""Deadline evidence and competing cues in a sentence, and the document as ``deadlines`` reads it.

Evidence (``deadline_cues.jsonl``): deadline nouns, submission verbs, what is due, calls; also as
the last part of a compound (``deadline_heads.jsonl``: "Einreichschluss", "Projektantrag").
Competing cues: ``deadline_negative.jsonl`` (post-award, completion, statistical cut-offs …) and
the date kinds of ``date_kind_cues.jsonl`` / ``date_kind_heads.jsonl`` (events, periods, starts).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from extractors.fields.rules import alternation, fragment_name, read_jsonl, read_lines
from extractors.fields.dates import DateFound
from extractors.fields.text import compound_heads, cue_distance, cue_regex, sentence_bounds

def words(name: str) -> str:
    """The regex fragments of a pattern file as one alternation."""
    return alternation(read_lines(name), escape=False)


_CUES = read_jsonl("deadline_cues.jsonl")
_NEG = read_jsonl("deadline_negative.jsonl")
_NEG_KINDS = ("post_award", "after_award", "window_length", "completion", "reference")
LEFT_PATTERNS = {n["kind"]: n["re"] for n in _NEG if n["kind"] not in _NEG_KINDS}
_KIND_CUES: dict[str, list[str]] = {}
for _c in read_jsonl("date_kind_cues.jsonl"):
    _KIND_CUES.setdefault(_c["kind"], []).append(_c["re"])

# deadline evidence: group p<i> -> _CUES[i]; competing cues: group = their kind
POS_RE = cue_regex((f"p{i}", c["re"]) for i, c in enumerate(_CUES))
NEG_RE = cue_regex((n["kind"], n["re"]) for n in _NEG if n["kind"] in _NEG_KINDS)
KIND_RE = cue_regex((k, "|".join(v)) for k, v in _KIND_CUES.items())
# compound heads (deadline_heads.jsonl, date_kind_heads.jsonl): group h<i> -> the entry
_HEADS = read_jsonl("deadline_heads.jsonl")
# searched without groups (a leading group would keep sre from skipping to the heads' letters)
HEADS_RE = re.compile("|".join(f"(?:{h['head']})" for h in _HEADS))
_HEAD_RES = [re.compile(h["head"]) for h in _HEADS]
_HEAD_PREFIX = [re.compile(h["prefix"]) if h.get("prefix") else None for h in _HEADS]
_HEAD_NOT = [re.compile(f"(?:{h['not']})$") if h.get("not") else None for h in _HEADS]
_KIND_HEADS = read_jsonl("date_kind_heads.jsonl")
KIND_HEADS_RE = re.compile("|".join(f"(?P<{h['kind']}>{h['head']})" for h in _KIND_HEADS))
ANNUAL_RE = re.compile(
    "(?<![\\w])(?:" + "|".join(f"(?:{a})(?![\\w])" for a in read_lines("deadline_annual.txt")) + ")")


@dataclass(slots=True)
class Hit:
    """A cue in a sentence: deadline evidence or a competing cue."""
    start: int
    end: int
    type: str          # noun | verb | subject | call | window | post_award | completion | reference | <date kind>
    subject: str | None = None
    cue: str | None = None
    strong: bool = False
    label: bool = True          # a subject word that can head a label line ("Fragen bis …")


def find_hits(low: str, s0: int, s1: int) -> tuple[list[Hit], list[Hit]]:
    """Deadline evidence and competing cues in ``low[s0:s1]``; without evidence, no competitors."""
    pos = []
    for m in POS_RE.finditer(low, s0, s1):
        c = _CUES[int(fragment_name(m)[1:])]
        pos.append(Hit(m.start(), m.end(), c["type"], c.get("subject"), c.get("cue") or m.group(0),
                       bool(c.get("strong")), c.get("label", True)))
    pos += _head_hits(low, s0, s1, pos)
    if not pos:
        return pos, []
    neg = [Hit(m.start(), m.end(), fragment_name(m), cue=m.group(0))
           for rx in (NEG_RE, KIND_RE) for m in rx.finditer(low, s0, s1)
           if not (fragment_name(m) == "completion" and _attributive(low, m.end()))]
    neg += [Hit(ws, m.end(), m.lastgroup, cue=low[ws:m.end()])
            for ws, m in compound_heads(KIND_HEADS_RE, low, s0, s1)]
    # a competing cue inside a positive cue ("Antragszeitraum", "Bewerbungsbeginn") is the positive's
    neg = [n for n in neg if not any(p.start <= n.start and n.end <= p.end and p.type == "noun"
                                     for p in pos)]
    return pos, neg


def _head_hits(low: str, s0: int, s1: int, found: list[Hit]) -> list[Hit]:
    """Deadline words and subjects as compound heads ("Einreichschluss", "Projektantrag") that no
    cue of ``found`` covers."""
    out = []
    for ws, m in compound_heads(HEADS_RE, low, s0, s1):
        i = next(j for j, rx in enumerate(_HEAD_RES) if rx.match(low, m.start()))
        first = low[ws:m.start()]
        if (_HEAD_PREFIX[i] and not _HEAD_PREFIX[i].search(first)) or (_HEAD_NOT[i] and _HEAD_NOT[i].search(first)) \
                or any(h.start <= ws < h.end or ws <= h.start < m.end() for h in found):
            continue
        h = _HEADS[i]
        out.append(Hit(ws, m.end(), h["type"], h.get("subject"), h.get("cue") or low[ws:m.end()],
                       bool(h.get("strong")), h.get("label", True)))
    return out


def _attributive(low: str, end: int) -> bool:
    """Does a participle go on as an adjective ("die ausgewählten Träger", "umgesetzte
    Vorhaben")? Then it describes a noun and says nothing about a date."""
    return end < len(low) and low[end].isalpha()


@dataclass(slots=True)
class DeadlineFound:
    """A deadline: the ``Deadline`` fields of the output, plus the month and day of an annual one."""
    text: str
    start: int
    end: int
    date: dt.date | None
    kind: str = "fristdatum"
    granularity: str = "day"
    time: str | None = None
    subject: str | None = None
    duration: str | None = None
    cue: str | None = None
    rule: str | None = None
    month_day: tuple[int, int] | None = None




class Doc_:
    """One document as deadlines reads it: text, folded text, sentences, publication date; cues
    found per sentence once."""

    def __init__(self, ctx):
        self.text, self.low, self.index = ctx.text, ctx.folded, ctx.index
        # the day year-less dates are read relative to (publication day, byline month, shared year)
        pub = ctx.publication
        self.published = pub.reference if pub is not None else ctx.published
        # an annual date's next occurrence needs the publication day (or its month at least)
        self.annual_from = self.published if pub is None or pub.source != "shared_year" else None
        self._hits: dict[tuple[int, int], tuple[list[Hit], list[Hit]]] = {}
        self._annual: dict[tuple[int, int], bool] = {}

    def sentence(self, start: int, end: int) -> tuple[int, int]:
        """The sentence around [start, end) (``text.sentence_bounds``)."""
        return sentence_bounds(self.index, start, end)

    def hits(self, s0: int, s1: int) -> tuple[list[Hit], list[Hit]]:
        """Deadline evidence (pos) and competing cues (neg) in ``[s0, s1)``."""
        key = (s0, s1)
        if key not in self._hits:
            self._hits[key] = find_hits(self.low, s0, s1)
        return self._hits[key]

    def annual(self, s0: int, s1: int) -> bool:
        """Does the sentence say "jährlich", "jeden Jahres" …?"""
        key = (s0, s1)
        if key not in self._annual:
            self._annual[key] = bool(ANNUAL_RE.search(self.low, s0, s1))
        return self._annual[key]

    def dist(self, h: Hit, m: DateFound) -> int:
        """Cue distance from cue ``h`` to date ``m``."""
        return cue_distance(self.low, h.start, h.end, m.start, m.end)
