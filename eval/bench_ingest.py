"""``litrev bench ingest``: full ingest throughput against the encoder's own, in one run.

1. Parse and chunk the sources, then time ``model.encode`` alone on exactly the texts ingest
   will embed (after a warm-up): the physical floor on this machine.
2. Time a complete ``ingest`` of the same sources into a fresh temporary library (parse, chunk,
   embed, Chroma upserts, BM25 build).
3. Time a second ingest of the same sources (everything unchanged: nothing may be embedded).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from rag.chunking import chunk_papers
from rag.corpus import read_paths
from rag.ingest import embedding_text, ingest
from rag.library import Library
from rag.settings import Settings


def run(sources: list[Path], settings: Settings, library: Library | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="litrev-bench-") as home:
        fresh = settings.model_copy(update={"home": Path(home)})
        library = Library(fresh, embedder=library.embedder if library else None)
        embedder = library.embedder
        papers = read_paths(sources).papers
        titles = {paper.id: paper.title for paper in papers}
        texts = [embedding_text(c.text, titles[c.paper_id]) for c in chunk_papers(papers, fresh.chunking)]
        embedder.embed(texts[:64])  # warm-up
        started = time.perf_counter()
        embedder.embed(texts)
        encode_seconds = time.perf_counter() - started

        started = time.perf_counter()
        report = ingest(sources, library=library)
        ingest_seconds = time.perf_counter() - started

        started = time.perf_counter()
        again = ingest(sources, library=library)
        reingest_seconds = time.perf_counter() - started
    return {
        "papers": len(papers),
        "chunks": len(texts),
        "encode_chunks_per_s": len(texts) / encode_seconds,
        "ingest_chunks_per_s": report.chunks / ingest_seconds,
        "ratio": (report.chunks / ingest_seconds) / (len(texts) / encode_seconds),
        "ingest_papers_per_s": report.added / ingest_seconds,
        "encode_s": encode_seconds,
        "ingest_s": ingest_seconds,
        "reingest_s": reingest_seconds,
        "reingest_embedded_chunks": again.chunks,
    }


def table(figures: dict[str, Any]) -> str:
    rows = [
        ("papers / chunks", f"{figures['papers']} / {figures['chunks']}"),
        ("raw encode", f"{figures['encode_chunks_per_s']:.1f} chunks/s ({figures['encode_s']:.1f} s)"),
        ("full ingest", f"{figures['ingest_chunks_per_s']:.1f} chunks/s ({figures['ingest_s']:.1f} s)"),
        ("ratio ingest / encode", f"{figures['ratio']:.3f}"),
        (
            "second ingest",
            f"{figures['reingest_s']:.2f} s, {figures['reingest_embedded_chunks']} chunks embedded",
        ),
    ]
    return "\n".join(["| figure | value |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)])
