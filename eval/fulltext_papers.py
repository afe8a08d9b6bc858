"""The full-text test papers: eight invented research papers as LaTeX, compiled to PDF with pdflatex.

The sources live in ``eval/datasets/fulltext/`` beside ``library.bib``, the library the PDFs belong
to (one entry per paper, the same abstract as in the PDF, the DOI or arXiv id printed on page 1).
Two dev sets ask about them: ``fulltext_qa.jsonl`` (questions only the body answers, each with the
page and section that state it) and ``fulltext_unanswerable.jsonl`` (details neither the abstract
nor the body states). Their items split into tune and holdout halves with
:func:`litrev_eval.datasets.half`, by id.

An answerable item has ``id``, ``question``, ``paper`` (the library key), ``page`` (1-based, the one
page of the PDF that prints the answer), ``section`` (the heading, without its number, of the section
that states it; for a table, figure or footnote the section whose source holds it, which may not be
where the float lands), ``answer_contains`` (strings, any of which the evidence passage holds),
``kind`` (hyperparameter, dataset, hardware, method, ablation, limitation, table-figure, result,
...), and for reading ``answer``, ``where`` (body, table, figure or footnote) and ``style`` (named:
the question names the paper; described: it describes the method instead). An unanswerable item
has ``id``, ``question``, ``paper``, ``kind``, ``why`` and maybe ``absent``: words that would mean
the paper has come to state the answer if they appeared in it.

The papers are two-column with a running header, footnotes, a table, an equation, hyphenated line
ends and a reference list; half carry an arXiv margin stamp on page 1 and half a DOI. Compiling is
deterministic (``SOURCE_DATE_EPOCH``), so the same source gives the same PDF bytes.

``python -m litrev_eval.fulltext_papers DIR`` writes the PDFs into DIR.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

from rag.errors import DatasetError

FULLTEXT = Path(__file__).parent / "datasets" / "fulltext"
"""The LaTeX sources of the papers and their ``library.bib``."""
LIBRARY_BIB = FULLTEXT / "library.bib"
QA = Path(__file__).parent / "datasets" / "fulltext_qa.jsonl"
UNANSWERABLE = Path(__file__).parent / "datasets" / "fulltext_unanswerable.jsonl"


def folded(text: str) -> str:
    """``text`` as an item's ``answer_contains`` is compared with it: case, spacing and Unicode
    forms ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def rows(path: Path) -> list[dict[str, Any]]:
    """The records of a full-text dev set (:data:`QA`, :data:`UNANSWERABLE`)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


PAPERS: dict[str, str] = {
    "hollis2024terracodec": "terracodec",
    "hartwell2023loomretriever": "loomretriever",
    "brandvold2024ferryman": "ferryman",
    "varley2024patchmint": "patchmint",
    "delaney2023quillwort": "quillwort",
    "nwosu2023marram": "marram",
    "mehta2024tidewater": "tidewater",
    "vestergaard2024brindle": "brindle",
}
"""Library key (in ``library.bib`` and the dev sets' ``paper`` field) to the source's file stem."""

PDFLATEX_TIMEOUT_S = 60.0
"""The longest one pdflatex run may take; each paper compiles in well under a second."""
_MAX_RUNS = 3
_RERUN_SIGNS = ("Rerun to get", "There were undefined references")
_SOURCE_DATE = "1704067200"
"""2024-01-01: the date pdflatex stamps into every PDF, so that compiling twice gives equal bytes."""
_ENVIRONMENT = {"SOURCE_DATE_EPOCH": _SOURCE_DATE, "FORCE_SOURCE_DATE": "1"}


def compile_papers(
    out_dir: Path, *, source_dir: Path = FULLTEXT, timeout_s: float = PDFLATEX_TIMEOUT_S
) -> list[Path]:
    """Compile every ``.tex`` of ``source_dir`` into ``out_dir`` (created if missing); the PDFs, by
    file name. pdflatex runs again while the log asks for it (references, labels). A missing
    pdflatex, a failed run or one over ``timeout_s`` is a :class:`DatasetError` naming the source."""
    pdflatex = _pdflatex(source_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        _compile(pdflatex, source, out_dir, dict(os.environ) | _ENVIRONMENT, timeout_s)
        for source in sorted(source_dir.glob("*.tex"))
    ]


def compile_source(source: Path, out_dir: Path, *, timeout_s: float = PDFLATEX_TIMEOUT_S) -> Path:
    """Compile one ``.tex`` into ``out_dir`` as :func:`compile_papers` compiles each; its PDF."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return _compile(_pdflatex(source), source, out_dir, dict(os.environ) | _ENVIRONMENT, timeout_s)


def _pdflatex(source: Path) -> str:
    pdflatex = shutil.which("pdflatex")
    if pdflatex is None:
        raise DatasetError(
            f"pdflatex is not installed; the LaTeX sources in {source} need it to become PDFs "
            "(Debian: texlive-latex-base)"
        )
    return pdflatex


def pdf_name(key: str) -> str:
    """The file name :func:`compile_papers` gives the PDF of the paper with library key ``key``."""
    return f"{PAPERS[key]}.pdf"


def _compile(
    pdflatex: str, source: Path, out_dir: Path, environment: dict[str, str], timeout_s: float
) -> Path:
    """Compile one source in ``out_dir`` (copied there, so that no path with spaces reaches TeX)."""
    if source.resolve() != (out_dir / source.name).resolve():
        shutil.copyfile(source, out_dir / source.name)
    command = [pdflatex, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", source.name]
    log = out_dir / f"{source.stem}.log"
    for _ in range(_MAX_RUNS):
        try:
            done = subprocess.run(
                command, cwd=out_dir, env=environment, capture_output=True, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired:
            raise DatasetError(f"{source}: pdflatex did not finish within {timeout_s:g} s") from None
        text = log.read_text(encoding="latin-1") if log.exists() else ""
        if done.returncode != 0:
            first_error = next((line for line in text.splitlines() if line.startswith("!")), "no log written")
            raise DatasetError(f"{source}: pdflatex failed ({first_error.lstrip('! ')}); see {log}")
        if not any(sign in text for sign in _RERUN_SIGNS):
            break
    return out_dir / f"{source.stem}.pdf"


def main(argv: list[str] | None = None) -> int:
    """``python -m litrev_eval.fulltext_papers DIR``: write the PDFs into DIR and list them."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m litrev_eval.fulltext_papers DIR", file=sys.stderr)
        return 2
    try:
        pdfs = compile_papers(Path(args[0]))
    except DatasetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for pdf in pdfs:
        print(pdf)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
