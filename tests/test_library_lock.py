"""The library's read-write lock: readers share it, a writer has it alone, a waiting writer is not
starved by readers that arrive after it."""

from __future__ import annotations

import threading

from rag.index.library import ReadWriteLock

WAIT = 10


def hold(
    lock: ReadWriteLock, mode: str, entered: threading.Event, leave: threading.Event
) -> threading.Thread:
    def run() -> None:
        with getattr(lock, mode)():
            entered.set()
            leave.wait(WAIT)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_readers_hold_it_together() -> None:
    lock = ReadWriteLock()
    leave = threading.Event()
    entered = [threading.Event() for _ in range(3)]
    threads = [hold(lock, "reading", event, leave) for event in entered]
    assert all(event.wait(WAIT) for event in entered)  # none waited for another to leave
    assert lock.readers == 3
    leave.set()
    for thread in threads:
        thread.join(WAIT)
    assert lock.readers == 0


def test_a_writer_waits_for_readers_and_new_readers_wait_for_it() -> None:
    lock = ReadWriteLock()
    leave_read, leave_write, leave_late = threading.Event(), threading.Event(), threading.Event()
    reading, writing, late = threading.Event(), threading.Event(), threading.Event()
    reader = hold(lock, "reading", reading, leave_read)
    assert reading.wait(WAIT)
    writer = hold(lock, "writing", writing, leave_write)
    assert not writing.wait(0.3)  # the reader still holds it
    latecomer = hold(lock, "reading", late, leave_late)
    assert not late.wait(0.3)  # behind the waiting writer, not beside the first reader
    leave_read.set()
    assert writing.wait(WAIT) and not late.is_set() and lock.readers == 0
    leave_write.set()
    assert late.wait(WAIT)
    leave_late.set()
    for thread in (reader, writer, latecomer):
        thread.join(WAIT)


def test_writers_take_turns() -> None:
    lock = ReadWriteLock()
    leave = threading.Event()
    first, second = threading.Event(), threading.Event()
    one = hold(lock, "writing", first, leave)
    assert first.wait(WAIT)
    two = hold(lock, "writing", second, leave)
    assert not second.wait(0.3)
    leave.set()
    assert second.wait(WAIT)
    one.join(WAIT)
    two.join(WAIT)
