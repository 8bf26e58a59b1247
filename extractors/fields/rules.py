"""The rule toolkit every field component builds on: pattern files, alternations, case folding.

Rules are data. A component reads its word lists and regex fragments from
``extractors/patterns/`` with the readers below, builds its regexes with :func:`alternation`, and
searches a same-length :func:`fold` of the text (offsets stay valid). Nothing else reads pattern
files or builds alternations.

Pattern files
-------------
One syntax for every file:

- ``*.txt``: one entry a line. A line whose first non-blank character is ``#`` is a comment;
  `` #`` (white space, then ``#``) starts a comment at the end of a line; blank lines are skipped.
  Columns, where a file has several, are separated by a TAB (:func:`read_table`).
- ``*.jsonl``: one JSON object a line. ``#`` comment lines and blank lines are skipped, and so is
  an object whose only key is ``"#"`` (the file's header, which says what its keys mean).

Every file starts with a header comment that says what an entry is, its columns or keys, and how
it is matched (case, word starts, spaces). A newcomer adds an entry by copying a line.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Iterable

PATTERNS_DIR = Path(__file__).resolve().parents[1] / "patterns"

_INLINE_COMMENT = re.compile(r"\s#.*$")


class PatternFileError(ValueError):
    """A pattern file is missing or malformed: a broken install or a bad edit, said with file:line."""


def _raw_lines(name: str) -> list[tuple[int, str]]:
    path = PATTERNS_DIR / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PatternFileError(f"pattern file missing: {path} ({exc}); reinstall foerderradar") from None
    return list(enumerate(text.splitlines(), 1))


@lru_cache(maxsize=None)
def _read_lines(name: str) -> tuple[str, ...]:
    out = []
    for _n, line in _raw_lines(name):
        if line.lstrip().startswith("#"):
            continue
        line = _INLINE_COMMENT.sub("", line).strip()
        if line:
            out.append(line)
    return tuple(out)


def read_lines(name: str) -> list[str]:
    """The entries of a ``.txt`` pattern file: comments and blank lines removed, ends stripped."""
    return list(_read_lines(name))


def read_table(name: str) -> list[list[str]]:
    """The entries of a TAB-separated ``.txt`` pattern file, each a list of stripped columns."""
    return [[c.strip() for c in line.split("\t")] for line in _read_lines(name)]


def read_pairs(name: str) -> dict[str, str]:
    """A ``.txt`` file of "key value…" lines as {lower-cased first word: the rest}."""
    out = {}
    for line in _read_lines(name):
        key, _, rest = line.partition(" ")
        out[key.lower()] = " ".join(rest.split())
    return out


@lru_cache(maxsize=None)
def _read_jsonl(name: str) -> tuple[dict, ...]:
    out = []
    for n, line in _raw_lines(name):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise PatternFileError(f"{PATTERNS_DIR / name}:{n}: not JSON ({exc})") from None
        if not isinstance(obj, dict):
            raise PatternFileError(f"{PATTERNS_DIR / name}:{n}: expected a JSON object")
        if set(obj) == {"#"}:
            continue
        out.append(obj)
    return tuple(out)


def read_jsonl(name: str) -> list[dict]:
    """The objects of a ``.jsonl`` pattern file (header and comment lines skipped); copies, so a
    caller may change them."""
    return [dict(o) for o in _read_jsonl(name)]


# --- alternations -------------------------------------------------------------------------------

def alternation(words: Iterable[str], *, escape: bool = True, any_space: bool = True) -> str:
    """A regex that matches exactly one of ``words``, longer words preferred over their prefixes.

    Built as a prefix tree ("Stadt(?:kreis(?:es)?|gemeinde)?"), so the engine tests each shared
    prefix once instead of every word at every position. ``escape``: words are literals (else
    regex fragments, joined longest first without a tree). ``any_space``: a space in a word
    matches any run of white space. Wrap it yourself for case (``(?i:…)``) and word starts.
    """
    words = {w for w in words if w}
    if not words:
        return "(?!)"
    if not escape:
        return "|".join(sorted(words, key=lambda w: (-len(w), w)))
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def piece(ch: str) -> str:
        return r"\s+" if (ch == " " and any_space) else re.escape(ch)

    def emit(node: dict) -> str:
        alts = [piece(ch) + emit(node[ch]) for ch in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return emit(root)


def at_word_start(text: str, i: int, joiners: str = "") -> bool:
    """No letter, digit, underscore or one of ``joiners`` right before position ``i``: what a
    leading ``(?<![\\w…])`` asserts. Checked on a match instead, it lets a regex start with its
    literal words, so that the engine skips ahead to candidates (2-4x faster over a whole text)."""
    if i == 0:
        return True
    c = text[i - 1]
    return not (c.isalnum() or c == "_" or c in joiners)


def fragment_tree(named: Iterable[tuple[str, str]]) -> str:
    """One alternation of named regex fragments, branched by first character: it matches where
    ``(?P<name>fragment)|…`` matches, with the same span, the first fragment listed winning.

    Speed: sre tries every alternative of an alternation at each position, and a named one costs
    a jump even where its first letter does not fit; branched by first letter it tests one
    character per branch (the deadline cues: 2.2 -> 0.5 ms over 1,500 words). Each fragment's
    top-level alternatives are split into (first character, rest): a leading ``(?:a|b)`` or
    ``(?:a|b)?`` group is multiplied out, ``\\d`` and ``[abc]`` stand for their characters. A
    fragment that starts otherwise (``\\w``, a look-around, ``x?``) is refused (ValueError naming
    the cue). The groups are named ``<name>__<n>``: read a match's name with :func:`fragment_name`.
    """
    branches: dict[str, dict[str, list[str]]] = {}
    for name, fragment in named:
        for alt in _top_level(fragment):
            starts = _first_chars(alt)
            if starts is None:
                raise ValueError(f"cue {name!r}: {alt!r} must start with a character, \\d, [abc] "
                                 "or a (?:…) group")
            for first, rest in starts:
                branches.setdefault(first, {}).setdefault(name, []).append(rest)
    if "\\d" in branches and any(re.escape(d) in branches for d in "0123456789"):
        raise ValueError("cues: a fragment starts with \\d and another with a digit")
    return "|".join(
        first + "(?:" + "|".join(f"(?P<{name}__{i}>{'|'.join(rests)})" for name, rests in by_name.items()) + ")"
        for i, (first, by_name) in enumerate(branches.items()))


def fragment_name(m: re.Match) -> str:
    """The name of the fragment of :func:`fragment_tree` that matched."""
    return m.lastgroup.partition("__")[0]


def _structure(rx: str, start: int = 0, stop: int | None = None):
    """(index, character, group depth after it) for each character of ``rx[start:stop]`` outside
    escapes and character classes: what the readers below need of a regex's structure."""
    stop = len(rx) if stop is None else stop
    depth, i = 0, start
    while i < stop:
        c = rx[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(rx, i)
            continue
        depth += (c == "(") - (c == ")")
        yield i, c, depth
        i += 1


def _top_level(rx: str, start: int = 0, stop: int | None = None) -> list[str]:
    """The alternatives of ``rx[start:stop]`` (split at the ``|`` outside groups and classes)."""
    stop = len(rx) if stop is None else stop
    cuts = [i for i, c, depth in _structure(rx, start, stop) if c == "|" and depth == 0]
    bounds = [start - 1] + cuts + [stop]
    return [rx[a + 1:b] for a, b in zip(bounds, bounds[1:])]


def _class_end(rx: str, i: int) -> int:
    """The index after the character class starting at ``rx[i]`` ("[")."""
    j = i + 2 if rx[i + 1:i + 2] == "]" else i + 1
    while rx[j] != "]":
        j += 2 if rx[j] == "\\" else 1
    return j + 1


def _group_end(rx: str, i: int) -> int:
    """The index after the group opening at ``rx[i]`` ("(")."""
    return next(k + 1 for k, c, depth in _structure(rx, i) if c == ")" and depth == 0)


_META = set(".^$*+?{}[]\\|()")


def _first_chars(alt: str) -> list[tuple[str, str]] | None:
    """(first character as a regex, regex of the rest) for each way ``alt`` can start, in the
    order the engine tries them; None where the start is no character, ``\\d``, ``[abc]`` or group."""
    if alt.startswith("(?:"):
        return _group_first_chars(alt)
    atom = _first_atom(alt)
    if atom is None:
        return None
    firsts, rest = atom
    rest = _unrolled(alt[:len(alt) - len(rest)], rest)
    return None if rest is None else [(first, rest) for first in dict.fromkeys(firsts)]


def _group_first_chars(alt: str) -> list[tuple[str, str]] | None:
    """:func:`_first_chars` of an alternative that starts with a group: ``(?:a|b)c`` is tried as
    ``ac``, then ``bc``; ``(?:a|b)?c`` as ``ac``, ``bc``, then ``c``."""
    end = _group_end(alt, 0)
    rest = alt[end:]
    optional = rest[:1] == "?" and rest[1:2] not in ("?", "+")
    if optional:
        rest = rest[1:]
    elif rest[:1] in ("*", "+", "?", "{"):
        return None
    out = []
    for inner in _top_level(alt, 3, end - 1) + ([""] if optional else []):
        starts = _first_chars(inner + rest)
        if starts is None:
            return None
        out += starts
    return out


def _first_atom(alt: str) -> tuple[list[str], str] | None:
    """(the characters the first atom of ``alt`` matches, as regexes; the rest of ``alt``) for a
    character, an escaped punctuation mark, ``\\d`` or a plain ``[abc]``; else None."""
    if alt[:2] == "\\d":
        return ["\\d"], alt[2:]
    if alt[:1] == "\\" and len(alt) > 1 and not alt[1].isalnum():
        return [re.escape(alt[1])], alt[2:]
    if alt[:1] == "[" and alt[1:2] != "^":
        end = _class_end(alt, 0)
        inside = alt[1:end - 1]
        if "\\" in inside or "-" in inside[1:-1]:
            return None                                    # escapes and ranges: not read here
        return [re.escape(c) for c in inside], alt[end:]
    if alt and alt[0] not in _META:
        return [re.escape(alt[0])], alt[1:]
    return None


def _unrolled(atom: str, rest: str) -> str | None:
    """The rest of an alternative after its first ``atom``, a quantifier that needs the atom at
    least once unrolled (``x+`` = x ``x*``, ``x{1,n}`` = x ``x{0,n-1}``); None for one that may
    skip it (``x?``, ``x*``)."""
    if rest[:1] == "+" and rest[1:2] not in ("?", "+"):
        return atom + "*" + rest[1:]
    if (q := re.match(r"\{1,(\d+)\}(?![?+])", rest)) is not None:
        return f"{atom}{{0,{int(q.group(1)) - 1}}}{rest[q.end():]}"
    if rest[:1] in ("*", "+", "?", "{"):
        return None
    return rest


# --- case folding -------------------------------------------------------------------------------

# Characters whose lower case is not one character ("İ" lower-cases to "i̇") or that the regex
# engine folds differently from str.lower: mapped first so the folded text keeps its length.
_FOLD_PRE = str.maketrans({"İ": "i", "ı": "i", "ſ": "s", "ẞ": "ß"})
_FOLD_PRE_RE = re.compile("[İıſẞ]")   # str.translate costs ~2 ms per 10 kB: only when needed


def fold(text: str) -> str:
    """Lower-case copy of ``text`` with the same length, so offsets into it are offsets into
    ``text``. Search the folded text with lower-case patterns instead of ``re.IGNORECASE``."""
    if _FOLD_PRE_RE.search(text) is None:
        low = text.lower()
        if len(low) == len(text):
            return low
    low = text.translate(_FOLD_PRE).lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text.translate(_FOLD_PRE))
