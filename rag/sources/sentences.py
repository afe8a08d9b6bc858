"""The sentences of a paper's text: character spans from the Punkt tokenizer llama-index uses.

Sentence spans (for citing the exact supporting sentence) come from the same Punkt tokenizer
that llama-index's ``SentenceSplitter`` uses for chunks. Importing that tokenizer (nltk, which
imports scipy and scikit-learn) takes seconds, so spans are memoised by text and the memo of the
indexed abstracts is kept in ``LITREV_HOME/sentences.json`` (:func:`save_spans` at ingest,
:func:`load_spans` when a library opens): a query computes no span and imports neither
llama-index nor nltk.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nltk.tokenize.punkt import PunktSentenceTokenizer

_SPANS: dict[str, tuple[tuple[int, int], ...]] = {}
"""Sentence spans by text digest: a memo of :func:`sentence_spans`, whatever filled it."""


@cache
def _punkt() -> PunktSentenceTokenizer:
    """The tokenizer ``SentenceSplitter`` splits sentences with (llama-index's ``globals_helper``)."""
    from llama_index.core.utils import globals_helper

    return globals_helper.punkt_tokenizer


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``, trailing whitespace excluded."""
    key = _digest(text)
    known = _SPANS.get(key)
    if known is None:
        spans = []
        for start, end in _punkt().span_tokenize(text):
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
        known = _SPANS[key] = tuple(spans)
    return list(known)


def save_spans(path: Path, texts: Iterable[str]) -> None:
    """Write the sentence spans of ``texts`` (computing those not memoised yet) to ``path``."""
    spans = {_digest(text): sentence_spans(text) for text in texts}
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(spans, separators=(",", ":")), encoding="utf-8")
    os.replace(partial, path)


def load_spans(path: Path) -> None:
    """Memoise the spans :func:`save_spans` wrote; a missing or unreadable file only costs time."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        _SPANS.update((key, tuple((int(s), int(e)) for s, e in spans)) for key, spans in saved.items())
    except (OSError, ValueError, TypeError, AttributeError):
        return
