"""Text from the corpus or a model, made safe to print on a terminal or to write to a file.

A title or abstract can carry escape sequences (``ESC[2J`` clears the screen, ``ESC[31m``
recolours it, ``ESC]8;;URL`` plants a hyperlink) and bidirectional overrides that reorder what
the reader sees. :func:`printable` removes every such sequence and every other control character
before the CLI prints corpus or model text; :func:`one_line` also folds line breaks, for fields
such as titles that have no business spanning lines.

:func:`writable` is the same guard for the files litrev writes (.bib, LaTeX and Markdown drafts,
check reports): every writer passes its finished text through it, so no field of any of them can
hold a control character (``cat`` shows the file as it is; pdflatex does not stop on ``^^[``).
It works on a whole file, so it removes characters one by one: a "sequence" matched in a file
could run on into the file's own braces or lines.
"""

from __future__ import annotations

import re

# Whole escape sequences first (so no "[2J" is left behind), then any single control character:
# C0 except tab and newline, DEL, C1, and the Unicode bidi embeddings, overrides and isolates.
_ESCAPES = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL or ST (hyperlinks, window titles)
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS, PM, APC, SOS strings
    r"|\x1b\[[0-?]*[ -/]*[@-~]?"  # CSI (colours, cursor moves, screen clears)
    r"|\x1b[ -/]*[0-~]?"  # other two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]?"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"  # 8-bit OSC
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\x0b\x0c\x85]+\s*")
_FILE_BREAKS = re.compile(r"[\r\x0b\x0c\x85\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` without escape sequences or control characters; newlines and tabs are kept
    (a carriage return becomes a newline, so it cannot overwrite what was printed)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def one_line(text: str) -> str:
    """:func:`printable`, with every line break folded into one space."""
    return printable(_LINE_BREAKS.sub(" ", text))


def writable(text: str) -> str:
    """``text`` (a whole file litrev writes) without control characters: C0 but tab and newline,
    DEL, C1 and the bidi controls are removed one by one; the line breaks a file of ours never
    holds (carriage return, form feed, U+2028...) become spaces, so none can end a LaTeX comment."""
    return _CONTROLS.sub("", _FILE_BREAKS.sub(" ", text))
