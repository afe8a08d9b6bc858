"""Paths the tests share: the repository, the bundled corpus and its raw sources."""

from __future__ import annotations

from pathlib import Path

from rag.settings import BUNDLED_CORPUS

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = BUNDLED_CORPUS
"""The bundled corpus (package data: ``corpus/papers.jsonl``)."""
RAW = ROOT / "corpus" / "raw"
"""The sources it is converted from (``litrev convert corpus/raw``)."""
