"""``litrev mcp`` over full text: search rows, answers, lookups and the check give the page and
section of a sentence from a paper's PDF, and none for a sentence of an abstract; the tools say so.

The real server in its own process, driven by the mcp SDK's stdio client, on the dev papers'
``library.bib`` with TerraCodec's PDF compiled by pdflatex (:mod:`tests.pdf_fixtures`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litrev_eval.fulltext_papers import LIBRARY_BIB
from mcp import ClientSession

from rag.index.embedding import Embedder
from rag.index.library import Library
from tests.homes import share_export
from tests.pdf_fixtures import dev_pdfs, terracodec_library  # noqa: F401
from tests.test_mcp_server import run_client, structured

TERRACODEC = "TerraCodec: Low-Bitrate Speech Coding with Grouped Residual Vector Quantization"
QUESTION = "What learning rate did TerraCodec train with?"
CLAIM = "trained with AdamW at a learning rate of 3e-4 and betas of 0.8 and 0.99"
DRAFT = (
    "TerraCodec is trained with AdamW at a learning rate of 3e-4 \\cite{hollis2024terracodec}.\n\n"
    "Neural speech codecs compress speech into discrete tokens \\cite{hollis2024terracodec}.\n"
)
TRAINING = {"page": 3, "section": "4.2 Training"}


def _where(row: dict[str, Any]) -> dict[str, Any]:
    return {"page": row["page"], "section": row["section"]}


def test_the_tools_give_the_page_and_section_of_a_sentence_from_a_pdf(
    terracodec_library: Library,  # noqa: F811
    embedder: Embedder,
    tmp_path: Path,
) -> None:
    home = terracodec_library.settings.home
    share_export(embedder, home)  # the session's query encoder: the server need not export its own

    async def scenario(session: ClientSession) -> dict[str, Any]:
        search = await session.call_tool("search_papers", {"query": CLAIM, "k": 5})
        return {
            "tools": {tool.name: tool for tool in (await session.list_tools()).tools},
            "search": structured(search),
            "search_text": search.content[0].text,
            "answer": structured(await session.call_tool("ask_library", {"question": QUESTION})),
            "lookup": structured(await session.call_tool("find_citation", {"claim": CLAIM, "k": 3})),
            "check": structured(
                await session.call_tool(
                    "check_citations", {"text": DRAFT, "bib": LIBRARY_BIB.read_text(encoding="utf-8")}
                )
            ),
        }

    calls = run_client(home, ["--allow-ingest", str(tmp_path)], scenario)

    for name in ("search_papers", "ask_library", "find_citation", "check_citations"):
        assert "page and section" in calls["tools"][name].description, name
    paths = calls["tools"]["add_papers"].input_schema["properties"]["paths"]
    assert ".pdf for full text" in paths["description"]
    row_schema = calls["tools"]["search_papers"].output_schema["$defs"]["SearchRow"]["properties"]
    assert {"page", "section"} <= set(row_schema) and row_schema["page"]["description"]

    rows = calls["search"]["results"]
    terracodec = next(row for row in rows if row["title"] == TERRACODEC)
    assert _where(terracodec) == TRAINING and "3e-4" in terracodec["sentence"]
    assert any(row["page"] is None and row["section"] is None for row in rows)  # abstract sentences
    assert f"{terracodec['sentence']} (§4.2 Training, p. 3)" in calls["search_text"]

    answer = calls["answer"]
    cited = next(c for c in answer["citations"] if c["title"] == TERRACODEC)
    assert _where(cited) == TRAINING and "learning rate of 3e-4" in cited["sentence"]
    assert f"[{cited['marker']}, p. 3]" in answer["answer"]
    assert all("page" in row and "section" in row for row in answer["evidence"])

    candidate = next(c for c in calls["lookup"]["candidates"] if c["title"] == TERRACODEC)
    assert _where(candidate) == TRAINING and "3e-4" in candidate["sentence"]

    body, abstract = (sentence["citations"][0] for sentence in calls["check"]["sentences"])
    assert body["verdict"] == "supported" and _where(body) == TRAINING and "3e-4" in body["evidence"]
    assert abstract["verdict"] == "supported" and _where(abstract) == {"page": None, "section": None}
    assert (
        abstract["evidence"]
        in terracodec_library.store.get_papers([abstract["paper_id"]])[abstract["paper_id"]].abstract
    )
