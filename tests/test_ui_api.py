"""The app's named API endpoints, called with gradio_client over loopback."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from rag.index.library import Library
from tests.ui_server import QUIET_GRADIO, listening_on, serving

pytestmark = QUIET_GRADIO

QUESTION = "Which papers accelerate LLM inference with speculative decoding?"


@pytest.fixture(scope="module")
def url(bundled: Library, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(bundled, tmp_path_factory.mktemp("ui-work")) as address:
        yield address


@pytest.fixture(scope="module")
def client(url: str):  # -> gradio_client.Client
    from gradio_client import Client

    return Client(url, verbose=False, download_files=False)


def test_served_on_loopback_only(url: str) -> None:
    port = urlparse(url).port
    assert port and listening_on(port) == {"127.0.0.1"}


def test_only_the_three_named_endpoints_are_public(client) -> None:
    names = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert names == {"/ask", "/cite", "/related_work"}


def test_ask_returns_a_cited_answer(client, bundled: Library) -> None:
    result = client.predict(question=QUESTION, k=6, api_name="/ask")
    assert result["abstained"] is False and result["generator"] == "extractive"
    assert len(result["evidence"]) <= 6
    papers = bundled.store.get_papers([c["paper_id"] for c in result["citations"]])
    for citation in result["citations"]:
        start, end = citation["span"]
        assert papers[citation["paper_id"]].abstract[start:end] == citation["sentence"]


def test_ask_with_a_year_range_that_excludes_everything_abstains_and_says_so(
    client, bundled: Library
) -> None:
    result = client.predict(question=QUESTION, year_from=1990, year_to=1991, api_name="/ask")
    assert result["abstained"] is True and result["citations"] == []
    undated = sum(1 for paper in bundled.store.iter_papers() if paper.year is None)
    assert result["filter_note"] == f"{undated} papers have no year and were left out by the year filter."


def test_cite_returns_candidates_with_bibtex(client) -> None:
    claim = "Speculative decoding drafts tokens with a small model and verifies them with the large one."
    result = client.predict(claim=claim, k=3, api_name="/cite")
    assert result["matched"] is True
    assert len(result["candidates"]) == 3
    assert all(c["bibtex"].startswith("@") and c["sentence"] for c in result["candidates"])


def test_related_work_returns_markdown_latex_and_bibtex(client) -> None:
    description = (
        "We compress speech into discrete tokens with a neural audio codec using residual vector "
        "quantization, and train a language model on those tokens."
    )
    result = client.predict(description=description, api_name="/related_work")
    assert result["notice"] is None and result["cited"]
    assert "**References**" in result["markdown"]
    for paper in result["cited"]:
        assert f"\\cite{{{paper['key']}}}" in result["latex"]
        assert f"{{{paper['key']},".lower() in result["bibtex"].lower()


def test_user_mistakes_come_back_as_errors(client) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="the question is empty"):
        client.predict(question="  ", api_name="/ask")
    with pytest.raises(AppError, match="generator must be one of"):
        client.predict(question=QUESTION, generator="gpt-9", api_name="/ask")
