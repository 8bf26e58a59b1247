"""The pipeline's tokenizer set-up and the Extractor's contract."""
import datetime as dt

import spacy

from extractors.fields import Extractor, build_nlp
from extractors.fields.pipeline import drop_whitespace_special_cases
from extractors.fields.text import TextIndex, prepare

TEXTS = [
    "Förderaufruf\n\nAnträge sind bis zum 31. März 2025 einzureichen.  Die Förderung beträgt\n"
    "bis zu 50\u00a0000 Euro je Vorhaben.\t(Stand: 12.01.2025)\n  • Gemeinde Breklum\n",
    "  führende   Leerzeichen\r\n\r\nund\u202fschmale\u00a0Zeichen   am Ende  ",
    "",
]


def test_whitespace_special_cases_do_not_change_tokens():
    default = spacy.blank("de")
    fast = spacy.blank("de")
    drop_whitespace_special_cases(fast)
    assert not [k for k in fast.tokenizer.rules if any(c.isspace() for c in k)]
    for text in TEXTS:
        for t in (text, prepare(text)):
            a = [(tok.text, tok.idx, tok.whitespace_) for tok in default.make_doc(t)]
            b = [(tok.text, tok.idx, tok.whitespace_) for tok in fast.make_doc(t)]
            assert a == b


def test_build_nlp_uses_the_fast_tokenizer_and_namespaced_components():
    nlp = build_nlp()
    assert nlp.pipe_names == ["foerderradar_amounts", "foerderradar_dates", "foerderradar_deadlines",
                              "foerderradar_programmes", "foerderradar_municipalities"]
    assert " " not in nlp.tokenizer.rules and "\n" not in nlp.tokenizer.rules


def test_prepare_keeps_length_and_offsets():
    for text in TEXTS:
        p = prepare(text)
        assert len(p) == len(text)
        assert all((a == b) or (a.isspace() and b == " ") for a, b in zip(text, p))


def test_sentences_do_not_end_at_ordinals_or_abbreviations():
    text = "Anträge bis zum 31. März 2025 einreichen, ca. 5 Mio. Euro. Neuer Satz hier."
    idx = TextIndex(text)
    s, e = idx.sentence(text.index("März"))
    assert text[s:e].startswith("Anträge") and text[s:e].rstrip().endswith("Euro.")
    s2, _ = idx.sentence(text.index("Neuer"))
    assert text[s2:].startswith("Neuer")


def test_extract_text_offsets_point_into_the_text():
    ex = Extractor(gazetteer=None)
    text = TEXTS[0]
    rec = ex.extract_text(text, source="t.txt", published=dt.date(2025, 1, 12))
    assert rec.amounts and rec.deadlines
    for item in [*rec.amounts, *rec.deadlines, *rec.dates, *rec.programmes, *rec.municipalities]:
        assert text[item.start:item.end] == item.text
    assert rec.deadlines[0].date == dt.date(2025, 3, 31)
    assert rec.amounts[0].value_eur == 50000
    assert rec.extractor_version
