"""Pure row mapping: one loaded item (raw record, parse, extraction, assembly) to the rows of
each warehouse table, keyed deterministically. No database access here (see ``loader.py``)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

from extractors.version import EXTRACTOR_VERSION
from models.records import Document, Extraction

from .assemble import Assembly, snippet

CENT = Decimal("0.01")


@dataclass
class LoadItem:
    """One document to load: its raw record (None when loaded from a file), parse and extraction."""
    raw: Any | None                 # extractors.rawstore.RawRecord (duck-typed)
    document: Document
    extraction: Extraction
    failure: str | None = None      # why parsing or extraction failed (loaded all the same)


@dataclass
class LoadStats:
    run_id: str
    items: int = 0
    new_documents: int = 0
    new_versions: int = 0
    reextracted: int = 0
    unchanged: int = 0
    failed: int = 0
    changes: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def loaded(self) -> int:
        return self.new_documents + self.new_versions + self.reextracted


def _h(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _ts(value) -> dt.datetime | None:
    """ISO string / datetime -> naive UTC datetime."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        d = value
    else:
        try:
            d = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    if d.tzinfo is not None:
        d = d.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return d


def _eur(v: Decimal | None) -> Decimal | None:
    if v is None:
        return None
    try:
        return Decimal(v).quantize(CENT)
    except Exception:
        return None


def _get(obj, name):
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    return getattr(obj, name, None)


def _item_keys(item: LoadItem) -> tuple[str, str, str, str]:
    """(url, sha256, extractor_version, source) of a load item."""
    doc, ex, raw = item.document, item.extraction, item.raw
    url = _get(raw, "url") or doc.source or ex.source
    if not url:
        raise ValueError("no url: neither raw record nor document source")
    sha = (_get(raw, "sha256") or ex.sha256 or doc.sha256
           or hashlib.sha256((doc.text or "").encode("utf-8")).hexdigest())
    ev = ex.extractor_version or EXTRACTOR_VERSION
    source = _get(raw, "source")
    if not source:
        parsed = urlparse(url)
        source = parsed.hostname or (parsed.scheme if parsed.scheme not in ("", "file") else "file")
    return url, sha, ev, source


