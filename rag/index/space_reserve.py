"""A little disk space kept aside, so that the index can still be opened and read on a full disk.

chromadb writes to ``chroma.sqlite3`` whenever a client opens it (a row of its ``acquire_write``
table, through a rollback journal of a few kilobytes): on a disk with no space left even ``litrev
papers`` would fail. So an ingest keeps a file of :data:`RESERVE_BYTES` in ``LITREV_HOME`` when the
disk has room to spare (:func:`keep`), and an open that fails for want of space deletes it and tries
once more (:func:`release`). The next ingest with room to spare puts it back.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

RESERVE = "space-reserve"
"""The file's name in ``LITREV_HOME``."""
RESERVE_BYTES = 2 << 20
_ROOM = 8 * RESERVE_BYTES
"""Free space below which no reserve is made (it would take what the ingest needs)."""


def keep(home: Path) -> None:
    """Make the reserve if it is missing and the disk has room to spare; quietly not otherwise."""
    path = home / RESERVE
    partial = path.with_name(f"{RESERVE}.{os.getpid()}.partial")
    try:
        if path.is_file() and path.stat().st_size >= RESERVE_BYTES:
            return
        home.mkdir(parents=True, exist_ok=True)
        if shutil.disk_usage(home).free < _ROOM + RESERVE_BYTES:
            return
        with partial.open("wb") as handle:
            if hasattr(os, "posix_fallocate"):  # blocks really taken, not a sparse file
                os.posix_fallocate(handle.fileno(), 0, RESERVE_BYTES)
            else:
                handle.write(bytes(RESERVE_BYTES))
        partial.replace(path)
    except OSError:
        partial.unlink(missing_ok=True)


def release(home: Path) -> bool:
    """Delete the reserve; whether there was one to give back."""
    try:
        (home / RESERVE).unlink()
    except OSError:
        return False
    return True
