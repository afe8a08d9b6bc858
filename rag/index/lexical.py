"""The BM25 side of the index (bm25s with a Snowball stemmer), one document per paper.

A paper's lexical document is its title (twice, because titles are strong evidence for "which
paper did X" lookups) and its abstract. The index is derived state in ``LITREV_HOME/lexical`` (also
in server mode, next to the client) that knows the id and content hash of every paper it was built
from. An ingest records in Chroma that it is writing before its first write and, at its end, reads
every paper back, rebuilds the index unless it was built from exactly those papers and records their
digest in Chroma (:meth:`rag.index.library.Library.refresh_lexical`): running it again repairs a stale
index even when no paper changed. :func:`open_lexical` trusts a saved index only when Chroma's
digest is the index's; otherwise it reads every paper and rebuilds unless they match. A damaged
file (its SHA-256 differs from ``manifest.json``'s) or a manifest of the wrong shape is named in a
warning and rebuilt; on a full disk the rebuilt index is used from memory and saved next time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import math
import os
import re
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from bm25s.stopwords import STOPWORDS_EN
from pydantic import BaseModel, ValidationError

from rag.errors import IndexDamagedError
from rag.grounding.evidence import TermStatistics
from rag.settings import describe
from rag.sources.corpus import Paper
from rag.sources.title_names import name_index, named_papers, title_name

_STALE = "STALE"
_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # bm25s.tokenize's default token pattern
_STOPWORDS = frozenset(STOPWORDS_EN)
_MANIFEST = "manifest.json"
_FORMAT = 3
"""Version of the saved index; an older one is rebuilt (2: facets carry the title's name; 3: the
content hash of each paper, and where the papers came from)."""
log = logging.getLogger(__name__)


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def lexical_text(paper: Paper) -> str:
    return f"{paper.title}\n{paper.title}\n{paper.abstract}"


@dataclass(frozen=True, slots=True)
class LexicalHit:
    paper_id: str
    score: float


class LexicalIndex:
    """BM25 over papers; scores are raw BM25 (unbounded, higher is better)."""

    def __init__(
        self,
        retriever: Any,
        paper_ids: list[str],
        facets: list[dict[str, Any]],
        doc_freq: dict[str, int] | None = None,
        content_hashes: list[str] | None = None,
    ) -> None:
        self._retriever = retriever
        self.paper_ids = paper_ids
        self.content_hashes = content_hashes or [""] * len(paper_ids)
        """The content hash of each paper as it was indexed (same order as ``paper_ids``)."""
        self.source = ""
        """Where the papers were read from (the Chroma index's location and collection)."""
        self.facets = facets
        self.doc_freq = doc_freq or {}
        self._stemmer = _stemmer()
        self._vocab: dict[str, int] = retriever.vocab_dict if retriever is not None else {}

    def __len__(self) -> int:
        return len(self.paper_ids)

    @property
    def digest(self) -> str:
        """The digest of the papers the index was built from (:func:`papers_digest`)."""
        return papers_digest(zip(self.paper_ids, self.content_hashes, strict=True))

    @classmethod
    def build(cls, papers: Iterable[Paper]) -> LexicalIndex:
        import bm25s

        papers = list(papers)
        if not papers:
            return cls(None, [], [])
        stemmer = _stemmer()
        tokens = bm25s.tokenize(
            [lexical_text(p) for p in papers], stopwords="en", stemmer=stemmer, show_progress=False
        )
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        facets = [
            {
                "year": p.year,
                "venue": p.venue,
                "source": p.source,
                "tags": p.labels,
                "name": title_name(p.title),
            }
            for p in papers
        ]
        term_of = {index: term for term, index in tokens.vocab.items()}
        doc_freq = Counter(term_of[i] for ids in tokens.ids for i in set(ids))
        hashes = [p.content_hash for p in papers]
        return cls(retriever, [p.id for p in papers], facets, dict(doc_freq), hashes)

    def idf(self, term: str) -> float:
        """Inverse document frequency; a term no paper uses gets the highest value."""
        return math.log((len(self.paper_ids) + 1) / (self.doc_freq.get(term, 0) + 0.5))

    def share(self, term: str) -> float:
        """The share of the library's papers that use ``term``."""
        return self.doc_freq.get(term, 0) / max(len(self.paper_ids), 1)

    def coverage(self, query: str, texts: Iterable[str]) -> float:
        """The largest share of the query's IDF weight that any one of ``texts`` contains: low when
        the question hinges on words no candidate paper uses ("near the field but not covered")."""
        terms = set(self.terms(query))
        total = sum(self.idf(term) for term in terms)
        if total == 0:
            return 0.0
        return max(
            (sum(self.idf(t) for t in terms.intersection(self.terms(text))) / total for text in texts),
            default=0.0,
        )

    def statistics(self, texts: Iterable[str]) -> TermStatistics:
        """The terms of each of ``texts`` with their IDF and share, read at once (per question)."""
        return TermStatistics.read(self, texts)

    def terms(self, text: str) -> list[str]:
        """The stemmed, stop-word-free terms of ``text``, exactly as ``bm25s.tokenize`` makes them."""
        words = [w for w in _TOKEN.findall(text.lower()) if w not in _STOPWORDS]
        return list(self._stemmer.stemWords(words))

    def search(self, query: str, n: int, mask: np.ndarray | None = None) -> list[LexicalHit]:
        """Top ``n`` papers by BM25; ``mask`` (0/1 per paper) restricts the candidates."""
        if self._retriever is None:
            return []
        tokens = [term for term in self.terms(query) if term in self._vocab]
        if not tokens:
            return []
        scores = np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)
        return self._top(scores, n, mask)

    def search_weighted(
        self, weights: dict[str, float], n: int, mask: np.ndarray | None = None
    ) -> list[LexicalHit]:
        """Top ``n`` papers by the weighted sum of each term's BM25 score (see :meth:`expand`)."""
        if self._retriever is None:
            return []
        ids = [self._vocab[term] for term in weights if term in self._vocab]
        if not ids:
            return []
        matrix = self._columns
        scores = np.zeros(len(self.paper_ids), dtype=np.float32)
        for term, weight in weights.items():
            if term in self._vocab:
                column = matrix[:, self._vocab[term]]
                scores[column.indices] += weight * column.data
        return self._top(scores, n, mask)

    def expand(self, query: str, feedback: dict[str, float], n_terms: int, share: float) -> dict[str, float]:
        """RM3-style query expansion from pseudo-relevant papers.

        ``feedback`` maps paper ids to their weight (e.g. first-pass scores). Each paper's terms
        are weighted by their BM25 contribution in that paper, normalised per paper, summed over
        the papers by their weight; the ``n_terms`` heaviest are mixed into the query's own terms
        with ``share`` of the total weight. Weights sum to the query's term count, so scores stay
        on the scale of a plain :meth:`search`.
        """
        query_terms = Counter(term for term in self.terms(query) if term in self._vocab)
        total = sum(query_terms.values())
        norm = sum(feedback.values())
        expansion: Counter[str] = Counter()
        if self._retriever is not None and norm > 0:
            for paper_id, weight in feedback.items():
                if paper_id not in self._row_of:
                    continue
                row = self._rows[self._row_of[paper_id]]
                if row.data.sum() <= 0:
                    continue
                for term_id, value in zip(row.indices, row.data / row.data.sum(), strict=True):
                    expansion[self._term_of[term_id]] += weight / norm * float(value)
        top = expansion.most_common(n_terms)
        top_total = sum(value for _, value in top)
        if not total or not top_total or share <= 0:
            return {term: float(count) for term, count in query_terms.items()}
        weights = {term: (1 - share) * count for term, count in query_terms.items()}
        for term, value in top:
            weights[term] = weights.get(term, 0.0) + share * total * value / top_total
        return weights

    def _top(self, scores: np.ndarray, n: int, mask: np.ndarray | None) -> list[LexicalHit]:
        if mask is not None:
            scores = np.where(mask > 0, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [LexicalHit(self.paper_ids[i], float(scores[i])) for i in top if scores[i] > 0]

    @cached_property
    def _columns(self) -> Any:
        """The BM25 score matrix as (papers x terms), column-sliceable."""
        import scipy.sparse

        scores = self._retriever.scores
        shape = (int(scores["num_docs"]), len(scores["indptr"]) - 1)
        return scipy.sparse.csc_matrix((scores["data"], scores["indices"], scores["indptr"]), shape=shape)

    @cached_property
    def _rows(self) -> Any:
        """The same matrix, row-sliceable (a paper's terms)."""
        return self._columns.tocsr()

    @cached_property
    def _row_of(self) -> dict[str, int]:
        return {paper_id: i for i, paper_id in enumerate(self.paper_ids)}

    @cached_property
    def _term_of(self) -> dict[int, str]:
        return {index: term for term, index in self._vocab.items()}

    @cached_property
    def _names(self) -> dict[str, list[str]]:
        pairs = zip(self.paper_ids, (facets.get("name") for facets in self.facets), strict=True)
        return name_index(pairs)

    def named(self, question: str) -> list[str]:
        """The papers whose title name the question uses (:mod:`rag.sources.title_names`)."""
        return named_papers(question, self._names)

    def mask(self, keep: Any) -> np.ndarray:
        """A 0/1 array selecting the papers whose facets satisfy ``keep(facets) -> bool``."""
        return np.fromiter((1.0 if keep(f) else 0.0 for f in self.facets), dtype=np.float32, count=len(self))

    # -- persistence ----------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write the index to ``directory``, replacing what is there in one rename (a reader sees
        the old index, no index, or the new one; never half of one)."""
        unique = f"{os.getpid()}-{threading.get_ident()}"
        tmp = directory.with_name(f"{directory.name}.tmp-{unique}")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        try:
            if self._retriever is not None:
                self._retriever.save(str(tmp / "bm25"), show_progress=False)
            manifest: dict[str, Any] = {"format": _FORMAT, "source": self.source, "paper_ids": self.paper_ids}
            manifest |= {
                "content_hashes": self.content_hashes,
                "facets": self.facets,
                "doc_freq": self.doc_freq,
            }
            manifest["sha256"] = {
                path.relative_to(tmp).as_posix(): _sha256(path)
                for path in sorted(tmp.rglob("*"))
                if path.is_file()
            }
            (tmp / _MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
            # Swap in the new index; the STALE marker of the old directory goes with it. Another
            # process may be swapping in its own at the same time: then one of the two stays.
            old = directory.with_name(f"{directory.name}.old-{unique}")
            with contextlib.suppress(FileNotFoundError):
                directory.rename(old)
            try:
                tmp.rename(directory)
            except OSError:
                if not directory.is_dir():  # no other index took the place: a real failure
                    raise
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        """Read a saved index; raises IndexDamagedError when a file or the manifest is damaged."""
        import bm25s

        path = directory / _MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            version = data.get("format", "paper_ids" in data or None) if isinstance(data, dict) else None
            if type(version) in (int, bool) and version != _FORMAT:  # version 1 (True) had no "format"
                raise ValueError(f"the lexical index at {directory} is from an older version")
            manifest = _Manifest.model_validate(data)
        except (UnicodeDecodeError, json.JSONDecodeError, ValidationError) as error:
            detail = describe(error) if isinstance(error, ValidationError) else str(error)
            raise IndexDamagedError(f"the lexical index file {path} is damaged ({detail})") from None
        for name, digest in manifest.sha256.items():
            if Path(name).is_absolute() or ".." in Path(name).parts:
                raise IndexDamagedError(f"the lexical index file {path} is damaged (names {name!r})")
            if _sha256(directory / name) != digest:
                raise IndexDamagedError(f"the lexical index file {directory / name} is damaged (checksum)")
        ids = manifest.paper_ids
        if not len(ids) == len(manifest.content_hashes) == len(manifest.facets):
            raise IndexDamagedError(f"the lexical index file {path} is damaged (lists differ in length)")
        retriever = None
        if ids:
            retriever = bm25s.BM25.load(str(directory / "bm25"), show_progress=False, verbosity=0)
        index = cls(retriever, ids, manifest.facets, manifest.doc_freq, manifest.content_hashes)
        index.source = manifest.source
        return index


class _Manifest(BaseModel):
    """What ``manifest.json`` must hold; valid JSON of another shape is a damaged file."""

    format: int
    source: str
    paper_ids: list[str]
    content_hashes: list[str]
    facets: list[dict[str, Any]]
    doc_freq: dict[str, int]
    sha256: dict[str, str]


def papers_digest(pairs: Iterable[tuple[str, str]]) -> str:
    """SHA-256 over the sorted (paper id, content hash) pairs: equal exactly when the papers are."""
    digest = hashlib.sha256()
    for paper_id, content_hash in sorted(pairs):
        digest.update(f"{paper_id}\t{content_hash}\n".encode())
    return digest.hexdigest()


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def mark_stale(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / _STALE).touch()


def saved_papers(directory: Path, source: str) -> int:
    """How many papers the saved index was built from, if it was built from ``source`` (else 0)."""
    try:
        manifest = _Manifest.model_validate_json((directory / _MANIFEST).read_bytes())
    except (OSError, ValidationError):
        return 0
    return len(manifest.paper_ids) if manifest.source == source else 0


def open_lexical(
    directory: Path, papers: Callable[[], Iterable[Paper]], recorded: str | None = None, *, source: str = ""
) -> LexicalIndex:
    """The index of the papers ``papers()`` yields now, from ``source``.

    ``recorded`` is the digest Chroma holds of its papers (None while a write is in progress, after
    an interrupted one, or for an older index): a saved index built from papers of that digest is
    used as it is. Otherwise every paper is read, and the saved index is used only when it was built
    from exactly those; else it is rebuilt from them and saved (from memory when that fails).
    """
    saved = None
    if (directory / _STALE).exists():  # an ingest here began writing: check every paper
        recorded = None
    if (directory / _MANIFEST).exists():
        try:
            saved = LexicalIndex.load(directory)
        except IndexDamagedError as error:
            log.warning("%s; rebuilt it from the Chroma index", error)
        except (OSError, ValueError, KeyError):  # unreadable or from an older version
            pass
    if saved is not None and saved.source == source and saved.digest == recorded:
        return saved
    current = list(papers())
    digest = papers_digest((paper.id, paper.content_hash) for paper in current)
    if saved is not None and saved.source == source and saved.digest == digest:
        return saved
    index = LexicalIndex.build(current)
    index.source = source
    try:
        index.save(directory)
    except OSError as error:  # a full disk must not stop questions: use it from memory this time
        log.warning(
            "cannot save the lexical index to %s (%s); using it from memory", directory, error.strerror
        )
    return index
