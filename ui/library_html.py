"""HTML of the Library tab and the header, from the templates in ``ui/templates/``: the counts, the
table of papers (each paper whose PDF the library holds marked "full text"), and the report of an
upload (papers added, updated, unchanged; PDFs read, unchanged, or made into papers of their own;
what was rejected and why)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.index.ingest import IngestReport
from rag.sources.corpus import Paper
from rag.words import count
from ui.render import authors_line, render

LISTED_ADDED = 20
FULL_TEXT = "full text"
"""The mark of a paper whose PDF's passages the library holds (answers can cite their pages)."""


@dataclass(frozen=True)
class AddedPaper:
    """A paper an upload added, as its report lists it."""

    title: str
    from_pdf: str | None = None
    """The PDF whose first page gave its title and abstract (None: read from a record)."""


def _years(papers: Sequence[Paper]) -> str:
    years = [paper.year for paper in papers if paper.year]
    if not years:
        return ""
    return str(min(years)) + (f"\u2013{max(years)}" if max(years) > min(years) else "")


def _sources(papers: Sequence[Paper]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for paper in papers:
        counts[paper.source or "unknown"] = counts.get(paper.source or "unknown", 0) + 1
    return sorted(counts.items())


def header_html(papers: Sequence[Paper]) -> str:
    """The line under the page title: how many papers, which years, from which sources."""
    names = [name for name, _ in _sources(papers)]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return render(
        "header.html",
        total=len(papers),
        papers_word="paper" if len(papers) == 1 else "papers",
        years=_years(papers),
        sources=shown,
    )


def library_stats(papers: Sequence[Paper], shown: int) -> str:
    return render(
        "library.html",
        total=len(papers),
        papers_word="paper" if len(papers) == 1 else "papers",
        years=_years(papers),
        sources=_sources(papers),
        fulltext=sum(1 for paper in papers if paper.fulltext),
        shown=shown,
        match_words="matches the filters" if shown == 1 else "match the filters",
    )


def papers_table(papers: Sequence[Paper], limit: int, note: str | None = None) -> str:
    rows = [
        {
            "title": paper.title,
            "abstract": paper.abstract,
            "authors": authors_line(paper.authors),
            "year": paper.year,
            "venue": paper.venue,
            "source": paper.source,
            "fulltext": FULL_TEXT if paper.fulltext else "",
        }
        for paper in papers[:limit]
    ]
    more = len(papers) if len(papers) > limit else 0
    return render("papers.html", papers=rows, limit=limit, more=more, note=note)


def _count_rows(report: IngestReport) -> list[dict[str, str]]:
    """The report's counts in words, each with what it means; a row only when its count is not
    zero (the "added" row always)."""
    passages = count(report.passages, "passage")
    rows = [
        (
            "added",
            report.added,
            count(report.added, "paper") + " added",
            "new, now searchable" if report.added else "nothing new to add",
        ),
        (
            "updated",
            report.updated,
            count(report.updated, "paper") + " updated",
            "in the library with other content; replaced",
        ),
        (
            "unchanged",
            report.unchanged,
            count(report.unchanged, "paper") + " unchanged",
            "already in the library as they are",
        ),
        (
            "pdfs_read",
            report.pdfs_read,
            count(report.pdfs_read, "PDF") + " read",
            f"full text indexed: {passages} of the body, each with its page and section",
        ),
        (
            "pdf_papers",
            report.pdf_papers,
            count(report.pdf_papers, "paper") + " made from a PDF",
            "of a PDF no paper of the library or of these files matched: title and abstract read from "
            "its first page",
        ),
        (
            "pdfs_unchanged",
            report.pdfs_unchanged,
            count(report.pdfs_unchanged, "PDF") + " unchanged",
            "the library holds this full text already (the same file); not read again",
        ),
        (
            "duplicates",
            report.duplicates,
            count(report.duplicates, "duplicate") + " skipped",
            "the same title appeared more than once",
        ),
        (
            "rejected",
            len(report.problems),
            count(len(report.problems), "record") + " rejected",
            "could not be read (reasons below)",
        ),
    ]
    return [
        {"kind": kind, "words": words, "why": why}
        for kind, number, words, why in rows
        if number or kind == "added"
    ]


def ingest_html(report: IngestReport, added: Sequence[str | AddedPaper]) -> str:
    """What an upload did, each count in words ("1 record rejected", "2 PDFs read"), then the
    added titles (saying which were read from a PDF's first page) and the rejected records and
    files with their reasons (a PDF that cannot be read is one of them)."""
    listed = [paper if isinstance(paper, AddedPaper) else AddedPaper(paper) for paper in added]
    problems = [
        {
            "where": Path(problem.path).name + (f":{problem.line}" if problem.line is not None else ""),
            "reason": problem.reason,
        }
        for problem in report.problems
    ]
    summary = (
        f"Read {count(report.read, 'paper')} from the files. "
        f"The library now holds {count(report.total_papers, 'paper')}."
    )
    more = len(listed) - LISTED_ADDED if len(listed) > LISTED_ADDED else 0
    return render(
        "ingest.html",
        summary=summary,
        counts=_count_rows(report),
        added=listed[:LISTED_ADDED],
        more=more,
        problems=problems,
    )
