"""Turn LaTeX in scraped titles and abstracts into the plain text it stands for.

The parsing is :mod:`pylatexenc`'s (``latex2text``): accents, macros with arguments (``\\emph{x}``,
unknown ``\\bioname{Fishes}``), escaped specials, Greek letters and symbols (``$\\times$``), and
math kept readable (``$x^2$`` stays ``x^2``, ``$\\alpha$`` becomes a Greek alpha). What we add around it:

- text that shows no sign of LaTeX is returned as it is (a plain ``50% better`` is not a comment);
- a bare ``%``, ``&`` or ``#`` is a character, and a lone ``$`` is a dollar sign, not the start of math;
- ``~`` is a space only between two words (``a ~24x speedup`` keeps its tilde), and URLs are
  never touched;
- a few macros the library's tables lack (``\\textless``, ``\\eg``, ``\\mbox``, ``\\href``...);
- text that still reads as LaTeX after one pass (a Zotero export of an abstract that held LaTeX
  source: ``{\\textbackslash}emph\\{...\\}``) gets a second pass;
- the parser recurses once per level of nesting and slows on long input, so text nested deeper
  than :data:`MAX_DEPTH` (:func:`nesting_depth`) or longer than :data:`MAX_CHARS` is never given
  to it: its braces are dropped and its words kept. A reader rejects such a field before it gets
  here (:func:`rag.sources.paper.make_paper`).
"""

from __future__ import annotations

import re
from functools import cache

from pylatexenc import macrospec
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec
from pylatexenc.latex2text import get_default_latex_context_db as text_context
from pylatexenc.latexwalker import LatexWalker, LatexWalkerError
from pylatexenc.latexwalker import get_default_latex_context_db as walker_context

_URL = re.compile(r"(?<!\{)(?:https?://|www\.)[^\s{}]+")
_LOOKS_LATEX = re.compile(r"\\[A-Za-z]|\\[^A-Za-z\s]|\$[^$]+\$|\{|(?<=\S)~(?=\S)")
_MACRO_LEFT = re.compile(r"\\[A-Za-z]")
_BARE_SPECIAL = re.compile(r"(?<!\\)([%&#])")
_LOOSE_TILDE = re.compile(r"(?:(?<=\s)|^)~|~(?=\s|$)")
_ABBREVIATIONS = re.compile(r"\\(eg|ie|etal)(?![A-Za-z])\s?")
_DOLLAR = re.compile(r"(?<!\\)\$")
_ROMAN_NUMERAL = re.compile(r"\\(romannumeral|Romannumeral)\s*(\d{1,3})(?!\d)")
_NUMERALS = (
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
)
_SPACES = re.compile(r"[ \t\xa0]+")
_BRACES = re.compile(r"(?<!\\)[{}]")
# What opens or closes a level of nesting for the parser: environments, display and inline math,
# groups, dollar math, and the optional argument of a macro (a bracket elsewhere is a character).
_NESTING = re.compile(
    r"(?P<open>\\begin(?![A-Za-z])|\\[\[(]|\{)|(?P<close>\\end(?![A-Za-z])|\\[\])]|\})"
    r"|(?P<option>\\[A-Za-z]+\*?\s*\[)|\\.|(?P<math>\$\$?)|(?P<bracket>[\[\]])",
    re.S,
)

MAX_DEPTH = 32
"""The deepest nesting the parser is given (it recurses per level and fails past about 120)."""
MAX_CHARS = 100_000
"""The longest text the parser is given (it takes seconds per hundred thousand characters)."""

_SIMPLE = {
    "textless": "<",
    "textgreater": ">",
    "textbar": "|",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textunderscore": "_",
    "textdollar": "$",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
}
_ABBREVIATION_TEXT = {"eg": "e.g.", "ie": "i.e.", "etal": "et al."}
_KEEP_ARGUMENT = ("mbox", "texttt", "textsf", "textsc", "textrm", "textmd", "textsl", "textup", "url")


def _link_text(node: object, l2tobj: LatexNodes2Text) -> str:
    parsed = getattr(node, "nodeargd", None)
    arguments = parsed.argnlist if parsed is not None else []
    return l2tobj.nodelist_to_text([arguments[-1]]) if arguments and arguments[-1] is not None else ""


