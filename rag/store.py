"""The Chroma side of the index: one collection of chunks, one of papers.

- ``<name>-chunks``: one record per chunk; document = chunk text; metadata = paper id, character
  span, and the paper fields used by filters (year, venue, source). Its vector is the chunk's.
- ``<name>-papers``: one record per paper; document = abstract; metadata = the paper as JSON and
  its content hash. Its vector is the normalised mean of its chunks' vectors. A paper record is
  written only after its chunks, so it doubles as the "this paper is fully indexed" marker that
  makes ingest resumable.

Both collections record the embedding model and dimension that built them; opening them with
another model raises :class:`~rag.errors.IndexMismatchError`.

Embedded ``PersistentClient`` under ``LITREV_HOME`` by default; ``HttpClient`` when
``LITREV_CHROMA__URL`` names a ``chroma run`` server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import numpy as np

from rag.chunking import Chunk
from rag.corpus import Paper
from rag.errors import IndexMismatchError, IndexMissingError, LitrevError, StoreUnavailableError
from rag.offline import go_offline
from rag.settings import Settings

_PAGE = 2_000


@dataclass(frozen=True, slots=True)
class ChunkHit:
    chunk_id: str
    paper_id: str
    text: str
    start: int
    end: int
    score: float


def _client(settings: Settings) -> Any:
    go_offline()
    import chromadb

    chroma_settings = chromadb.Settings(anonymized_telemetry=False)
    if settings.chroma.url is None:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    url = urlparse(settings.chroma.url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise LitrevError(f"chroma.url must look like http://HOST:PORT, got {settings.chroma.url!r}")
    try:
        client = chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
        client.heartbeat()
    except Exception as error:  # chromadb raises assorted transport errors here
        raise StoreUnavailableError(
            f"cannot reach the Chroma server at {settings.chroma.url}: {type(error).__name__}: {error}"
        ) from None
    return client


def _paper_metadata(paper: Paper) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        "paper": json.dumps(paper.to_dict(), ensure_ascii=False),
        "content_hash": paper.content_hash,
        "title": paper.title,
    }
    return metadata


def _chunk_metadata(chunk: Chunk, paper: Paper) -> dict[str, Any]:
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


class Store:
    """Reads and writes litrev's two Chroma collections."""

    def __init__(self, settings: Settings, *, model: str, create: bool) -> None:
        self.settings = settings
        self.model = model
        self.client = _client(settings)
        base = settings.chroma.collection
        self._names = (f"{base}-chunks", f"{base}-papers")
        existing = {c.name if hasattr(c, "name") else c for c in self.client.list_collections()}
        if not create and not all(name in existing for name in self._names):
            raise IndexMissingError(f"no index at {self.location}; run `litrev ingest` first")
        metadata = {"embedding_model": model}
        self.chunks, self.papers = (
            self.client.get_or_create_collection(
                name,
                configuration={"hnsw": {"space": "cosine"}},
                metadata=metadata,
                embedding_function=None,
            )
            for name in self._names
        )
        self._check_model()
        self._chunk_total: int | None = None

    @property
    def location(self) -> str:
        return self.settings.chroma.url or str(self.settings.chroma_dir)

    def _check_model(self, dim: int | None = None) -> None:
        """Refuse an index built by another model (by name, and by dimension once vectors flow)."""
        built = self.chunks.metadata or {}
        built_dim = built.get("embedding_dim")
        if built.get("embedding_model") != self.model or (dim and built_dim and built_dim != dim):
            raise IndexMismatchError(
                f"the index at {self.location} was built with embedding model "
                f"{built.get('embedding_model')!r} ({built_dim} dims) but litrev is set to use "
                f"{self.model!r}{f' ({dim} dims)' if dim else ''}; set "
                f"LITREV_EMBEDDING__MODEL={built.get('embedding_model')} or rebuild with "
                "`litrev ingest --rebuild`"
            )
        if dim and not built_dim:
            for collection in (self.chunks, self.papers):
                collection.modify(metadata={"embedding_model": self.model, "embedding_dim": dim})

    def drop(self) -> None:
        """Delete both collections (for a rebuild with another model)."""
        for name in self._names:
            try:
                self.client.delete_collection(name)
            except Exception:
                continue

    # -- papers ---------------------------------------------------------------------------------

    def paper_count(self) -> int:
        return int(self.papers.count())

    def chunk_count(self) -> int:
        return int(self.chunks.count())

    def content_hashes(self, paper_ids: Sequence[str]) -> dict[str, str]:
        """The stored content hash of each of these papers that is fully indexed."""
        hashes: dict[str, str] = {}
        for start in range(0, len(paper_ids), _PAGE):
            got = self.papers.get(ids=list(paper_ids[start : start + _PAGE]), include=["metadatas"])
            for paper_id, metadata in zip(got["ids"], got["metadatas"] or [], strict=True):
                hashes[paper_id] = str(metadata["content_hash"])
        return hashes

    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        if not paper_ids:
            return {}
        got = self.papers.get(ids=list(dict.fromkeys(paper_ids)), include=["metadatas"])
        return {
            paper_id: paper_from_metadata(metadata)
            for paper_id, metadata in zip(got["ids"], got["metadatas"] or [], strict=True)
        }

    def iter_papers(self) -> Iterator[Paper]:
        offset = 0
        while True:
            got = self.papers.get(include=["metadatas"], limit=_PAGE, offset=offset)
            if not got["ids"]:
                return
            for metadata in got["metadatas"] or []:
                yield paper_from_metadata(metadata)
            offset += len(got["ids"])

    def paper_vectors(self, paper_ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not paper_ids:
            return {}
        got = self.papers.get(ids=list(dict.fromkeys(paper_ids)), include=["embeddings"])
        return {
            paper_id: np.asarray(vector, dtype=np.float32)
            for paper_id, vector in zip(got["ids"], got["embeddings"], strict=True)
        }

    # -- writing --------------------------------------------------------------------------------

    def write(self, papers: Sequence[Paper], chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Index papers with their chunks and chunk vectors, replacing older versions.

        Order matters for crash safety: new chunks, then stale chunks removed, then the paper
        records that mark the papers as done.
        """
        self._chunk_total = None
        if len(vectors):
            self._check_model(int(vectors.shape[1]))
        by_id = {paper.id: paper for paper in papers}
        batch = self.client.get_max_batch_size()
        for start in range(0, len(chunks), batch):
            part = chunks[start : start + batch]
            self.chunks.upsert(
                ids=[chunk.id for chunk in part],
                embeddings=vectors[start : start + batch],
                documents=[chunk.text for chunk in part],
                metadatas=[_chunk_metadata(chunk, by_id[chunk.paper_id]) for chunk in part],
            )
        for paper in papers:
            self.chunks.delete(
                where={"$and": [{"paper_id": paper.id}, {"content_hash": {"$ne": paper.content_hash}}]}
            )
        paper_vectors = _mean_vectors(papers, chunks, vectors)
        for start in range(0, len(papers), batch):
            part = papers[start : start + batch]
            self.papers.upsert(
                ids=[paper.id for paper in part],
                embeddings=paper_vectors[start : start + batch],
                documents=[paper.abstract for paper in part],
                metadatas=[_paper_metadata(paper) for paper in part],
            )

    def delete_papers(self, paper_ids: Sequence[str]) -> None:
        """Remove papers and their chunks (the paper records first, so none counts as indexed)."""
        self._chunk_total = None
        for start in range(0, len(paper_ids), _PAGE):
            part = list(paper_ids[start : start + _PAGE])
            self.papers.delete(ids=part)
            self.chunks.delete(where={"paper_id": {"$in": part}})

    # -- reading chunks -------------------------------------------------------------------------

    def query(self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None) -> list[ChunkHit]:
        """The ``n`` chunks nearest to ``vector``, best first, scored by cosine similarity."""
        if self._chunk_total is None:
            self._chunk_total = self.chunk_count()
        if self._chunk_total == 0:
            return []
        self._check_model(int(vector.shape[0]))
        got = self.chunks.query(
            query_embeddings=[vector],
            n_results=min(n, self._chunk_total),
            where=where,
            include=["documents", "metadatas", "distances"],
        )
        return [
            ChunkHit(chunk_id, meta["paper_id"], text, meta["start"], meta["end"], 1.0 - float(distance))
            for chunk_id, text, meta, distance in zip(
                got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0], strict=True
            )
        ]

    def iter_chunks(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every chunk as (id, text, metadata), page by page."""
        offset = 0
        while True:
            got = self.chunks.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            if not got["ids"]:
                return
            yield from zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            offset += len(got["ids"])


def _mean_vectors(papers: Sequence[Paper], chunks: Sequence[Chunk], vectors: np.ndarray) -> np.ndarray:
    dim = vectors.shape[1] if len(vectors) else 0
    sums = {paper.id: np.zeros(dim, dtype=np.float32) for paper in papers}
    for chunk, vector in zip(chunks, vectors, strict=True):
        sums[chunk.paper_id] += vector
    means = np.stack([sums[paper.id] for paper in papers]) if papers else np.zeros((0, dim))
    norms = np.linalg.norm(means, axis=1, keepdims=True)
    return (means / np.where(norms == 0, 1, norms)).astype(np.float32)
