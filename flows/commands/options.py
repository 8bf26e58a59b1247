"""What every command that runs sources shares: one ``-o SOURCE.KEY=VALUE`` syntax, and the checks
that run before Prefect starts (unknown source, bad option, a scaffolded source not configured yet,
another run writing the warehouse), each a message and exit status 2 with nothing recorded."""
from __future__ import annotations

import sys
from typing import Any

import typer

OPTION_HELP = "Source option SOURCE.KEY=VALUE, e.g. demo.base_url=http://127.0.0.1:8765/ (repeatable)."
EXIT_NOT_STARTED = 2          # usage errors, and runs that could not start (nothing was done)


def err(msg: str) -> None:
    print(f"foerderradar: {msg}", file=sys.stderr)


def parse_options(values: list[str] | None) -> dict[str, dict[str, Any]]:
    """``["demo.base_url=http://…", "web.max_pages=50"]`` → ``{"demo": {"base_url": …}, …}``."""
    out: dict[str, dict[str, Any]] = {}
    for raw in values or []:
        key, sep, value = raw.partition("=")
        source, dot, name = key.strip().partition(".")
        if not sep or not dot or not source or not name:
            hint = f"SOURCE.{key.strip()}={value.strip()}" if sep and not dot else \
                "demo.base_url=http://127.0.0.1:8765/"
            raise typer.BadParameter(f"{raw!r}: write it as SOURCE.KEY=VALUE, e.g. {hint}",
                                     param_hint="--option")
        out.setdefault(source, {})[name] = option_value(value.strip())
    return out


def option_value(value: str) -> Any:
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def check_sources(names: list[str] | None, options: dict[str, dict[str, Any]]) -> list[str]:
    """The sources a run will crawl (``names``, or every source ready to run), each built once
    with its options to prove it can start. Exits 2 with every problem listed."""
    from extractors.sources import SourceError, all_sources, get_source
    from flows.preflight import default_sources, placeholder_url

    try:
        known = all_sources()
    except SourceError as exc:
        err(str(exc))
        raise typer.Exit(EXIT_NOT_STARTED)
    problems = []
    unknown = sorted({n for n in (names or []) + list(options) if n not in known})
    if unknown:
        problems.append(f"no source named {', '.join(unknown)}; known: {', '.join(known)}")
    for name in sorted(set(options) - set(names or options)):
        problems.append(f"options for {name}, which is not among the sources of this run (--source)")
    chosen = list(dict.fromkeys(names)) if names else default_sources(options)
    for name in chosen:
        if name in unknown:
            continue
        try:
            src = get_source(name, **options.get(name, {}))
        except SourceError as exc:
            problems.append(str(exc))
            continue
        placeholder = placeholder_url(src)
        if placeholder:
            problems.append(f"source {name!r} still starts at its placeholder {placeholder}: edit "
                            f"extractors/sources/{name}.py, or pass -o {name}.base_url=URL")
    if not chosen and not problems:
        problems.append("no source is ready to run; name one with --source (see `foerderradar sources list`)")
    if problems:
        for p in problems:
            err(p)
        raise typer.Exit(EXIT_NOT_STARTED)
    return chosen


def check_writer_free() -> None:
    """Exit 2 when another run holds the warehouse's writer lock (checked again when the run
    opens the warehouse; this check only spares the Prefect start-up and a failed run)."""
    from flows.preflight import writer_busy

    busy = writer_busy()
    if busy:
        err(busy)
        raise typer.Exit(EXIT_NOT_STARTED)
