"""``litrev bench thesis [--pages 300] [--short 30]``: a long PDF read and ingested in full, and its
memory against a short one's.

Two theses are made with pdflatex (:mod:`litrev_eval.thesis_pdf`), of PAGES and of SHORT pages,
the short one the first pages of the long one. Each is measured in processes of its own, so that
a peak of resident memory is that document's alone:

1. parse: :func:`rag.sources.pdf.read_pdf` (pages read and laid out one at a time): pages,
   passages, seconds, peak RSS;
2. ingest: ``ingest`` of the PDF into a fresh library, in its own batch (it is read in full, then
   its passages and sentences embedded and written): seconds, passages embedded, peak RSS. The
   query encoder's ONNX export, made once per library at its first ingest, is made beforehand
   and copied into each library, so that its own peak is not counted.

The ratios long / short of pages and of peak memory, and the memory each 100 pages add, say how
memory grows with the length of a document: ten times the pages at a small fraction more memory
is memory bounded by something other than the page count.
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

from litrev_eval.thesis_pdf import compile_thesis

from rag.errors import DatasetError

_PARSE = """
import json, sys, time
from litrev_eval.peak_memory import peak_kb
from rag.sources.body_text import sentence_spans
from rag.sources.pdf import read_pdf
sentence_spans("Warm. Up.")
began = time.perf_counter()
document = read_pdf(sys.argv[1])
seconds = time.perf_counter() - began
peak = peak_kb()
print(json.dumps({"pages": document.pages, "passages": len(document.passages), "seconds": seconds,
                  "peak_kb": peak}))
"""
_INGEST = """
import json, sys, time
from pathlib import Path
from litrev_eval.peak_memory import peak_kb
from rag.index.ingest import ingest
began = time.perf_counter()
report = ingest([Path(sys.argv[1])])
seconds = time.perf_counter() - began
peak = peak_kb()
print(json.dumps({"passages": report.passages, "pdfs": report.pdfs_read, "seconds": seconds,
                  "problems": [str(p) for p in report.problems], "peak_kb": peak}))
"""
_EXPORT = """
from rag.index.library import Library
Library().embedder.query_encoder()
"""


def run(pages: int = 300, short: int = 30, exported: Path | None = None) -> dict[str, Any]:
    """The figures of both documents; ``exported``: a litrev home whose ``models/`` holds the
    model's ONNX export already (else it is made first, in a process of its own)."""
    if not 2 <= short < pages:
        raise ValueError(f"the short thesis needs 2 pages or more and fewer than {pages}, got {short}")
    with tempfile.TemporaryDirectory(prefix="litrev-thesis-") as scratch:
        root = Path(scratch)
        began = time.perf_counter()
        long_pdf = compile_thesis(root / "long", pages)
        compile_s = time.perf_counter() - began
        short_pdf = compile_thesis(root / "short", short)
        models = exported or root / "models-home"
        if exported is None:
            _child(_EXPORT, None, models)
        figures = {
            "long": _measure(long_pdf, root / "long-home", models),
            "short": _measure(short_pdf, root / "short-home", models),
        }
    long, brief = figures["long"], figures["short"]
    added = long["pages"] - brief["pages"]
    return {
        **figures,
        "compile_s": compile_s,
        "pages_ratio": long["pages"] / brief["pages"],
        "parse_peak_ratio": long["parse_peak_mb"] / brief["parse_peak_mb"],
        "ingest_peak_ratio": long["ingest_peak_mb"] / brief["ingest_peak_mb"],
        "parse_mb_per_100_pages": (long["parse_peak_mb"] - brief["parse_peak_mb"]) / added * 100,
        "ingest_mb_per_100_pages": (long["ingest_peak_mb"] - brief["ingest_peak_mb"]) / added * 100,
    }


def _measure(pdf: Path, home: Path, models: Path) -> dict[str, Any]:
    parsed = _child(_PARSE, pdf, None)
    shutil.copytree(models / "models", home / "models", copy_function=os.link)
    ingested = _child(_INGEST, pdf, home)
    if ingested["problems"] or ingested["pdfs"] != 1:
        raise DatasetError(f"{pdf}: the thesis was not ingested: {'; '.join(ingested['problems'])}")
    return {
        "pages": parsed["pages"],
        "passages": parsed["passages"],
        "passages_embedded": ingested["passages"],
        "parse_s": parsed["seconds"],
        "parse_peak_mb": parsed["peak_kb"] / 1024,
        "ingest_s": ingested["seconds"],
        "ingest_peak_mb": ingested["peak_kb"] / 1024,
    }


def _child(code: str, pdf: Path | None, home: Path | None) -> dict[str, Any]:
    """Run ``code`` in a fresh Python process (``LITREV_HOME`` at ``home``); its last line, read as
    JSON (empty when it prints nothing)."""
    environment = dict(os.environ)
    if home is not None:
        environment["LITREV_HOME"] = str(home)
    command = [sys.executable, "-c", code, *([str(pdf)] if pdf else [])]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise DatasetError(f"measuring {pdf or 'the query encoder'} failed in its process: {last}")
    lines = done.stdout.strip().splitlines()
    return json.loads(lines[-1]) if lines else {}


def table(figures: dict[str, Any]) -> str:
    long, short = figures["long"], figures["short"]
    rows = [
        ("pages", "pages", "{:.0f}", "pages_ratio"),
        ("passages", "passages", "{:.0f}", None),
        ("parse (s)", "parse_s", "{:.2f}", None),
        ("parse: peak RSS (MB)", "parse_peak_mb", "{:.0f}", "parse_peak_ratio"),
        ("ingest (s)", "ingest_s", "{:.1f}", None),
        ("ingest: peak RSS (MB)", "ingest_peak_mb", "{:.0f}", "ingest_peak_ratio"),
    ]
    lines = [f"| figure | {short['pages']} pages | {long['pages']} pages | ratio |", "|---|---|---|---|"]
    for name, key, form, ratio in rows:
        shown = f"{figures[ratio]:.2f}" if ratio else ""
        lines.append(f"| {name} | {form.format(short[key])} | {form.format(long[key])} | {shown} |")
    lines.append(
        f"\nMemory each 100 pages add: {figures['parse_mb_per_100_pages']:.1f} MB to parse, "
        f"{figures['ingest_mb_per_100_pages']:.1f} MB to ingest. "
        f"The {long['pages']}-page thesis compiled in {figures['compile_s']:.1f} s."
    )
    return "\n".join(lines)
