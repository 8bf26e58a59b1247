"""What a run can start with, decided without Prefect (importing it takes seconds): the sources
of a run that names none, scaffolded sources not configured yet, another run holding the
warehouse. The command line checks these before it starts Prefect; the flows use the same."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def default_sources(options: dict[str, dict[str, Any]]) -> list[str]:
    """The sources of a run that names none: every source that can be built as it is and points
    at a real site (a source that needs options, like ``web`` or ``demo``, only when options for it
    are given; a source scaffolded by ``sources new`` only once its placeholder URL is replaced)."""
    from extractors.sources import all_sources, get_source

    names = []
    for name in all_sources():
        if name in options:
            names.append(name)
            continue
        try:
            src = get_source(name)
        except Exception:
            continue
        if placeholder_url(src) is None:
            names.append(name)
    return names


# RFC 2606 / 6761: names that can never be a real site (``sources new`` writes https://www.NAME.example/)
_PLACEHOLDER_HOSTS = (".example", ".invalid", ".test", "example.com", "example.org", "example.net")


def placeholder_url(source) -> str | None:
    """The first start URL of ``source`` on a reserved example host (a scaffolded source whose
    site is not filled in yet), or None."""
    for url in (*source.start_urls, *source.feeds, *source.sitemaps, *source.listings, *source.exports):
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
        if host.endswith(_PLACEHOLDER_HOSTS) or host in {h.lstrip(".") for h in _PLACEHOLDER_HOSTS}:
            return url
    return None


def writer_busy() -> str | None:
    """Why a run cannot write the warehouse now (another run holds its writer lock), or None.

    Takes the lock and lets it go at once: a pre-flight check for the command line; the run
    itself takes the lock again when it opens the warehouse."""
    from warehouse import WarehouseBusy
    from warehouse.publish import WriterLock, resolve_dir

    lock = WriterLock(resolve_dir(None))
    try:
        lock.acquire()
    except WarehouseBusy as exc:
        return str(exc)
    lock.release()
    return None
