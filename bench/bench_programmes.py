"""Time the ``foerderradar_programmes`` component on a long German funding text.

usage: .venv/bin/python bench/bench_programmes.py [N | --quick]

Builds a ~1,500-word announcement from the project's own sentences, tokenises it once, and times
the component alone (the tokenizer is shared by all components and timed separately).
"""
from __future__ import annotations

import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.fields.pipeline import FIELDS, Context  # noqa: E402
from extractors.fields.text import TextIndex, prepare  # noqa: E402

PARAGRAPHS = [
    "Förderaufruf 2024\n\nMit dem Förderprogramm „Digitale Dörfer 2030“ unterstützt das Land kleine "
    "Gemeinden bei der Digitalisierung ihrer Verwaltung. Gefördert werden Vorhaben, die "
    "Bürgerinnen und Bürgern den Zugang zu Leistungen der Daseinsvorsorge erleichtern.",
    "Die Mittel stammen aus dem Europäischen Fonds für regionale Entwicklung (EFRE) und aus "
    "Landesmitteln. Antragsberechtigt sind Städte, Gemeinden und Landkreise sowie kommunale "
    "Zweckverbände, die ihren Sitz im Land haben.",
    "Über das Landesprogramm Zukunft Ländlicher Raum werden ergänzend Investitionen in die "
    "Nahversorgung gefördert. Die Förderquote beträgt bis zu 80 Prozent der zuwendungsfähigen "
    "Ausgaben, höchstens jedoch 250.000 Euro je Vorhaben.",
    "Anträge sind bis zum 30. September 2024 über das Förderportal einzureichen. Weitere "
    "Informationen zum Förderprogramm finden Sie auf den Seiten des Ministeriums. Bei Fragen "
    "wenden Sie sich bitte an die Bewilligungsstelle.",
    "Die Kommunen können das Programm mit Mitteln der Städtebauförderung, insbesondere aus den "
    "Programmen Lebendige Zentren und Sozialer Zusammenhalt, kombinieren. Eine Doppelförderung "
    "derselben Ausgaben ist ausgeschlossen.",
    "Im Rahmen des Wettbewerbs »Zukunftsregionen im Wandel« werden zusätzlich zehn Modellvorhaben "
    "ausgewählt, die ihre Ergebnisse anderen Regionen zur Verfügung stellen. Die Jury tagt im "
    "Herbst; die Preisverleihung findet auf der Fachkonferenz in Kassel statt.",
    "Die Digitalisierungsstrategie des Landes und das Onlinezugangsgesetz geben den Rahmen vor. "
    "Die Vorhaben sollen mit den Basisdiensten des Landes kompatibel sein und offene Standards "
    "verwenden, damit andere Kommunen sie nachnutzen können.",
]


def build_text(words: int = 1500) -> str:
    out, n, i = [], 0, 0
    while n < words:
        p = PARAGRAPHS[i % len(PARAGRAPHS)]
        out.append(p)
        n += len(p.split())
        i += 1
    return "\n\n".join(out)


def main(n: int = 300) -> None:
    from extractors.fields import Extractor

    ex = Extractor(gazetteer=None)
    text = build_text()
    comp = ex.nlp.get_pipe("foerderradar_programmes")

    def make():
        doc = ex.nlp.make_doc(prepare(text))
        doc._.fr_ctx = Context(text=text, index=TextIndex(text))
        doc._.fr = {f: [] for f in FIELDS}
        return doc

    doc = make()
    comp(doc)  # warm-up
    found = [p.name for p in doc._.fr["programmes"]]
    t_tok = min(timeit.repeat(lambda: ex.nlp.make_doc(prepare(text)), number=n, repeat=3)) / n
    docs = [make() for _ in range(n)]
    it = iter(docs)
    t_comp = min(timeit.repeat(lambda: comp(next(it)), number=n // 3, repeat=3)) / (n // 3)
    print(f"text: {len(text.split())} words, {len(text)} chars; programmes: {found}")
    print(f"tokenizer: {t_tok * 1000:.3f} ms   programmes component: {t_comp * 1000:.3f} ms per text")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(60 if "--quick" in args else int(args[0]) if args else 300)     # --quick: bench/run.py --quick
