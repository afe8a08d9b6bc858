"""The path of one question through the stages: which packages of ``rag`` an answer enters.

A profile hook records the module of every Python function called while ``answer`` runs on a warm
library. An answer may enter the index, retrieval, the judge, the answer writers, the answer
flow and the sources' sentence spans; never the CLI, the check, citation lookup, related work or
the MCP server, and no more than eight stages in all.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

from rag.answers.answer import answer
from rag.index.library import Library

ALLOWED = {"rag.answers", "rag.grounding", "rag.index", "rag.llm", "rag.retrieval", "rag.sources", "rag"}


def stage(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 else "rag"


def entered(library: Library, question: str) -> set[str]:
    modules: set[str] = set()

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            modules.add(frame.f_globals.get("__name__", ""))

    sys.setprofile(hook)
    try:
        answer(question, library=library)
    finally:
        sys.setprofile(None)
    return {module for module in modules if module == "rag" or module.startswith("rag.")}


def test_one_question_enters_the_answer_stages_only(bundled: Library) -> None:
    answer("What speed-up does EAGLE report?", library=bundled)  # warm: models loaded, spans read
    modules = entered(
        bundled, "How many parameters does the largest open autoregressive image generator have?"
    )
    stages = {stage(module) for module in modules}
    assert {"rag.answers", "rag.grounding", "rag.index", "rag.retrieval"} <= stages  # the hook sees them
    assert stages <= ALLOWED, sorted(stages - ALLOWED)
    assert len(stages) <= 8
