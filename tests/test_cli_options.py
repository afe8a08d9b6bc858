"""The CLI's shared options: choices validated by the CLI library, the LLM options on every
command that can use a model, and the model choice reaching the library."""

from __future__ import annotations

import json
import socket
from typing import get_args

import pytest
from litrev_eval.datasets import TASKS
from typer.testing import CliRunner

from rag.cli.commands import app
from rag.cli.options import Method, Provider, Task
from rag.index.library import Library
from rag.retrieval.retrieve import METHODS
from rag.settings import LLMSettings

runner = CliRunner()

MODEL_COMMANDS = [["ask"], ["search"], ["cite"], ["related-work"], ["mcp"], ["eval"], ["bench", "support"]]


def test_choice_enums_match_what_the_library_accepts() -> None:
    assert {p.value for p in Provider} == set(get_args(LLMSettings.model_fields["provider"].annotation))
    assert {m.value for m in Method} == set(METHODS)
    assert {t.value for t in Task} == set(TASKS)


@pytest.mark.parametrize(
    ("args", "option", "bad"),
    [
        (["ask", "q", "--llm", "gpt"], "--llm", "gpt"),
        (["search", "q", "--method", "fuzzy"], "--method", "fuzzy"),
        (["eval", "d.jsonl", "--task", "poetry"], "--task", "poetry"),
        (["eval", "d.jsonl", "--task", "qa", "--judge", "vibes"], "--judge", "vibes"),
    ],
)
def test_bad_choices_are_refused_before_anything_runs(args: list[str], option: str, bad: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert option in result.output and repr(bad) in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--questions-only"], "--questions-only"),
        (["--ranker-only"], "--ranker-only"),
        (["--support-only"], "--support-only"),
        (["--fit", "w.json", "--ranker-only", "--questions-only"], "choose one of them"),
        (["--fit", "w.json", "--support-only", "--ranker-only"], "choose one of them"),
    ],
)
def test_a_partial_refit_needs_fit_and_one_part(flags: list[str], said: str) -> None:
    """A partial refit is refused before the library opens: without ``--fit PATH`` there is
    nothing to write, and the support model, the ranker alone and the question models are three
    different refits."""
    result = runner.invoke(app, ["bench", "support", *flags], terminal_width=200)
    assert result.exit_code == 2
    assert said in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("command", MODEL_COMMANDS, ids=" ".join)
def test_every_command_that_can_use_a_model_takes_the_llm_options(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for option in ("--llm", "--model", "--base-url"):
        assert option in result.output, f"{' '.join(command)} lacks {option}"
    assert "extractive" in result.output and "openai" in result.output


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_llm_options_reach_the_answer(bundled: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    """--llm openai with an unreachable --base-url: the answer falls back and names that address."""
    monkeypatch.setenv("LITREV_HOME", str(bundled.settings.home))
    monkeypatch.setenv("LITREV_LLM__MAX_RETRIES", "0")
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    question = "Which papers accelerate LLM inference with speculative decoding?"
    args = ["ask", "--json", question, "--llm", "openai", "--model", "m", "--base-url", url]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["generator"] == "extractive" and not data["abstained"]
    assert url in data["notice"]


def test_search_rows_are_the_answer_evidence_rows(bundled: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITREV_HOME", str(bundled.settings.home))
    question = "speculative decoding"
    searched = json.loads(runner.invoke(app, ["search", "--json", question, "-k", "8"]).stdout)
    answered = json.loads(runner.invoke(app, ["ask", "--json", question, "-k", "8"]).stdout)
    assert searched["method"] == "hybrid"
    assert searched["hits"] == answered["evidence"]
