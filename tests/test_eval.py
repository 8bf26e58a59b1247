"""``foerderradar eval`` on the project's gold set, and the scoring rules on hand-made predictions.

The field extractors are being built in parallel, so the scores on tests/gold are only checked for
shape and range here; the scoring logic itself is pinned down by unit tests of ``score_document``
(and compared with ../shared/eval/score.py where that is present).
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractors.evaluate import FIELDS, load_gold, muni_key, score_document
from extractors.parse import read_document

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "tests" / "gold"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("FOERDERRADAR_HOME", str(tmp_path / "home"))


def run(*args):
    from flows.cli import app

    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


# -- the gold set ----------------------------------------------------------------------------------

def test_gold_files_follow_the_guidelines():
    docs = load_gold(GOLD)
    assert len(docs) >= 5
    kinds = {d["kind"] for d in docs}
    assert {"ministry", "state-portal", "municipal", "press"} <= kinds
    for d in docs:
        g, text = d["gold"], d["text"]
        assert set(g) == {"programmes", "amounts", "deadlines", "municipalities"}
        for a in g["amounts"]:
            assert a["text"] in text and isinstance(a["eur"], int) and a["eur"] > 0
        for dl in g["deadlines"]:
            assert dl["text"] in text and len(dl["date"]) == 10
        for m in g["municipalities"]:
            assert m["name"] in text and (m["type"] is None or m["type"] in text)
        for p in g["programmes"]:
            assert p["name"] in text


def test_gold_texts_are_the_parsed_sample_files():
    """Gold text == what the parser makes of raw/sample (regenerate the gold text if parsing changes)."""
    for d in load_gold(GOLD):
        doc = read_document(REPO / d["source_file"])
        assert doc.text == d["text"], d["id"]
        assert str(doc.published) == d["published"] or doc.published is None


@pytest.mark.shared
def test_gold_texts_are_not_copied_from_shared():
    dev = SHARED / "corpus" / "dev"
    if not dev.is_dir():
        pytest.skip("../shared is not present")
    shared_texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in dev.glob("*.json")]
    for d in load_gold(GOLD):
        words = d["text"].split()
        for i in range(0, max(len(words) - 12, 1), 4):       # no 12-word run appears in a shared text
            shingle = " ".join(words[i:i + 12])
            assert not any(shingle in t for t in shared_texts), (d["id"], shingle)


# -- the command -----------------------------------------------------------------------------------

def test_eval_json_report_shape():
    result = run("eval", str(GOLD), "--json", "--no-gazetteer")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    docs = load_gold(GOLD)
    assert report["documents"] == len(docs)
    for f in FIELDS:
        s = report[f]
        for k in ("precision", "recall", "f1"):
            assert isinstance(s[k], float) and 0.0 <= s[k] <= 1.0
        assert all(isinstance(s[k], int) and s[k] >= 0 for k in ("tp", "fp", "fn"))
    # every gold item is either found or missed
    assert report["amounts"]["tp"] + report["amounts"]["fn"] == sum(
        len({a["eur"] for a in d["gold"]["amounts"]}) for d in docs)
    assert report["deadlines"]["tp"] + report["deadlines"]["fn"] == sum(
        len({x["date"] for x in d["gold"]["deadlines"]}) for d in docs)
    assert report["programmes"]["tp"] + report["programmes"]["fn"] == sum(len(d["gold"]["programmes"]) for d in docs)
    assert report["municipalities"]["tp"] + report["municipalities"]["fn"] == sum(
        len({muni_key(m["name"]) for m in d["gold"]["municipalities"]}) for d in docs)


def test_eval_text_report_and_errors(tmp_path):
    result = run("eval", str(GOLD), "--verbose", "--no-gazetteer")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["field", "P", "R", "F1"]
    assert [ln.split()[0] for ln in lines[1:5]] == list(FIELDS)
    assert f"documents {len(load_gold(GOLD))}" in result.stdout
    empty = tmp_path / "leer"
    empty.mkdir()
    result = run("eval", str(empty))
    assert result.exit_code == 1 and "no gold files" in result.stderr
    (empty / "kaputt.json").write_text("{nicht json")
    result = run("eval", str(empty))
    assert result.exit_code == 1 and "not a gold file" in result.stderr
    result = run("eval", str(tmp_path / "fehlt"))
    assert result.exit_code == 2


# -- scoring rules ---------------------------------------------------------------------------------

GOLD_DOC = {
    "programmes": [{"name": "Klimaresiliente Quartiere 2025", "aliases": ["Förderaufruf Klimaresiliente Quartiere"]},
                   {"name": "Zukunftsfähige Kommunen", "aliases": []},
                   {"name": "LEADER", "aliases": []}],
    "amounts": [{"text": "5.000 bis 20.000 Euro", "eur": 5000}, {"text": "5.000 bis 20.000 Euro", "eur": 20000},
                {"text": "45 Millionen Euro", "eur": 45000000}],
    "deadlines": [{"text": "bis zum 15. Mai 2025", "date": "2025-05-15"}],
    "municipalities": [{"name": "Ulm", "type": "Stadt"}, {"name": "Tübingen", "type": "Landkreis"},
                       {"name": "Neustadt an der Weinstraße", "type": None}, {"name": "Aachen", "type": "Stadt"}],
}


def _amount(v, low=None):
    return {"text": "x", "start": 0, "end": 1, "value_eur": v, "low_eur": low}


def test_amounts_as_value_sets_range_counts_twice():
    both = score_document(GOLD_DOC, {"amounts": [_amount(20000, 5000), _amount(5000), _amount(45000000.0),
                                                 _amount(45000000)]})
    assert both["amounts"][:3] == (3, 0, 0)           # a range is two amounts, repeats count once
    upper_only = score_document(GOLD_DOC, {"amounts": [_amount(20000, 5000), _amount(1234.6)]})
    assert upper_only["amounts"][:3] == (1, 1, 2)     # low_eur alone is not a second amount
    assert upper_only["amounts"][3] == [5000, 45000000] and upper_only["amounts"][4] == [1235]


def test_deadlines_as_date_sets():
    s = score_document(GOLD_DOC, {"deadlines": [{"date": "2025-05-15"}, {"date": "2025-05-15"}, {"date": None},
                                                {"date": "2025-06-01"}]})
    assert s["deadlines"][:3] == (1, 1, 0)


def test_programmes_exact_alias_and_containment():
    s = score_document(GOLD_DOC, {"programmes": [
        {"name": "„Klimaresiliente Quartiere 2025“"},      # exact after removing quotes
        {"name": "Bundesprogramm Zukunftsfähige Kommunen"},  # containment, shorter side has two words
        {"name": "Leader"},                                # exact, casefolded
    ]})
    assert s["programmes"][:3] == (3, 0, 0)
    s = score_document(GOLD_DOC, {"programmes": [{"name": "Förderaufruf Klimaresiliente Quartiere"}]})
    assert s["programmes"][:3] == (1, 0, 2)             # an alias matches exactly
    s = score_document(GOLD_DOC, {"programmes": [{"name": "Kommunen"}, {"name": "LEADER-Programm Region"}]})
    assert s["programmes"][:3] == (0, 2, 3)             # one-word containment does not count
    s = score_document(GOLD_DOC, {"programmes": [{"name": "Zukunftsfähige Kommunen"},
                                                 {"name": "Programm Zukunftsfähige Kommunen"}]})
    assert s["programmes"][:3] == (1, 1, 2)             # one to one


def test_municipalities_type_words_and_qualifiers():
    s = score_document(GOLD_DOC, {"municipalities": [
        {"name": "Stadt Ulm"}, {"name": "Landkreis Tübingen"}, {"name": "Neustadt"}, {"name": "Aachen, Stadt"},
        {"name": "Gemeinde Ammerbuch"},
    ]})
    assert s["municipalities"][:3] == (4, 1, 0)
    assert s["municipalities"][4] == ["ammerbuch"]
    assert muni_key("Landeshauptstadt Stuttgart") == "stuttgart"
    # note: casefold() turns "ß" into "ss", so "Große Kreisstadt" is not stripped here, nor in
    # ../shared/eval/score.py; extractors must emit bare names
    assert muni_key("Große Kreisstadt Freiberg") == "grosse kreisstadt freiberg"
    assert muni_key("Verden (Aller)") == "verden"


def _shared_scorer():
    """``../shared/eval/score.py`` as a module (skips where ../shared is absent)."""
    path = SHARED / "eval" / "score.py"
    if not path.exists():
        pytest.skip("../shared is not present")
    spec = importlib.util.spec_from_file_location("shared_score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.shared
def test_scoring_agrees_with_the_shared_scorer():
    mod = _shared_scorer()
    preds = [
        {"amounts": [_amount(20000, 5000), _amount(1234.6)], "deadlines": [{"date": "2025-05-15"}],
         "programmes": [{"name": "Kommunen"}, {"name": "Bundesprogramm Zukunftsfähige Kommunen"}],
         "municipalities": [{"name": "Stadt Ulm"}, {"name": "Neustadt"}, {"name": "Bonn"}]},
        {"programmes": [{"name": "Zukunftsfähige Kommunen"}, {"name": "Programm Zukunftsfähige Kommunen"}]},
    ]
    for pred in preds:
        ours = {f: v[:3] for f, v in score_document(GOLD_DOC, pred).items()}
        theirs = mod.score_doc(mod.gold_sets(GOLD_DOC), mod.pred_sets(pred))
        assert ours == theirs


# -- amount roles and municipality keys ----------------------------------------------------------

ROLE_GOLD = {
    "programmes": [],
    "amounts": [{"text": "insgesamt 2 Mio. Euro", "eur": 2000000, "role": "budget"},
                {"text": "bis zu 40.000 Euro", "eur": 40000, "role": "grant"},
                {"text": "12.500 Euro", "eur": 12500, "role": "award"}],
    "deadlines": [],
    "municipalities": [{"name": "Husum", "type": "Stadt", "ags": "01054056"},
                       {"name": "Nordfriesland", "type": "Kreis", "ags": "01054"},
                       {"name": "Neustadt", "type": None, "ags": None}],
}


def _role(v, role):
    return {"text": "x", "start": 0, "end": 1, "value_eur": v, "low_eur": None, "role": role}


ROLE_PREDS = [
    {"amounts": [_role(2000000, "budget"), _role(40000, "award"), _role(40000.4, "grant"),
                 _role(12500, None), _role(99, "other")],
     "municipalities": [{"name": "Husum", "ags": "01054056"}, {"name": "Neustadt", "ags": "07316000"},
                        {"name": "Bredstedt", "ags": None}]},
    {"amounts": [], "municipalities": []},
    {"amounts": [_role(2000000, "budget"), _role(40000, "grant"), _role(12500, "award")],
     "municipalities": [{"name": "Husum", "ags": "01054056"}, {"name": "Nordfriesland", "ags": "01054"}]},
]


def test_amount_roles_as_value_role_pairs():
    s = score_document(ROLE_GOLD, ROLE_PREDS[0])
    # (2 Mio, budget) and (40000, grant) found; (40000, award), (12500, None), (99, other) extra
    assert s["amount_roles"][:3] == (2, 3, 1)
    assert s["amounts"][:3] == (3, 1, 0)               # the values alone
    assert score_document(ROLE_GOLD, ROLE_PREDS[2])["amount_roles"][:3] == (3, 0, 0)


def test_municipality_keys_leave_out_null_gold_keys():
    s = score_document(ROLE_GOLD, ROLE_PREDS[0])
    assert s["municipality_ags"][:3] == (1, 1, 1)      # 07316000 extra, 01054 missed, null skipped
    assert score_document(ROLE_GOLD, ROLE_PREDS[2])["municipality_ags"][:3] == (2, 0, 0)


def test_extra_fields_only_where_the_gold_carries_them():
    without = {**ROLE_GOLD, "amounts": [{"text": "5 Euro", "eur": 5}, *ROLE_GOLD["amounts"]],
               "municipalities": [{"name": "Husum", "type": "Stadt"}]}
    s = score_document(without, ROLE_PREDS[0])
    assert "amount_roles" not in s and "municipality_ags" not in s
    s = score_document({**ROLE_GOLD, "amounts": [], "municipalities": []}, ROLE_PREDS[0])
    assert "amount_roles" not in s and "municipality_ags" not in s


def test_report_counts_extra_fields_per_scored_document():
    from extractors.evaluate import Report, format_report
    report = Report()
    report.add("a", score_document(ROLE_GOLD, ROLE_PREDS[0]))
    report.add("b", score_document(GOLD_DOC, ROLE_PREDS[1]))     # no roles or keys in this gold
    report.add("c", score_document(ROLE_GOLD, ROLE_PREDS[2]))
    d = report.as_dict()
    assert d["documents"] == 3
    assert d["amount_roles"]["documents"] == 2 and d["municipality_ags"]["documents"] == 2
    assert (d["amount_roles"]["tp"], d["amount_roles"]["fp"], d["amount_roles"]["fn"]) == (5, 3, 1)
    assert [ln.split()[0] for ln in format_report(report).splitlines()[1:7]] == [
        *FIELDS, "amount_roles", "municipality_ags"]


@pytest.mark.shared
def test_roles_and_keys_agree_with_the_shared_scorer(tmp_path):
    """The whole report, field by field, equals ../shared/eval/score.py's on a small gold set."""
    mod = _shared_scorer()
    from extractors.evaluate import Report
    golds = {"a": ROLE_GOLD, "b": GOLD_DOC, "c": ROLE_GOLD}
    preds = dict(zip(golds, ROLE_PREDS))
    report = Report()
    lines = []
    for doc_id, gold in golds.items():
        (tmp_path / f"{doc_id}.json").write_text(json.dumps({"id": doc_id, "text": "", "gold": gold}))
        lines.append(json.dumps({"source": f"/x/{doc_id}.txt", **preds[doc_id]}))
        report.add(doc_id, score_document(gold, preds[doc_id]))
        theirs = mod.score_doc(mod.gold_sets(gold), mod.pred_sets(preds[doc_id]))
        assert {f: v[:3] for f, v in score_document(gold, preds[doc_id]).items()} == theirs
    (tmp_path / "pred.jsonl").write_text("\n".join(lines) + "\n")
    theirs = mod.main(["score.py", str(tmp_path), str(tmp_path / "pred.jsonl"), "--json"])
    ours = report.as_dict()
    assert set(ours) == set(theirs) - {"missing_predictions"}
    for f in FIELDS + ("amount_roles", "municipality_ags"):
        for k in ("precision", "recall", "f1", "tp", "fp", "fn"):
            assert ours[f][k] == pytest.approx(theirs[f][k]), (f, k)
    assert ours["amount_roles"]["documents"] == theirs["amount_roles"]["documents"] == 2
