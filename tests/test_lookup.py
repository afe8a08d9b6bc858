"""Citation lookup on the bundled corpus through the real model and index."""

from __future__ import annotations

import bibtexparser
import pytest
from litrev_eval.bench_citing import LOOKUP, lookup_figures
from litrev_eval.datasets import load

from rag.cite import bibtex
from rag.cite.lookup import lookup
from rag.errors import LitrevError
from rag.index.library import Library
from rag.sources.sentences import sentence_spans

CLAIM = (
    "A small draft model proposes tokens that the large model verifies in parallel, without changing outputs."
)


def test_paraphrased_descriptions_find_their_paper(bundled: Library) -> None:
    papers = list(bundled.store.iter_papers())
    figures = lookup_figures(bundled, load(LOOKUP, "lookup", papers), k=1)
    assert figures["recall@1"] >= 0.9
    assert figures["matched"] >= 0.9


def test_candidates_carry_exact_sentences_and_library_keys(bundled: Library) -> None:
    result = lookup(CLAIM, library=bundled, k=5)
    assert result.matched and result.best is result.candidates[0]
    assert [c.rank for c in result.candidates] == [1, 2, 3, 4, 5]
    keys = bibtex.assign_keys(bundled.store.iter_papers())
    papers = bundled.store.get_papers([c.paper_id for c in result.candidates])
    for candidate in result.candidates:
        abstract = papers[candidate.paper_id].abstract
        start, end = candidate.span
        assert abstract[start:end] == candidate.sentence
        assert candidate.span in sentence_spans(abstract)  # a whole sentence, not a fragment
        assert candidate.key == keys[candidate.paper_id]
        [parsed] = bibtexparser.parse_string(candidate.bibtex).entries
        assert parsed.key == candidate.key
        assert bibtex.unescape(parsed["title"]) == candidate.title
    assert "speculative" in (result.candidates[0].title + result.candidates[0].sentence).lower()


def test_off_topic_claim_is_no_match_but_lists_candidates(bundled: Library) -> None:
    for claim in ("protein folding with attention", "Sourdough hydration controls the crumb of bread."):
        result = lookup(claim, library=bundled, k=3)
        assert not result.matched, (claim, result.evidence_strength)
        assert result.best is None
        assert len(result.candidates) == 3
        assert result.evidence_strength < result.threshold == bundled.settings.answer.min_evidence
        assert result.summary().startswith("No good match")


def test_json_form_and_bad_input(bundled: Library) -> None:
    data = lookup(CLAIM, library=bundled, k=1).model_dump(mode="json")
    assert {"claim", "matched", "evidence_strength", "threshold", "candidates"} <= set(data)
    assert {"title", "sentence", "span", "score", "key", "bibtex"} <= set(data["candidates"][0])
    with pytest.raises(LitrevError, match="empty"):
        lookup("   ", library=bundled)
    with pytest.raises(LitrevError, match="at least 1"):
        lookup(CLAIM, library=bundled, k=0)
