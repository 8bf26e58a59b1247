"""A budget no parse can ignore: each document is parsed in a worker process under a memory limit
and a wall-clock watchdog.

Parsers are libraries (pdfminer, pdfium, lxml) that can loop on a reference cycle or inflate a
57 KB stream into gigabytes; nothing inside the process can stop them. :class:`ParseGuard` sends
each call to one long-lived worker process (started once, reused for every document, so a call
costs a pipe round trip, not a process start). The worker runs with ``RLIMIT_AS`` set to
:data:`~extractors.settings.PARSE_MEMORY_BYTES`; the parent waits at most
:data:`~extractors.settings.PARSE_TIMEOUT_SECONDS` for the answer, then kills the worker and starts
a fresh one for the next document. Either way the document gets a :class:`ParseError` that says
which limit it hit and how to raise it, and the run goes on.

Used by ``foerderradar extract`` and by the ingest flow's parse task::

    with ParseGuard() as guard:
        doc = guard.call(read_document, path)
"""
from __future__ import annotations

import atexit
import copy
import multiprocessing
import os
import pickle
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable

from extractors.parse import ParseError


def _set_memory_limit(limit: int) -> None:
    try:
        import resource
    except ImportError:                               # not on Windows: the timeout still applies
        return
    if limit > 0:
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass


def _serve(conn, memory_limit: int) -> None:
    """The worker: run each (fn, args) it is sent and send back ("ok", value) or ("err", exc)."""
    _set_memory_limit(memory_limit)
    import extractors.parse.pdf  # noqa: F401 - load the parsers once, before the first document
    import extractors.parse.html  # noqa: F401
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):                   # the parent is gone: so are we
            return
        if job is None:
            return
        fn, args = job
        try:
            reply = ("ok", fn(*args))
        except MemoryError:
            reply = ("memory", None)
        except BaseException as exc:  # noqa: BLE001 - the parent decides what it means
            reply = ("err", exc)
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("memory", None))
        except Exception as exc:  # noqa: BLE001 - e.g. an exception that does not pickle
            conn.send(("err", RuntimeError(f"{type(exc).__name__}: {exc}")))
        if reply[0] == "memory":                      # a heap that hit its limit is not trusted again
            return


