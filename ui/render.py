"""HTML for the UI, from the Jinja templates in ``ui/templates/`` with autoescape on.

Everything taken from the corpus or a model (titles, abstracts, answer text, URLs) reaches the
page as template values, which Jinja escapes, so an abstract containing ``<script>`` or
``<img onerror=...>`` shows as those characters and never runs; links are only made from
``http(s)`` URLs. This module turns answers, drafts and reports into plain values for the
templates (sentences split into text and citation markers, abstracts split around the sentence to
highlight, and a sentence of a paper's PDF shown in its passage, with its page and section); the
templates write all the markup. ``gr.HTML`` inserts it as is.

Answers and the conversation are in :mod:`ui.chat_html`, the Library tab in :mod:`ui.library_html`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlparse

import jinja2

from rag.answers.record import place
from rag.cite.lookup import LookupResult
from rag.sources.corpus import Paper

if TYPE_CHECKING:
    from rag.related_work import Draft
    from rag.sources.body_text import Passage

SHOWN_AUTHORS = 3


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ui", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(template: str, **values: Any) -> str:
    return _environment().get_template(template).render(**values).strip()


def macro(name: str, *args: Any) -> str:
    return str(getattr(_environment().get_template("parts.html").module, name)(*args))


@functools.cache
def static(name: str) -> str:
    """A file of ``ui/static/`` (the CSS and JavaScript of the page), as text."""
    return resources.files("ui").joinpath("static", name).read_text(encoding="utf-8")


# -- papers -------------------------------------------------------------------------------------


def paper_url(paper: Paper | None, url: str | None = None) -> str | None:
    """A link for the paper when one is known and safe (http or https only)."""
    candidates = [url]
    if paper is not None:
        candidates.append(paper.url)
        if paper.doi:
            candidates.append("https://doi.org/" + quote(paper.doi, safe="/:;()._-"))
        if paper.arxiv_id:
            candidates.append("https://arxiv.org/abs/" + quote(paper.arxiv_id, safe="/._-"))
    for candidate in candidates:
        if candidate and urlparse(candidate.strip()).scheme.lower() in ("http", "https"):
            return candidate.strip()
    return None


def meta_line(venue: str | None, year: int | None) -> str:
    return " · ".join(str(value) for value in (venue, year) if value)


def authors_line(authors: Sequence[str]) -> str:
    shown = ", ".join(authors[:SHOWN_AUTHORS])
    return shown + (" et al." if len(authors) > SHOWN_AUTHORS else "")


def highlight_parts(abstract: str, span: tuple[int, int] | None, sentence: str = "") -> dict[str, str]:
    """The abstract cut around the supporting sentence (located by ``span``, else by search)."""
    start, end = span if span else (-1, -1)
    if not (0 <= start < end <= len(abstract)) or (sentence and abstract[start:end] != sentence):
        start = abstract.find(sentence) if sentence else -1
        end = start + len(sentence)
    if start < 0:
        return {"before": abstract, "marked": "", "after": ""}
    return {"before": abstract[:start], "marked": abstract[start:end], "after": abstract[end:]}


def highlighted(abstract: str, span: tuple[int, int] | None, sentence: str = "") -> str:
    """The abstract as HTML with the supporting sentence in ``<mark>``."""
    return macro("highlighted", highlight_parts(abstract, span, sentence))


def passage_values(
    passage: Passage | None, place: str, sentence: str, span: tuple[int, int] | None = None
) -> dict[str, Any] | None:
    """The body passage a sentence of a PDF is in, cut around the sentence, with where it is
    ("§4 Experiments, p. 5"); the sentence alone when the passage is not at hand; None for a
    sentence of the abstract (no place)."""
    if not place:
        return None
    if passage is None:
        return {"place": place, "text": {"before": "", "marked": sentence, "after": ""}}
    return {"place": place, "text": highlight_parts(passage.text, span, sentence)}


def body_values(
    paper: Paper | None,
    *,
    url: str | None = None,
    sentence: str = "",
    span: tuple[int, int] | None = None,
    place: str = "",
    passage: Passage | None = None,
) -> dict[str, Any]:
    """A card's body: authors, the abstract with ``sentence`` marked, a link; a sentence of the
    paper's PDF (``place`` set, ``span`` in its passage) is marked in its passage instead."""
    in_abstract = "" if place else sentence
    abstract = None
    if paper is not None:
        abstract = highlight_parts(paper.abstract, None if place else span, in_abstract)
    elif in_abstract:
        abstract = {"before": "", "marked": in_abstract, "after": ""}
    return {
        "authors": authors_line(paper.authors) if paper is not None and paper.authors else "",
        "abstract": abstract,
        "passage": passage_values(passage, place, sentence, span),
        "link": paper_url(paper, url),
    }


def card_values(
    *,
    title: str,
    element_id: str,
    badge: str = "",
    paper: Paper | None = None,
    year: int | None = None,
    venue: str | None = None,
    url: str | None = None,
    sentence: str = "",
    span: tuple[int, int] | None = None,
    place: str = "",
    passage: Passage | None = None,
) -> dict[str, Any]:
    year = year if year is not None else (paper.year if paper else None)
    venue = venue or (paper.venue if paper else None)
    return {
        "title": title,
        "element_id": element_id,
        "badge": badge,
        "meta": meta_line(venue, year),
        "place": place,
        "body": body_values(paper, url=url, sentence=sentence, span=span, place=place, passage=passage),
    }


def paper_card(**card: Any) -> str:
    """A collapsible card: the title line, then authors, the abstract with ``sentence`` marked, a link."""
    return macro("paper_card", card_values(**card))


def note_html(message: str) -> str:
    return macro("note", message)


