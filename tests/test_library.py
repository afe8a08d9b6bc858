"""Library: one way to get an answer writer for the settings plus per-call changes; opened once
however many threads ask for it first."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from rag.errors import SettingsError
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.index.rebuild import forget_clients
from rag.settings import Settings

SERVER = {"provider": "openai", "base_url": "http://127.0.0.1:9/v1"}


def test_each_choice_is_built_once_and_carries_its_changes(library: Library) -> None:
    first = library.generator_for(**SERVER, model="m")
    assert library.generator_for(**SERVER, model="m") is first
    other = library.generator_for(**SERVER, model="n")
    assert other is not first
    assert (first.name, first.settings.model, other.settings.model) == ("openai", "m", "n")  # type: ignore[attr-defined]
    assert library.settings.llm.provider == "extractive"  # the library's own settings are unchanged


def test_no_changes_is_the_settings_generator(library: Library) -> None:
    assert library.generator is library.generator_for()
    assert library.generator.name == "extractive"


def test_invalid_changes_are_one_line_settings_errors(library: Library) -> None:
    with pytest.raises(SettingsError, match=r"invalid llm settings: temperature: .*less than or equal to 2"):
        library.generator_for(temperature=9)
    with pytest.raises(SettingsError, match="provider"):
        library.generator_for(provider="gpt")


def test_a_bad_environment_variable_is_a_settings_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITREV_RETRIEVAL__K", "0")
    with pytest.raises(SettingsError, match=r"invalid settings: retrieval\.k: .*greater than or equal to 1"):
        Settings()


def test_threads_that_open_a_library_at_once_share_one_store(library: Library, tmp_path: Path) -> None:
    """The app's first requests arrive together; each used to open the Chroma folder itself, and
    chromadb fails when two threads create a client for one folder at the same moment."""
    source = tmp_path / "papers.jsonl"
    source.write_text(json.dumps({"title": "Whale Song Phonemes", "abstract": "Whales sing."}) + "\n")
    ingest([source], library=library)
    forget_clients(library.settings.chroma_dir)  # as in a new process: nothing opened yet
    fresh = Library(library.settings, embedder=library.embedder)
    start, errors, opened = threading.Barrier(8), [], []

    def first_request() -> None:
        start.wait()
        try:
            opened.append((fresh.store, fresh.lexical))
        except Exception as error:  # any failure is the bug
            errors.append(error)

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len({id(store) for store, _ in opened}) == 1 and len({id(lexical) for _, lexical in opened}) == 1
