"""The UI's one error boundary: an error a user can act on (:class:`~rag.errors.LitrevError`)
raised in a handler becomes what that handler shows for it, never a traceback.

Each handler names its error view: ``@shielded(lambda message, last: ...)`` gets the message in
our words and, for a streaming handler, the last update it yielded (None for a plain one), so a
conversation can show the error in the turn that failed.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from rag.errors import IndexMissingError, LitrevError

Handler = TypeVar("Handler", bound=Callable[..., Any])
ErrorView = Callable[[str, Any], Any]


def explain(error: LitrevError) -> str:
    """The error's message, with the UI's own way out where there is one."""
    if isinstance(error, IndexMissingError):
        return f"{error} (or add papers in the Library tab)."
    return str(error)


def shielded(view: ErrorView) -> Callable[[Handler], Handler]:
    """Show a :class:`LitrevError` raised by the handler as ``view(message, last_update)``."""

    def wrap(handler: Handler) -> Handler:
        if inspect.isgeneratorfunction(handler):

            @functools.wraps(handler)
            def streaming(*args: Any, **kwargs: Any) -> Any:
                last = None
                try:
                    for last in handler(*args, **kwargs):
                        yield last
                except LitrevError as error:
                    yield view(explain(error), last)

            return streaming  # type: ignore[return-value]

        @functools.wraps(handler)
        def plain(*args: Any, **kwargs: Any) -> Any:
            try:
                return handler(*args, **kwargs)
            except LitrevError as error:
                return view(explain(error), None)

        return plain  # type: ignore[return-value]

    return wrap
