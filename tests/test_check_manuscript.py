"""Reading manuscripts and their .bib for a citation check: real files in tests/fixtures/check."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.check.bibfile import parse_bib
from rag.check.manuscript import parse_draft, read_draft
from rag.check.verdicts import read_bib
from rag.sources.identifiers import normal_arxiv, normal_doi

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "check"


def _by_text(draft) -> dict[str, tuple[str, int, list[str]]]:
    return {s.text.split()[0] + " " + s.text.split()[1]: (s.file, s.line, s.keys) for s in draft.sentences}


def test_latex_sentences_keep_their_lines_and_keys() -> None:
    draft = read_draft(FIXTURES / "paper.tex")
    found = [(s.file, s.line, s.keys) for s in draft.sentences]
    assert found == [
        ("paper.tex", 6, []),
        ("paper.tex", 7, ["leviathan2023"]),  # the sentence starts on line 7, its \citep is on 8
        ("paper.tex", 9, ["hydra2024"]),
        ("paper.tex", 10, ["hydra2024", "eagle2024"]),  # \citep[see][]{a, b}: both keys, in order
        ("paper.tex", 11, ["medusa2024"]),
        ("paper.tex", 12, ["lookahead2024"]),
        ("paper.tex", 13, ["nosuchkey"]),
        ("paper.tex", 19, []),
        ("sections/speech.tex", 2, ["fastspeech-fast-robust"]),  # \input{sections/speech} followed
        ("sections/speech.tex", 3, []),
    ]
    assert draft.problems == []
    texts = [s.text for s in draft.sentences]
    assert texts[1] == "Speculative decoding accelerates T5-XXL by 2X-3X while producing identical outputs."
    assert texts[7] == "We write the speedup as in what follows."  # the formula is dropped
    everything = " ".join(texts)
    for ignored in ("commentedout", "infigure", "Speedups reported", "\\", "{", "}", "~"):
        assert ignored not in everything
    cite_lines = {c.key: c.line for s in draft.sentences for c in s.cites}
    assert cite_lines["leviathan2023"] == 8


def test_latex_citation_forms() -> None:
    text = (
        "First claim \\parencite[p.~3]{a}. Second claim \\autocite{b, c}.\n"
        "\\textcite{d} showed the third claim. Fourth \\citealp{e} and \\footcite{f}.\n"
        "Fifth claim, e.g. as in Fig.~\\ref{x}, holds.\\cite{g} Sixth claim $25\\%$ better.\n"
    )
    draft = parse_draft(text, name="forms.tex")
    assert [(s.text, s.keys) for s in draft.sentences] == [
        ("First claim.", ["a"]),
        ("Second claim.", ["b", "c"]),
        ("showed the third claim.", ["d"]),  # a textual citation opens its sentence
        ("Fourth and.", ["e", "f"]),
        ("Fifth claim, e.g. as in Fig., holds.", ["g"]),  # after the full stop: still this sentence
        ("Sixth claim 25% better.", []),
    ]


def test_markdown_pandoc_citations() -> None:
    draft = read_draft(FIXTURES / "paper.md")
    assert [(s.line, s.keys, s.text) for s in draft.sentences] == [
        (
            8,
            ["leviathan2023"],
            "Speculative decoding accelerates T5-XXL by 2X-3X while producing identical outputs.",
        ),
        (
            9,
            ["hydra2024", "eagle2024"],
            "EAGLE drafts auto-regressively at the second-top-layer feature level and runs 3x faster "
            "than vanilla decoding on MT-bench.",
        ),
        (16, ["medusa2024"], "adds extra decoding heads that predict several subsequent tokens in parallel."),
        (17, [], "Write to someone@example.org for the data."),  # an e-mail address is not a citation
    ]
    assert draft.problems == []


def test_markdown_forms_and_empty_key() -> None:
    draft = parse_draft("One [-@a]. Two [see @b, pp. 1-2; also @c]. Three [@].\n", name="x.md")
    assert [s.keys for s in draft.sentences] == [["a"], ["b", "c"], []]
    assert [str(p) for p in draft.problems] == ["x.md:1: empty citation key in [@]"]


def test_bad_draft_lines_are_reported_and_the_rest_read() -> None:
    draft = read_draft(FIXTURES / "bad.tex")
    assert [str(p) for p in draft.problems] == [
        "bad.tex:3: not UTF-8 text (read as Windows-1252)",
        "bad.tex:3: empty citation key in \\cite",
    ]
    assert [(s.line, s.keys) for s in draft.sentences] == [
        (2, ["leviathan2023"]),
        (3, []),
        (4, ["undefinedkey"]),
    ]
    assert draft.sentences[1].text.startswith("Café owners")


def test_input_that_cannot_be_followed(tmp_path: Path) -> None:
    (tmp_path / "loop.tex").write_text("A looping claim holds.\n\\input{loop}\n", encoding="utf-8")
    (tmp_path / "main.tex").write_text(
        "Main claim holds.\n\\input{missing}\n\\input{../outside}\n\\input{loop}\nLast claim holds.\n",
        encoding="utf-8",
    )
    draft = read_draft(tmp_path / "main.tex")
    assert [s.text for s in draft.sentences] == [
        "Main claim holds.",
        "A looping claim holds.",
        "Last claim holds.",
    ]
    assert [str(p) for p in draft.problems] == [
        "main.tex:2: \\input{missing}: no such file",
        "main.tex:3: \\input{../outside} is outside the draft's folder: not followed",
        "loop.tex:2: \\input{loop} includes itself: not followed again",
    ]


def test_binary_draft_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "x.tex"
    path.write_bytes(b"\x00\x01binary")
    try:
        read_draft(path)
    except Exception as error:  # the one error the CLI shows
        assert str(error) == "x.tex: looks like a binary file, expected LaTeX or Markdown text"
    else:
        raise AssertionError("a binary draft was read")


def test_bib_entries_problems_and_identifiers() -> None:
    bib = read_bib(FIXTURES / "broken.bib")
    assert sorted(bib.entries) == ["eagle2024", "leviathan2023"]
    assert bib.entries["eagle2024"].line == 10
    assert [(p.line, p.reason.split(":")[0]) for p in bib.problems] == [(6, "entry does not parse")]
    refs = read_bib(FIXTURES / "refs.bib")
    assert refs.entries["eagle2024"].arxiv_id == "2401.15077"
    assert refs.entries["eagle2024"].title.startswith("EAGLE: Speculative")  # braces gone
    assert refs.entries["medusa2024"].abstract.startswith("We present Medusa")
    duplicated = parse_bib("@misc{a, title={One}}\n@misc{a, title={Two}}\n", name="d.bib")
    assert duplicated.entries["a"].title == "One"
    assert [str(p) for p in duplicated.problems] == [
        "d.bib:2: the key 'a' is defined again (the first entry is used)"
    ]
    assert normal_doi("https://doi.org/10.1000/ABC") == "10.1000/abc"
    assert normal_arxiv("arXiv:2302.01318v2") == "2302.01318"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"ab .\n\\{}[]@;$%~-xX1", "cite", "\\cite{", "[@", "\\input{", "\\begin{figure}"])
    ).map("".join)
)
def test_any_text_parses_with_lines_in_range(text: str) -> None:
    for kind in ("latex", "markdown"):
        draft = parse_draft(text, name="f", kind=kind)  # type: ignore[arg-type]
        lines = text.count("\n") + 1
        assert all(1 <= s.line <= lines for s in draft.sentences)
        assert all(1 <= c.line <= lines for s in draft.sentences for c in s.cites)
        assert all(s.text.strip() for s in draft.sentences)
