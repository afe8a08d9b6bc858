"""What the index's Chroma records hold: the metadata of a paper and of a chunk, and the vector a
paper record carries (the normalised mean of its chunks' vectors)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from rag.index.chunking import Chunk
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
    for key in ("year", "venue", "source"):
        value = getattr(paper, key)
        if value is not None:
            metadata[key] = value
    for label in paper.labels:  # one key per tag, so a `where` clause can ask for one
        metadata[f"tag:{label}"] = True
    return metadata


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
