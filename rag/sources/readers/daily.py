"""The "daily papers" listing page dump: a title line followed by its abstract line, repeated."""

from __future__ import annotations

import re
from pathlib import Path

from rag.errors import CorpusError
from rag.sources.readers.base import FileResult, ReadOptions, build

_PAGE_CHROME = re.compile(
    r"^(new|Subscribe|byAK and the research community|Get trending papers in your email inbox.*"
    r"|[A-Z][a-z]{2} \d{1,2}(, \d{4})?)$"
)
_MIN_ABSTRACT_CHARS = 150
_MAX_TITLE_CHARS = 400


def read_daily_papers(path: Path, text: str, options: ReadOptions) -> FileResult:
    """Read a "daily papers" listing page: a title line followed by its abstract line."""
    lines = [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1)]
    lines = [(number, line) for number, line in lines if line]
    result = FileResult(lines=len(lines))
    # The page header ends with "Subscribe", sometimes glued to the first title.
    for index, (number, line) in enumerate(lines):
        if line.startswith("Subscribe"):
            rest = line[len("Subscribe") :].strip()
            lines = ([(number, rest)] if rest else []) + lines[index + 1 :]
            break
    lines = [(number, line) for number, line in lines if not _PAGE_CHROME.match(line)]
    index = 0
    while index < len(lines):
        number, title = lines[index]
        following = lines[index + 1][1] if index + 1 < len(lines) else ""
        if len(title) <= _MAX_TITLE_CHARS and len(following) >= _MIN_ABSTRACT_CHARS:
            build({"title": title, "abstract": following}, path, number, result)
            index += 2
        else:
            result.problems.append(
                CorpusError(path, "expected a title line followed by its abstract", line=number)
            )
            index += 1
    return result
