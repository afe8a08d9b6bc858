"""A model server's reply, bounded and named: what litrev accepts from an OpenAI-compatible server.

- :func:`bounded` passes a reply on piece by piece, but ends it with :class:`GenerationError` once
  it has taken longer than its time budget (``llm.timeout``, checked on every piece, also those
  already received and waiting) or grown past its character cap (``llm.max_reply_chars``), so a
  server that drips, floods or never ends a sentence costs at most the budget and the cap.
- :func:`describe` says in a few words what a server sent when it was not an event stream (a JSON
  error, a whole non-streamed reply, an HTML page), for the one-line "malformed reply" error; it
  reads at most the first 2 KB of the body.
"""

from __future__ import annotations

import json
import queue
import re
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

from rag.errors import GenerationError
from rag.terminal import one_line

SHOWN = 120
"""Characters of a server's own text (an error message, the start of a body) quoted in an error."""


def bounded(pieces: Iterator[str], seconds: float, max_chars: int, who: str) -> Iterator[str]:
    """Yield ``pieces`` as they come, but end with :class:`GenerationError` when ``seconds`` have
    passed since the start (checked before each piece is passed on, so pieces already received
    cannot outlast the budget) or when the reply grows past ``max_chars`` characters.

    A daemon thread reads ``pieces`` and stops reading at the cap, so at most ``max_chars``
    characters are ever held; once the reader stops early or the budget is spent it stops at the
    next piece, closing the stream, and can never keep the process alive.
    """
    box: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
    stop = threading.Event()

    def pump() -> None:
        received = 0
        try:
            for piece in pieces:
                if stop.is_set():
                    return
                received += len(piece)
                if received > max_chars:
                    box.put(("cut", None))
                    return
                box.put(("piece", piece))
            box.put(("end", None))
        except Exception as error:  # re-raised in the reading thread, not swallowed here
            box.put(("error", error))
        finally:
            pieces.close()  # type: ignore[attr-defined]

    deadline = time.monotonic() + seconds
    late = f"{who} did not finish its answer within the {seconds:g} s budget (llm.timeout)"
    threading.Thread(target=pump, name="litrev-llm-stream", daemon=True).start()
    try:
        while True:
            try:
                kind, value = box.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise GenerationError(late) from None
            if kind == "error":
                raise value
            if kind == "end":
                return  # all of it arrived: nothing is left to wait for
            if time.monotonic() > deadline:
                raise GenerationError(late)
            if kind == "cut":
                raise GenerationError(
                    f"{who} sent more than {max_chars:,} characters, so its reply was cut "
                    "(llm.max_reply_chars)"
                )
            yield value
    finally:
        stop.set()


def is_event_stream(response: Any) -> bool:
    """Whether an HTTP response says it is an event stream (or says nothing: then its events decide)."""
    content_type = response.headers.get("content-type", "")
    return not content_type or "text/event-stream" in content_type.lower()


def describe(response: Any) -> str:
    """What a reply that is not an event stream is, from its content type and first bytes."""
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    text = _head(response).decode("utf-8", errors="replace")
    try:
        data = json.loads(text)
    except ValueError:  # not JSON, or JSON cut at the bytes read
        data = None
    if isinstance(data, dict) and data.get("error"):
        error = data["error"]
        message = error.get("message", error) if isinstance(error, dict) else error
        return f"an error instead of an answer: {_quote(str(message))}"
    if isinstance(data, dict) and "choices" in data:
        return "a whole JSON reply instead of a stream (the server does not stream)"
    if "html" in kind or text.lstrip()[:15].lower().startswith(("<!doctype html", "<html")):
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
        return "an HTML page" + (f" titled {_quote(title.group(1))}" if title else "")
    if not text.strip():
        return f"an empty {kind} body"
    return f"{kind}, not an event stream: {_quote(text)}"


def _head(response: Any, limit: int = 2048) -> bytes:
    """The first ``limit`` bytes of a response's body, or what arrived of them."""
    head = b""
    try:
        for chunk in response.iter_bytes():
            head += chunk
            if len(head) >= limit:
                break
    except _http_errors(response):
        pass  # a body cut short is described by what arrived of it
    return head[:limit]


def _http_errors(response: Any) -> tuple[type[Exception], ...]:
    """What reading ``response`` can raise: the ``HTTPError`` of the HTTP library that made it
    (the ``openai`` client runs on httpx, or on httpx2 in its later releases)."""
    library = sys.modules[type(response).__module__.partition(".")[0]]
    return (library.HTTPError,)


def _quote(text: str) -> str:
    line = one_line(text).strip()
    return repr(line if len(line) <= SHOWN else line[:SHOWN] + "...")
