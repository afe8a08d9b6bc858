"""The files litrev writes are safe for their format, whatever the corpus holds.

A library of papers whose titles and abstracts carry terminal escape sequences, Markdown links
and images, ``[n]`` labels, a citation key that tries to close its brace, and URLs with ``%``
and ``#`` is ingested through the CLI. Every command that writes a file (``cite --bib``,
``related-work --out/--latex/--bib``, ``check --report/--json``) and the UI's downloads then
write real files, which are read back: no control character, no live link or image when the
Markdown is rendered, no ``[n]`` of an abstract beside the draft's own labels, URLs escaped for
``\\url``, and LaTeX that pdflatex compiles with and without url.sty.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from rag.cli.commands import app
from rag.index.embedding import Embedder
from rag.index.library import Library
from rag.settings import Settings
from tests.homes import share_export
from tests.tex import compile_draft

ESC = "\x1b"
TITLE_BAR = f"{ESC}]0;pwned\x07"
CLEAR = f"{ESC}[2J"
LINK = "[Click here](javascript:alert(1))"
IMAGE = "![img](http://evil.example/track.png)"
URL = "https://example.org/a%20b#sec_2&x=1"
HOSTILE_KEY = r"k1}\input{/etc/passwd}\cite{k2"
SAFE_KEY = "k1-input-etc-passwd-cite-k2"
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
RECORDS = [
    {
        "title": f"Speculative decoding with draft models{TITLE_BAR}{CLEAR} for faster inference",
        "abstract": f"We propose speculative decoding with a small draft model{ESC}[31m that proposes "
        "tokens verified by the large model. It gives a 2x speedup in inference latency without "
        "changing outputs\x9b2J\x7f.",
        "authors": ["Ann Smith"],
        "year": 2023,
        "url": URL,
        "bibkey": HOSTILE_KEY,
    },
    {
        "title": f"Draft trees for speculative decoding {LINK} and {IMAGE}",
        "abstract": "Draft trees [99] raise the acceptance rate of speculative decoding with draft models "
        "and speed up inference of large language models by 3x [1]. The code is public.",
        "authors": ["Bo Chen"],
        "year": 2024,
        "doi": "10.1000/x_y%z#1",
    },
    {
        "title": "Self-speculative decoding by layer skipping",
        "abstract": "Self-speculative decoding drafts tokens by skipping layers of the large language "
        "model itself, then verifies them. It speeds up inference by 1.7x with no extra draft model.",
        "authors": ["Cy Doe"],
        "year": 2023,
    },
    {
        "title": "Medusa: multiple decoding heads for speculative inference",
        "abstract": "Medusa adds extra decoding heads to a language model that predict several future "
        "tokens, verified with tree attention. Medusa speeds up inference of large language models by 2.2x.",
        "authors": ["Di Lee"],
        "year": 2024,
    },
    {
        "title": "Lookahead decoding without a draft model",
        "abstract": "Lookahead decoding generates n-grams in parallel with Jacobi iteration and verifies "
        "them, accelerating large language model inference by 1.8x without a draft model.",
        "authors": ["Ed Fu"],
        "year": 2024,
    },
]
DESCRIPTION = "We speed up inference of large language models with speculative decoding using draft models."
NAMES = ["cite.bib", "draft.md", "draft.md.bib", "draft.tex", "draft.tex.bib", "report.md", "report.json"]
UI_NAMES = ["ui/references.bib", "ui/related_work.md", "ui/related_work.tex"]
runner = CliRunner()
needs_tex = pytest.mark.skipif(
    shutil.which("pdflatex") is None or shutil.which("bibtex") is None,
    reason="pdflatex and bibtex come from texlive (make test installs them)",
)


def write_corpus(folder: Path) -> Path:
    path = folder / "hostile.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in RECORDS), encoding="utf-8")
    return path


def run(home: Path, *args: str) -> str:
    result = runner.invoke(app, list(args), env={"LITREV_HOME": str(home)})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[Path, str]:
    """A home holding the hostile library, ingested with ``litrev ingest``, and what it printed."""
    home = tmp_path_factory.mktemp("hostile-home")
    share_export(embedder, home)  # the query encoder, as made once for the session
    result = runner.invoke(app, ["ingest", str(write_corpus(home))], env={"LITREV_HOME": str(home)})
    assert result.exit_code == 0, result.output
    assert "5 added" in result.output
    return home, result.output


@pytest.fixture(scope="module")
def written(
    ingested: tuple[Path, str], tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> dict[str, Path]:
    """Every file the commands and the UI write from the hostile library, by a short name."""
    from ui.handlers import related_work

    home, folder = ingested[0], tmp_path_factory.mktemp("written")
    files = {name: folder / name for name in NAMES}
    claim = "speculative decoding with a small draft model verified by the large model"
    run(home, "cite", claim, "--bib", str(files["cite.bib"]))
    for suffix, flags in ((".md", []), (".tex", ["--latex"])):
        draft, bib = str(files[f"draft{suffix}"]), str(files[f"draft{suffix}.bib"])
        run(home, "related-work", DESCRIPTION, *flags, "--out", draft, "--bib", bib)
    manuscript = folder / "paper.tex"
    manuscript.write_text(
        f"Draft trees {TITLE_BAR} speed up inference {LINK} {IMAGE} by 3x~\\cite{{{SAFE_KEY}}}.\n"
        "Speculative decoding with a small draft model gives a 2x speedup in inference latency.\n",
        encoding="utf-8",
    )
    report, data = str(files["report.md"]), str(files["report.json"])
    run(home, "check", str(manuscript), "--report", report, "--json", data)
    library = Library(Settings(home=home), embedder=embedder)
    view = related_work(DESCRIPTION, library=library, options=[], out_dir=folder / "ui")
    files |= {f"ui/{path.name}": path for path in view.files}
    assert sorted(files) == sorted(NAMES + UI_NAMES)
    (folder / "ui" / "view.html").write_text(view.html, encoding="utf-8")
    return files


def rendered(markdown: str) -> str:
    """The Markdown as HTML, by a renderer that trusts every link (as some viewers do)."""
    renderer = MarkdownIt("commonmark")
    renderer.validateLink = lambda url: True  # markdown-it refuses javascript: itself; others do not
    return renderer.render(markdown)


@pytest.mark.parametrize("name", NAMES + UI_NAMES)
def test_no_written_file_holds_a_control_character(written: dict[str, Path], name: str) -> None:
    text = written[name].read_text(encoding="utf-8")
    assert not UNSAFE.search(text), UNSAFE.findall(text)
    if name != "report.json":  # only the control characters went: the title or abstract is there
        assert "]0;pwned" in text.replace("\\", "") or "model[31m that proposes" in text


@pytest.mark.parametrize("name", ["draft.md", "report.md", "ui/related_work.md"])
def test_markdown_shows_corpus_links_and_images_as_text(written: dict[str, Path], name: str) -> None:
    html = rendered(written[name].read_text(encoding="utf-8"))
    assert "<a " not in html and "<img" not in html, html
    assert "[Click here](javascript:alert(1))" in html  # the text is there, as text


def test_the_ui_view_shows_the_title_as_written(written: dict[str, Path]) -> None:
    html = (written["ui/related_work.md"].parent / "view.html").read_text(encoding="utf-8")
    assert "[Click here](javascript:alert(1))" in html and "\\[Click" not in html


@pytest.mark.parametrize("name", ["draft.md", "draft.tex", "ui/related_work.md", "ui/related_work.tex"])
def test_labels_quoted_from_an_abstract_are_not_citation_labels(written: dict[str, Path], name: str) -> None:
    text = written[name].read_text(encoding="utf-8")
    assert "(99)" in text and "[99]" not in text
    if name.endswith(".md"):  # every [n] left is one of the reference list's own
        references = re.findall(r"^\[(\d+)\] ", text, re.MULTILINE)
        assert len(references) == len(RECORDS)
        assert set(re.findall(r"\[(\d+)\]", text)) == set(references)
    else:
        assert not re.search(r"\[\d+\]", text)


def test_a_citation_key_made_safe_is_noted_not_cut(
    ingested: tuple[Path, str], written: dict[str, Path]
) -> None:
    note = f"citation key {HOSTILE_KEY!r} has characters keys cannot have; using {SAFE_KEY!r}"
    assert f"hostile.jsonl:1: {note}" in ingested[1]
    listed = json.loads(run(ingested[0], "papers", "--json"))
    assert {paper.get("bibkey") for paper in listed} == {SAFE_KEY, None}
    assert f"@misc{{{SAFE_KEY}," in written["cite.bib"].read_text(encoding="utf-8")
    assert f"\\cite{{{SAFE_KEY}}}" in written["draft.tex"].read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["cite.bib", "draft.md.bib", "draft.tex.bib", "ui/references.bib"])
def test_urls_and_dois_are_escaped_for_url(written: dict[str, Path], name: str) -> None:
    text = written[name].read_text(encoding="utf-8")
    assert r"url = {https://example.org/a\%20b\#sec\_2\&x=1}," in text
    if name != "cite.bib":
        assert r"doi = {10.1000/x\_y\%z\#1}," in text


@needs_tex
@pytest.mark.parametrize("preamble", ["\\usepackage{natbib}", "\\usepackage{natbib}\\usepackage{hyperref}"])
def test_latex_draft_compiles_with_its_bib(written: dict[str, Path], tmp_path: Path, preamble: str) -> None:
    body = written["draft.tex"].read_text(encoding="utf-8")
    tex = (
        f"\\documentclass{{article}}\n{preamble}\n\\begin{{document}}\n{body}\n"
        "\\bibliographystyle{plainnat}\n\\bibliography{refs}\n\\end{document}\n"
    )
    # plainnat writes \url and \doi for these entries: \texttt without url.sty, hyperref's with it
    out = compile_draft(tmp_path, tex, written["draft.tex.bib"].read_text(encoding="utf-8"))
    assert "Unicode character" not in out["log"] and "undefined" not in out["log"]
    assert r"\url{https://example.org/a\%20b\#sec\_2\&x=1}" in out["bbl"]
    assert len(re.findall(r"\\bibitem\[", out["bbl"])) == len(RECORDS)


def test_convert_names_a_marked_up_file_as_it_is(tmp_path: Path) -> None:
    output = tmp_path / "[bold]x.jsonl"
    result = runner.invoke(app, ["convert", str(write_corpus(tmp_path)), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert f"wrote 5 papers to {output} (0 duplicates dropped)" in result.output
    keys = [json.loads(line).get("bibkey") for line in output.read_text(encoding="utf-8").splitlines()]
    assert keys[0] == SAFE_KEY
