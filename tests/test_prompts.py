"""Every prompt in prompts/ renders, strictly: missing or unexpected variables are errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import prompts
from rag.errors import LitrevError


class Sample:
    """A stand-in for any variable: a string, a record with any field, or a list of records."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, field: str) -> Sample:
        if field.startswith("__"):
            raise AttributeError(field)
        return Sample(f"{self.name}.{field}")

    def __iter__(self) -> Iterator[Sample]:
        return iter([Sample(f"{self.name}[0]")])

    def __str__(self) -> str:
        return f"<{self.name}>"


@pytest.mark.parametrize("name", prompts.names())
def test_every_prompt_renders_with_all_its_variables(name: str) -> None:
    variables = prompts.variables(name)
    assert variables, f"prompts/{name}.txt uses no variables"
    text = prompts.render(name, **{variable: Sample(variable) for variable in variables})
    assert "{{" not in text and "{%" not in text
    for variable in variables:
        assert f"<{variable}" in text, variable


@pytest.mark.parametrize("name", prompts.names())
def test_missing_or_unexpected_variables_are_errors(name: str) -> None:
    variables = sorted(prompts.variables(name))
    with pytest.raises(LitrevError, match="missing"):
        prompts.render(name, **{variable: Sample(variable) for variable in variables[1:]})
    with pytest.raises(LitrevError, match="unexpected"):
        prompts.render(name, **{variable: Sample(variable) for variable in variables}, stray="x")


def test_the_related_work_prompt_shows_the_themes_and_papers() -> None:
    text = prompts.render(
        "related_work",
        description="A byte-level language model.",
        theme="Byte-level models",
        papers=[{"marker": 3, "title": "MrT5", "abstract": "We..."}],
        other_themes=["Subword tokenizers"],
    )
    assert 'Papers on "Byte-level models"' in text and "[3] Title: MrT5" in text
    assert "other paragraphs cover: Subword tokenizers." in text
    with pytest.raises(LitrevError, match="no prompt named"):
        prompts.render("no_such_prompt")


@pytest.mark.parametrize("name", prompts.names())
def test_every_prompt_is_rendered_by_the_code(name: str) -> None:
    """A prompt file no module renders is dead text: remove it or use it."""
    package = Path(__file__).resolve().parents[1] / "rag"
    sources = "\n".join(path.read_text(encoding="utf-8") for path in package.rglob("*.py"))
    assert re.search(rf"prompts\.render\(\s*\"{name}\"", sources), f"no code renders prompts/{name}.txt"
