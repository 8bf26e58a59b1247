"""Grouping programme mentions into programmes (one :class:`Programme` record each).

1. Mentions with the same declension-tolerant key (:func:`catalogue.name_key`) are one programme;
   a mention whose key is a catalogue form joins that catalogue entry.
2. An acronym in brackets right after a cued name is an alias ("Modellprojekte Smart Cities
   (MPSC)").
3. A shorter name contained in a longer one of the same text merges into it ("Digitale
   Modellregionen" -> "Digitale Modellregionen NRW") if it has two words or starts the longer one.
4. Every further occurrence of an accepted form (declined forms too) is a ``mention``.
5. ``name`` is the most frequent form (ties: the first), the catalogue's reference name where the
   text uses it; ``aliases`` the other forms and the cue-prefixed ones.

Before grouping, :func:`drop_contained` drops a mention inside a longer one, and
:func:`in_label_list` tells a well-known name in a menu of category labels (no mention).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from extractors.fields.catalogue import declined_forms, name_key, norm_name
from models.records import Programme

LABEL_MAX_CHARS = 40                  # a menu entry or category label line is at most this long
MIN_FORM_TOKENS_FOR_CONTAINMENT = 2   # a contained shorter name merges if it has >= 2 tokens ...
                                       # ... or is the start of the longer name
MIN_COMPOUND_CHARS = 10               # ... or is a compound this long at the end of the longer name
_BRACKET_ACRONYM = re.compile(r"[“”\"‘’»«‹›']?\s*\(([A-ZÄÖÜ][A-Za-zÄÖÜ0-9+\-]{1,11})\)")
_RULE_RANK = {"cue_quoted": 0, "cue_name": 1, "heading": 2, "known": 3, "compound_head": 4,
              "name_grammar": 5, "mention": 6}


@dataclass(slots=True)
class Mention:
    """One candidate occurrence of a programme name."""
    start: int
    end: int
    surface: str
    rule: str
    cue: str | None = None          # the cue lemma that introduced it ("Förderinitiative")
    known: int | None = None        # index into the catalogue
    acronym: bool = False
    form: str | None = None         # the undeclined catalogue form a declined mention stands for


def drop_contained(mentions: list[Mention]) -> list[Mention]:
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


def _label_line(text: str, s: int, e: int) -> bool:
    """A short line without sentence punctuation: a menu entry or category label."""
    line = text[s:e].strip(" #*•-\t")
    return 0 < len(line) <= LABEL_MAX_CHARS and line[-1:] not in ".:!?" and line[:1].isupper()


def in_label_list(text: str, index, m: Mention) -> bool:
    """A well-known name that fills a line between other label lines is a category heading of a
    menu or list ("Städtebauförderung⏎Dorfentwicklung⏎LEADER"), not a mention."""
    ls, le = index.line(m.start)
    if text[ls:m.start].strip(" #*•-\t") or text[m.end:le].strip():
        return False
    before = text.rfind("\n", 0, max(ls - 1, 0))
    after = text.find("\n", le + 1)
    prev_ok = ls > 0 and _label_line(text, before + 1, ls - 1)
    next_ok = le < len(text) and _label_line(text, le + 1, after if after >= 0 else len(text))
    return prev_ok and next_ok


Groups = dict[tuple, list[Mention]]     # ("known", index) or ("name", key) -> mentions


def group_mentions(text: str, mentions: list[Mention], lex) -> list[Programme]:
    """The programmes of ``text`` from its candidate mentions (``lex``: the programme Lexicon)."""
    groups, keys = _by_key(mentions, lex.catalogue)
    _bracket_acronyms(text, groups, keys, lex)
    _merge_contained(groups)
    _further_mentions(text, groups)
    _drop_inside_others(groups)
    out = [p for gid, ms in groups.items() if (p := _programme(text, gid, ms, lex.catalogue))]
    out.sort(key=lambda p: p.start)
    return out


def _by_key(mentions: list[Mention], catalogue) -> tuple[Groups, dict[tuple, tuple]]:
    """Group by name key; catalogue mentions first, so cue names that are catalogue forms join
    them."""
    groups: Groups = {}
    keys: dict[tuple, tuple] = {}
    for m in sorted(mentions, key=lambda m: (m.known is None, m.start)):
        k = name_key(m.surface)
        known = m.known if m.known is not None else catalogue.link(m.surface)
        gid = ("known", known) if known is not None else keys.get(k, ("name", k))
        keys.setdefault(k, gid)
        groups.setdefault(gid, []).append(m)
    return groups, keys


def _bracket_acronyms(text: str, groups: Groups, keys: dict[tuple, tuple], lex) -> None:
    """An acronym in brackets right after a cued name is a further mention of it; the name joins
    the catalogue entry the acronym names."""
    merges: dict[tuple, tuple] = {}
    for gid, ms in groups.items():
        for m in list(ms):
            if m.rule not in ("cue_quoted", "cue_name"):
                continue
            am = _BRACKET_ACRONYM.match(text[m.end:m.end + 16])
            if not am or sum(c.isupper() for c in am.group(1)) < 2 or lex.rejects(am.group(1)):
                continue
            ak = name_key(am.group(1))
            if ak not in keys:
                keys[ak] = gid
                s = m.end + am.start(1)
                ms.append(Mention(s, s + len(am.group(1)), am.group(1), "mention", acronym=True))
            elif keys[ak][0] == "known" and gid[0] != "known":
                merges[gid] = keys[ak]   # "Europäischen Landwirtschaftsfonds … (ELER)": that entry
    for gid, target in merges.items():
        groups[target].extend(groups.pop(gid))


def _is_sub(short: tuple, long_: tuple) -> int:
    """Index where ``short`` occurs contiguously in ``long_``, or -1."""
    n = len(short)
    for i in range(len(long_) - n + 1):
        if long_[i:i + n] == short:
            return i
    return -1


def _contains(long_keys: set[tuple], short_keys: set[tuple]) -> bool:
    """Some short key lies inside a longer key (two words at least, at its start, or a compound
    at its end: "Kleinprojektefonds" in "Euregio-Kleinprojektefonds")."""
    return any(len(lk) > len(sk) and (pos := _is_sub(sk, lk)) >= 0
               and (len(sk) >= MIN_FORM_TOKENS_FOR_CONTAINMENT or pos == 0
                    or (pos == len(lk) - 1 and len(sk[0]) >= MIN_COMPOUND_CHARS))
               for sk in short_keys for lk in long_keys)


def _merge_contained(groups: Groups) -> None:
    """Merge a group whose (non-acronym) name lies inside another group's name into that group;
    two catalogue entries never merge."""
    all_keys = {g: {name_key(x.surface) for x in ms} for g, ms in groups.items()}
    full_keys = {g: {name_key(x.surface) for x in ms if not x.acronym} for g, ms in groups.items()}
    order = sorted(groups, key=lambda g: -max(len(k) for k in all_keys[g]))
    for gid in order:
        if gid not in groups:
            continue
        for other in order:
            if other == gid or other not in groups or (gid[0] == "known" and other[0] == "known"):
                continue
            if _contains(all_keys[other], full_keys[gid]):
                groups[other].extend(groups.pop(gid))
                all_keys[other] |= all_keys[gid]
                full_keys[other] |= full_keys[gid]
                break


def _occurrences(text: str, form: str):
    """Start offsets of ``form`` in ``text`` (overlapping ones too)."""
    i = text.find(form)
    while i >= 0:
        yield i
        i = text.find(form, i + 1)


def _whole_word(text: str, s: int, e: int) -> bool:
    """``text[s:e]`` is not part of a longer word (nor the tail of a hyphenated one)."""
    return (s == 0 or not (text[s - 1].isalnum() or text[s - 1] == "-")) and (
        e == len(text) or not text[e].isalnum())


def _further_mentions(text: str, groups: Groups) -> None:
    """Every whole-word occurrence of an accepted form (and its declined forms) that is not yet a
    mention or inside one."""
    forms: dict[str, tuple] = {}
    for gid, ms in groups.items():
        for m in ms:
            if len(m.surface) >= 3:
                forms.setdefault(m.surface, gid)
    spans = sorted((m.start, m.end) for ms in groups.values() for m in ms)
    exact = set(spans)
    found: dict[tuple[int, int], tuple[str, tuple]] = {}
    for f, gid in forms.items():
        for v in declined_forms(f):
            for i in _occurrences(text, v):
                if _whole_word(text, i, i + len(v)):
                    found.setdefault((i, i + len(v)), (v, gid))
    for (s, e), (v, gid) in sorted(found.items(), key=lambda x: (x[0][0], -x[0][1])):
        if (s, e) in exact or any(a <= s and e <= b for a, b in spans):
            continue
        spans.append((s, e))
        groups[gid].append(Mention(s, e, v, "mention", acronym=v.isupper() and " " not in v))


def _drop_inside_others(groups: Groups) -> None:
    """A mention inside a longer mention of another programme is part of that name ("ELER" in
    a further occurrence of "Sachsen-Anhalt STARK III ELER")."""
    spans = [(m.start, m.end, gid) for gid, ms in groups.items() for m in ms]
    for gid, ms in groups.items():
        ms[:] = [m for m in ms if not any(
            g != gid and s <= m.start and m.end <= e and e - s > m.end - m.start for s, e, g in spans)]


def _programme(text: str, gid: tuple, ms: list[Mention], catalogue) -> Programme | None:
    """The record of one group; None when it holds only further mentions (a catalogue acronym
    that occurs only inside a longer accepted name)."""
    ms.sort(key=lambda m: m.start)
    primary = [m for m in ms if m.rule != "mention"]
    if not primary:
        return None
    entry = catalogue.entries[gid[1]] if gid[0] == "known" else None
    canon = entry.name if entry else None
    name = _display_name(ms, canon)
    seen = {norm_name(name)}
    aliases: list[str] = []
    for m in ms:
        for form in [m.surface] + ([f"{m.cue} {m.surface}"] if m.cue else []):
            if norm_name(form) not in seen:
                seen.add(norm_name(form))
                aliases.append(form)
    if canon and "{" not in canon and norm_name(canon) not in seen:
        aliases.append(canon)
    first = ms[0]
    rule = min(primary, key=lambda m: _RULE_RANK.get(m.rule, 9)).rule
    return Programme(text=text[first.start:first.end], start=first.start, end=first.end,
                     name=name, aliases=aliases, rule=rule, catalogue_key=entry.key if entry else None)


def _display_name(ms: list[Mention], canon: str | None) -> str:
    """The most frequent full form (ties: the first); the catalogue name where the text uses it
    ("EFRE" over "Europäischen Fonds für regionale Entwicklung")."""
    full = [m for m in ms if not m.acronym] or ms
    counts = Counter(m.form or m.surface for m in full)
    first_pos: dict[str, int] = {}
    for m in full:
        first_pos.setdefault(m.form or m.surface, m.start)
    name = max(counts, key=lambda s: (counts[s], -first_pos[s]))
    if canon and any(norm_name(m.form or m.surface) == norm_name(canon) for m in ms):
        return canon
    return name
