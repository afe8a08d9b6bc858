"""Evaluation datasets: JSON Lines, one item per line, checked against a schema per task.

Field names are fixed (see the README's evaluation section). Unknown fields are ignored; a missing
or mistyped required field, or a gold title that is not in the library, is a
:class:`~rag.errors.DatasetError` naming the file and line. Gold papers are matched by exact title
(after the same LaTeX clean-up the readers apply).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.corpus import Paper
from rag.errors import DatasetError
from rag.latex import clean_latex

TASKS: dict[str, dict[str, type]] = {
    "lookup": {"id": str, "query": str, "gold_titles": list},
    "multi": {"id": str, "question": str, "gold_titles": list},
    "qa": {"id": str, "question": str, "answer": str, "gold_titles": list, "evidence": str},
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


def load(path: Path, task: str, papers: Iterable[Paper]) -> list[Item]:
    """Read and validate a dataset, resolving gold titles to the library's paper ids."""
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
                raise DatasetError(
                    f"{where}: field {name!r} must be a {kind.__name__}, got {type(record[name]).__name__}"
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
    if not items:
        raise DatasetError(f"{path}: no items")
    return items


def _resolve(
    record: dict[str, Any],
    names: Iterable[str],
    schema: dict[str, type],
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
