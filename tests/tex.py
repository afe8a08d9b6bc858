"""Compiling a draft and its .bib with the real pdflatex and bibtex (texlive), in a temp folder."""

from __future__ import annotations

import subprocess
from pathlib import Path


def compile_draft(folder: Path, tex: str, bib: str) -> dict[str, str]:
    """Compile ``tex`` with ``bib`` as refs.bib (pdflatex, bibtex, pdflatex twice), every run
    succeeding; the text of the .log, .blg, .bbl and .fls (the files TeX opened) it left."""
    (folder / "draft.tex").write_text(tex, encoding="utf-8")
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    latex = [
        "pdflatex",
        "-no-shell-escape",
        "-interaction=nonstopmode",
        "-halt-on-error",
        "-recorder",
        "draft",
    ]
    runs = [latex, ["bibtex", "draft"], latex, latex]
    for command in runs:
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, (command, done.stdout[-3000:])
    return {
        suffix: (folder / f"draft.{suffix}").read_text(errors="replace")
        for suffix in ("log", "blg", "bbl", "fls")
    }
