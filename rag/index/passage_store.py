"""The Chroma side of full text: body passages in a collection of their own, ``<name>-passages``.

One record per passage of a paper's PDF (:class:`~rag.sources.body_text.Passage`); its metadata:
the paper id, the digest of the PDF it was read from (``fulltext``), its index in the paper, page,
section, kind and text (Chroma stores no document, as for chunks), and the paper's filter fields
(year, venue, source, tags) as chunk records have them, so a filtered search filters passages
alike. Its vector is the passage's, the paper's title and the section's heading first
(:func:`passage_embedding_text`).

A collection of their own keeps a paper with hundreds of passages from crowding the abstract
chunks out of a search's candidates, and leaves a library without PDFs exactly as it was (the
collection is made by the first ingest that writes a passage).

Integrity, as for chunks: a passage counts only while its paper's record names its PDF
(``Paper.fulltext`` equals the passage's digest). Passages are written before the paper records
of their batch; a changed PDF's paper record then names the new digest, and the old passages are
deleted (:meth:`PassageStore.delete_stale`). Editing a paper's metadata leaves its passages as they
are: they belong to the PDF, not to the paper's other fields.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rag.errors import IndexWriteError
from rag.index.chroma_client import translated
from rag.index.records import passage_from_metadata, passage_metadata
from rag.sources.body_text import Passage
from rag.sources.paper import Paper

_PAGE = 2_000
KIND = "passages"
"""The collection's suffix: ``<name>-passages``."""


def passage_id(paper: Paper, index: int) -> str:
    """Ids change with the PDF, so a changed PDF never keeps stale passages under old ids."""
    return f"{paper.id}:{(paper.fulltext or '')[:8]}:p{index}"


def passage_embedding_text(passage: Passage, title: str) -> str:
    """What the encoder sees for a passage: the paper's title and the section give it context."""
    heading = passage.section.split(" ", 1)[-1] if passage.section[:1].isdigit() else passage.section
    return f"{title}. {heading}. {passage.text}" if heading else f"{title}. {passage.text}"


@dataclass(frozen=True, slots=True)
class PassageHit:
    passage_id: str
    paper_id: str
    index: int
    """The passage's place among its paper's passages."""
    passage: Passage
    score: float


