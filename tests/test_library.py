"""Library: one way to get an answer writer for the settings plus per-call changes."""

from __future__ import annotations

import pytest

from rag.errors import SettingsError
from rag.library import Library
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