class ParseGuard:
    """One worker process that runs parse calls under a time and memory budget."""

    def __init__(self, timeout: float | None = None, memory: int | None = None):
        self._timeout, self._memory = timeout, memory         # None: the current settings
        self._proc = None
        self._conn = None
        self._env: dict = {}
        self.restarts = 0

    @property
    def timeout(self) -> float:
        from extractors import settings

        return settings.PARSE_TIMEOUT_SECONDS if self._timeout is None else self._timeout

    @property
    def memory(self) -> int:
        from extractors import settings

        return settings.PARSE_MEMORY_BYTES if self._memory is None else self._memory

    # -- the worker ------------------------------------------------------------------------
    def start(self) -> "ParseGuard":
        """Start the worker now (it loads the parsers meanwhile); :meth:`call` does it otherwise.
        A worker started under other FOERDERRADAR_* settings is replaced."""
        if self._proc is not None and self._env != _settings_env():
            self._stop()
        if self._proc is None or not self._proc.is_alive():
            self._env = _settings_env()
            ctx = multiprocessing.get_context("spawn")    # no fork: the caller may run threads
            parent, child = ctx.Pipe()
            self._proc = ctx.Process(target=_serve, args=(child, self.memory), daemon=True,
                                     name="foerderradar-parse")
            self._proc.start()
            child.close()
            self._conn = parent
        return self

    def _stop(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        if conn is not None:
            conn.close()
        if proc is not None:
            if proc.is_alive():
                proc.kill()
            proc.join(5)

    def close(self) -> None:
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            try:
                self._conn.send(None)
                self._proc.join(2)
            except OSError:
                pass
        self._stop()

    def __enter__(self) -> "ParseGuard":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- calls -----------------------------------------------------------------------------
    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` in the worker. Its exceptions are raised here; a call over the time or
        memory budget raises :class:`ParseError` (and the worker is replaced)."""
        self.start()
        deadline = time.monotonic() + self.timeout
        try:
            self._conn.send((fn, args))
            ready = self._conn.poll(max(0.0, deadline - time.monotonic()))
            reply = self._conn.recv() if ready else None
        except (EOFError, OSError, BrokenPipeError):
            ready, reply = True, None
        if reply is None:
            crashed = ready                           # the pipe closed: the worker died
            code = self._proc.exitcode if self._proc is not None else None
            self._stop()
            self.restarts += 1
            if not crashed:
                raise ParseError(f"parsing took longer than {self.timeout:g} s and was stopped (a damaged or "
                                 "hostile file?); raise FOERDERRADAR_PARSE_TIMEOUT to allow more")
            if code is not None and code < 0:
                raise ParseError(f"the parser crashed on this file ({_signal_name(-code)}): out of memory (the "
                                 f"limit is {_mib(self.memory)}, FOERDERRADAR_PARSE_MEMORY_MB) or a damaged file")
            raise ParseError(f"the parser crashed on this file (exit status {code}); it is probably damaged")
        status, value = reply
        if status == "memory":
            self._stop()
            self.restarts += 1
            raise ParseError(f"parsing needs more than {_mib(self.memory)} of memory (a decompression bomb or "
                             "a huge page?) and was stopped; raise FOERDERRADAR_PARSE_MEMORY_MB to allow more")
        if status == "err":
            raise value
        return value


def _signal_name(number: int) -> str:
    import signal

    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _settings_env() -> dict:
    return {k: v for k, v in os.environ.items() if k.startswith("FOERDERRADAR_")}


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


# -- a pool of guards, for callers that parse in several threads (the ingest flow) ---------------
_idle: list[ParseGuard] = []
_every: list[ParseGuard] = []
_lock = threading.Lock()


@contextmanager
def borrowed_guard():
    """An idle guard from the process's pool (a new one when all are busy), returned after use:
    as many workers as threads parse at the same time, kept for the next batch."""
    with _lock:
        g = _idle.pop() if _idle else None
        if g is None:
            g = ParseGuard()
            _every.append(g)
    try:
        yield g
    finally:
        with _lock:
            _idle.append(g)


@atexit.register
def _close_all() -> None:
    with _lock:
        for g in _every:
            g.close()
        _every.clear()
        _idle.clear()


def guarded_documents(source, record, data: bytes) -> list:
    """``source.read(record, data)`` under the parse budget: the ingest flow's parse step.
    A document over the budget becomes one Document with the reason in ``errors``."""
    from models.records import Document

    with borrowed_guard() as guard:
        try:
            return guard.call(source_documents, _portable(source), record, data)
        except ParseError as exc:
            return [Document(source=record.url, kind="txt", text="", errors=[str(exc)], sha256=record.sha256)]


def _portable(source):
    """The source as the worker gets it: its configuration, without runtime state that cannot
    cross a process boundary (the crawl's RawStore and its lock: the worker opens its own)."""
    clone = copy.copy(source)
    for name, value in vars(source).items():
        try:
            pickle.dumps(value)
        except Exception:  # noqa: BLE001 - any object that does not pickle stays behind
            setattr(clone, name, None)
    return clone


def source_documents(source, record, data: bytes) -> list:
    """``source.read(record, data)`` (its documents, with the source's Land): the ingest flow's
    parse step, run in a guard."""
    return source.read(record, data)


def read_file(path: str, pdf_backend: str | None = None):
    """:func:`extractors.parse.read_document` of one file: ``foerderradar extract``'s parse step."""
    from extractors.parse import read_document

    return read_document(path, pdf_backend=pdf_backend)


__all__ = ["ParseGuard", "borrowed_guard", "guarded_documents", "read_file"]
