"""Prompt templates live in ``prompts/NAME.txt`` (shipped in the wheel) and are rendered strictly by name.

Templates use Jinja2 syntax; a variable the template uses but the caller did not pass is an error
(``StrictUndefined``), and so is a variable passed but not used, so prompts and code cannot drift.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from rag.bundled import prompts_dir
from rag.errors import LitrevError

if TYPE_CHECKING:
    import jinja2

PROMPTS_DIR = prompts_dir()


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPTS_DIR),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # plain-text prompts for a model, never HTML
    )


def names() -> list[str]:
    return sorted(path.stem for path in PROMPTS_DIR.glob("*.txt"))


def variables(name: str) -> set[str]:
    """The variables a template uses."""
    import jinja2.meta

    environment = _environment()
    source = environment.loader.get_source(environment, f"{name}.txt")[0]  # type: ignore[union-attr]
    return jinja2.meta.find_undeclared_variables(environment.parse(source))


def render(name: str, **values: Any) -> str:
    """Render ``prompts/<name>.txt``; unknown names and missing or extra variables are errors."""
    import jinja2

    if name not in names():
        raise LitrevError(f"no prompt named {name!r} in {PROMPTS_DIR}; have: {', '.join(names())}")
    expected = variables(name)
    if set(values) != expected:
        missing, extra = expected - set(values), set(values) - expected
        raise LitrevError(f"prompt {name!r}: missing {sorted(missing)}, unexpected {sorted(extra)}")
    try:
        return _environment().get_template(f"{name}.txt").render(**values)
    except jinja2.UndefinedError as error:
        raise LitrevError(f"prompt {name!r}: {error.message}") from None
