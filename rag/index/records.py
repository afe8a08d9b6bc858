"""What the index's Chroma records hold: the metadata of a paper, of a chunk and of a body passage,
and the vector a paper record carries (the normalised mean of its chunks' vectors)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from rag.index.chunking import Chunk
from rag.sources.body_text import Passage
from rag.sources.corpus import Paper


def paper_metadata(paper: Paper) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "paper": json.dumps(paper.to_dict(), ensure_ascii=False),
        "content_hash": paper.content_hash,
        "title": paper.title,
    }
    return metadata


def chunk_metadata(chunk: Chunk, paper: Paper) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "paper_id": chunk.paper_id,
        "index": chunk.index,
        "start": chunk.start,
        "end": chunk.end,
        "content_hash": paper.content_hash,
    }
    return metadata | filter_metadata(paper)


def passage_metadata(paper: Paper, index: int, passage: Passage) -> dict[str, Any]:
    """A body passage's record (:mod:`rag.index.passage_store`): where it is, its text, the PDF
    it was read from, and the paper's filter fields."""
    metadata: dict[str, Any] = {
        "paper_id": paper.id,
        "fulltext": paper.fulltext or "",
        "index": index,
        "page": passage.page,
        "section": passage.section,
        "kind": passage.kind,
        "text": passage.text,
        "turns": ";".join(f"{offset}:{page}" for offset, page in passage.turns),
    }
    return metadata | filter_metadata(paper)


def filter_metadata(paper: Paper) -> dict[str, Any]:
    """The paper fields a ``where`` clause filters on: year, venue, source, one key per tag."""
    metadata: dict[str, Any] = {}
    for key in ("year", "venue", "source"):
        value = getattr(paper, key)
        if value is not None:
            metadata[key] = value
    for label in paper.labels:  # one key per tag, so a `where` clause can ask for one
        metadata[f"tag:{label}"] = True
    return metadata


def passage_from_metadata(metadata: dict[str, Any]) -> Passage:
    turns = str(metadata.get("turns") or "")
    return Passage(
        int(metadata["page"]),
        str(metadata["section"]),
        str(metadata["text"]),
        str(metadata["kind"]),
        tuple((int(o), int(p)) for o, p in (pair.split(":") for pair in turns.split(";") if pair)),
    )


def paper_from_metadata(metadata: dict[str, Any]) -> Paper:
    return Paper.from_dict(json.loads(metadata["paper"]))


def mean_vectors(papers: Sequence[Paper], chunks: Sequence[Chunk], vectors: np.ndarray) -> np.ndarray:
    dim = vectors.shape[1] if len(vectors) else 0
    sums = {paper.id: np.zeros(dim, dtype=np.float32) for paper in papers}
    for chunk, vector in zip(chunks, vectors, strict=True):
        sums[chunk.paper_id] += vector
    means = np.stack([sums[paper.id] for paper in papers]) if papers else np.zeros((0, dim))
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    return (means / np.where(norms == 0, 1, norms)).astype(np.float32)
