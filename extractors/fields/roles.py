"""Amount roles: what the money is in the text (``Amount.role``; ../shared/eval/GUIDELINES.md).

budget (a programme's or call's money), grant (what one applicant can get), grant_min, award
(money a named recipient received or was promised), project_cost, own_contribution, other.

How a role is chosen, for each amount:

1. Its form: a maximum, a range or a sum per project, applicant or unit ("bis zu 5.000 Euro je
   Vorhaben", "zwischen 10.000 und 50.000 Euro") is a grant, a minimum ("mindestens") a
   grant_min, unless a budget, project_cost, own_contribution, grant_min or other cue speaks of it
   ("Bis zu 8 Mrd. Euro stehen zur Verfügung" budget).
2. Else the nearest role cue (``amount_roles.txt``) of its sentence, before or after it
   ("Für das Programm stehen 15 Mio. Euro zur Verfügung" budget, "Die Gemeinde erhält 120.000
   Euro" award, "Gesamtkosten von 3 Mio. Euro" project_cost). Distance is
   :func:`~extractors.fields.text.cue_distance` (clause breaks cost extra); a cue nearer to
   another amount of the sentence is that amount's; the costs a percentage is taken of ("90 %
   der förderfähigen Kosten") are no cost cue; a support verb ("unterstützt") is an award where
   the sentence reports the past ("wurden", "bisher"), else a budget. Sentences end at line
   breaks before headings and bullets (:class:`~extractors.fields.text.TextIndex`).
3. Else a cue in the heading above the paragraph ("Art und Höhe der Zuwendung").
4. Else a total ("insgesamt 1,3 Mio. Euro") or money for a purpose ("9,7 Mio. Euro für die
   Vereine") is a budget; else the role of the amount before it in the same paragraph
   (enumerations, "(vorher …)"); else the role most amounts of the document have; else other.

A value that stands in two roles keeps the role of its first mention (the guidelines' rule), so
every mention of one value carries one role.
"""
from __future__ import annotations

import re
from functools import lru_cache

from extractors.fields.amount_cues import AmountFound
from extractors.fields.numbers import LETTER
from extractors.fields.rules import alternation, read_table
from extractors.fields.text import TextIndex, cue_distance

ROLES = ("budget", "grant", "grant_min", "award", "project_cost", "own_contribution", "other")
MARKERS = ("support", "past", "request")      # pseudo-roles of amount_roles.txt
CUE_REACH = 260              # chars before and after an amount searched for cues (within the sentence)
HEADING_MAX = 80             # a heading line is at most this long and ends without a full stop
GRANT_UNITS = frozenset({"per_project", "per_applicant", "per_unit", "per_person", "per_municipality"})
RANGE_RULES = frozenset({"amount:range", "amount:range_low"})
OVER_FORM = frozenset({"budget", "project_cost", "own_contribution", "grant_min", "other"})  # cues that beat the form
PURPOSE_AFTER = re.compile(r"\s+für\s")
TOTAL_IN = re.compile(r"(?i)(?:insgesamt|gesamt)\b")
SHARE_OF = re.compile(r"(?:%|prozent)\s+der\s[^,;:()]*$")    # "75 % der förderfähigen Ausgaben"
SHARE_REACH = 80
# the role of a pseudo-role cue: a support verb without and with a past marker, a requested sum
MARKER_ROLE = {"support": "budget", "support-past": "award", "request": "other"}
Near = tuple[tuple[int, bool], str]      # ((distance, cue after the amount), role)


class RoleCues:
    """The cues of ``amount_roles.txt`` as one regex of three prefix trees: whole words and
    phrases, word starts ("eigenanteil*") and word ends ("*kosten"); the matched text names the
    cue, and so its role. At one position the longest cue wins ("Investitionsvolumen" before
    "*volumen")."""

    def __init__(self) -> None:
        self.exact: dict[str, str] = {}
        self.prefix: dict[str, str] = {}
        self.suffix: dict[str, str] = {}
        for cue, role in read_table("amount_roles.txt"):
            if role not in ROLES + MARKERS:
                raise ValueError(f"amount_roles.txt: unknown role {role!r} for {cue!r}")
            cue = " ".join(cue.casefold().split())
            if cue.startswith("*"):
                self.suffix[cue[1:]] = role
            elif cue.endswith("*"):
                self.prefix[cue[:-1]] = role
            else:
                self.exact[cue] = role
        self.rx = re.compile(
            rf"(?<!{LETTER})(?:(?P<exact>{alternation(self.exact)})(?!{LETTER})"
            rf"|(?P<prefix>{alternation(self.prefix)}){LETTER}*)"
            rf"|(?P<suffix>{alternation(self.suffix)})(?!{LETTER})")

    def _role(self, m: re.Match) -> str:
        kind = "exact" if m.group("exact") else "prefix" if m.group("prefix") else "suffix"
        return getattr(self, kind)[" ".join(m.group(kind).split())]

    def cues(self, low: str, lo: int, hi: int) -> list[tuple[int, int, str]]:
        """(start, end, role) of every cue in ``low[lo:hi]`` (folded text, one sentence); the
        costs a percentage is taken of ("bis zu 90 % der förderfähigen Kosten") are no cost cue;
        a support verb is an award in a sentence with a past marker, else a budget."""
        out, past = [], False
        for m in self.rx.finditer(low, lo, hi):
            role = self._role(m)
            if role == "project_cost" and SHARE_OF.search(low, max(lo, m.start() - SHARE_REACH), m.start()):
                continue
            past = past or role == "past"
            out.append((m.start(), m.end(), role))
        return [(s, e, "support-past" if r == "support" and past else r) for s, e, r in out if r != "past"]


