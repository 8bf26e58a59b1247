"""Programme names on the shared training corpus, scored exactly like ``../shared/eval/score.py``.

Keeps the F1 reached in issue #9 (train: P 0.985, R 0.855, F1 0.915) from sliding back: the
floor is that minus 0.02. Skipped where ../shared is absent.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from extractors.fields import Extractor

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TRAIN_F1_FLOOR = 0.915 - 0.02
DEV_F1_FLOOR = 1.0 - 0.02


def _scorer():
    path = SHARED / "eval" / "score.py"
    if not path.is_file():
        pytest.skip("../shared/eval/score.py not available")
    spec = importlib.util.spec_from_file_location("shared_score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _programme_prf(split: str) -> tuple[float, float, float]:
    corpus = SHARED / "corpus" / split
    if not corpus.is_dir():
        pytest.skip(f"../shared/corpus/{split} not available")
    score = _scorer()
    ex = Extractor(gazetteer=None)        # programme names do not depend on the register
    tp = fp = fn = 0
    for p in sorted(corpus.glob("*.json")):
        doc = json.loads(p.read_text(encoding="utf-8"))
        pred = json.loads(ex.extract_text(doc["text"], source=p.stem).model_dump_json())
        a, b, c = score.score_doc(score.gold_sets(doc["gold"]), score.pred_sets(pred))["programmes"]
        tp, fp, fn = tp + a, fp + b, fn + c
    return score.prf(tp, fp, fn)


@pytest.mark.shared
def test_train_programmes_f1_does_not_slide_back():
    p, r, f1 = _programme_prf("train")
    assert f1 >= TRAIN_F1_FLOOR, f"programmes on train: P {p:.3f} R {r:.3f} F1 {f1:.3f} < {TRAIN_F1_FLOOR:.3f}"


@pytest.mark.shared
def test_dev_programmes_f1_does_not_slide_back():
    p, r, f1 = _programme_prf("dev")
    assert f1 >= DEV_F1_FLOOR, f"programmes on dev: P {p:.3f} R {r:.3f} F1 {f1:.3f} < {DEV_F1_FLOOR:.3f}"
