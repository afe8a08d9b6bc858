"""Evaluation datasets: JSON Lines, one item per line, checked against a schema per task.

Field names are fixed (see the README's evaluation section). Unknown fields are ignored; a missing
or mistyped required field, or a gold title that is not in the library, is a
:class:`~rag.errors.DatasetError` naming the file and line. Gold papers are matched by exact title
(after the same LaTeX clean-up the readers apply).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from rag.errors import DatasetError
from rag.sources.corpus import Paper
from rag.sources.latex import clean_latex

SPLIT_SEED = "litrev-dev-split"
"""Fixed: an item's half depends on its id only, so adding items never moves others."""
Half = Literal["tune", "holdout"]
HALVES: tuple[Half, ...] = ("tune", "holdout")


def half(item_id: str) -> Half:
    """The half an item belongs to: *tune* (fit weights, pick thresholds, write rules) or
    *holdout* (report only), by a hash of its id with :data:`SPLIT_SEED`."""
    return "tune" if hashlib.sha256(f"{SPLIT_SEED}:{item_id}".encode()).digest()[0] % 2 == 0 else "holdout"


TASKS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "lookup": {"id": str, "query": str, "gold_titles": list},
    "multi": {"id": str, "question": str, "gold_titles": list},
    "qa": {"id": str, "question": str, "answer": str, "gold_titles": list, "evidence": (str, list)},
    "unanswerable": {"id": str, "question": str},
    "related-work": {"id": str, "paper_description": str, "must_cite": list},
    "check": {"id": str, "sentence": str, "cited_titles": list, "supported": bool},
}
_TITLE_FIELDS = ("gold_titles", "must_cite", "cited_titles")
_ACCEPTABLE = "acceptable"
"""Optional (related-work): titles that may be cited besides the must-cite ones."""


@dataclass
class Item:
    id: str
    line: int
    text: str
    """The query, question or paper description."""
    gold: list[str] = field(default_factory=list)
    """Paper ids of the gold titles (or must-cite titles)."""
    fields: dict[str, Any] = field(default_factory=dict)
    acceptable: list[str] = field(default_factory=list)
    """Paper ids of the titles that may also be cited (related-work ``acceptable``)."""


def load(path: Path, task: str, papers: Iterable[Paper], *, which: Half | None = None) -> list[Item]:
    """Read and validate a dataset, resolving gold titles to the library's paper ids; ``which``
    keeps one half of it (:func:`half`)."""
    if task not in TASKS:
        raise DatasetError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    by_title = {paper.title: paper.id for paper in papers}
    schema = TASKS[task]
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetError(f"{path}: cannot read ({error})") from None
    items: list[Item] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise DatasetError(f"{where}: not valid JSON ({error.msg})") from None
        if not isinstance(record, dict):
            raise DatasetError(f"{where}: expected a JSON object")
        for name, kind in schema.items():
            if name not in record:
                raise DatasetError(f"{where}: missing required field {name!r} for task {task}")
            if not isinstance(record[name], kind):
                wanted = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
                raise DatasetError(
                    f"{where}: field {name!r} must be a {wanted}, got {type(record[name]).__name__}"
                )
        if record["id"] in seen:
            raise DatasetError(f"{where}: duplicate id {record['id']!r}")
        seen.add(record["id"])
        gold = _resolve(record, _TITLE_FIELDS, schema, by_title, where)
        acceptable = (
            _resolve(record, (_ACCEPTABLE,), {_ACCEPTABLE: list}, by_title, where)
            if task == "related-work"
            else []
        )
        text = (
            record.get("query")
            or record.get("question")
            or record.get("paper_description")
            or record.get("sentence")
        )
        items.append(Item(record["id"], number, text, gold, record, acceptable))
    if which is not None:
        items = [item for item in items if half(item.id) == which]
    if not items:
        raise DatasetError(f"{path}: no items" + (f" in its {which} half" if which else ""))
    return items


def evidence_of(item: Item) -> list[str]:
    """A qa item's evidence sentences (one string or a list of them), whitespace normalised."""
    evidence = item.fields.get("evidence", [])
    return [" ".join(text.split()) for text in ([evidence] if isinstance(evidence, str) else evidence)]


def _resolve(
    record: dict[str, Any],
    names: Iterable[str],
    schema: dict[str, type | tuple[type, ...]],
    by_title: dict[str, str],
    where: str,
) -> list[str]:
    """The paper ids of the titles listed under ``names`` (those of the task's schema)."""
    ids: list[str] = []
    for name in names:
        titles = record.get(name, []) if name in schema else []
        if not isinstance(titles, list):
            raise DatasetError(f"{where}: field {name!r} must be a list, got {type(titles).__name__}")
        for title in titles:
            paper_id = by_title.get(clean_latex(title)) if isinstance(title, str) else None
            if paper_id is None:
                raise DatasetError(f"{where}: {name} names a paper not in the library: {title!r}")
            ids.append(paper_id)
    return ids
