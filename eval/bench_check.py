"""``litrev bench check``: time a manuscript check of a large synthetic draft (no LLM).

The draft is built from the library itself, deterministically: ``cited`` sentences taken from
abstracts, most cited to their own paper and every fourth to the next paper (a wrong citation,
so suggestions are searched for it too), some uncited findings (abstract sentences with a figure),
and plain connecting prose up to ``sentences`` in all. It is written as LaTeX with a .bib of the
cited papers (keys resolved by title), then checked with :func:`rag.check.verdicts.check_file`, models
already loaded, so the figure is the check itself. CPU seconds (all threads) and the load average
are printed too: on a shared machine the wall time says more about the neighbours than the check.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from rag.check.verdicts import check_file
from rag.cite import bibtex
from rag.index.library import Library
from rag.sources.sentences import sentence_spans

_PROSE = (
    "We now turn to the next group of methods",
    "This line of work is reviewed in more detail below",
    "The remainder of this section follows the same structure",
    "These approaches differ mainly in how they are trained",
    "Several design choices recur across these systems",
)


def _sentences(abstract: str) -> list[str]:
    return [abstract[start:end] for start, end in sentence_spans(abstract)]


def _tex(text: str) -> str:
    return bibtex.escape(text.rstrip(". "))


def build(library: Library, folder: Path, *, sentences: int = 300, cited: int = 100) -> tuple[Path, Path]:
    """Write ``draft.tex`` and ``refs.bib`` into ``folder``; return their paths."""
    papers = sorted(library.store.iter_papers(), key=lambda paper: paper.id)
    if len(papers) < 2:
        raise ValueError("the benchmark needs a library of at least two papers")
    lines = []
    entries = {}
    findings = [s for paper in papers for s in _sentences(paper.abstract)[1:] if re.search(r"\d", s)]
    for index in range(cited):
        paper = papers[index % len(papers)]
        claims = _sentences(paper.abstract)
        claim = claims[min(1, len(claims) - 1)]
        target = papers[(index + 1) % len(papers)] if index % 4 == 3 else paper
        key = f"ref{papers.index(target)}"
        entries[key] = bibtex.entry(target, key)
        lines.append(f"{_tex(claim)} \\cite{{{key}}}.")
    for index in range(sentences - cited):
        if index % 7 == 0 and findings:
            lines.append(_tex(findings[(index // 7) % len(findings)]) + ".")
        else:
            lines.append(f"{_PROSE[index % len(_PROSE)]}.")
    body = "\n".join(lines[i] if i % 3 else "\n" + lines[i] for i in range(len(lines)))
    draft = folder / "draft.tex"
    draft.write_text("\\begin{document}\n" + body + "\n\\end{document}\n", encoding="utf-8")
    bib = folder / "refs.bib"
    bib.write_text("\n".join(entries.values()), encoding="utf-8")
    return draft, bib


def run(library: Library, *, sentences: int = 300, cited: int = 100) -> dict[str, Any]:
    library.embedder.embed(["warm-up"])  # models load before the clock starts, as in a session
    library.lexical.idf("warm-up")
    with tempfile.TemporaryDirectory(prefix="litrev-bench-check-") as tmp:
        draft, bib = build(library, Path(tmp), sentences=sentences, cited=cited)
        started, cpu = time.perf_counter(), time.process_time()
        report = check_file(draft, bib, library=library)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    summary = report.summary()
    return {
        "sentences": summary["sentences"],
        "citations": summary["citations"],
        "supported": summary["supported"],
        "unsupported": summary["unsupported"],
        "uncited_findings": summary["uncited_findings"],
        "suggested_sentences": summary["suggested_sentences"],
        "judge": report.judge,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "load_average": round(os.getloadavg()[0], 1),
    }


def table(figures: dict[str, Any]) -> str:
    return (
        f"checked {figures['sentences']} sentences with {figures['citations']} citations in "
        f"{figures['seconds']:.1f} s wall, {figures['cpu_seconds']:.1f} s CPU, load average "
        f"{figures['load_average']} (judge {figures['judge']}): {figures['supported']} supported, "
        f"{figures['unsupported']} unsupported, {figures['uncited_findings']} uncited findings, "
        f"suggestions searched for {figures['suggested_sentences']} sentences"
    )
