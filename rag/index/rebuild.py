"""Folder moves that let ``ingest --rebuild`` build a new embedded index beside the live one.

The new index is written to ``chroma.rebuild``; when it is complete it gets a
``REBUILD-COMPLETE`` marker, the live folder moves to ``chroma.old``, the new one takes its
place and the old one is deleted. A kill at any step leaves a state :func:`finish_swap`
completes (or undoes) the next time the index is opened: the library is never left empty.
"""

from __future__ import annotations

import shutil
from pathlib import Path

REBUILD = ".rebuild"
_OLD = ".old"
_COMPLETE = "REBUILD-COMPLETE"


def rebuild_dir(live: Path) -> Path:
    return live.with_name(live.name + REBUILD)


def finish_swap(live: Path) -> None:
    """Complete or undo a swap that a kill interrupted; remove the old index once replaced."""
    built, old = rebuild_dir(live), live.with_name(live.name + _OLD)
    if not live.exists():
        if (built / _COMPLETE).exists():
            built.rename(live)
            (live / _COMPLETE).unlink()
        elif old.exists():
            old.rename(live)
    if live.exists() and old.exists():
        shutil.rmtree(old)


def swap_in(built: Path, live: Path) -> None:
    """Make the complete index in ``built`` the live one."""
    (built / _COMPLETE).touch()
    forget_clients(built, live)
    if live.exists():
        live.rename(live.with_name(live.name + _OLD))
    built.rename(live)
    (live / _COMPLETE).unlink()
    finish_swap(live)


def forget_clients(*folders: Path, stop: bool = True) -> None:
    """chromadb keeps one system per folder in a process: drop those of ``folders`` (stopped,
    unless they never started) so the next client opens the files now there; clients still
    holding them go stale. Used before folders move, and after a failed open."""
    from chromadb.api.shared_system_client import SharedSystemClient

    for folder in folders:
        SharedSystemClient._identifier_to_refcount.pop(str(folder), None)
        system = SharedSystemClient._identifier_to_system.pop(str(folder), None)
        if system is not None and stop:
            system.stop()


def client_running(folder: Path) -> bool:
    """Whether this process already runs a chromadb system on ``folder`` (a new client reuses it
    and loads nothing from disk)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    return str(folder) in SharedSystemClient._identifier_to_system
