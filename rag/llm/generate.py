"""Generators turn a question and numbered evidence passages into answer text with ``[n]`` markers.

- :class:`ExtractiveGenerator` (the default) needs no model and no server: it quotes the evidence
  sentences most similar to the question, each cited to its paper, so it is grounded by construction.
- :class:`OpenAICompatibleGenerator` streams from any OpenAI-compatible server (OpenAI, vLLM,
  Ollama, LM Studio, llama.cpp's server) through the official ``openai`` client.
- :class:`LocalGenerator` runs a GGUF model in-process with llama-cpp-python.

Whatever a model writes goes through the citation check of :mod:`rag.answers.answer`.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from rag import prompts
from rag.errors import GenerationError, LitrevError
from rag.llm.model_reply import bounded, describe, is_event_stream
from rag.settings import AnswerSettings, LLMSettings, Settings
from rag.sources.corpus import Paper
from rag.sources.sentences import sentence_spans

if TYPE_CHECKING:
    from rag.index.embedding import Embedder


@dataclass(frozen=True)
class Passage:
    """One evidence item as a generator sees it: its marker number and its paper."""

    marker: int
    paper: Paper
    focus: tuple[int, int] | None = None
    """The span of the abstract retrieval matched best (its best chunk), if known."""

    def sentence_spans(self) -> list[tuple[int, int]]:
        spans = sentence_spans(self.paper.abstract)
        if self.focus is None:
            return spans
        start, end = self.focus
        return [(s, e) for s, e in spans if s < end and e > start] or spans


class Generator(Protocol):
    name: str

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        """Yield the answer text piece by piece; cite passages as ``[marker]``."""
        ...


@dataclass(frozen=True)
class ScoredSentence:
    marker: int
    start: int
    end: int
    text: str
    score: float


def rank_sentences(embedder: Embedder, question: str, passages: Sequence[Passage]) -> list[ScoredSentence]:
    """Every sentence of every passage, scored by cosine similarity to the question, best first."""
    items = [
        (passage.marker, start, end, passage.paper.abstract[start:end])
        for passage in passages
        for start, end in passage.sentence_spans()
    ]
    if not items:
        return []
    vectors = embedder.embed([question] + [text for *_, text in items])
    scores = vectors[1:] @ vectors[0]
    order = np.argsort(-scores, kind="stable")
    return [ScoredSentence(*items[i], float(scores[i])) for i in order]


def _short_title(title: str) -> str | None:
    head, colon, _ = title.partition(":")
    return head.strip() if colon and len(head) <= 40 else None


class ExtractiveGenerator:
    """Quote the most relevant evidence sentences, at most one per paper, each with its marker."""

    name = "extractive"

    def __init__(self, embedder: Embedder, settings: AnswerSettings) -> None:
        self.embedder = embedder
        self.settings = settings

    def select(self, question: str, passages: Sequence[Passage]) -> list[ScoredSentence]:
        chosen: list[ScoredSentence] = []
        used: set[int] = set()
        ranked = rank_sentences(self.embedder, question, passages)
        if not ranked:
            return chosen
        floor = max(self.settings.sentence_floor, self.settings.relative_floor * ranked[0].score)
        for sentence in ranked:
            if sentence.score < floor and chosen:
                break
            if sentence.marker in used:
                continue
            chosen.append(sentence)
            used.add(sentence.marker)
            if len(chosen) == self.settings.max_sentences:
                break
        return chosen

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        papers = {passage.marker: passage.paper for passage in passages}
        for sentence in self.select(question, passages):
            short = _short_title(papers[sentence.marker].title)
            lead = f"{short}: " if short else ""
            # A quoted "[7]" is the abstract's own text, never a citation: show it as "(7)".
            quoted = neutralise_markers(f"{lead}{sentence.text}")
            yield f"- {quoted} [{sentence.marker}]\n"


# -- model-backed generators --------------------------------------------------------------------

_MARKER_LIKE = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def neutralise_markers(text: str) -> str:
    """Bracketed numbers in corpus text become parenthesised, so they cannot pose as markers."""
    return _MARKER_LIKE.sub(r"(\1)", text)


def render_answer_prompt(question: str, passages: Sequence[Passage], max_sentences: int) -> str:
    """The answer prompt, with bracketed numbers in titles and abstracts neutralised."""
    items = [
        {
            "marker": passage.marker,
            "title": neutralise_markers(passage.paper.title),
            "text": neutralise_markers(passage.paper.abstract),
        }
        for passage in passages
    ]
    return prompts.render("answer", question=question, passages=items, max_sentences=max_sentences)


NO_SERVER = (
    "no model server is configured for the OpenAI-compatible generator: set its URL "
    "(--base-url, LITREV_LLM__BASE_URL or OPENAI_BASE_URL, e.g. http://127.0.0.1:8080/v1), "
    "or OPENAI_API_KEY to use api.openai.com"
)


class OpenAICompatibleGenerator:
    """Any OpenAI-compatible chat endpoint through the official ``openai`` client, streamed."""

    name = "openai"

    def __init__(self, settings: LLMSettings, answer_settings: AnswerSettings, client: Any = None) -> None:
        self.settings = settings
        self.answer_settings = answer_settings
        self.client = client or self._client(settings)

    @staticmethod
    def _client(settings: LLMSettings) -> Any:
        import openai

        base_url = settings.base_url or os.environ.get("OPENAI_BASE_URL")
        api_key = settings.api_key or os.environ.get("OPENAI_API_KEY")
        if not base_url and not api_key:
            # Never reach off the machine unasked: OpenAI's own endpoint only with the user's key.
            raise LitrevError(NO_SERVER)
        return openai.OpenAI(
            base_url=base_url,
            api_key=api_key or "no-key-needed",
            timeout=settings.timeout,
            max_retries=settings.max_retries,
        )

    @property
    def where(self) -> str:
        return self.settings.base_url or os.environ.get("OPENAI_BASE_URL") or "api.openai.com"

    def complete(self, prompt: str, *, max_tokens: int | None = None) -> Iterator[str]:
        """Stream the reply to one user message; the whole reply must arrive within
        ``llm.timeout`` seconds (retries included) and within ``llm.max_reply_chars`` characters,
        else :class:`GenerationError`."""
        return bounded(
            self._reply(prompt, max_tokens),
            self.settings.timeout,
            self.settings.max_reply_chars,
            f"the model at {self.where}",
        )

    def _reply(self, prompt: str, max_tokens: int | None) -> Iterator[str]:
        """The one place where the ``openai`` client's errors become :class:`GenerationError`."""
        import openai

        try:
            stream = self.client.chat.completions.create(
                model=self.settings.model,
                messages=[{"role": "user", "content": prompt}],
                temperature=self.settings.temperature,
                max_tokens=max_tokens or self.settings.max_tokens,
                stream=True,
            )
            with stream:
                if not is_event_stream(stream.response):
                    raise GenerationError(
                        f"the model at {self.where} sent a malformed reply: {describe(stream.response)}"
                    )
                chunks = 0
                for event in stream:
                    chunks += 1
                    if text := self._delta_text(event):
                        yield text
                if not chunks:
                    raise GenerationError(
                        f"the model at {self.where} sent a malformed reply: an event stream without "
                        "a single chat chunk"
                    )
        except openai.APIError as error:  # connection, timeout and HTTP status errors alike
            message = " ".join(str(error).split())[:200]
            raise GenerationError(
                f"the model at {self.where} failed: {type(error).__name__}: {message}"
            ) from None
        except json.JSONDecodeError as error:  # an SSE "data:" line that is not JSON
            raise GenerationError(
                f"the model at {self.where} sent a malformed stream (an event that is not JSON: "
                f"{error.msg} at character {error.pos})"
            ) from None

    def _delta_text(self, event: Any) -> str | None:
        """The text of one streamed chunk; a chunk of another shape is a malformed stream."""
        choices = getattr(event, "choices", None)
        if not isinstance(choices, list):
            raise GenerationError(
                f"the model at {self.where} sent a malformed stream (a chunk without a choices list)"
            )
        if not choices:
            return None  # a usage-only chunk
        delta = getattr(choices[0], "delta", None)
        content = getattr(delta, "content", None)
        ends = getattr(choices[0], "finish_reason", None) is not None
        if (delta is None and not ends) or not (content is None or isinstance(content, str)):
            raise GenerationError(
                f"the model at {self.where} sent a malformed stream (a choice without text delta)"
            )
        return content

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        prompt = render_answer_prompt(question, passages, self.answer_settings.max_sentences)
        yield from self.complete(prompt)


