"""The public API of ``rag``: every exported name imports, is documented, and ``import rag`` is light."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

import rag

HEAVY = ("torch", "sentence_transformers", "chromadb", "llama_index", "gradio", "onnxruntime")


@pytest.mark.parametrize("name", rag.__all__)
def test_every_exported_name_imports_and_is_documented(name: str) -> None:
    value = getattr(rag, name)
    assert not inspect.ismodule(value)
    assert value.__module__.startswith("rag.")
    assert inspect.getdoc(value), f"rag.{name} has no docstring"


def test_the_api_names_the_verbs_and_the_errors() -> None:
    expected = {"Library", "Settings", "search", "answer", "lookup", "draft_related_work", "LitrevError"}
    assert expected <= set(rag.__all__)
    errors = {name for name in rag.__all__ if name.endswith("Error")}
    assert all(issubclass(getattr(rag, name), rag.LitrevError) for name in errors)
    assert "GenerationError" in errors


@pytest.mark.parametrize(
    ("name", "where"),
    [
        ("answer", "rag.answers.answer"),
        ("lookup", "rag.cite.lookup"),
        ("ingest", "rag.index.ingest"),
        ("search", "rag.retrieval.retrieve"),
    ],
)
def test_importing_the_defining_module_keeps_the_public_function(name: str, where: str) -> None:
    module = importlib.import_module(where)
    assert getattr(rag, name) is getattr(module, name)
    assert callable(getattr(rag, name))


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        rag.nothing  # noqa: B018


def test_import_rag_loads_no_heavy_library() -> None:
    code = f"import sys, rag; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""
