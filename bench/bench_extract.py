"""Parse and extraction speed on one core: text, HTML page and PDF pages to fields.

usage: .venv/bin/python bench/bench_extract.py [--quick]

Measures (targets from the issue in brackets):
- pipeline load time (Extractor without and with the municipal register, if one is loaded);
- text -> fields for a ~1,500-word German text built from raw/sample, median after warm-up [<= 5 ms],
  with the bare tokenizer and every component on its own for comparison;
- HTML page -> fields (parse + extract) for a generated ~40 KB portal page [<= 12 ms];
- PDF pages per second on a generated 50-page PDF, pdfplumber [>= 14/s] and pdfium [>= 200/s];
- peak memory of the pdfplumber parse at 10 vs 50 pages (tracemalloc) [flat].

Run through ``bench/run.py`` (``make bench``), which collects the numbers; with
FOERDERRADAR_BENCH_JSON set, the results are also written there as JSON.
"""
from __future__ import annotations

import gc
import io
import json
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "raw" / "sample"
TARGET_WORDS = 1500
HTML_BYTES = 40_000
PDF_PAGES = 50
SEED = 20250301


def pin_one_core() -> str:
    try:
        cpu = sorted(os.sched_getaffinity(0))[-1]
        os.sched_setaffinity(0, {cpu})
        return f"cpu {cpu}"
    except (AttributeError, OSError):
        return "not pinned"


def median_ms(fn, runs: int, warmup: int = 5) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def sample_paragraphs() -> list[str]:
    from extractors.parse import read_document

    paras = []
    for p in sorted(SAMPLE.iterdir()):
        if p.suffix in (".txt", ".html"):
            paras += [x for x in read_document(p).text.split("\n\n") if len(x.split()) > 3]
    return paras


def build_text(words: int = TARGET_WORDS) -> str:
    rng = random.Random(SEED)
    paras = sample_paragraphs()
    out, n = [], 0
    while n < words:
        batch = paras[:]
        rng.shuffle(batch)
        for p in batch:
            out.append(p)
            n += len(p.split())
            if n >= words:
                break
    return "\n\n".join(out)


def real_text(words: int = TARGET_WORDS) -> str | None:
    """~1,500 words of real announcements from ../shared/corpus/dev (read in place, never copied),
    or None where ../shared is absent. Real text matters: abbreviations like "ca." change how
    spaCy's tokenizer caches, which a synthetic text can hide."""
    corpus = ROOT.parent / "shared" / "corpus" / "dev"
    files = sorted(corpus.glob("*.json")) if corpus.is_dir() else []
    paras = [p for f in files for p in json.loads(f.read_text(encoding="utf-8"))["text"].split("\n\n") if p.strip()]
    if not paras:
        return None
    out, n = [], 0
    while n < words:
        p = paras[len(out) % len(paras)]
        out.append(p)
        n += len(p.split())
    return "\n\n".join(out)


def build_html(size: int = HTML_BYTES, content_words: int = 1200) -> bytes:
    """A state-portal page of ``size`` bytes with ~``content_words`` words of content: the rest is
    what real portals carry (mega menu, cookie banner, breadcrumbs, sidebar, footer sitemap,
    inline scripts and styles)."""
    rng = random.Random(SEED)
    base = (SAMPLE / "landesportal_nahversorgung_im_dorf.html").read_text(encoding="utf-8")
    paras = sample_paragraphs()
    extra, words = [], len(base.split())
    while words < content_words:
        p = rng.choice(paras)
        extra.append(f"<h3>Hinweis {len(extra) + 1}</h3><p>{p}</p>" if len(extra) % 4 == 0 else f"<p>{p}</p>")
        words += len(p.split())
    html = base.replace("</article>", "".join(extra) + "</article>")
    script = "<script>var cfg = {" + ",".join(f'"k{i}": "{i * 7}"' for i in range(150)) + "};</script>"
    style = "<style>" + "".join(f".c{i}{{margin:{i}px;padding:{i % 7}px}}" for i in range(100)) + "</style>"
    html = html.replace("</head>", script + style + "</head>")
    items, i = [], 0
    while len(html.encode()) + sum(len(x) for x in items) < size:
        items.append(f'<li class="nav-item"><a href="/bereich/{i // 8}/thema-{i % 8}">Themenbereich {i // 8}.{i % 8} '
                     f'Förderung und Beratung</a></li>')
        i += 1
    half = len(items) // 2
    mega = f'<nav class="mega-menu" aria-label="Hauptmenü"><ul>{"".join(items[:half])}</ul></nav>'
    sitemap = f'<div class="footer-sitemap"><ul>{"".join(items[half:])}</ul></div>'
    html = html.replace('<header class="site-header">', '<header class="site-header">' + mega)
    html = html.replace('<footer class="site-footer">', '<footer class="site-footer">' + sitemap)
    return html.encode("utf-8")


