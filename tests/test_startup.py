"""Commands import only what they use: no torch, llama-index, nltk, gradio or matplotlib where
they are not needed (measured figures are in ``litrev bench startup``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.index.library import Library

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "sentence_transformers", "llama_index", "nltk", "gradio", "matplotlib", "openai")
PROBE = """
import json, sys
from rag.cli.commands import app
try:
    app(sys.argv[1:], standalone_mode=False)
finally:
    sys.stdout.flush()
    print(json.dumps(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
"""


def loaded(args: list[str], home: Path) -> set[str]:
    env = {**os.environ, "LITREV_HOME": str(home), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], env=env, capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_help_and_convert_load_no_model_store_or_ui(tmp_path: Path) -> None:
    for args in (["--help"], ["convert", str(ROOT / "corpus" / "raw"), "-o", str(tmp_path / "out.jsonl")]):
        modules = loaded(args, tmp_path)
        assert not modules & {*HEAVY, "chromadb", "ui", "litrev_eval", "onnxruntime"}, args


@pytest.mark.parametrize(
    "args",
    [["papers"], ["ask", "What speed-up does EAGLE report?"], ["search", "speculative decoding"]],
    ids=lambda args: args[0],
)
def test_queries_load_neither_torch_nor_the_splitter(args: list[str], bundled: Library) -> None:
    bundled.embedder.query_encoder()  # the export exists once the library is ingested
    modules = loaded(args, bundled.settings.home)
    assert "chromadb" in modules  # the probe does run the command
    assert not modules & {*HEAVY, "ui", "litrev_eval"}, args
