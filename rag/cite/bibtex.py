"""BibTeX for the library's papers: safe, stable citation keys and entries that parse back exactly.

Every key any writer emits (.bib, LaTeX ``\\cite``, Markdown, the UI) passes :func:`safe_key`:
BibTeX key characters only (ASCII letters, digits and ``_:.+-``), anything else replaced, so no
key can close a brace, start a field or inject a command. Keys, in order of preference:

1. the user's own key (``paper.bibkey``, kept from a .bib source) when it is already safe, else
   its safe form;
2. ``lastnameYEARword`` (``leviathan2023fast``) when the first author and the year are known:
   lowercase ASCII, the first author's last name ("Last, First" and "First Last" both read), the
   year, and the first title word that is not a stop word;
3. else a slug of the first three significant title words (``fast-inference-transformers``).

:func:`assign_keys` makes keys unique across a set of papers: papers sharing a key get the
suffixes a, b, c... in paper-id order (a user key owned by one paper stays as it is). The result
depends only on the papers, so it never changes between runs on the same library.

:func:`entry` gives a paper read from the user's own .bib back with its own type and fields
(values that use any command outside a short list of harmless ones, or unbalanced braces, are
written escaped instead). Other papers carry everything known, as ``@inproceedings`` (a
conference paper), ``@article`` (venue known) or ``@misc``. Text fields escape LaTeX's special
characters and brace the title words whose capitals a style must keep (``{LLaMA}``, ``{Qwen2.5}``);
:func:`unescape` undoes both, so ``unescape(parsed_title) == paper.title``. URL and DOI fields are
written for ``\\url`` (:func:`url_field`): ``%``, ``#``, ``_`` and ``&`` escaped, so the entry
also compiles where a style's fallback ``\\url`` is plain ``\\texttt`` (no url.sty). No entry
holds a control character (:func:`rag.terminal.writable`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from itertools import count, product
from string import ascii_lowercase

from rag.sources.bibtex_values import safe_key, unescape_url
from rag.sources.latex import clean_latex
from rag.sources.paper import Paper
from rag.terminal import writable


def _words(*lines: str) -> frozenset[str]:
    """The space-separated words of ``lines``, as a set."""
    return frozenset(" ".join(lines).split())


STOPWORDS = _words(
    "a an the and or but nor of on in at to for from by with without via into onto over under about",
    "towards toward through beyond between using is are be being can do does how what why when which",
    "who whose where this that these those it its we our you your not no vs versus",
)
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BALANCED_BRACES = {"{": r"\{", "}": r"\}"}
_UNBALANCED_BRACES = {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"}
_ESCAPED = re.compile(
    r"\\(textbackslash|textasciitilde|textasciicircum|textbraceleft|textbraceright)\{\}|\\([&%$#_{}])|([{}])"
)
_COMMANDS = {
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textbraceleft": "{",
    "textbraceright": "}",
}
# In a URL field: what \\url (hyperref's, or \\texttt where a style falls back to it) reads as the
# character itself, and the characters a URL cannot hold raw, percent-encoded.
_URL_ESCAPED = {"%": r"\%", "#": r"\#", "_": r"\_", "&": r"\&"}
_URL_ENCODED = {char: rf"\%{ord(char):02X}" for char in "{}\\ ^$"}


# -- keys --------------------------------------------------------------------------------------


def ascii_words(text: str) -> list[str]:
    """Lowercase ASCII words of ``text``: accents and apostrophes dropped, the rest split words."""
    folded = unicodedata.normalize("NFKD", re.sub(r"(?<=\w)['\u2019](?=\w)", "", text))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.findall(r"[a-z0-9]+", folded.encode("ascii", "ignore").decode("ascii").lower())


def last_name(author: str) -> str:
    """The family name of "Last, First" or "First Last" (a trailing "Jr." or "III" skipped)."""
    author = author.strip()
    if "," in author:
        return author.split(",", 1)[0].strip()
    words = author.split()
    while len(words) > 1 and words[-1].strip(".").lower() in _SUFFIXES:
        words.pop()
    return words[-1] if words else ""


def _significant(title: str) -> list[str]:
    return [word for word in ascii_words(title) if word not in STOPWORDS]


def base_key(paper: Paper) -> str:
    """The safe key before de-duplication (see the module docstring)."""
    if paper.bibkey:
        return safe_key(paper.bibkey)
    words = _significant(paper.title)
    if paper.authors and paper.year:
        name = "".join(ascii_words(last_name(paper.authors[0])))
        if name:
            return f"{name}{paper.year}{words[0] if words else ''}"
    return safe_key("-".join(words[:3]) or paper.id)


def _letters() -> Iterator[str]:
    """a, b, ..., z, aa, ab, ..."""
    for size in count(1):
        for letters in product(ascii_lowercase, repeat=size):
            yield "".join(letters)


def _suffixed(base: str, letters: str) -> str:
    return f"{base}-{letters}" if "-" in base else base + letters


def assign_keys(papers: Iterable[Paper]) -> dict[str, str]:
    """A unique, deterministic key for each paper: ``{paper_id: key}``."""
    by_id = {paper.id: paper for paper in papers}
    groups: dict[str, list[Paper]] = {}
    for paper_id in sorted(by_id):
        paper = by_id[paper_id]
        groups.setdefault(base_key(paper), []).append(paper)
    keys: dict[str, str] = {}
    clashing: list[tuple[str, list[Paper]]] = []
    for base, members in groups.items():
        owners = [paper for paper in members if paper.bibkey == base]
        keeper = owners[0] if len(owners) == 1 else members[0] if len(members) == 1 else None
        if keeper is not None:
            keys[keeper.id] = base
        rest = [paper for paper in members if paper is not keeper]
        if rest:
            clashing.append((base, rest))
    taken = set(keys.values())
    for base, members in sorted(clashing, key=lambda item: item[0]):
        letters = _letters()
        for paper in members:
            key = _suffixed(base, next(letters))
            while key in taken or key in groups:
                key = _suffixed(base, next(letters))
            keys[paper.id] = key
            taken.add(key)
    return keys


# -- escaping ----------------------------------------------------------------------------------


def _braces_balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _table(text: str) -> dict[str, str]:
    return {**_SPECIALS, **(_BALANCED_BRACES if _braces_balanced(text) else _UNBALANCED_BRACES)}


def escape(text: str) -> str:
    """``text`` with LaTeX's special characters escaped (whitespace collapsed to single spaces).

    Braces become ``\\{`` ``\\}`` when they pair up (BibTeX counts them, escaped or not), else
    ``\\textbraceleft{}`` ``\\textbraceright{}``.
    """
    table = _table(text)
    return "".join(table.get(char, char) for char in " ".join(text.split()))


def _keeps_capitals(word: str) -> bool:
    """Whether a style changing the title's case would damage this word (LLaMA, ASR, Qwen2.5)."""
    letters = [char for char in word if char.isalpha()]
    if any(char.isupper() for char in letters[1:]):
        return True
    return bool(letters) and letters[0].isupper() and any(char.isdigit() for char in word)


