"""``litrev mcp`` as a real subprocess, driven by the mcp SDK's own stdio client, on a small library."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.from_thread import start_blocking_portal
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.types import CallToolResult

from rag.grounding.citations import markers_in
from rag.index.embedding import Embedder
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.settings import Settings
from tests.helpers import BUNDLED, ROOT

TOPIC = ("Speculative", "Draft", "Medusa", "EAGLE", "Parallel Decoding")
QUESTION = "Which papers accelerate LLM inference with speculative decoding?"
DESCRIPTION = (
    "We propose a lightweight draft head on top of the target LLM that predicts several future "
    "tokens at once, verified in one pass with tree attention, for lossless speculative decoding."
)


@pytest.fixture(scope="module")
def small_library(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[Path, Path]:
    """The bundled corpus's speculative-decoding papers plus ten others; and one more paper to add."""
    root = tmp_path_factory.mktemp("mcp")
    lines = BUNDLED.read_text(encoding="utf-8").splitlines()
    on_topic = [line for line in lines if any(word in json.loads(line)["title"] for word in TOPIC)]
    others = [line for line in lines if line not in on_topic]
    (root / "library.jsonl").write_text("\n".join(on_topic + others[:10]) + "\n", encoding="utf-8")
    inbox = root / "inbox"
    inbox.mkdir()
    (inbox / "new.jsonl").write_text(others[-1] + "\n", encoding="utf-8")
    home = root / "home"
    ingest([root / "library.jsonl"], library=Library(Settings(home=home), embedder=embedder))
    return home, inbox


