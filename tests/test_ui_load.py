"""Load on the running app through its API over loopback: reads overlap, and an ingest in the
middle of 20 concurrent asks (through the upload path, under the write lock) leaves every answer
whole. (Latency figures: ``litrev bench ui``.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rag.index.ingest import ingest
from rag.index.library import Library
from rag.retrieval.retrieve import search
from rag.settings import LLMSettings, Settings
from rag.sources.sentences import sentence_spans
from tests.helpers import BUNDLED
from tests.openai_server import ScriptedServer
from tests.ui_server import QUIET_GRADIO, serving
from ui import shelf

pytestmark = QUIET_GRADIO

QUESTIONS = [
    "Which papers accelerate LLM inference with speculative decoding?",
    "How can speech be turned into discrete tokens for language models?",
    "Which methods make text-to-speech synthesis faster?",
    "How do neural audio codecs compress speech?",
]
OVERLAPPING = 4


@pytest.fixture(scope="module")
def model() -> Iterator[ScriptedServer]:
    with ScriptedServer() as server:
        yield server


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, embedder, model: ScriptedServer
) -> Iterator[tuple[str, Library, Path]]:
    home = tmp_path_factory.mktemp("load")
    lines = BUNDLED.read_text(encoding="utf-8").splitlines()
    first, rest = home / "first.jsonl", home / "rest.jsonl"
    first.write_text("\n".join(lines[:200]) + "\n", encoding="utf-8")
    rest.write_text("\n".join(lines[200:]) + "\n", encoding="utf-8")
    llm = LLMSettings(base_url=model.url, model="scripted", timeout=120, max_retries=0)
    library = Library(Settings(home=home / "home", llm=llm), embedder=embedder)
    ingest([first], library=library)
    with serving(library, home / "work") as url:
        yield url, library, rest


def clients(url: str, count: int) -> list:
    from gradio_client import Client

    return [Client(url, verbose=False, download_files=False) for _ in range(count)]


def test_model_answers_are_written_for_several_users_at_once(
    served: tuple[str, Library, Path], model: ScriptedServer
) -> None:
    """The scripted model answers only once all four requests are in: if the app took one ask at a
    time, the first would wait alone, fail, and come back as the extractive fallback."""
    url, library, _ = served
    question = QUESTIONS[0]
    top = search(question, library=library).hits[0].paper
    start, end = sentence_spans(top.abstract)[0]
    together = threading.Barrier(OVERLAPPING)
    for _ in range(OVERLAPPING):
        model.enqueue(text=f"{top.abstract[start:end]} [1]", barrier=together, barrier_timeout=60)
    users = clients(url, OVERLAPPING)
    with ThreadPoolExecutor(max_workers=OVERLAPPING) as pool:
        results = list(
            pool.map(lambda user: user.predict(question=question, generator="openai", api_name="/ask"), users)
        )
    for result in results:
        assert result["generator"] == "openai" and result["notice"] is None
        assert result["citations"][0]["paper_id"] == top.id
    assert not together.broken


def test_twenty_concurrent_asks_during_an_ingest(served: tuple[str, Library, Path]) -> None:
    url, library, rest = served
    users = clients(url, 20)

    def ask(index: int) -> dict:
        return users[index].predict(question=QUESTIONS[index % len(QUESTIONS)], api_name="/ask")

    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(ask, i) for i in range(20)]
        report = shelf.add_files([rest], library=library)  # the upload path: 64 more papers arrive
        outcomes = [future.result(timeout=600) for future in futures]

    assert "64 papers added" in report and library.store.paper_count() == 264
    known = {paper.id for paper in library.store.iter_papers()}
    for result in outcomes:
        assert result["abstained"] is False and result["citations"]
        cited = {c["paper_id"] for c in result["citations"]}
        assert cited <= known and cited <= {e["paper_id"] for e in result["evidence"]}
