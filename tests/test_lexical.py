import bm25s

from rag.index.lexical import LexicalIndex, _stemmer, lexical_text
from rag.sources.corpus import read_paths
from tests.helpers import BUNDLED


def test_query_terms_match_the_index_tokenizer() -> None:
    papers = read_paths([BUNDLED]).papers[:40]
    index = LexicalIndex.build(papers)
    stemmer = _stemmer()
    for paper in papers:
        text = lexical_text(paper)
        expected = bm25s.tokenize(
            [text], stopwords="en", stemmer=stemmer, return_ids=False, show_progress=False
        )[0]
        assert index.terms(text) == list(expected)


def test_title_words_rank_their_paper_first() -> None:
    papers = read_paths([BUNDLED]).papers
    index = LexicalIndex.build(papers)
    for paper in papers[::25]:
        assert index.search(paper.title, 1)[0].paper_id == paper.id


def test_empty_index_and_unknown_words_return_nothing() -> None:
    assert LexicalIndex.build([]).search("anything", 5) == []
    index = LexicalIndex.build(read_paths([BUNDLED]).papers[:5])
    assert index.search("zzzqqq xxyyzz", 5) == []
