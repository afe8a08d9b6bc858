"""HTML of the Ask tab: answers with their citations, and the conversation, from the templates.

Citation markers are ``<button class="cite" data-target=ID>`` elements; ``static/answers.js``
(run by the ``gr.HTML`` components that show answers) opens the paper card with that id when one
is clicked, and the card's own summary line opens it too, without any script.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from rag.answers.answer import Answer, Citation, SentenceCheck
from rag.grounding.citations import MARKER, split_sentences
from rag.sources.body_text import Passage
from rag.sources.corpus import Paper
from ui.conversation import Turn
from ui.passages import PassageKey
from ui.render import card_values, render

FOLD_AT = 320
"""Questions longer than this (in characters) are shown folded, their start as the summary."""
FOLDED_CHARS = 200

_BULLET = re.compile(r"^\s*[-*•]\s+")


def _flag_note(check: SentenceCheck) -> str:
    if check.score is None:
        return "uncited: no source backs this sentence"
    cited = ", ".join(f"[{n}]" for n in check.markers)
    return f"not supported by {cited} (support {check.score:.2f})"


def _pieces(sentence: str, citations: Mapping[int, Citation], prefix: str) -> list[dict[str, Any]]:
    """The sentence as text pieces and citation markers (each opens source n; a marker with the
    page of a PDF's passage, ``[1, p. 3]``, keeps its page)."""
    pieces: list[dict[str, Any]] = []
    position = 0
    for match in MARKER.finditer(sentence):
        pieces.append({"text": sentence[position : match.start()], "target": None})
        numbers = [int(n) for n in match.group(1).split(",")]
        for number in numbers:
            label = f"{number}, {match.group(2)}" if match.group(2) and number == numbers[-1] else str(number)
            citation = citations.get(number)
            if citation is None:
                pieces.append({"text": f"[{label}]", "target": None})
            else:
                pieces.append({"target": f"{prefix}-c{number}", "title": citation.title, "label": label})
        position = match.end()
    pieces.append({"text": sentence[position:], "target": None})
    return pieces


def answer_blocks(answer: Answer, prefix: str) -> list[dict[str, Any]]:
    """The answer body: bullet lines as one list, prose lines as paragraphs; each sentence as
    pieces, with its flag when the citation check did not support it."""
    citations = {citation.marker: citation for citation in answer.citations}
    lines = [line for line in answer.answer.splitlines() if line.strip()]
    per_line = [split_sentences(line) for line in lines]
    checks: list[SentenceCheck | None] = list(answer.sentences)
    if len(checks) != sum(len(sentences) for sentences in per_line):
        checks = [None] * sum(len(sentences) for sentences in per_line)  # not from this text
    blocks: list[dict[str, Any]] = []
    index = 0
    for line, sentences in zip(lines, per_line, strict=True):
        rendered = []
        for sentence in sentences:
            check = checks[index]
            index += 1
            flag = _flag_note(check) if check is not None and not check.supported else ""
            rendered.append({"pieces": _pieces(_BULLET.sub("", sentence), citations, prefix), "flag": flag})
        bullet = bool(_BULLET.match(line))
        if bullet and blocks and blocks[-1]["bullets"]:
            blocks[-1]["lines"].append(rendered)
        else:
            blocks.append({"bullets": bullet, "lines": [rendered]})
    return blocks


def answer_html(
    answer: Answer,
    papers: Mapping[str, Paper],
    prefix: str,
    note: str | None = None,
    passages: Mapping[PassageKey, Passage] | None = None,
) -> str:
    """A finished answer: notice, text, its sources (cards), or an abstention with pointers. A
    source whose sentence is from the paper's PDF shows its page and section, and its card opens
    on the passage (from ``passages``, see :mod:`ui.passages`) with the sentence marked."""
    passages = passages or {}
    if answer.abstained:
        cards = [
            card_values(
                title=item.title,
                element_id=f"{prefix}-e{item.rank}",
                paper=papers.get(item.paper_id),
                year=item.year,
                sentence=item.sentence,
                place=item.place,
                passage=passages.get((item.paper_id, item.sentence)),
            )
            for item in answer.evidence[:3]
        ]
        blocks: list[dict[str, Any]] = []
    else:
        cards = [
            card_values(
                title=citation.title,
                element_id=f"{prefix}-c{citation.marker}",
                badge=f"[{citation.marker}]",
                paper=papers.get(citation.paper_id),
                year=citation.year,
                venue=citation.venue,
                url=citation.url,
                sentence=citation.sentence,
                span=citation.span,
                place=citation.place,
                passage=passages.get((citation.paper_id, citation.sentence)),
            )
            for citation in answer.citations
        ]
        blocks = answer_blocks(answer, prefix)
    seconds = answer.timings.get("total_ms", 0.0) / 1000
    return render(
        "answer.html",
        answer=answer,
        removed=answer.removal_note(),
        cards=cards,
        blocks=blocks,
        seconds=seconds,
        note=note,
    )


def conversation(turns: Sequence[Turn], note: str | None = None, waiting: Sequence[str] = ()) -> str:
    """The whole chat, oldest turn first (the last one may still be streaming), the questions
    ``waiting`` for it to finish, and ``note`` (say, for a question that was empty) below it."""
    views = []
    for number, turn in enumerate(turns, start=1):
        long = len(turn.question) > FOLD_AT
        views.append(
            {
                "question": turn.question,
                "folded": turn.question[:FOLDED_CHARS].rstrip() if long else "",
                "length": f"{len(turn.question):,}",
                "query": turn.query,
                "error": turn.error,
                "text": turn.text,
                "answer_html": (
                    Markup(answer_html(turn.answer, turn.papers, f"t{number}", turn.note, turn.passages))
                    if turn.answer is not None
                    else None
                ),
            }
        )
    return render("conversation.html", turns=views, note=note, waiting=list(waiting))