def build_pdf(pages: int) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table, TableStyle

    rng = random.Random(SEED)
    paras = sample_paragraphs()
    styles = getSampleStyleSheet()
    story = []
    for n in range(pages):
        story.append(Paragraph(f"{n + 1}. Abschnitt der Förderrichtlinie", styles["Heading2"]))
        for _ in range(5):
            story.append(Paragraph(rng.choice(paras).replace("\n", "<br/>").replace("&", "&amp;"), styles["BodyText"]))
        if n % 2 == 0:
            t = Table([["Maßnahme", "Fördersatz", "Höchstbetrag"], ["Barrierefreiheit", "60 %", "40.000 €"],
                       ["Wärmedämmung", "50 %", "25.000 €"]])
            t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
            story.append(t)
        story.append(PageBreak())
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    return buf.getvalue()


def result(name, value, unit, target=None, better="lower", note=""):
    ok = None
    if target is not None and value is not None:
        ok = value <= target if better == "lower" else value >= target
    return {"name": name, "value": round(value, 3) if value is not None else None, "unit": unit,
            "target": target, "better": better, "ok": ok, "note": note}


def bench_text(runs: int) -> tuple[list[dict], object]:
    from extractors.fields import Extractor
    from extractors.fields.pipeline import FIELDS, Context
    from extractors.fields.text import TextIndex, prepare

    out = []
    t = time.perf_counter()
    ex = Extractor(gazetteer=None)
    out.append(result("pipeline load (no register)", (time.perf_counter() - t) * 1000, "ms"))
    ex_reg = None
    try:
        t = time.perf_counter()
        ex_reg = Extractor(gazetteer="auto")
        note = "register loaded" if ex_reg.gazetteer is not None else "no register loaded in FOERDERRADAR_HOME"
        out.append(result("pipeline load (register auto)", (time.perf_counter() - t) * 1000, "ms", note=note))
    except Exception as exc:  # noqa: BLE001 - a component under construction must not stop the bench
        out.append(result("pipeline load (register auto)", None, "ms", note=f"failed: {type(exc).__name__}"))

    text = build_text()
    words = len(text.split())
    prepared = prepare(text)
    tok = median_ms(lambda: ex.nlp.make_doc(prepared), runs)
    out.append(result(f"tokenizer only ({words} words)", tok, "ms", note="the pipeline's tokenizer alone"))
    full = median_ms(lambda: ex.extract_text(text), runs)
    out.append(result(f"text -> fields ({words} words)", full, "ms", 5.0))
    real = real_text()
    if real:
        rw = len(real.split())
        out.append(result(f"text -> fields, real announcements ({rw} words)", median_ms(lambda: ex.extract_text(real), runs),
                          "ms", 5.0, note="../shared/corpus/dev texts, read in place"))
        out.append(result(f"tokenizer only, real announcements ({rw} words)", median_ms(lambda: ex.nlp.make_doc(prepare(real)), runs),
                          "ms"))
    if ex_reg is not None and ex_reg.gazetteer is not None:
        with_reg = median_ms(lambda: ex_reg.extract_text(text), runs)
        out.append(result(f"text -> fields, full register ({words} words)", with_reg, "ms"))
        out.append(result("register / no register", with_reg / full, "x", 1.5,
                          note="the register may cost at most 1.5x"))
    import spacy
    default_nlp = spacy.blank("de")
    out.append(result(f"tokenizer, spaCy defaults ({words} words)", median_ms(lambda: default_nlp.make_doc(prepared), runs),
                      "ms", note="with the special cases the pipeline drops"))
    # each component alone, on a document that went through the components before it
    for name, proc in ex.nlp.pipeline:
        def one(name=name, proc=proc):
            ctx = Context(text=text, index=TextIndex(text))
            doc = ex.nlp.make_doc(prepared)
            doc._.fr_ctx = ctx
            doc._.fr = {f: [] for f in FIELDS}
            for n2, p2 in ex.nlp.pipeline:
                if n2 == name:
                    break
                doc = p2(doc)
            return ctx, doc

        def timed(proc=proc, one=one):
            ctx, doc = one()
            t0 = time.perf_counter()
            proc(doc)
            return time.perf_counter() - t0

        for _ in range(3):
            timed()
        ms = statistics.median(timed() for _ in range(max(runs // 2, 10))) * 1000
        out.append(result(f"  component {name}", ms, "ms"))
    return out, ex


def bench_html(ex, runs: int) -> list[dict]:
    from extractors.parse.html import parse_html

    data = build_html()
    doc = parse_html(data, "bench.html")
    out = [result(f"HTML parse only ({len(data) // 1000} KB)", median_ms(lambda: parse_html(data, "bench.html"), runs),
                  "ms", note=f"text {len(doc.text.split())} words")]
    full = median_ms(lambda: ex.extract(parse_html(data, "bench.html")), runs)
    out.append(result(f"HTML page -> fields ({len(data) // 1000} KB)", full, "ms", 12.0))
    return out


def bench_pdf(quick: bool) -> list[dict]:
    from extractors.parse.pdf import parse_pdf

    out = []
    pdf50 = build_pdf(PDF_PAGES)
    pdf10 = build_pdf(10)
    for backend, target, reps in (("pdfplumber", 14.0, 1 if quick else 2), ("pdfium", 200.0, 3 if quick else 5)):
        times = []
        for _ in range(reps):
            gc.collect()
            t = time.perf_counter()
            doc = parse_pdf(pdf50, "bench.pdf", backend=backend)
            times.append(time.perf_counter() - t)
        assert len(doc.sections) == PDF_PAGES, (backend, len(doc.sections))
        out.append(result(f"PDF pages/s {backend} ({PDF_PAGES} pages)", PDF_PAGES / min(times), "pages/s", target,
                          better="higher", note=f"{len(doc.tables)} tables" if doc.tables else ""))
    peaks = {}
    for n, data in ((10, pdf10), (PDF_PAGES, pdf50)):
        gc.collect()
        tracemalloc.start()
        parse_pdf(data, "bench.pdf", backend="pdfplumber")
        peaks[n] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    ratio = peaks[PDF_PAGES] / peaks[10]
    out.append(result("PDF peak memory, 10 pages", peaks[10], "MiB", note="pdfplumber, tracemalloc"))
    out.append(result(f"PDF peak memory, {PDF_PAGES} pages", peaks[PDF_PAGES], "MiB", note="pdfplumber, tracemalloc"))
    out.append(result(f"PDF memory ratio {PDF_PAGES}/10 pages", ratio, "x", 1.5,
                      note="flat = close to 1 (the text itself grows with the pages)"))
    return out


def components_present() -> dict[str, int]:
    """Lines of code per field module: shows which components existed when this was measured."""
    fields = ROOT / "extractors" / "fields"
    return {p.stem: sum(1 for _ in p.open(encoding="utf-8"))
            for p in sorted(fields.glob("*.py")) if p.stem in ("amounts", "dates", "deadlines", "programmes",
                                                                "municipalities")}


def run(quick: bool = False) -> list[dict]:
    core = pin_one_core()
    runs = 30 if quick else 100
    text_results, ex = bench_text(runs)
    res = text_results + bench_html(ex, runs) + bench_pdf(quick)
    res.append(result("setup", None, "", note=f"one core ({core}); components (lines): {components_present()}"))
    return res


def main() -> None:
    res = run(quick="--quick" in sys.argv)
    for r in res:
        val = "" if r["value"] is None else f"{r['value']:.3f} {r['unit']}"
        tgt = "" if r["target"] is None else ("≤ " if r["better"] == "lower" else "≥ ") + f"{r['target']:g}"
        flag = "" if r["ok"] is None else ("ok" if r["ok"] else "MISSED")
        print(f"{r['name']:44} {val:>18} {tgt:>8} {flag:>6}  {r['note']}")
    dest = os.environ.get("FOERDERRADAR_BENCH_JSON")
    if dest:
        Path(dest).write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
