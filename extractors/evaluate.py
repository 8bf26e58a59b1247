"""Score extraction against gold files (format: ../shared/eval/GUIDELINES.md).

Matching follows the guidelines and ../shared/eval/score.py: amounts as sets of whole-euro values,
deadlines as sets of ISO dates, municipalities as casefolded bare names (type words and register
qualifiers removed), programmes one to one by normalised name or alias, or containment where the
shorter side has at least two words; amount roles as sets of (whole euros, role) pairs and
municipality keys as sets of register keys, each only on the documents whose gold carries them.
Scores are micro-averaged over documents.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

FIELDS = ("amounts", "deadlines", "programmes", "municipalities")
# scored only on the documents whose gold carries them: every gold amount a ``role``, every gold
# municipality an ``ags`` key (gold items with a null key are left out)
EXTRA = ("amount_roles", "municipality_ags")

_TYPE_WORDS = ("landeshauptstadt", "kreisfreie stadt", "große kreisstadt", "hansestadt", "stadt",
               "gemeinde", "landkreis", "kreis", "regionalverband", "verbandsgemeinde",
               "samtgemeinde", "amt", "markt", "marktgemeinde", "ortsgemeinde")


def norm_name(s: str) -> str:
    s = unicodedata.normalize("NFKC", str(s)).casefold()
    s = re.sub(r"[\"'„“”‚‘’«»()]", " ", s)
    s = re.sub(r"[‐‑‒–—-]", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def muni_key(s: str) -> str:
    s = unicodedata.normalize("NFKC", str(s)).casefold().strip()
    s = re.sub(r"\s*\(.*?\)", "", s)
    s = s.split(",")[0].split("/")[0]
    s = re.sub(r"\s+(i\.|a\.|b\.|an der |am |im |in der |ob der |auf der |vor der ).*$", "", s)
    for w in _TYPE_WORDS:
        if s.startswith(w + " "):
            s = s[len(w) + 1:]
            break
    return re.sub(r"\s+", " ", s).strip()


def _prog_match(pred: str, names: list[str], exact: bool) -> bool:
    for n in names:
        if pred == n:
            return True
        if not exact:
            short, long_ = sorted((pred, n), key=len)
            if len(short.split()) >= 2 and short in long_:
                return True
    return False


@dataclass
class FieldScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    scores: dict[str, FieldScore] = field(default_factory=lambda: {f: FieldScore() for f in FIELDS})
    misses: list[str] = field(default_factory=list)
    documents: int = 0
    scored: dict[str, int] = field(default_factory=dict)   # EXTRA field -> documents scored on

    def add(self, doc_id: str, scores: dict[str, tuple[int, int, int, list, list]]) -> None:
        """Add one document's :func:`score_document` result."""
        self.documents += 1
        for f, (tp, fp, fn, missed, extra) in scores.items():
            if f in EXTRA:
                self.scored[f] = self.scored.get(f, 0) + 1
            s = self.scores.setdefault(f, FieldScore())
            s.tp += tp
            s.fp += fp
            s.fn += fn
            if missed or extra:
                self.misses.append(f"{doc_id} {f}: missed={missed} extra={extra}")

    def fields(self) -> list[tuple[str, FieldScore]]:
        """The scored fields in the order of the shared scorer."""
        return [(f, self.scores[f]) for f in FIELDS + EXTRA if f in self.scores]

    def as_dict(self) -> dict:
        out = {f: {"precision": s.precision, "recall": s.recall, "f1": s.f1, "tp": s.tp, "fp": s.fp,
                   "fn": s.fn} for f, s in self.fields()}
        for f, n in self.scored.items():
            out[f]["documents"] = n
        out["documents"] = self.documents
        return out


