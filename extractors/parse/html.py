"""HTML (placeholder: plain get_text)."""
from __future__ import annotations

from bs4 import BeautifulSoup

from models.records import Document


def parse_html(data: bytes, source: str, content_type: str | None = None) -> Document:
    soup = BeautifulSoup(data, "lxml")
    for t in soup(["script", "style", "nav", "header", "footer"]):
        t.decompose()
    title = soup.title.get_text(strip=True) if soup.title else None
    return Document(source=source, kind="html", text=soup.get_text("\n"), title=title)
