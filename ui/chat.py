"""The Ask tab: a conversation of cited answers, streamed as they are written.

A follow-up is first rewritten into a standalone query (:func:`rag.answers.followup.standalone`), by the
chosen model if there is one, and its extractive answer quotes sentences the conversation has not
shown yet where the papers have them. Everything here reads the library under its read lock, so any
number of questions run at once while an ingest waits for them. Within one page, questions are
answered in the order asked (:func:`ask_in_turn`): one asked while an answer is written waits,
shown as waiting, and the question box stays free to type in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from rag.answers.answer import Answer, answer_stream
from rag.answers.followup import Rewrite, standalone
from rag.errors import LitrevError
from rag.index.library import Library
from rag.llm.generate import Generator
from rag.retrieval.filter_note import excluded_note
from ui import chat_html
from ui.boundary import shielded
from ui.conversation import Conversation, Turn
from ui.panel import Options
from ui.passages import find_passages
from ui.shelf import all_papers

EMPTY_QUESTION = "Type a question first: every sentence of the answer will cite a paper of your library."

Update = tuple[str, list[Turn]]


def _rewrite(question: str, turns: Sequence[Turn], generator: Generator) -> Rewrite:
    history = [turn.query for turn in turns if turn.error is None]
    return standalone(question, history, complete=getattr(generator, "complete", None))


def _shown(turns: Sequence[Turn]) -> str:
    """What the conversation's answers quoted so far (a follow-up quotes something new)."""
    return "\n".join(
        turn.answer.answer for turn in turns if turn.answer is not None and not turn.answer.abstained
    )


def _failed(message: str, last: Update | None) -> Update:
    if last is None:  # nothing shown yet
        return chat_html.conversation([], note=message), []
    turns = last[1]
    turns[-1].error = message
    return chat_html.conversation(turns), turns


@shielded(_failed)
def ask(
    question: str,
    turns: Sequence[Turn],
    *,
    library: Library,
    options: Options | Sequence[Any],
    waiting: Sequence[str] = (),
) -> Iterator[Update]:
    """Answer ``question`` in the conversation ``turns``: yields (chat HTML, turns) as it streams;
    the questions ``waiting`` for it are shown below it (read at each yield)."""
    question = " ".join((question or "").split())
    turns = list(turns)
    if not question:
        yield chat_html.conversation(turns, note=EMPTY_QUESTION, waiting=waiting), turns
        return
    turn = Turn(question=question, query=question)
    turns.append(turn)
    yield chat_html.conversation(turns, waiting=waiting), turns  # shown at once, before any model call
    options = Options.of(options)
    with library.reading():
        generator = options.generator(library)
        rewrite = _rewrite(question, turns[:-1], generator)
        turn.query, turn.rewrite = rewrite.query, rewrite.method
        yield chat_html.conversation(turns, waiting=waiting), turns
        asked = question if rewrite.method == "terms" else None  # quote sentences about the follow-up
        for event in answer_stream(
            turn.query,
            library=library,
            generator=generator,
            k=options.k,
            filters=options.filters(),
            asked=asked,
            shown=_shown(turns[:-1]) if rewrite.method != "none" else "",
        ):
            if isinstance(event, Answer):
                turn.answer = event
            else:
                turn.text += event
                yield chat_html.conversation(turns, waiting=waiting), turns
        if turn.answer is None:
            raise LitrevError("the answer stream ended without an answer")
        shown = [c.paper_id for c in turn.answer.citations] + [e.paper_id for e in turn.answer.evidence[:3]]
        turn.papers = library.store.get_papers(shown)
        cited = [(c.paper_id, c.page, c.sentence) for c in turn.answer.citations]
        pointed = [(e.paper_id, e.page, e.sentence) for e in turn.answer.evidence[:3]]
        turn.passages = find_passages(library, turn.papers, cited + pointed)
        if turn.answer.abstained:
            turn.note = excluded_note(all_papers(library), options.year_from, options.year_to)
    yield chat_html.conversation(turns, waiting=waiting), turns


def ask_in_turn(
    question: str, conversation: Conversation, *, library: Library, options: Options | Sequence[Any]
) -> Iterator[str]:
    """Answer ``question`` in the page's ``conversation`` once the answers asked before it are
    done: yields the chat HTML, first with the question shown as waiting if one is being answered.
    The conversation's turns are updated as the answer streams."""
    question = " ".join((question or "").split())
    if not question:
        yield chat_html.conversation(conversation.turns, note=EMPTY_QUESTION, waiting=conversation.waiting)
        return
    conversation.waiting.append(question)
    if conversation.lock.locked():
        yield chat_html.conversation(conversation.turns, waiting=conversation.waiting)
    with conversation.lock:
        conversation.waiting.remove(question)
        chat = conversation.chat
        for page, turns in ask(
            question, conversation.turns, library=library, options=options, waiting=conversation.waiting
        ):
            if conversation.chat != chat:
                return  # "New chat" was pressed: this answer belongs to the old one
            conversation.turns = turns
            yield page


def answer_json(question: str, *, library: Library, options: Options | Sequence[Any]) -> dict:
    """One standalone question answered, as the JSON of :class:`rag.answers.answer.Answer` (plus
    ``filter_note`` when the year filter left papers out of an abstention)."""
    if not (question or "").strip():
        raise LitrevError("the question is empty")
    options = Options.of(options)
    final = None
    with library.reading():
        for event in answer_stream(
            question.strip(),
            library=library,
            generator=options.generator(library),
            k=options.k,
            filters=options.filters(),
        ):
            if isinstance(event, Answer):
                final = event
        if final is None:
            raise LitrevError("the answer stream ended without an answer")
        data = final.model_dump(mode="json")
        if final.abstained:
            data["filter_note"] = excluded_note(all_papers(library), options.year_from, options.year_to)
    return data
