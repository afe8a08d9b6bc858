"""The evaluation harness: grounding metrics on hand-computed cases, and end-to-end runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from litrev_eval.bench_retrieval import DATASETS
from litrev_eval.check_task import check_metrics, check_row
from litrev_eval.datasets import half, load
from litrev_eval.grounding import Claim, grounding
from litrev_eval.metrics import mean_by
from litrev_eval.runner import evaluate
from typer.testing import CliRunner

from rag.answers.answer import answer
from rag.cli.commands import app
from rag.grounding.judge import Verdict
from rag.index.library import Library
from rag.sources.corpus import Paper


class KeywordJudge:
    """Supports a sentence when the papers contain every word of it that starts with '#'."""

    name = "keyword"

    def support(self, claim: str, papers: object, *, whole: bool = True) -> Verdict:
        text = " ".join(paper.abstract for paper in papers)  # type: ignore[attr-defined]
        held = all(w in text for w in claim.split() if w.startswith("#"))
        return Verdict(held, float(held), None, "")

    def support_all(self, items: list, *, whole: bool = True) -> list[Verdict]:
        return [self.support(claim, papers) for claim, papers in items]


def _papers(*abstracts: str) -> tuple[Paper, ...]:
    return tuple(Paper(id=f"p{i}-{text}", title="t", abstract=text) for i, text in enumerate(abstracts))


def test_citation_recall_and_precision_follow_alce() -> None:
    judge = KeywordJudge()
    claims = [
        Claim("#a is true", _papers("#a here")),  # supported, precise
        Claim("#a and #b", _papers("#a", "#b")),  # supported only jointly: both citations needed
        Claim(
            "#c holds", _papers("#c", "#c again", "nothing")
        ),  # both #c support alone; "nothing" irrelevant
        Claim("#d uncited", ()),  # uncited: recall 0
        Claim("#e wrong", _papers("#x")),  # unsupported: recall 0, its citation incorrect
    ]
    scores = grounding(claims, judge)
    assert scores.citation_recall == 3 / 5
    assert scores.citation_precision == 5 / 7  # 1 + 2 + 2 correct of 1 + 2 + 3 + 0 + 1
    assert (scores.sentences, scores.citations) == (5, 7)


def test_empty_answer_has_no_grounding_scores() -> None:
    scores = grounding([], KeywordJudge())
    assert scores.citation_recall is None and scores.citation_precision is None


def test_redundant_citation_removed_keeps_support() -> None:
    judge = KeywordJudge()
    # "#a" alone supports; "#b only" does not and removing it keeps support -> irrelevant.
    assert grounding([Claim("#a", _papers("#a", "#b only"))], judge).citation_precision == 0.5


def test_qa_and_unanswerable_end_to_end_on_a_tiny_dataset(bundled: Library, tmp_path: Path) -> None:
    qa_lines = (DATASETS / "qa.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(qa_lines) + "\n", encoding="utf-8")
    result = evaluate(qa, "qa", library=bundled)
    assert result.n == 3 and result.judge == "fitted"
    assert result.metrics["abstained_rate"] == 0.0
    assert result.metrics["citation_recall"] >= 0.9  # extractive answers quote their sources
    # evidence_hit: the share of questions whose answer quotes the dataset's evidence sentence
    hits = []
    for line in qa_lines:
        item = json.loads(line)
        cited = [" ".join(c.sentence.split()) for c in answer(item["question"], library=bundled).citations]
        hits.append(any(" ".join(item["evidence"].split()) in quoted for quoted in cited))
    assert result.metrics["evidence_hit"] == pytest.approx(sum(hits) / len(hits))
    unanswerable = tmp_path / "u.jsonl"
    unanswerable.write_text(
        '{"id": "u1", "question": "How do I bake sourdough bread at home?"}\n', encoding="utf-8"
    )
    assert evaluate(unanswerable, "unanswerable", library=bundled).metrics == {"abstained_rate": 1.0}


def test_cli_eval_writes_json_and_report_with_plots(bundled: Library, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LITREV_HOME", str(bundled.settings.home))
    lines = (DATASETS / "multi.jsonl").read_text(encoding="utf-8").splitlines()[:4]
    data = tmp_path / "multi.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, report = tmp_path / "out.json", tmp_path / "report"
    result = CliRunner().invoke(
        app, ["eval", str(data), "--task", "multi", "--json", str(out), "--report", str(report), "--compare"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["task"] == "multi" and payload["n"] == 4
    assert set(payload["metrics"]) == {"recall@1", "recall@5", "recall@10", "recall@20", "mrr", "ndcg@10"}
    assert set(payload["compare"]) == {"lexical", "dense", "hybrid"}
    assert (report / "recall_at_k.png").read_bytes().startswith(b"\x89PNG")
    assert (report / "items.png").stat().st_size > 1000
    assert "| hybrid |" in (report / "report.md").read_text(encoding="utf-8")


def test_cli_eval_schema_error_is_one_line(bundled: Library, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LITREV_HOME", str(bundled.settings.home))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "question": "q"}\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", str(bad), "--task", "multi"])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {bad}:1: missing required field 'gold_titles' for task multi"


def test_the_judge_agrees_with_labelled_claims_it_was_not_fitted_on(bundled: Library) -> None:
    """The judge's weights and threshold were fitted on the tune half of ``claims.jsonl``
    (:func:`litrev_eval.datasets.half`); it is measured here on every fourth item of the holdout
    half (407 sentences of every style and kind), which the fit never saw. The bounds sit under
    what this sample measures, or at it (agreement 0.830, recall of supported 0.921, of unsupported
    0.740, exactly its bound; the whole holdout half: 0.816, 0.897, 0.735), so a judge that does well
    only on the sentences it was fitted to fails here. (The unsupported bound was 0.75 until
    "non-autoregressive" against "autoregressive" stopped counting as a disagreement: two wrong
    citations of this sample are no longer caught, four correct ones no longer flagged.)"""
    papers = list(bundled.store.iter_papers())
    by_id = {paper.id: paper for paper in papers}
    titles = {paper.title: paper.id for paper in papers}
    holdout = load(DATASETS / "claims.jsonl", "check", papers, which="holdout")
    assert holdout and all(half(item.id) == "holdout" for item in holdout)
    sample = holdout[::4]
    rows = [check_row(item, bundled.judge, by_id, titles) for item in sample]
    figures = check_metrics(rows)
    assert bundled.judge.name == "fitted"
    assert len(rows) == 407
    assert figures["accuracy"] >= 0.80, figures
    assert figures["supported_recall"] >= 0.85, figures
    assert figures["unsupported_recall"] >= 0.74, figures
    by_kind = mean_by(rows, "kind", "correct")
    assert {"wrong_figure", "contradiction", "wrong_paper", "paraphrase"} <= set(by_kind), by_kind


def test_llm_judge_with_the_real_server_and_report_names_it(bundled: Library, tmp_path: Path) -> None:
    from rag.grounding.llm_judge import LLMJudge, make_judge
    from rag.settings import LLMSettings
    from tests.openai_server import ScriptedServer

    paper = next(iter(bundled.store.iter_papers()))
    with ScriptedServer() as server:
        settings = bundled.settings.model_copy(
            update={"llm": LLMSettings(provider="openai", base_url=server.url, model="judge-model")}
        )
        library = Library(settings, embedder=bundled.embedder)
        judge = make_judge(library, "llm")
        assert isinstance(judge, LLMJudge) and judge.name == "llm:judge-model"
        server.enqueue(text="YES")
        server.enqueue(text="no, it does not")
        first, second = judge.support_all([("claim", [paper]), ("claim", [paper])])
        assert first.supported and not second.supported
        assert first.evidence is not None  # the sentence a reader can check, as the fitted judge shows
        prompt = server.requests[0]["messages"][0]["content"]
        assert "Claim: claim" in prompt and paper.abstract[:40] in prompt
    assert make_judge(bundled, "fitted").name == "fitted"
    with pytest.raises(Exception, match="needs an LLM"):
        make_judge(bundled, "llm")