@cache
def _converter() -> tuple[LatexNodes2Text, object]:
    walker = walker_context()
    walker.add_context_category(
        "litrev", prepend=True, macros=[macrospec.MacroSpec("href", "{{"), macrospec.MacroSpec("cite", "[{")]
    )
    text = text_context()
    text.add_context_category(
        "litrev",
        prepend=True,
        macros=[
            *(MacroTextSpec(name, simplify_repl=value) for name, value in _SIMPLE.items()),
            *(MacroTextSpec(name, discard=False) for name in _KEEP_ARGUMENT),
            MacroTextSpec("href", simplify_repl=_link_text),
            MacroTextSpec("cite", discard=True),
        ],
    )
    return LatexNodes2Text(latex_context=text, math_mode="text", strict_latex_spaces=True), walker


def _roman(match: re.Match[str]) -> str:
    """TeX's ``\\romannumeral`` primitive (a number, not a macro, so no table has it)."""
    number, numeral = int(match.group(2)), ""
    for value, letters in (
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        count, number = divmod(number, value)
        numeral += letters * count
    return numeral.upper() if match.group(1) == "Romannumeral" else numeral


def nesting_depth(text: str) -> int:
    """How deeply groups, environments, math and optional arguments nest in ``text``.

    A closer closes one level whatever it opened, so a mismatched one never hides depth.
    """
    stack: list[str] = []
    deepest = 0
    for match in _NESTING.finditer(text):
        kind, token = match.lastgroup, match.group(0)
        if kind in ("open", "option") or (token == "[" and stack[-1:] == ["["]):
            stack.append("[" if kind == "option" else token)
        elif (kind == "close" or (token == "]" and stack[-1:] == ["["])) and stack:
            stack.pop()
        elif kind == "math":
            if stack[-1:] == [token]:
                stack.pop()
            else:
                stack.append(token)
        deepest = max(deepest, len(stack))
    return deepest


def _prepare(text: str) -> str:
    text = _ROMAN_NUMERAL.sub(_roman, text)
    text = _ABBREVIATIONS.sub(lambda m: _ABBREVIATION_TEXT[m.group(1)] + " ", text)
    text = _BARE_SPECIAL.sub(r"\\\1", text)
    text = _LOOSE_TILDE.sub(r"\\textasciitilde{}", text)
    if len(_DOLLAR.findall(text)) % 2:
        text = _DOLLAR.sub(r"\\$", text)  # an odd number of dollars: none of them opens math
    return text


def _convert(text: str) -> str:
    converter, walker_db = _converter()
    try:
        nodes, _, _ = LatexWalker(
            _prepare(text), latex_context=walker_db, tolerant_parsing=True
        ).get_latex_nodes()
        plain = converter.nodelist_to_text(nodes)
    except (LatexWalkerError, IndexError, KeyError, ValueError, TypeError, RecursionError):
        return text  # a construct the library cannot handle: keep the words rather than lose them
    if plain.count("{") != plain.count("}"):
        plain = plain.replace("{", "").replace("}", "")  # stray braces the parser left as text
    return _SPACES.sub(" ", plain)


def _clean_segment(text: str) -> str:
    if not _LOOKS_LATEX.search(text):
        return text
    lead = text[: len(text) - len(text.lstrip())]
    tail = text[len(text.rstrip()) :]
    plain = _convert(text)
    if _MACRO_LEFT.search(plain):
        plain = _convert(plain)
    return lead + plain.strip() + tail if plain.strip() else lead + tail


def clean_latex(text: str) -> str:
    """Return ``text`` with LaTeX replaced by the characters it means (URLs left as they are)."""
    if not _LOOKS_LATEX.search(text):
        return text
    if len(text) > MAX_CHARS or nesting_depth(text) > MAX_DEPTH:
        return _SPACES.sub(" ", _BRACES.sub("", text))  # too much for the parser: keep the words
    parts: list[str] = []
    last = 0
    for url in _URL.finditer(text):
        parts.append(_clean_segment(text[last : url.start()]))
        parts.append(url.group(0))
        last = url.end()
    parts.append(_clean_segment(text[last:]))
    return "".join(parts)
