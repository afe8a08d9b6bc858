"""Where the files litrev ships beside its code are: the prompt templates and the bundled corpus.

In the source tree they live at the top level, ``prompts/`` and ``corpus/papers.jsonl``; a built
wheel carries the same files inside the package, under ``rag/bundled/`` (``pyproject.toml`` maps
the two folders there). One rule picks the place: the packaged copy when this is an installed
wheel, the top-level folder when this is a checkout.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def bundled_dir(name: str) -> Path:
    """The folder ``name`` (``"prompts"`` or ``"corpus"``) as shipped: in the wheel or the checkout."""
    packaged = _PACKAGE / "bundled" / name
    return packaged if packaged.is_dir() else _CHECKOUT / name


def prompts_dir() -> Path:
    """The prompt templates, one ``NAME.txt`` each."""
    return bundled_dir("prompts")


def corpus_file() -> Path:
    """The bundled corpus ``litrev ingest`` indexes when given no sources."""
    return bundled_dir("corpus") / "papers.jsonl"
