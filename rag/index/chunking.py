"""Cut abstracts into sentence-aware chunks that remember where they came from.

Chunks come from llama-index's ``SentenceSplitter``; each keeps its paper's id and the character
span it covers in the abstract, so ``paper.abstract[chunk.start:chunk.end] == chunk.text``.
Sentence spans (for citing the exact supporting sentence) come from the same Punkt tokenizer
(:mod:`rag.sources.sentences`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from rag.settings import ChunkingSettings
from rag.sources.corpus import Paper

if TYPE_CHECKING:
    from llama_index.core.node_parser import SentenceSplitter


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
