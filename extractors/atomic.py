"""Atomic file writes: readers (and a process killed mid-write) see the old file or the new one,
never a part. Write to a temporary file in the same directory, fsync, rename over the target,
then fsync the directory so the rename itself survives a power cut.

A process killed between writing and renaming leaves its temporary file (``.tmp-*.part``)
behind; :func:`sweep_temporaries` removes those once they are old enough that no live writer
can still own them."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

TMP_PREFIX, TMP_SUFFIX = ".tmp-", ".part"


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str | Path, data: bytes, *, durable: bool = True, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` atomically. ``durable=False`` skips the fsyncs (state files
    that can be rebuilt, where a lost last write costs only a re-fetch); ``mode`` sets the file's
    permissions (default: mkstemp's 0600)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TMP_PREFIX, suffix=TMP_SUFFIX)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    if durable:
        fsync_dir(path.parent)


def sweep_temporaries(directory: str | Path, older_than: float) -> list[Path]:
    """Delete the temporary files (``.tmp-*.part``) that killed writers left under ``directory``
    (recursively) and that were last modified more than ``older_than`` seconds ago; return them.
    Younger ones may belong to a writer still running and are left alone."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    limit = time.time() - older_than
    removed = []
    for p in directory.rglob(f"{TMP_PREFIX}*{TMP_SUFFIX}"):
        try:
            if p.is_file() and p.stat().st_mtime < limit:
                p.unlink()
                removed.append(p)
        except OSError:
            continue        # gone meanwhile, or not ours to delete: the next sweep tries again
    return removed
