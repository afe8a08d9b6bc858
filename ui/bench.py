"""``litrev bench ui``: answer latency through the running app, one user alone and many at once.

The app is served on a free loopback port over a library of the bundled corpus (ingested into a
temporary home), and questions go through ``gradio_client`` as a user's would: first one at a
time (single-user latency), then ``users`` at once, each from its own client. The concurrent round
runs three times in one process: reads one at a time (how the app queued them before the
read-write lock), at most one per core (``litrev ui --readers N``) and all at once (the default),
so the figures come from the same machine and the same moment.
"""

from __future__ import annotations

import os
import socket
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from rag.index.ingest import ingest
from rag.index.library import Library
from rag.settings import Settings

QUESTIONS = [
    "Which papers accelerate LLM inference with speculative decoding?",
    "How can speech be turned into discrete tokens for language models?",
    "Which methods make text-to-speech synthesis faster?",
    "How do neural audio codecs compress speech?",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _round(url: str, users: int) -> dict[str, float]:
    from gradio_client import Client

    clients = [Client(url, verbose=False, download_files=False) for _ in range(users)]

    def ask(index: int) -> float:
        started = time.perf_counter()
        clients[index].predict(question=QUESTIONS[index % len(QUESTIONS)], api_name="/ask")
        return time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=users) as pool:
        latencies = list(pool.map(ask, range(users)))
    p50, p95 = _percentiles(latencies)
    return {"p50_s": p50, "p95_s": p95, "wall_s": time.perf_counter() - started}


def run(corpus: Path, settings: Settings, *, users: int = 20, alone: int = 8) -> dict[str, Any]:
    from gradio_client import Client

    from ui.app import create_app, launch

    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="litrev-bench-ui-") as scratch:
        library = Library(settings.model_copy(update={"home": Path(scratch) / "home"}))
        ingest([corpus], library=library)
        figures: dict[str, Any] = {"papers": library.store.paper_count(), "users": users, "cores": cores}
        for name, readers in (("one_at_a_time", 1), ("per_core", cores), ("unlimited", None)):
            app = create_app(library, work_dir=Path(scratch) / "work", readers=readers)
            url = launch(app, port=_free_port())
            try:
                if name == "one_at_a_time":  # single-user latency, warm
                    client = Client(url, verbose=False, download_files=False)
                    client.predict(question=QUESTIONS[0], api_name="/ask")
                    single = []
                    for index in range(alone):
                        started = time.perf_counter()
                        client.predict(question=QUESTIONS[index % len(QUESTIONS)], api_name="/ask")
                        single.append(time.perf_counter() - started)
                    figures["single_p50_s"], figures["single_p95_s"] = _percentiles(single)
                figures[name] = _round(url, users)
            finally:
                app.close(verbose=False)
    return figures


def table(figures: dict[str, Any]) -> str:
    users = figures["users"]
    lines = [
        f"{figures['papers']} papers; /ask through gradio_client on 127.0.0.1",
        f"{'':<50}{'p50 s':>8}{'p95 s':>8}{'wall s':>8}",
        f"{'1 user alone':<50}{figures['single_p50_s']:>8.2f}{figures['single_p95_s']:>8.2f}{'':>8}",
    ]
    for name, label in (
        ("one_at_a_time", "reads one at a time"),
        ("per_core", f"reads {figures['cores']} at once (--readers)"),
        ("unlimited", "reads all at once (default)"),
    ):
        row = figures[name]
        head = f"{users} users at once, {label}"
        lines.append(f"{head:<50}{row['p50_s']:>8.2f}{row['p95_s']:>8.2f}{row['wall_s']:>8.2f}")
    return "\n".join(lines)
