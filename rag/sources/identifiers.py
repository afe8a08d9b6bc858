"""DOIs and arXiv identifiers in text (a PDF, a .bib field, a record), written one way for comparing.

Takes text; gives identifiers, normalised: a DOI lowercased without its resolver
(``10.5555/abc.42``), an arXiv id without ``arXiv:``, URL or version (``2401.01234``,
``hep-th/9901001``).

- A DOI is ``10.`` then a registrant code of 4 to 9 digits, ``/`` and a suffix (Crossref's
  pattern), with trailing punctuation and an unbalanced closing bracket left off.
- A new-style arXiv id (``YYMM.NNNNN``) counts only after ``arXiv`` or an arxiv.org URL, as a
  bare ``2401.01234`` could be any number; an old-style id (``hep-th/9901001``, ``math.AG/0101001``)
  counts anywhere, its archive name being specific enough.
- arXiv's margin stamp (``arXiv:2401.01234v2 [cs.CL] 3 Jan 2024``) names the paper itself, so
  stamped ids come first.
"""

from __future__ import annotations

import re

_DOI = re.compile(r"\b10\.\d{4,9}/[^\s\"<>{}|\\^`]+")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ARCHIVES = (
    r"astro-ph|cond-mat|gr-qc|hep-ex|hep-lat|hep-ph|hep-th|math-ph|nlin|nucl-ex|nucl-th|physics|"
    r"quant-ph|math|cs|q-bio|q-fin|stat|chao-dyn|solv-int|patt-sol|adap-org|cmp-lg|comp-gas|"
    r"supr-con|chem-ph|alg-geom|dg-ga|funct-an|q-alg|mtrl-th|acc-phys|ao-sci|atom-ph|bayes-an|plasm-ph"
)
_OLD_ID = rf"(?:{_ARCHIVES})(?:\.[A-Z]{{2}})?/\d{{7}}"
_NEW_ID = r"\d{4}\.\d{4,5}"
_ARXIV_NEW = re.compile(rf"arxiv(?:\.org/(?:abs|pdf)/|\s*:\s*|\s+)({_NEW_ID})(?:v\d+)?(?!\d)", re.IGNORECASE)
_ARXIV_OLD = re.compile(rf"(?<![\w.-])({_OLD_ID})(?:v\d+)?(?!\d)", re.IGNORECASE)
_STAMP = re.compile(rf"arxiv:\s*({_NEW_ID}|{_OLD_ID})(?:v\d+)?\s*\[[\w.-]+\]", re.IGNORECASE)
_ANY_ARXIV = re.compile(rf"({_NEW_ID}|{_OLD_ID})(?:v\d+)?", re.IGNORECASE)
_TRAILING = ".,;:'\""


def find_dois(text: str) -> list[str]:
    """The DOIs in ``text``, normalised, in order, each once."""
    found = (_tidy_doi(match.group(0)) for match in _DOI.finditer(text))
    return list(dict.fromkeys(doi for doi in found if doi))


def find_arxiv_ids(text: str) -> list[str]:
    """The arXiv ids in ``text``, normalised, each once: margin stamps first, then in order."""
    stamped = [match.group(1) for match in _STAMP.finditer(text)]
    new = [(match.start(), match.group(1)) for match in _ARXIV_NEW.finditer(text)]
    old = [(match.start(), match.group(1)) for match in _ARXIV_OLD.finditer(text)]
    ordered = stamped + [found for _, found in sorted(new + old)]
    return list(dict.fromkeys(found.lower() for found in ordered))


def normal_doi(value: str | None) -> str | None:
    """A DOI as written in a record (``https://doi.org/10.1/X``, ``doi:10.1/x``) in normal form."""
    if not value:
        return None
    doi = _tidy_doi(_DOI_PREFIX.sub("", value.strip()))
    return doi or None


def normal_arxiv(value: str | None) -> str | None:
    """An arXiv id as written in a record (``arXiv:2401.01234v2``, a URL) in normal form."""
    if not value:
        return None
    match = _ANY_ARXIV.search(value)
    return match.group(1).lower() if match else None


def _tidy_doi(doi: str) -> str:
    doi = doi.strip().rstrip(_TRAILING)
    while doi.endswith((")", "]")) and doi.count(doi[-1]) > doi.count("(" if doi[-1] == ")" else "["):
        doi = doi[:-1].rstrip(_TRAILING)
    return doi.lower()