def score_document(gold: dict, pred: dict) -> dict[str, tuple[int, int, int, list, list]]:
    """Per field: (tp, fp, fn, missed, extra) for one document. ``pred`` is an Extraction dict."""
    out = {}
    g_am = {int(a["eur"]) for a in gold.get("amounts", [])}
    p_am = {int(round(float(a["value_eur"]))) for a in pred.get("amounts", []) if a.get("value_eur") is not None}
    g_dl = {d["date"] for d in gold.get("deadlines", [])}
    p_dl = {str(d["date"])[:10] for d in pred.get("deadlines", []) if d.get("date")}
    g_mu = {muni_key(m["name"]) for m in gold.get("municipalities", [])}
    p_mu = {muni_key(m["name"]) for m in pred.get("municipalities", []) if m.get("name")}
    for f, g, p in (("amounts", g_am, p_am), ("deadlines", g_dl, p_dl), ("municipalities", g_mu, p_mu)):
        out[f] = (len(g & p), len(p - g), len(g - p), sorted(g - p), sorted(p - g))
    golds = [[norm_name(p["name"])] + [norm_name(a) for a in p.get("aliases", [])]
             for p in gold.get("programmes", [])]
    preds = sorted({norm_name(p["name"]) for p in pred.get("programmes", []) if p.get("name")})
    used, tp, remaining = set(), 0, list(preds)
    for exact in (True, False):
        left = []
        for p in remaining:
            hit = next((i for i, names in enumerate(golds) if i not in used and _prog_match(p, names, exact)), None)
            if hit is None:
                left.append(p)
            else:
                used.add(hit)
                tp += 1
        remaining = left
    missed = [golds[i][0] for i in range(len(golds)) if i not in used]
    out["programmes"] = (tp, len(remaining), len(golds) - tp, missed, remaining)
    for f, (g, p) in _extra_sets(gold, pred).items():
        out[f] = (len(g & p), len(p - g), len(g - p), sorted(g - p, key=str), sorted(p - g, key=str))
    return out


def _extra_sets(gold: dict, pred: dict) -> dict[str, tuple[set, set]]:
    """(gold, predicted) sets of amount roles and municipality keys, for the fields the gold
    carries: (whole euros, role) pairs where every gold amount has a role; register keys where
    every gold municipality has an ``ags`` (null keys left out)."""
    out = {}
    amounts, munis = gold.get("amounts", []), gold.get("municipalities", [])
    if amounts and all("role" in a for a in amounts):
        out["amount_roles"] = ({(int(a["eur"]), a["role"]) for a in amounts},
                               {(int(round(float(a["value_eur"]))), a.get("role"))
                                for a in pred.get("amounts", []) if a.get("value_eur") is not None})
    if munis and all("ags" in m for m in munis):
        out["municipality_ags"] = ({str(m["ags"]) for m in munis if m.get("ags")},
                                   {str(m["ags"]) for m in pred.get("municipalities", [])
                                    if m.get("ags") not in (None, "")})
    return out


def load_gold(gold_dir: Path) -> list[dict]:
    files = sorted(Path(gold_dir).glob("*.json"))
    if not files:
        raise ValueError(f"{gold_dir}: no gold files (*.json) found")
    docs = []
    for f in files:
        try:
            d = json.loads(f.read_text(encoding="utf-8"))
            d["text"], d["gold"]  # noqa: B018 - validate the keys
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{f}: not a gold file ({exc.__class__.__name__}: {exc})") from None
        d.setdefault("id", f.stem)
        docs.append(d)
    return docs


def evaluate_dir(gold_dir: Path, gazetteer="auto", extractor=None) -> Report:
    from extractors.fields import Extractor

    docs = load_gold(gold_dir)
    extractor = extractor or Extractor(gazetteer=gazetteer)
    report = Report()
    for d in docs:
        pub = dt.date.fromisoformat(d["published"]) if d.get("published") else None
        rec = extractor.extract_text(d["text"], source=d["id"], published=pub)
        report.add(d["id"], score_document(d["gold"], json.loads(rec.model_dump_json())))
    return report


def format_report(report: Report, verbose: bool = False) -> str:
    lines = [f"{'field':16} {'P':>6} {'R':>6} {'F1':>6}   tp  fp  fn"]
    for f, s in report.fields():
        lines.append(f"{f:16} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.tp:4d}{s.fp:4d}{s.fn:4d}")
    lines.append(f"documents {report.documents}")
    if verbose and report.misses:
        lines.append("")
        lines.extend("  " + m for m in report.misses)
    return "\n".join(lines)
