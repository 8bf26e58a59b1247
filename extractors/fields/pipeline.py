"""The extraction pipeline: one ``spacy.blank("de")`` with namespaced rule components.

Each field family is a module in ``extractors/fields/`` whose rules are plain functions over the
per-document :class:`Context`; the module registers them with :func:`field_component` as the
spaCy factory ``foerderradar_<field>``, whose one wrapper (:class:`FieldComponent`) appends their
typed records to ``doc._.fr[<field>]``; later components may read earlier results (deadlines
read ``dates``). Patterns and word lists are data
files in ``extractors/patterns/``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from extractors.fields.rules import fold
from extractors.fields.text import TextIndex, prepare
from extractors.version import EXTRACTOR_VERSION
from models.records import Amount, DateMention, Deadline, Document, Extraction

if not Doc.has_extension("fr_ctx"):
    Doc.set_extension("fr_ctx", default=None)
if not Doc.has_extension("fr"):
    Doc.set_extension("fr", default=None)

FIELDS = ("amounts", "dates", "deadlines", "programmes", "municipalities", "applicants")
COMPONENTS = tuple(f"foerderradar_{f}" for f in FIELDS)


@dataclass(frozen=True)
class Context:
    """Everything a component may know about the document besides its tokens; immutable. A
    component that learns something for the ones after it (the dates component: the publication
    date) passes on a changed copy (``dataclasses.replace``)."""
    text: str                                   # the parsed text, with its original whitespace
    index: TextIndex | None = None              # sentences and lines (made from text if not given)
    folded: str = ""                            # rules.fold(text): same offsets, lower case
    published: dt.date | None = None            # publication date (given, parsed or found)
    published_given: bool = False               # True when the caller stated it (--published)
    gazetteer: Any = None                       # extractors.fields.gazetteer.Gazetteer or None
    title: str | None = None
    land: str | None = None                     # 2-digit code of the source's Land, where known (municipality keys)
    publication: Any = None                     # published.Publication, once the dates component ran

    def __post_init__(self):
        if self.index is None:
            object.__setattr__(self, "index", TextIndex(self.text))
        if len(self.folded) != len(self.text):
            object.__setattr__(self, "folded", fold(self.text))


class FieldComponent:
    """The spaCy wrapper of every field component: runs ``find(ctx, doc)`` on the document's
    Context and appends the records it returns to ``doc._.fr[field]``. A ``find`` that learns
    something for the components after it returns ``(records, changed Context)``."""

    def __init__(self, field: str, find: Callable[[Context, Doc], Any]):
        self.field, self.find = field, find

    def __call__(self, doc: Doc) -> Doc:
        ctx = doc._.fr_ctx
        if ctx is None:
            return doc
        found = self.find(ctx, doc)
        if isinstance(found, tuple):
            found, doc._.fr_ctx = found
        doc._.fr[self.field].extend(found)
        return doc


def field_component(field: str, find: Callable[[Context, Doc], Any] | None = None, *,
                    build: Callable[[Language], Callable[[Context, Doc], Any]] | None = None,
                    reads: tuple[str, ...] = ()) -> None:
    """Register the spaCy factory ``foerderradar_<field>`` of a field component: ``find(ctx, doc)``
    gives the field's records; a component that sets itself up with the pipeline (the programme
    PhraseMatcher) gives ``build(nlp) -> find`` instead. ``reads``: fields of earlier components
    it reads from ``doc._.fr`` (spaCy checks the order)."""
    def make(nlp: Language, name: str) -> FieldComponent:
        return FieldComponent(field, build(nlp) if build is not None else find)

    Language.factory(f"foerderradar_{field}", func=make, assigns=["doc._.fr"],
                     requires=["doc._.fr_ctx"] + (["doc._.fr"] if reads else []))


def _register_components() -> None:
    """Import the field modules, which registers their spaCy factories."""
    # importing the modules registers their factories
    from extractors.fields import (  # noqa: F401
        amounts, applicants, dates, deadlines, municipalities, programmes)


def drop_special_cases(nlp: Language) -> None:
    """Remove the tokenizer's special cases ("ca.", "z.B.", "Nr.", " ", "\\n", emoticons ...).

    Two costs come with them, both measured on German announcements:
    - any special case containing whitespace sends every doc with a run of whitespace (a double
      space, a newline beside a space) through the special-case matcher: 10.2 ms instead of
      0.7 ms for 1,500 words;
    - spaCy stops caching chunks for the rest of a doc once one chunk hit a special case (its
      ``has_special`` flag is per doc, spaCy issue #1250), and real announcements hit "ca.",
      "bzw." or "z.B." early: 2,400 words of real text tokenised in 16.1 ms instead of 0.42 ms.
    Without them an abbreviation is two tokens ("ca" "."). No component depends on that: the
    field components read the text with compiled regexes, and the programme PhraseMatcher builds
    its patterns with this same tokenizer.
    """
    nlp.tokenizer.rules = {}


def build_nlp(components: tuple[str, ...] = COMPONENTS) -> Language:
    """The pipeline: spaCy's German tokenizer without special cases and the field components in
    the order of ``components`` (``COMPONENTS``, one place). The municipal register reaches the
    components through each document's Context."""
    _register_components()
    nlp = spacy.blank("de")
    nlp.max_length = 2**62             # the rule components hold no per-token model: no length limit
    drop_special_cases(nlp)
    for name in components:
        nlp.add_pipe(name)
    return nlp


def version_for(gazetteer: Any, catalogue: Any = None) -> str:
    """The version an extraction is keyed by: the rules' EXTRACTOR_VERSION, plus the Gebietsstand
    of the municipal register in use (a new register changes the AGS links) and the stamp of the
    Förderdatenbank programme catalogue in use (other titles change the programme links):
    ``0.2.0+gv20231130.fdb2480-3f9a1c2e``; without either, EXTRACTOR_VERSION alone. The ingest
    flow re-extracts a document whose (sha256, version) it has not seen, so loading a newer
    register or building a catalogue with other titles re-links every document on the next run
    without any extra step."""
    stand = getattr(gazetteer, "gebietsstand", None)
    stamp = getattr(catalogue, "stamp", None)
    build = ([f"gv{stand:%Y%m%d}"] if stand is not None else []) + ([stamp] if stamp else [])
    return f"{EXTRACTOR_VERSION}+{'.'.join(build)}" if build else EXTRACTOR_VERSION


def _records(model, found: list) -> list:
    """Components' internal records (slotted dataclasses) as output records, validated here once."""
    return [model.model_validate(r, from_attributes=True) for r in found]


class Extractor:
    """Text (or a parsed :class:`Document`) in, :class:`Extraction` out.

    Build once and reuse: loading patterns and the municipal register is the expensive part.
    ``gazetteer="auto"`` loads the register from its default place if one was loaded with
    ``foerderradar gazetteer load``; ``None`` runs without it (names found by cue words only).
    The programme catalogue is the one in place when the extractor is built (``foerderradar
    catalogue build``); ``version`` names both.
    """

    def __init__(self, gazetteer: Any = "auto"):
        if gazetteer == "auto":
            from extractors.fields.gazetteer import Gazetteer
            gazetteer = Gazetteer.load_default()
        self.gazetteer = gazetteer
        self.nlp = build_nlp()
        # the catalogue the programme rules link to (read when they were built), so that the
        # version names exactly the catalogue these extractions used
        self.catalogue = self.nlp.get_pipe("foerderradar_programmes").find.lex.catalogue
        self.version = version_for(gazetteer, self.catalogue)

    def run(self, text: str, *, published: dt.date | None = None, published_given: bool = False,
            title: str | None = None, land: str | None = None) -> tuple[Doc, Context]:
        """The processed ``Doc`` and the final Context (with what components passed on).
        ``land``: 2-digit code of the source's Land, where known."""
        ctx = Context(text=text, published=published, published_given=published_given,
                      gazetteer=self.gazetteer, title=title, land=land)
        doc = self.nlp.make_doc(prepare(text))
        doc._.fr_ctx = ctx
        doc._.fr = {f: [] for f in FIELDS}
        for _name, proc in self.nlp.pipeline:
            doc = proc(doc)
        return doc, doc._.fr_ctx

    def extract(self, document: Document, published: dt.date | None = None) -> Extraction:
        """Extract all fields. ``published`` (the caller's word) wins over the parsed date; the
        document's ``land`` (its source's Land) resolves names several Länder share."""
        pub = published or document.published
        doc, ctx = self.run(document.text, published=pub, published_given=published is not None,
                            title=document.title, land=document.land)
        res = doc._.fr
        return Extraction(
            source=document.source, title=document.title, published=ctx.published,
            amounts=_records(Amount, res["amounts"]), deadlines=_records(Deadline, res["deadlines"]),
            dates=_records(DateMention, res["dates"]),
            programmes=res["programmes"], municipalities=res["municipalities"],
            applicants=res["applicants"],
            errors=list(document.errors),
            extractor_version=self.version, sha256=document.sha256,
        )

    def extract_text(self, text: str, source: str = "-", published: dt.date | None = None,
                     title: str | None = None, land: str | None = None) -> Extraction:
        """``extract`` for a plain text (``land``: 2-digit code of its source's Land, if known)."""
        return self.extract(Document(source=source, kind="txt", text=text, title=title, land=land),
                            published)
