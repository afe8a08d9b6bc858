"""PDFs ingested: matched to their papers, their passages indexed with page and section beside the
abstract chunks, incrementally per PDF, a bad PDF one line; and the reference list never indexed.

The PDFs are the full-text dev papers (``eval/datasets/fulltext``) compiled with the real pdflatex,
ingested with their ``library.bib`` into a real Chroma index with the real embedding model.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from litrev_eval.fulltext_papers import FULLTEXT, LIBRARY_BIB, compile_papers

from rag.index.embedding import Embedder
from rag.index.ingest import IngestReport, ingest
from rag.index.library import Library
from rag.index.sentence_vectors import spans_of
from rag.retrieval.retrieve import search
from rag.settings import Settings
from rag.sources.corpus import Paper
from rag.sources.pdf import read_pdf
from rag.sources.pdf.papers import pdf_digest
from tests.pdf_fixtures import dev_pdfs, paper_pdf, pdf_folder  # noqa: F401

TERRACODEC = "TerraCodec: Low-Bitrate Speech Coding with Grouped Residual Vector Quantization"
LOOM = "LoomRetriever: Pruned Late Interaction for Passage Retrieval on a Budget"


def _paper(library: Library, title: str) -> Paper:
    return next(paper for paper in library.store.iter_papers() if paper.title == title)


@pytest.fixture(scope="module")
def indexed(
    tmp_path_factory: pytest.TempPathFactory,
    dev_pdfs: Path,  # noqa: F811
    embedder: Embedder,
) -> tuple[Library, IngestReport, Path]:
    """library.bib and a folder of two dev PDFs and a bad one (a saved web page), ingested."""
    folder = tmp_path_factory.mktemp("pdfs")
    for name in ("terracodec.pdf", "loomretriever.pdf"):
        shutil.copy(dev_pdfs / name, folder / name)
    (folder / "saved.pdf").write_text("<!DOCTYPE html><html><title>Sign in</title></html>", encoding="utf-8")
    library = Library(Settings(home=tmp_path_factory.mktemp("home")), embedder=embedder)
    return library, ingest([LIBRARY_BIB, folder], library=library), folder


def test_body_passages_are_indexed_with_their_page_and_section(
    indexed: tuple[Library, IngestReport, Path],
) -> None:
    library, report, folder = indexed
    paper = _paper(library, TERRACODEC)
    assert paper.fulltext == pdf_digest(folder / "terracodec.pdf")
    passages = library.store.passages.passages_of(paper)
    training = [p for p in passages if "learning rate of 3e-4" in p.text]
    assert [(p.page, p.section, p.kind) for p in training] == [(3, "4.2 Training", "text")]
    table = [p for p in passages if p.kind == "caption" and p.text.startswith("Table 1")]
    assert len(table) == 1 and "TerraCodec: kbps 6.0; ViSQOL 4.29; PESQ 3.42; STOI 0.948" in table[0].text
    assert {p.page for p in passages} == {1, 2, 3, 4}
    assert report.pdfs_read == 2 and report.passages == library.store.passages.count()
    assert "PDFs: 2 read, 0 unchanged" in report.line
    # Papers without a PDF keep their abstract alone.
    assert sum(1 for p in library.store.iter_papers() if p.fulltext) == 2
    assert library.store.paper_count() == 8


def test_a_bad_pdf_is_one_line_and_the_others_are_indexed(
    indexed: tuple[Library, IngestReport, Path],
) -> None:
    library, report, folder = indexed
    assert [str(problem) for problem in report.problems] == [
        f"{folder / 'saved.pdf'}: is not a PDF but a web page (a download that got a login or error page?)"
    ]
    assert library.store.passages.passages_of(_paper(library, LOOM))


def test_the_reference_list_is_never_indexed(indexed: tuple[Library, IngestReport, Path]) -> None:
    library, _, folder = indexed
    document = read_pdf(folder / "terracodec.pdf")
    assert document.references
    texts = " ".join(p.text for p in library.store.passages.passages_of(_paper(library, TERRACODEC)))
    for entry in document.references:
        assert entry[-60:] not in texts
    # A query made of a reference's own words finds no passage holding it.
    for hit in search(document.references[0], library=library).hits:
        for found in hit.passages:
            assert document.references[0][-60:] not in found.passage.text


def test_a_paper_counts_once_however_many_of_its_passages_match(
    indexed: tuple[Library, IngestReport, Path],
) -> None:
    library, _, _ = indexed
    result = search("TerraCodec codebooks quantization bitrate training", library=library, k=8)
    ids = [hit.paper.id for hit in result.hits]
    assert len(ids) == len(set(ids)) and ids[0] == _paper(library, TERRACODEC).id
    assert len(result.hits[0].passages) > 1  # several of its passages were near: one hit


def test_each_body_sentence_has_a_stored_vector_and_knows_its_page(
    indexed: tuple[Library, IngestReport, Path],
) -> None:
    library, _, _ = indexed
    paper = _paper(library, TERRACODEC)
    sentences = library.sentences.sentences([paper])[0]
    assert library.sentences.embedded_now == 0  # read from the file, not embedded per question
    body = [i for i in range(len(sentences.spans)) if sentences.passage(i) is not None]
    assert len(body) > 50 and len(sentences.spans) - len(body) == len(spans_of(paper))
    index = next(i for i in body if "3e-4" in sentences.text(i))
    passage = sentences.passage(index)
    assert passage is not None and passage.page_at(sentences.spans[index][0]) == 3


def test_an_abstract_only_library_has_no_passages_collection(library: Library) -> None:
    ingest([LIBRARY_BIB], library=library)
    assert library.store.passages.collection is None and library.store.passages.count() == 0
    assert not any(paper.fulltext for paper in library.store.iter_papers())


def test_pdfs_are_incremental_matched_to_the_library_and_replaced_when_changed(
    tmp_path: Path,
    dev_pdfs: Path,  # noqa: F811
    embedder: Embedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    library = Library(Settings(home=tmp_path / "home"), embedder=embedder)
    ingest([LIBRARY_BIB], library=library)
    pdf = tmp_path / "in" / "terracodec.pdf"
    pdf.parent.mkdir()
    shutil.copy(dev_pdfs / "terracodec.pdf", pdf)

    # A PDF alone is matched to the paper the library holds (its arXiv stamp), not made a paper.
    first = ingest([pdf], library=library)
    paper = _paper(library, TERRACODEC)
    assert (first.pdfs_read, first.pdf_papers, first.updated, first.added) == (1, 0, 1, 0)
    assert library.store.paper_count() == 8 and paper.fulltext == pdf_digest(pdf)
    count = library.store.passages.count()
    assert count == len(library.store.passages.passages_of(paper)) > 10

    # The same bytes again, under another name: nothing is read or embedded.
    renamed = pdf.with_name("copy.pdf")
    pdf.rename(renamed)
    again = ingest([renamed, LIBRARY_BIB], library=library)
    assert (again.pdfs_read, again.pdfs_unchanged, again.passages, again.chunks) == (0, 1, 0, 0)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 8)
    # The .bib alone keeps the full text the index holds.
    assert ingest([LIBRARY_BIB], library=library).unchanged == 8
    assert _paper(library, TERRACODEC).fulltext == paper.fulltext

    # A changed PDF replaces its passages: the old ones and their sentences are gone.
    source = (FULLTEXT / "terracodec.tex").read_text(encoding="utf-8")
    assert "learning rate of 3e-4" in source
    changed = tmp_path / "changed"
    changed.mkdir()
    (changed / "terracodec.tex").write_text(source.replace("rate of 3e-4", "rate of 5e-4"), encoding="utf-8")
    new_pdf = compile_papers(tmp_path / "built", source_dir=changed)[0]
    third = ingest([new_pdf], library=library)
    assert (third.pdfs_read, third.updated) == (1, 1)
    now = _paper(library, TERRACODEC)
    texts = [p.text for p in library.store.passages.passages_of(now)]
    assert any("rate of 5e-4" in text for text in texts) and not any("rate of 3e-4" in t for t in texts)
    assert library.store.passages.count() == len(texts)
    assert {digest for _, digest in library.sentence_file.stored_bodies()} == {now.fulltext}

    # A litrev that reads PDFs otherwise reads the same bytes again, replacing what an older one read.
    from rag.sources.pdf import papers as pdf_papers

    assert ingest([new_pdf], library=library).pdfs_unchanged == 1
    monkeypatch.setattr(pdf_papers, "READING", pdf_papers.READING + 1)
    upgraded = ingest([new_pdf], library=library)
    assert (upgraded.pdfs_read, upgraded.pdfs_unchanged, upgraded.updated) == (1, 0, 1)
    reread = _paper(library, TERRACODEC)
    assert reread.fulltext == pdf_digest(new_pdf) != now.fulltext
    assert sorted(p.text for p in library.store.passages.passages_of(reread)) == sorted(texts)
    assert library.store.passages.count() == len(texts)
    assert {digest for _, digest in library.sentence_file.stored_bodies()} == {reread.fulltext}


def test_an_unmatched_pdf_becomes_a_paper_titled_from_its_first_page(
    library: Library,
    paper_pdf: Path,  # noqa: F811
) -> None:
    report = ingest([paper_pdf], library=library)
    papers = list(library.store.iter_papers())
    assert report.pdf_papers == 1 and len(papers) == 1
    paper = papers[0]
    assert paper.title == "Masked Spectrogram Modelling Learns Robust Speech Representations"
    assert paper.abstract.startswith("We study masked spectrogram modelling")
    assert paper.source == "paper.pdf, page 1" and paper.fulltext == pdf_digest(paper_pdf)
    assert paper.doi == "10.5555/litrev.2024.0042" and paper.arxiv_id == "2401.01234"
    assert library.store.passages.passages_of(paper)
