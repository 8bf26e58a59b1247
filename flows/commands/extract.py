"""``foerderradar extract`` and ``foerderradar eval``."""
from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Iterator

import typer

# Files taken from a directory; a file named on the command line is read whatever its name.
DOCUMENT_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".xhtml", ".pdf", ".xml", ""}


def _err(msg: str) -> None:
    print(f"foerderradar: {msg}", file=sys.stderr)


def _parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD", param_hint=option)


def iter_inputs(paths: list[Path]) -> Iterator[tuple[Path | None, str | None]]:
    """Yield (file, None) for each document, or (None, message) for an input that holds none."""
    for p in paths:
        if p.is_dir():
            found = False
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts) \
                        and f.suffix.lower() in DOCUMENT_SUFFIXES:
                    found = True
                    yield f, None
            if not found:
                yield None, f"{p}: directory holds no documents (.txt, .html, .pdf, .xml)"
        elif p.is_file():
            yield p, None
        elif p.exists():
            yield None, f"{p}: not a regular file"
        else:
            yield None, f"{p}: no such file or directory"


def extract_file(path: Path, extractor, published: dt.date | None):
    """Parse and extract one file; expected failures become the record's ``errors``."""
    from extractors.parse import read_document
    from models.records import Extraction

    doc = read_document(path)
    if doc.errors and not doc.text.strip():
        return Extraction(source=str(path), title=doc.title, published=published or doc.published,
                          errors=doc.errors, sha256=doc.sha256)
    return extractor.extract(doc, published=published)


def register(app: typer.Typer) -> None:
    @app.command("extract")
    def extract_cmd(
        paths: list[Path] = typer.Argument(..., help="Files or directories (searched recursively)."),
        format: str = typer.Option("jsonl", "--format", "-f", help="jsonl (one JSON object per document) or table."),
        published: str = typer.Option(None, "--published", help="Publication date YYYY-MM-DD; gives years to dates written without one."),
        no_gazetteer: bool = typer.Option(False, "--no-gazetteer", help="Do not use the loaded municipal register."),
    ) -> None:
        """Extract amounts, deadlines, dates, programmes and municipalities from documents."""
        if format not in ("jsonl", "table"):
            raise typer.BadParameter("choose jsonl or table", param_hint="--format")
        pub = _parse_date(published, "--published")
        from extractors.fields import Extractor

        extractor = Extractor(gazetteer=None if no_gazetteer else "auto")
        inputs = list(iter_inputs(paths))
        failed = 0
        records = []
        progress = _progress(len(inputs))
        for path, problem in inputs:
            if problem:
                _err(problem)
                failed += 1
                progress.advance()
                continue
            rec = extract_file(path, extractor, pub)
            for e in rec.errors:
                _err(f"{path}: {e}")
            failed += bool(rec.errors)
            if format == "jsonl":
                sys.stdout.write(rec.model_dump_json() + "\n")
                sys.stdout.flush()
            else:
                records.append(rec)
            progress.advance()
        progress.close()
        if format == "table":
            _print_table(records)
        raise typer.Exit(1 if failed else 0)

    @app.command("eval")
    def eval_cmd(
        gold_dir: Path = typer.Argument(..., help="Folder of gold JSON files (see eval/GUIDELINES.md)."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="List the misses and false hits."),
        as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
        no_gazetteer: bool = typer.Option(False, "--no-gazetteer", help="Do not use the loaded municipal register."),
    ) -> None:
        """Score the extractor against gold files: precision, recall and F1 per field."""
        from extractors.evaluate import evaluate_dir, format_report

        if not gold_dir.is_dir():
            raise typer.BadParameter(f"{gold_dir} is not a directory", param_hint="GOLD_DIR")
        try:
            report = evaluate_dir(gold_dir, gazetteer=None if no_gazetteer else "auto")
        except ValueError as exc:
            _err(str(exc))
            raise typer.Exit(1)
        if as_json:
            print(json.dumps(report.as_dict()))
        else:
            print(format_report(report, verbose=verbose))


class _progress:
    """A progress bar on stderr for long runs in a terminal; silent otherwise."""

    def __init__(self, total: int):
        self.bar = None
        if total > 20 and sys.stderr.isatty():
            from rich.progress import Progress
            self.bar = Progress(transient=True, console=None)
            self.bar.start()
            self.task = self.bar.add_task("extracting", total=total)

    def advance(self) -> None:
        if self.bar:
            self.bar.advance(self.task)

    def close(self) -> None:
        if self.bar:
            self.bar.stop()


def _print_table(records) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for rec in records:
        t = Table(title=f"{rec.source}" + (f" — {rec.title}" if rec.title else ""), title_justify="left",
                  show_lines=False)
        t.add_column("field")
        t.add_column("value")
        t.add_column("details")
        t.add_column("text", overflow="fold")
        for a in rec.amounts:
            val = f"{a.value_eur:,.0f} €" if a.low_eur is None else f"{a.low_eur:,.0f}–{a.value_eur:,.0f} €"
            t.add_row("amount", val, f"{a.qualifier}, {a.unit}", a.text)
        for d in rec.deadlines:
            t.add_row("deadline", str(d.date or "—"), d.kind, d.text)
        for d in rec.dates:
            t.add_row("date", str(d.date or "—"), d.kind, d.text)
        for p in rec.programmes:
            t.add_row("programme", p.name, ", ".join(p.aliases), p.text)
        for m in rec.municipalities:
            t.add_row("municipality", m.name, f"{m.type or ''} {m.ags or ''}".strip(), m.text)
        for e in rec.errors:
            t.add_row("error", e, "", "")
        console.print(t)
