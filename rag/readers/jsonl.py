"""JSON Lines: one object per line with ``title`` and ``abstract`` (and optional metadata).

Read as a stream, line by line, so a multi-GB arXiv metadata dump is never held in memory;
lines in the arXiv snapshot's format are recognised by their keys (:mod:`rag.readers.arxiv`).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path

from rag.errors import CorpusError
from rag.readers.arxiv import is_arxiv, to_record
from rag.readers.base import FileResult, ReadOptions, build
from rag.readers.text import decode, stream_lines


def _lines(path: Path, problems: list[CorpusError]) -> Iterator[tuple[int, str]]:
    with path.open("rb") as handle:
        head = handle.read(8192)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
            text, found = decode(path, head + handle.read())
            problems.extend(found)
            yield from enumerate(text.splitlines(), start=1)
            return
        handle.seek(0)
        yield from stream_lines(path, handle, problems)


def read_jsonl(path: Path, options: ReadOptions) -> FileResult:
    result = FileResult()
    empty = True
    for number, line in _lines(path, result.problems):
        result.lines = number
        if not line.strip():
            continue
        empty = False
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            result.problems.append(CorpusError(path, f"not valid JSON ({error.msg})", line=number))
            continue
        if not isinstance(record, dict):
            result.problems.append(
                CorpusError(path, f"expected a JSON object, got {type(record).__name__}", line=number)
            )
            continue
        if is_arxiv(record):
            record = to_record(record, options)
            if record is None:
                continue
        build(record, path, number, result)
    if empty and not result.problems:
        raise CorpusError(path, "file is empty")
    return result
