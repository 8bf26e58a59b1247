"""The municipal register (placeholder until the register issue lands)."""
from __future__ import annotations


class Gazetteer:
    @classmethod
    def load_default(cls):
        return None
