"""Cut abstracts into sentence-aware chunks that remember where they came from.

Chunks come from llama-index's ``SentenceSplitter``; each keeps its paper's id and the character
span it covers in the abstract, so ``paper.abstract[chunk.start:chunk.end] == chunk.text``.
Sentence spans (for citing the exact supporting sentence) come from the same Punkt tokenizer
that ``SentenceSplitter`` uses. Importing that tokenizer (nltk, which imports scipy and
scikit-learn) takes seconds, so spans are memoised by text and the memo of the indexed abstracts
is kept in ``LITREV_HOME/sentences.json`` (:func:`save_spans` at ingest, :func:`load_spans` when
a library opens): a query computes no span and imports neither llama-index nor nltk.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from rag.corpus import Paper
from rag.settings import ChunkingSettings

if TYPE_CHECKING:
    from llama_index.core.node_parser import SentenceSplitter
    from nltk.tokenize.punkt import PunktSentenceTokenizer

_SPANS: dict[str, tuple[tuple[int, int], ...]] = {}
"""Sentence spans by text digest: a memo of :func:`sentence_spans`, whatever filled it."""


@dataclass(frozen=True, slots=True)
class Chunk:
    id: str
    paper_id: str
    index: int
    text: str
    start: int
    end: int


@cache
def _splitter(chunk_size: int, chunk_overlap: int) -> SentenceSplitter:
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(
        chunk_size=chunk_size, chunk_overlap=min(chunk_overlap, chunk_size // 2), include_metadata=False
    )


def chunk_id(paper: Paper, index: int) -> str:
    """Ids change with the paper's content, so an edited abstract never keeps stale chunks."""
    return f"{paper.id}:{paper.content_hash[:8]}:{index}"


def chunk_paper(paper: Paper, settings: ChunkingSettings) -> list[Chunk]:
    splitter = _splitter(settings.chunk_size, settings.chunk_overlap)
    text = paper.abstract
    chunks: list[Chunk] = []
    search_from = 0
    for index, piece in enumerate(splitter.split_text(text)):
        start = text.find(piece, search_from)
        if start < 0:  # the splitter normalised whitespace: fall back to the full abstract span
            start = text.find(piece)
        if start < 0:
            raise ValueError(f"chunk {index} of {paper.id} is not a substring of its abstract")
        end = start + len(piece)
        chunks.append(Chunk(chunk_id(paper, index), paper.id, index, piece, start, end))
        search_from = start + 1
    return chunks


def chunk_papers(papers: Iterable[Paper], settings: ChunkingSettings) -> list[Chunk]:
    return [chunk for paper in papers for chunk in chunk_paper(paper, settings)]


@cache
def _punkt() -> PunktSentenceTokenizer:
    """The tokenizer ``SentenceSplitter`` splits sentences with (llama-index's ``globals_helper``)."""
    from llama_index.core.utils import globals_helper

    return globals_helper.punkt_tokenizer


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``, trailing whitespace excluded."""
    key = _digest(text)
    known = _SPANS.get(key)
    if known is None:
        spans = []
        for start, end in _punkt().span_tokenize(text):
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
        known = _SPANS[key] = tuple(spans)
    return list(known)


def save_spans(path: Path, texts: Iterable[str]) -> None:
    """Write the sentence spans of ``texts`` (computing those not memoised yet) to ``path``."""
    spans = {_digest(text): sentence_spans(text) for text in texts}
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(spans, separators=(",", ":")), encoding="utf-8")
    os.replace(partial, path)


def load_spans(path: Path) -> None:
    """Memoise the spans :func:`save_spans` wrote; a missing or unreadable file only costs time."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        _SPANS.update((key, tuple((int(s), int(e)) for s, e in spans)) for key, spans in saved.items())
    except (OSError, ValueError, TypeError, AttributeError):
        return