def document_rows(run_id, now, item: LoadItem, asm: Assembly, *, url, sha, ev, source,
          document_id, version_id, extraction_id, version_no, kind_of_load,
          previous_version_id) -> dict[str, list[dict]]:
    doc, ex, raw = item.document, item.extraction, item.raw
    out: dict[str, list[dict]] = {}
    if kind_of_load != "reextracted":
        out["document_versions"] = [{
            "version_id": version_id, "document_id": document_id, "version": version_no,
            "url": url, "final_url": _get(raw, "final_url"), "sha256": sha,
            "kind": doc.kind, "content_type": _get(raw, "content_type"),
            "title": ex.title or doc.title, "published": ex.published or doc.published,
            "fetched_at": _ts(_get(raw, "fetched_at")), "raw_path": _get(raw, "path"),
            "text": doc.text, "text_length": len(doc.text or ""),
            "sections": json.dumps([s.model_dump() for s in doc.sections], ensure_ascii=False),
            "fields": json.dumps(doc.fields, default=str, ensure_ascii=False),
            "parse_errors": list(doc.errors),
            "previous_version_id": previous_version_id if kind_of_load == "new_version" else None,
            "run_id": run_id, "loaded_at": now}]
    main_pid = asm.programmes[asm.main].programme_id if asm.main is not None else None
    out["extractions"] = [{
        "extraction_id": extraction_id, "version_id": version_id, "document_id": document_id,
        "url": url, "sha256": sha, "extractor_version": ev, "published": ex.published,
        "errors": list(ex.errors), "main_programme_id": main_pid, "run_id": run_id,
        "loaded_at": now, **stated_land(source, doc.text, doc.land)}]
    common = {"extraction_id": extraction_id, "version_id": version_id,
              "document_id": document_id, "extractor_version": ev, "run_id": run_id}
    record_ids: dict[int | None, str] = {}
    records, mentions = [], []
    progs = asm.programmes or []
    slots: list[int | None] = list(range(len(progs))) or [None]
    for i in slots:
        rid = f"{extraction_id}:r{0 if i is None else i}"
        record_ids[i] = rid
        vals = asm.values_of(i)
        dp = progs[i] if i is not None else None
        records.append({
            "record_id": rid, **common, "programme_id": dp.programme_id if dp else None,
            "programme_name": dp.name if dp else None, "is_main": i == asm.main,
            "mentions": len(dp.mentions) if dp and not dp.inferred else 0,
            "n_amounts": len(vals["amounts"]), "n_deadlines": len(vals["deadlines"]),
            "n_dates": len(vals["dates"]), "n_municipalities": len(vals["municipalities"])})
        if dp:
            for j, m in enumerate(dp.mentions):
                mentions.append({
                    "mention_id": f"{rid}:m{j}", "record_id": rid, **common,
                    "programme_id": dp.programme_id, "name": m.name, "aliases": list(m.aliases),
                    "inferred": dp.inferred, "span_text": m.text,
                    "span_start": m.start if not dp.inferred or m.end > m.start else None,
                    "span_end": m.end if not dp.inferred or m.end > m.start else None,
                    "snippet": asm.mention_snippets.get(id(m)), "rule": m.rule})
    out["records"] = records
    out["programme_mentions"] = mentions

    def base(a, n, prefix):
        pid = progs[a.programme].programme_id if a.programme is not None else None
        v = a.value
        return {f"{prefix}_id": f"{extraction_id}:{prefix[0]}{n}",
                "record_id": record_ids.get(a.programme, record_ids[slots[0]]), **common,
                "programme_id": pid, "attached_by": a.attached_by, "span_text": v.text,
                "span_start": v.start, "span_end": v.end, "snippet": a.snippet,
                "rule": v.rule}

    out["amounts"] = [{**base(a, n, "amount"), "value_eur": _eur(a.value.value_eur),
                       "low_eur": _eur(a.value.low_eur), "qualifier": a.value.qualifier,
                       "unit": a.value.unit, "role": a.role}
                      for n, a in enumerate(asm.amounts)]
    out["deadlines"] = [{**base(a, n, "deadline"), "date": a.value.date, "kind": a.value.kind,
                         "granularity": a.value.granularity, "time": a.value.time,
                         "subject": a.value.subject, "duration": a.value.duration,
                         "cue": a.value.cue} for n, a in enumerate(asm.deadlines)]
    out["dates"] = [{**base(a, n, "date"), "date": a.value.date, "date_end": a.value.date_end,
                     "granularity": a.value.granularity, "kind": a.value.kind,
                     "time": a.value.time} for n, a in enumerate(asm.dates)]
    out["municipality_mentions"] = [{**base(a, n, "mention"), "name": a.value.name,
                                     "type": a.value.type, "ags": a.value.ags,
                                     "candidates": a.value.candidates}
                                    for n, a in enumerate(asm.municipalities)]
    out["applicants"] = applicant_rows(doc, ex, common)
    return out


def stated_land(source: str, text: str | None, land: str | None = None) -> dict:
    """{"land", "land_from"}: the Land (2-digit code) the document carries from its source
    (``Document.land``: the source's ``land`` option, a Förderdatenbank Fördergebiet), else the
    one the source class names (``land``), else the one the text names as a state; both None
    where none does."""
    from extractors.fields.laender import land_code, land_in_text
    from extractors.sources import UnknownSourceError, source_class
    if land:
        return {"land": land, "land_from": "source"}
    try:
        code = land_code(getattr(source_class(source), "land", None))
    except UnknownSourceError:      # loaded from files or a host without a source module
        code = None
    if code:
        return {"land": code, "land_from": "source"}
    code = land_in_text(text)
    return {"land": code, "land_from": "text" if code else None}


def applicant_rows(doc: Document, ex: Extraction, common: dict) -> list[dict]:
    """Applicant types: those the text states (with span and snippet), then the Förderdatenbank's
    Förderberechtigte mapped onto the same vocabulary."""
    from extractors.fields.applicant_words import fdb_types
    rows = []
    index = None
    for a in ex.applicants:
        if index is None:
            from extractors.fields.text import TextIndex
            index = TextIndex(doc.text)
        rows.append({"type": a.type, "origin": "text", "span_text": a.text, "span_start": a.start,
                     "span_end": a.end, "snippet": snippet(doc.text, index, a.start, a.end)})
    labels = doc.fields.get("Förderberechtigte") if isinstance(doc.fields, dict) else None
    if isinstance(labels, str):
        labels = [labels]
    for t in fdb_types(labels):
        rows.append({"type": t, "origin": "fdb", "span_text": None, "span_start": None,
                     "span_end": None, "snippet": None})
    return [{"applicant_id": f"{common['extraction_id']}:a{n}", **common, **r}
            for n, r in enumerate(rows)]

