"""``litrev eval``: run one task's dataset against the library and compute its metrics.

Tasks and metrics (written as ``{"task", "n", "judge", "method", "metrics", "items"}``):

- lookup / multi: recall@1/5/10/20, mrr, ndcg@10 of the gold papers in the ranking;
- qa: the same for the gold paper, plus evidence_hit (a sentence the answer quotes from the gold
  paper, or a citation's sentence of it, holds one of the item's evidence sentences),
  citation_recall, citation_precision (:mod:`litrev_eval.grounding`) and abstained_rate (here:
  false abstentions), overall and per ``style`` of question;
- unanswerable: abstained_rate, overall and, when items carry a ``kind``, per kind
  (``abstained_rate:KIND``; items without one count as ``unlabelled``);
- related-work: must_cite_recall, precision (the share of cited papers that are in ``must_cite``
  or ``acceptable``), cited (papers cited) and citations_valid;
- check: accuracy, supported_recall, unsupported_precision, unsupported_recall
  (:mod:`litrev_eval.check_task`), overall and per ``kind``.

``half`` keeps the tune or the holdout half of a dataset (:func:`litrev_eval.datasets.half`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litrev_eval.check_task import check_metrics, check_row
from litrev_eval.datasets import Half, Item, evidence_of, load
from litrev_eval.grounding import Claim, grounding
from litrev_eval.metrics import mean_by, retrieval_metrics

from rag.answers.answer import Answer, answer
from rag.grounding.citations import markers_in, split_sentences, strip_markers
from rag.grounding.judge import Supports
from rag.grounding.llm_judge import make_judge
from rag.index.library import Library
from rag.retrieval.retrieve import Method, search
from rag.sources.corpus import Paper

Progress = Callable[[int, int], None]


@dataclass
class EvalResult:
    task: str
    n: int
    judge: str | None
    method: str
    metrics: dict[str, float] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "n": self.n,
            "judge": self.judge,
            "method": self.method,
            "metrics": self.metrics,
            "items": self.items,
        }


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def claims_of(result: Answer, papers: dict[str, Paper]) -> list[Claim]:
    """Each answer sentence with the papers it cites."""
    cited_ids = {citation.marker: citation.paper_id for citation in result.citations}
    claims = []
    for sentence in split_sentences(result.answer):
        cited = [papers[cited_ids[m]] for m in dict.fromkeys(markers_in(sentence)) if m in cited_ids]
        claims.append(Claim(strip_markers(sentence), tuple(cited)))
    return claims


def _retrieval_row(item: Item, library: Library, method: Method) -> dict[str, Any]:
    hits = search(item.text, library=library, k=20, method=method).hits
    ranked = [hit.paper.id for hit in hits]
    return {"id": item.id, "ranked": ranked[:10], **retrieval_metrics(ranked, set(item.gold))}


def _qa_row(item: Item, library: Library, method: Method, judge: Supports, papers: dict[str, Paper]) -> dict:
    row = _retrieval_row(item, library, method)
    if method != "hybrid":  # answers always use the shipped retrieval: only the ranking differs
        return row
    result = answer(item.text, library=library)
    row["abstained"] = float(result.abstained)
    row["kind"], row["reason"] = item.fields.get("kind", "unlabelled"), result.reason
    row["style"] = item.fields.get("style", "unlabelled")
    evidence = evidence_of(item)
    quoted = [
        " ".join(text.split())
        for c in result.citations
        if c.paper_id in item.gold
        for text in (c.quotes or [c.sentence])
    ]
    row["evidence_hit"] = float(any(e and e in q for e in evidence for q in quoted))
    if result.abstained:
        row["citation_recall"] = row["citation_precision"] = None
    else:
        scores = grounding(claims_of(result, papers), judge)
        row["citation_recall"], row["citation_precision"] = scores.citation_recall, scores.citation_precision
    row["answer"] = result.answer
    return row


def _related_work_row(item: Item, library: Library) -> dict[str, Any]:
    from rag.related_work import draft_related_work

    draft = draft_related_work(item.text, library=library)
    cited = [paper.id for paper in draft.cited]
    known = {paper.id for paper in library.store.iter_papers()} if cited else set()
    return {
        "id": item.id,
        **citing_figures(cited, item),
        "citations_valid": (sum(pid in known for pid in cited) / len(cited)) if cited else 0.0,
    }


def citing_figures(cited: list[str], item: Item) -> dict[str, float]:
    """Must-cite recall, precision against must-cite plus acceptable, and the number cited."""
    wanted = set(item.gold) | set(item.acceptable)
    return {
        "must_cite_recall": len(set(item.gold) & set(cited)) / len(item.gold),
        "precision": (sum(pid in wanted for pid in cited) / len(cited)) if cited else 0.0,
        "cited": float(len(cited)),
    }


_AVERAGED = {
    "lookup": ("recall@1", "recall@5", "recall@10", "recall@20", "mrr", "ndcg@10"),
    "multi": ("recall@1", "recall@5", "recall@10", "recall@20", "mrr", "ndcg@10"),
    "qa": (
        "recall@1",
        "recall@5",
        "recall@10",
        "recall@20",
        "mrr",
        "ndcg@10",
        "evidence_hit",
        "citation_recall",
        "citation_precision",
    ),
    "unanswerable": (),
    "related-work": ("must_cite_recall", "precision", "cited", "citations_valid"),
    "check": (),
}


def evaluate(
    path: Path,
    task: str,
    *,
    library: Library | None = None,
    judge: Supports | None = None,
    method: Method = "hybrid",
    progress: Progress | None = None,
    half: Half | None = None,
) -> EvalResult:
    library = library or Library()
    papers = list(library.store.iter_papers())
    items = load(path, task, papers, which=half)
    by_id = {paper.id: paper for paper in papers}
    if task in ("qa", "check") and judge is None:
        judge = make_judge(library, "fitted")
    rows: list[dict[str, Any]] = []
    for done, item in enumerate(items, start=1):
        if task in ("lookup", "multi"):
            rows.append(_retrieval_row(item, library, method))
        elif task == "qa":
            assert judge is not None
            rows.append(_qa_row(item, library, method, judge, by_id))
        elif task == "check":
            assert judge is not None
            rows.append(check_row(item, judge, by_id, {p.title: p.id for p in papers}))
        elif task == "unanswerable":
            result = answer(item.text, library=library)
            rows.append(
                {
                    "id": item.id,
                    "kind": item.fields.get("kind", "unlabelled"),
                    "style": item.fields.get("style", "unlabelled"),
                    "abstained": float(result.abstained),
                    "reason": result.reason,
                    "strength": result.evidence_strength,
                }
            )
        else:
            rows.append(_related_work_row(item, library))
        if progress:
            progress(done, len(items))
    metrics: dict[str, float] = {}
    for name in _AVERAGED[task]:
        value = _mean([row.get(name) for row in rows])
        if value is not None:
            metrics[name] = value
    if task == "check":
        metrics.update(check_metrics(rows))
        for kind, rate in mean_by(rows, "kind", "correct").items():
            metrics[f"accuracy:{kind}"] = rate
    if task == "qa" and method == "hybrid":
        for style, rate in mean_by(rows, "style", "abstained").items():
            metrics[f"abstained_rate:{style}"] = rate
    if task == "unanswerable" or (task == "qa" and method == "hybrid"):
        metrics["abstained_rate"] = sum(row["abstained"] for row in rows) / len(rows)
    if task == "unanswerable" and any(row["kind"] != "unlabelled" for row in rows):
        for kind, rate in mean_by(rows, "kind", "abstained").items():
            metrics[f"abstained_rate:{kind}"] = rate
    return EvalResult(task, len(rows), judge.name if judge else None, method, metrics, rows)
