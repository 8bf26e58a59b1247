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

COMMAND_MODULES = ("extract", "gazetteer", "sources", "warehouse")

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
