"""The cross-encoder in ONNX Runtime: the same logits as torch, without loading torch.

Torch takes seconds to import and runs the cross-encoder at about 30 ms a claim on two cores;
ONNX Runtime runs the same graph in about 18. So, as the query encoder is
(:mod:`rag.index.query_encoder`), the cross-encoder with a weights file's tuned layers is exported
once to ``LITREV_HOME/models/`` (at the first claim judged there) and checked against torch on
:data:`PROBES` before it is kept; its SHA-256 is kept beside it and checked before every load, so a
damaged export is made again. Claim and premise are tokenised by the model's own fast tokenizer
(``tokenizer.json``) as the torch model's tokenizer does (:class:`Reading`).
"""

from __future__ import annotations

import hashlib
import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from rag import onnx_files
from rag.errors import IndexDamagedError, LitrevError

if TYPE_CHECKING:
    import torch

FORMAT = 1
"""Bump when the exported graph changes, so old exports are not reused."""
MAX_DIFFERENCE = 1e-3
"""Largest difference between an export's logit and torch's on any probe pair."""
PROBES = (
    ("The method runs twice as fast as its baseline.", "Title: We propose a method. It is 2x faster."),
    ("x", "y"),
    ("A claim about \u00fcber-large models (\u03b5 = 10\u207b\u00b3).", "A premise. " * 120),
    (" ".join(["A claim long enough to be cut."] * 60), "A short premise."),
)
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class Reading(Protocol):
    """How the cross-encoder reads its input (:mod:`rag.grounding.entailment` sets it)."""

    tokenizer_file: Path
    max_tokens: int
    truncation: str
    batch: int

    def encode(self, tokenizer: Any, pairs: Sequence[tuple[str, str]]) -> dict[str, torch.Tensor]: ...


def onnx_path(home: Path, weights: Path, base: Path) -> Path:
    """Where the export of the cross-encoder with ``weights`` over the model in ``base`` lives;
    changed weights get a new name."""
    stat = weights.stat()
    stamp = f"{FORMAT}|{base.resolve()}|{weights.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    key = hashlib.sha256(stamp.encode()).hexdigest()[:16]
    return home / "models" / f"{re.sub(r'[^A-Za-z0-9._-]', '_', weights.stem)}-{key}.onnx"


class OnnxEntailment:
    """Tokenise claim and premise together and run the exported cross-encoder."""

    def __init__(self, model: Path | bytes, reading: Reading, *, threads: int | None = None) -> None:
        from tokenizers import Tokenizer

        self.batch = reading.batch
        self.tokenizer = Tokenizer.from_file(str(reading.tokenizer_file))
        self.tokenizer.enable_truncation(reading.max_tokens, strategy=reading.truncation)
        self.tokenizer.enable_padding()
        self.session = onnx_files.session(model, threads)

    def logits(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        out = []
        for start in range(0, len(pairs), self.batch):
            encodings = self.tokenizer.encode_batch(list(pairs[start : start + self.batch]))
            feeds = {
                "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
            }
            out.append(self.session.run(None, feeds)[0])
        return np.concatenate(out).astype(np.float32) if out else np.zeros(0, dtype=np.float32)


def export(model: torch.nn.Module, tokenizer: Any, reading: Reading, path: Path) -> None:
    """Export the torch cross-encoder ``model`` to ``path`` and check it against torch on
    :data:`PROBES`; written to a temporary name and moved into place, so a concurrent reader never
    sees half a file. Raises :class:`LitrevError` (and keeps nothing) if the logits disagree."""
    import torch

    class Logit(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.model(**dict(zip(_INPUTS, inputs, strict=True)))

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    sample = reading.encode(tokenizer, PROBES[:2])
    axes = {name: {0: "batch", 1: "tokens"} for name in _INPUTS} | {"logit": {0: "batch"}}
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's shape warnings; checked against torch below
            torch.onnx.export(
                Logit().eval(),
                tuple(sample[name] for name in _INPUTS),
                str(partial),
                input_names=list(_INPUTS),
                output_names=["logit"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
            reference = model(**reading.encode(tokenizer, PROBES)).numpy()
        difference = float(
            np.abs(OnnxEntailment(partial, reading, threads=1).logits(PROBES) - reference).max()
        )
        if difference > MAX_DIFFERENCE:
            raise LitrevError(
                f"the ONNX export of the cross-encoder {path.name} disagrees with torch (logits differ "
                f"by {difference:.5f}, at most {MAX_DIFFERENCE}); remove {path.parent} and report this"
            )
        with partial.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        onnx_files.write_record(onnx_files.record_path(path), {"sha256": digest})
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def load(path: Path, reading: Reading, *, threads: int | None = None) -> OnnxEntailment:
    """The export at ``path`` once its SHA-256 holds; IndexDamagedError naming the file if not."""
    from onnxruntime.capi import onnxruntime_pybind11_state as runtime

    data = onnx_files.checked_bytes(path, "the cross-encoder")
    try:
        return OnnxEntailment(data, reading, threads=threads)
    except (runtime.Fail, runtime.InvalidProtobuf, runtime.InvalidGraph, runtime.InvalidArgument) as error:
        raise IndexDamagedError(f"the cross-encoder {path} is damaged ({type(error).__name__})") from None
