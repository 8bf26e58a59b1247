"""The pipeline's tokenizer set-up and the Extractor's contract."""
import datetime as dt

import spacy

from extractors.fields import Extractor, build_nlp
from extractors.fields.pipeline import drop_special_cases
from extractors.fields.text import TextIndex, prepare

TEXTS = [
    "Förderaufruf\n\nAnträge sind bis zum 31. März 2025 einzureichen.  Die Förderung beträgt\n"
    "bis zu 50\u00a0000 Euro je Vorhaben.\t(Stand: 12.01.2025)\n  • Gemeinde Breklum\n",
    "  führende   Leerzeichen\r\n\r\nund\u202fschmale\u00a0Zeichen   am Ende  ",
    "",
]


def test_without_special_cases_whitespace_tokens_are_unchanged():
    default = spacy.blank("de")
    fast = spacy.blank("de")
    drop_special_cases(fast)
    assert fast.tokenizer.rules == {}
    for text in TEXTS:
        for t in (text, prepare(text)):
            a = [(tok.text, tok.idx, tok.whitespace_) for tok in default.make_doc(t)]
            b = [(tok.text, tok.idx, tok.whitespace_) for tok in fast.make_doc(t)]
            assert a == b
            assert fast.make_doc(t).text == t


ABBREVIATED = (
    "Pressemitteilung vom 12.03.2024\n\nDas Land stellt ca. 4,5 Mio. Euro bzw. rund 1,5 Mio. € "
    "jährlich bereit, u.a. für Vereine, z.B. Sportvereine (vgl. Nr. 3 der Richtlinie). Anträge "
    "sind bis zum 30. Juni 2024 einzureichen; Projektskizzen bis 15.5. d. J. Die Stadt Soest und "
    "der Landkreis Emsland beteiligen sich am Förderprogramm „Sport vor Ort“ u. a. mit "
    "Eigenmitteln i.H.v. 50.000 EUR."
)


def test_abbreviations_only_split_and_fields_do_not_depend_on_them():
    """Dropping the special cases splits "ca." into "ca" "." and changes no extracted field."""
    default = spacy.blank("de")
    fast = spacy.blank("de")
    drop_special_cases(fast)
    a = [t.text for t in default.make_doc(ABBREVIATED)]
    b = [t.text for t in fast.make_doc(ABBREVIATED)]
    assert "ca." in a and "ca." not in b and "ca" in b
    ours = Extractor(gazetteer=None)
    with_specials = Extractor(gazetteer=None)
    with_specials.nlp.tokenizer.rules = default.tokenizer.rules
    got = ours.extract_text(ABBREVIATED, source="a.txt")
    ref = with_specials.extract_text(ABBREVIATED, source="a.txt")
    assert got.model_dump() == ref.model_dump()
    assert {int(x.value_eur) for x in got.amounts} >= {4_500_000, 1_500_000, 50_000}
    assert [str(d.date) for d in got.deadlines][:1] == ["2024-06-30"]


def test_build_nlp_uses_the_fast_tokenizer_and_namespaced_components():
    nlp = build_nlp()
    assert nlp.pipe_names == ["foerderradar_amounts", "foerderradar_dates", "foerderradar_deadlines",
                              "foerderradar_programmes", "foerderradar_municipalities",
                              "foerderradar_applicants"]
    assert nlp.tokenizer.rules == {}


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


def test_context_is_immutable_and_carries_the_folded_text():
    import dataclasses

    import pytest

    from extractors.fields.pipeline import Context

    ctx = Context(text="Stand: 12.03.2024 – ANTRÄGE")
    assert ctx.folded == "stand: 12.03.2024 – anträge" and len(ctx.folded) == len(ctx.text)
    assert ctx.index.text == ctx.text
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.published = dt.date(2024, 1, 1)


def test_publication_date_found_in_the_text_is_passed_on_not_written_back():
    """The dates component returns the publication date it finds; the deadlines after it see it
    (an annual deadline's next occurrence), and the caller's date wins over it."""
    from extractors.fields.pipeline import Context

    ex = Extractor(gazetteer=None)
    text = "Stand: 12.03.2024\n\nAnträge sind jährlich bis zum 30.09. einzureichen."
    doc, ctx = ex.run(text)
    assert ctx.published == dt.date(2024, 3, 12)
    assert isinstance(ctx, Context)
    rec = ex.extract_text(text)
    assert rec.published == dt.date(2024, 3, 12)
    assert [(d.kind, d.date) for d in rec.deadlines] == [("fristJaehrlich", dt.date(2024, 9, 30))]
    given = ex.extract_text(text, published=dt.date(2024, 10, 15))
    assert given.published == dt.date(2024, 10, 15)
    assert [d.date for d in given.deadlines] == [dt.date(2025, 9, 30)]


def test_text_structure_clause_distance_and_asides():
    from extractors.fields.text import cue_distance, in_aside, sentence_bounds

    text = "Die Laufzeit endet 2024. Anträge sind bis zum 1. März einzureichen."
    idx = TextIndex(text)
    s0, s1 = sentence_bounds(idx, text.index("1. März"), text.index("1. März") + 7)
    assert text[s0:s1].startswith("Anträge")
    plain = "bis zum 31. März einzureichen"
    aside = "bis zum 31. März (Eingang beim Amt) einzureichen"
    d = plain.index("31. März")
    # the parenthetical counts as nothing but the space around it
    assert cue_distance(aside, d, d + 8, aside.index("einz"), len(aside)) == \
        cue_distance(plain, d, d + 8, plain.index("einz"), len(plain)) + 1
    commas = "31. März, dann einzureichen"
    assert cue_distance(commas, 0, 8, commas.index("einz"), len(commas)) == len(", dann ") + 40
    qual = "Anträge (für Vorhaben ab 2025) bis zum 1. März"
    assert in_aside(qual, qual.index("Vorhaben"), qual.index("1. März"), len(qual))
    assert not in_aside(qual, qual.index("Vorhaben"), qual.index("2025"), qual.index("2025") + 4)
