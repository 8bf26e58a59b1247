"""The source registry: every module in this package that defines a :class:`Source` subclass
with a ``name`` is a source. Names are unique; a duplicate is an error naming both modules.

    from extractors.sources import get_source, all_sources
    src = get_source("web", url="https://www.example.de/foerderung/", allowed_hosts="example.de,*.example.de")
"""
from __future__ import annotations

import importlib
import pkgutil

from extractors.sources.base import Politeness, Request, Source

__all__ = ["Source", "Politeness", "Request", "get_source", "all_sources", "source_class",
           "SourceError", "DuplicateSourceError", "UnknownSourceError"]

# modules of this package that are helpers, not sources
_NOT_SOURCES = {"base", "links"}


class SourceError(Exception):
    """A problem with a source's definition or options (message says what to do)."""


class DuplicateSourceError(SourceError):
    pass


class UnknownSourceError(SourceError, KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


_registry: dict[str, type[Source]] | None = None


def _scan() -> dict[str, type[Source]]:
    found: dict[str, type[Source]] = {}
    where: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name in _NOT_SOURCES or info.name.startswith("_") or info.ispkg:
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        for obj in vars(mod).values():
            if isinstance(obj, type) and issubclass(obj, Source) and obj is not Source \
                    and obj.__module__ == mod.__name__ and obj.name:
                if obj.name in found:
                    raise DuplicateSourceError(
                        f"source name {obj.name!r} is defined twice: in {where[obj.name]} and in "
                        f"{mod.__name__}; rename one of them")
                found[obj.name] = obj
                where[obj.name] = mod.__name__
    return found


def _sources() -> dict[str, type[Source]]:
    global _registry
    if _registry is None:
        _registry = _scan()
    return _registry


def reload() -> None:
    """Forget the registry (after `sources new` wrote a module)."""
    global _registry
    _registry = None
    importlib.invalidate_caches()


def all_sources() -> list[str]:
    return sorted(_sources())


def source_class(name: str) -> type[Source]:
    try:
        return _sources()[name]
    except KeyError:
        raise UnknownSourceError(f"no source named {name!r}; known sources: {', '.join(all_sources())}") from None


def get_source(name: str, **options) -> Source:
    cls = source_class(name)
    try:
        return cls(**options)
    except (ValueError, TypeError) as exc:
        raise SourceError(f"source {name!r}: {exc}") from None
