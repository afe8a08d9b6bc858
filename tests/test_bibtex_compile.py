"""A hostile library's LaTeX and BibTeX output, compiled with the real pdflatex and bibtex.

Keys, titles, authors and the user's own .bib fields try to make TeX read /etc/passwd or make
BibTeX drop an entry. The test compiles the draft in a temp folder with ``-recorder`` and checks
the list of files TeX opened, the logs, and that every cited entry made it into the bibliography.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from rag.cite.bibtex import assign_keys, safe_key
from rag.related_work.draft import Draft, Theme
from rag.related_work.statements import statement
from rag.sources.paper import Paper, paper_id
from rag.sources.readers import read_file
from tests.tex import compile_draft

pytestmark = pytest.mark.skipif(
    shutil.which("pdflatex") is None or shutil.which("bibtex") is None,
    reason="pdflatex and bibtex come from texlive (make test installs them)",
)

INJECT = r"\input{/etc/passwd}"
HOSTILE_KEYS = [
    r"k1}\input{/etc/passwd}\cite{k2",
    r"k5, note = {\input{/etc/passwd}}, x = x",
    "k3, note={x}, title = {x",
    "ev$il#%&",
    "ev-il",  # the safe form of the one above: a collision to suffix
    "plain2020key",
]
ABSTRACT = "We propose a method that reads the manual. It improves reading speed by half."


def hostile_papers() -> list[Paper]:
    papers = []
    for number, key in enumerate(HOSTILE_KEYS):
        title = f"Study {number} }}{INJECT}{{ of \\def\\x{{y}} things"
        papers.append(
            Paper(
                id=paper_id(title),
                title=title,
                abstract=ABSTRACT + f" Trick {number}: }} \\end{{document}} {INJECT} %",
                authors=(f"Evil{number}, Ed }}{INJECT}", "Plain, Pat"),
                year=2020 + number,
                venue=f"Journal of }} {INJECT} Hacks" if number % 2 else None,
                url=f"https://example.org/{number}}}{INJECT}",
                doi=f"10.1/{number}}}x",
                bibkey=key,
            )
        )
    return papers


def own_bib_papers(tmp_path: Path) -> list[Paper]:
    text = (
        "@inproceedings{ev$il#%&2,\n"
        "  title = {A {B}ig {I}dea},\n"
        "  author = {Lovelace, Ada},\n"
        "  booktitle = {Proc. of Things},\n"
        "  pages = {1--10},\n"
        "  year = {2021},\n"
        "  note = {\\input{/etc/passwd}},\n"
        "  howpublished = {\\immediate\\write18{touch /tmp/owned}},\n"
        f"  abstract = {{{ABSTRACT}}}\n"
        "}\n"
    )
    path = tmp_path / "own.bib"
    path.write_text(text, encoding="utf-8")
    result = read_file(path)
    assert result.problems == []
    assert "has characters keys cannot have; using 'ev-il-2'" in str(result.notes[0])
    return result.papers


def test_hostile_library_compiles_without_reading_outside_files(tmp_path: Path) -> None:
    papers = hostile_papers() + own_bib_papers(tmp_path)
    keys = assign_keys(papers)
    assert len(set(keys.values())) == len(papers)
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_:.+-]*", key) for key in keys.values())
    assert keys[papers[-2].id] == "plain2020key"  # a safe key of the user's is kept as it is
    theme = Theme(
        title=f"Hostile }} {INJECT} theme", phrases=[], statements=[statement(p) for p in papers], score=1.0
    )
    draft = Draft("hostile", [theme], keys)
    tex = (
        "\\documentclass{article}\n\\begin{document}\n"
        + draft.latex()
        + "\n\\bibliographystyle{plain}\n\\bibliography{refs}\n\\end{document}\n"
    )
    bib = draft.bibtex(abstract=True)
    out = compile_draft(tmp_path, tex, bib)

    opened = [line.split(" ", 1)[1] for line in out["fls"].splitlines() if line.startswith("INPUT ")]
    outside = [
        name
        for name in opened
        if not Path(name).is_relative_to(tmp_path)
        and not name.startswith(("./", "draft", "refs"))
        and not name.startswith(("/usr/share/", "/var/lib/texmf/", "/etc/texmf/"))
    ]
    assert outside == []
    # TeX logs each file it opens as "(/path"; the injected text itself may be typeset as words
    assert "(/etc/passwd" not in out["log"] and "root:x:" not in out["log"]
    assert "/etc/passwd" not in out["blg"]
    assert not Path("/tmp/owned").exists()
    cited = {safe_key(keys[p.id]) for p in papers}
    assert set(re.findall(r"\\bibitem\{([^}]*)\}", out["bbl"])) == cited  # every entry survives
    assert "undefined" not in out["log"] and "Warning--" not in out["blg"].replace("Warning--empty", "")
    # the user's own entry comes back with its own type and fields
    own = papers[-1]
    entry = bib.split(f"{{{keys[own.id]},")[1].split("\n}\n")[0]
    assert f"@inproceedings{{{keys[own.id]}," in bib
    assert "  pages = {1--10}," in entry and "  booktitle = {Proc. of Things}," in entry
    assert "  title = {A {B}ig {I}dea}," in entry
