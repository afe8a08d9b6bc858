"""JSON Lines: one object per line with ``title`` and ``abstract`` (and optional metadata).

Read as a stream, line by line, so a multi-GB arXiv metadata dump is never held in memory; a
line longer than :attr:`~rag.sources.readers.base.ReadOptions.max_record_bytes` is skipped unread. Lines
in the arXiv snapshot's format are recognised by their keys (:mod:`rag.sources.readers.arxiv`).
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from rag.errors import CorpusError
from rag.sources.readers.arxiv import is_arxiv, to_record
from rag.sources.readers.base import FileResult, ReadOptions, build
from rag.sources.readers.files import too_large
from rag.sources.readers.text import decode, stream_lines


def _lines(
    path: Path, handle: BinaryIO, options: ReadOptions, problems: list[CorpusError]
) -> Iterator[tuple[int, str]]:
    head = handle.read(8192)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        data = head + handle.read(max(0, options.max_file_bytes + 1 - len(head)))  # read whole: capped
        if len(data) > options.max_file_bytes:
            raise too_large(path, options.max_file_bytes)
        text, found = decode(path, data)
        problems.extend(found)
        yield from enumerate(text.splitlines(), start=1)
        return
    handle.seek(0)
    yield from stream_lines(path, handle, problems, options.max_record_bytes)


def read_jsonl(path: Path, handle: BinaryIO, options: ReadOptions) -> FileResult:
    """The papers of the JSON Lines file ``path``, read from ``handle`` (opened by the caller)."""
    result = FileResult()
    empty = True
    for number, line in _lines(path, handle, options, result.problems):
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
