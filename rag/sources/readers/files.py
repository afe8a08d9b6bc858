"""Which files a read opens, and how: the one walk behind every read of sources (``litrev ingest``
and ``convert``, an upload in the app, the MCP server's ``add_papers``).

- A folder is walked in name order for files of a known type. Links to files are followed; links
  to folders are not (a walk cannot loop).
- Only regular files are read. A named pipe, device or socket is skipped with one line naming it:
  its type is checked before it is opened, and again on the open descriptor, which is opened
  non-blocking, so nothing (a pipe with no writer, a pipe swapped in meanwhile) can hang the read.
- With :attr:`~rag.sources.readers.base.ReadOptions.roots` (the MCP server's ``--allow-ingest``), every
  file, named or found in a folder, is resolved (links followed) and must lie inside one of them.
- A file over its size cap is skipped on the size ``stat`` gives, before a byte of it is parsed,
  and no more than the cap is read from it (a ``/proc`` file says its size is 0).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from rag.errors import CorpusError
from rag.sources.readers.base import MIB, ReadOptions

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def cannot_read(path: Path | str, error: OSError) -> CorpusError:
    return CorpusError(path, f"cannot read: {error.strerror or error}")


def _amount(size: int) -> str:
    return f"{size:,} bytes" if size < MIB else f"{size / MIB:,.1f} MiB"


def too_large(path: Path, limit: int, size: int | None = None) -> CorpusError:
    """The error for a file over ``limit`` bytes: ``size`` when known, else it held more."""
    kind = f"one {path.suffix} file" if path.suffix else "one file"
    found = f"file is {_amount(size)}, more" if size is not None else "file holds more"
    return CorpusError(path, f"{found} than the {_amount(limit)} litrev reads from {kind}")


def find_files(paths: Iterable[Path], suffixes: Iterable[str]) -> tuple[list[Path], list[CorpusError]]:
    """The files ``paths`` name (folders walked for the ``suffixes`` given), and a problem for each
    path that cannot be looked at (missing, or a folder that cannot be listed)."""
    wanted = frozenset(suffixes)
    files: list[Path] = []
    problems: list[CorpusError] = []
    for path in paths:
        if path.is_dir():

            def failed(error: OSError, folder: Path = path) -> None:
                problems.append(cannot_read(error.filename or folder, error))

            for root, dirs, names in os.walk(path, onerror=failed):
                dirs.sort()
                found = (Path(root) / name for name in sorted(names))
                files.extend(file for file in found if file.suffix.lower() in wanted)
        elif not path.exists():
            problems.append(CorpusError(path, "no such file or folder"))
        else:
            files.append(path)
    return files, problems


def _check(path: Path, info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "of an unknown kind")
        raise CorpusError(path, f"not a regular file but {kind}")
    if info.st_size > limit:
        raise too_large(path, limit, info.st_size)


def open_source(path: Path, options: ReadOptions, limit: int) -> BinaryIO:
    """``path`` opened for reading, if it is a regular file of at most ``limit`` bytes inside
    ``options.roots`` (when given); else a :class:`~rag.errors.CorpusError` naming it."""
    real = Path(os.path.realpath(path)) if options.roots else path
    if options.roots and not any(real.is_relative_to(root) for root in options.roots):
        raise CorpusError(path, "resolves outside the directories litrev may read")
    flags = _OPEN_FLAGS | (getattr(os, "O_NOFOLLOW", 0) if options.roots else 0)
    try:
        _check(path, os.stat(real), limit)
        descriptor = os.open(real, flags)
    except OSError as error:
        raise cannot_read(path, error) from None
    try:
        _check(path, os.fstat(descriptor), limit)  # what was opened, not what was looked at
        if flags & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except OSError as error:
        os.close(descriptor)
        raise cannot_read(path, error) from None
    except CorpusError:
        os.close(descriptor)
        raise
