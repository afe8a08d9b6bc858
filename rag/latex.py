"""Turn LaTeX leftovers in scraped titles and abstracts into the plain text they stand for.

Only markup whose meaning is unambiguous is rewritten (escaped specials, accents, ties, a few
named symbols, font commands). Math (``$...$``) and anything unknown is left as it is, and URLs
are never touched (``~user`` in a URL is a path, not a tie).
"""

from __future__ import annotations

import re
import unicodedata

_ACCENTS = {
    '"': "\u0308",  # diaeresis: na\"ive -> naïve
    "'": "\u0301",  # acute
    "`": "\u0300",  # grave
    "^": "\u0302",  # circumflex
    "~": "\u0303",  # tilde
    "=": "\u0304",  # macron
    ".": "\u0307",  # dot above
    "u": "\u0306",  # breve
    "v": "\u030c",  # caron
    "H": "\u030b",  # double acute
    "c": "\u0327",  # cedilla
    "k": "\u0328",  # ogonek
}
_NAMED = {
    "textless": "<",
    "textgreater": ">",
    "textasciitilde": "~",
    "textbar": "|",
    "textbackslash": "\\",
    "ldots": "...",
    "dots": "...",
    "textendash": "\u2013",
    "textemdash": "\u2014",
    "eg": "e.g.",
    "ie": "i.e.",
    "etal": "et al.",
    "ss": "\u00df",
    "o": "\u00f8",
    "O": "\u00d8",
    "ae": "\u00e6",
    "AE": "\u00c6",
    "aa": "\u00e5",
    "AA": "\u00c5",
    "l": "\u0142",
    "L": "\u0141",
    "i": "\u0131",
}
_FONT_COMMANDS = ("textit", "textbf", "emph", "textrm", "textsf", "texttt", "textsc", "mbox", "url")
_ROMAN = {1: "i", 2: "ii", 3: "iii", 4: "iv", 5: "v", 6: "vi", 7: "vii", 8: "viii", 9: "ix", 10: "x"}

_URL = re.compile(r"(?:https?://|www\.)\S+")
_SPECIAL = re.compile(r"\\([%&_#$])")
_ACCENT = re.compile(r"""\{?\\(["'`^~=.]|[uvHck](?=[{\s]))\s*(?:\{(\w)\}|(\w))\}?""")
_ROMANNUMERAL = re.compile(r"\{?\\(romannumeral|Romannumeral)\s*(\d+)\}?")
_FONT = re.compile(r"\\(?:" + "|".join(_FONT_COMMANDS) + r")\{([^{}]*)\}")
_NAMED_CMD = re.compile(
    r"\{?\\(" + "|".join(sorted(_NAMED, key=len, reverse=True)) + r")(?![A-Za-z])\}?(\s?)"
)
_TIE = re.compile(r"(?<=\S)~(?=\S)")


def _accent(match: re.Match[str]) -> str:
    mark = _ACCENTS[match.group(1)]
    letter = match.group(2) or match.group(3)
    return unicodedata.normalize("NFC", letter + mark)


def _roman(match: re.Match[str]) -> str:
    numeral = _ROMAN.get(int(match.group(2)))
    if numeral is None:
        return match.group(0)
    return numeral.upper() if match.group(1) == "Romannumeral" else numeral


def _named(match: re.Match[str]) -> str:
    name, space = match.group(1), match.group(2)
    value = _NAMED[name]
    # `\eg ELMER` keeps its space; `\ss{}`-style symbols glue to the next letter.
    return value + space if name in {"eg", "ie", "etal"} or not value.isalpha() else value


def _clean_segment(text: str) -> str:
    text = _SPECIAL.sub(r"\1", text)
    text = _ROMANNUMERAL.sub(_roman, text)
    text = _ACCENT.sub(_accent, text)
    text = _FONT.sub(r"\1", text)
    text = _NAMED_CMD.sub(_named, text)
    return _TIE.sub(" ", text)


def clean_latex(text: str) -> str:
    """Return ``text`` with LaTeX leftovers replaced by the characters they mean."""
    if "\\" not in text and "~" not in text:
        return text
    parts: list[str] = []
    last = 0
    for url in _URL.finditer(text):
        parts.append(_clean_segment(text[last : url.start()]))
        parts.append(url.group(0))
        last = url.end()
    parts.append(_clean_segment(text[last:]))
    return "".join(parts)
