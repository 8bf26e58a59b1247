"""Extraction output over every corpus the project can read, for "same output before and after".

    python bench/extract_snapshot.py OUT.jsonl                 # write a snapshot
    python bench/extract_snapshot.py --compare A.jsonl B.jsonl # list the documents that differ

Corpora: raw/sample, the demo site's generated documents, ../shared/corpus/{dev,train} (texts of
the gold files) and the Förderdatenbank samples in ../shared/sites (where ../shared is present).
Each line: {"corpus", "id", "extraction"} with the extraction as `extract --format jsonl` gives it.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def documents():
    """(corpus, id, Document) for every readable corpus document."""
    from extractors.parse import parse_bytes, read_document
    from models.records import Document

    for p in sorted((REPO / "raw" / "sample").iterdir()):
        yield "sample", p.name, read_document(p)
    for split in ("dev", "train"):
        for p in sorted((SHARED / "corpus" / split).glob("*.json")):
            text = json.loads(p.read_text(encoding="utf-8"))["text"]
            yield split, p.stem, Document(source=p.stem, kind="txt", text=text)
    for p in sorted((SHARED / "sites").rglob("*")):
        if p.is_file() and p.suffix in (".html", ".xml"):
            yield "sites", str(p.relative_to(SHARED / "sites")), read_document(p)
    from extractors.demo.generator import generate
    for a in generate(60):
        yield "demo", a.path, parse_bytes(a.html().encode("utf-8"), source=a.path, content_type="text/html")


def snapshot(out: Path) -> None:
    from extractors.fields import Extractor

    ex = Extractor()
    with out.open("w", encoding="utf-8") as fh:
        for corpus, ident, doc in documents():
            rec = ex.extract(doc)
            data = json.loads(rec.model_dump_json())
            data.pop("extractor_version", None)
            fh.write(json.dumps({"corpus": corpus, "id": ident, "extraction": data},
                                ensure_ascii=False, sort_keys=True) + "\n")


def compare(a: Path, b: Path) -> int:
    def load(p):
        return {(r["corpus"], r["id"]): r["extraction"]
                for r in map(json.loads, p.read_text(encoding="utf-8").splitlines())}
    old, new = load(a), load(b)
    diff = [k for k in sorted(old.keys() | new.keys()) if old.get(k) != new.get(k)]
    for k in diff:
        print(f"differs: {k[0]}/{k[1]}")
        o, n = old.get(k) or {}, new.get(k) or {}
        for field in sorted(o.keys() | n.keys()):
            if o.get(field) != n.get(field):
                print(f"  {field}:\n    - {json.dumps(o.get(field), ensure_ascii=False)[:600]}"
                      f"\n    + {json.dumps(n.get(field), ensure_ascii=False)[:600]}")
    print(f"{len(old)} vs {len(new)} documents, {len(diff)} differ")
    return 1 if diff else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--compare"]:
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    snapshot(Path(sys.argv[1]))
