"""Libraries for tests that damage their state: a slice of the bundled corpus, the query encoder
already made (copied in, so commands there need not make it), and a command in its own process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from rag.embedding import Embedder
from rag.query_encoder import record_path
from tests.helpers import BUNDLED, ROOT


def first_papers(path: Path, n: int) -> Path:
    """The first ``n`` records of the bundled corpus, as a JSONL file at ``path``."""
    path.write_text("\n".join(BUNDLED.read_text(encoding="utf-8").splitlines()[:n]) + "\n", encoding="utf-8")
    return path


def share_export(embedder: Embedder, home: Path) -> None:
    """Give a new home the query encoder ``embedder`` made (its file and its checksum)."""
    assert embedder.query_encoder() is not None and embedder.onnx_path is not None
    (home / "models").mkdir(parents=True, exist_ok=True)
    for path in (embedder.onnx_path, record_path(embedder.onnx_path)):
        shutil.copy(path, home / "models" / path.name)


def litrev(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A command in its own process: a crash in native code shows as a signal, not as a test."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LITREV_HOME": str(home)}
    cli = [sys.executable, "-c", "from rag.cli import main; main()", *args]
    return subprocess.run(cli, env=env, capture_output=True, text=True, timeout=600)
