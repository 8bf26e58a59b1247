"""Decoding bytes to text when the declared charset may be wrong or missing.

Order of evidence: a byte-order mark; then valid UTF-8 (a byte string with multi-byte sequences
that decodes as strict UTF-8 is UTF-8 whatever a page claims: German pages declaring ISO-8859-1
but served in UTF-8 are common); then the declared charset (HTTP ``Content-Type``, then
``<meta charset>`` / ``<?xml encoding>``) when it decodes without errors; then charset-normalizer;
finally windows-1252, which never fails and is right for most German legacy pages.
"""
from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)
_XML_ENCODING = re.compile(rb"<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)", re.I)
# WHATWG: browsers decode these labels as windows-1252, and so do we.
_ALIASES = {"iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
            "us-ascii": "cp1252", "ascii": "cp1252", "l1": "cp1252"}
# Encodings charset-normalizer may return that are plausible for German text.
PLAUSIBLE = frozenset({"utf_8", "cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "cp850",
                       "cp437", "mac_roman", "utf_16", "utf_32", "utf_16_le", "utf_16_be"})
SNIFF_BYTES = 4096


def _lookup(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def declared_charsets(data: bytes, content_type: str | None = None) -> list[str]:
    out = []
    if content_type:
        m = _CT_CHARSET.search(content_type)
        if m:
            out.append(m.group(1))
    head = data[:SNIFF_BYTES]
    for rx in (_META_CHARSET, _XML_ENCODING):
        m = rx.search(head)
        if m:
            out.append(m.group(1).decode("ascii", "ignore"))
    return [e for e in (_lookup(x) for x in out) if e]


def decode(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, encoding used)."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    if data.isascii():
        return data.decode("ascii"), "ascii"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for enc in declared_charsets(data, content_type):
        if enc in ("utf-8", "utf-16", "utf-32"):
            continue            # already known not to fit
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding in PLAUSIBLE:
            return data.decode(best.encoding, errors="replace"), best.encoding
    except Exception:  # noqa: BLE001 - detection is best effort; cp1252 below never fails
        pass
    return data.decode("cp1252", errors="replace"), "cp1252"
