"""chromadb as a dependency: opening its client, and the one place where its exceptions (and
SQLite's, and the file system's under it) become ours.

:func:`open_client` opens the embedded ``PersistentClient`` (finishing an interrupted rebuild
swap first, see :mod:`rag.index.rebuild`, and checking the vector files chromadb will load, see
:mod:`rag.index.hnsw_files`; on a full disk it gives back :mod:`rag.index.space_reserve` and tries once more)
or an ``HttpClient`` for a ``chroma run`` server. Every
:class:`~rag.index.store.Store` method runs inside :func:`chroma_errors` (through :func:`translated`),
so a caller sees only :mod:`rag.errors` types:

- no space left -> :class:`~rag.errors.IndexWriteError`, one line, nothing indexed is lost;
- a damaged database file -> :class:`~rag.errors.IndexDamagedError` naming the file and the fix
  (``litrev ingest --rebuild``, which never opens the damaged index);
- anything else chromadb raises -> :class:`~rag.errors.LitrevError` naming the index.
"""

from __future__ import annotations

import errno
import functools
import inspect
import logging
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from rag.errors import IndexWriteError, LitrevError, StoreUnavailableError
from rag.index import space_reserve
from rag.index.hnsw_files import SQLITE_FILE, check_vector_files, damaged
from rag.index.rebuild import client_running, finish_swap, forget_clients
from rag.offline import go_offline
from rag.settings import Settings

logger = logging.getLogger(__name__)
_DAMAGED = ("malformed", "not a database", "file is encrypted", "corrupt", "truncat", "unexpected eof")
_FULL = ("disk is full", "no space left", "quota exceeded")
_FULL_BELOW = 8 << 20


def open_client(settings: Settings, path: Path | None = None) -> Any:
    """The chromadb client for ``settings``; ``path`` overrides the embedded index's folder."""
    go_offline()
    import chromadb

    chroma_settings = chromadb.Settings(anonymized_telemetry=False)
    if settings.chroma.url is None:
        path = path or settings.chroma_dir
        if path == settings.chroma_dir:
            finish_swap(path)
        path.mkdir(parents=True, exist_ok=True)
        if not client_running(path):  # a client of this process would load nothing from disk
            check_vector_files(path)
        return _persistent_client(path, chroma_settings, settings.home)
    url = urlparse(settings.chroma.url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise LitrevError(f"chroma.url must look like http://HOST:PORT, got {settings.chroma.url!r}")
    try:
        client = chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
        client.heartbeat()
    except Exception as error:  # chromadb raises assorted transport errors here
        raise StoreUnavailableError(
            f"cannot reach the Chroma server at {settings.chroma.url}: {type(error).__name__}: {error}"
        ) from None
    return client


def _persistent_client(path: Path, chroma_settings: Any, home: Path) -> Any:
    """The embedded client; when the disk is too full to open it, the space reserve is given back
    and the open tried once more (see :mod:`rag.index.space_reserve`)."""
    import chromadb
    from chromadb.errors import ChromaError

    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except (ChromaError, sqlite3.Error, OSError) as error:
        full = isinstance(translate(error, str(path), path), IndexWriteError)
        if not full or not space_reserve.release(home):
            raise
    forget_clients(path, stop=False)
    logger.warning(
        "the disk holding %s is full: gave back litrev's %d MB space reserve to open the index",
        path,
        space_reserve.RESERVE_BYTES >> 20,
    )
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


@contextmanager
def chroma_errors(location: str, directory: Path | None) -> Iterator[None]:
    """Translate what chromadb raises inside the block; ``directory`` is the embedded index's."""
    from chromadb.errors import ChromaError

    try:
        yield
    except LitrevError:
        raise
    except (ChromaError, sqlite3.Error, OSError) as error:
        raise translate(error, location, directory) from None


def translate(error: BaseException, location: str, directory: Path | None) -> LitrevError:
    detail = " ".join(f"{type(error).__name__}: {error}".split())[:300]
    lowered = detail.lower()
    full = getattr(error, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or any(s in lowered for s in _FULL)
    if full or _nearly_full(directory):  # chromadb's Rust core often reports ENOSPC as "compaction failed"
        return IndexWriteError(
            f"no space left on the disk holding the index at {location}; free some space and run "
            "the command again (nothing already indexed is lost)"
        )
    if directory is not None and any(s in lowered for s in _DAMAGED):
        return damaged(directory / SQLITE_FILE, detail)
    return LitrevError(f"the index at {location} failed ({detail})")


def _nearly_full(directory: Path | None) -> bool:
    """Whether the disk holding the embedded index has less than ``_FULL_BELOW`` bytes free."""
    if directory is None:
        return False
    try:
        stat = os.statvfs(directory if directory.exists() else directory.parent)
    except OSError:
        return False
    return stat.f_bavail * stat.f_frsize < _FULL_BELOW


_F = TypeVar("_F", bound=Callable[..., Any])


def translated(method: _F) -> _F:
    """Run a method (or generator method) inside ``self.errors()``."""
    if inspect.isgeneratorfunction(method):

        @functools.wraps(method)
        def generator(self: Any, *args: Any, **kwargs: Any) -> Any:
            with self.errors():
                yield from method(self, *args, **kwargs)

        return generator  # type: ignore[return-value]

    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        with self.errors():
            return method(self, *args, **kwargs)

    return call  # type: ignore[return-value]
