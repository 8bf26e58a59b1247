"""Deadlines without a date, for ``deadlines``: rolling calls ("laufend", "bis zur Ausschöpfung
der Mittel", ``deadline_rolling.txt``) and durations ("innerhalb von drei Monaten nach …",
``deadline_duration.txt``), only in sentences about submissions (a deadline noun, or a subject
with a verb), never in post-award or statistical sentences."""
from __future__ import annotations

import re

from extractors.fields.deadline_evidence import DeadlineFound, Doc_, Hit
from extractors.fields.rules import read_lines
from extractors.fields.text import cue_distance

ROLLING_RE = re.compile("(?<![\\w])(?:" + "|".join(f"(?:{a})" for a in read_lines("deadline_rolling.txt")) + ")")
_NUMBER_WORDS = {k: int(v) for k, v in (line.split() for line in read_lines("deadline_duration.txt"))}
_NUM = rf"(?:\d{{1,3}}|{'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})"
# "innerhalb von drei Monaten nach …", "spätestens sechs Wochen vor Maßnahmebeginn",
# "mindestens vier Wochen vor Beginn" ("mindestens … nach" is a waiting time, not a deadline)
DURATION_LEADS = ("innerhalb", "binnen", "spätestens", "mindestens")
DURATION_RE = re.compile(
    rf"(?<![\w])(?P<lead>{'|'.join(DURATION_LEADS)})\s+(?:von\s+|eines\s+|einer\s+)?(?P<n>{_NUM})"
    rf"(?:\s*(?:bis|-|–)\s*(?P<n2>{_NUM}))?\s+(?P<u>werktag\w*|arbeitstag\w*|tag\w*|woche\w*|monat\w*|jahr\w*)"
    r"\s+(?P<rel>nach|vor)(?![\w])")
_DURATION_UNITS = (("woche", "W"), ("monat", "M"), ("jahr", "Y"))     # anything else: days
UNDATED_KEYS = tuple(read_lines("deadline_undated_keys.txt"))
# rolling calls are looked for only in sentences holding one of these keys
ROLLING_KEYS = tuple(k for k in UNDATED_KEYS if k not in DURATION_LEADS)


def _num(s: str) -> int:
    """A number written in digits or as a word ("drei")."""
    return int(s) if s.isdigit() else _NUMBER_WORDS[s.lower()]


def _undated_matches(doc: Doc_) -> list[tuple[re.Match, str]]:
    """Rolling phrases (in sentences holding a rolling key) and durations (at their lead words),
    sentence by sentence, rolling before durations."""
    low = doc.low
    sentences = set()
    for key in ROLLING_KEYS:
        i = low.find(key)
        while i >= 0:
            sentences.add(doc.sentence(i, i + len(key)))
            i = low.find(key, i + len(key))
    matches = []
    for s0, s1 in sentences:
        matches.extend((s0, 0, mt.start(), mt, "laufend") for mt in ROLLING_RE.finditer(low, s0, s1))
    for lead in DURATION_LEADS:
        i = low.find(lead)
        while i >= 0:
            s0, s1 = doc.sentence(i, i + len(lead))
            mt = DURATION_RE.match(low, i, s1)
            if mt:
                matches.append((s0, 1, i, mt, "fristFest"))
            i = low.find(lead, i + len(lead))
    matches.sort(key=lambda x: x[:3])
    return [(mt, kind) for *_, mt, kind in matches]


def _duration(mt: re.Match) -> tuple[str, str]:
    """(kind, ISO duration) of a duration match: "innerhalb von drei Monaten" → P3M, "zwei bis
    vier Wochen" → fristSpanne P2W/P4W."""
    u = mt.group("u").lower()
    unit = next((code for word, code in _DURATION_UNITS if u.startswith(word)), "D")
    n1 = _num(mt.group("n"))
    if mt.group("n2"):
        return "fristSpanne", f"P{n1}{unit}/P{_num(mt.group('n2'))}{unit}"
    return "fristFest", f"P{n1}{unit}"


def undated(doc: Doc_) -> list[DeadlineFound]:
    """Rolling calls and durations in sentences about submissions (a deadline noun, or a subject
    with a verb), not in post-award or statistical sentences."""
    out = []
    for mt, kind in _undated_matches(doc):
        s0, s1 = doc.sentence(mt.start(), mt.end())
        pos, neg = doc.hits(s0, s1)
        if any(n.type in ("post_award", "reference") for n in neg):
            continue
        nouns = [h for h in pos if h.type == "noun"]
        subjects = [h for h in pos if h.type == "subject"]
        if not nouns and not (subjects and any(h.type == "verb" for h in pos)):
            continue
        span = Hit(mt.start(), mt.end(), "")

        def dist(h, span=span):
            return cue_distance(doc.low, h.start, h.end, span.start, span.end)

        near = min(nouns + subjects, key=dist)
        subject = near.subject
        if subject is None and subjects:
            subject = min(subjects, key=dist).subject
        duration = None
        rule = f"{kind}:{mt.group(0).split()[0].lower()}"
        if kind == "fristFest":
            if mt.group("lead") == "mindestens" and mt.group("rel") == "nach":
                continue
            kind, duration = _duration(mt)
            rule = f"{kind}:{mt.group(0).split()[0].lower()}" + ("+vor" if mt.group("rel") == "vor" else "")
        out.append(DeadlineFound(text=doc.text[mt.start():mt.end()], start=mt.start(), end=mt.end(),
                                 date=None, kind=kind, granularity="day", subject=subject or "other",
                                 duration=duration, cue=doc.text[near.start:near.end], rule=rule))
    return out
