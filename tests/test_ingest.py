"""Ingest through the real embedding model and a real embedded Chroma in a temp dir."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.errors import IndexMismatchError, IndexMissingError
from rag.index.embedding import model_path
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.retrieval.retrieve import search
from rag.settings import EmbeddingSettings, Settings
from tests.helpers import BUNDLED

ABSTRACT = (
    "We introduce a tonal phoneme recogniser for Yoruba speech built from whale-song features. "
    "It reduces the phone error rate by a third on a new corpus. "
    "We release the corpus and the code."
)


def jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def first_lines(n: int, tmp_path: Path, name: str, skip: int = 0) -> Path:
    lines = BUNDLED.read_text(encoding="utf-8").splitlines()[skip : skip + n]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_reingest_adds_nothing_and_embeds_nothing(library: Library, tmp_path: Path) -> None:
    source = first_lines(20, tmp_path, "part.jsonl")
    first = ingest([source], library=library)
    assert (first.added, first.updated, first.unchanged) == (20, 0, 0)
    chunks = library.store.chunk_count()
    second = ingest([source], library=library)
    assert (second.added, second.updated, second.unchanged, second.chunks) == (0, 0, 20, 0)
    assert library.store.chunk_count() == chunks
    assert library.store.paper_count() == 20


def test_changed_abstract_replaces_its_chunks(library: Library, tmp_path: Path) -> None:
    record = {"title": "Whale Song Phonemes", "abstract": ABSTRACT}
    ingest([jsonl(tmp_path / "a.jsonl", [record])], library=library)
    changed = {**record, "abstract": ABSTRACT.replace("a third", "half") + " It also runs on phones."}
    report = ingest([jsonl(tmp_path / "a.jsonl", [changed])], library=library)
    assert (report.added, report.updated) == (0, 1)
    chunks = [meta for _, meta in library.store.iter_chunks()]
    (paper,) = library.store.iter_papers()
    assert "half" in paper.abstract
    assert chunks and all(meta["content_hash"] == paper.content_hash for meta in chunks)  # old ones gone
    assert any("half" in paper.abstract[meta["start"] : meta["end"]] for meta in chunks)
    assert search("whale song phoneme recogniser", library=library).hits[0].paper.title == record["title"]


def test_bad_records_are_reported_and_good_ones_indexed(library: Library, tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        json.dumps({"title": "Good One", "abstract": ABSTRACT})
        + "\n{broken\n"
        + json.dumps({"title": "No Abstract"})
        + "\n",
        encoding="utf-8",
    )
    report = ingest([path], library=library)
    assert report.added == 1
    assert [e.line for e in report.problems] == [2, 3]


def test_query_with_another_model_is_refused(library: Library, tmp_path: Path, embedder) -> None:
    ingest([jsonl(tmp_path / "a.jsonl", [{"title": "T", "abstract": ABSTRACT}])], library=library)
    other = Settings(
        home=library.settings.home, embedding=EmbeddingSettings(model=str(model_path("all-MiniLM-L6-v2")))
    )
    with pytest.raises(IndexMismatchError, match="was built with embedding model 'all-MiniLM-L6-v2'"):
        search("whales", library=Library(other, embedder=embedder))


def test_missing_index_is_a_clear_error(library: Library) -> None:
    with pytest.raises(IndexMissingError, match="run `litrev ingest` first"):
        search("anything", library=library)


def test_lexical_index_survives_restart_and_incremental_ingest(
    library: Library, tmp_path: Path, embedder
) -> None:
    ingest([first_lines(20, tmp_path, "a.jsonl")], library=library)
    ingest([first_lines(14, tmp_path, "b.jsonl", skip=20)], library=library)
    reopened = Library(library.settings, embedder=embedder)  # a new process would do this
    assert len(reopened.lexical) == 34
    late = json.loads(BUNDLED.read_text(encoding="utf-8").splitlines()[30])  # from the second ingest
    for method in ("lexical", "dense"):
        titles = [hit.paper.title for hit in search(late["title"], library=reopened, method=method, k=3).hits]
        assert late["title"] in titles, method


def test_stale_lexical_index_is_rebuilt_from_chroma(library: Library, tmp_path: Path, embedder) -> None:
    ingest([first_lines(10, tmp_path, "a.jsonl")], library=library)
    (library.settings.lexical_dir / "STALE").touch()
    (library.settings.lexical_dir / "manifest.json").write_text('{"paper_ids": [], "facets": []}')
    reopened = Library(library.settings, embedder=embedder)
    assert len(reopened.lexical) == 10
    assert not (library.settings.lexical_dir / "STALE").exists()


def test_sentences_are_stored_with_their_vectors_and_follow_the_abstract(
    library: Library, tmp_path: Path
) -> None:
    record = {"title": "Whale Song Phonemes", "abstract": ABSTRACT}
    ingest([jsonl(tmp_path / "a.jsonl", [record])], library=library)
    (paper,) = library.store.iter_papers()
    spans, vectors = library.sentence_file.get([paper])[paper.id]
    assert [paper.abstract[s:e] for s, e in spans] == [
        "We introduce a tonal phoneme recogniser for Yoruba speech built from whale-song features.",
        "It reduces the phone error rate by a third on a new corpus.",
        "We release the corpus and the code.",
    ]
    expected = library.embedder.embed([paper.abstract[s:e] for s, e in spans])
    assert float((vectors * expected).sum(axis=1).min()) > 0.999
    changed = {**record, "abstract": ABSTRACT.replace("a third", "half")}
    ingest([jsonl(tmp_path / "a.jsonl", [changed])], library=library)
    (paper,) = library.store.iter_papers()
    assert library.sentence_file.stored() == {(paper.id, paper.content_hash)}  # the old version is gone
    assert "half" in paper.abstract[slice(*library.sentence_file.get([paper])[paper.id][0][1])]


def test_an_index_without_stored_sentences_gets_them_at_its_next_ingest(
    library: Library, tmp_path: Path
) -> None:
    source = first_lines(6, tmp_path, "part.jsonl")
    ingest([source], library=library)
    total = library.sentence_file.stored()
    # As an index made by a version that stored no sentences: no file.
    library.settings.sentence_vectors_path.unlink()
    paper = next(iter(library.store.iter_papers()))
    judged = library.judge.support("a claim", [paper])
    assert library.sentences.embedded_now > 0 and judged.evidence is not None  # judged all the same
    report = ingest([source], library=library)
    assert report.unchanged == 6 and report.chunks == 0  # nothing re-chunked, only sentences embedded
    assert library.sentence_file.stored() == total and library.sentence_file.is_complete()


def test_a_damaged_sentence_file_is_set_aside_and_refilled(library: Library, tmp_path: Path) -> None:
    source = first_lines(3, tmp_path, "part.jsonl")
    ingest([source], library=library)
    path = library.settings.sentence_vectors_path
    path.write_bytes(b"not a database" * 100)
    papers = list(library.store.iter_papers())
    assert library.sentence_file.get(papers) == {}  # unreadable: set aside, the judge embeds instead
    assert path.with_name(path.name + ".damaged").exists()
    ingest([source], library=library)
    assert len(library.sentence_file.get(papers)) == 3
