"""Paths the tests share: the repository, the bundled corpus and its raw sources."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "corpus" / "papers.jsonl"
RAW = ROOT / "corpus" / "raw"
