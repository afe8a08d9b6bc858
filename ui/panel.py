"""The settings panel: what it says (:class:`Options`) and the answer writers it can pick."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pydantic import ValidationError

from rag.errors import LitrevError
from rag.generate import Generator, make_generator
from rag.library import Library
from rag.retrieve import Filters
from rag.settings import LLMSettings

Provider = Literal["extractive", "openai", "local"]
PROVIDERS: tuple[str, ...] = get_args(Provider)


def _blank(value: Any) -> Any:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def year(value: Any, name: str) -> int | None:
    """A year typed in a box ("" is none); anything else is explained."""
    value = _blank(value)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise LitrevError(f"{name} must be a year such as 2023, got {value!r}") from None


@dataclass(frozen=True)
class Options:
    """What the settings panel says: who writes answers, how many papers, which years."""

    provider: str = "extractive"
    k: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    base_url: str | None = None
    model: str | None = None
    model_path: str | None = None
    tag: str | None = None

    @classmethod
    def from_panel(
        cls,
        provider: str | None = None,
        k: float | None = None,
        year_from: float | str | None = None,
        year_to: float | str | None = None,
        base_url: str | None = None,
        model: str | None = None,
        model_path: str | None = None,
        tag: str | None = None,
    ) -> Options:
        """Options from raw widget values (numbers may be floats, empty boxes empty strings)."""
        provider = _blank(provider) or "extractive"
        if provider not in PROVIDERS:
            raise LitrevError(f"the generator must be one of {', '.join(PROVIDERS)}, got {provider!r}")
        k = _blank(k)
        if k is not None and int(k) < 1:
            raise LitrevError(f"k must be at least 1, got {k}")
        options = cls(
            provider=provider,
            k=None if k is None else int(k),
            year_from=year(year_from, "year from"),
            year_to=year(year_to, "year to"),
            base_url=_blank(base_url),
            model=_blank(model),
            model_path=_blank(model_path),
            tag=(_blank(tag) or "").strip() or None,
        )
        if options.year_from and options.year_to and options.year_from > options.year_to:
            raise LitrevError(f"year from ({options.year_from}) is after year to ({options.year_to})")
        return options

    @classmethod
    def of(cls, options: Options | Sequence[Any]) -> Options:
        """``options`` as given, or read from the panel's raw widget values."""
        return options if isinstance(options, Options) else cls.from_panel(*options)

    def filters(self) -> Filters | None:
        filters = Filters(year_from=self.year_from, year_to=self.year_to, tag=self.tag)
        return filters if filters else None

    def llm_changes(self) -> dict[str, Any]:
        changes: dict[str, Any] = {"provider": self.provider}
        for name in ("base_url", "model", "model_path"):
            if getattr(self, name) is not None:
                changes[name] = getattr(self, name)
        return changes


class Generators:
    """The answer writers the panel can pick, each built once (a local model is loaded once)."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self._built: dict[str, Generator] = {}
        self._lock = threading.Lock()

    def get(self, options: Options) -> Generator:
        settings = self.library.settings
        try:
            llm = LLMSettings.model_validate({**settings.llm.model_dump(), **options.llm_changes()})
        except ValidationError as error:
            problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
            raise LitrevError(f"invalid generator settings: {problems}") from None
        key = llm.model_dump_json()
        with self._lock:
            if key not in self._built:
                self._built[key] = make_generator(
                    settings.model_copy(update={"llm": llm}), self.library.embedder
                )
            return self._built[key]