@contextlib.asynccontextmanager
async def connected(home: Path, args: list[str]) -> AsyncIterator[ClientSession]:
    """``litrev mcp ARGS`` started through the console script's entry point, and a session on it."""
    env = {
        **os.environ,
        "LITREV_HOME": str(home),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    params = StdioServerParameters(
        command=sys.executable,
        args=["-c", "from rag.cli.commands import main; main()", "mcp", *args],
        env=env,
    )
    with open(os.devnull, "w") as quiet:
        async with stdio_client(params, errlog=quiet) as (read, write), ClientSession(read, write) as session:
            await session.initialize()
            yield session


def run_client(home: Path, args: list[str], scenario: Callable[[ClientSession], Awaitable[Any]]) -> Any:
    """Start ``litrev mcp ARGS``, run ``scenario`` against it, and stop it."""

    async def main() -> Any:
        async with connected(home, args) as session:
            return await scenario(session)

    return anyio.run(main)


Server = Callable[[Callable[[ClientSession], Awaitable[Any]]], Any]


@pytest.fixture(scope="module")
def read_only(small_library: tuple[Path, Path]) -> Iterator[Server]:
    """One ``litrev mcp`` (no ingest allowed) on the small library for the module's tests that
    only read: ``read_only(scenario)`` runs a scenario against it."""
    home, _ = small_library
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(connected(home, [])) as session:
        yield lambda scenario: portal.call(scenario, session)


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.content and result.content[0].type == "text" and result.content[0].text.strip()
    assert result.structured_content is not None
    return result.structured_content


def error_text(result: CallToolResult) -> str:
    assert result.is_error
    return "\n".join(block.text for block in result.content if block.type == "text")


def test_every_tool_answers_from_the_library(small_library: tuple[Path, Path], read_only: Server) -> None:
    home, _ = small_library
    library_ids = {paper.id for paper in Library(Settings(home=home)).store.iter_papers()}

    async def scenario(session: ClientSession) -> dict[str, Any]:
        listed = (await session.list_tools()).tools
        calls: dict[str, Any] = {"tools": listed}
        found = structured(
            await session.call_tool("search_papers", {"query": "speculative decoding", "k": 5})
        )
        calls["search"] = found
        calls["paper"] = structured(
            await session.call_tool("get_paper", {"id_or_key": found["results"][0]["key"]})
        )
        calls["missing"] = await session.call_tool("get_paper", {"id_or_key": "nobody2099nothing"})
        calls["answer"] = structured(await session.call_tool("ask_library", {"question": QUESTION}))
        calls["off_topic"] = structured(
            await session.call_tool("ask_library", {"question": "What is the best sourdough bread recipe?"})
        )
        claim = calls["paper"]["abstract"].split(". ")[0]
        calls["claim"] = claim
        calls["citation"] = structured(await session.call_tool("find_citation", {"claim": claim, "k": 3}))
        calls["draft"] = structured(
            await session.call_tool("draft_related_work", {"description": DESCRIPTION, "n_papers": 8})
        )
        key = found["results"][0]["key"]
        manuscript = (
            f"{claim} \\cite{{{key}}}.\n\nBananas decode faster than any model \\cite{{nobody2099}}.\n"
        )
        calls["check"] = structured(await session.call_tool("check_citations", {"text": manuscript}))
        calls["empty"] = await session.call_tool("find_citation", {"claim": "  "})
        return calls

    calls = read_only(scenario)

    tools = {tool.name: tool for tool in calls["tools"]}
    assert set(tools) == {
        "search_papers",
        "ask_library",
        "find_citation",
        "draft_related_work",
        "check_citations",
        "get_paper",
    }
    for tool in tools.values():  # typed and described inputs, a published output schema
        assert tool.description and tool.output_schema
        properties = tool.input_schema["properties"]
        assert properties and all(spec.get("description") for spec in properties.values())

    rows = calls["search"]["results"]
    assert len(rows) == 5 and {row["paper_id"] for row in rows} <= library_ids
    assert any("Speculative" in row["title"] for row in rows)
    paper = calls["paper"]
    assert paper["paper_id"] == rows[0]["paper_id"] and paper["title"] == rows[0]["title"]
    assert paper["bibtex"].startswith("@") and f"{{{rows[0]['key']}," in paper["bibtex"]
    assert "no paper with id or key 'nobody2099nothing'" in error_text(calls["missing"])

    answered = calls["answer"]
    assert not answered["abstained"] and answered["citations"]
    by_marker = {citation["marker"]: citation for citation in answered["citations"]}
    assert set(markers_in(answered["answer"])) == set(by_marker)  # every marker resolves
    assert {citation["paper_id"] for citation in answered["citations"]} <= library_ids
    assert calls["off_topic"]["abstained"] and "does not cover" in calls["off_topic"]["answer"]

    citation = calls["citation"]
    assert citation["matched"] and citation["candidates"][0]["paper_id"] == paper["paper_id"]
    assert calls["claim"] in citation["candidates"][0]["sentence"]
    assert citation["candidates"][0]["bibtex"].startswith("@")

    draft = calls["draft"]
    assert draft["covered"] and draft["generator"] == "extractive" and 1 <= len(draft["cited"]) <= 8
    assert {paper["paper_id"] for paper in draft["cited"]} <= library_ids
    body = draft["markdown"].split("**References**")[0]
    assert set(markers_in(body)) == {paper["marker"] for paper in draft["cited"]}
    assert draft["bibtex"].count("\n@") + 1 == len(draft["cited"])
    assert "the claim to look up is empty" in error_text(calls["empty"])

    verdicts = {c["key"]: c["verdict"] for s in calls["check"]["sentences"] for c in s["citations"]}
    assert verdicts == {rows[0]["key"]: "supported", "nobody2099": "not_in_library"}
    assert any("nobody2099" in problem["message"] for problem in calls["check"]["problems"])


def test_add_papers_reads_only_the_allowed_directories(
    small_library: tuple[Path, Path], read_only: Server, tmp_path: Path
) -> None:
    home, inbox = small_library
    outside = tmp_path / "outside.jsonl"
    outside.write_text((inbox / "new.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    sneaky = inbox / "link.jsonl"
    sneaky.symlink_to(outside)  # inside by name, outside once resolved
    title = json.loads((inbox / "new.jsonl").read_text(encoding="utf-8"))["title"]
    before = Library(Settings(home=home)).store.paper_count()

    async def tool_names(session: ClientSession) -> set[str]:
        return {tool.name for tool in (await session.list_tools()).tools}

    assert "add_papers" not in read_only(tool_names)

    async def scenario(session: ClientSession) -> dict[str, Any]:
        return {
            "outside": await session.call_tool("add_papers", {"paths": [str(outside)]}),
            "link": await session.call_tool("add_papers", {"paths": [str(sneaky)]}),
            "dotdot": await session.call_tool("add_papers", {"paths": [str(inbox / ".." / "library.jsonl")]}),
            "inside": structured(
                await session.call_tool("add_papers", {"paths": [str(inbox / "new.jsonl")]})
            ),
            "found": structured(await session.call_tool("search_papers", {"query": title, "k": 1})),
        }

    calls = run_client(home, ["--allow-ingest", str(inbox)], scenario)

    for name in ("outside", "link", "dotdot"):
        assert "is outside the directories litrev may read" in error_text(calls[name])
    assert calls["inside"]["added"] == 1 and calls["inside"]["total_papers"] == before + 1
    assert calls["found"]["results"][0]["title"] == title


def test_allow_ingest_must_name_a_directory(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rag.cli.commands import app

    result = CliRunner().invoke(app, ["mcp", "--allow-ingest", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: --allow-ingest {tmp_path / 'nowhere'}: not a directory"


def test_add_papers_walks_a_folder_reading_only_regular_files_inside_it(
    small_library: tuple[Path, Path], tmp_path: Path
) -> None:
    home, _ = small_library
    inbox, outside = tmp_path / "drop", tmp_path / "outside"
    inbox.mkdir()
    outside.mkdir()
    paper = {"title": "Tokenizer-Free Speech Recognition With Byte Models", "abstract": "Bytes in. " * 9}
    secret = {"title": "Secret Outside Paper On Zebra Migration", "abstract": "Zebras migrate far. " * 8}
    (inbox / "good.jsonl").write_text(json.dumps(paper) + "\n", encoding="utf-8")
    (outside / "secret.jsonl").write_text(json.dumps(secret) + "\n", encoding="utf-8")
    (inbox / "x.jsonl").symlink_to(Path("..") / "outside" / "secret.jsonl")
    (inbox / "passwd.txt").symlink_to("/etc/passwd")
    (inbox / "environ.txt").symlink_to("/proc/self/environ")
    os.mkfifo(inbox / "pipe.jsonl")
    before = {p.title for p in Library(Settings(home=home)).store.iter_papers()}

    async def scenario(session: ClientSession) -> dict[str, Any]:
        with anyio.fail_after(240):  # a read that hangs on the pipe fails here
            added = await session.call_tool("add_papers", {"paths": [str(inbox)]})
            secret = await session.call_tool("search_papers", {"query": "zebra migration"})
            good = await session.call_tool("search_papers", {"query": paper["title"], "k": 1})
            return {"added": structured(added), "secret": structured(secret), "good": structured(good)}

    calls = run_client(home, ["--allow-ingest", str(inbox)], scenario)

    added = calls["added"]
    assert (added["added"], added["total_papers"]) == (1, len(before) + 1)
    assert added["rejected"] == [
        f"{inbox / 'environ.txt'}: resolves outside the directories litrev may read",
        f"{inbox / 'passwd.txt'}: resolves outside the directories litrev may read",
        f"{inbox / 'pipe.jsonl'}: not a regular file but a named pipe (FIFO)",
        f"{inbox / 'x.jsonl'}: resolves outside the directories litrev may read",
    ]
    assert calls["good"]["results"][0]["title"] == paper["title"]
    assert secret["title"] not in {row["title"] for row in calls["secret"]["results"]}
    after = {p.title for p in Library(Settings(home=home)).store.iter_papers()}
    assert after - before == {paper["title"]}


def test_arguments_that_do_not_fit_a_tool_are_one_line(read_only: Server) -> None:
    async def scenario(session: ClientSession) -> list[str]:
        calls = [
            ("search_papers", {"query": "x", "k": 0}),
            ("search_papers", {"k": 3}),
            ("get_paper", {"id_or_key": 5}),
            ("find_citation", {"claim": "x", "k": "many"}),
        ]
        return [error_text(await session.call_tool(name, arguments)) for name, arguments in calls]

    assert read_only(scenario) == [
        "search_papers: invalid arguments: k: input should be greater than or equal to 1, got 0",
        "search_papers: invalid arguments: query: field required",
        "get_paper: invalid arguments: id_or_key: input should be a valid string, got 5",
        "find_citation: invalid arguments: k: input should be a valid integer, unable to parse string as an "
        "integer, got 'many'",
    ]
