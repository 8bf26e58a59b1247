"""The Land a text is about, where it names one as a state ("Land Brandenburg", "Freistaat
Sachsen", "des Landes Nordrhein-Westfalen"): a head word (``land_heads.txt``) right before a
Land's name (``muni_laender.jsonl``, abbreviations left out). The warehouse uses it for a call's
Land when neither its municipalities' keys nor its source say one.
"""
from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from extractors.fields.rules import alternation, read_jsonl, read_lines


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern, dict[str, str]]:
    code_of = {n: d["code"] for d in read_jsonl("muni_laender.jsonl") for n in d["names"]
               if not n.isupper() and not n.endswith(".") and "-" != n[1:2]}
    heads = alternation(read_lines("land_heads.txt"))
    names = alternation(code_of)
    return re.compile(rf"(?<![\w-])(?:{heads})\s+({names})(?![\w-])"), code_of


def land_in_text(text: str | None) -> str | None:
    """2-digit code of the Land the text names most often as a state (the first one on ties);
    None where it names none."""
    if not text:
        return None
    pattern, code_of = _pattern()
    counts = Counter(code_of[" ".join(m.group(1).split())] for m in pattern.finditer(text))
    return counts.most_common(1)[0][0] if counts else None


def land_code(name_or_code: str | None) -> str | None:
    """'Brandenburg' / 'brandenburg' / '12' -> '12'; None for anything else."""
    if not name_or_code:
        return None
    s = str(name_or_code).strip()
    if s.isdigit() and len(s) == 2 and 1 <= int(s) <= 16:
        return s
    low = s.lower()
    for d in read_jsonl("muni_laender.jsonl"):
        if any(n.lower() == low for n in d["names"]):
            return d["code"]
    return None


def land_forms() -> str:
    """The forms :func:`land_code` accepts, for an error message that says what to write."""
    names = ", ".join(d["names"][0] for d in read_jsonl("muni_laender.jsonl"))
    return (f"a Land's name ({names}; any case), its abbreviation (NRW, BW …) or its 2-digit "
            f"key 01-16 (Brandenburg: 12)")
