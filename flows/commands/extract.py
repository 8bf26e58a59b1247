"""``foerderradar extract`` and ``foerderradar eval``."""
from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import stat
import sys
import traceback
from pathlib import Path
from typing import Iterator

import typer

# Files taken from a directory; a file named on the command line is read whatever its name.
DOCUMENT_SUFFIXES = {".txt", ".text", ".md", ".html", ".htm", ".xhtml", ".pdf", ".xml", ""}


def _err(msg: str) -> None:
    print(f"foerderradar: {msg}", file=sys.stderr)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def shown(path: Path | str) -> str:
    """A path as it can be printed: bytes that are not UTF-8 as ``\\xNN``, control characters
    (a newline in a file name would forge a line of output) as escapes."""
    text = os.fsencode(path).decode("utf-8", "backslashreplace")
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _json_name(path: Path | str) -> str:
    """A path for the JSON record: any string JSON can carry (bytes that are not UTF-8 as ``\\xNN``)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD", param_hint=option)


def _parse_land(value: str | None) -> str | None:
    """``--land``: a Land's name, abbreviation or 2-digit key -> its code."""
    if value is None:
        return None
    from extractors.fields.laender import land_code, land_forms

    code = land_code(value)
    if code is None:
        raise typer.BadParameter(f"{value!r} is no Land; write {land_forms()}", param_hint="--land")
    return code


def iter_inputs(paths: list[Path]) -> Iterator[tuple[Path, str | None]]:
    """Yield (file, None) for each document, or (input, message) for an input that holds none or
    could not be searched (an unreadable directory, a symbolic link loop, a named pipe)."""
    for p in paths:
        if p.is_dir():
            found = False
            for f, problem in _walk(p):
                found = found or problem is None
                yield f, problem
            if not found:
                yield p, "directory holds no documents (.txt, .html, .pdf, .xml)"
        else:
            problem = _not_a_file(p)
            yield p, problem


def _not_a_file(p: Path) -> str | None:
    """Why ``p`` cannot be read as a document, or None for a regular file."""
    try:
        st = p.stat()
    except OSError as exc:
        if p.is_symlink():
            return ("symbolic link loop" if exc.errno == errno.ELOOP
                    else "broken symbolic link (its target does not exist)")
        if exc.errno == errno.ENOENT:
            return "no such file or directory"
        return f"cannot read: {exc.strerror or exc}"
    if stat.S_ISREG(st.st_mode):
        return None
    if stat.S_ISFIFO(st.st_mode):
        return "a named pipe (FIFO), not a regular file; skipped"
    if stat.S_ISSOCK(st.st_mode):
        return "a socket, not a regular file; skipped"
    if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
        return "a device, not a regular file; skipped"
    return "not a regular file"


def _walk(root: Path) -> Iterator[tuple[Path, str | None]]:
    """Documents under ``root`` in name order; hidden names and other suffixes are passed over.
    Linked directories are followed, but never into one of their own ancestors (a loop), and
    a directory that cannot be listed is reported, not skipped silently."""
    try:
        st = root.stat()
    except OSError as exc:
        yield root, f"cannot read directory: {exc.strerror or exc}"
        return
    stack: list[tuple[Path, frozenset]] = [(root, frozenset({(st.st_dev, st.st_ino)}))]
    while stack:
        d, ancestors = stack.pop()
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: os.fsencode(e.name))
        except OSError as exc:
            yield d, f"cannot read directory: {exc.strerror or exc}; its documents were skipped"
            continue
        subdirs = []
        for e in entries:
            if e.name.startswith("."):
                continue
            path = Path(e.path)
            try:
                is_dir = e.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                try:
                    s = e.stat()
                except OSError as exc:
                    yield path, f"cannot read directory: {exc.strerror or exc}"
                    continue
                key = (s.st_dev, s.st_ino)
                if key in ancestors:
                    yield path, "symbolic link loop (a link to a directory that contains it); skipped"
                else:
                    subdirs.append((path, ancestors | {key}))
                continue
            if path.suffix.lower() not in DOCUMENT_SUFFIXES:
                continue
            yield path, _not_a_file(path)
        stack.extend(reversed(subdirs))


