"""``litrev bench ingest --pdf DIR``: ingest of a folder of PDFs against the encoder's own speed.

On the PDFs of DIR (each becomes a paper titled from its first page, as ``litrev ingest DIR`` does):

1. parsing alone: every PDF read into passages (:func:`rag.sources.pdf.read_pdf`), pages/s;
2. the encoder alone (``embed_documents``, the torch encoder ingest uses) on exactly the texts an
   ingest embeds (the papers' abstract chunks and sentences, the passages and their sentences),
   after a warm-up: texts/s, and passages/s counting the passages only;
3. a complete ingest of DIR into a fresh temporary library, texts/s; the ratio of the best ingest
   to the best encoding (best of ``RUNS`` rounds each: rounds on a shared machine are noisy);
4. peak memory: the ingest of the first PDF alone and of all of them, each in a process of its own
   (so that its peak resident memory is its own, :mod:`litrev_eval.peak_memory`); their
   difference per 100 PDFs says how memory grows with the number of PDFs (PDFs are read a batch
   at a time, pages one at a time).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rag.errors import CorpusError
from rag.index.chunking import chunk_papers
from rag.index.ingest import embedding_text, ingest
from rag.index.library import Library
from rag.index.passage_store import passage_embedding_text
from rag.index.sentence_vectors import body_texts, texts_of
from rag.settings import Settings
from rag.sources.pdf import read_pdf
from rag.sources.pdf.papers import pdf_digest, pdf_paper
from rag.sources.readers import find_files

RUNS = 3
_CHILD = """
import json, sys
from pathlib import Path
from litrev_eval.peak_memory import peak_kb
from rag.index.ingest import ingest
report = ingest([Path(p) for p in sys.argv[1:]])
print(json.dumps({"peak_kb": peak_kb(), "pdfs": report.pdfs_read}))
"""


def run(folder: Path, settings: Settings, library: Library | None = None) -> dict[str, Any]:
    pdfs, _ = find_files([folder], {".pdf"})
    embedder = library.embedder if library else Library(settings).embedder
    started = time.perf_counter()
    papers, bodies, pages, failed = [], [], 0, 0
    for pdf in pdfs:
        try:
            document = read_pdf(pdf)
            paper = pdf_paper(document, pdf_digest(pdf), pdf)
        except CorpusError:
            failed += 1
            continue
        pages += document.pages
        papers.append(paper)
        bodies.append(list(document.passages))
    parse_seconds = time.perf_counter() - started
    chunks = chunk_papers(papers, settings.chunking)
    titles = {paper.id: paper.title for paper in papers}
    pairs = zip(papers, bodies, strict=True)
    passages = [passage_embedding_text(p, paper.title) for paper, body in pairs for p in body]
    others = [embedding_text(c.text, titles[c.paper_id]) for c in chunks]
    others += texts_of(papers) + body_texts(bodies)
    texts = passages + others
    embedder.embed_documents(texts[:64])  # warm-up
    encode_runs, passage_runs, ingest_runs = [], [], []
    for _ in range(RUNS):
        began = time.perf_counter()
        embedder.embed_documents(passages)
        passage_runs.append(time.perf_counter() - began)
        embedder.embed_documents(others)
        encode_runs.append(time.perf_counter() - began)
        with tempfile.TemporaryDirectory(prefix="litrev-bench-") as home:
            fresh = Library(settings.model_copy(update={"home": Path(home)}), embedder=embedder)
            began = time.perf_counter()
            ingest([folder], library=fresh)
            ingest_runs.append(time.perf_counter() - began)
    encode_s, ingest_s = min(encode_runs), min(ingest_runs)
    embedder.query_encoder()  # the ONNX export, made here if not yet, so no measured ingest makes it
    models = embedder.onnx_path.parent if embedder.onnx_path and embedder.onnx_path.exists() else None
    one, every = _peak(pdfs[:1], models), _peak([folder], models)
    return {
        "pdfs": len(papers),
        "unreadable": failed,
        "pages": pages,
        "passages": len(passages),
        "texts": len(texts),
        "runs": RUNS,
        "parse_s": parse_seconds,
        "parse_pages_per_s": pages / parse_seconds,
        "encode_s": encode_s,
        "encode_texts_per_s": len(texts) / encode_s,
        "encode_passages_per_s": len(passages) / min(passage_runs),
        "ingest_s": ingest_s,
        "ingest_texts_per_s": len(texts) / ingest_s,
        "ingest_passages_per_s": len(passages) / ingest_s,
        "ratio": encode_s / ingest_s,
        "encode_runs_s": encode_runs,
        "ingest_runs_s": ingest_runs,
        "peak_rss_one_mb": one / 1024,
        "peak_rss_all_mb": every / 1024,
        "rss_per_100_pdfs_mb": (every - one) / 1024 / max(len(papers) - 1, 1) * 100,
    }


def _peak(paths: list[Path], models: Path | None) -> float:
    """The peak resident memory (KiB) of ``litrev ingest PATHS`` in a fresh process and home; the
    home is given the model's ONNX export (``models``, linked), which a first ingest would make."""
    with tempfile.TemporaryDirectory(prefix="litrev-bench-") as home:
        if models is not None:
            shutil.copytree(models, Path(home) / "models", copy_function=os.link)
        environment = {**os.environ, "LITREV_HOME": home}
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, *map(str, paths)],
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["peak_kb"])


def table(figures: dict[str, Any]) -> str:
    runs = figures["runs"]
    rows = [
        (
            "PDFs / pages / passages / texts embedded",
            f"{figures['pdfs']} / {figures['pages']} / {figures['passages']} / {figures['texts']}",
        ),
        ("parse alone", f"{figures['parse_pages_per_s']:.1f} pages/s ({figures['parse_s']:.2f} s)"),
        (
            f"encoder alone, best of {runs}",
            f"{figures['encode_texts_per_s']:.1f} texts/s, {figures['encode_passages_per_s']:.1f} passages/s "
            f"({figures['encode_s']:.1f} s)",
        ),
        (
            f"full ingest, best of {runs}",
            f"{figures['ingest_texts_per_s']:.1f} texts/s, {figures['ingest_passages_per_s']:.1f} passages/s "
            f"({figures['ingest_s']:.1f} s)",
        ),
        ("ratio ingest / encoder", f"{figures['ratio']:.3f}"),
        (
            "peak RSS: one PDF / all",
            f"{figures['peak_rss_one_mb']:.0f} / {figures['peak_rss_all_mb']:.0f} MB "
            f"({figures['rss_per_100_pdfs_mb']:.0f} MB per 100 PDFs)",
        ),
    ]
    return "\n".join(["| figure | value |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)])
