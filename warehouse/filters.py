"""Saved filters: what an analyst follows, kept in a small TOML file.

``$FOERDERRADAR_HOME/filters.toml`` (or ``FOERDERRADAR_FILTERS``), one table per filter::

    [kreis-aachen]
    ags = ["05334002"]            # Gemeinde, Kreis or Land keys; a Gemeinde key also matches
                                  # calls naming its Kreis (05334) or its Land (05)
    land = ["Nordrhein-Westfalen"]    # Land names or 2-digit keys: the call's Land (calls.land)
    applicant = ["kommune", "verein"] # any of these applicant types (calls.applicants; the
                                      # vocabulary: extractors/patterns/applicant_types.jsonl)
    keywords = ["Klimaschutz", "Rad"] # any of them in programme, title or evidence (case-insensitive)
    min_budget = 100000           # budget_eur at least this
    deadline_within_days = 90     # next deadline within N days (rolling calls always pass)
    email = ["team@example.org"]  # where the nightly digest goes (SMTP settings: README)

Every key is optional; a filter without keys selects every call. A filter becomes a DuckDB query
over the published views that returns ``call_id`` (:meth:`Filter.calls_sql`), used by the
calendar, the digest and the exports alike.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

KEYS = {"ags", "land", "applicant", "keywords", "min_budget", "deadline_within_days", "email", "description"}


class FilterError(ValueError):
    """A filters file or a filter that cannot be used; the message says where and what to do."""


def filters_path() -> Path:
    import os

    from extractors import settings
    env = os.environ.get("FOERDERRADAR_FILTERS")
    return Path(env).expanduser() if env else settings.home() / "filters.toml"


def _lit(s: str) -> str:
    return "'" + str(s).replace("'", "''") + "'"


@dataclass
class Filter:
    name: str = "all"
    ags: list[str] = field(default_factory=list)
    land: list[str] = field(default_factory=list)
    applicant: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    min_budget: float | None = None
    deadline_within_days: int | None = None
    email: list[str] = field(default_factory=list)
    description: str = ""

    def calls_sql(self) -> str:
        """A query returning the call_id of every call (open or not) this filter selects."""
        where = ["TRUE"]
        if self.ags:
            keys = ", ".join(_lit(k) for k in self.ags)
            # a mention matches a key when one is a prefix of the other: Gemeinde key ~ its Kreis
            # and Land; a Kreis key ~ every Gemeinde in it
            where.append(
                "call_id IN (SELECT programme_id FROM municipality_programmes mp, "
                f"(SELECT unnest([{keys}]) AS k) "
                "WHERE mp.ags IS NOT NULL AND (starts_with(k, mp.ags) OR starts_with(mp.ags, k)))")
        if self.land:
            from extractors.fields.laender import land_code
            codes = ", ".join(_lit(land_code(x)) for x in self.land)
            where.append(f"land_code IN ({codes})")
        if self.applicant:
            types = ", ".join(_lit(t) for t in self.applicant)
            where.append(f"len(list_intersect(applicants, [{types}])) > 0")
        if self.keywords:
            pats = " OR ".join(f"concat_ws(' ', programme, title, evidence) ILIKE {_lit('%' + k + '%')}"
                               for k in self.keywords)
            where.append(f"({pats})")
        if self.min_budget is not None:
            where.append(f"budget_eur >= {float(self.min_budget)}")
        if self.deadline_within_days is not None:
            where.append(f"(rolling OR days_left <= {int(self.deadline_within_days)})")
        return "SELECT call_id FROM calls WHERE " + " AND ".join(where)


    def gone_sql(self) -> str:
        """A condition over ``programme`` for calls no longer published (they have left the
        views, so their municipalities and budget cannot be checked: a filter on those keys
        leaves gone calls out; keywords are checked on the programme name)."""
        if self.ags or self.land or self.applicant or self.min_budget is not None:
            return "FALSE"
        if self.keywords:
            return "(" + " OR ".join(f"programme ILIKE {_lit('%' + k + '%')}" for k in self.keywords) + ")"
        return "TRUE"


def _list(value, key: str, name: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return [str(v) for v in value]
    raise FilterError(f"filter [{name}]: {key} must be a string or a list of strings")


def parse_filter(name: str, spec: dict) -> Filter:
    """One filter from its TOML table, checked key by key."""
    unknown = set(spec) - KEYS
    if unknown:
        raise FilterError(f"filter [{name}]: unknown key(s) {', '.join(sorted(unknown))}; "
                          f"known: {', '.join(sorted(KEYS))}")
    f = Filter(name=name, description=str(spec.get("description", "")))
    for key in ("ags", "land", "applicant", "keywords", "email"):
        if key in spec:
            setattr(f, key, _list(spec[key], key, name))
    from extractors.fields.applicant_words import applicant_types
    from extractors.fields.laender import land_code
    for x in f.land:
        if land_code(x) is None:
            raise FilterError(f"filter [{name}]: land {x!r} is no Land (a name like "
                              "'Brandenburg' or a 2-digit key like '12')")
    known = applicant_types()
    for t in f.applicant:
        if t not in known:
            raise FilterError(f"filter [{name}]: applicant {t!r} is no applicant type; known: "
                              f"{', '.join(known)}")
    for k in f.ags:
        if not re.fullmatch(r"\d{2}|\d{5}|\d{8}|\d{9}", k):
            raise FilterError(f"filter [{name}]: ags {k!r} is no key (2 digits Land, 5 Kreis, "
                              "8 Gemeinde, 9 Verband)")
    if "min_budget" in spec:
        if not isinstance(spec["min_budget"], (int, float)):
            raise FilterError(f"filter [{name}]: min_budget must be a number (euros)")
        f.min_budget = float(spec["min_budget"])
    if "deadline_within_days" in spec:
        if not isinstance(spec["deadline_within_days"], int) or spec["deadline_within_days"] < 0:
            raise FilterError(f"filter [{name}]: deadline_within_days must be a whole number of days")
        f.deadline_within_days = spec["deadline_within_days"]
    return f


def load_filters(path: Path | None = None) -> dict[str, Filter]:
    """Every saved filter, by name; an empty dict where there is no filters file."""
    path = path or filters_path()
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FilterError(f"{path}: not valid TOML ({exc})") from None
    out = {}
    for name, spec in data.items():
        if not isinstance(spec, dict):
            raise FilterError(f"{path}: '{name}' must be a table ([{name}]) of filter keys")
        out[name] = parse_filter(name, spec)
    return out


def get_filter(name: str | None, path: Path | None = None) -> Filter:
    """The saved filter ``name`` (None: every call)."""
    if name is None:
        return Filter()
    filters = load_filters(path)
    if name not in filters:
        where = path or filters_path()
        known = ", ".join(sorted(filters)) or "none"
        raise FilterError(f"no filter named {name!r} in {where} (saved filters: {known})")
    return filters[name]
