"""``foerderradar gazetteer load|update|status``: the official municipal register (GV100AD)."""
from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import typer

URL_ENV = "FOERDERRADAR_GAZETTEER_URL"
DOWNLOAD_TIMEOUT_S = 60.0
MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024
_ARCHIVE = ("https://www.destatis.de/DE/Themen/Laender-Regionen/Regionales/Gemeindeverzeichnis/"
            "Administrativ/Archiv/GV100ADQ/GV100AD{ddmm}.zip?__blob=publicationFile")
# Destatis publishes the quarterly register with the Gebietsstand of the quarter's last day
_QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))


def default_url(today: dt.date | None = None) -> str:
    """The Destatis archive address of the latest quarter that has ended (the env var wins)."""
    env = os.environ.get(URL_ENV)
    if env:
        return env
    today = today or dt.date.today()
    # a quarter's file appears some weeks after its end: take the quarter before the current one
    ends = [dt.date(y, m, d) for y in (today.year - 1, today.year) for m, d in _QUARTER_ENDS]
    last = max(e for e in ends if e < today - dt.timedelta(days=45))
    return _ARCHIVE.format(ddmm=f"{last.day:02d}{last.month:02d}")


def _err(msg: str) -> None:
    print(f"foerderradar: {msg}", file=sys.stderr)


def _install(source, name: str, force: bool) -> None:
    from extractors.fields.gazetteer import GazetteerError, install

    try:
        _gaz, message = install(source, name=name, force=force)
    except GazetteerError as exc:
        _err(f"{exc}\nThe loaded register (if any) is unchanged.")
        raise typer.Exit(1)
    except OSError as exc:
        _err(f"cannot write the register: {exc}. The loaded register (if any) is unchanged.")
        raise typer.Exit(1)
    print(message)
    _sync_warehouse(_gaz)


def _sync_warehouse(gaz) -> None:
    """Copy the register into the warehouse's ``municipalities`` table and publish, so views can
    filter by Land and Kreis at once (when another run writes, that run or the next does it)."""
    from warehouse import Warehouse, WarehouseBusy, WarehouseError

    try:
        wh = Warehouse(publish_pending=False)
    except WarehouseBusy:
        print("the warehouse is busy: the running (or the next) ingest copies the register into it")
        return
    except WarehouseError as exc:
        _err(f"the register was not copied into the warehouse: {exc}")
        return
    try:
        n = wh.sync_register(gaz)
        if n is not None and (wh.root / "CURRENT").exists():
            wh.publish()
        if n is not None:
            print(f"warehouse: {n} register entries in table municipalities (Land, Kreis, population)")
    except WarehouseError as exc:
        _err(f"the register was not copied into the warehouse: {exc}")
    finally:
        wh.close()


def register(app: typer.Typer) -> None:
    gaz = typer.Typer(help="The official municipal register (Destatis GV100AD) used to link "
                           "municipalities to their AGS.", no_args_is_help=True)

    @gaz.command("load")
    def load_cmd(
        path: Path = typer.Argument(..., help="GV100AD file: the fixed-width .txt or the zip from Destatis."),
        force: bool = typer.Option(False, "--force", help="Replace the loaded register even with an older Gebietsstand."),
    ) -> None:
        """Load the register from a file (idempotent; a newer Gebietsstand replaces an older one)."""
        _install(path, str(path), force)

    @gaz.command("update")
    def update_cmd(
        url: str = typer.Option(None, "--url", help=f"Where to download the GV100AD zip (default: ${URL_ENV} "
                                                    "or the Destatis archive file of the last quarter)."),
        force: bool = typer.Option(False, "--force", help="Replace the loaded register even with an older Gebietsstand."),
    ) -> None:
        """Download the current register from Destatis and load it."""
        import httpx

        from extractors import settings

        url = url or default_url()
        try:
            with httpx.Client(timeout=DOWNLOAD_TIMEOUT_S, follow_redirects=True,
                              headers={"User-Agent": settings.user_agent()}) as client:
                with client.stream("GET", url) as resp:
                    if resp.status_code != 200:
                        _err(f"download failed: {url} answered HTTP {resp.status_code}. "
                             "The loaded register (if any) is unchanged; give another address with --url "
                             "or load a downloaded file with `foerderradar gazetteer load PATH`.")
                        raise typer.Exit(1)
                    chunks, size = [], 0
                    for chunk in resp.iter_bytes():
                        size += len(chunk)
                        if size > MAX_DOWNLOAD_BYTES:
                            _err(f"download failed: {url} sends more than {MAX_DOWNLOAD_BYTES // 2**20} MB; "
                                 "not a GV100AD register. The loaded register is unchanged.")
                            raise typer.Exit(1)
                        chunks.append(chunk)
        except httpx.HTTPError as exc:
            _err(f"download failed: cannot reach {url} ({exc.__class__.__name__}: {exc}). "
                 "Are you offline? The loaded register (if any) is unchanged; load a downloaded file "
                 "with `foerderradar gazetteer load PATH`.")
            raise typer.Exit(1)
        _install(b"".join(chunks), url, force)

    @gaz.command("status")
    def status_cmd() -> None:
        """Say which register is loaded."""
        from extractors import settings
        from extractors.fields.gazetteer import Gazetteer, GazetteerError

        path = settings.gazetteer_path()
        try:
            g = Gazetteer.load_default()
        except GazetteerError as exc:
            _err(str(exc))
            raise typer.Exit(1)
        if g is None:
            print(f"no municipal register loaded ({path} does not exist).\n"
                  "Load one with `foerderradar gazetteer load GV100AD_xxxxxx.txt` (or the Destatis zip), "
                  "or download it with `foerderradar gazetteer update`. Without it municipalities are "
                  "found by their type words only, without AGS.")
            return
        print(f"municipal register loaded: {g.describe()}")
        print(f"file: {path} ({path.stat().st_size // 1024} KiB)")
        print(f"source: {g.meta.get('source')} (loaded {g.meta.get('loaded_at')})")

    app.add_typer(gaz, name="gazetteer")
