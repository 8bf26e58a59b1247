"""Shared vocabulary of the Förderdatenbank sources (XML export and HTML pages)."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"

# field keys in Document.fields, as the site labels them
FIELDS = ("Förderart", "Förderbereich", "Fördergebiet", "Förderberechtigte", "Fördergeber")
FACETS = {"Foerderart": "Förderart", "Foerderbereich": "Förderbereich", "Foerdergebiet": "Fördergebiet",
          "Foerderberechtigte": "Förderberechtigte", "Foerdergeber": "Fördergeber"}
ALIASES = {"WeiterfuehrendeLinks": "Weiterführende Links", "Weiterfuehrende Links": "Weiterführende Links",
           "WeiterführendeLinks": "Weiterführende Links"}
# fields whose values are lists of facet labels (a Fördergeber or contact name may hold commas)
LIST_FIELDS = ("Förderart", "Förderbereich", "Fördergebiet", "Förderberechtigte")


@lru_cache(maxsize=1)
def categories() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for line in (DATA / "fdb_categories.tsv").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        facet, slug, label = line.split("\t")
        out.setdefault(facet, {})[slug] = label
    return out


def label(facet: str, slug: str) -> str:
    """Label of a facet slug; an unknown slug is shown readable ("neue_art" -> "neue art")."""
    known = categories().get(facet, {})
    return known.get(slug) or slug.lstrip("_").replace("_", " ")


def normalise_key(text: str) -> str:
    """'Förderart:' / 'Foerderart' -> 'Förderart'; other labels keep their text without colon."""
    key = re.sub(r"\s+", " ", text).strip().rstrip(":").strip()
    ascii_key = key.replace("ö", "oe").replace("Ö", "Oe")
    return FACETS.get(ascii_key) or FACETS.get(key) or ALIASES.get(key, key)


def split_labels(value: str, field: str) -> list[str]:
    """Split "Kultur, Medien & Sport, Beratung" into labels, knowing labels may hold commas.
    Slugs ("forschung_innovation_themenspezifisch") are mapped to labels."""
    facet = next((f for f, k in FACETS.items() if k == field), None)
    vocab = sorted(set(categories().get(facet, {}).values()), key=len, reverse=True)
    out: list[str] = []
    rest = re.sub(r"\s+", " ", value).strip()
    while rest:
        for lab in vocab:
            if rest.startswith(lab) and (len(rest) == len(lab) or rest[len(lab)] == ","):
                out.append(lab)
                rest = rest[len(lab):].lstrip(", ").strip()
                break
        else:
            head, _, rest = rest.partition(",")
            head, rest = head.strip(), rest.strip()
            if head:
                out.append(label(facet, head) if facet and re.fullmatch(r"_?[a-z0-9_]+", head) else head)
    return out


def gebiet_land(labels: list[str] | str | None) -> str | None:
    """2-digit code of the one Land a programme's Fördergebiet names (["Sachsen"] -> "14"); None
    for "bundesweit", several Länder, a region that is no Land, or none."""
    from extractors.fields.laender import land_code

    if isinstance(labels, str):
        labels = [labels]
    codes = {land_code(lab) for lab in labels or []}
    return codes.pop() if len(codes) == 1 and None not in codes else None
