"""Load on the running app: 20 concurrent `ask` calls over loopback while an ingest runs."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rag.ingest import ingest
from rag.library import Library
from rag.settings import Settings
from tests.helpers import BUNDLED
from tests.ui_server import QUIET_GRADIO, serving

pytestmark = QUIET_GRADIO

QUESTIONS = [
    "Which papers accelerate LLM inference with speculative decoding?",
    "How can speech be turned into discrete tokens for language models?",
    "Which methods make text-to-speech synthesis faster?",
    "How do neural audio codecs compress speech?",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[tuple[str, Library, Path]]:
    home = tmp_path_factory.mktemp("load")
    lines = BUNDLED.read_text(encoding="utf-8").splitlines()
    first, rest = home / "first.jsonl", home / "rest.jsonl"
    first.write_text("\n".join(lines[:200]) + "\n", encoding="utf-8")
    rest.write_text("\n".join(lines[200:]) + "\n", encoding="utf-8")
    library = Library(Settings(home=home / "home"), embedder=embedder)
    ingest([first], library=library)
    with serving(library, home / "work") as url:
        yield url, library, rest


def test_twenty_concurrent_asks_during_an_ingest(served: tuple[str, Library, Path]) -> None:
    from gradio_client import Client

    url, library, rest = served

    def ask(index: int) -> tuple[float, dict]:
        client = Client(url, verbose=False, download_files=False)
        started = time.perf_counter()
        result = client.predict(question=QUESTIONS[index % len(QUESTIONS)], api_name="/ask")
        return time.perf_counter() - started, result

    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(ask, i) for i in range(20)]
        report = ingest([rest], library=library)  # meanwhile, 64 more papers arrive
        outcomes = [future.result(timeout=300) for future in futures]

    assert report.added == 64 and library.store.paper_count() == 264
    known = {paper.id for paper in library.store.iter_papers()}
    for _, result in outcomes:
        assert result["abstained"] is False and result["citations"]
        assert {c["paper_id"] for c in result["citations"]} <= known
        assert {c["paper_id"] for c in result["citations"]} <= {e["paper_id"] for e in result["evidence"]}
    latencies = sorted(seconds for seconds, _ in outcomes)
    p50, p95 = statistics.median(latencies), latencies[int(0.95 * (len(latencies) - 1))]
    print(f"\n20 concurrent asks: p50 {p50:.2f} s, p95 {p95:.2f} s")
    assert p50 <= p95
