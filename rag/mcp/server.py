"""``litrev mcp``: the library as Model Context Protocol tools, served over stdio.

Assistants that speak MCP (Claude Desktop, Cursor, VS Code, Zed) start ``litrev mcp`` and call:

- ``search_papers``: rank papers for a query, with the best-matching sentence of each;
- ``ask_library``: a cited answer, held to the citation check, or an abstention;
- ``find_citation``: the papers a claim most likely cites, each with its supporting sentence
  and BibTeX;
- ``draft_related_work``: a themed related-work draft, every sentence cited, and its BibTeX;
- ``check_citations``: a manuscript's citations checked against the cited abstracts, with
  suggestions for unsupported sentences (:mod:`rag.check.verdicts`);
- ``get_paper``: one paper's metadata, abstract and BibTeX, by id or citation key;
- ``add_papers`` (only with ``--allow-ingest DIR``): index files under the named directories.

The server is read-only unless ``--allow-ingest`` names directories, and then only paths inside
them are read: a named path and every file found in a named folder are resolved (links followed)
and checked, and only regular files are opened (:mod:`rag.sources.readers.files`). Each tool returns
structured content (its output schema is published) and the same result as readable text; our
errors, and arguments that do not fit a tool's schema, come back as tool errors of one line. A
sentence a tool quotes from a paper's PDF (search rows, citations and evidence, lookup candidates,
the check's evidence and suggestions) carries its ``page`` and ``section``; both are null for a
sentence of an abstract.
Built on the official ``mcp`` SDK (:class:`mcp.server.mcpserver.MCPServer`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.types import CallToolResult, InputRequiredResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field, ValidationError

from rag.answers.answer import Answer, answer, evidence_items
from rag.answers.record import place
from rag.check.report import CheckReport
from rag.cite import bibtex
from rag.cite.lookup import LookupResult, lookup
from rag.errors import LitrevError
from rag.index.library import Library
from rag.related_work import draft_related_work
from rag.retrieval.retrieve import Filters, search
from rag.sources.body_text import PAGE_DESCRIPTION
from rag.sources.corpus import Paper, ReadOptions

READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)


class PaperRecord(BaseModel):
    paper_id: str
    key: str = Field(description="Citation key, the same as in `litrev cite` and drafts.")
    title: str
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    venue: str | None = None
    url: str | None = None
    doi: str | None = None
    arxiv_id: str | None = None
    abstract: str
    bibtex: str


class SearchRow(BaseModel):
    rank: int
    paper_id: str
    key: str
    title: str
    year: int | None = None
    score: float
    sentence: str = Field(description="The sentence of its abstract or PDF that matched the query best.")
    page: int | None = Field(default=None, description=PAGE_DESCRIPTION)
    section: str | None = Field(
        default=None, description="The heading of the sentence's section in the PDF (None: the abstract)."
    )


class SearchResults(BaseModel):
    query: str
    results: list[SearchRow]


class CitedPaper(BaseModel):
    marker: int | None = Field(default=None, description="The [n] the Markdown draft uses, if any.")
    paper_id: str
    key: str
    title: str
    year: int | None = None


class RelatedWork(BaseModel):
    covered: bool = Field(description="False: the library does not cover the description (see notice).")
    notice: str | None = None
    generator: str = Field(description="Who wrote the paragraphs: extractive or the model's name.")
    fallback: str | None = Field(default=None, description="Why a model's draft was replaced, if so.")
    markdown: str
    latex: str
    bibtex: str = Field(description="BibTeX entries of exactly the cited papers.")
    cited: list[CitedPaper]


class Added(BaseModel):
    summary: str
    added: int
    updated: int
    unchanged: int
    rejected: list[str] = Field(description="Records that could not be read, one line each.")
    total_papers: int


def _result(model: BaseModel, text: str) -> CallToolResult:
    """Structured content (the model) plus readable text for the assistant."""
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=model.model_dump(mode="json"),
    )


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """Our errors become tool errors with their own message; anything else stays a crash."""
    try:
        yield
    except LitrevError as error:
        raise ToolError(str(error)) from None


def _argument_errors(tool: str, error: ValidationError) -> str:
    """pydantic's report on a tool's arguments as one line: each argument, what it must be, and
    what arrived (not pydantic's own multi-line text and link)."""
    parts = []
    for problem in error.errors(include_url=False):
        name = ".".join(str(part) for part in problem["loc"]) or "arguments"
        text = f"{name}: {problem['msg'][:1].lower()}{problem['msg'][1:]}"
        if problem["type"] != "missing":
            text += f", got {repr(problem['input'])[:40]}"
        parts.append(text)
    return f"{tool}: invalid arguments: {'; '.join(parts)}"


class _Server(MCPServer):
    """The SDK's server, with argument errors told in one line."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as error:
            if not isinstance(error, UnexpectedToolError) and isinstance(error.__cause__, ValidationError):
                raise ToolError(_argument_errors(name, error.__cause__)) from error.__cause__
            raise


def _record(paper: Paper, key: str) -> PaperRecord:
    return PaperRecord(
        paper_id=paper.id,
        key=key,
        title=paper.title,
        authors=list(paper.authors),
        year=paper.year,
        venue=paper.venue,
        url=paper.url,
        doi=paper.doi,
        arxiv_id=paper.arxiv_id,
        abstract=paper.abstract,
        bibtex=bibtex.entry(paper, key),
    )


def allowed_path(path: str, allowed: Sequence[Path]) -> Path:
    """``path`` resolved (links followed), if it lies inside one of ``allowed``; else an error."""
    resolved = Path(path).expanduser().resolve()
    if not any(resolved.is_relative_to(root) for root in allowed):
        roots = ", ".join(str(root) for root in allowed)
        raise LitrevError(f"{path} is outside the directories litrev may read ({roots})")
    if not resolved.exists():
        raise LitrevError(f"{path} does not exist")
    return resolved


def create_server(library: Library, *, allow_ingest: Sequence[Path] = ()) -> MCPServer:
    """The MCP server over ``library``; ``allow_ingest`` names the directories ``add_papers`` may read."""
    server: MCPServer = _Server(
        name="litrev",
        instructions=(
            "litrev searches the user's own library of papers: their abstracts, and the full text "
            "of those whose PDF it holds (a sentence from a PDF comes with its page and section). "
            "Cite only what its tools return; ask_library and draft_related_work say plainly when "
            "the library does not cover a topic."
        ),
    )
    roots = [Path(root).expanduser().resolve() for root in allow_ingest]

    def keys() -> dict[str, str]:
        return bibtex.assign_keys(library.store.iter_papers())

    def tool(description: str, name: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return server.tool(name=name, description=description, annotations=READ_ONLY)

    @tool(
        "Rank the library's papers for a query (hybrid dense + keyword search), each with the "
        "sentence that matched best: of its abstract, or of its PDF's body with that sentence's "
        "page and section (page and section are null for an abstract sentence)."
    )
    def search_papers(
        query: Annotated[str, Field(description="What to look for, in plain words.")],
        k: Annotated[int, Field(description="How many papers to return.", ge=1, le=50)] = 10,
        year_from: Annotated[int | None, Field(description="Only papers from this year on.")] = None,
        year_to: Annotated[int | None, Field(description="Only papers up to this year.")] = None,
    ) -> Annotated[CallToolResult, SearchResults]:
        with _one_line_errors():
            result = search(
                query, library=library, k=k, filters=Filters(year_from=year_from, year_to=year_to)
            )
            all_keys = keys()
            rows = [
                SearchRow(
                    **item.model_dump(
                        include={"rank", "paper_id", "title", "year", "score", "sentence", "page", "section"}
                    ),
                    key=all_keys[item.paper_id],
                )
                for item in evidence_items(result.hits)
            ]
        text = "\n".join(
            f"{row.rank}. [{row.key}] {row.title} ({row.year}): {row.sentence}"
            + (f" ({where})" if (where := place(row.page, row.section)) else "")
            for row in rows
        )
        return _result(SearchResults(query=query, results=rows), text or "No papers matched.")

    @tool(
        "Answer a question from the library with cited sentences, each checked against the paper it "
        "cites (its abstract, and its PDF's passages when the library holds its PDF), or abstain when "
        "the library does not cover the question. A citation whose sentence is from a PDF carries its "
        "page and section (the answer's marker reads [n, p. 5]); evidence rows carry them too; both "
        "are null for a sentence of an abstract."
    )
    def ask_library(
        question: Annotated[str, Field(description="The question, in plain words.")],
    ) -> Annotated[CallToolResult, Answer]:
        with _one_line_errors():
            result = answer(question, library=library)
        text = result.answer if result.abstained else f"{result.answer}\n\nReferences\n{result.references()}"
        if result.notice:
            text = f"Note: {result.notice}\n\n{text}"
        return _result(result, text)

    @tool(
        "Find the papers of the library a claim most likely cites: each with the sentence that "
        "supports it (of its abstract, or of its PDF's body, then with its page and section; null "
        "for an abstract sentence) and a BibTeX entry."
    )
    def find_citation(
        claim: Annotated[str, Field(description="The sentence or claim that needs a citation.")],
        k: Annotated[int, Field(description="How many candidate papers to return.", ge=1, le=20)] = 5,
    ) -> Annotated[CallToolResult, LookupResult]:
        with _one_line_errors():
            result = lookup(claim, library=library, k=k, keys=keys())
        return _result(result, result.summary())

    @tool(
        "Draft a related-work section for a paper description from the library: paragraphs by "
        "theme, every sentence cited, with the BibTeX of exactly the cited papers.",
        name="draft_related_work",
    )
    def draft_tool(
        description: Annotated[str, Field(description="What the paper does: problem, method, claims.")],
        n_papers: Annotated[int | None, Field(description="At most this many papers.", ge=1, le=60)] = None,
    ) -> Annotated[CallToolResult, RelatedWork]:
        with _one_line_errors():
            draft = draft_related_work(description, library=library, n_papers=n_papers, keys=keys())
        markers = draft.markers()
        cited = [
            CitedPaper(
                marker=markers.get(paper.id),
                paper_id=paper.id,
                key=draft.keys[paper.id],
                title=paper.title,
                year=paper.year,
            )
            for paper in draft.cited
        ]
        result = RelatedWork(
            covered=draft.notice is None,
            notice=draft.notice,
            generator=draft.generator,
            fallback=draft.fallback,
            markdown=draft.markdown(),
            latex=draft.latex(),
            bibtex=draft.bibtex(),
            cited=cited,
        )
        return _result(result, draft.markdown())

    @tool(
        "Check a manuscript's citations against the library: for each cited key, does the cited "
        "paper (its abstract, and its PDF when the library holds it) support its sentence, or the "
        "part of it where the citation stands (then given as its claim)? Suggests "
        "library papers for unsupported sentences. A citation's evidence, or a suggestion's "
        "sentence, from a PDF carries its page and section (null for an abstract sentence)."
    )
    def check_citations(
        text: Annotated[str, Field(description="The manuscript (or a section of it), as text.")],
        format: Annotated[
            Literal["latex", "markdown"],
            Field(description="latex (\\cite{key}) or markdown (pandoc [@key] citations)."),
        ] = "latex",
        bib: Annotated[str | None, Field(description="The .bib file's text, if any.")] = None,
    ) -> Annotated[CallToolResult, CheckReport]:
        from rag.check.verdicts import check_file

        with _one_line_errors(), tempfile.TemporaryDirectory(prefix="litrev-check-") as folder:
            draft = Path(folder) / ("draft.tex" if format == "latex" else "draft.md")
            draft.write_text(text, encoding="utf-8")
            bib_path = Path(folder) / "refs.bib" if bib else None
            if bib_path is not None:
                bib_path.write_text(bib or "", encoding="utf-8")
            report = check_file(draft, bib_path, library=library)
        return _result(report, report.text())

    @tool("One paper's metadata, abstract and BibTeX entry, by paper id or citation key.")
    def get_paper(
        id_or_key: Annotated[str, Field(description="A paper_id or citation key from another tool.")],
    ) -> Annotated[CallToolResult, PaperRecord]:
        with _one_line_errors():
            all_keys = keys()
            by_key = {key: paper_id for paper_id, key in all_keys.items()}
            paper_id = id_or_key if id_or_key in all_keys else by_key.get(id_or_key)
            found = library.store.get_papers([paper_id]) if paper_id else {}
            if paper_id not in found:
                raise LitrevError(f"no paper with id or key {id_or_key!r} in the library")
        record = _record(found[paper_id], all_keys[paper_id])
        text = f"{record.title} ({record.year})\n\n{record.abstract}\n\n{record.bibtex}"
        return _result(record, text)

    if roots:

        def add_papers(
            paths: Annotated[
                list[str],
                Field(
                    description="Files or folders (.txt .jsonl .csv .bib .ris; .pdf for full text) to index.",
                    min_length=1,
                ),
            ],
        ) -> Annotated[CallToolResult, Added]:
            from rag.index.ingest import ingest

            with _one_line_errors():
                sources = [allowed_path(path, roots) for path in paths]
                report = ingest(sources, library=library, options=ReadOptions(roots=tuple(roots)))
                library.refresh_lexical()
            added = Added(
                summary=report.summary,
                added=report.added,
                updated=report.updated,
                unchanged=report.unchanged,
                rejected=[str(problem) for problem in report.problems],
                total_papers=report.total_papers,
            )
            return _result(added, "\n".join([report.summary, *added.rejected]))

        where = ", ".join(str(root) for root in roots)
        server.add_tool(
            add_papers,
            description=f"Index paper files into the library. Only paths under these directories: {where}.",
            annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False),
        )
    return server


def serve(library: Library, *, allow_ingest: Sequence[Path] = ()) -> None:
    """Serve ``library`` over stdio until the client closes the connection."""
    for root in allow_ingest:
        if not Path(root).expanduser().is_dir():
            raise LitrevError(f"--allow-ingest {root}: not a directory")
    create_server(library, allow_ingest=allow_ingest).run("stdio")
