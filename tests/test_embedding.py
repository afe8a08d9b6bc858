"""The two runtimes of the embedding model give the same vectors; the ONNX export is made once."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rag.index.embedding import Embedder
from rag.index.query_encoder import MIN_AGREEMENT, OnnxEncoder, cosine, onnx_path, spec
from tests.helpers import BUNDLED

TEXTS = [
    "What speed-up does EAGLE report?",
    "  padded question  ",
    "",
    "a",
    "Ünïcödé, emoji 🚀 and maths: ∑ x² ≤ ε.",
    *(json.loads(line)["abstract"] for line in BUNDLED.read_text(encoding="utf-8").splitlines()),
]


@pytest.fixture(scope="module")
def embedder(plain_embedder: Embedder) -> Embedder:
    """The model exactly as litrev runs it: no vector remembered between calls."""
    return plain_embedder


@pytest.fixture(scope="module")
def both(embedder: Embedder) -> tuple[np.ndarray, np.ndarray]:
    encoder = embedder.query_encoder()
    assert isinstance(encoder, OnnxEncoder)
    return encoder.encode(TEXTS[:60]), embedder.embed_documents(TEXTS[:60])


def test_onnx_vectors_equal_torch_vectors(both: tuple[np.ndarray, np.ndarray]) -> None:
    onnx, torch = both
    assert onnx.dtype == torch.dtype == np.float32 and onnx.shape == torch.shape
    agreement = cosine(onnx, torch)
    assert agreement.min() >= MIN_AGREEMENT, TEXTS[int(agreement.argmin())]
    assert np.allclose(np.linalg.norm(onnx, axis=1), 1.0, atol=1e-5)


def test_queries_use_onnx_and_ingest_uses_torch(embedder: Embedder) -> None:
    assert embedder.onnx_path is not None and embedder.onnx_path.is_file()
    one = embedder.embed_query(TEXTS[0])
    assert np.array_equal(one, embedder.query_encoder().encode([TEXTS[0]])[0])  # type: ignore[union-attr]
    assert cosine(one[None], embedder.embed_documents([TEXTS[0]]))[0] >= MIN_AGREEMENT


def test_the_export_is_reused_and_named_for_the_weights(embedder: Embedder, tmp_path: Path) -> None:
    path = embedder.onnx_path
    assert path is not None
    before = path.stat().st_mtime_ns
    again = Embedder(embedder.model_dir, embedder.name, home=path.parents[1])
    assert again.onnx_path == path
    again.embed_query("no new export")
    assert path.stat().st_mtime_ns == before
    other = onnx_path(tmp_path, embedder.model_dir, embedder.name)
    assert other.parent == tmp_path / "models" and other.name == path.name


def test_without_a_home_the_embedder_uses_torch(embedder: Embedder) -> None:
    plain = Embedder(embedder.model_dir, embedder.name)
    assert plain.query_encoder() is None
    assert np.array_equal(plain.embed(TEXTS[:3]), embedder.embed_documents(TEXTS[:3]))


def test_models_onnx_cannot_reproduce_are_left_to_torch(embedder: Embedder, tmp_path: Path) -> None:
    assert spec(embedder.model_dir) is not None
    for name in ("modules.json", "sentence_bert_config.json", "tokenizer.json"):
        (tmp_path / name).write_bytes((embedder.model_dir / name).read_bytes())
    (tmp_path / "1_Pooling").mkdir()
    pooling = json.loads((embedder.model_dir / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    (tmp_path / "1_Pooling" / "config.json").write_text(
        json.dumps({**pooling, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}),
        encoding="utf-8",
    )
    assert spec(tmp_path) is None
