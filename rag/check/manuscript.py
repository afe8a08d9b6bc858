"""Read a manuscript (LaTeX or Markdown) into sentences with their line numbers and citation keys.

LaTeX: ``\\cite``, ``\\citep``, ``\\citet`` (any ``\\cite...``), ``\\parencite``, ``\\textcite``,
``\\autocite``, ``\\footcite``, with several keys and optional ``[...]`` arguments. Comments, math,
the preamble and figure/table/equation/verbatim-like environments are ignored; ``\\input`` and
``\\include`` of files inside the draft's folder are followed, their sentences spliced in place.
Markdown: pandoc citations ``[@key]``, ``[see @a, p. 3; @b]``, ``[-@key]`` and in-text ``@key``;
code, math, HTML comments, YAML front matter and headings are ignored.

Markup is blanked in place, so line numbers are those of the file (see :mod:`rag.check.draft_text`).

Bad input does not stop the reading: a line that is not UTF-8 (read as Windows-1252), a citation
with an empty key, an ``\\input`` that cannot be followed are each a :class:`DraftError` naming the
file and line, collected in :attr:`Draft.problems`.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Literal

from rag.check.draft_text import Cite, Draft, Page, Sentence, assemble, closing
from rag.errors import DraftError

__all__ = ["Cite", "Draft", "Sentence", "detect_kind", "parse_draft", "read_draft"]

Kind = Literal["latex", "markdown"]
LATEX_SUFFIXES = frozenset({".tex", ".ltx", ".latex"})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".qmd", ".rmd", ".txt"})
MAX_INPUT_DEPTH = 8


# -- LaTeX ---------------------------------------------------------------------------------------

_SKIPPED_ENVIRONMENTS = (
    r"figure|table|equation|align|alignat|gather|multline|eqnarray|displaymath|math|flalign|"
    r"tabular|tabularx|verbatim|Verbatim|lstlisting|minted|algorithm|algorithmic|tikzpicture|"
    r"thebibliography|comment|wrapfigure|subfigure"
)
_LATEX_ENVIRONMENT = re.compile(
    r"\\begin\{((?:" + _SKIPPED_ENVIRONMENTS + r")\*?)\}.*?\\end\{\1\}", re.DOTALL
)
_LATEX_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$|\\\[.*?\\\]", re.DOTALL)
_INLINE_MATH = re.compile(r"\\\(.*?\\\)|(?<!\\)\$(?:[^$\\]|\\.)+\$", re.DOTALL)
_CITE = re.compile(
    r"\\((?:[a-zA-Z]*cite[a-zA-Z]*|[pP]arencite|[tT]extcite|[aA]utocite|[fF]ootcite)\*?)"
    r"\s*(?:\[[^\]]*\]\s*){0,2}\{([^}]*)\}"
)
_TEXTUAL = re.compile(r"\\(?:[cC]itet|[tT]extcite|[cC]iteauthor)\b")
_INPUT = re.compile(r"\\(input|include|subfile)\s*\{([^}]*)\}")
_HEADING = re.compile(
    r"\\(?:part|chapter|section|subsection|subsubsection|paragraph|subparagraph|caption|title|author)"
    r"\*?\s*(?:\[[^\]]*\])?\s*(?=\{)"
)
_DROPPED = re.compile(
    r"\\(?:label|ref|eqref|autoref|cref|Cref|pageref|url|includegraphics|vspace|hspace|bibliography|"
    r"bibliographystyle|usepackage|documentclass|newcommand|renewcommand|footnote|thanks|nocite|"
    r"date|keywords)\*?\s*(?:\[[^\]]*\])?\s*(?=\{)"
)
_STRUCTURE = re.compile(r"\\(?:begin|end)\s*\{[^}]*\}|\\item\b(?:\s*\[[^\]]*\])?|\\par\b|\\maketitle\b")


def _drop_with_argument(page: Page, pattern: re.Pattern[str], *, breaks: bool) -> None:
    text = page.text
    for match in pattern.finditer(text):
        end = closing(text, match.end())
        page.blank(match.start(), end)
        if breaks:
            page.breaks.add(match.start())
            page.breaks.add(end)


def _latex_page(
    path: Path, text: str, name: str, root: Path | None, depth: int, seen: frozenset[Path]
) -> Page:
    page = Page(text, name)
    page.blank_all(_LATEX_COMMENT)
    body = page.text
    begin, end = body.find("\\begin{document}"), body.find("\\end{document}")
    if begin >= 0:
        page.blank(0, begin + len("\\begin{document}"))
    if end >= 0:
        page.blank(end, len(body))
    page.blank_all(_LATEX_ENVIRONMENT, breaks=True)
    page.blank_all(_DISPLAY_MATH, breaks=True)
    for match in _INLINE_MATH.finditer(page.text):
        page.keep_plain(match.start(), match.end())
    for match in _INPUT.finditer(page.text):
        page.blank(match.start(), match.end())
        page.breaks.update((match.start(), match.end()))
        if root is None:
            page.problem(match.start(), f"\\input{{{match.group(2)}}} not followed: the draft has no folder")
            continue
        included = _follow(path, match.group(2).strip(), root, depth, seen, page, match.start())
        if included:
            page.inserts.append((match.start(), included))
    for match in _CITE.finditer(page.text):
        keys = [key.strip() for key in match.group(2).split(",")]
        textual = bool(_TEXTUAL.match(match.group(0)))
        page.cite(match.start(), keys, "\\" + match.group(1), textual=textual)
        page.blank(match.start(), match.end())
    _drop_with_argument(page, _HEADING, breaks=True)
    _drop_with_argument(page, _DROPPED, breaks=False)
    page.blank_all(_STRUCTURE, breaks=True)
    page.blank_all(re.compile(r"\\\\(?:\[[^\]]*\])?|\\[a-zA-Z]+\*?|\\[,;:! ]|[{}~]|``|''"))
    for match in re.finditer(r"\\[&%$#_]", page.text):
        page.blank(match.start(), match.start() + 1)
    return page


def _follow(
    path: Path, target: str, root: Path, depth: int, seen: frozenset[Path], page: Page, offset: int
) -> list[Sentence]:
    if not target:
        page.problem(offset, "\\input with an empty file name")
        return []
    candidate = (path.parent / target).resolve()
    if candidate.suffix != ".tex" and not candidate.exists():
        candidate = candidate.with_name(candidate.name + ".tex")
    if not candidate.is_relative_to(root):
        page.problem(offset, f"\\input{{{target}}} is outside the draft's folder: not followed")
        return []
    if candidate in seen or depth >= MAX_INPUT_DEPTH:
        page.problem(offset, f"\\input{{{target}}} includes itself: not followed again")
        return []
    if not candidate.is_file():
        page.problem(offset, f"\\input{{{target}}}: no such file")
        return []
    try:
        included = _read_latex(candidate, root, depth + 1, seen | {candidate})
    except DraftError as error:
        page.problem(offset, f"\\input{{{target}}}: {error.reason}")
        return []
    page.problems.extend(included.problems)
    return included.sentences


def _read_latex(path: Path, root: Path, depth: int, seen: frozenset[Path]) -> Draft:
    problems: list[DraftError] = []
    name = str(path.relative_to(root)) if path.is_relative_to(root) else path.name
    text = decode_draft(path.read_bytes(), name, problems)
    page = _latex_page(path, text, name, root, depth, seen)
    return Draft(assemble(page), problems + page.problems)


# -- Markdown ------------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FENCE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[^\n]*$", re.DOTALL | re.MULTILINE)
_INLINE_CODE = re.compile(r"(`+).+?\1", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_MD_DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.DOTALL)
_MD_INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?=\S)[^$\n]+?(?<=\S)\$(?!\d)")
_KEY = r"(?:\{[^}]*\}|[A-Za-z0-9_](?:[A-Za-z0-9_]|[:.#$%&+?<>~/-](?=[A-Za-z0-9_]))*)"
_BRACKET = re.compile(r"\[([^\[\]]*?(?:^|(?<=[\s;\[-]))-?@[^\[\]]*)\](?!\()")
_BRACKET_AT = re.compile(r"(?:^|(?<=[\s;-]))-?@(" + _KEY + r")?")
_IN_TEXT = re.compile(r"(?<![\w@\[\\])@(" + _KEY + r")")
_MD_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t][^\n]*$|^[^\n]+\n[=-]{3,}[ \t]*$", re.MULTILINE)
_MD_BLOCK = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+|^[ \t]*>[ \t]?|^[ \t]*\|[^\n]*$", re.MULTILINE)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _markdown_page(text: str, name: str) -> Page:
    page = Page(text, name)
    for pattern in (_FRONT_MATTER, _FENCE, _HTML_COMMENT, _INLINE_CODE):
        page.blank_all(pattern, breaks=pattern is _FENCE)
    page.blank_all(_MD_DISPLAY_MATH, breaks=True)
    for match in _MD_INLINE_MATH.finditer(page.text):
        page.keep_plain(match.start(), match.end())
    page.blank_all(_IMAGE)
    for match in _BRACKET.finditer(page.text):
        keys = [(found.group(1) or "").strip("{}") for found in _BRACKET_AT.finditer(match.group(1))]
        page.cite(match.start(), keys, "[" + match.group(1).strip() + "]")
        page.blank(match.start(), match.end())
    for match in _IN_TEXT.finditer(page.text):
        page.cite(match.start(), [match.group(1).strip("{}")], "@" + match.group(1), textual=True)
        page.blank(match.start(), match.end())
    for match in _LINK.finditer(page.text):
        page.blank(match.start(), match.start() + 1)
        page.blank(match.start() + 1 + len(match.group(1)), match.end())
    page.blank_all(_MD_HEADING, breaks=True)
    page.blank_all(_MD_BLOCK, breaks=True)
    page.blank_all(re.compile(r"\*+|(?<!\w)_+|_+(?!\w)|\\(?=[^\w\s])"))
    return page


# -- entry points --------------------------------------------------------------------------------


def decode_draft(
    data: bytes, name: str, problems: list[DraftError], *, expected: str = "LaTeX or Markdown text"
) -> str:
    """UTF-8 text (a BOM is fine); a line that is not UTF-8 is read as Windows-1252 and reported."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if b"\x00" in data[:8192]:
        raise DraftError(name, f"looks like a binary file, expected {expected}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(raw.decode("cp1252", errors="replace"))
            problems.append(DraftError(name, "not UTF-8 text (read as Windows-1252)", line=number))
    return "\n".join(lines)


def detect_kind(name: str, text: str) -> Kind:
    """By the file's extension, else by its content (LaTeX commands or pandoc citations)."""
    suffix = Path(name).suffix.lower()
    if suffix in LATEX_SUFFIXES:
        return "latex"
    if suffix in MARKDOWN_SUFFIXES and suffix != ".txt":
        return "markdown"
    return "latex" if re.search(r"\\(?:[a-zA-Z]*cite[a-zA-Z]*|begin|section)\b", text) else "markdown"


def parse_draft(text: str, *, name: str = "draft", kind: Kind | None = None) -> Draft:
    """Sentences of a draft given as text (``\\input`` is not followed: there is no folder)."""
    kind = kind or detect_kind(name, text)
    if kind == "markdown":
        page = _markdown_page(text, name)
    else:
        page = _latex_page(Path(name), text, name, None, 0, frozenset())
    return Draft(assemble(page), page.problems)


def read_draft(path: Path, *, kind: Kind | None = None) -> Draft:
    """Read a draft file; LaTeX ``\\input`` files inside its folder are followed."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DraftError(path, f"cannot read the draft: {error.strerror or error}") from None
    problems: list[DraftError] = []
    text = decode_draft(data, path.name, problems)
    kind = kind or detect_kind(path.name, text)
    if kind == "markdown":
        page = _markdown_page(text, path.name)
        return Draft(assemble(page), problems + page.problems)
    full = path.resolve()
    return _read_latex(full, full.parent, 0, frozenset({full}))
