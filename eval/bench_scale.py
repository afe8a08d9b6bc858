"""``litrev bench scale --papers N``: ingest and query costs on a synthetic library of N papers.

Reports ingest papers/s, the index's size on disk (Chroma, BM25, sentence spans: what grows with
the library; the query encoder's ONNX export under ``models/``, a fixed 86 MB, is left out), the
process's peak resident memory, and warm query latency (p50/p95) of ``search`` and of ``ask``
with the extractive generator, over the questions of the dev datasets. Run one N per process so
peak memory belongs to that N.
"""

from __future__ import annotations

import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from litrev_eval.bench_retrieval import DATASETS
from litrev_eval.synthetic import write_synthetic

from rag.answers.answer import answer
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.retrieval.retrieve import search
from rag.settings import BUNDLED_CORPUS, Settings
from rag.sources.corpus import read_paths

BUNDLED = BUNDLED_CORPUS


def _questions(limit: int) -> list[str]:
    import json

    texts = []
    for name, key in (("multi.jsonl", "question"), ("qa.jsonl", "question"), ("lookup.jsonl", "query")):
        for line in (DATASETS / name).read_text(encoding="utf-8").splitlines():
            texts.append(json.loads(line)[key])
    return texts[:limit]


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _index_bytes(home: Path) -> int:
    """Bytes under ``home`` but outside ``home/models`` (the model export, the same at every size)."""
    models = home / "models"
    return sum(f.stat().st_size for f in home.rglob("*") if f.is_file() and models not in f.parents)


def run(papers: int, settings: Settings, *, home: Path | None = None, queries: int = 60) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="litrev-scale-") as scratch:
        home = home or Path(scratch) / "home"
        library = Library(settings.model_copy(update={"home": home}))
        source = write_synthetic(read_paths([BUNDLED]).papers, papers, Path(scratch) / "synthetic.jsonl")
        started = time.perf_counter()
        report = ingest([source], library=library)
        ingest_seconds = time.perf_counter() - started
        questions = _questions(queries)
        search(questions[0], library=library)  # warm-up
        search_ms, ask_ms = [], []
        for question in questions:
            mark = time.perf_counter()
            search(question, library=library)
            search_ms.append((time.perf_counter() - mark) * 1000)
            mark = time.perf_counter()
            answer(question, library=library)
            ask_ms.append((time.perf_counter() - mark) * 1000)
        search_p50, search_p95 = _percentiles(search_ms)
        ask_p50, ask_p95 = _percentiles(ask_ms)
        return {
            "papers": report.total_papers,
            "chunks": report.chunks,
            "ingest_s": ingest_seconds,
            "ingest_papers_per_s": report.added / ingest_seconds,
            "index_mb": _index_bytes(home) / 2**20,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "search_p50_ms": search_p50,
            "search_p95_ms": search_p95,
            "ask_p50_ms": ask_p50,
            "ask_p95_ms": ask_p95,
            "queries": len(questions),
        }


COLUMNS = (
    "papers",
    "chunks",
    "ingest_papers_per_s",
    "index_mb",
    "peak_rss_mb",
    "search_p50_ms",
    "search_p95_ms",
    "ask_p50_ms",
    "ask_p95_ms",
)


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---:|" * len(COLUMNS)]
    for row in rows:
        lines.append(
            "| "
            + " | ".join(f"{row[c]:.1f}" if isinstance(row[c], float) else str(row[c]) for c in COLUMNS)
            + " |"
        )
    return "\n".join(lines)