def escape_title(title: str) -> str:
    """Escape ``title`` and brace the words whose capitals must survive a bibliography style."""
    table = _table(title)
    words = []
    for word in title.split():
        escaped = "".join(table.get(char, char) for char in word)
        if _keeps_capitals(word):
            # "{\..." would be a BibTeX "special character", whose letters styles do lowercase.
            escaped = "{{" + escaped + "}}" if escaped.startswith("\\") else "{" + escaped + "}"
        words.append(escaped)
    return " ".join(words)


def unescape(value: str) -> str:
    """The plain text of a field written by :func:`escape` or :func:`escape_title`."""

    def plain(match: re.Match[str]) -> str:
        command, escaped, brace = match.groups()
        if command:
            return _COMMANDS[command]
        return escaped or ("" if brace else match.group(0))

    return _ESCAPED.sub(plain, value)


def _author(name: str) -> str:
    escaped = escape(name)
    return "{" + escaped + "}" if re.search(r"\sand\s", name, re.IGNORECASE) else escaped


def url_field(value: str) -> str:
    """A URL or DOI as a .bib field: ``%``, ``#``, ``_`` and ``&`` escaped for ``\\url``; braces,
    backslashes, spaces, ``^`` and ``$`` percent-encoded. A value already escaped stays as it is."""
    raw = unescape_url(value.strip())
    return "".join(_URL_ESCAPED.get(char) or _URL_ENCODED.get(char, char) for char in raw)


