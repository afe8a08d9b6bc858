"""A table's caption and its rows as one paragraph, each row with the names of its columns.

In a PDF's text, a table comes out as its caption ("Table 1: ...") and then one short line per
row: "Model kbps ViSQOL PESQ STOI", "TerraCodec 6.0 4.29 3.42 0.948". Read as separate paragraphs,
a row lands in a passage without its caption or header, and "0.948" answers nothing. So the rows
next to a caption (after it, else before it) join the caption's paragraph, each row written as a
sentence that names its columns: "TerraCodec: kbps 6.0; ViSQOL 4.29; PESQ 3.42; STOI 0.948."

- a *row* is a line after a table's whole caption, or after another row, of at most
  :data:`MAX_ROW_CHARS` characters that does not end as a sentence does, and of whose cells at
  least :data:`ROW_DIGITS` hold a digit; the first line after the caption may be the header row
  without any, if it has no function word ("the", "of": prose); :mod:`.sections` makes each a
  ``row`` paragraph, and the table ends at the first line that is not a row;
- cells are the row's words, a unit after a number joined to it ("23 GB", "610 ms", "4.1 %");
- a row with at least as many cells as the header names columns is read right to left: its last
  cells are the header's columns after the first, the cells left over its label ("Single vector");
  a row with fewer cells is kept as it reads; a label or column name loses the full stop of its
  abbreviation ("Summ.", "Lang."), which would end the row's sentence before its figures.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rag.sources.pdf.sections import Paragraph

MAX_ROW_CHARS = 200
ROW_DIGITS = 0.3
"""The share of a row's cells that hold a digit, at least."""
_UNIT = re.compile(r"(?:%|[a-zA-Zµ]{1,3}(?:/[a-zA-Z]{1,2})?)")
_NUMBER = re.compile(r"[-+\u00b1]?\d[\d.,]*[%x\u00d7]?")
_SENTENCE_END = (".", "!", "?", ":", ";")
_FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "with", "from", "and", "or", "but"}
    | {"as", "is", "are", "was", "were", "be", "this", "that", "which", "it", "its", "we", "our"}
    | {"their", "than", "into", "over", "under", "between", "despite"}
)
"""A header row names columns: a line with one of these words is prose, not a header."""


def cells(text: str) -> list[str]:
    """The cells of a row: its words, a unit after a number joined to it."""
    found: list[str] = []
    for word in text.split():
        if found and _UNIT.fullmatch(word) and _NUMBER.fullmatch(found[-1]):
            found[-1] = f"{found[-1]} {word}"
        else:
            found.append(word)
    return found


def is_row(text: str, header: bool = False) -> bool:
    """Whether a line reads as a table's row (``header``: the header row may have no digit)."""
    text = text.strip()
    if not text or len(text) > MAX_ROW_CHARS or text.endswith(_SENTENCE_END):
        return False
    found = cells(text)
    with_digit = sum(any(char.isdigit() for char in cell) for cell in found)
    if header and len(found) >= 2 and not any(cell.lower() in _FUNCTION_WORDS for cell in found):
        return True
    return bool(with_digit) and with_digit >= ROW_DIGITS * len(found)


def row_sentence(header: Sequence[str], row: str) -> str:
    """A row as a sentence naming its columns (as it reads when it has fewer cells than columns)."""
    found = cells(row)
    if len(header) < 2 or len(found) < len(header):
        return f"{row.strip()}."
    cut = len(found) - len(header) + 1
    pairs = zip(header[1:], found[cut:], strict=True)
    label = _unstopped(" ".join(found[:cut]))
    return f"{label}: " + "; ".join(f"{_unstopped(name)} {value}" for name, value in pairs) + "."


def _unstopped(text: str) -> str:
    """A label or a column's name without its abbreviation's full stop ("Summ.", "Full late int."):
    a row is one sentence, and a stop inside it would cut the row from its label."""
    return text.rstrip(".") or text


def with_tables(paragraphs: Sequence[Paragraph]) -> list[Paragraph]:
    """The paragraphs, the rows after each table's caption joined to it (see the module docstring);
    rows without a caption read as text."""
    out: list[Paragraph] = []
    rows: dict[int, list[str]] = {}
    """The rows of the caption at each index of ``out``."""
    for paragraph in paragraphs:
        if paragraph.kind != "row":
            out.append(paragraph)
        elif out and out[-1].kind == "caption":
            rows.setdefault(len(out) - 1, []).append(paragraph.text.strip())
        else:
            out.append(dataclasses.replace(paragraph, kind="text"))
    for index, found in rows.items():
        out[index] = dataclasses.replace(out[index], text=_written(out[index].text, found))
    return out


def _written(caption: str, rows: list[str]) -> str:
    """A caption with its rows: the header, then each row naming its columns."""
    if len(rows) < 2:
        return " ".join([caption.strip(), *rows])
    header = cells(rows[0])
    written = [row_sentence(header, row) for row in rows[1:]]
    return " ".join([caption.strip(), " ".join(header) + ".", *written])
