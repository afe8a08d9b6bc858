"""The evaluation harness: grounding metrics on hand-computed cases, and end-to-end runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eval.bench_retrieval import DATASETS
from eval.grounding import Claim, grounding
from eval.runner import evaluate
from rag.answer import answer
from rag.cli import app
from rag.library import Library


class KeywordJudge:
    """Supports a sentence when the passage contains every word of it that starts with '#'."""

    name = "keyword"
    threshold = 1.0

    def score(self, claim: str, passage: str) -> float:
        words = [w for w in claim.split() if w.startswith("#")]
        return float(all(w in passage for w in words))


def test_citation_recall_and_precision_follow_alce() -> None:
    judge = KeywordJudge()
    claims = [
        Claim("#a is true", ("#a here",)),  # supported, precise
        Claim("#a and #b", ("#a", "#b")),  # supported only jointly: both citations needed
        Claim(
            "#c holds", ("#c", "#c again", "nothing")
        ),  # both #c passages support alone; "nothing" irrelevant
        Claim("#d uncited", ()),  # uncited: recall 0
        Claim("#e wrong", ("#x",)),  # unsupported: recall 0, its citation incorrect
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
    assert grounding([Claim("#a", ("#a", "#b only"))], judge).citation_precision == 0.5


def test_qa_and_unanswerable_end_to_end_on_a_tiny_dataset(bundled: Library, tmp_path: Path) -> None:
    qa_lines = (DATASETS / "qa.jsonl").read_text(encoding="utf-8").splitlines()[:3]
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(qa_lines) + "\n", encoding="utf-8")
    result = evaluate(qa, "qa", library=bundled)
    assert result.n == 3 and result.judge == "overlap+embedding"
    assert result.metrics["abstained_rate"] == 0.0
    assert result.metrics["citation_recall"] >= 0.9  # extractive answers quote their sources
    # evidence_hit: the share of questions whose answer cites the dataset's evidence sentence
    hits = []
    for line in qa_lines:
        item = json.loads(line)
        cited = {" ".join(c.sentence.split()) for c in answer(item["question"], library=bundled).citations}
        hits.append(" ".join(item["evidence"].split()) in cited)
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


def test_support_judge_agrees_with_hand_labels(bundled: Library) -> None:
    from eval import bench_support
    from rag.support import OverlapJudge

    figures = bench_support.run(OverlapJudge(bundled.embedder, bundled.lexical))
    assert figures["pairs"] >= 50
    assert figures["agreement"] >= 0.85
    assert figures["cv_agreement"] >= 0.75


def test_llm_judge_with_the_real_server_and_report_names_it(bundled: Library, tmp_path: Path) -> None:
    from rag.settings import LLMSettings
    from rag.support import LLMJudge, make_judge
    from tests.openai_server import ScriptedServer

    with ScriptedServer() as server:
        settings = bundled.settings.model_copy(
            update={"llm": LLMSettings(provider="openai", base_url=server.url, model="judge-model")}
        )
        library = Library(settings, embedder=bundled.embedder)
        judge = make_judge(library, "auto")
        assert isinstance(judge, LLMJudge) and judge.name == "llm:judge-model"
        server.enqueue(text="YES")
        server.enqueue(text="no, it does not")
        assert judge.score("claim", "passage") == 1.0
        assert judge.score("claim", "passage") == 0.0
        prompt = server.requests[0]["messages"][0]["content"]
        assert "Claim: claim" in prompt and "passage" in prompt
    assert make_judge(bundled, "auto").name == "overlap+embedding"
