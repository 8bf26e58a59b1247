"""PDF (placeholder)."""
from __future__ import annotations

import io

import pdfplumber

from models.records import Document


def parse_pdf(data: bytes, source: str) -> Document:
    parts = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            parts.append(page.extract_text() or "")
            page.close()
    return Document(source=source, kind="pdf", text="\n\n".join(parts))
