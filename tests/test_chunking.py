from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.index.chunking import chunk_paper
from rag.settings import ChunkingSettings
from rag.sources.corpus import make_paper
from rag.sources.sentences import sentence_spans

words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
)
sentence = st.lists(words, min_size=1, max_size=30).map(lambda ws: " ".join(ws).strip() + ".")
abstract = st.lists(sentence, min_size=1, max_size=25).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(text=abstract, size=st.integers(min_value=16, max_value=200), overlap=st.integers(0, 40))
def test_every_chunk_is_the_abstract_slice_it_points_at(text: str, size: int, overlap: int) -> None:
    try:
        paper = make_paper({"title": "T", "abstract": text}, source="x")
    except ValueError:  # whitespace-only text is no abstract
        return
    chunks = chunk_paper(paper, ChunkingSettings(chunk_size=size, chunk_overlap=overlap))
    assert chunks
    for chunk in chunks:
        assert paper.abstract[chunk.start : chunk.end] == chunk.text
    assert chunks[0].start == paper.abstract.find(chunks[0].text)
    assert [c.index for c in chunks] == list(range(len(chunks)))


@settings(max_examples=100, deadline=None)
@given(text=abstract)
def test_sentence_spans_are_ordered_non_empty_slices(text: str) -> None:
    spans = sentence_spans(text)
    for (start, end), (next_start, _) in pairwise(spans):
        assert start < end <= next_start
    for start, end in spans:
        assert text[start:end].strip() == text[start:end]


def test_chunk_ids_change_with_content() -> None:
    a = make_paper({"title": "T", "abstract": "One sentence here. Another one."}, source="x")
    b = make_paper({"title": "T", "abstract": "One sentence here. A changed one."}, source="x")
    assert a.id == b.id
    assert chunk_paper(a, ChunkingSettings())[0].id != chunk_paper(b, ChunkingSettings())[0].id
