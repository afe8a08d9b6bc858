"""Each reader on a real export (tests/fixtures/README.md says where each came from).

Counts are checked against the raw files, read here by a different route (regular expressions and
the csv module), so the reader under test is not its own oracle.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from rag.sources.paper import Paper
from rag.sources.readers import ReadOptions, read_file

FIXTURES = Path(__file__).parent / "fixtures"
LEFTOVER = re.compile(r"\\[A-Za-z]+|[{}]")


def assert_clean(papers: list[Paper]) -> None:
    """No LaTeX macro, no stray brace, no hard line break in any title or abstract."""
    for paper in papers:
        for text in (paper.title, paper.abstract):
            assert not LEFTOVER.search(text), (paper.title, LEFTOVER.findall(text))
            assert "\n" not in text and "  " not in text


def test_zotero_bibtex_export() -> None:
    text = (FIXTURES / "zotero-export.bib").read_text(encoding="utf-8")
    entries = re.findall(r"^@(?!string|comment|preamble)\w+\{", text, re.MULTILINE | re.IGNORECASE)
    with_abstract = len(re.findall(r"^\s*abstract = \{\S", text, re.MULTILINE))
    assert (len(entries), with_abstract) == (232, 216)
    result = read_file(FIXTURES / "zotero-export.bib")
    assert len(result.papers) == with_abstract
    assert [p.reason for p in result.problems].count("no abstract") == 0
    assert len(result.problems) == len(entries) - with_abstract
    assert all(p.authors and p.year for p in result.papers)
    assert_clean(result.papers)
    by_key = {paper.bibkey: paper for paper in result.papers}
    nerf = by_key["mildenhall_nerf_2020"]  # an entry with a field given twice is kept, not dropped
    assert nerf.title == "NeRF: Representing Scenes as Neural Radiance Fields for View Synthesis"
    assert nerf.entry_type == "inproceedings" and nerf.venue == "European Conference on Computer Vision"
    assert ("pages", "405--421") in nerf.bib_fields
    escaped = [p for p in result.papers if "synthesizing missing audio" in p.abstract]
    assert "i.e. synthesizing missing audio" in escaped[0].abstract  # {\textbackslash}ie in the file
    speedup = [p for p in result.papers if "than DualLip" in p.abstract]
    assert "speedup of 19\u00d7 than DualLip" in speedup[0].abstract


def test_zotero_csv_export() -> None:
    with (FIXTURES / "zotero-export.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 37 and len(rows[0]) == 87
    wanted = [r for r in rows if r["Title"].strip() and r["Abstract Note"].strip()]
    result = read_file(FIXTURES / "zotero-export.csv")
    assert sorted(p.title for p in result.papers) == sorted(r["Title"].strip() for r in wanted)
    assert len(result.problems) == len(rows) - len(wanted)
    assert all(p.authors and p.year for p in result.papers)
    assert_clean(result.papers)
    by_title = {p.title: p for p in result.papers}
    first = by_title[wanted[0]["Title"]]
    assert first.authors == ("Molla, Md Monirul Islam", "Ahmad, Johanna", "Wan Kadir, Wan Mohd Nasir")
    assert (first.year, first.doi, first.entry_type) == (2024, "10.11113/ijic.v14n1.463", "article")
    assert first.venue == "International Journal of Innovative Computing"
    codexglue = next(p for p in result.papers if p.title.startswith("CodeXGLUE"))
    assert codexglue.arxiv_id == "2102.04664"  # from the Extra column's "arXiv:" line
    assert "Computer Science - Computation and Language" in codexglue.tags
    assert sum(1 for p in result.papers if p.arxiv_id) == sum("arXiv:" in r["Extra"] for r in wanted)


def test_zotero_ris_export() -> None:
    text = (FIXTURES / "zotero-export.ris").read_text(encoding="utf-8")
    records = [r for r in re.split(r"\nER  - ?\n", text) if r.strip()]
    wanted = [r for r in records if re.search(r"^AB  - \S", r, re.M) and re.search(r"^T[I1]  - \S", r, re.M)]
    result = read_file(FIXTURES / "zotero-export.ris")
    assert (len(records), len(wanted)) == (467, 246)
    assert len(result.papers) == len(wanted)
    assert len(result.problems) == len(records) - len(wanted)
    with_authors = sum(1 for r in wanted if re.search(r"^A[U1]  - \S", r, re.M))
    assert sum(1 for p in result.papers if p.authors) == with_authors
    assert all(p.year for p in result.papers)
    assert_clean(result.papers)
    first = result.papers[0]
    assert first.title.startswith("Advanced Plasmonic Resonance-enhanced Biosensor")
    assert first.authors[:2] == ("Maheshwari, R. Uma", "Kumarganesh, S.")
    assert (first.year, first.venue, first.doi) == (2025, "Plasmonics", "10.1007/s11468-024-02407-0")
    assert "Deepfake detection" in first.tags and first.entry_type == "article"
    assert {p.entry_type for p in result.papers} >= {"article", "inproceedings"}
    # every problem names the record's own first line, a "TY  -" line
    lines = text.splitlines()
    for problem in result.problems:
        assert problem.line is not None and lines[problem.line - 1].startswith("TY  - ")


def test_arxiv_metadata_snapshot() -> None:
    raw = [json.loads(line) for line in (FIXTURES / "arxiv-metadata-head200.jsonl").read_text().splitlines()]
    result = read_file(FIXTURES / "arxiv-metadata-head200.jsonl")
    assert len(result.papers) == len(raw) == 200 and result.problems == []
    assert [p.arxiv_id for p in result.papers] == [r["id"] for r in raw]
    assert all(p.authors and p.year for p in result.papers)
    assert_clean(result.papers)
    first = result.papers[0]
    assert (
        first.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert first.authors == ("Balázs, C.", "Berger, E. L.", "Nadolsky, P. M.", "Yuan, C. -P.")
    assert (first.year, first.venue, first.doi) == (
        2007,
        "Phys.Rev.D76:013009,2007",
        "10.1103/PhysRevD.76.013009",
    )
    assert first.tags == ("hep-ph",) and first.url == "https://arxiv.org/abs/0704.0001"
    pebble = result.papers[1]
    assert pebble.abstract.startswith("We describe a new algorithm, the (k,\u2113)-pebble game with colors")
    assert pebble.tags == ("math.CO", "cs.CG") and pebble.entry_type == "misc"


@pytest.mark.parametrize(
    ("categories", "since", "expected"),
    [
        ({"math.CO"}, None, "math.CO"),
        ({"math"}, None, "math"),
        ({"hep-ph"}, 2007, "hep-ph"),
        (set(), 2008, None),
    ],
)
def test_arxiv_slice_by_category_and_year(
    categories: set[str], since: int | None, expected: str | None
) -> None:
    raw = [json.loads(line) for line in (FIXTURES / "arxiv-metadata-head200.jsonl").read_text().splitlines()]
    options = ReadOptions(frozenset(categories), since)
    result = read_file(FIXTURES / "arxiv-metadata-head200.jsonl", options)
    if expected is None:  # the head of the dump is all from 2007
        assert all(r["versions"][0]["created"].split()[3] == "2007" for r in raw)
        assert result.papers == [] and result.lines == 200
        return
    want = [
        r["id"]
        for r in raw
        if any(c == expected or c.split(".")[0] == expected for c in r["categories"].split())
    ]
    assert 0 < len(want) < 200
    assert all(p.year >= (since or 0) for p in result.papers)
    assert [p.arxiv_id for p in result.papers] == want


def test_arxiv_slice_benchmark_counts_lines_and_keeps_a_tenth(tmp_path: Path) -> None:
    from litrev_eval import bench_arxiv

    path = tmp_path / "dump.jsonl"
    bench_arxiv.write_dump(path, 1_000)
    figures = bench_arxiv.measure(path, "cs.CL")
    assert (figures["lines"], figures["papers"]) == (1_000, 100)
    assert figures["lines_per_s"] > 0 and figures["peak_rss_mb"] > 0
    assert "| 1,000 |" in bench_arxiv.table([figures])