class PassageStore:
    """Reads and writes the passages collection (``collection`` None: there is none yet)."""

    def __init__(
        self,
        client: Any,
        base: str,
        papers: Any,
        metadata: dict[str, Any],
        existing: set[str],
        errors: Callable[[], Any],
    ) -> None:
        self.client, self.name, self.papers, self.metadata = client, f"{base}-{KIND}", papers, metadata
        self.errors = errors
        """A context manager that turns chromadb's errors into litrev's (the store's)."""
        self.collection = (
            client.get_collection(self.name, embedding_function=None) if self.name in existing else None
        )
        self._total: int | None = None

    def _batch(self) -> int:
        return int(self.client.get_max_batch_size())

    @translated
    def count(self) -> int:
        return 0 if self.collection is None else int(self.collection.count())

    @translated
    def write(
        self, papers: Sequence[Paper], passages: Sequence[Sequence[Passage]], vectors: np.ndarray
    ) -> None:
        """Add each paper's passages (``vectors``: one row per passage, in order), checked to be
        readable; the paper records, written later, make them count."""
        self._total = None
        if self.collection is None:  # the first passages of this index
            self.collection = self.client.get_or_create_collection(
                self.name,
                configuration={"hnsw": {"space": "cosine"}},
                metadata=self.metadata,
                embedding_function=None,
            )
        ids, metadatas = [], []
        for paper, found in zip(papers, passages, strict=True):
            for index, passage in enumerate(found):
                ids.append(passage_id(paper, index))
                metadatas.append(passage_metadata(paper, index, passage))
        batch = self._batch()
        for start in range(0, len(ids), batch):
            self.collection.upsert(
                ids=ids[start : start + batch],
                embeddings=vectors[start : start + batch],
                metadatas=metadatas[start : start + batch],
            )
        for start in range(0, len(ids), batch):
            part = ids[start : start + batch]
            stored = set(self.collection.get(ids=part, include=[])["ids"])
            if missing := [pid for pid in part if pid not in stored]:
                raise IndexWriteError(
                    f"the index did not keep {len(missing)} passages just written (first: {missing[0]}); "
                    "their papers were not marked as indexed"
                )

    @translated
    def delete_stale(self, papers: Sequence[Paper]) -> None:
        """Delete the passages of these papers that are not of the PDF their record names."""
        if self.collection is None:
            return
        self._total = None
        now = {paper.id: paper.fulltext or "" for paper in papers}
        ids = list(now)
        batch = self._batch()
        for start in range(0, len(ids), batch):
            got = self.collection.get(
                where={"paper_id": {"$in": ids[start : start + batch]}}, include=["metadatas"]
            )
            rows = zip(got["ids"], got["metadatas"] or [], strict=True)
            stale = [pid for pid, meta in rows if meta.get("fulltext") != now.get(str(meta.get("paper_id")))]
            for first in range(0, len(stale), batch):
                self.collection.delete(ids=stale[first : first + batch])

    @translated
    def delete(self, paper_ids: Sequence[str]) -> None:
        if self.collection is not None and paper_ids:
            self._total = None
            self.collection.delete(where={"paper_id": {"$in": list(paper_ids)}})

    @translated
    def repair(self, fulltexts: dict[str, str]) -> int:
        """Delete passages whose paper record is missing or names another PDF (``fulltexts``:
        paper id to the digest its record names); returns how many."""
        if self.collection is None:
            return 0
        self._total = None
        orphans = [
            pid for pid, meta in self._pages() if fulltexts.get(str(meta["paper_id"])) != meta["fulltext"]
        ]
        for start in range(0, len(orphans), _PAGE):
            self.collection.delete(ids=orphans[start : start + _PAGE])
        return len(orphans)

    def _pages(self, where: dict[str, Any] | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        offset = 0
        while True:
            got = self.collection.get(where=where, include=["metadatas"], limit=_PAGE, offset=offset)
            if not got["ids"]:
                return
            yield from zip(got["ids"], got["metadatas"] or [], strict=True)
            offset += len(got["ids"])

    @translated
    def passages_of(self, paper: Paper) -> list[Passage]:
        """The passages of ``paper``'s PDF, in order (none without full text)."""
        if self.collection is None or not paper.fulltext:
            return []
        where = {"$and": [{"paper_id": paper.id}, {"fulltext": paper.fulltext}]}
        rows = sorted(self._pages(where), key=lambda row: int(row[1]["index"]))
        return [passage_from_metadata(meta) for _, meta in rows]

    @translated
    def query(self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None) -> list[PassageHit]:
        """The ``n`` passages nearest to ``vector``, best first, scored by cosine similarity; only
        passages of the PDF their paper's record names count (others are skipped)."""
        if self._total is None:
            self._total = self.count()
        if not self._total:
            return []
        want = min(n, self._total)
        while True:
            got = self.collection.query(
                query_embeddings=[vector], n_results=want, where=where, include=["metadatas", "distances"]
            )
            rows = [
                row
                for row in zip(got["ids"][0], got["metadatas"][0], got["distances"][0], strict=True)
                if row[1]
            ]
            current = self.fulltexts({str(meta["paper_id"]) for _, meta, _ in rows})
            valid = [row for row in rows if current.get(str(row[1]["paper_id"])) == row[1]["fulltext"]]
            if len(valid) >= n or len(got["ids"][0]) < want or want >= self._total:
                break
            want = min(self._total, 2 * want)
        return [
            PassageHit(
                pid,
                str(meta["paper_id"]),
                int(meta["index"]),
                passage_from_metadata(meta),
                1.0 - float(distance),
            )
            for pid, meta, distance in valid[:n]
        ]

    def fulltexts(self, paper_ids: set[str]) -> dict[str, str]:
        """The PDF digest each of these papers' records names."""
        if not paper_ids:
            return {}
        got = self.papers.get(ids=list(paper_ids), include=["metadatas"])
        found = {}
        for paper_id, metadata in zip(got["ids"], got["metadatas"] or [], strict=True):
            digest = json.loads(metadata["paper"]).get("fulltext")
            if digest:
                found[paper_id] = digest
        return found