def error_html(message: str) -> str:
    return macro("error", message)


# -- citation lookup ----------------------------------------------------------------------------


def lookup_html(
    result: LookupResult,
    papers: Mapping[str, Paper],
    note: str | None = None,
    passages: Mapping[tuple[str, str], Passage] | None = None,
) -> str:
    """The ranked candidates; one whose sentence is from the paper's PDF shows its page and
    section, and its passage (from ``passages``, by paper id and sentence) opens with it marked."""
    passages = passages or {}
    candidates = []
    for candidate in result.candidates:
        where = place(candidate.page, candidate.section)
        found = passages.get((candidate.paper_id, candidate.sentence))
        candidates.append(
            {
                "rank": candidate.rank,
                "title": candidate.title,
                "badge": f"{candidate.rank}.",
                "meta": meta_line(candidate.venue, candidate.year),
                "score": candidate.score,
                "sentence_score": candidate.sentence_score,
                "sentence": candidate.sentence,
                "passage": passage_values(found, where, candidate.sentence, candidate.span),
                "body": body_values(
                    papers.get(candidate.paper_id),
                    url=candidate.url,
                    sentence="" if where else candidate.sentence,
                    span=None if where else candidate.span,
                ),
                "key": candidate.key,
                "bibtex": candidate.bibtex,
            }
        )
    return render("lookup.html", result=result, candidates=candidates, note=note)


# -- related work -------------------------------------------------------------------------------

_MARKDOWN_ESCAPE = re.compile(r"\\([\\\[\]()])")
_EMPHASIS = re.compile(r"\*\*(?P<strong>.+?)\*\*|(?<![\w*])\*(?!\s)(?P<em>.+?)(?<!\s)\*(?![\w*])")


def markdown_paragraphs(text: str) -> list[list[list[tuple[str, str]]]]:
    """The small Markdown subset of a draft (paragraphs, line breaks, bold, italics) as
    paragraphs of lines of ("text" | "strong" | "em", text) pieces."""
    paragraphs = []
    for block in re.split(r"\n{2,}", text.strip()):
        lines = []
        for line in block.split("\n"):
            pieces, position = [], 0
            for match in _EMPHASIS.finditer(line):
                pieces.append(("text", line[position : match.start()]))
                kind = "strong" if match.group("strong") is not None else "em"
                pieces.append((kind, match.group(kind)))
                position = match.end()
            pieces.append(("text", line[position:]))
            lines.append([piece for piece in pieces if piece[1]])
        paragraphs.append(lines)
    return paragraphs


def markdown_html(text: str) -> str:
    """Draft Markdown as HTML: only the tags of the subset above can appear."""
    return render(
        "draft.html", notice=None, note=None, paragraphs=markdown_paragraphs(text), cards=[], closing=[]
    )


_DRAFT_MARKER = re.compile(r"(?<!\\)\[(\d+(?:,\s*\d+)*)\]")
"""A marker of the draft itself: a "[3]" of a title or abstract is written "\\[3\\]" or "(3)"."""


def _as_text(text: str) -> str:
    """Draft.markdown() writes angle brackets as entities and link syntax backslash-escaped, for
    Markdown viewers; here the template escapes text and makes no links, so both go back to
    characters (else a "<" in a title shows as "&lt;", a "[" as "\\[")."""
    return _MARKDOWN_ESCAPE.sub(r"\1", text).replace("&lt;", "<").replace("&gt;", ">")


def _draft_paragraphs(text: str, titles: Mapping[int, str]) -> list[list[list[tuple[str, Any]]]]:
    """The draft's Markdown as paragraphs of pieces, each ``[n]`` marker of the draft a "cite"
    piece that opens the card of paper n (``titles``: marker -> title)."""
    paragraphs = markdown_paragraphs(text)
    for lines in paragraphs:
        for number, line in enumerate(lines):
            pieces: list[tuple[str, Any]] = []
            for kind, piece in line:
                position = 0
                for match in _DRAFT_MARKER.finditer(piece) if kind == "text" else ():
                    pieces.append(("text", _as_text(piece[position : match.start()])))
                    for marker in (int(n) for n in match.group(1).split(",")):
                        if marker in titles:
                            cite = {"number": marker, "target": f"draft-c{marker}", "title": titles[marker]}
                            pieces.append(("cite", cite))
                        else:
                            pieces.append(("text", f"[{marker}]"))
                    position = match.end()
                pieces.append((kind, _as_text(piece[position:])))
            lines[number] = [piece for piece in pieces if piece[1]]
    return paragraphs


def draft_html(draft: Draft, note: str | None = None) -> str:
    """The draft as the Markdown download writes it, its markers buttons that open the cited
    paper's card (the abstract with the sentence its statement rests on marked), the cards in
    place of the reference list."""
    if draft.notice:
        return render("draft.html", notice=draft.notice, note=note, paragraphs=[], cards=[], closing=[])
    markers = draft.markers()
    body, _, rest = draft.markdown().partition("\n\n**References**\n\n")
    closing = rest.partition("\n\n")[2]
    statements = {said.paper.id: said for theme in draft.themes for said in theme.statements}
    cards = [
        card_values(
            title=paper.title,
            element_id=f"draft-c{markers[paper.id]}",
            badge=f"[{markers[paper.id]}]",
            paper=paper,
            sentence=statements[paper.id].source,
            span=statements[paper.id].span,
        )
        for paper in draft.cited
    ]
    titles = {markers[paper.id]: paper.title for paper in draft.cited}
    return render(
        "draft.html",
        notice=None,
        note=None,
        paragraphs=_draft_paragraphs(body, titles),
        cards=cards,
        closing=_draft_paragraphs(closing, {}),
    )
