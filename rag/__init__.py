"""litrev's library: cited answers, related-work drafts and citation lookup over your papers.

The public API::

    from rag import Library, Settings, ingest, search, answer, lookup, draft_related_work

    library = Library(Settings(home="~/litrev"))
    ingest(["papers.bib"], library=library)
    print(answer("What speed-up does EAGLE report?", library=library).answer)

Every error a user can cause is a :class:`LitrevError` (see :mod:`rag.errors` for the tree).
Names are imported on first use, so ``import rag`` loads no model, no vector store and no
machine-learning library. ``rag.search`` is always the function (the stage that defines it is
the package :mod:`rag.retrieval`).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rag.answers.answer import Answer, answer
    from rag.cite.lookup import LookupResult, lookup
    from rag.errors import (
        CorpusError,
        DatasetError,
        GenerationError,
        IndexMismatchError,
        IndexMissingError,
        LitrevError,
        SettingsError,
        StoreUnavailableError,
    )
    from rag.index.ingest import IngestReport, ingest
    from rag.index.library import Library
    from rag.related_work import Draft, draft_related_work
    from rag.retrieval.retrieve import Filters, SearchResult, search
    from rag.settings import Settings

_WHERE = {
    "Library": "rag.index.library",
    "Settings": "rag.settings",
    "Filters": "rag.retrieval.retrieve",
    "ingest": "rag.index.ingest",
    "IngestReport": "rag.index.ingest",
    "search": "rag.retrieval.retrieve",
    "SearchResult": "rag.retrieval.retrieve",
    "answer": "rag.answers.answer",
    "Answer": "rag.answers.answer",
    "lookup": "rag.cite.lookup",
    "LookupResult": "rag.cite.lookup",
    "draft_related_work": "rag.related_work",
    "Draft": "rag.related_work",
    "LitrevError": "rag.errors",
    "CorpusError": "rag.errors",
    "DatasetError": "rag.errors",
    "GenerationError": "rag.errors",
    "IndexMismatchError": "rag.errors",
    "IndexMissingError": "rag.errors",
    "SettingsError": "rag.errors",
    "StoreUnavailableError": "rag.errors",
}

__all__ = [
    "Answer",
    "CorpusError",
    "DatasetError",
    "Draft",
    "Filters",
    "GenerationError",
    "IndexMismatchError",
    "IndexMissingError",
    "IngestReport",
    "Library",
    "LitrevError",
    "LookupResult",
    "SearchResult",
    "Settings",
    "SettingsError",
    "StoreUnavailableError",
    "answer",
    "draft_related_work",
    "ingest",
    "lookup",
    "search",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


class _PublicAPI(types.ModuleType):
    """Importing ``rag.answers.answer`` binds the module as the attribute ``answer`` of this package; keep
    the public names for the functions instead."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _WHERE and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _PublicAPI
