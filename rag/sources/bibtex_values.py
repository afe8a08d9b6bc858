"""Values as BibTeX spells them, read back by the readers and written by :mod:`rag.cite.bibtex`.

A citation key in its safe form (only the characters a key may hold), and a URL or DOI field
written for ``\\url`` read back to the plain URL.
"""

from __future__ import annotations

import re
import unicodedata

_URL_ESCAPE = re.compile(r"\\([%#_&])")

_UNSAFE_KEY = re.compile(r"[^A-Za-z0-9_:.+-]+")


def safe_key(key: str) -> str:
    """``key`` with only BibTeX key characters (``ev$il#%&`` -> ``ev-il``); a safe key is kept."""
    folded = unicodedata.normalize("NFKD", key)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    safe = _UNSAFE_KEY.sub("-", folded).strip("-:.+")
    if not safe:
        return "key"
    return safe if safe[0].isalnum() else "k" + safe


def unescape_url(value: str) -> str:
    """A URL or DOI as read from a .bib field written for ``\\url`` (``a\\_b\\%20c`` -> ``a_b%20c``)."""
    return _URL_ESCAPE.sub(r"\1", value)
