"""Run the litrev UI on a free loopback port for the length of a test module."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.index.library import Library

QUIET_GRADIO = [
    # gradio's queue summarises its own (local) event statistics with pandas calls pandas 3 deprecates
    pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting' is deprecated"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]
"""Marks for test modules that run the app: third-party warnings raised in gradio's server."""


def listening_on(port: int) -> set[str]:
    """The addresses on which a socket of this machine listens on TCP ``port`` (from the kernel's
    table, /proc/net/tcp and tcp6), e.g. {"127.0.0.1"}; "0.0.0.0" would mean every interface."""
    import ipaddress

    found = set()
    for table, width in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hexport = local.split(":")
            if state != "0A" or int(hexport, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            # the kernel writes each 32-bit word in host (little-endian) order
            packed = b"".join(raw[i : i + 4][::-1] for i in range(0, width, 4))
            found.add(str(ipaddress.ip_address(packed)))
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def gradio_loops_closed() -> Iterator[None]:
    """Around building or launching a gradio app.

    ``gradio.utils.safe_get_lock`` makes a new asyncio loop for each lock it creates outside a
    running loop and never closes them: collect the ones it drops (a loop is in a reference cycle,
    so it lingers until a garbage collection) while their ResourceWarnings are ignored, and close
    the one it leaves set on this thread (gradio's server runs its own loop in its own thread).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            yield
        finally:
            try:
                loop = asyncio.get_event_loop_policy().get_event_loop()
            except RuntimeError:  # none set: gradio found a running loop (Playwright's) and used it
                loop = None
            if loop is not None and not loop.is_running():
                loop.close()
                asyncio.set_event_loop(None)
            gc.collect()


@contextlib.contextmanager
def serving(library: Library, work_dir: Path) -> Iterator[str]:
    """``create_app(library)`` served on 127.0.0.1 (no share link); yields its URL, then stops it."""
    from ui.app import create_app, launch

    with gradio_loops_closed():
        app = create_app(library, work_dir=work_dir)
        url = launch(app, port=free_port())
    try:
        yield url
    finally:
        app.close(verbose=False)
