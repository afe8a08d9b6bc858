"""Measure the PDF text extractors litrev could use, on papers made with pdflatex.

    PYTHONPATH=. python -m tests.measure_pdf_parsers [--pages 30] [--thesis 300]

Compiles the test paper (:func:`tests.pdfs.paper_tex`), a page whose columns the PDF draws row
by row (:func:`tests.pdfs.interleaved_tex`), a long paper of ``--pages`` pages and a "thesis" of
``--thesis`` pages, then runs each extractor in a fresh process of its own (so that peak memory
is its own) and prints a Markdown table:

- **sentences intact**: of the marker sentences placed in the test paper (each wraps over
  several lines of a column), how many come out whole, after joining lines (a line-end hyphen
  and the line break are dropped), spacing ignored; a reader that mixes the columns breaks them;
- **row-drawn columns**: the same for the two sentences of the page drawn row by row;
- **words split right**: of the words of the long paper's text, the share that come out as
  written (a reader that loses spaces or joins hyphens wrongly lowers it);
- **hyphens marked**: whether the extractor tells a hyphen it found at a line end apart;
- **stamp**: whether arXiv's rotated margin stamp is in the text;
- **pages/s**: text of every page of the long paper, best of ``--rounds`` rounds in one process,
  each round running every extractor once in turn (so that a busy machine slows them alike);
- **RSS** of the process, in MiB: once the extractor is imported, then at its peak after reading
  the long paper and after reading the thesis (the growth is what reading costs).

``litrev (pypdfium2 + layout)`` is :func:`rag.sources.pdf.read_pdf`: its text is the title, the
identifiers found, the abstract and the passages (no running lines, no reference list).
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests import pdfs

EXTRACTORS = ("pypdfium2", "pdfplumber", "pdfminer.six", "pypdf", "litrev (pypdfium2 + layout)")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def _text_pypdfium2(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    pages = []
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        pages.append(textpage.get_text_range().replace("\ufffe", "\u00ad-\n"))
        textpage.close()
        page.close()
    document.close()
    return pages


def _text_pdfplumber(path: Path) -> list[str]:
    import pdfplumber

    pages = []
    with pdfplumber.open(path) as document:
        for page in document.pages:
            pages.append(page.extract_text() or "")
            page.close()
    return pages


def _text_pdfminer(path: Path) -> list[str]:
    from pdfminer.high_level import extract_text

    return extract_text(str(path)).split("\f")


def _text_pypdf(path: Path) -> list[str]:
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def _text_litrev(path: Path) -> list[str]:
    from rag.sources.pdf import read_pdf

    document = read_pdf(path)
    texts = [document.title, " ".join(document.arxiv_ids), document.abstract]
    return ["\n".join([*texts, *(passage.text for passage in document.passages)])]


IMPORTS = {
    "pypdfium2": "pypdfium2",
    "pdfplumber": "pdfplumber",
    "pdfminer.six": "pdfminer.high_level",
    "pypdf": "pypdf",
    "litrev (pypdfium2 + layout)": "rag.sources.pdf",
}
READERS = {
    "pypdfium2": _text_pypdfium2,
    "pdfplumber": _text_pdfplumber,
    "pdfminer.six": _text_pdfminer,
    "pypdf": _text_pypdf,
    "litrev (pypdfium2 + layout)": _text_litrev,
}


def _flat(text: str) -> str:
    """Lines joined the naive way: a line-end hyphen and its line break dropped, spacing ignored."""
    text = re.sub(r"\u00ad?-\s*\n\s*", "", text)
    return re.sub(r"\s+", "", text)


def _intact(pages: list[str], sentences: tuple[str, ...]) -> int:
    flat = _flat("\n".join(pages))
    return sum(re.sub(r"\s+", "", sentence) in flat for sentence in sentences)


def _source_words() -> set[str]:
    words: set[str] = set()
    for group in (pdfs._SUBJECTS, pdfs._VERBS, pdfs._OBJECTS, pdfs._MODIFIERS, (pdfs.ABSTRACT, pdfs.TITLE)):
        for phrase in group:
            words.update(word.casefold() for word in _WORD.findall(phrase))
    return words


def _words_right(pages: list[str]) -> float:
    text = re.sub(r"\u00ad-\s*\n\s*", "", "\n".join(pages))  # pdfium's marked hyphens: join
    text = re.sub(r"([a-z])-\s*\n\s*([a-z])", r"\1\2", text)  # others: the naive join
    known = _source_words()
    words = [word.casefold() for word in _WORD.findall(text)]
    return sum(word in known for word in words) / max(1, len(words))


def measure_one(name: str, paper: Path, interleaved: Path, long: Path, thesis: Path) -> dict[str, object]:
    """Run in its own process: the figures of one extractor."""
    importlib.import_module(IMPORTS[name])
    if name.startswith("litrev"):
        from rag.sources.pdf.passages import sentence_spans

        sentence_spans("Load the sentence splitter. Now.")
    rss_imported = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    read = READERS[name]
    paper_pages = read(paper)
    markers = (
        pdfs.INTRO_SENTENCE,
        pdfs.METHOD_SENTENCE,
        pdfs.SETUP_SENTENCE,
        pdfs.CONCLUSION_SENTENCE,
        pdfs.APPENDIX_SENTENCE,
        pdfs.COLUMN_END_SENTENCE,
        pdfs.ABSTRACT.split(". ")[1] + ".",
    )
    long_pages = read(long)
    rss_long = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    read(thesis)
    rss_thesis = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    joined = "\n".join(paper_pages)
    return {
        "sentences intact": f"{_intact(paper_pages, markers)}/{len(markers)}",
        "row-drawn columns": f"{_intact(read(interleaved), (pdfs.LEFT_SENTENCE, pdfs.RIGHT_SENTENCE))}/2",
        "words split right": f"{_words_right(long_pages):.3f}",
        "hyphens marked": "yes" if name.startswith(("pypdfium2", "litrev")) else "no",
        "stamp": "yes" if pdfs.ARXIV_ID in joined else "no",
        "RSS after import MiB": f"{rss_imported:.0f}",
        "peak RSS MiB (long)": f"{rss_long:.0f}",
        "peak RSS MiB (thesis)": f"{rss_thesis:.0f}",
    }


def speeds(path: Path, rounds: int) -> dict[str, float]:
    """Pages per second of each extractor on ``path``, the best of ``rounds`` rounds; in each
    round every extractor runs once, in turn, so that a busy machine slows them all alike."""
    from rag.sources.pdf.passages import sentence_spans

    sentence_spans("Load the sentence splitter. Now.")
    pages = len(_text_pypdfium2(path))
    best: dict[str, float] = {}
    for _ in range(rounds):
        for name in EXTRACTORS:
            started = time.perf_counter()
            READERS[name](path)
            best[name] = max(best.get(name, 0.0), pages / (time.perf_counter() - started))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--thesis", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--one", nargs=5, metavar=("NAME", "PAPER", "INTERLEAVED", "LONG", "THESIS"))
    args = parser.parse_args()
    if args.one:
        name, *paths = args.one
        print(json.dumps(measure_one(name, *(Path(path) for path in paths))))
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        files = [
            pdfs.compile_tex(root / "paper", pdfs.paper_tex()),
            pdfs.compile_tex(root / "interleaved", pdfs.interleaved_tex()),
            pdfs.compile_tex(root / "long", pdfs.long_paper_tex(args.pages)),
            pdfs.compile_tex(root / "thesis", pdfs.long_paper_tex(args.thesis)),
        ]
        rows = {}
        for name in EXTRACTORS:
            command = [sys.executable, "-m", "tests.measure_pdf_parsers", "--one", name, *map(str, files)]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            rows[name] = json.loads(done.stdout.strip().splitlines()[-1])
        for name, rate in speeds(files[2], args.rounds).items():
            rows[name]["pages/s"] = f"{rate:.1f}"
    columns = list(next(iter(rows.values())))
    print("| extractor | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for name, row in rows.items():
        print(f"| {name} | " + " | ".join(str(row[column]) for column in columns) + " |")


if __name__ == "__main__":
    main()