class LocalGenerator:
    """A GGUF model run in-process by llama-cpp-python (``pip install 'litrev[local]'``)."""

    name = "local"

    def __init__(self, settings: LLMSettings, answer_settings: AnswerSettings) -> None:
        if settings.model_path is None or not settings.model_path.is_file():
            raise LitrevError(
                f"llm.model_path must name a GGUF file for provider 'local', got {settings.model_path}"
            )
        try:
            from llama_cpp import Llama
        except ImportError:
            raise LitrevError(
                "provider 'local' needs llama-cpp-python: pip install 'litrev[local]'"
            ) from None
        self.settings = settings
        self.answer_settings = answer_settings
        self.model = Llama(model_path=str(settings.model_path), n_ctx=settings.context_tokens, verbose=False)

    def complete(self, prompt: str, *, max_tokens: int | None = None) -> Iterator[str]:
        try:
            for event in self.model.create_chat_completion(
                messages=[{"role": "user", "content": prompt}],
                temperature=self.settings.temperature,
                max_tokens=max_tokens or self.settings.max_tokens,
                stream=True,
            ):
                content = event["choices"][0]["delta"].get("content")
                if content:
                    yield content
        except (RuntimeError, ValueError) as error:
            raise GenerationError(f"the local model failed: {error}") from None

    def stream(self, question: str, passages: Sequence[Passage]) -> Iterator[str]:
        prompt = render_answer_prompt(question, passages, self.answer_settings.max_sentences)
        yield from self.complete(prompt)


def make_generator(settings: Settings, embedder: Embedder) -> Generator:
    """The generator the settings name."""
    provider = settings.llm.provider
    if provider == "openai":
        return OpenAICompatibleGenerator(settings.llm, settings.answer)
    if provider == "local":
        return LocalGenerator(settings.llm, settings.answer)
    return ExtractiveGenerator(embedder, settings.answer)
