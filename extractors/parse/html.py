"""HTML: beautifulsoup4 (lxml parser), boilerplate removal, block-structured text.

Pipeline: decode (extractors.parse.charset: BOM, valid UTF-8, declared charset, detection), cut
script/style/comments with one regex (raw-text elements, cheaper than building them as nodes),
parse the decoded ``str`` with lxml and feed bs4 (through its own tree-builder calls, so no
encoding detection and no second parse) only the subtrees boilerplate removal would keep: bs4's
tree building is the expensive part, and menus, footers and sitemaps are most of a portal page's
elements (see ``build_soup``; the tree after removal is the same as from a full bs4 parse). Then
read title/published/base, remove boilerplate (rules in ``extractors/patterns/html_boilerplate.txt``),
pick the content root (``<main>`` or a single ``<article>`` when they hold most of the text), walk
it once and emit blocks: headings, paragraphs, list items ("• " / "1. "), tables (cells joined
with " | ", one row a line). ``Document.text`` has paragraphs separated by a blank line; sections
map each heading to its span.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction
from lxml import etree

from extractors.parse.charset import decode
from extractors.parse.normalize import TextBuilder, clean_inline, clean_line
from extractors.settings import PATTERNS_DIR
from models.records import Document, Link, Section

BOILERPLATE_FILE = PATTERNS_DIR / "html_boilerplate.txt"
# A short element whose text is a "text:" rule is removed together with its parents while their
# whole text stays under this length (share blocks: "Teilen: Facebook X E-Mail").
TEXT_RULE_MAX_CHARS = 80
# <main> / a single <article> becomes the content root when it holds at least this share of the
# page's text after boilerplate removal.
CONTENT_ROOT_MIN_SHARE = 0.4
# Elements that keep an attribute-matched element alive (it holds the page content).
CONTENT_MARKERS = ("main", "article", "h1")
MAX_LINKS = 2000

BLOCK_TAGS = frozenset("""
address article aside blockquote body center dd details dialog div dl dt fieldset figcaption figure
footer form h1 h2 h3 h4 h5 h6 header hgroup hr li main menu nav ol p pre section summary table
tbody thead tfoot tr td th caption ul legend
""".split())
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BR = "\x00"     # marks a <br> in the inline buffer (NUL never survives cleaning)
_SKIP_STRINGS = (Comment, CData, Declaration, Doctype, ProcessingInstruction)
_RAW_TEXT = re.compile(r"<(script|style|noscript|template|svg)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_SPLIT_WORDS = re.compile(r"[\s_\-]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DE_DATE = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")
PUBLISHED_META = ("dcterms.date", "dcterms.issued", "dcterms.created", "dc.date", "dc.date.issued",
                  "date", "article:published_time", "og:published_time", "publication_date",
                  "pubdate", "datepublished", "publishdate")


class Rules:
    def __init__(self, path=BOILERPLATE_FILE):
        kinds: dict[str, set[str]] = {k: set() for k in ("tag", "pagetag", "word", "substr", "role", "aria", "text")}
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if not line or ":" not in line:
                continue
            kind, value = (x.strip() for x in line.split(":", 1))
            if kind in kinds and value:
                kinds[kind].add(value.casefold())
        self.tags = frozenset(kinds["tag"])
        self.pagetags = frozenset(kinds["pagetag"])
        self.words = frozenset(kinds["word"])
        self.substrs = tuple(sorted(kinds["substr"]))
        self.roles = frozenset(kinds["role"])
        self.aria = tuple(sorted(kinds["aria"]))
        self.texts = frozenset(kinds["text"])

    def attr_match(self, tag: Tag) -> bool:
        return self.attrs_match(tag.attrs)

    def attrs_match(self, attrs) -> bool:
        """The rule for an attribute mapping (a bs4 ``Tag.attrs`` or an lxml ``attrib``; "class"
        may be a list or a string: words and substrings never span a space)."""
        if not attrs:
            return False
        if "hidden" in attrs or attrs.get("aria-hidden") == "true":
            return True
        style = attrs.get("style")
        if style and _HIDDEN_STYLE.search(style):
            return True
        role = attrs.get("role")
        if role and role.casefold() in self.roles:
            return True
        label = attrs.get("aria-label")
        if label and any(a in label.casefold() for a in self.aria):
            return True
        cls = attrs.get("class")
        ident = attrs.get("id")
        if not cls and not ident:
            return False
        val = (" ".join(cls) if isinstance(cls, list) else (cls or "")) + " " + (ident or "")
        val = val.casefold()
        if any(s in val for s in self.substrs):
            return True
        return any(w in self.words for w in _SPLIT_WORDS.split(val))

    def text_match(self, s: str) -> bool:
        s = s.casefold().strip(" \t\r\n:«»›‹<>|·•-–—→←↑")
        return s in self.texts


@lru_cache(maxsize=1)
def rules() -> Rules:
    return Rules()


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    m = _ISO_DATE.search(value)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        m = _DE_DATE.search(value)
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def _published(metas: list[Tag], times: list[Tag]) -> dt.date | None:
    found: dict[str, str] = {}
    for meta in metas:
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").casefold()
        if key in PUBLISHED_META and meta.get("content"):
            found.setdefault(key, meta["content"])
    for key in PUBLISHED_META:
        d = _parse_date(found.get(key))
        if d:
            return d
    for t in times:
        d = _parse_date(t.get("datetime")) or _parse_date(t.get_text())
        if d:
            return d
    return None


def _inside(tag: Tag, names: tuple[str, ...]) -> bool:
    p = tag.parent
    while p is not None:
        if p.name in names:
            return True
        p = p.parent
    return False


def _holds_content(tag: Tag) -> bool:
    if tag.name in CONTENT_MARKERS:
        return True
    for d in tag.descendants:
        if d.name in CONTENT_MARKERS:     # strings have name None
            return True
    return False


# -- building the soup ------------------------------------------------------------------------------
# bs4 costs ~12 us per element it builds; libxml2 builds the same tree in a twentieth of the time.
# So lxml parses first, and bs4 is fed (through the same tree-builder calls its lxml builder makes)
# only the elements that can matter: a subtree that remove_boilerplate would decompose anyway is
# not handed over. Pruned are: "tag:" elements anywhere, "pagetag:" elements outside <main>/
# <article>, and elements matching the attribute rules (same Rules object, same order of checks as
# _Scan), each only when its subtree holds none of PRUNE_KEEPS: what the scan reads before
# removal (<meta>, <time>, the first <h1>, <base>) or what keeps an element alive (<main>,
# <article>, <h1>), and never inside PRUNE_KEEPS_WHOLE (the scan reads the text of <time> and of the
# first <h1> before removal). Such subtrees are left to remove_boilerplate, so the tree after
# removal is the same as without pruning.
PRUNE_KEEPS = ("main", "article", "h1", "meta", "time", "base")
PRUNE_KEEPS_WHOLE = ("h1", "time")
# libxml2 building a tree (unlike bs4's streaming use of it) stops at 2048 levels even with
# huge_tree (which lifts the 256-level and 10 MB-text limits): deeper pages (runaway unclosed
# <font>/<div>) go to bs4's own parse.
MAX_TREE_DEPTH = 2000
_TOO_DEEP = etree.XPath("boolean(/" + "/".join(["*"] * MAX_TREE_DEPTH) + ")")   # ~40 us a page
_NO_ATTR_RULE = frozenset(("html", "body", "main"))


def _lxml_root(text: str):
    parser = etree.HTMLParser(recover=True, huge_tree=True)   # one per call: not thread-safe
    parser.feed(text)
    try:
        return parser.close()
    except etree.XMLSyntaxError:              # no element at all (empty, a lone comment)
        return None


def _feed_pruned(soup: BeautifulSoup, root, r: Rules) -> None:
    """Replay the lxml tree into ``soup`` as bs4's lxml tree builder would, leaving out prunable
    subtrees. A left-out element ends the current string, as its tags would have."""
    keep = set()
    for el in root.iter(*PRUNE_KEEPS):
        while el is not None and el not in keep:
            keep.add(el)
            el = el.getparent()
    for el in root.iter(*PRUNE_KEEPS_WHOLE):  # the scan reads their whole text before removal
        keep.update(el.iter())
    builder = soup.builder
    start, end, data, end_data = soup.handle_starttag, soup.handle_endtag, soup.handle_data, soup.endData
    namespaces = builder.active_namespace_prefixes[-1]
    tags, pagetags, attrs_match = r.tags, r.pagetags, r.attrs_match
    content_depth = 0                          # open <main>/<article> elements
    # a stack popped in document order: comments after the root, the root, comments before it
    stack: list = [(el, False) for el in reversed(list(root.itersiblings()))]
    stack.append((root, False))
    stack.extend((el, False) for el in root.itersiblings(preceding=True))
    while stack:
        el, closing = stack.pop()
        name = el.tag
        if closing:
            end(name)
            if name == "main" or name == "article":
                content_depth -= 1
        elif not isinstance(name, str):        # comment, processing instruction
            if isinstance(el, etree._Comment):
                builder.comment(el.text or "")
            elif isinstance(el, etree._ProcessingInstruction):
                builder.pi(el.target, el.text or "")
        elif el not in keep and (name in tags
                                 or (content_depth == 0 if name in pagetags
                                     else name not in _NO_ATTR_RULE and attrs_match(el.attrib))):
            end_data()
        else:
            start(name, None, None, el.attrib, namespaces=namespaces)
            if name == "main" or name == "article":
                content_depth += 1
            if el.text:
                data(el.text)
            stack.append((el, True))
            stack.extend((child, False) for child in reversed(el))
            continue
        if el.tail:
            data(el.tail)


def build_soup(text: str, r: Rules | None = None) -> BeautifulSoup:
    """The bs4 tree of ``text`` without the subtrees boilerplate removal would drop anyway."""
    soup = BeautifulSoup("", "lxml", multi_valued_attributes=None)
    root = _lxml_root(text)
    if root is None:
        return soup
    if _TOO_DEEP(root):
        return BeautifulSoup(text, "lxml", multi_valued_attributes=None)
    soup.reset()
    soup.builder.soup = soup                  # bs4 detaches it after parsing; comments need it
    try:
        _feed_pruned(soup, root, r or rules())
    finally:
        soup.builder.soup = None
    soup.endData()
    while soup.currentTag is not None and soup.currentTag.name != soup.ROOT_TAG_NAME:
        soup.popTag()
    return soup


class _Scan:
    """One pass over the tree (bs4's find_all filters cost more than the walk itself)."""

    def __init__(self, soup: BeautifulSoup, r: Rules):
        self.metas: list[Tag] = []
        self.times: list[Tag] = []
        self.h1: Tag | None = None
        self.base: str | None = None
        self.roots: dict[str, list[Tag]] = {"main": [], "article": []}
        self.tag_rule: list[Tag] = []
        self.page_rule: list[Tag] = []
        self.attr_rule: list[Tag] = []
        self.text_rule: list[NavigableString] = []
        tags, pagetags = r.tags, r.pagetags
        for el in soup.descendants:
            if not isinstance(el, Tag):
                if len(el) <= TEXT_RULE_MAX_CHARS and not isinstance(el, _SKIP_STRINGS) and r.text_match(el):
                    self.text_rule.append(el)
                continue
            name = el.name
            if name in tags:
                self.tag_rule.append(el)
                continue
            if name == "meta":
                self.metas.append(el)
            elif name == "time":
                self.times.append(el)
            elif name == "h1" and self.h1 is None:
                self.h1 = el
            elif name == "base" and self.base is None and el.get("href"):
                self.base = el["href"]
            elif name in self.roots:
                self.roots[name].append(el)
            if name in pagetags:
                self.page_rule.append(el)
            elif el.attrs and name not in ("html", "body", "main") and r.attr_match(el):
                self.attr_rule.append(el)


def remove_boilerplate(scan: _Scan) -> None:
    for el in scan.tag_rule:
        if not el.decomposed:
            el.decompose()
    for el in scan.page_rule:
        if not el.decomposed and not _inside(el, ("main", "article")) and not _holds_content(el):
            el.decompose()
    for el in scan.attr_rule:
        if not el.decomposed and not _holds_content(el):
            el.decompose()
    for s in scan.text_rule:
        el = getattr(s, "parent", None)           # a string inside a decomposed tree has lost it
        if el is None or el.decomposed or el.name == "h1":
            continue
        while (el.parent is not None and el.parent.name not in ("body", "main", "article", "html", "[document]")
               and len(el.parent.get_text(" ", strip=True)) <= TEXT_RULE_MAX_CHARS):
            el = el.parent
        if el.name not in ("body", "html", "main", "article") and not _holds_content(el):
            el.decompose()


def _text_len(tag: Tag) -> int:
    return sum(len(s) for s in tag.strings)


def content_root(soup: BeautifulSoup, scan: _Scan) -> Tag:
    body = soup.body or soup
    total = _text_len(body)
    for name in ("main", "article"):
        cand = [t for t in scan.roots[name] if not t.decomposed]
        if len(cand) == 1 and total and _text_len(cand[0]) >= CONTENT_ROOT_MIN_SHARE * total:
            return cand[0]
    return body


def inline_text(tag: Tag) -> str:
    """Text of an element as one line: strings joined as written, blocks and <br> as spaces."""
    parts: list[str] = []
    for d in tag.descendants:
        if isinstance(d, NavigableString):
            if not isinstance(d, _SKIP_STRINGS):
                parts.append(d)
        elif d.name == "br" or d.name in BLOCK_TAGS:
            parts.append(" ")
    return clean_line("".join(parts))


def _tables_holding_tables(root: Tag) -> set[int]:
    """ids of the tables that hold another table, in one pass over the tree (asking each table
    ``find("table")`` costs a walk of its subtree: quadratic in nested tables)."""
    holding: set[int] = set()
    stack: list[tuple[Tag, Tag | None]] = [(root, None)]
    while stack:
        node, enclosing = stack.pop()
        if node.name == "table":
            if enclosing is not None:
                holding.add(id(enclosing))
            enclosing = node
        stack.extend((child, enclosing) for child in node.contents if isinstance(child, Tag))
    return holding


class _Walker:
    def __init__(self, base: str | None):
        self.out = TextBuilder()
        self.buf: list[str] = []
        self.base = base
        self.heads: list[tuple[int, str]] = []
        self.tables: list[list[list[str]]] = []
        self.links: list[Link] = []
        self.lists: list[list] = []         # stack of [kind, counter]
        self.prev_kind = ""
        self.pre = 0
        self.li_depth = 0
        self.li_pending = False

    # -- blocks ------------------------------------------------------------------------------
    def flush(self, kind: str = "p") -> tuple[int, int] | None:
        if not self.buf:
            return None
        raw = "".join(self.buf)
        self.buf = []
        if self.pre:
            lines = [clean_inline(ln).rstrip() for ln in raw.replace("\r", "").replace(_BR, "\n").split("\n")]
            block = "\n".join(ln for ln in lines if ln.strip())
        else:   # source newlines are spaces; only <br> breaks a line
            block = "\n".join(x for x in (clean_line(ln) for ln in raw.split(_BR)) if x)
        if not block:
            return None
        if self.li_depth and kind != "h":
            if self.li_pending and self.lists:
                lst = self.lists[-1]
                block = ("• " if lst[0] == "ul" else f"{lst[1]}. ") + block
                self.li_pending = False
            kind = "li"
        if kind in ("li", "row"):
            sep = "\n" if self.prev_kind == kind else "\n\n"
        elif kind == "dd":
            sep = "\n" if self.prev_kind == "dt" else "\n\n"
        else:
            sep = "\n\n"
        span = self.out.add(block, sep)
        if span:
            self.prev_kind = kind
        return span

    def table(self, table: Tag) -> None:
        rows = []
        for tr in table.find_all("tr"):
            cells = [inline_text(c) for c in tr.find_all(["td", "th"], recursive=False)]
            if any(cells):
                rows.append(cells)
        caption = table.find("caption")
        if caption:
            self.buf.append(inline_text(caption))
            self.flush("p")
        if not rows:
            return
        if max(len(r) for r in rows) == 1:           # a one-column layout table: paragraphs
            for r in rows:
                self.buf.append(r[0])
                self.flush("p")
            return
        self.tables.append(rows)
        for r in rows:
            self.buf.append(" | ".join(r))
            self.flush("row")
        self.prev_kind = "table"

    # -- traversal ---------------------------------------------------------------------------
    def walk(self, root: Tag) -> None:
        outer = _tables_holding_tables(root)
        stack: list[tuple[object, bool]] = [(root, False)]
        while stack:
            node, closing = stack.pop()
            if isinstance(node, NavigableString):
                if not isinstance(node, _SKIP_STRINGS):
                    self.buf.append(str(node))
                continue
            name = node.name
            if closing:
                if name in HEADINGS:
                    span = self.flush("h")
                    if span:
                        self.heads.append((span[0], self.out.parts[-1]))
                elif name in ("ul", "ol", "menu"):
                    self.flush()
                    self.lists.pop()
                    self.prev_kind = "list"
                elif name == "li":
                    self.flush()
                    self.li_depth -= 1
                    self.li_pending = False
                elif name == "pre":
                    self.flush()
                    self.pre -= 1
                elif name in BLOCK_TAGS:
                    self.flush(name if name in ("dd", "dt") else "p")
                continue
            if name == "br":
                self.buf.append(_BR)
                continue
            if name == "a" and len(self.links) < MAX_LINKS:
                href = (node.get("href") or "").strip()
                if href and not href.startswith(("#", "javascript:", "data:")):
                    url = urljoin(self.base, href) if self.base else href
                    self.links.append(Link(url=url, text=inline_text(node)))
            if name == "table" and id(node) not in outer:
                self.flush()
                self.table(node)
                continue
            if name in BLOCK_TAGS:
                self.flush()
                if name in ("ul", "ol", "menu"):
                    self.lists.append([name if name != "menu" else "ul", 0])
                elif name == "li":
                    self.li_depth += 1
                    self.li_pending = True
                    if self.lists:
                        self.lists[-1][1] += 1
                elif name == "pre":
                    self.pre += 1
            stack.append((node, True))
            for child in reversed(node.contents):
                stack.append((child, False))


def _title(soup: BeautifulSoup, root: Tag, h1_before: str | None) -> str | None:
    h1 = root.find("h1")
    if h1 is not None:
        t = inline_text(h1)
        if t:
            return t
    if h1_before:
        return h1_before
    if soup.title is not None:
        t = clean_line(soup.title.get_text())
        if t:
            return t
    og = soup.find("meta", attrs={"property": "og:title"})
    return clean_line(og["content"]) if og is not None and og.get("content") else None


def parse_html(data: bytes | str, source: str, content_type: str | None = None) -> Document:
    text = data if isinstance(data, str) else decode(data, content_type)[0]
    text = _RAW_TEXT.sub(" ", text)
    soup = build_soup(text)
    scan = _Scan(soup, rules())
    published = _published(scan.metas, scan.times)
    base = scan.base or (source if "://" in source else None)
    h1_before = inline_text(scan.h1) if scan.h1 is not None else None
    remove_boilerplate(scan)
    root = content_root(soup, scan)
    w = _Walker(base)
    w.walk(root)
    w.flush()
    body = w.out.text()
    sections = []
    for k, (start, title) in enumerate(w.heads):
        end = w.heads[k + 1][0] if k + 1 < len(w.heads) else len(body)
        while end > start + len(title) and body[end - 1] == "\n":
            end -= 1
        sections.append(Section(title=title, start=start, end=end))
    return Document(source=source, kind="html", text=body, title=_title(soup, root, h1_before),
                    published=published, sections=sections, tables=w.tables, links=w.links)
