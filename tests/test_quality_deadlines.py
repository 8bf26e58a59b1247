"""Deadline quality on the shared training and dev corpora, scored exactly like the release
(../shared/eval/score.py: the set of deadline dates per document). Keeps what issue #9 reached,
minus a small margin, so later rule changes cannot slide back unnoticed."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from extractors.fields import Extractor

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
MARGIN = 0.02
# reached on issue #9 (deadlines, P/R/F1): train 1.000/0.892/0.943, dev 1.0
FLOORS = {"train": 0.943 - MARGIN, "dev": 1.0 - MARGIN}

pytestmark = [pytest.mark.shared, pytest.mark.skipif(
    not (SHARED / "corpus" / "train").is_dir() or not (SHARED / "eval" / "score.py").is_file(),
    reason="../shared (corpus and scorer) not present")]


def _scorer():
    spec = importlib.util.spec_from_file_location("fr_shared_score", SHARED / "eval" / "score.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def ex():
    """The register is irrelevant to deadlines; without it the test runs anywhere."""
    return Extractor(gazetteer=None)


def _f1(ex, split: str, tmp_path: Path) -> float:
    """Deadline F1 of ``extract`` output on a corpus split, scored by the shared scorer. The texts
    are read in place and extracted as `foerderradar extract` does (no publication date given)."""
    corpus = SHARED / "corpus" / split
    pred = tmp_path / f"{split}.jsonl"
    with pred.open("w", encoding="utf-8") as fh:
        for p in sorted(corpus.glob("*.json")):
            rec = ex.extract_text(json.loads(p.read_text(encoding="utf-8"))["text"], source=f"{p.stem}.txt")
            fh.write(rec.model_dump_json() + "\n")
    result = _scorer().main(["score.py", str(corpus), str(pred), "--json"])
    return result["deadlines"]["f1"]


@pytest.mark.parametrize("split", ["train", "dev"])
def test_deadline_f1_does_not_slide_back(ex, split, tmp_path):
    f1 = _f1(ex, split, tmp_path)
    assert f1 >= FLOORS[split], f"deadlines F1 on {split}: {f1:.3f} < {FLOORS[split]:.3f}"

