"""A real OpenAI-compatible HTTP server on 127.0.0.1 that replies with scripted text.

It speaks the chat-completions protocol (streamed as server-sent events, or not) well enough for
the official ``openai`` client, so tests exercise the real client, HTTP and streaming code paths
with answers chosen by the test. Replies are queued with :meth:`ScriptedServer.enqueue`; a reply
may also be an HTTP status (an error), a delay before the headers (a hang), an ``interval``
between pieces (a server that drips tokens), ``repeat`` (the pieces sent that many times over: a
flood) or a ``raw`` body (a malformed stream), sent as ``content_type`` (default an event stream:
give ``application/json`` or ``text/html`` for a reply that is no stream at all). ``barrier`` (a
:class:`threading.Barrier`) holds the reply until that many requests are in (a timeout there
becomes an HTTP 500, so requests that never overlap fail).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ScriptedServer:
    def __init__(self) -> None:
        self.replies: deque[dict[str, Any]] = deque()
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                # The client may give up first (a timeout test): then there is nothing to answer.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._reply()

            def _reply(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(body)
                reply = server.replies.popleft() if server.replies else {"text": "NOT COVERED"}
                time.sleep(reply.get("delay", 0.0))
                if "barrier" in reply:
                    try:
                        reply["barrier"].wait(timeout=reply.get("barrier_timeout", 20))
                    except threading.BrokenBarrierError:
                        reply = {"status": 500}
                if "status" in reply:
                    self.send_response(reply["status"])
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "scripted failure"}}')
                    return
                if "raw" in reply:  # garbage instead of the protocol
                    self.send_response(200)
                    self.send_header("Content-Type", reply.get("content_type", "text/event-stream"))
                    self.end_headers()
                    self.wfile.write(reply["raw"].encode())
                    return
                pieces = (reply.get("pieces") or [reply["text"]]) * reply.get("repeat", 1)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for piece in pieces:
                    chunk = {
                        "id": "x",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": body["model"],
                        "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    time.sleep(reply.get("interval", 0.0))
                self.wfile.write(b"data: [DONE]\n\n")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def cli_env(self, home: Any) -> dict[str, str]:
        """Environment for a CLI run in ``home`` that answers with this server, without retries."""
        return {
            "LITREV_HOME": str(home),
            "LITREV_LLM__PROVIDER": "openai",
            "LITREV_LLM__BASE_URL": self.url,
            "LITREV_LLM__MODEL": "scripted",
            "LITREV_LLM__MAX_RETRIES": "0",
            "COLUMNS": "400",
        }

    def enqueue(self, **reply: Any) -> None:
        self.replies.append(reply)

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
