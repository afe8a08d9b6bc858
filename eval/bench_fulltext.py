"""``litrev bench fulltext``: the full-text dev set, end to end, with the PDFs and without them.

1. The eight test papers (``eval/datasets/fulltext``) are compiled with pdflatex
   (:func:`litrev_eval.fulltext_papers.compile_papers`) into a temporary folder.
2. ``library.bib`` and the PDFs are ingested into a fresh library (as ``litrev ingest library.bib
   DIR`` does), and every question of ``fulltext_qa.jsonl`` is asked (the extractive answer).
   An item is *answered with the right page* when a sentence the answer quotes of its paper
   (the citation's marked sentence or another it quotes, ``Citation.quotes``) holds one of
   ``answer_contains`` (case, spacing and Unicode forms ignored) and is on the item's page;
   the looser figures say whether its paper was cited at all, and on the right page. Every
   question of ``fulltext_unanswerable.jsonl`` should abstain.
3. ``library.bib`` alone is ingested into another fresh library: every answerable question
   should then abstain, and say that adding the paper's PDF may answer it.

Figures come per half (:func:`litrev_eval.datasets.half`: thresholds are chosen on *tune*,
*holdout* is only measured) and for all items; ``items`` lists each question's outcome.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from litrev_eval.datasets import HALVES, half
from litrev_eval.fulltext_papers import LIBRARY_BIB, QA, UNANSWERABLE, compile_papers, folded, rows

from rag.answers.answer import Answer, answer
from rag.answers.record import Citation
from rag.index.embedding import Embedder
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.settings import Settings
from rag.sources.body_text import Passage as BodyPassage

NOTE = "adding its PDF may answer this"
Progress = Callable[[str, int, int], None]


def quoted_pages(citation: Citation, body: Sequence[BodyPassage]) -> list[tuple[str, int | None]]:
    """Each sentence the answer quotes of a cited paper, with its page: the citation's own page for
    its marked sentence, the page of the body passage that holds it for another (None: the
    abstract)."""
    out = [(citation.sentence, citation.page)]
    for text in citation.quotes:
        if text == citation.sentence:
            continue
        found = next(((p, p.text.find(text)) for p in body if text in p.text), None)
        out.append((text, found[0].page_at(found[1]) if found else None))
    return out


def judge_item(
    item: dict[str, Any], result: Answer, paper_id: str, body: Sequence[BodyPassage] = ()
) -> dict[str, Any]:
    """What the answer did for one answerable item; a sentence the answer quotes counts as its
    marked sentence does (``Citation.quotes``: the runners-up the ranking could not tell from it),
    each on its own page (``body``: the paper's passages)."""
    mine = [c for c in result.citations if c.paper_id == paper_id]
    wanted = [folded(text) for text in item["answer_contains"]]
    quoted = [pair for c in mine for pair in quoted_pages(c, body)]
    holds = [page for text, page in quoted if any(w in folded(text) for w in wanted)]
    return {
        "id": item["id"],
        "half": half(item["id"]),
        "answered": not result.abstained,
        "paper_cited": bool(mine),
        "page_right": any(c.page == item["page"] for c in mine),
        "answer_held": bool(holds),
        "right_page": item["page"] in holds,
        "cited": [(c.paper_id == paper_id, c.page, c.sentence[:120]) for c in result.citations],
        "reason": result.reason,
    }


def run(
    settings: Settings, *, embedder: Embedder | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    qa, unanswerable = rows(QA), rows(UNANSWERABLE)
    with tempfile.TemporaryDirectory(prefix="litrev-fulltext-") as scratch:
        root = Path(scratch)
        pdfs = root / "pdfs"
        compile_papers(pdfs)
        full = Library(settings.model_copy(update={"home": root / "full"}), embedder=embedder)
        started = time.perf_counter()
        report = ingest([LIBRARY_BIB, pdfs], library=full)
        ingest_seconds = time.perf_counter() - started
        papers = {paper.bibkey: paper for paper in full.store.iter_papers()}
        answered, times = [], []
        for number, item in enumerate(qa, start=1):
            began = time.perf_counter()
            result = answer(item["question"], library=full)
            times.append(time.perf_counter() - began)
            paper = papers[item["paper"]]
            body = full.judge.sentences.sentences([paper])[0].body
            answered.append(judge_item(item, result, paper.id, body))
            if progress:
                progress("with the PDFs", number, len(qa) + len(unanswerable))
        refused = []
        for number, item in enumerate(unanswerable, start=len(qa) + 1):
            result = answer(item["question"], library=full)
            refused.append({"id": item["id"], "half": half(item["id"]), "abstained": result.abstained})
            if progress:
                progress("with the PDFs", number, len(qa) + len(unanswerable))
        bare = Library(settings.model_copy(update={"home": root / "bare"}), embedder=full.embedder)
        ingest([LIBRARY_BIB], library=bare)
        without = []
        for number, item in enumerate(qa, start=1):
            result = answer(item["question"], library=bare)
            without.append(
                {
                    "id": item["id"],
                    "half": half(item["id"]),
                    "abstained": result.abstained,
                    "note": result.abstained and NOTE in result.answer,
                    "reason": result.reason,
                }
            )
            if progress:
                progress("without the PDFs", number, len(qa))
    figures: dict[str, Any] = {
        "papers": report.total_papers,
        "passages": report.passages,
        "ingest_s": ingest_seconds,
        "answer_median_s": statistics.median(times),
        "answerable": len(qa),
        "unanswerable": len(unanswerable),
    }
    for name in (*HALVES, "all"):

        def keep(rows: list[dict[str, Any]], name: str = name) -> list[dict[str, Any]]:
            return [row for row in rows if name == "all" or row["half"] == name]

        figures[name] = {
            "items": len(keep(answered)),
            **{key: _share(keep(answered), key) for key in ("right_page", "answer_held", "page_right")},
            **{key: _share(keep(answered), key) for key in ("paper_cited", "answered")},
            "unanswerable_abstained": _share(keep(refused), "abstained"),
            "without_pdfs_abstained": _share(keep(without), "abstained"),
            "without_pdfs_note": _share(keep(without), "note"),
        }
    figures["items"] = {"with": answered, "unanswerable": refused, "without": without}
    return figures


def _share(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.fmean(float(bool(row[key])) for row in rows) if rows else 0.0


ROWS = (
    ("answered with the right page (the cited sentence holds the answer)", "right_page"),
    ("the cited sentence of its paper holds the answer, any page", "answer_held"),
    ("its paper cited on the right page", "page_right"),
    ("its paper cited", "paper_cited"),
    ("answered (not abstained)", "answered"),
    ("unanswerable questions abstained", "unanswerable_abstained"),
    ("without the PDFs: abstained", "without_pdfs_abstained"),
    ("without the PDFs: abstained saying adding the PDF may answer", "without_pdfs_note"),
)


def table(figures: dict[str, Any]) -> str:
    head = [
        f"{figures['answerable']} answerable and {figures['unanswerable']} unanswerable questions on "
        f"{figures['papers']} papers ({figures['passages']} passages, ingested in "
        f"{figures['ingest_s']:.1f} s; median answer {figures['answer_median_s']:.2f} s)",
        "",
        "| | tune | holdout | all |",
        "|---|---:|---:|---:|",
        f"| items | {figures['tune']['items']} | {figures['holdout']['items']} | {figures['all']['items']} |",
    ]
    rows = [
        f"| {label} | " + " | ".join(f"{figures[name][key]:.3f}" for name in (*HALVES, "all")) + " |"
        for label, key in ROWS
    ]
    return "\n".join(head + rows)


def main() -> None:
    figures = run(Settings())
    print(table(figures))


if __name__ == "__main__":
    main()
