"""HTML for the UI: answers with their citations, paper cards, lookups, drafts, the library.

Everything taken from the corpus or a model (titles, abstracts, answer text, URLs) goes through
:func:`esc` before it is placed in markup, so an abstract containing ``<script>`` or
``<img onerror=...>`` shows as those characters and never runs; links are only made from
``http(s)`` URLs. The markup is shown by ``gr.HTML``, which inserts it as is (no sanitiser of its
own), so this module is the only thing standing between corpus text and the page.

Citation markers are ``<button class="cite" data-target=ID>`` elements; :data:`SCRIPT` (run by
the ``gr.HTML`` components that show answers) opens the paper card with that id when one is
clicked, and the card's own summary line opens it too, without any script.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlparse

from rag.answer import Answer, Citation, SentenceCheck
from rag.citations import MARKER, split_sentences
from rag.corpus import Paper
from rag.ingest import IngestReport
from rag.lookup import LookupResult

if TYPE_CHECKING:
    from rag.related_work import Draft
    from ui.handlers import Turn

SHOWN_AUTHORS = 3
LISTED_ADDED = 20


def esc(value: object) -> str:
    """Text as HTML text or attribute value (quotes escaped too)."""
    return html.escape(str(value), quote=True)


def paper_url(paper: Paper | None, url: str | None = None) -> str | None:
    """A link for the paper when one is known and safe (http or https only)."""
    candidates = [url]
    if paper is not None:
        candidates.append(paper.url)
        if paper.doi:
            candidates.append("https://doi.org/" + quote(paper.doi, safe="/:;()._-"))
        if paper.arxiv_id:
            candidates.append("https://arxiv.org/abs/" + quote(paper.arxiv_id, safe="/._-"))
    for candidate in candidates:
        if candidate and urlparse(candidate.strip()).scheme.lower() in ("http", "https"):
            return candidate.strip()
    return None


def meta_line(venue: str | None, year: int | None) -> str:
    return " · ".join(str(value) for value in (venue, year) if value)


def authors_line(authors: Sequence[str]) -> str:
    shown = ", ".join(authors[:SHOWN_AUTHORS])
    return shown + (" et al." if len(authors) > SHOWN_AUTHORS else "")


def highlighted(abstract: str, span: tuple[int, int] | None, sentence: str = "") -> str:
    """The abstract with the supporting sentence marked; located by ``span``, else by search."""
    start, end = span if span else (-1, -1)
    if not (0 <= start < end <= len(abstract)) or (sentence and abstract[start:end] != sentence):
        start = abstract.find(sentence) if sentence else -1
        end = start + len(sentence)
    if start < 0:
        return esc(abstract)
    return f"{esc(abstract[:start])}<mark>{esc(abstract[start:end])}</mark>{esc(abstract[end:])}"


def paper_body(
    paper: Paper | None, *, url: str | None = None, sentence: str = "", span: tuple[int, int] | None = None
) -> str:
    """Authors, the abstract with ``sentence`` marked, and a link when one is known."""
    parts = ['<div class="paper-body">']
    if paper is not None and paper.authors:
        parts.append(f'<p class="authors">{esc(authors_line(paper.authors))}</p>')
    if paper is not None:
        parts.append(f'<p class="abstract">{highlighted(paper.abstract, span, sentence)}</p>')
    elif sentence:
        parts.append(f'<p class="abstract"><mark>{esc(sentence)}</mark></p>')
    link = paper_url(paper, url)
    if link:
        parts.append(
            f'<p class="link"><a href="{esc(link)}" target="_blank" rel="noopener noreferrer">'
            f"{esc(link)}</a></p>"
        )
    parts.append("</div>")
    return "".join(parts)


def title_line(title: str, *, badge: str = "", venue: str | None = None, year: int | None = None) -> str:
    meta = meta_line(venue, year)
    return (
        (f'<span class="badge">{esc(badge)}</span>' if badge else "")
        + f'<span class="title">{esc(title)}</span>'
        + (f'<span class="meta">{esc(meta)}</span>' if meta else "")
    )


def paper_card(
    *,
    title: str,
    element_id: str,
    badge: str = "",
    paper: Paper | None = None,
    year: int | None = None,
    venue: str | None = None,
    url: str | None = None,
    sentence: str = "",
    span: tuple[int, int] | None = None,
) -> str:
    """A collapsible card: the title line, then authors, the abstract with ``sentence`` marked, a link."""
    year = year if year is not None else (paper.year if paper else None)
    venue = venue or (paper.venue if paper else None)
    return (
        f'<details class="paper" id="{esc(element_id)}"><summary>'
        + title_line(title, badge=badge, venue=venue, year=year)
        + "</summary>"
        + paper_body(paper, url=url, sentence=sentence, span=span)
        + "</details>"
    )


# -- answers ------------------------------------------------------------------------------------


def _flag_note(check: SentenceCheck) -> str:
    if check.score is None:
        return "uncited: no source backs this sentence"
    cited = ", ".join(f"[{n}]" for n in check.markers)
    return f"not supported by {cited} (support {check.score:.2f})"


def _with_markers(sentence: str, citations: Mapping[int, Citation], prefix: str) -> str:
    """Escaped sentence text with each ``[n]`` turned into a button that opens source n."""
    out = []
    position = 0
    for match in MARKER.finditer(sentence):
        out.append(esc(sentence[position : match.start()]))
        for number in (int(n) for n in match.group(1).split(",")):
            citation = citations.get(number)
            if citation is None:
                out.append(esc(f"[{number}]"))
                continue
            out.append(
                f'<button type="button" class="cite" data-target="{esc(prefix)}-c{number}" '
                f'title="{esc(citation.title)}">[{number}]</button>'
            )
        position = match.end()
    out.append(esc(sentence[position:]))
    return "".join(out)


def answer_text(answer: Answer, prefix: str) -> str:
    """The answer body: bullet lines as a list, prose as paragraphs; flagged sentences marked."""
    citations = {citation.marker: citation for citation in answer.citations}
    lines = [line for line in answer.answer.splitlines() if line.strip()]
    per_line = [split_sentences(line) for line in lines]
    checks: list[SentenceCheck | None] = list(answer.sentences)
    if len(checks) != sum(len(sentences) for sentences in per_line):
        checks = [None] * sum(len(sentences) for sentences in per_line)  # not from this text
    blocks: list[str] = []
    bullets: list[str] = []
    index = 0
    for line, sentences in zip(lines, per_line, strict=True):
        rendered = []
        for sentence in sentences:
            check = checks[index]
            index += 1
            bare = re.sub(r"^\s*[-*•]\s+", "", sentence)
            text = _with_markers(bare, citations, prefix)
            if check is not None and not check.supported:
                text = (
                    f'<span class="flag" title="{esc(_flag_note(check))}">{text}</span>'
                    f'<span class="flag-note">⚠ {esc(_flag_note(check))}</span>'
                )
            rendered.append(text)
        if re.match(r"^\s*[-*•]\s+", line):
            bullets.append(f"<li>{' '.join(rendered)}</li>")
            continue
        if bullets:
            blocks.append(f"<ul>{''.join(bullets)}</ul>")
            bullets = []
        blocks.append(f"<p>{' '.join(rendered)}</p>")
    if bullets:
        blocks.append(f"<ul>{''.join(bullets)}</ul>")
    return "".join(blocks)


def answer_html(answer: Answer, papers: Mapping[str, Paper], prefix: str) -> str:
    """A finished answer: notice, text, its sources (cards), or an abstention with pointers."""
    parts = []
    if answer.notice:
        parts.append(f'<div class="notice">{esc(answer.notice)}</div>')
    if note := answer.removal_note():
        parts.append(f'<div class="notice">{esc(note)}</div>')
    if answer.abstained:
        parts.append('<div class="abstained"><div class="label">Not covered by your library</div>')
        parts.append(f"<p>{esc(answer.answer)}</p></div>")
        if answer.evidence:
            parts.append(
                '<div class="sources"><div class="sources-title">Nearest papers (pointers only)</div>'
            )
            for item in answer.evidence[:3]:
                paper = papers.get(item.paper_id)
                parts.append(
                    paper_card(
                        title=item.title,
                        element_id=f"{prefix}-e{item.rank}",
                        paper=paper,
                        year=item.year,
                        sentence=item.sentence,
                    )
                )
            parts.append("</div>")
    else:
        parts.append(f'<div class="answer-text">{answer_text(answer, prefix)}</div>')
        parts.append('<div class="sources"><div class="sources-title">Sources</div>')
        for citation in answer.citations:
            parts.append(
                paper_card(
                    title=citation.title,
                    element_id=f"{prefix}-c{citation.marker}",
                    badge=f"[{citation.marker}]",
                    paper=papers.get(citation.paper_id),
                    year=citation.year,
                    venue=citation.venue,
                    url=citation.url,
                    sentence=citation.sentence,
                    span=citation.span,
                )
            )
        parts.append("</div>")
    seconds = answer.timings.get("total_ms", 0.0) / 1000
    parts.append(
        f'<div class="footnote">{esc(answer.generator)} · evidence strength '
        f"{answer.evidence_strength:.2f} · {seconds:.1f} s</div>"
    )
    return "".join(parts)


def conversation(turns: Sequence[Turn]) -> str:
    """The whole chat, oldest turn first; the last one may still be streaming."""
    if not turns:
        return (
            '<div class="chat empty"><p>Ask a question about your library. Every sentence of the answer '
            "cites a paper; click a marker like <b>[1]</b> to see the paper and the sentence it rests on.</p>"
            "<p>Follow-up questions build on the conversation.</p></div>"
        )
    parts = ['<div class="chat">']
    for number, turn in enumerate(turns, start=1):
        parts.append(f'<div class="turn" id="turn-{number}">')
        parts.append(f'<div class="msg user"><div class="bubble">{esc(turn.question)}</div></div>')
        parts.append('<div class="msg bot"><div class="bubble">')
        if turn.query != turn.question:
            parts.append(f'<div class="query">Searched for: {esc(turn.query)}</div>')
        if turn.error:
            parts.append(error_html(turn.error))
        elif turn.answer is not None:
            parts.append(answer_html(turn.answer, turn.papers, prefix=f"t{number}"))
        else:
            parts.append(f'<div class="streaming">{esc(turn.text)}<span class="cursor">▍</span></div>')
        parts.append("</div></div></div>")
    parts.append("</div>")
    return "".join(parts)


def error_html(message: str) -> str:
    return f'<div class="error">{esc(message)}</div>'


def note_html(message: str) -> str:
    return f'<div class="note">{esc(message)}</div>'


# -- citation lookup ----------------------------------------------------------------------------


def lookup_html(result: LookupResult, papers: Mapping[str, Paper]) -> str:
    if result.matched:
        verdict = '<div class="verdict matched">Most likely sources, best first</div>'
    else:
        verdict = (
            '<div class="verdict">No good match in your library (evidence strength '
            f"{result.evidence_strength:.2f}, below {result.threshold:.2f}). Nearest papers, "
            "as pointers only:</div>"
        )
    parts = [verdict]
    for candidate in result.candidates:
        bib_id = f"bib-{candidate.rank}"
        paper = papers.get(candidate.paper_id)
        head = title_line(
            candidate.title, badge=f"{candidate.rank}.", venue=candidate.venue, year=candidate.year
        )
        parts.append(
            f'<div class="candidate" id="cand-{candidate.rank}"><div class="cand-head">{head}'
            f'<span class="score">score {candidate.score:.2f} · sentence similarity '
            f"{candidate.sentence_score:.2f}</span></div>"
            f'<blockquote class="support">{esc(candidate.sentence)}</blockquote>'
            '<details class="paper"><summary>Abstract</summary>'
            + paper_body(paper, url=candidate.url, sentence=candidate.sentence, span=candidate.span)
            + "</details>"
            f'<div class="bib"><div class="bib-head"><code>\\cite{{{esc(candidate.key)}}}</code>'
            f'<button type="button" class="copy" data-target="{bib_id}">Copy BibTeX</button></div>'
            f'<pre id="{bib_id}">{esc(candidate.bibtex)}</pre></div></div>'
        )
    return "".join(parts)


# -- related work -------------------------------------------------------------------------------

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def markdown_html(text: str) -> str:
    """The small Markdown subset of a draft (paragraphs, line breaks, bold, italics), as HTML.

    The text is escaped first, so only the tags added here can appear."""
    blocks = []
    for block in re.split(r"\n{2,}", text.strip()):
        inner = _ITALIC.sub(r"<em>\1</em>", _BOLD.sub(r"<strong>\1</strong>", esc(block)))
        blocks.append("<p>" + inner.replace("\n", "<br>") + "</p>")
    return "".join(blocks)


def draft_html(draft: Draft) -> str:
    if draft.notice:
        return '<div class="abstained"><div class="label">Not covered by your library</div>' + (
            f"<p>{esc(draft.notice)}</p></div>"
        )
    return f'<div class="draft">{markdown_html(draft.markdown())}</div>'


# -- the library --------------------------------------------------------------------------------


def library_stats(papers: Sequence[Paper], shown: int) -> str:
    if not papers:
        return note_html("The library is empty: add papers below, or run `litrev ingest`.")
    years = [paper.year for paper in papers if paper.year]
    span = (
        ""
        if not years
        else f" · years {min(years)}" + (f"\u2013{max(years)}" if max(years) > min(years) else "")
    )
    sources: dict[str, int] = {}
    for paper in papers:
        sources[paper.source or "unknown"] = sources.get(paper.source or "unknown", 0) + 1
    listed = ", ".join(f"{esc(name)} ({count})" for name, count in sorted(sources.items()))
    return (
        f'<div class="stats"><b>{len(papers)}</b> papers{esc(span)} · sources: {listed} · '
        f"<b>{shown}</b> match the filters</div>"
    )


def papers_table(papers: Sequence[Paper], limit: int) -> str:
    if not papers:
        return note_html("No paper matches these filters.")
    rows = []
    for paper in papers[:limit]:
        abstract = (
            f"<details><summary>{esc(paper.title)}</summary>"
            f'<p class="abstract">{esc(paper.abstract)}</p></details>'
        )
        rows.append(
            f"<tr><td>{abstract}</td><td>{esc(authors_line(paper.authors))}</td>"
            f"<td>{esc(paper.year or '')}</td><td>{esc(paper.venue or '')}</td>"
            f"<td>{esc(paper.source or '')}</td></tr>"
        )
    more = (
        note_html(f"Showing the first {limit} of {len(papers)}; narrow the search to see others.")
        if len(papers) > limit
        else ""
    )
    return (
        '<table class="papers"><thead><tr><th>Title (click for the abstract)</th><th>Authors</th>'
        "<th>Year</th><th>Venue</th><th>Source</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + more
    )


def ingest_html(report: IngestReport, added: Iterable[str]) -> str:
    added = list(added)
    counts = [
        ("added", report.added, "new papers, now searchable"),
        ("updated", report.updated, "already in the library with different content; replaced"),
        ("skipped: unchanged", report.unchanged, "already in the library as they are"),
        ("skipped: duplicates", report.duplicates, "the same title appeared more than once"),
        ("rejected", len(report.problems), "records that could not be read (reasons below)"),
    ]
    rows = "".join(
        f'<tr class="{esc(name.split(":")[0])}"><th>{esc(name)}</th><td>{count}</td><td>{esc(why)}</td></tr>'
        for name, count, why in counts
    )
    parts = [
        f'<div class="report"><p class="summary">{esc(report.summary)}</p>',
        f'<table class="counts">{rows}</table>',
    ]
    if added:
        titles = "".join(f"<li>{esc(title)}</li>" for title in added[:LISTED_ADDED])
        more = f"<li>… and {len(added) - LISTED_ADDED} more</li>" if len(added) > LISTED_ADDED else ""
        parts.append(f'<div class="added"><b>Added</b><ul>{titles}{more}</ul></div>')
    if report.problems:
        items = "".join(
            f"<li><code>{esc(Path(problem.path).name)}"
            f"{esc(f':{problem.line}' if problem.line is not None else '')}</code> {esc(problem.reason)}</li>"
            for problem in report.problems
        )
        parts.append(f'<div class="rejected"><b>Rejected</b><ul>{items}</ul></div>')
    parts.append("</div>")
    return "".join(parts)


# -- behaviour and style of the markup above ----------------------------------------------------

SCRIPT = """
element.addEventListener('click', (event) => {
  const marker = event.target.closest('button.cite');
  if (marker) {
    const card = element.querySelector('[id="' + marker.dataset.target + '"]');
    if (card) {
      card.open = true;
      card.classList.remove('flash');
      void card.offsetWidth;
      card.classList.add('flash');
      card.scrollIntoView({block: 'nearest', behavior: 'smooth'});
    }
    return;
  }
  const copy = event.target.closest('button.copy');
  if (copy) {
    const source = element.querySelector('[id="' + copy.dataset.target + '"]');
    if (source && navigator.clipboard) {
      navigator.clipboard.writeText(source.textContent).then(() => {
        copy.textContent = 'Copied';
        setTimeout(() => { copy.textContent = 'Copy BibTeX'; }, 1500);
      });
    }
  }
});
"""

CSS = """
& { font-size: var(--text-md); line-height: 1.5; color: var(--body-text-color); }
& .chat { display: flex; flex-direction: column; gap: 14px; padding: 4px 2px; }
& .chat.empty { color: var(--body-text-color-subdued); padding: 24px 8px; }
& .turn { display: flex; flex-direction: column; gap: 8px; }
& .msg { display: flex; }
& .msg.user { justify-content: flex-end; }
& .msg .bubble { border-radius: 10px; padding: 10px 14px; max-width: 92%; }
& .msg.user .bubble { background: var(--color-accent-soft); border: 1px solid var(--border-color-accent); }
& .msg.bot .bubble { background: var(--background-fill-secondary);
  border: 1px solid var(--border-color-primary); width: 92%; }
