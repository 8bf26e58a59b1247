"""Keys for names several register entries share (Neuenkirchen x11): the entry in a Kreis or Land
the text names (a Kreis even inside an organisation's name), else near the other municipalities
found, else by the source's Land, else a clearly dominant population, else none (see
:func:`disambiguate`)."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from extractors.fields.gazetteer import Entry
from extractors.fields.municipality_words import Words
from extractors.fields.rules import fold

if TYPE_CHECKING:
    from extractors.fields.municipalities import Mention, MuniText

DOMINANT_POPULATION_RATIO = 10            # "Frankfurt": am Main (773k) over (Oder) (58k)
DOMINANT_MIN_POPULATION = 20_000

KREIS_TYPE = re.compile(r"(Landkreis|Kreis|Region|Städteregion|Regionalverband)\s+")


def _land_code(w: Words, form: str) -> str | None:
    """The Land a ``land_re`` match stands for: a name's own code, an inflected adjective
    ("sachsen-anhaltischen") the code of the first form it starts with."""
    low = form.casefold()
    return w.land_codes.get(low) or next((code for k, code in w.land_codes.items() if low.startswith(k)), None)


def _pick(cands: list[Entry], named_kreise, coloc_kreise, named_laender, coloc_laender) -> Entry | None:
    """The entry a shared name means: the one in a Kreis (3) or Land (1) the text names, or of
    the other municipalities found (1, 0.5); else a clearly dominant population; else None."""
    def score(c: Entry) -> float:
        return (3 * (c.key[:5] in named_kreise) + 1 * (c.key[:5] in coloc_kreise)
                + 1 * (c.key[:2] in named_laender) + 0.5 * (c.key[:2] in coloc_laender))
    scored = sorted(((score(c), c) for c in cands), key=lambda x: -x[0])
    if scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return scored[0][1]
    by_pop = sorted(cands, key=lambda c: -c.population)
    if by_pop[0].population >= DOMINANT_MIN_POPULATION and \
            by_pop[0].population >= DOMINANT_POPULATION_RATIO * max(by_pop[1].population, 1):
        return by_pop[0]
    return None


def _names_land(d: MuniText, code: str) -> bool:
    """Does the text name the Land ``code`` (a ``land_re`` match standing for it)? Looked up form
    by form in the folded text: a scan with ``land_re`` costs 0.4 ms a document, 12 % of text ->
    fields."""
    for form in d.w.land_forms.get(code, ()):
        i = d.low.find(form)
        while i >= 0:
            if i == 0 or not (d.low[i - 1].isalnum() or d.low[i - 1] in "_-"):
                x = d.w.land_re.match(d.text, i)
                if x and _land_code(d.w, x.group(1)) == code:
                    return True
            i = d.low.find(form, i + 1)
    return False


def _names_kreis(d: MuniText, kreis: str | None) -> bool:
    """Does the text name the Kreis ``kreis`` anywhere, even inside an organisation's name
    ("Kreissparkasse Herzogtum Lauenburg")?"""
    entry = d.gaz.by_key(kreis) if kreis else None
    if entry is None:
        return False
    name = fold(KREIS_TYPE.sub("", entry.bare, count=1))
    i = d.low.find(name)
    while i >= 0:
        if (i == 0 or not d.low[i - 1].isalnum()) and not d.low[i + len(name):i + len(name) + 1].isalnum():
            return True
        i = d.low.find(name, i + 1)
    return False


def _context(d: MuniText, mentions: list[Mention], shared: list[Mention]) -> tuple[set, set, set, set]:
    """What the text says about where its shared names lie: Kreise named, Kreise of the other
    municipalities, Länder named (those of the shared names' entries), Länder of the others."""
    unique = [m for m in mentions if len(m.cands) == 1]
    named_kreise = {m.cands[0].key for m in unique if m.kind == "kreis"}
    coloc_kreise = {m.cands[0].key[:5] for m in unique if m.kind != "kreis"}
    named_kreise |= {k for k in {c.kreis for m in shared for c in m.cands} if _names_kreis(d, k)}
    named_laender = {code for code in {c.land for m in shared for c in m.cands} if _names_land(d, code)}
    if d.land:
        named_laender.add(d.land)
    coloc_laender = {m.cands[0].key[:2] for m in unique}
    return named_kreise, coloc_kreise, named_laender, coloc_laender


def disambiguate(d: MuniText, mentions: list[Mention]) -> None:
    """Narrow each shared name to the entry :func:`_pick` chooses (``ncands`` keeps the count)."""
    shared = [m for m in mentions if len(m.cands) > 1]
    if d.gaz is None or not shared:
        return
    context = _context(d, mentions, shared)
    for m in shared:
        best = _pick(m.cands, *context)
        m.ncands = len(m.cands)
        if best is not None:
            m.cands = [best]