# -- entries -----------------------------------------------------------------------------------


def fields(paper: Paper, *, abstract: bool = False) -> dict[str, str]:
    """The entry's fields as they are written (escaped), in order."""
    values: dict[str, str] = {"title": escape_title(paper.title)}
    if paper.authors:
        values["author"] = " and ".join(_author(name) for name in paper.authors)
    if paper.year:
        values["year"] = str(paper.year)
    if paper.venue:
        values["journal"] = escape(paper.venue)
    elif paper.arxiv_id:
        values["howpublished"] = escape(f"arXiv preprint arXiv:{paper.arxiv_id}")
    if paper.doi:
        values["doi"] = url_field(paper.doi)
    if paper.url:
        values["url"] = url_field(paper.url)
    if paper.arxiv_id:
        values["eprint"] = escape(paper.arxiv_id)
        values["archivePrefix"] = "arXiv"
    if abstract and paper.abstract:
        values["abstract"] = escape(paper.abstract)
    return values


_HARMLESS_COMMANDS = _words(
    "emph textit textbf textrm textsf texttt textsc textsl textup textnormal textsuperscript",
    "textsubscript mathrm mathbf mathit mathcal mathbb mathsf ensuremath url mbox",
    "c u v H k d b t r ss o O ae AE aa AA l L i j oe OE ldots dots textendash textemdash",
    "textquoteright textquoteleft textquotedblleft textquotedblright textless textgreater",
    "textbackslash textasciitilde textasciicircum textbraceleft textbraceright textunderscore",
    "LaTeX TeX times cdot pm leq geq approx sim infty to rightarrow leftarrow",
    "alpha beta gamma delta epsilon varepsilon zeta eta theta lambda mu nu xi pi rho sigma tau",
    "phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega ell",
)
_COMMAND = re.compile(r"\\([A-Za-z]+|.?)", re.DOTALL)
_HARMLESS_SYMBOLS = frozenset("'\"`^~=.&%$#_{}- \\,;")
_FIELD_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def _harmless(value: str) -> bool:
    """Whether a raw field value can be written as it is: balanced braces, only harmless commands."""
    if not _braces_balanced(value) or "^^" in value or re.search(r"(?<!\\)[%#]", value):
        return False
    for match in _COMMAND.finditer(value):
        name = match.group(1)
        if name not in _HARMLESS_COMMANDS and not (len(name) == 1 and name in _HARMLESS_SYMBOLS):
            return False
    return True


def _own_entry(paper: Paper, key: str) -> str:
    """The user's own entry: their type and fields, each value as written when harmless."""
    kind = re.sub(r"[^a-z]", "", (paper.entry_type or "misc").lower()) or "misc"
    lines = []
    for name, value in paper.bib_fields:
        if not _FIELD_NAME.match(name):
            continue
        if name.lower() == "url" or name.lower() == "doi":
            written = url_field(value)
        elif _harmless(value):
            written = " ".join(value.split())
        else:
            written = escape(clean_latex(value))
        lines.append(f"  {name} = {{{written}}},\n")
    return writable(f"@{kind}{{{key},\n{''.join(lines)}}}\n")


def entry_type(paper: Paper) -> str:
    """The entry type written for a paper not read from a .bib."""
    if paper.entry_type in ("inproceedings", "conference") and paper.venue:
        return "inproceedings"
    return "article" if paper.venue else "misc"


def entry(paper: Paper, key: str, *, abstract: bool = False) -> str:
    """One BibTeX entry under ``safe_key(key)`` (see the module docstring for its type and fields)."""
    key = safe_key(key)
    if paper.bib_fields:
        return _own_entry(paper, key)
    kind = entry_type(paper)
    values = fields(paper, abstract=abstract)
    if kind == "inproceedings":
        values = {("booktitle" if name == "journal" else name): value for name, value in values.items()}
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in values.items())
    return writable(f"@{kind}{{{key},\n{body}}}\n")


def bibliography(papers: Iterable[Paper], keys: Mapping[str, str], *, abstract: bool = False) -> str:
    """Entries for ``papers`` (in the order given), separated by blank lines."""
    return "\n".join(entry(paper, keys[paper.id], abstract=abstract) for paper in papers)
