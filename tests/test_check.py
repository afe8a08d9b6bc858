"""Checking a manuscript's citations against the bundled library, on real files with known verdicts.

The drafts in tests/fixtures/check were written for these tests from the bundled corpus: each
sentence either restates its cited abstract, restates another paper's abstract, or cites an
entry that the library lacks.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rag.check.bibfile import BibEntry, BibFile
from rag.check.manuscript import parse_draft
from rag.check.report import CheckReport
from rag.check.verdicts import Resolver, check_draft, check_file, states_finding
from rag.cli.commands import app
from rag.index.library import Library
from rag.sources.corpus import Paper, paper_id

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "check"
EAGLE = "EAGLE: Speculative Sampling Requires Rethinking Feature Uncertainty"


@pytest.fixture(scope="module")
def report(bundled: Library) -> CheckReport:
    return check_file(FIXTURES / "paper.tex", FIXTURES / "refs.bib", library=bundled)


def _verdicts(report: CheckReport) -> dict[tuple[int, str], str]:
    return {(s.line, c.key): c.verdict for s in report.sentences for c in s.citations}


def test_latex_draft_known_verdicts(report: CheckReport) -> None:
    assert _verdicts(report) == {
        (7, "leviathan2023"): "supported",  # resolved by the .bib title
        (9, "hydra2024"): "unsupported",  # EAGLE's result cited to Hydra
        (10, "hydra2024"): "supported",
        (10, "eagle2024"): "unsupported",  # Hydra's result: EAGLE adds nothing
        (11, "medusa2024"): "supported",  # not in the library: checked against the .bib abstract
        (12, "lookahead2024"): "no_abstract",
        (13, "nosuchkey"): "not_in_library",
        (2, "fastspeech-fast-robust"): "supported",  # the library's own key, in sections/speech.tex
    }
    by_line = {(s.file, s.line): s for s in report.sentences}
    two = {c.key: c for c in by_line["paper.tex", 10].citations}
    assert two["eagle2024"].adds_nothing and not two["hydra2024"].adds_nothing
    assert by_line["paper.tex", 10].supported is True
    medusa = by_line["paper.tex", 11].citations[0]
    assert medusa.paper_id is None and medusa.evidence and medusa.evidence.startswith("We present Medusa")
    leviathan = by_line["paper.tex", 7].citations[0]
    assert leviathan.paper_id == paper_id("Fast Inference from Transformers via Speculative Decoding")
    assert "2X-3X acceleration" in (leviathan.evidence or "")
    assert report.problem_lines() == [
        "paper.tex:13: undefined citation key 'nosuchkey': not in the .bib or the library"
    ]


def test_suggestions_use_the_users_key(report: CheckReport) -> None:
    by_line = {(s.file, s.line): s for s in report.sentences}
    wrong = by_line["paper.tex", 9]
    assert wrong.suggestions and wrong.suggestions[0].title == EAGLE
    assert wrong.suggestions[0].key == "eagle2024"  # the user's key, not the library's
    assert "3x faster than vanilla decoding" in wrong.suggestions[0].sentence
    assert "@misc{eagle2024," in wrong.suggestions[0].bibtex
    uncited = by_line["sections/speech.tex", 3]
    assert uncited.status == "uncited finding"
    assert uncited.suggestions[0].title.startswith("GigaSpeech 2:")
    assert len(uncited.suggestions) <= 3
    assert not by_line["paper.tex", 6].suggestions  # no figure, no finding: nothing to suggest


def test_json_shape_is_fixed(report: CheckReport) -> None:
    data = json.loads(json.dumps(report.to_json()))
    assert set(data) == {"sentences", "summary"}
    for sentence in data["sentences"]:
        assert {"line", "text", "citations", "suggestions"} <= set(sentence)
        for citation in sentence["citations"]:
            assert {"key", "paper_id", "verdict", "score", "evidence"} <= set(citation)
        for suggestion in sentence["suggestions"]:
            assert {"key", "paper_id", "title", "sentence", "score"} <= set(suggestion)
    summary = data["summary"]
    assert (
        summary["supported"],
        summary["unsupported"],
        summary["not_in_library"],
        summary["no_abstract"],
    ) == (
        4,
        2,
        1,
        1,
    )
    assert summary["uncited_findings"] == 1


def test_markdown_draft(bundled: Library) -> None:
    result = check_file(FIXTURES / "paper.md", FIXTURES / "refs.bib", library=bundled)
    assert _verdicts(result) == {
        (8, "leviathan2023"): "supported",
        (9, "hydra2024"): "unsupported",  # EAGLE alone supports it: Hydra adds nothing
        (9, "eagle2024"): "supported",
        (16, "medusa2024"): "supported",
    }
    assert [c.adds_nothing for c in result.sentences[1].citations] == [True, False]


def test_bad_inputs_are_reported_on_their_lines_and_the_rest_checked(bundled: Library) -> None:
    result = check_file(FIXTURES / "bad.tex", FIXTURES / "broken.bib", library=bundled)
    problems = result.problem_lines()
    assert problems[:2] == [
        "bad.tex:3: not UTF-8 text (read as Windows-1252)",
        "bad.tex:3: empty citation key in \\cite",
    ]
    assert problems[2].startswith("broken.bib:6: entry does not parse")
    assert problems[3] == "bad.tex:4: undefined citation key 'undefinedkey': not in the .bib or the library"
    assert _verdicts(result) == {(2, "leviathan2023"): "supported", (4, "undefinedkey"): "not_in_library"}


def test_markdown_report_is_inert(bundled: Library) -> None:
    draft = parse_draft(
        "<script>alert(1)</script> [click](http://x) beats everything by 99% [@nokey].\n", name="x.md"
    )
    result = check_draft(draft, library=bundled, suggest=False, name="x.md")
    text = result.markdown()
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "[click](http" not in text
    assert "x.md, line 1: cannot check" in text


def test_resolver_order_key_doi_arxiv_title() -> None:
    papers = [
        Paper(paper_id("Alpha method"), "Alpha method", "Alpha works.", doi="10.1/ALPHA", bibkey="alphakey"),
        Paper(paper_id("Beta method"), "Beta method", "Beta works.", arxiv_id="2401.00001"),
        Paper(paper_id("Gamma method"), "Gamma method", "Gamma works."),
    ]
    entries = {
        "mine": BibEntry("mine", 1, "A different title", "", doi="10.1/alpha"),
        "arx": BibEntry("arx", 5, "Another title", "", arxiv_id="2401.00001"),
        "byname": BibEntry("byname", 9, "GAMMA  Method!", ""),
        "outside": BibEntry("outside", 12, "Delta", "Delta is a method that works."),
        "bare": BibEntry("bare", 15, "Epsilon", ""),
    }
    resolver = Resolver(papers, BibFile(entries), {p.id: p.id[:5] for p in papers}, bib_name="r.bib")
    found = {
        key: resolver.resolve(key) for key in ("alphakey", "mine", "arx", "byname", "outside", "bare", "none")
    }
    assert found["alphakey"].paper.title == "Alpha method"  # the paper's own key
    assert found["mine"].paper.title == "Alpha method"  # by DOI, case and prefix ignored
    assert found["arx"].paper.title == "Beta method"
    assert found["byname"].paper.title == "Gamma method"
    assert not found["outside"].in_library and found["outside"].paper.abstract.startswith("Delta")
    assert found["bare"].paper is None
    assert found["none"] is None
    assert resolver.key_for(papers[0]) == "mine"  # the user's key wins in suggestions
    assert resolver.key_for(papers[2]) == "byname"


@pytest.mark.parametrize(
    ("text", "finding"),
    [
        ("Speculative decoding gives a 3x speedup.", True),
        ("It has been shown that drafts help.", True),
        ("Hydra outperforms Medusa.", True),
        ("This reaches state-of-the-art accuracy.", True),
        ("In 2023, several drafts were proposed.", False),
        ("We show that our method outperforms Medusa by 12%.", False),
        ("Drafting is a popular idea.", False),
    ],
)
def test_findings(text: str, finding: bool) -> None:
    assert states_finding(text) is finding


def test_cli_check_writes_json_and_report(bundled: Library, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LITREV_HOME", str(bundled.settings.home))
    out, md = tmp_path / "out.json", tmp_path / "out.md"
    args = ["check", str(FIXTURES / "paper.md"), "--bib", str(FIXTURES / "refs.bib"), "--json", str(out)]
    result = CliRunner().invoke(app, [*args, "--report", str(md)])
    assert result.exit_code == 0, result.output
    assert "paper.md:9  [supported]" in result.output
    assert json.loads(out.read_text(encoding="utf-8"))["summary"]["supported"] == 3
    assert md.read_text(encoding="utf-8").startswith("# Citation check: paper.md")
    missing = CliRunner().invoke(app, ["check", str(tmp_path / "nope.tex")])
    assert missing.exit_code == 1
    assert missing.output.strip().splitlines() == [
        f"error: {tmp_path / 'nope.tex'}: cannot read the draft: No such file or directory"
    ]
