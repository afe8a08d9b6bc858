"""``litrev bench ingest``: full ingest throughput against the encoder's own, best of three, one run.

Each of ``RUNS`` rounds times, on the same sources:

1. the document encoder ingest uses (``embed_documents``: torch, not the ONNX query encoder
   that ``embed`` prefers) alone on exactly the texts ingest will embed (every chunk with its
   title, and every sentence of every abstract, which the judge reads), after a warm-up: the
   physical floor on this machine;
2. a complete ``ingest`` into a fresh temporary library (parse, chunk, embed, Chroma upserts, BM25
   build).

The best encode rate and the best ingest rate are compared (rounds on a shared machine are noisy;
the best of each is the least disturbed). Then, once, what ingest does besides encoding, each
part timed alone: parsing, chunking, the Chroma writes of precomputed vectors, and the BM25 build;
and a second ingest of the same sources (everything unchanged: nothing may be embedded).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from rag.index.chunking import chunk_papers
from rag.index.ingest import embedding_text, ingest
from rag.index.lexical import LexicalIndex
from rag.index.library import Library
from rag.index.sentence_vectors import texts_of
from rag.settings import Settings
from rag.sources.corpus import read_paths

RUNS = 3


def run(sources: list[Path], settings: Settings, library: Library | None = None) -> dict[str, Any]:
    embedder = library.embedder if library else Library(settings).embedder
    read_started = time.perf_counter()
    papers = read_paths(sources).papers
    read_seconds = time.perf_counter() - read_started
    started = time.perf_counter()
    chunks = chunk_papers(papers, settings.chunking)
    chunk_seconds = time.perf_counter() - started
    titles = {paper.id: paper.title for paper in papers}
    texts = [embedding_text(c.text, titles[c.paper_id]) for c in chunks] + texts_of(papers)
    embedder.embed_documents(texts[:64])  # warm-up

    encode_runs, ingest_runs = [], []
    reingest_seconds, reingest_chunks, write_seconds, lexical_seconds = 0.0, 0, 0.0, 0.0
    for round_ in range(RUNS):
        started = time.perf_counter()
        vectors = embedder.embed_documents(texts)
        encode_runs.append(time.perf_counter() - started)
        with tempfile.TemporaryDirectory(prefix="litrev-bench-") as home:
            fresh = Library(settings.model_copy(update={"home": Path(home)}), embedder=embedder)
            started = time.perf_counter()
            report = ingest(sources, library=fresh)
            ingest_runs.append(time.perf_counter() - started)
            if round_ == 0:
                started = time.perf_counter()
                reingest_chunks = ingest(sources, library=fresh).chunks
                reingest_seconds = time.perf_counter() - started
        if round_ == 0:
            with tempfile.TemporaryDirectory(prefix="litrev-bench-") as home:
                alone = Library(settings.model_copy(update={"home": Path(home)}), embedder=embedder)
                store = alone.open_store(create=True)
                started = time.perf_counter()
                store.write(papers, chunks, vectors[: len(chunks)])
                write_seconds = time.perf_counter() - started
            started = time.perf_counter()
            LexicalIndex.build(papers)
            lexical_seconds = time.perf_counter() - started
    encode_seconds, ingest_seconds = min(encode_runs), min(ingest_runs)
    encode_rate = len(texts) / encode_seconds
    ingest_rate = len(texts) / ingest_seconds  # ingest embeds exactly these texts
    return {
        "papers": len(papers),
        "chunks": len(chunks),
        "texts": len(texts),
        "runs": RUNS,
        "encode_texts_per_s": encode_rate,
        "ingest_texts_per_s": ingest_rate,
        "ratio": ingest_rate / encode_rate,
        "ratios_per_run": [e / i for e, i in zip(encode_runs, ingest_runs, strict=True)],
        "ingest_papers_per_s": report.added / ingest_seconds,
        "encode_s": encode_seconds,
        "ingest_s": ingest_seconds,
        "encode_runs_s": encode_runs,
        "ingest_runs_s": ingest_runs,
        "read_s": read_seconds,
        "chunk_s": chunk_seconds,
        "chroma_write_s": write_seconds,
        "bm25_build_s": lexical_seconds,
        "reingest_s": reingest_seconds,
        "reingest_embedded_chunks": reingest_chunks,
    }


def table(figures: dict[str, Any]) -> str:
    runs = figures["runs"]
    rows = [
        (
            "papers / chunks / texts embedded",
            f"{figures['papers']} / {figures['chunks']} / {figures['texts']} (chunks and abstract sentences)",
        ),
        (
            f"raw encode, best of {runs}",
            f"{figures['encode_texts_per_s']:.1f} texts/s ({figures['encode_s']:.1f} s; runs "
            + ", ".join(f"{s:.1f}" for s in figures["encode_runs_s"])
            + ")",
        ),
        (
            f"full ingest, best of {runs}",
            f"{figures['ingest_texts_per_s']:.1f} texts/s ({figures['ingest_s']:.1f} s; runs "
            + ", ".join(f"{s:.1f}" for s in figures["ingest_runs_s"])
            + ")",
        ),
        ("ratio ingest / encode (bests)", f"{figures['ratio']:.3f}"),
        ("ratio per run", ", ".join(f"{r:.3f}" for r in figures["ratios_per_run"])),
        ("besides encoding, alone: parse", f"{figures['read_s']:.2f} s"),
        ("chunking", f"{figures['chunk_s']:.2f} s"),
        ("Chroma writes (overlapped with encoding)", f"{figures['chroma_write_s']:.2f} s"),
        ("BM25 build", f"{figures['bm25_build_s']:.2f} s"),
        (
            "second ingest",
            f"{figures['reingest_s']:.2f} s, {figures['reingest_embedded_chunks']} chunks embedded",
        ),
    ]
    return "\n".join(["| figure | value |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)])
