"""The embedding model in ONNX Runtime: the same vectors as sentence-transformers, loaded in a blink.

Loading torch and sentence-transformers takes seconds; a command that embeds one question pays
that on every run. So the model's transformer is exported once to ONNX, from the same weights,
into ``LITREV_HOME/models/`` (at the first ingest, or the first query if the index came from
elsewhere), and queries run it with ONNX Runtime and the model's own fast tokenizer
(``tokenizer.json`` through the ``tokenizers`` package). Tokenisation (text stripped, truncated
to the model's ``max_seq_length``), mean pooling and L2 normalisation are sentence-transformers'
own; fp32 throughout (int8 loses too much). :func:`export` checks the exported model against
torch on probe texts before keeping it; ``litrev bench startup`` reports the agreement.

The export's SHA-256 is kept beside it (``<name>.onnx.json``) and :func:`load` checks it before
ONNX Runtime reads the file, so a damaged export is found and made again (by the caller, see
:meth:`rag.index.embedding.Embedder.query_encoder`). :func:`cannot_export` says why an export should not
even be tried: too little free space for it (a full disk), or an export of these weights that
failed before (its reason is kept in ``<name>.onnx.failed``); questions then use torch.

Only models that sentence-transformers runs as transformer, mean pooling and (optionally)
normalisation are supported; :func:`spec` returns None for others, which then use torch alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rag.errors import IndexDamagedError, LitrevError
from rag.onnx_files import checked_bytes, record_path, session, write_record

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

FORMAT = 1
"""Bump when the exported graph changes, so old exports are not reused."""
MIN_AGREEMENT = 0.99999
"""Least cosine similarity between an exported model's vector and torch's on any probe text."""
PROBES = (
    "What speed-up does EAGLE report?",
    "  Leading and trailing spaces are stripped, as sentence-transformers does.  ",
    "Mixture-of-experts routing with load balancing (\u03b5 = 10\u207b\u00b3) in \u00fcber-large models.",
    "x",
    " ".join(["A sentence long enough to be truncated at the model's maximum length."] * 40),
)
_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"


@dataclass(frozen=True)
class Spec:
    """What the ONNX path must reproduce of a sentence-transformers model."""

    max_seq_length: int
    dim: int
    normalize: bool


def spec(model_dir: Path) -> Spec | None:
    """The model's pipeline if ONNX can reproduce it (transformer, mean pooling, normalise)."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        kinds = [module["type"] for module in modules]
        if kinds not in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE]):
            return None
        pooling_dir = model_dir / modules[1]["path"]
        pooling = json.loads((pooling_dir / "config.json").read_text(encoding="utf-8"))
        config = json.loads((model_dir / "sentence_bert_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None  # not a sentence-transformers directory we can read: torch handles it
    modes = {key for key, value in pooling.items() if key.startswith("pooling_mode_") and value}
    mean_only = modes == {"pooling_mode_mean_tokens"}
    if not mean_only or config.get("do_lower_case") or not (model_dir / "tokenizer.json").is_file():
        return None
    return Spec(
        max_seq_length=int(config["max_seq_length"]),
        dim=int(pooling["word_embedding_dimension"]),
        normalize=len(kinds) == 3,
    )


def onnx_path(home: Path, model_dir: Path, name: str) -> Path:
    """Where the export of model ``name`` (files in ``model_dir``) lives; changed weights get a new name."""
    weights = sorted(model_dir.glob("*.safetensors")) or sorted(model_dir.glob("pytorch_model*.bin"))
    stamp = [f"{path.name}:{path.stat().st_size}:{path.stat().st_mtime_ns}" for path in weights]
    key = hashlib.sha256(f"{FORMAT}|{model_dir.resolve()}|{'|'.join(stamp)}".encode()).hexdigest()[:16]
    return home / "models" / f"{re.sub(r'[^A-Za-z0-9._-]', '_', Path(name).name)}-{key}.onnx"


class OnnxEncoder:
    """Tokenise, run the exported transformer, mean-pool and normalise, all in fp32."""

    def __init__(
        self, path: Path | bytes, model_dir: Path, model_spec: Spec, *, threads: int | None = None
    ) -> None:
        from tokenizers import Tokenizer

        self.spec = model_spec
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=model_spec.max_seq_length)
        self.tokenizer.no_padding()
        self.session = session(path, threads)
        self.inputs = {node.name for node in self.session.get_inputs()}

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        vectors = np.zeros((len(texts), self.spec.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch([text.strip() for text in texts])
        order = np.argsort([-len(encoding.ids) for encoding in encodings], kind="stable")
        for start in range(0, len(order), batch_size):
            batch = [encodings[i] for i in order[start : start + batch_size]]
            vectors[order[start : start + batch_size]] = self._run(batch)
        return vectors

    def _run(self, batch: list) -> np.ndarray:
        width = max(len(encoding.ids) for encoding in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        types = np.zeros((len(batch), width), dtype=np.int64)
        for row, encoding in enumerate(batch):
            n = len(encoding.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = encoding.ids, 1, encoding.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self.session.run(None, {k: v for k, v in feeds.items() if k in self.inputs})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        if self.spec.normalize:
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return pooled.astype(np.float32)


def export(model: SentenceTransformer, model_dir: Path, path: Path, model_spec: Spec) -> None:
    """Export ``model``'s transformer to ``path`` and check it against torch on :data:`PROBES`.

    Written to a temporary name and moved into place, so a concurrent reader never sees half a
    file; raises :class:`LitrevError` (and keeps nothing) if the vectors disagree.
    """
    import torch
    from tokenizers import Tokenizer

    class LastHiddenState(torch.nn.Module):
        """The transformer called with named inputs, returning only the token vectors."""

        def __init__(self) -> None:
            super().__init__()
            self.transformer = model[0].auto_model

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            return self.transformer(**dict(zip(names, inputs, strict=True))).last_hidden_state

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    names = [
        n
        for n in ("input_ids", "attention_mask", "token_type_ids")
        if n in model[0].tokenizer.model_input_names
    ]
    sample = Tokenizer.from_file(str(model_dir / "tokenizer.json")).encode("an example input")
    columns = {
        "input_ids": sample.ids,
        "attention_mask": sample.attention_mask,
        "token_type_ids": sample.type_ids,
    }
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "last_hidden_state"]}
    try:
        with torch.no_grad(), warnings.catch_warnings():
            # The tracer warns about shape-dependent branches of the model's code; the exported
            # graph is checked against torch below instead.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                LastHiddenState().eval(),
                tuple(torch.tensor([columns[name]]) for name in names),
                str(partial),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        probe = OnnxEncoder(partial, model_dir, model_spec, threads=1).encode(PROBES)
        reference = model.encode(list(PROBES), normalize_embeddings=model_spec.normalize)
        agreement = cosine(probe, np.asarray(reference, dtype=np.float32))
        if agreement.min() < MIN_AGREEMENT:
            raise LitrevError(
                f"the ONNX export of {model_dir} disagrees with torch (least cosine "
                f"{agreement.min():.6f}, need {MIN_AGREEMENT}); remove {path.parent} and report this"
            )
        with partial.open("rb") as handle:
            write_record(record_path(path), {"sha256": hashlib.file_digest(handle, "sha256").hexdigest()})
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def load(path: Path, model_dir: Path, model_spec: Spec, *, threads: int | None = None) -> OnnxEncoder:
    """The export at ``path``, once its bytes match the SHA-256 kept when it was made; raises
    IndexDamagedError naming the file when it, or that record, is missing, altered or unreadable."""
    from onnxruntime.capi import onnxruntime_pybind11_state as runtime

    data = checked_bytes(path, "the query encoder")
    try:
        return OnnxEncoder(data, model_dir, model_spec, threads=threads)
    except (runtime.Fail, runtime.InvalidProtobuf, runtime.InvalidGraph, runtime.InvalidArgument) as error:
        raise IndexDamagedError(f"the query encoder {path} is damaged ({type(error).__name__})") from None


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity of two (n, dim) arrays."""
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return (a * b).sum(axis=1) / np.clip(norms, 1e-12, None)