& .query { font-size: var(--text-sm); color: var(--body-text-color-subdued); margin-bottom: 6px; }
& .streaming { white-space: pre-wrap; }
& .cursor { opacity: .6; }
& .answer-text ul { margin: 0 0 0 1.2em; padding: 0; }
& .answer-text li { margin: 2px 0; }
& .answer-text p { margin: 4px 0; }
& button.cite { border: none; background: none; padding: 0 1px; margin: 0; cursor: pointer;
  color: var(--color-accent); font-weight: 600; font-size: inherit; }
& button.cite:hover { text-decoration: underline; }
& .flag { background: rgba(234, 179, 8, .18); border-bottom: 2px dotted #ca8a04; }
& .flag-note { font-size: var(--text-sm); color: #a16207; margin-left: 4px; }
& .notice, & .note { font-size: var(--text-sm); padding: 6px 10px; border-radius: 6px; margin: 4px 0 8px;
  background: var(--background-fill-primary); border-left: 3px solid var(--color-accent); }
& .error { padding: 8px 12px; border-radius: 6px; border-left: 3px solid #dc2626;
  background: rgba(220, 38, 38, .08); }
& .abstained { border-left: 3px solid #ca8a04; padding: 4px 12px; background: rgba(234, 179, 8, .08);
  border-radius: 6px; }
& .abstained .label, & .verdict { font-weight: 600; }
& .verdict { margin: 4px 0 10px; }
& .sources { margin-top: 10px; }
& .sources-title { font-size: var(--text-sm); font-weight: 600; color: var(--body-text-color-subdued);
  text-transform: uppercase; letter-spacing: .04em; margin-bottom: 4px; }
& details.paper { border: 1px solid var(--border-color-primary); border-radius: 8px; margin: 6px 0;
  background: var(--background-fill-primary); transition: box-shadow .3s; }
& details.paper.flash { box-shadow: 0 0 0 3px var(--color-accent-soft), 0 0 0 1px var(--color-accent); }
& details.paper > summary { cursor: pointer; padding: 6px 10px; list-style-position: inside;
  font-weight: normal; }
& details.paper .badge { font-weight: 600; color: var(--color-accent); margin-right: 6px; }
& details.paper .title { font-weight: 600; }
& details.paper .meta { color: var(--body-text-color-subdued); margin-left: 8px; font-size: var(--text-sm); }
& .paper-body { padding: 0 12px 8px; }
& .paper-body p { margin: 4px 0; }
& .authors { color: var(--body-text-color-subdued); font-size: var(--text-sm); }
& .abstract { white-space: pre-wrap; }
& mark { background: rgba(250, 204, 21, .45); color: inherit; padding: 0 1px; border-radius: 2px; }
& .footnote { margin-top: 8px; font-size: var(--text-xs); color: var(--body-text-color-subdued); }
& .candidate { margin-bottom: 12px; padding: 10px 12px; border-radius: 8px;
  border: 1px solid var(--border-color-primary); }
& .cand-head .badge { font-weight: 600; color: var(--color-accent); margin-right: 6px; }
& .cand-head .title { font-weight: 600; }
& .cand-head .meta, & .cand-head .score { color: var(--body-text-color-subdued); margin-left: 8px;
  font-size: var(--text-sm); }
& .candidate details.paper { margin: 4px 0; }
& blockquote.support { margin: 4px 0; padding: 4px 10px; border-left: 3px solid var(--color-accent); }
& .bib { margin-top: 6px; }
& .bib-head { display: flex; align-items: center; gap: 10px; font-size: var(--text-sm); }
& .bib pre { white-space: pre-wrap; font-size: var(--text-sm); padding: 8px;
  background: var(--background-fill-secondary); border-radius: 6px; user-select: all; }
& button.copy { font-size: var(--text-sm); padding: 2px 8px; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary); }
& .draft p { margin: 0 0 12px; }
& .stats { padding: 4px 0; }
& table.papers { width: 100%; border-collapse: collapse; font-size: var(--text-sm); }
& table.papers, & table.papers tr { border: none; }
& table.papers th, & table.papers td { text-align: left; vertical-align: top; padding: 5px 8px;
  border: none; border-bottom: 1px solid var(--border-color-primary); }
& table.papers summary { cursor: pointer; font-weight: 500; }
& table.papers td:first-child { width: 52%; }
& .report { font-size: var(--text-sm); }
& .report p.summary { margin: 0 0 6px; }
& .report table.counts, & .report table.counts tr { border: none; margin: 0 0 6px; }
& .report table.counts th, & .report table.counts td { border: none; padding: 1px 12px 1px 0;
  font-size: var(--text-sm); text-align: left; }
& .report table.counts th { font-weight: 600; white-space: nowrap; }
& .report table.counts td:nth-child(3) { color: var(--body-text-color-subdued); }
& .report tr.rejected th { color: #b91c1c; }
& .report tr.added th { color: #15803d; }
& .report ul { margin: 2px 0 6px 1.2em; }
& .report li { margin: 0; }
"""