@lru_cache(maxsize=1)
def role_cues() -> RoleCues:
    """The role cues, read and compiled once per process."""
    return RoleCues()


def assign_roles(text: str, low: str, amounts: list[AmountFound], index: TextIndex) -> None:
    """Set ``role`` on every amount of ``text`` (in text order; ``low``: the folded text) as the
    module docstring says."""
    if not amounts:
        return
    found = _cue_roles(text, low, amounts, index)
    majority = _majority(found)
    first_role: dict = {}
    prev: tuple[AmountFound, str] | None = None
    for a, role in zip(amounts, found):
        role = role or _total_role(text, a) or _previous_role(text, a, prev) or majority or "other"
        a.role = first_role.setdefault(a.value_eur, role)
        prev = (a, role)


def _cue_roles(text: str, low: str, amounts: list[AmountFound], index: TextIndex) -> list[str | None]:
    """The role of each amount by its form, its cues and the heading (steps 1 to 3), or None."""
    by_sentence: dict[tuple[int, int], list[AmountFound]] = {}
    for a in amounts:
        by_sentence.setdefault(index.sentence(a.start), []).append(a)
    near: dict[int, list[Near]] = {id(a): [] for a in amounts}
    for bounds, group in by_sentence.items():
        for cue in role_cues().cues(low, *bounds):
            dists = [(_distance(low, a, cue), a) for a in group]
            for d, a in dists:             # a cue nearer to another amount is that amount's
                if all(d <= e for e, b in dists if b.start != a.start):
                    near[id(a)].append((d, cue[2]))
    return [_role(a, near[id(a)]) or _heading_role(text, low, a.start) for a in amounts]


def _distance(low: str, a: AmountFound, cue: tuple[int, int, str]) -> tuple[int, bool]:
    """Characters between the amount and the cue plus a penalty per clause break
    (:func:`~extractors.fields.text.cue_distance`); at equal distance the cue before wins."""
    return cue_distance(low, a.start, a.end, cue[0], cue[1]), cue[0] >= a.end


def _role(a: AmountFound, near: list[Near]) -> str | None:
    """The role by the amount's form and the cues that speak of it (steps 1 and 2; ``near``:
    the cues nearer to it than to any other amount of the sentence)."""
    form = _form_role(a)
    if form is None:
        role = _nearest(near)
        return MARKER_ROLE.get(role, role)
    return _nearest([c for c in near if c[1] in OVER_FORM]) or form


def _nearest(near: list[Near]) -> str | None:
    """The role of the nearest cue within CUE_REACH."""
    best = min(near, default=None)
    return best[1] if best is not None and best[0][0] <= CUE_REACH else None


def _heading_role(text: str, low: str, pos: int) -> str | None:
    """A cue in the heading line above the paragraph of ``pos``: the last short line without a
    full stop before the paragraph's blank line."""
    para = text.rfind("\n\n", 0, pos)
    if para <= 0:
        return None
    line_start = text.rfind("\n", 0, para) + 1
    heading = text[line_start:para].strip()
    if not heading or len(heading) > HEADING_MAX or heading[-1] in ".!?;,":
        return None
    cues = role_cues().cues(low, line_start, para)
    return MARKER_ROLE.get(cues[-1][2], cues[-1][2]) if cues else None


def _form_role(a: AmountFound) -> str | None:
    """A maximum, a range or a sum per project or applicant is a grant; a minimum a grant_min."""
    if a.unit in GRANT_UNITS or a.qualifier == "max" or a.rule in RANGE_RULES:
        return "grant"
    if a.qualifier == "min":
        return "grant_min"
    return None


def _previous_role(text: str, a: AmountFound, prev: tuple[AmountFound, str] | None) -> str | None:
    """The role of the amount before (as its own cues gave it), where no blank line stands
    between the two: enumerations ("A erhält 5.000 Euro, B 3.000 Euro"), "(vorher …)"."""
    if prev is None or "\n\n" in text[prev[0].end:a.start]:
        return None
    return prev[1]


def _total_role(text: str, a: AmountFound) -> str | None:
    """A total ("insgesamt 1,3 Mio. Euro") or money for a purpose ("9,7 Millionen Euro für die
    Vereine"), with no other cue, is a budget."""
    return "budget" if TOTAL_IN.match(a.text) or PURPOSE_AFTER.match(text, a.end) else None


def _majority(roles: list[str | None]) -> str | None:
    """The role most amounts of the document have by their cues (ties: the first of them)."""
    counts: dict[str, int] = {}
    for r in roles:
        if r is not None:
            counts[r] = counts.get(r, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None
