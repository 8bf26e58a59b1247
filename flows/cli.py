"""The ``foerderradar`` command line.

Each command group lives in its own module under ``flows/commands/`` and registers itself on the
app; heavy imports (spaCy, Prefect, DuckDB) happen inside the commands so that ``--help`` is fast.
Exit status: 0 success, 1 when some input failed, 2 for usage errors.
"""
from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="foerderradar",
    help="Turn German public funding announcements into data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

COMMAND_MODULES = ("extract", "gazetteer", "catalogue", "sources", "warehouse", "outputs")


def version_text() -> str:
    """``foerderradar 0.1.0 (extractor 0.1.0, prefect 3.8.8, Python 3.11.7)``."""
    import platform
    from importlib import metadata

    from extractors.version import EXTRACTOR_VERSION

    def v(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    return (f"foerderradar {v('foerderradar')} (extractor {EXTRACTOR_VERSION}, prefect {v('prefect')}, "
            f"Python {platform.python_version()})")


def _version(value: bool) -> None:
    if value:
        print(version_text())
        raise typer.Exit(0)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """Turn German public funding announcements into data."""

for _name in COMMAND_MODULES:
    try:
        _mod = importlib.import_module(f"flows.commands.{_name}")
    except ModuleNotFoundError as exc:  # a command group not written yet
        if exc.name != f"flows.commands.{_name}":
            raise
        continue
    _mod.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
