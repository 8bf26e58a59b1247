"""Lists of municipalities: where names stand in a list, how long it is, and which of its names
the list vouches for (see :func:`accept_lists`).

A list joins its items by commas, "und", "sowie", "oder", "/" or line breaks (one item a line,
perhaps after a bullet); an item may carry a bracket or a "mit …" phrase ("Steinfurt (3)", "Breklum
mit 12.000 Euro"), and capitalised words that are no register names (Ortsteile) count as items.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from extractors.fields.gazetteer import norm_key

if TYPE_CHECKING:
    from extractors.fields.municipalities import Mention, MuniText

LIST_MIN_NAMES = 3                        # a list this long of register names is a list of places

SEP = re.compile(r"\s*(?:,\s*(?:und\s+|sowie\s+|oder\s+)?|\s+(?:und|sowie|oder|bzw\.)\s+|\s*/\s*)")
_ITEM = re.compile(r"[A-ZÄÖÜ][^\W\d_]*(?:-[^\W\d_]+)*(?:[^\S\n][A-ZÄÖÜ][^\W\d_]*(?:-[^\W\d_]+)*)?")
# what may follow a name in a list before the separator: "A (3), B (5)", "A mit 12.000 Euro und B"
ITEM_TAIL = re.compile(r"[^\S\n]*\([^()\n]{1,40}\)|[^\S\n]+mit[^\S\n]+[^,;:()\n]{1,40}?(?=,|[^\S\n]+(?:und|sowie|oder)[^\S\n])")
# a name that is a line of its own in a list of lines ("• Breklum (120.000 €)\n• Bredstedt …")
_LINE_SEP = re.compile(r"[^\S\n]*[,;]?[^\S\n]*\n[^\S\n]*(?:[•·*▪–-][^\S\n]*)?(?=\S)")
_ITEM_BEFORE = re.compile(rf"({_ITEM.pattern})(?:{ITEM_TAIL.pattern})?{SEP.pattern}$")


def line_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end of the line holding ``pos``."""
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    return s, (len(text) if e < 0 else e)


def _items_before(d: MuniText, start: int) -> int:
    """How many list items ("Alt Wallmoden, Neuwallmoden, ") stand right before ``start``."""
    n, ls = 0, line_bounds(d.text, start)[0]
    while (m := _ITEM_BEFORE.search(d.text, max(ls, start - 60), start)) and \
            m.group(1).split()[0].casefold() not in d.w.function:
        n, start = n + 1, m.start(1)
    return n


def _item_sep(d: MuniText, pos: int) -> re.Match | None:
    """The separator after a list item ending at ``pos`` (past its bracket or "mit …" phrase): a
    comma, "und", "/" … or, for an item that is its own line, the line break and a bullet."""
    tail = ITEM_TAIL.match(d.text, pos)
    pos = tail.end() if tail else pos
    return SEP.match(d.text, pos) or _LINE_SEP.match(d.text, pos)


def _own_lines(text: str, sep: re.Match, prev_start: int, item_end: int) -> bool:
    """Across a line break, both items must be lines of their own (a bullet aside)."""
    if "\n" not in sep.group():
        return True
    ls, _ = line_bounds(text, prev_start)
    tail = ITEM_TAIL.match(text, item_end)
    rest = text[tail.end() if tail else item_end:].lstrip(" \t,;")
    return not text[ls:prev_start].strip(" \t•·*▪–-") and (not rest or rest[0] == "\n")


def _list_runs(d: MuniText, mentions: list[Mention]):
    """Lists of names: mentions joined by list separators or one a line, an item perhaps with a
    bracket or a "mit …" phrase ("A (3), B (5)"), other capitalised words perhaps between them
    (Ortsteile: "Ostereistedt, Rockstedt, Rhade"). Yields (the mentions of one list, its number of
    items)."""
    text = d.text
    by_start = {m.start: m for m in mentions}
    done: set[int] = set()
    for m in sorted(mentions, key=lambda x: x.start):
        if m.start in done:
            continue
        run, items, pos, start = [m], 1 + _items_before(d, m.start), m.end, m.start
        while (sep := _item_sep(d, pos)) is not None:
            nxt = by_start.get(sep.end())
            item = None if nxt else _ITEM.match(text, sep.end())
            if nxt is None and (item is None or item.group().split()[0].casefold() in d.w.function):
                break
            end = nxt.end if nxt else item.end()
            if not _own_lines(text, sep, start, end):
                break
            if nxt is not None:
                run.append(nxt)
                done.add(nxt.start)
            pos, start, items = end, sep.end(), items + 1
        yield run, items


def _lies_apart(m: Mention, run: list[Mention]) -> bool:
    """All of ``m``'s entries lie in another Land than the list's other (resolved) names: an
    Ortsteil that shares a name with a Gemeinde elsewhere ("Rockstedt" among Gemeinden of Rotenburg)."""
    laender = {x.cands[0].land for x in run if x is not m and len(x.cands) == 1}
    return bool(laender) and not any(c.land in laender for c in m.cands)


def _judge_list(run: list[Mention], items: int) -> None:
    """A list of at least LIST_MIN_NAMES items, at least half of them register names (two of them
    no ordinary words), accepts its pending names; one of mostly other words (Ortsteile) refuses
    the names it holds only by their size."""
    if items < LIST_MIN_NAMES:
        return
    if 2 * len(run) < items:
        for m in run:
            if m.rule == "register":
                m.accepted = False
        return
    if sum(not m.common for m in run) < 2:
        return
    for m in run:
        if not m.accepted and not _lies_apart(m, run):
            m.accepted, m.rule = True, "register-list"


def accept_lists(d: MuniText, mentions: list[Mention]) -> None:
    """Pending names count in a list of register names (:func:`_judge_list`), where the document
    names them as municipalities elsewhere, or next to an accepted municipality ("Essen, Bochum und
    Dortmund")."""
    for run, items in _list_runs(d, mentions):
        _judge_list(run, items)
    named = {(norm_key(m.name), m.kind) for m in mentions if m.accepted}
    for m in mentions:
        if not m.accepted and m.rule == "pending" and (norm_key(m.name), m.kind) in named:
            m.accepted, m.rule = True, "register-named"
    allm = sorted(mentions, key=lambda x: x.start)
    changed = True
    while changed:
        changed = False
        for i, mm in enumerate(allm):
            if mm.accepted or mm.rule != "pending":
                continue
            for j in (i - 1, i + 1):
                if 0 <= j < len(allm) and allm[j].accepted and not _lies_apart(mm, [mm, allm[j]]) and \
                        adjacent(d.text, *((allm[j], mm) if j < i else (mm, allm[j]))):
                    mm.accepted, mm.rule, changed = True, "register-list", True
                    break


def adjacent(text: str, a: Mention, b: Mention) -> bool:
    """``b`` follows ``a`` in a list: only a separator (and ``a``'s bracket) between them, or both
    are lines of their own, one after the other."""
    tail = ITEM_TAIL.match(text, a.end)
    pos = tail.end() if tail else a.end
    sep = SEP.match(text, pos) or _LINE_SEP.match(text, pos)
    return bool(sep) and sep.end() == b.start and _own_lines(text, sep, a.start, b.end)


