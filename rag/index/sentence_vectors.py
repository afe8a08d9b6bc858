"""Sentence vectors of the library's abstracts and PDFs, computed once at ingest and read back for
the judge.

Ingest embeds every sentence of every new or changed abstract with the same model as the chunks
and keeps the vectors in ``LITREV_HOME/sentences.sqlite3`` (:class:`SentenceFile`), one row per
paper version (paper id, content hash, model) with its sentence spans and float16 vectors, written
before the batch's paper records reach Chroma. A paper's PDF has a row of its own in ``bodies``
(paper id, the PDF's digest, model): its passages (page, section, kind, text), each sentence's
passage and span, and their vectors; so editing a paper's metadata does not embed its PDF again.
So judging a question or a claim embeds only the question or the claim itself.

The file is derived state beside the index, like the BM25 index (and, with a Chroma server, kept
on the client): no nearest-neighbour search runs over sentences, so they need no vector index, and
a file that cannot be read is set aside and refilled rather than trusted. :class:`SentenceVectors`
reads it for the papers the judge looks at; a paper whose vectors are not there (an index built
before they were stored, a damaged file, a paper from a .bib) has its sentences embedded on the
spot, so the judgement is the same either way, only slower. The next ingest stores what is missing.
The papers read last are kept in memory (:data:`CACHED_PAPERS`).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rag.errors import IndexWriteError
from rag.grounding.evidence import PaperSentences
from rag.sources.body_text import Passage
from rag.sources.body_text import sentence_spans as body_sentence_spans
from rag.sources.sentences import sentence_spans

if TYPE_CHECKING:
    from rag.index.embedding import Embedder
    from rag.sources.corpus import Paper

logger = logging.getLogger(__name__)

CACHED_PAPERS = 2_048
"""Papers whose sentences (and what the judge read off them) are kept in memory..."""
CACHED_SENTENCES = 100_000
"""... unless they hold more sentences than this (a PDF's body has hundreds): about 150 MB."""
_SCHEMA = """
create table if not exists sentences (
    paper_id text not null, content_hash text not null, model text not null,
    spans text not null, vectors blob not null, primary key (paper_id, content_hash, model)
);
create table if not exists complete (model text primary key);
create table if not exists bodies (
    paper_id text not null, fulltext text not null, model text not null, passages text not null,
    spans text not null, vectors blob not null, primary key (paper_id, fulltext, model)
)
"""
Body = tuple[list[Passage], list[tuple[int, int, int]], np.ndarray]
"""A paper's body as stored: its passages, each sentence's (passage, start, end), their vectors."""


def spans_of(paper: Paper) -> list[tuple[int, int]]:
    """The sentence spans of the abstract (the whole abstract when it has no sentence break)."""
    return sentence_spans(paper.abstract) or ([(0, len(paper.abstract))] if paper.abstract else [])


def texts_of(papers: Sequence[Paper]) -> list[str]:
    """Every sentence of these papers' abstracts, in order."""
    return [paper.abstract[s:e] for paper in papers for s, e in spans_of(paper)]


def body_spans(passages: Sequence[Passage]) -> list[tuple[int, int, int]]:
    """(passage, start, end) of every sentence of a body, in order."""
    return [
        (at, start, end)
        for at, passage in enumerate(passages)
        for start, end in (body_sentence_spans(passage.text) or [(0, len(passage.text))])
    ]


def body_texts(bodies: Sequence[Sequence[Passage]]) -> list[str]:
    """Every sentence of these bodies, in order."""
    return [body[at].text[s:e] for body in bodies for at, s, e in body_spans(body)]


class SentenceFile:
    """The stored sentence vectors of one library (see the module docstring)."""

    def __init__(self, path: Path, model: str) -> None:
        self.path = path
        self.model = model
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30)
        connection.executescript(_SCHEMA)
        return connection

    def put(self, papers: Sequence[Paper], vectors: np.ndarray) -> None:
        """Store the sentences of ``papers`` (``vectors``: one row per sentence, in order)."""
        rows, at = [], 0
        for paper in papers:
            spans = spans_of(paper)
            block = np.asarray(vectors[at : at + len(spans)], dtype=np.float16)
            at += len(spans)
            rows.append((paper.id, paper.content_hash, self.model, json.dumps(spans), block.tobytes()))
        try:
            with self._lock, self._connect() as connection:
                connection.executemany("insert or replace into sentences values (?, ?, ?, ?, ?)", rows)
        except sqlite3.Error as error:
            raise IndexWriteError(f"cannot write the sentence vectors to {self.path}: {error}") from None

    def get(self, papers: Sequence[Paper]) -> dict[str, tuple[list[tuple[int, int]], np.ndarray]]:
        """Stored spans and vectors of these papers' current versions (the others are left out)."""
        wanted = {paper.id: paper.content_hash for paper in papers}
        rows = self._rows_of("select paper_id, content_hash, spans, vectors from sentences", wanted)
        found = {}
        for paper_id, content_hash, spans, blob in rows:
            if wanted.get(paper_id) == content_hash:
                vectors = (
                    np.frombuffer(blob, dtype=np.float16)
                    .astype(np.float32)
                    .reshape(len(json.loads(spans)), -1)
                )
                found[paper_id] = ([(int(s), int(e)) for s, e in json.loads(spans)], vectors)
        return found

    def put_bodies(self, items: Sequence[tuple[Paper, Sequence[Passage]]], vectors: np.ndarray) -> None:
        """Store the body sentences of these papers' PDFs (``vectors``: :func:`body_texts`'s order)."""
        rows, at = [], 0
        for paper, passages in items:
            spans = body_spans(passages)
            block = np.asarray(vectors[at : at + len(spans)], dtype=np.float16)
            at += len(spans)
            kept = json.dumps(
                [[p.page, p.section, p.kind, p.text, p.turns] for p in passages], ensure_ascii=False
            )
            rows.append((paper.id, paper.fulltext, self.model, kept, json.dumps(spans), block.tobytes()))
        self._write("insert or replace into bodies values (?, ?, ?, ?, ?, ?)", rows)

    def get_bodies(self, papers: Sequence[Paper]) -> dict[str, Body]:
        """The stored bodies of these papers' PDFs (papers without full text, or not stored, left out)."""
        wanted = {paper.id: paper.fulltext for paper in papers if paper.fulltext}
        rows = self._rows_of("select paper_id, fulltext, passages, spans, vectors from bodies", wanted)
        found = {}
        for paper_id, fulltext, passages, spans, blob in rows:
            if wanted.get(paper_id) == fulltext:
                where = [(int(a), int(s), int(e)) for a, s, e in json.loads(spans)]
                body = [
                    Passage(int(page), section, text, kind, tuple((int(o), int(p)) for o, p in turns))
                    for page, section, kind, text, turns in json.loads(passages)
                ]
                vectors = np.frombuffer(blob, dtype=np.float16).astype(np.float32).reshape(len(where), -1)
                found[paper_id] = (body, where, vectors)
        return found

    def stored_bodies(self) -> set[tuple[str, str]]:
        """(paper id, PDF digest) of every stored body for this model."""
        return self._pairs("select paper_id, fulltext from bodies where model = ?")

    def forget_bodies(self, current: dict[str, str | None]) -> None:
        """Delete the bodies of these papers other than their current PDF's (None: all of them)."""
        rows = [(pid, digest or "", self.model) for pid, digest in current.items()]
        self._write("delete from bodies where paper_id = ? and fulltext != ? and model = ?", rows)

    def stored(self) -> set[tuple[str, str]]:
        """(paper id, content hash) of every stored paper version for this model."""
        return self._pairs("select paper_id, content_hash from sentences where model = ?")

    def _rows_of(self, select: str, wanted: dict[str, Any]) -> list[tuple[Any, ...]]:
        """The rows of ``select`` (a table's columns) for this model and the papers ``wanted``;
        none when the file is missing or damaged (then set aside, to be filled again)."""
        if not wanted or not self.path.exists():
            return []
        marks = ",".join("?" * len(wanted))
        try:
            with self._lock, self._connect() as connection:
                query = f"{select} where model = ? and paper_id in ({marks})"
                return connection.execute(query, [self.model, *wanted]).fetchall()
        except sqlite3.Error as error:
            self._set_aside(error)
            return []

    def _pairs(self, query: str) -> set[tuple[str, str]]:
        if not self.path.exists():
            return set()
        try:
            with self._lock, self._connect() as connection:
                return set(connection.execute(query, [self.model]))
        except sqlite3.Error as error:
            self._set_aside(error)
            return set()

    def forget(self, current: dict[str, str | None]) -> None:
        """Delete the rows of these papers other than their current version (None: all of them,
        their bodies too)."""
        rows = [(pid, digest or "", self.model) for pid, digest in current.items()]
        self._write("delete from sentences where paper_id = ? and content_hash != ? and model = ?", rows)
        self.forget_bodies({pid: None for pid, digest in current.items() if digest is None})

    def is_complete(self) -> bool:
        """Whether every indexed paper was known to have its sentences stored (:meth:`mark_complete`)."""
        if not self.path.exists():
            return False
        try:
            with self._lock, self._connect() as connection:
                return (
                    connection.execute("select 1 from complete where model = ?", [self.model]).fetchone()
                    is not None
                )
        except sqlite3.Error as error:
            self._set_aside(error)
            return False

    def mark_complete(self) -> None:
        self._write("insert or replace into complete values (?)", [(self.model,)])

    def _write(self, statement: str, rows: list[tuple[str, ...]]) -> None:
        try:
            with self._lock, self._connect() as connection:
                connection.executemany(statement, rows)
        except sqlite3.Error as error:
            raise IndexWriteError(f"cannot update the sentence vectors in {self.path}: {error}") from None

    def _set_aside(self, error: sqlite3.Error) -> None:
        """A file that cannot be read is moved aside (it is derived state) and refilled by ingest."""
        damaged = self.path.with_name(self.path.name + ".damaged")
        logger.warning(
            "sentence vectors at %s unreadable (%s); set aside as %s", self.path, error, damaged.name
        )
        try:
            self.path.replace(damaged)
        except OSError:
            return