def extract_file(path: Path, extractor, published: dt.date | None, pdf_backend: str | None = None,
                 guard=None, land: str | None = None):
    """Parse (in ``guard``'s worker, under its time and memory budget) and extract one file;
    failures become the record's ``errors``, never an exception. ``land``: 2-digit code of the
    Land the file comes from (resolves place names several Länder share).

    An unexpected error (a bug) in one document is reported in its record and the run goes on;
    set FOERDERRADAR_DEBUG=1 to see the traceback.
    """
    from extractors.parse import ParseError, read_document
    from extractors.parse.guard import read_file
    from models.records import Document, Extraction

    doc = None
    name = _json_name(path)
    try:
        try:
            doc = guard.call(read_file, str(path), pdf_backend) if guard else read_document(path, pdf_backend=pdf_backend)
        except ParseError as exc:
            doc = Document(source=name, kind="txt", text="", errors=[str(exc)])
        doc.source = name
        doc.land = land or doc.land
        if doc.errors and not doc.text.strip():
            rec = Extraction(source=name, title=doc.title, published=published or doc.published,
                             errors=doc.errors, sha256=doc.sha256)
        else:
            rec = extractor.extract(doc, published=published)
        rec.warnings, rec.pdf_backend, rec.pages = list(doc.warnings), doc.pdf_backend, doc.pages
        return rec
    except Exception as exc:  # noqa: BLE001 - one bad document must not stop the run
        if os.environ.get("FOERDERRADAR_DEBUG"):
            traceback.print_exc()
        stage = "parsing" if doc is None else "extracting"
        return Extraction(source=name, title=doc.title if doc else None,
                          published=published or (doc.published if doc else None),
                          errors=[f"internal error while {stage} ({type(exc).__name__}: {exc}); "
                                  "please report it with the file (FOERDERRADAR_DEBUG=1 shows details)"],
                          sha256=doc.sha256 if doc else None)


def problem_record(path: Path, message: str):
    """The record of an input that holds no document (missing path, empty directory)."""
    from models.records import Extraction

    return Extraction(source=_json_name(path), errors=[message])


def register(app: typer.Typer) -> None:
    @app.command("extract")
    def extract_cmd(
        paths: list[Path] = typer.Argument(..., metavar="PATH", help="Files or directories (searched recursively)."),
        format: str = typer.Option("jsonl", "--format", "-f", help="jsonl (one JSON object per document) or table."),
        published: str = typer.Option(None, "--published", help="Publication date YYYY-MM-DD; gives years to dates written without one."),
        no_gazetteer: bool = typer.Option(False, "--no-gazetteer", help="Do not use the loaded municipal register."),
        pdf_backend: str = typer.Option(None, "--pdf-backend", help="pdfplumber (tables, headings; default) or pdfium (fast text); default from FOERDERRADAR_PDF_BACKEND."),
        land: str = typer.Option(None, "--land", help="The Land the documents come from (Brandenburg, NRW or 12): resolves place names several Länder share (Neustadt)."),
    ) -> None:
        """Extract amounts, deadlines, dates, programmes and municipalities from documents."""
        if format not in ("jsonl", "table"):
            raise typer.BadParameter(f"{format!r}: choose jsonl or table", param_hint="--format")
        pub = _parse_date(published, "--published")
        land_key = _parse_land(land)
        if pdf_backend is not None and pdf_backend not in ("pdfplumber", "pdfium"):
            raise typer.BadParameter(f"{pdf_backend!r}: choose pdfplumber or pdfium", param_hint="--pdf-backend")
        from extractors.fields import Extractor
        from extractors.parse.guard import ParseGuard

        guard = ParseGuard().start()           # loads the parsers while the extractor is built
        extractor = Extractor(gazetteer=None if no_gazetteer else "auto")
        inputs = list(iter_inputs(paths))
        failed = 0
        records = []
        progress = _progress(len(inputs))
        for path, problem in inputs:
            if problem:
                rec = problem_record(path, problem)
            else:
                rec = extract_file(path, extractor, pub, pdf_backend, guard, land_key)
            for w in rec.warnings:
                _err(f"{shown(path)}: note: {shown(w)}")
            for e in rec.errors:
                _err(f"{shown(path)}: {shown(e)}")
            failed += bool(rec.errors)
            if format == "jsonl":
                sys.stdout.write(rec.model_dump_json() + "\n")
                sys.stdout.flush()
            else:
                records.append(rec)
            progress.advance()
        progress.close()
        guard.close()
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
