"""HTTP server of the demo site (work in progress)."""
from __future__ import annotations

import contextlib


@contextlib.contextmanager
def serve_demo_site(n_documents: int = 40, host: str = "127.0.0.1", port: int = 0, seed: int = 0,
                    changed=()):
    raise NotImplementedError("work in progress")
    yield ""