class SentenceVectors:
    """Papers' sentences with vectors: from the file, else embedded now (see the module docstring)."""

    def __init__(
        self,
        embedder: Embedder,
        file: SentenceFile | None = None,
        passages_of: Callable[[Paper], list[Passage]] | None = None,
    ) -> None:
        self.embedder = embedder
        self.file = file
        self.passages_of = passages_of
        """The body passages the index holds for a paper with full text (read when not stored)."""
        self._cached_sentences = 0
        self._cache: OrderedDict[tuple[str, str], PaperSentences] = OrderedDict()
        self._lock = threading.Lock()
        self.embedded_now = 0
        """Sentences embedded at question time because the file had no vectors for them."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.embed(list(texts))

    def sentences(self, papers: Sequence[Paper]) -> list[PaperSentences]:
        keys = [(paper.id, paper.content_hash) for paper in papers]  # a hash is computed, not kept
        found: dict[tuple[str, str], PaperSentences] = {}
        with self._lock:
            for key in keys:
                if key in self._cache:
                    self._cache.move_to_end(key)
                    found[key] = self._cache[key]
        missing = {key: paper for key, paper in zip(keys, papers, strict=True) if key not in found}
        if missing:
            kept = self.file.get(list(missing.values())) if self.file is not None else {}
            absent = [paper for paper in missing.values() if paper.id not in kept]
            for key, paper in missing.items():
                if paper.id in kept:
                    spans, vectors = kept[paper.id]
                    found[key] = PaperSentences(paper, spans, vectors)
            for paper, item in zip(absent, self._embed_now(absent), strict=True):
                found[(paper.id, paper.content_hash)] = item
            self._add_bodies([p for p in missing.values() if p.fulltext], found)
            with self._lock:
                for key in missing:
                    self._cache[key] = found[key]
                    self._cached_sentences += len(found[key].spans)
                while len(self._cache) > CACHED_PAPERS or self._cached_sentences > CACHED_SENTENCES:
                    self._cached_sentences -= len(self._cache.popitem(last=False)[1].spans)
        return [found[key] for key in keys]

    def _add_bodies(self, papers: Sequence[Paper], found: dict[tuple[str, str], PaperSentences]) -> None:
        """Append the body sentences of papers with full text to their abstracts' (stored, else read
        from the index and embedded now)."""
        if not papers:
            return
        kept = self.file.get_bodies(papers) if self.file is not None else {}
        for paper in papers:
            body = kept.get(paper.id) or self._embed_body(paper)
            if body is None:
                continue
            passages, spans, vectors = body
            abstract = found[(paper.id, paper.content_hash)]
            found[(paper.id, paper.content_hash)] = PaperSentences(
                paper,
                [*abstract.spans, *((start, end) for _, start, end in spans)],
                np.vstack([abstract.vectors, vectors]).astype(np.float32),
                passages,
                [-1] * len(abstract.spans) + [at for at, _, _ in spans],
            )

    def _embed_body(self, paper: Paper) -> Body | None:
        passages = self.passages_of(paper) if self.passages_of is not None else []
        if not passages:
            return None
        texts = body_texts([passages])
        self.embedded_now += len(texts)
        return passages, body_spans(passages), self.embedder.embed(texts)

    def _embed_now(self, papers: Sequence[Paper]) -> list[PaperSentences]:
        texts = texts_of(papers)
        vectors = self.embedder.embed(texts) if texts else np.zeros((0, self.embedder.dim), dtype=np.float32)
        self.embedded_now += len(texts)
        out, at = [], 0
        for paper in papers:
            spans = spans_of(paper)
            out.append(PaperSentences(paper, spans, vectors[at : at + len(spans)]))
            at += len(spans)
        return out
