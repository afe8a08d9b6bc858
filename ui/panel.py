"""The settings panel: what it says, as :class:`Options` (the answer writer it picks comes from
:meth:`rag.index.library.Library.generator_for`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from rag.errors import LitrevError
from rag.index.library import Library
from rag.llm.generate import NO_SERVER, Generator
from rag.retrieval.retrieve import Filters

Provider = Literal["extractive", "openai", "local"]
PROVIDERS: tuple[str, ...] = get_args(Provider)

NO_SERVER_HERE = (
    "no model server is set: enter its address under Settings > Model > Server URL "
    "(for example http://127.0.0.1:8080/v1), or choose the extractive generator"
)


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

    def generator(self, library: Library) -> Generator:
        """The answer writer these options pick, built once per library. Without a server, the
        error points to the sidebar's field rather than to command-line flags."""
        try:
            return library.generator_for(**self.llm_changes())
        except LitrevError as error:
            if str(error) == NO_SERVER:
                raise LitrevError(NO_SERVER_HERE) from None
            raise

    def llm_changes(self) -> dict[str, Any]:
        changes: dict[str, Any] = {"provider": self.provider}
        for name in ("base_url", "model", "model_path"):
            if getattr(self, name) is not None:
                changes[name] = getattr(self, name)
        return changes
