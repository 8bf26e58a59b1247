"""Municipalities and their keys on the training corpus, scored exactly as the release is judged
(``../shared/eval/score.py``): the F1 reached must not slide back. Skipped without ../shared."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TRAIN = SHARED / "corpus" / "train"
SCORE = SHARED / "eval" / "score.py"
REGISTER = SHARED / "gazetteer" / "GV100AD_301123.txt"

# F1 reached on the training corpus (issue 9), minus a margin of 0.02
MIN_F1 = {"municipalities": 0.994 - 0.02, "municipality_ags": 0.989 - 0.02}

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def scores():
    if not (TRAIN.is_dir() and SCORE.exists() and REGISTER.exists()):
        pytest.skip("../shared (train corpus, score.py, register) not available")
    spec = importlib.util.spec_from_file_location("shared_score", SCORE)
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    from extractors.fields import Extractor
    from extractors.fields.gazetteer import Gazetteer

    ex = Extractor(gazetteer=Gazetteer.from_gv100ad(REGISTER))
    totals = {f: [0, 0, 0] for f in MIN_F1}
    for path in sorted(TRAIN.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        pred = json.loads(ex.extract_text(doc["text"], source=path.stem).model_dump_json())
        per_field = score.score_doc(score.gold_sets(doc["gold"]), score.pred_sets(pred))
        for f in MIN_F1:
            if f in per_field:
                for i, n in enumerate(per_field[f]):
                    totals[f][i] += n
    return {f: score.prf(*t) for f, t in totals.items()}


@pytest.mark.parametrize("field", sorted(MIN_F1))
def test_train_f1_does_not_slide_back(scores, field):
    precision, recall, f1 = scores[field]
    assert f1 >= MIN_F1[field], f"{field}: P {precision:.3f} R {recall:.3f} F1 {f1:.3f} < {MIN_F1[field]:.3f}"
