"""The Ask tab's conversation: one :class:`Turn` per question, kept in the page's state.

A page's questions are answered one at a time, in the order asked: a question asked while an
answer is being written waits in :attr:`Conversation.waiting` (the chat shows it as such) until
the answer before it is done; none is dropped.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from typing import Any

from rag.answers.answer import Answer
from rag.sources.body_text import Passage
from rag.sources.corpus import Paper


@dataclass
class Turn:
    """One question of the conversation and its answer (``answer`` is None while streaming)."""

    question: str
    query: str
    """The standalone query retrieval used (the question itself unless it was a follow-up)."""
    rewrite: str = "none"
    text: str = ""
    """The answer as streamed so far."""
    answer: Answer | None = None
    papers: dict[str, Paper] = field(default_factory=dict)
    """The cited (or pointed-to) papers, for their abstracts."""
    passages: dict[tuple[str, str], Passage] = field(default_factory=dict)
    """The PDF passages cited sentences are in, by (paper id, sentence): see :mod:`ui.passages`."""
    error: str | None = None
    note: str | None = None
    """What the filters left out, when that may be why the answer abstained."""


class Conversation:
    """One page's conversation: its turns, the questions waiting for the answer in progress, and
    the lock held while a question is answered (one at a time per page; other pages run at once).

    The page's state holds one for each visitor (gradio copies the initial one: a copy gets a lock
    of its own). A plain class, not a dataclass: gradio would copy a dataclass field by field to
    describe the page, lock included."""

    def __init__(self, turns: list[Turn] | None = None, waiting: list[str] | None = None, chat: int = 0):
        self.turns: list[Turn] = turns or []
        self.waiting: list[str] = waiting or []
        """Questions asked while another was answered, oldest first."""
        self.chat = chat
        """Which chat this is: "New chat" counts up, and an answer of an earlier chat stops showing."""
        self.lock = threading.Lock()

    def __deepcopy__(self, memo: dict[int, Any]) -> Conversation:
        return Conversation(copy.deepcopy(self.turns, memo), list(self.waiting), self.chat)

    @property
    def busy(self) -> bool:
        """Whether an answer is being written, or questions wait for one."""
        return self.lock.locked() or bool(self.waiting)
