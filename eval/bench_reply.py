"""What a model's streamed reply costs to check, by the number of pieces it arrives in.

A model server may stream its reply in pieces of any size. The answer path holds back
half-written markers (:class:`rag.grounding.citations.MarkerFilter`) and half-written sentences
(:func:`rag.grounding.citations.checked_sentences`) until they are complete; this measures that work for a
reply of ``n`` five-character pieces that never ends a sentence (the worst case: everything is
held back to the end), against the same text in one piece. Linear work keeps the per-piece cost
flat as ``n`` grows.

Run it with ``python -m litrev_eval.bench_reply [N ...]`` (no library, model or server needed).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence

from rag.grounding.citations import MarkerFilter, checked_sentences

PIECE = "abcde"
COUNTS = (5_000, 10_000, 20_000)


def consume(pieces: Sequence[str]) -> float:
    """Seconds to filter markers in and release the sentences of ``pieces``."""
    started = time.perf_counter()
    for _ in checked_sentences(MarkerFilter({1, 2, 3}).filter(pieces), lambda sentence: False):
        pass
    return time.perf_counter() - started


def run(counts: Sequence[int] = COUNTS) -> list[dict[str, float]]:
    rows = []
    for n in counts:
        streamed = min(consume([PIECE] * n) for _ in range(3))
        whole = min(consume([PIECE * n]) for _ in range(3))
        rows.append(
            {
                "pieces": n,
                "streamed_ms": round(streamed * 1000, 1),
                "us_per_piece": round(streamed / n * 1e6, 2),
                "one_piece_ms": round(whole * 1000, 1),
            }
        )
    return rows


def table(rows: Sequence[dict[str, float]]) -> str:
    lines = [
        "| pieces | streamed (ms) | per piece (µs) | same text in one piece (ms) |",
        "|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {row['pieces']:,} | {row['streamed_ms']} | {row['us_per_piece']} | {row['one_piece_ms']} |"
        for row in rows
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run([int(arg) for arg in sys.argv[1:]] or COUNTS)))
