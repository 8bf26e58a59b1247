"""The raw store on S3-compatible object storage (``FOERDERRADAR_RAW=s3://bucket/prefix``).

An implementation of :class:`extractors.rawstore.Storage` with obstore, so that every worker of
a sharded run reads and writes one raw store. Credentials, region and endpoint come from the
usual AWS settings (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``,
``AWS_ENDPOINT_URL`` for MinIO, SeaweedFS, moto …); an ``http://`` endpoint is allowed without
further settings.

- Content-addressed objects (the bytes and their sidecar) are written **create-only**
  (``If-None-Match: *``): the same key always holds the same bytes, so a concurrent or repeated
  write of it is a no-op, never an overwrite.
- An object store cannot append. The fetch log is written as **one object per writer and
  flush** under the log's key: ``<source>/_log/<yyyy-mm>/<writer>-<seq>.jsonl``, where
  ``<writer>`` names the run or shard (``FOERDERRADAR_WRITER``, else host and process id).
  Lines are buffered and written when the raw store is flushed (at the end of every crawl) or
  when ``FLUSH_LINES`` have collected; a worker killed before that loses only log lines, never
  bytes or sidecars, and the crawl state can be rebuilt from the sidecars.
"""
from __future__ import annotations

import os
import socket
import threading
import uuid
from typing import Iterator

FLUSH_LINES = 1000          # log lines buffered per log key before they are written as one object


class ObjectStoreError(RuntimeError):
    """The object store cannot be used (library missing, bucket unreachable): says what to do."""


def writer_id() -> str:
    """A name for this process's log objects, unique across workers and runs."""
    given = os.environ.get("FOERDERRADAR_WRITER")
    if given:
        return given
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class S3Storage:
    """Raw store objects in an S3 bucket under a prefix (``s3://bucket/prefix``)."""

    def __init__(self, url: str, *, writer: str | None = None):
        try:
            import obstore  # noqa: F401
            from obstore.store import S3Store
        except ImportError:
            raise ObjectStoreError(
                "FOERDERRADAR_RAW points to S3 but obstore is not installed: "
                "pip install 'foerderradar[s3]'") from None
        if not url.startswith("s3://") or len(url) <= len("s3://"):
            raise ObjectStoreError(f"not an S3 URL: {url!r} (write s3://bucket/prefix)")
        options = {}
        endpoint = os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT") or ""
        if endpoint.startswith("http://"):
            options["allow_http"] = True
        self.url = url.rstrip("/")
        self.store = S3Store.from_url(self.url, client_options=options or None)
        self.writer = writer or writer_id()
        self._lock = threading.Lock()
        self._buffers: dict[str, list[str]] = {}
        self._seq = 0

    def __repr__(self) -> str:
        return f"S3Storage({self.url!r})"

    # -- the Storage protocol --------------------------------------------------------------
    def exists(self, key: str) -> bool:
        import obstore
        try:
            obstore.head(self.store, _checked(key))
            return True
        except FileNotFoundError:
            return False

    def write_atomic(self, key: str, data: bytes) -> None:
        """Create the object; an object already at this key is left as it is (keys are content
        addresses, so it holds the same bytes)."""
        import obstore
        from obstore.exceptions import AlreadyExistsError
        try:
            obstore.put(self.store, _checked(key), data, mode="create")
        except AlreadyExistsError:
            pass

    def read(self, key: str) -> bytes:
        import obstore
        return obstore.get(self.store, _checked(key)).bytes().to_bytes()

    def append_line(self, key: str, line: str) -> None:
        """Buffer a log line; it is written with the next :meth:`flush` as part of an object of
        its own under ``key`` without ``.jsonl``."""
        with self._lock:
            buf = self._buffers.setdefault(_checked(key), [])
            buf.append(line.rstrip("\n"))
            full = len(buf) >= FLUSH_LINES
        if full:
            self.flush()

    def list(self, prefix: str) -> Iterator[str]:
        import obstore
        prefix = _checked(prefix) if prefix else None
        paths = [meta["path"] for batch in obstore.list(self.store, prefix=prefix) for meta in batch]
        yield from sorted(paths)

    # -- beyond the protocol ---------------------------------------------------------------
    def flush(self) -> None:
        """Write every buffered log line, one object per log key."""
        import obstore
        with self._lock:
            buffers, self._buffers = self._buffers, {}
            parts = []
            for key, lines in buffers.items():
                self._seq += 1
                base = key[:-len(".jsonl")] if key.endswith(".jsonl") else key
                parts.append((f"{base}/{self.writer}-{self._seq:06d}.jsonl", lines))
        for part, lines in parts:
            obstore.put(self.store, part, ("\n".join(lines) + "\n").encode("utf-8"), mode="create")


def _checked(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or ".." in parts or "" in parts:
        raise ValueError(f"raw store key {key!r} is not a relative object path")
    return key
