"""The Chroma side of the index: one collection of chunks, one of papers.

- ``<name>-chunks``: one record per chunk; metadata = paper id, character span in the abstract,
  and the paper fields used by filters (year, venue, source, tags). Its vector is the chunk's.
- ``<name>-papers``: one record per paper; metadata = the paper as JSON and its content hash.
  Its vector is the normalised mean of its chunks' vectors. A paper record is written only after
  its chunks, so it doubles as the "this paper is fully indexed" marker that makes ingest resumable.
- ``<name>-passages``: the body passages of papers with full text (:mod:`rag.index.passage_store`).

No record stores a document (a chunk's text is its span of the abstract; Chroma's full-text index
of documents, which nothing queries, cost a third of the write time); older indexes read the same.

Both collections record the embedding model and dimension that built them; opening them with
another model raises :class:`~rag.errors.IndexMismatchError`.

Embedded ``PersistentClient`` under ``LITREV_HOME`` by default; ``HttpClient`` when
``LITREV_CHROMA__URL`` names a ``chroma run`` server.

Integrity:

- a chunk counts only while its paper record exists with the same content hash: queries skip
  any other chunk, and :meth:`Store.repair` (run by the next ingest after an interrupted one)
  deletes them, and deletes paper records left without chunks so the ingest re-adds them;
- :meth:`Store.beside` opens an empty index next to the live one and :meth:`Store.replace_live`
  swaps it in when it is complete, so ``ingest --rebuild`` never needs (or loses) the old index;
- chromadb's and SQLite's exceptions become litrev's in one place, :mod:`rag.index.chroma_client`: a
  damaged file says which file and how to rebuild, a full disk says so in one line.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import (
    IndexMismatchError,
    IndexMissingError,
    IndexWriteError,
)
from rag.index.chroma_client import chroma_errors, open_client, translated
from rag.index.chunking import Chunk
from rag.index.passage_store import KIND as PASSAGES
from rag.index.passage_store import PassageStore
from rag.index.rebuild import REBUILD, forget_clients, rebuild_dir, swap_in
from rag.index.records import chunk_metadata, mean_vectors, paper_from_metadata, paper_metadata
from rag.settings import Settings
from rag.sources.corpus import Paper

_PAGE = 2_000
KINDS = ("chunks", "papers")
"""The collections of one index, ``<name>-<kind>``."""
DIGEST = "papers_digest"
"""Key of the papers collection's metadata that holds the digest of its papers (see
:meth:`Store.recorded_digest`), or :data:`_WRITING` while an ingest writes."""
_WRITING = "writing"


@dataclass(frozen=True, slots=True)
class ChunkHit:
    chunk_id: str
    paper_id: str
    start: int
    end: int
    score: float


def index_source(settings: Settings) -> str:
    """Names the live index: its location and collection (what derived state was built from)."""
    return f"{settings.chroma.url or settings.chroma_dir}#{settings.chroma.collection}"


class Store:
    """Reads and writes litrev's two Chroma collections."""

    def __init__(
        self,
        settings: Settings,
        *,
        model: str,
        create: bool,
        path: Path | None = None,
        base: str | None = None,
    ) -> None:
        self.settings = settings
        self.model = model
        self.path = None if settings.chroma.url else (path or settings.chroma_dir)
        self.base = base or settings.chroma.collection
        with self.errors(), self._forgotten_if_failed():
            self.client = open_client(settings, self.path)
            self._names = tuple(f"{self.base}-{kind}" for kind in KINDS)
            if settings.chroma.url and self.base == settings.chroma.collection:
                self._finish_collection_swap()
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
            self.passages = PassageStore(self.client, self.base, self.papers, metadata, existing, self.errors)
        self._check_model()
        self._chunk_total: int | None = None

    @contextmanager
    def _forgotten_if_failed(self) -> Iterator[None]:
        """A client that failed to open must not be reused by the next open in this process."""
        try:
            yield
        except BaseException:
            if self.path is not None:
                forget_clients(self.path, stop=False)  # it may not have started: drop it only
            raise

    @property
    def location(self) -> str:
        return self.settings.chroma.url or str(self.path)

    @property
    def source(self) -> str:
        """Like :func:`index_source` (equal to it for the live index)."""
        return f"{self.location}#{self.base}"

    def errors(self) -> Any:
        return chroma_errors(self.location, self.path)

    @translated
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

    # -- rebuilding beside the live index -------------------------------------------------------

    @classmethod
    def beside(cls, settings: Settings, *, model: str) -> Store:
        """A new, empty index next to the live one (which is not opened, so it may be damaged)."""
        if settings.chroma.url is None:
            path = rebuild_dir(settings.chroma_dir)
            shutil.rmtree(path, ignore_errors=True)  # leftovers of an earlier, interrupted rebuild
            return cls(settings, model=model, create=True, path=path)
        base = settings.chroma.collection + REBUILD
        cls(settings, model=model, create=True, base=base).drop()
        return cls(settings, model=model, create=True, base=base)

    def replace_live(self) -> Store:
        """Make this (complete) index the live one, deleting the old; returns the live store.

        Embedded: folders are swapped (:mod:`rag.index.rebuild`); server mode: the live collections
        are deleted and the rebuilt ones renamed, completed by the next open if interrupted.
        """
        settings = self.settings
        if self.path is not None:
            with self.errors():
                swap_in(self.path, settings.chroma_dir)
        else:
            with self.errors():
                for name in (f"{settings.chroma.collection}-{kind}" for kind in (*KINDS, PASSAGES)):
                    if name in {c.name if hasattr(c, "name") else c for c in self.client.list_collections()}:
                        self.client.delete_collection(name)
                self._finish_collection_swap()
        return Store(settings, model=self.model, create=False)

    def _finish_collection_swap(self) -> None:
        """Server mode: rename rebuilt collections into place once the live ones are gone."""
        live = self.settings.chroma.collection
        existing = {c.name if hasattr(c, "name") else c for c in self.client.list_collections()}
        for kind in (*KINDS, PASSAGES):
            built = f"{live}{REBUILD}-{kind}"
            if f"{live}-{kind}" not in existing and built in existing:
                self.client.get_collection(built).modify(name=f"{live}-{kind}")

    @translated
    def drop(self) -> None:
        """Delete both collections."""
        existing = {c.name if hasattr(c, "name") else c for c in self.client.list_collections()}
        for name in (*self._names, f"{self.base}-{PASSAGES}"):
            if name in existing:
                self.client.delete_collection(name)

    # -- papers ---------------------------------------------------------------------------------

    @translated
    def recorded_digest(self) -> str | None:
        """The digest of the papers (:func:`rag.index.lexical.papers_digest`) that the last complete write
        recorded; None while a write is in progress, after an interrupted one, or when none did."""
        papers = self.client.get_collection(self._names[1], embedding_function=None)
        value = (papers.metadata or {}).get(DIGEST)
        return value if isinstance(value, str) and value != _WRITING else None

    @translated
    def record_digest(self, digest: str | None) -> None:
        """Record the papers' digest once a write is complete; None (before a write) clears it."""
        papers = self.client.get_collection(self._names[1], embedding_function=None)
        papers.modify(metadata={**(papers.metadata or {}), DIGEST: digest or _WRITING})

    @translated
    def paper_count(self) -> int:
        return int(self.papers.count())

    @translated
    def chunk_count(self) -> int:
        return int(self.chunks.count())

    @translated
    def content_hashes(self, paper_ids: Sequence[str]) -> dict[str, str]:
        """The stored content hash of each of these papers that is fully indexed."""
        hashes: dict[str, str] = {}
        for start in range(0, len(paper_ids), _PAGE):
            got = self.papers.get(ids=list(paper_ids[start : start + _PAGE]), include=["metadatas"])
            for paper_id, metadata in zip(got["ids"], got["metadatas"] or [], strict=True):
                hashes[paper_id] = str(metadata["content_hash"])
        return hashes

    @translated
    def get_papers(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        if not paper_ids:
            return {}
        got = self.papers.get(ids=list(dict.fromkeys(paper_ids)), include=["metadatas"])
        return {
            paper_id: paper_from_metadata(metadata)
            for paper_id, metadata in zip(got["ids"], got["metadatas"] or [], strict=True)
        }

    @translated
    def iter_papers(self) -> Iterator[Paper]:
        for _, metadata in self.pages(self.papers, ["metadatas"]):
            yield paper_from_metadata(metadata)

    @translated
    def paper_vectors(self, paper_ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not paper_ids:
            return {}
        got = self.papers.get(ids=list(dict.fromkeys(paper_ids)), include=["embeddings"])
        return {
            paper_id: np.asarray(vector, dtype=np.float32)
            for paper_id, vector in zip(got["ids"], got["embeddings"], strict=True)
        }

    # -- writing --------------------------------------------------------------------------------

    @translated
    def write(self, papers: Sequence[Paper], chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        """Index papers with their chunks and chunk vectors, replacing older versions.

        Order matters for crash safety: new chunks, checked to be readable, then stale chunks
        removed, then the paper records that mark the papers as done. A chunk whose paper record
        is missing or has another content hash never counts (see :meth:`query`, :meth:`repair`).
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
                metadatas=[chunk_metadata(chunk, by_id[chunk.paper_id]) for chunk in part],
            )
        for start in range(0, len(chunks), batch):
            ids = [chunk.id for chunk in chunks[start : start + batch]]
            stored = set(self.chunks.get(ids=ids, include=[])["ids"])
            if missing := [chunk_id for chunk_id in ids if chunk_id not in stored]:
                raise IndexWriteError(
                    f"the index at {self.location} did not keep {len(missing)} chunks just written "
                    f"(first: {missing[0]}); their papers were not marked as indexed"
                )
        self._delete_stale(self.chunks, papers, batch)
        self.passages.delete_stale(papers)
        paper_vectors = mean_vectors(papers, chunks, vectors)
        for start in range(0, len(papers), batch):
            part = papers[start : start + batch]
            self.papers.upsert(
                ids=[paper.id for paper in part],
                embeddings=paper_vectors[start : start + batch],
                metadatas=[paper_metadata(paper) for paper in part],
            )

    def _delete_stale(self, collection: Any, papers: Sequence[Paper], batch: int) -> None:
        """Delete the chunks of earlier versions of these papers (one read per batch of papers)."""
        now = {paper.id: paper.content_hash for paper in papers}
        ids = list(now)
        for start in range(0, len(ids), batch):
            where = {"paper_id": {"$in": ids[start : start + batch]}}
            got = collection.get(where=where, include=["metadatas"])
            rows = zip(got["ids"], got["metadatas"] or [], strict=True)
            stale = [cid for cid, meta in rows if meta.get("content_hash") != now.get(meta.get("paper_id"))]
            for first in range(0, len(stale), batch):
                collection.delete(ids=stale[first : first + batch])

    @translated
    def delete_papers(self, paper_ids: Sequence[str]) -> None:
        """Remove papers and their chunks (the paper records first, so none counts as indexed)."""
        self._chunk_total = None
        for start in range(0, len(paper_ids), _PAGE):
            part = list(paper_ids[start : start + _PAGE])
            self.papers.delete(ids=part)
            self.chunks.delete(where={"paper_id": {"$in": part}})
            self.passages.delete(part)

    @translated
    def repair(self) -> tuple[int, int]:
        """Delete chunks whose paper record is missing or has another content hash, and paper
        records left with no chunk of their own version (the next ingest re-adds them).

        Returns ``(chunks_removed, papers_removed)``; reads every chunk's metadata, so it runs
        only after an interrupted ingest.
        """
        self._chunk_total = None
        records = dict(self.pages(self.papers, ["metadatas"]))
        hashes = {pid: str(meta["content_hash"]) for pid, meta in records.items()}
        orphans: list[str] = []
        covered: set[str] = set()
        for chunk_id, meta in self.pages(self.chunks, ["metadatas"]):
            if hashes.get(str(meta.get("paper_id"))) == meta.get("content_hash"):
                covered.add(str(meta["paper_id"]))
            else:
                orphans.append(chunk_id)
        bare = [paper_id for paper_id in hashes if paper_id not in covered]
        for collection, ids in ((self.chunks, orphans), (self.papers, bare)):
            for start in range(0, len(ids), _PAGE):
                collection.delete(ids=ids[start : start + _PAGE])
        kept = records.keys() - set(bare)
        fulltexts = {pid: paper_from_metadata(records[pid]).fulltext or "" for pid in kept}
        return len(orphans) + self.passages.repair(fulltexts), len(bare)

    def pages(self, collection: Any, include: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, metadata) of every record, page by page (ids only if ``include`` is empty)."""
        offset = 0
        while True:
            got = collection.get(include=include, limit=_PAGE, offset=offset)
            if not got["ids"]:
                return
            yield from zip(got["ids"], got["metadatas"] or [{}] * len(got["ids"]), strict=True)
            offset += len(got["ids"])

    # -- reading chunks -------------------------------------------------------------------------

    @translated
    def query(self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None) -> list[ChunkHit]:
        """The ``n`` chunks nearest to ``vector``, best first, scored by cosine similarity.

        Only chunks whose paper record exists with the chunk's content hash count: a chunk left
        by an interrupted ingest, or deleted by an ingest in another process while this one
        reads, is skipped (and more are fetched in its place).
        """
        if self._chunk_total is None:
            self._chunk_total = self.chunk_count()
        if self._chunk_total == 0:
            return []
        self._check_model(int(vector.shape[0]))
        want = min(n, self._chunk_total)
        while True:
            got = self.chunks.query(
                query_embeddings=[vector],
                n_results=want,
                where=where,
                include=["metadatas", "distances"],
            )
            rows = list(zip(got["ids"][0], got["metadatas"][0], got["distances"][0], strict=True))
            fetched, rows = len(rows), [row for row in rows if row[1]]  # none: deleted by another process
            hashes = self.content_hashes(list({meta["paper_id"] for _, meta, _ in rows}))
            valid = [row for row in rows if hashes.get(row[1]["paper_id"]) == row[1].get("content_hash")]
            if len(valid) >= n or fetched < want or want >= self._chunk_total:
                break  # enough, or nothing more to fetch (the filter or the index is exhausted)
            want = min(self._chunk_total, 2 * want)
        return [
            ChunkHit(chunk_id, meta["paper_id"], meta["start"], meta["end"], 1.0 - float(distance))
            for chunk_id, meta, distance in valid[:n]
        ]

    @translated
    def iter_chunks(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Every chunk as (id, metadata), page by page."""
        yield from self.pages(self.chunks, ["metadatas"])
