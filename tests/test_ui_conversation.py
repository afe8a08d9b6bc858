"""A page's questions are answered one at a time, in the order asked: one asked while an answer is
written waits, shown as waiting, and is answered next; none is dropped."""

from __future__ import annotations

import copy

from rag.index.library import Library
from ui import chat
from ui.conversation import Conversation
from ui.panel import Options

FIRST = "Which papers accelerate LLM inference with speculative decoding?"
SECOND = "How can speech be turned into discrete tokens for language models?"
THIRD = "What neural audio codecs use residual vector quantization?"


def test_a_question_asked_while_one_is_answered_waits_then_is_answered(bundled: Library) -> None:
    talk = copy.deepcopy(Conversation())  # as gradio gives each page its own
    options = Options()
    first = chat.ask_in_turn(FIRST, talk, library=bundled, options=options)
    assert f"{FIRST}</div>" in next(first)  # the first question shows, its answer is being written
    assert talk.busy and [turn.question for turn in talk.turns] == [FIRST]

    second = chat.ask_in_turn(SECOND, talk, library=bundled, options=options)
    third = chat.ask_in_turn(THIRD, talk, library=bundled, options=options)
    page = next(second)  # shown at once, as waiting, not dropped
    assert talk.waiting == [SECOND] and 'class="msg user queued"' in page and "Waiting" in page
    page = next(third)
    assert talk.waiting == [SECOND, THIRD] and page.index(SECOND) < page.index(THIRD)

    pages = list(first)  # the first answer finishes, showing the questions still to come
    assert "footnote" in pages[-1] and SECOND in pages[-1] and THIRD in pages[-1]
    assert list(second)[-1].count('class="turn"') == 2
    assert talk.waiting == [THIRD]
    last = list(third)[-1]
    assert [turn.question for turn in talk.turns] == [FIRST, SECOND, THIRD]
    assert all(turn.answer is not None for turn in talk.turns)
    assert last.count('class="turn"') == 3 and "queued" not in last and not talk.busy


def test_each_page_has_its_own_conversation_and_lock() -> None:
    initial = Conversation()
    one, two = copy.deepcopy(initial), copy.deepcopy(initial)
    one.waiting.append(FIRST)
    with one.lock:
        assert one.busy and not two.busy and not two.lock.locked()
    assert two.turns == [] and two.waiting == []


def test_an_empty_question_adds_nothing_and_waits_for_nothing(bundled: Library) -> None:
    talk = Conversation()
    pages = list(chat.ask_in_turn("   ", talk, library=bundled, options=Options()))
    assert len(pages) == 1 and chat.EMPTY_QUESTION in pages[0]
    assert talk.turns == [] and talk.waiting == [] and not talk.busy
