"""The full-text dev set agrees with the papers it asks about.

The eight invented papers are compiled with the real pdflatex once per session and read back with
pypdfium2, page by page. Every answerable item's answer is printed on the page it names, on no
other page, and not in the paper's abstract; every unanswerable item's tell-tale words are nowhere
in its paper; the library the PDFs belong to has each paper's abstract and identifier as page 1
shows them. Page text is compared after NFKC, case folding, whitespace collapsing and joining the
line-end hyphens TeX inserts (pdfium marks them U+FFFE; an explicit hyphen at a line end is
ambiguous, so both joins are tried).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import bibtexparser
import pypdfium2 as pdfium
import pytest
from litrev_eval.datasets import half
from litrev_eval.fulltext_papers import LIBRARY_BIB, PAPERS, QA, UNANSWERABLE, compile_papers, pdf_name

from rag.errors import DatasetError


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


ITEMS, UNANSWERED = _rows(QA), _rows(UNANSWERABLE)
LIBRARY = {entry.key: entry for entry in bibtexparser.parse_string(LIBRARY_BIB.read_text("utf-8")).entries}
_LINE_END_HYPHEN = re.compile(r"[\ufffe\x02]|-\r?\n")


def _forms(text: str) -> tuple[str, str]:
    """The page text with line-end hyphens dropped, and with them kept as ``-``."""
    text = unicodedata.normalize("NFKC", text)
    return tuple(" ".join(_LINE_END_HYPHEN.sub(join, text).split()).casefold() for join in ("", "-"))


def _alnum(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", text).casefold())


def _field(key: str, name: str) -> str | None:
    field = LIBRARY[key].fields_dict.get(name)
    return " ".join(field.value.split()) if field else None


@pytest.fixture(scope="session")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """Each paper's raw page texts, by library key."""
    out = tmp_path_factory.mktemp("fulltext")
    compiled = compile_papers(out)
    assert sorted(path.name for path in compiled) == sorted(pdf_name(key) for key in PAPERS)
    texts = {}
    for key in PAPERS:
        document = pdfium.PdfDocument(out / pdf_name(key))
        try:
            texts[key] = [page.get_textpage().get_text_range() for page in document]
        finally:
            document.close()
    return texts


def on_pages(pages: list[str], needle: str) -> list[int]:
    """The 1-based pages whose text holds ``needle``."""
    wanted = " ".join(needle.split()).casefold()
    return [number for number, text in enumerate(pages, start=1) if wanted in " ".join(_forms(text))]


def test_each_paper_is_three_to_five_pages_with_sections_a_table_and_references(
    pages: dict[str, list[str]],
) -> None:
    for key, texts in pages.items():
        assert 3 <= len(texts) <= 5, key
        whole = "\n".join(texts)
        for heading in ("Abstract", "Introduction", "Related Work", "Method", "Experiments", "Conclusion"):
            assert re.search(rf"^(\d+ )?{heading}\r?$", whole, re.MULTILINE), (key, heading)
        assert re.search(r"^References\r?$", whole, re.MULTILINE), key
        assert "Table 1: " in whole, key
        assert "\ufffe" in whole, f"{key}: no line-end hyphen to join"


def test_the_library_has_each_paper_with_the_abstract_and_identifier_of_its_page_one(
    pages: dict[str, list[str]],
) -> None:
    assert set(LIBRARY) == set(PAPERS)
    stamped = 0
    for key, texts in pages.items():
        first = _forms(texts[0])[1]
        assert _alnum(_field(key, "abstract")) in _alnum(texts[0]), key
        assert _alnum(_field(key, "title")) in _alnum(texts[0]), key
        doi, eprint = _field(key, "doi"), _field(key, "eprint")
        assert (doi is None) != (eprint is None), f"{key}: give a DOI or an arXiv id, not both"
        if doi:
            assert doi.casefold() in first, key
            assert all(doi.casefold() not in _forms(page)[1] for page in texts[1:]), key
        else:
            assert re.search(rf"arxiv:{re.escape(eprint)}v\d+ \[[a-z.]+\] \d+ \w+ \d{{4}}", first), key
            stamped += 1
    assert stamped == len(PAPERS) // 2


@pytest.mark.parametrize("item", ITEMS, ids=[item["id"] for item in ITEMS])
def test_each_answer_is_on_its_page_only_and_not_in_the_abstract(
    pages: dict[str, list[str]], item: dict
) -> None:
    texts = pages[item["paper"]]
    abstract = " ".join(_field(item["paper"], "abstract").split()).casefold()
    found = {page for needle in item["answer_contains"] for page in on_pages(texts, needle)}
    assert found == {item["page"]}, f"{item['id']}: answer on pages {sorted(found)}, item says {item['page']}"
    assert not [needle for needle in item["answer_contains"] if needle.casefold() in abstract]
    heading = rf"^(\d+ )?{re.escape(item['section'])}\r?$"
    assert re.search(heading, "\n".join(texts), re.MULTILINE), f"{item['id']}: no section {item['section']!r}"


@pytest.mark.parametrize("item", UNANSWERED, ids=[item["id"] for item in UNANSWERED])
def test_an_unanswerable_item_names_nothing_its_paper_states(pages: dict[str, list[str]], item: dict) -> None:
    for needle in item.get("absent", []):
        assert not on_pages(pages[item["paper"]], needle), f"{item['id']}: the paper now mentions {needle!r}"


def test_the_dev_sets_have_the_fields_the_evaluation_needs_and_split_in_two() -> None:
    schema = {"id": str, "question": str, "paper": str, "page": int, "section": str, "answer_contains": list}
    for item in ITEMS:
        assert all(isinstance(item.get(name), kind) for name, kind in schema.items()), item.get("id")
        assert item["answer_contains"] and all(isinstance(needle, str) for needle in item["answer_contains"])
    for item in UNANSWERED:
        assert all(isinstance(item.get(name), str) for name in ("id", "question", "paper", "kind"))
    assert len(ITEMS) >= 40 and len(UNANSWERED) >= 15
    for rows in (ITEMS, UNANSWERED):
        ids = [row["id"] for row in rows]
        assert len(set(ids)) == len(ids)
        assert {row["paper"] for row in rows} == set(PAPERS)
        assert 0.4 <= [half(row_id) for row_id in ids].count("tune") / len(ids) <= 0.6
    assert not {row["id"] for row in ITEMS} & {row["id"] for row in UNANSWERED}
    assert all(item["kind"] for item in ITEMS + UNANSWERED)


def test_a_source_that_does_not_compile_is_one_line_naming_it(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "broken.tex").write_text(r"\documentclass{article}\begin{document}\nosuchmacro\end{document}")
    with pytest.raises(DatasetError, match=r"broken\.tex: pdflatex failed \(Undefined control sequence\.\)"):
        compile_papers(tmp_path / "out", source_dir=sources)


def test_without_pdflatex_the_papers_cannot_be_built_and_say_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DatasetError, match="pdflatex is not installed") as raised:
        compile_papers(tmp_path / "out")
    assert "\n" not in str(raised.value)
    assert not (tmp_path / "out").exists()
