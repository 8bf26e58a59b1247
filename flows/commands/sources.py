"""``foerderradar sources list|new``, ``foerderradar crawl`` and ``foerderradar demo-site``."""
from __future__ import annotations

import keyword
import re
import sys
from pathlib import Path
from string import Template

import typer

from flows.commands.options import OPTION_HELP, parse_options

REPO = Path(__file__).resolve().parents[2]
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def _err(msg: str) -> None:
    print(f"foerderradar: {msg}", file=sys.stderr)


def scaffold(name: str, root: Path = REPO, description: str | None = None) -> list[Path]:
    """Write a source module, its fixture folder and its test from the reference templates."""
    from extractors.sources import all_sources

    if not NAME_RE.match(name) or keyword.iskeyword(name):
        raise ValueError(f"{name!r} is not a valid source name: use 2-40 lower-case letters, digits and "
                         "underscores, starting with a letter (e.g. land_nrw_aufrufe)")
    module = root / "extractors" / "sources" / f"{name}.py"
    if name in all_sources() or module.exists() or name in ("base", "links", "templates", "data"):
        raise FileExistsError(f"a source or module named {name!r} already exists; choose another name")
    fixtures = root / "tests" / "fixtures" / "sources" / name
    test = root / "tests" / f"test_sources_{name}.py"
    if fixtures.exists() or test.exists():
        raise FileExistsError(f"{fixtures} or {test} already exists; choose another name")
    tdir = Path(__file__).resolve().parents[2] / "extractors" / "sources" / "templates"
    values = {"name": name, "class_name": "".join(p.title() for p in name.split("_")) + "Source",
              "description": description or f"announcements of {name} (describe the site here)",
              "default_url": f"https://www.{name.replace('_', '-')}.example/"}
    written = []
    fixtures.mkdir(parents=True)
    for tmpl, target in (("source.py.tmpl", module), ("test.py.tmpl", test),
                         ("index.html.tmpl", fixtures / "index.html"),
                         ("foerderaufruf-beispiel.html.tmpl", fixtures / "foerderaufruf-beispiel.html"),
                         ("robots.txt.tmpl", fixtures / "robots.txt")):
        text = Template((tdir / tmpl).read_text("utf-8")).substitute(values)
        target.write_text(text, "utf-8")
        written.append(target)
    return written


def register(app: typer.Typer) -> None:
    sources_app = typer.Typer(help="List and scaffold sources.", no_args_is_help=True)
    app.add_typer(sources_app, name="sources")

    @sources_app.command("list")
    def list_sources() -> None:
        """List the registered sources."""
        from extractors.sources import SourceError, all_sources, source_class
        try:
            names = all_sources()
        except SourceError as exc:
            _err(str(exc))
            raise typer.Exit(2)
        for n in names:
            cls = source_class(n)
            opts = ", ".join(f"{n}.{k}=" for k in cls.options)
            print(f"{n:24} {cls.description}" + (f"  [options: {opts}]" if opts else ""))

    @sources_app.command("new")
    def new_source(name: str = typer.Argument(..., help="lower_case name of the new source"),
                   description: str = typer.Option(None, help="one line about the site")) -> None:
        """Scaffold a source module, a fixture folder and a passing test from the reference source."""
        try:
            written = scaffold(name, REPO, description)
        except (ValueError, FileExistsError) as exc:
            _err(str(exc))
            raise typer.Exit(2)
        for p in written:
            print(f"wrote {p.relative_to(REPO)}")
        print(f"next: edit extractors/sources/{name}.py, then run "
              f".venv/bin/python -m pytest tests/test_sources_{name}.py -q")

    @app.command("crawl")
    def crawl(source: str = typer.Argument(..., help="source name (see `foerderradar sources list`)"),
              limit: int = typer.Option(None, "--limit", min=1, help="fetch at most N documents"),
              option: list[str] = typer.Option(None, "--option", "-o", help=OPTION_HELP),
              raw: Path = typer.Option(None, "--raw", help="raw store root (default: settings.raw_dir())"),
              json_out: bool = typer.Option(False, "--json", help="print the report as JSON")) -> None:
        """Crawl one source into the raw store and print what was new, unchanged and failed."""
        import json

        from extractors.crawl import crawl_source
        from extractors.rawstore import RawStore
        from extractors.sources import SourceError, get_source

        opts = parse_options(option)
        others = sorted(set(opts) - {source})
        if others:
            raise typer.BadParameter(f"options for {', '.join(others)}, but this crawls {source} "
                                     f"(write them as {source}.KEY=VALUE)", param_hint="--option")
        try:
            src = get_source(source, **opts.get(source, {}))
        except SourceError as exc:
            _err(str(exc))
            raise typer.Exit(2)
        report = crawl_source(src, RawStore(raw), limit=limit)
        if json_out:
            print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1))
        else:
            print(report.summary())
            for f in report.failures[:50]:
                print(f"  failed {f.url}: {f.reason}")
            if len(report.failures) > 50:
                print(f"  ... and {len(report.failures) - 50} more failures")
            for n in report.notes:
                print(f"  note: {n}")
        if report.failures and not report.records:
            raise typer.Exit(1)

    @app.command("demo-site")
    def demo_site(port: int = typer.Option(8765, "--port", help="port on 127.0.0.1 (0: any free port)"),
                  documents: int = typer.Option(40, "--documents", min=1, help="number of announcements"),
                  seed: int = typer.Option(0, "--seed")) -> None:
        """Serve the local demo site until Ctrl-C (crawl it with `crawl demo -o demo.base_url=...`)."""
        from extractors.demo.server import main
        raise typer.Exit(main(["--port", str(port), "--documents", str(documents), "--seed", str(seed)]))
