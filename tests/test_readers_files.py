"""Which files a read opens: regular files only, inside the allowed folders, size-capped; and
records that are too long or too deep for the parsers, skipped one line each."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rag.sources.corpus import ReadOptions, read_paths
from rag.sources.readers import read_file

ABSTRACT = "We propose a method that does something useful for speech recognition. " * 3
NESTED = "Deeply nested " + "{" * 300 + "braces" + "}" * 300 + " in an abstract."
LATEX_LIKE = "\\emph{x} $\\alpha$ " * (30_000_000 // 18)  # a 30 MB single-line field


def record(title: str, abstract: str = ABSTRACT) -> str:
    return json.dumps({"title": title, "abstract": abstract}) + "\n"


def finished_within(seconds: float, work: Callable[[], Any], release: Callable[[], None]) -> Any:
    """``work()``'s result, failing the test if it takes longer than ``seconds``; ``release``
    unblocks a hung ``work`` so the thread does not outlive the test."""
    outcome: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: outcome.update(value=work()), daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        release()
        pytest.fail(f"still reading after {seconds} s")
    return outcome["value"]


def unblock(*fifos: Path) -> Callable[[], None]:
    """Open each FIFO for writing (non-blocking), which lets a reader stuck opening it go on."""

    def release() -> None:
        for fifo in fifos:
            with contextlib.suppress(OSError):  # nobody is waiting on this one
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

    return release


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "socks"  # AF_UNIX paths are short: keep this one near the temp root
    folder.mkdir()
    path = folder / "sock.jsonl"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    try:
        yield path
    finally:
        server.close()


def test_pipes_devices_and_sockets_are_named_and_skipped(tmp_path: Path, unix_socket: Path) -> None:
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "good.jsonl").write_text(record("Kept Paper"), encoding="utf-8")
    os.mkfifo(folder / "pipe.jsonl")
    (folder / "zero.jsonl").symlink_to("/dev/zero")
    (folder / "sock.jsonl").symlink_to(unix_socket)
    named = tmp_path / "named.jsonl"
    os.mkfifo(named)

    report = finished_within(30, lambda: read_paths([folder, named]), unblock(folder / "pipe.jsonl", named))

    assert [paper.title for paper in report.papers] == ["Kept Paper"]
    assert sorted(str(problem) for problem in report.problems) == [
        f"{named}: not a regular file but a named pipe (FIFO)",
        f"{folder / 'pipe.jsonl'}: not a regular file but a named pipe (FIFO)",
        f"{folder / 'sock.jsonl'}: not a regular file but a socket",
        f"{folder / 'zero.jsonl'}: not a regular file but a character device",
    ]
    assert report.skipped_paths == 4


def test_links_that_resolve_outside_the_roots_are_not_read(tmp_path: Path) -> None:
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    inbox.mkdir()
    outside.mkdir()
    (outside / "secret.jsonl").write_text(record("Secret Outside Paper"), encoding="utf-8")
    (inbox / "good.jsonl").write_text(record("Kept Paper"), encoding="utf-8")
    (inbox / "data").mkdir()
    (inbox / "data" / "inside.dat").write_text(record("Linked Inside Paper"), encoding="utf-8")
    (inbox / "alias.jsonl").symlink_to(inbox / "data" / "inside.dat")  # a link that stays inside
    (inbox / "x.jsonl").symlink_to(Path("..") / "outside" / "secret.jsonl")
    (inbox / "passwd.txt").symlink_to("/etc/passwd")
    (inbox / "environ.txt").symlink_to("/proc/self/environ")

    fenced = read_paths([inbox], ReadOptions(roots=(inbox.resolve(),)))

    assert sorted(paper.title for paper in fenced.papers) == ["Kept Paper", "Linked Inside Paper"]
    assert [str(problem) for problem in fenced.problems] == [
        f"{inbox / name}: resolves outside the directories litrev may read"
        for name in ("environ.txt", "passwd.txt", "x.jsonl")
    ]
    # Without roots (the CLI), a link is the user's own choice and is followed.
    assert "Secret Outside Paper" in {paper.title for paper in read_paths([inbox / "x.jsonl"]).papers}


def test_a_file_over_its_cap_is_skipped_on_its_size_before_any_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.bib"
    with huge.open("wb") as handle:
        handle.truncate(200 * 2**20)  # sparse: 200 MiB by stat, nothing to read
    dump = tmp_path / "dump.jsonl"
    dump.write_text(record("A") + record("B") + record("C"), encoding="utf-8")
    status = tmp_path / "status.txt"
    status.symlink_to("/proc/self/status")  # says its size is 0; holds more than 64 bytes
    good = tmp_path / "good.jsonl"
    good.write_text(record("Kept Paper"), encoding="utf-8")

    started = time.perf_counter()
    report = read_paths([huge, dump, status, good], ReadOptions(max_stream_bytes=500, max_file_bytes=64))
    default = read_paths([huge])

    assert time.perf_counter() - started < 5
    assert [paper.title for paper in report.papers] == ["Kept Paper"]
    assert [str(problem) for problem in report.problems] == [
        f"{huge}: file is 200.0 MiB, more than the 64 bytes litrev reads from one .bib file",
        f"{dump}: file is {dump.stat().st_size} bytes, more than the 500 bytes litrev reads "
        "from one .jsonl file",
        f"{status}: file holds more than the 64 bytes litrev reads from one .txt file",
    ]
    assert [str(problem) for problem in default.problems] == [
        f"{huge}: file is 200.0 MiB, more than the 128.0 MiB litrev reads from one .bib file"
    ]


def test_huge_and_deeply_nested_jsonl_records_are_one_line_each_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "hostile.jsonl"
    with path.open("w", encoding="utf-8") as out:
        out.write(record("Nested Paper", NESTED))
        out.write(record("Huge Paper", LATEX_LIKE))
        out.write(record("Kept Paper"))
    tracemalloc.start()
    try:
        started = time.perf_counter()
        result = finished_within(60, lambda: read_file(path), lambda: None)
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert [paper.title for paper in result.papers] == ["Kept Paper"]
    assert [str(problem) for problem in result.problems] == [
        f"{path}:1: abstract of 'Nested Paper' nests braces or environments 300 levels deep (at most 32)",
        f"{path}:2: line is {len(record('Huge Paper', LATEX_LIKE).encode())} bytes long "
        "(at most 1048576); skipped",
    ]
    assert seconds < 10
    assert peak < 16 * 2**20  # the 30 MB line is never held whole


def test_huge_and_deeply_nested_bibtex_entries_are_one_line_each_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "hostile.bib"
    huge = f"@article{{huge,\n  title = {{Huge Paper}},\n  abstract = {{{LATEX_LIKE}}}\n}}\n\n"
    path.write_text(
        f"@article{{nested,\n  title = {{Nested Paper}},\n  abstract = {{{NESTED}}}\n}}\n\n"
        + huge
        + f"@article{{kept,\n  title = {{Kept Paper}},\n  abstract = {{{ABSTRACT}}}\n}}\n",
        encoding="utf-8",
    )

    started = time.perf_counter()
    result = finished_within(60, lambda: read_file(path), lambda: None)

    assert time.perf_counter() - started < 10
    assert [paper.title for paper in result.papers] == ["Kept Paper"]
    assert [str(problem) for problem in result.problems] == [
        f"{path}:6: entry is {len(huge)} characters long (at most 1048576); skipped",
        f"{path}:1: abstract of 'Nested Paper' nests braces or environments 300 levels deep (at most 32)",
    ]
