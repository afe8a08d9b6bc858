"""Cut the sections of a document into passages of a few sentences, each with its page.

Takes the :class:`~rag.sources.pdf.sections.Section` list; gives :class:`Passage` records for
the body and the appendices (not the front matter, the abstract, which the library already holds,
or the reference list). A passage

- holds :attr:`PassageSettings.min_sentences` to :attr:`PassageSettings.max_sentences`
  sentences, and never more than :attr:`PassageSettings.max_chars` characters unless one
  sentence is longer;
- ends at the end of a paragraph when it has enough sentences, and is cut inside a long paragraph
  so that no fewer than the minimum are left over for the next one;
- never spans two sections; a caption or a footnote is a passage of its own, a table's caption
  with its rows (:mod:`.tables`);
- carries the page its first sentence starts on, and its section's heading.

Sentences are split by :func:`rag.sources.body_text.sentence_spans` (nltk's Punkt, told the
abbreviations papers use).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from rag.sources.body_text import Passage, sentence_spans
from rag.sources.pdf.sections import Paragraph, Section
from rag.sources.pdf.tables import with_tables

PASSAGE_KINDS = frozenset({"body", "appendix"})


@dataclass(frozen=True, slots=True)
class PassageSettings:
    """How long passages are."""

    min_sentences: int = 3
    max_sentences: int = 6
    max_chars: int = 1_500


def make_passages(sections: Iterable[Section], settings: PassageSettings | None = None) -> list[Passage]:
    """The passages of the sections that are evidence (body and appendices), in order."""
    settings = settings or PassageSettings()
    passages: list[Passage] = []
    for section in sections:
        if section.kind in PASSAGE_KINDS:
            passages += _section_passages(section, settings)
    return passages


def _section_passages(section: Section, settings: PassageSettings) -> Iterator[Passage]:
    heading = section.heading
    group: list[tuple[int, str]] = []
    for paragraph in with_tables(section.paragraphs):
        if paragraph.kind != "text":
            if group:
                yield _passage(heading, group)
                group = []
            yield Passage(paragraph.page, heading, paragraph.text, paragraph.kind, paragraph.turns)
            continue
        sentences = _sentences(paragraph)
        for index, sentence in enumerate(sentences):
            group.append(sentence)
            left = len(sentences) - index - 1
            chars = sum(len(text) + 1 for _, text in group)
            if _full(len(group), chars, left, settings):
                yield _passage(heading, group)
                group = []
        if len(group) >= settings.min_sentences:
            yield _passage(heading, group)
            group = []
    if group:
        yield _passage(heading, group)


def _full(count: int, chars: int, left: int, settings: PassageSettings) -> bool:
    """Whether a passage of ``count`` sentences (``chars`` long), ``left`` more in its
    paragraph, is cut here."""
    if count >= settings.max_sentences or chars >= settings.max_chars:
        return True
    return count >= settings.min_sentences + 1 and left >= settings.min_sentences


def _sentences(paragraph: Paragraph) -> list[tuple[int, str]]:
    """The paragraph's sentences, each with the page it starts on."""
    text = paragraph.text
    return [(paragraph.page_at(start), text[start:end]) for start, end in sentence_spans(text)]


def _passage(heading: str, group: Sequence[tuple[int, str]]) -> Passage:
    """The sentences of ``group`` (each with its page) as one passage, with where it turns a page."""
    turns, at, page = [], 0, group[0][0]
    for sentence_page, text in group:
        if sentence_page != page:
            turns.append((at, sentence_page))
            page = sentence_page
        at += len(text) + 1
    return Passage(group[0][0], heading, " ".join(text for _, text in group), turns=tuple(turns))
