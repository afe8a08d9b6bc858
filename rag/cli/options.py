"""Options several commands share, declared once: the LLM choice, filters and the named choices.

Choices are enums, so the CLI library validates them and lists them in ``--help``. The commands
that can use a model take ``--llm``, ``--model`` and ``--base-url`` through :func:`llm_options`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rag.index.library import Library
    from rag.retrieval.retrieve import Filters


class Provider(StrEnum):
    """Who writes answers (``llm.provider`` in the settings)."""

    extractive = "extractive"
    openai = "openai"
    local = "local"


class Method(StrEnum):
    """Retrieval methods (``rag.retrieval.retrieve.METHODS``)."""

    hybrid = "hybrid"
    dense = "dense"
    lexical = "lexical"
    rrf = "rrf"


class Task(StrEnum):
    """Evaluation tasks (``litrev_eval.datasets.TASKS``)."""

    lookup = "lookup"
    multi = "multi"
    qa = "qa"
    unanswerable = "unanswerable"
    related_work = "related-work"
    check = "check"


class Half(StrEnum):
    """Halves of a dev set (``litrev_eval.datasets.half``)."""

    tune = "tune"
    holdout = "holdout"


class Judge(StrEnum):
    """Judges of support (``rag.grounding.llm_judge.make_judge``)."""

    fitted = "fitted"
    llm = "llm"


YearFrom = Annotated[int | None, typer.Option("--year-from", help="Only papers from this year on.")]
YearTo = Annotated[int | None, typer.Option("--year-to", help="Only papers up to this year.")]
Source = Annotated[str | None, typer.Option("--source", help="Only papers from this source file name.")]
Tag = Annotated[str | None, typer.Option("--tag", help="Only papers with this tag or in this collection.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
HalfOption = Annotated[
    Half | None, typer.Option("--half", help="Only this half of each dev set (default: both, apart).")
]


def filters(
    year_from: int | None, year_to: int | None, source: str | None, tag: str | None = None
) -> Filters:
    from rag.retrieval.retrieve import Filters

    return Filters(year_from=year_from, year_to=year_to, source=source, tag=tag)


@dataclass(frozen=True)
class LLMChoice:
    """What ``--llm``, ``--model`` and ``--base-url`` said (None: keep the settings' value)."""

    provider: Provider | None = None
    model: str | None = None
    base_url: str | None = None

    def changes(self) -> dict[str, Any]:
        named = {"provider": self.provider, "model": self.model, "base_url": self.base_url}
        return {key: str(value) for key, value in named.items() if value is not None}


_LLM_PARAMETERS = [
    inspect.Parameter(
        "llm",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            Provider | None, typer.Option("--llm", help="Who writes answers (default: the settings).")
        ],
    ),
    inspect.Parameter(
        "model",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[str | None, typer.Option("--model", help="Model name for --llm openai.")],
    ),
    inspect.Parameter(
        "base_url",
        inspect.Parameter.KEYWORD_ONLY,
        default=None,
        annotation=Annotated[
            str | None, typer.Option("--base-url", help="OpenAI-compatible endpoint for --llm openai.")
        ],
    ),
]


def llm_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give ``command`` the options ``--llm --model --base-url``; it receives them as ``llm: LLMChoice``."""
    signature = inspect.signature(command, eval_str=True)
    own = [parameter for parameter in signature.parameters.values() if parameter.name != "llm"]

    @functools.wraps(command)
    def wrapper(*args: Any, llm: Any = None, model: Any = None, base_url: Any = None, **kw: Any) -> Any:
        return command(*args, llm=LLMChoice(llm, model, base_url), **kw)

    parameters = own + _LLM_PARAMETERS
    wrapper.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
    del wrapper.__wrapped__  # the CLI library must read the signature above, not the command's
    return wrapper


def open_library(llm: LLMChoice | None = None) -> Library:
    """The library the settings describe, with the command line's model choice applied."""
    from rag.index.library import Library
    from rag.settings import Settings

    settings = Settings()
    if llm is not None and llm.changes():
        settings = settings.with_llm(**llm.changes())
    return Library(settings)
