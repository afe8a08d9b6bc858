"""An ONNX export kept under ``LITREV_HOME/models/``: the SHA-256 record beside it, checked before
ONNX Runtime reads it, the reason an export failed (so it is not tried on every command), and
whether the disk has room for one. Used by the query encoder (:mod:`rag.index.query_encoder`) and
the judge's cross-encoder (:mod:`rag.grounding.entailment_export`), which also open their
sessions here (:func:`session`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rag.errors import IndexDamagedError, LitrevError

if TYPE_CHECKING:
    from onnxruntime import InferenceSession

logger = logging.getLogger(__name__)
Loaded = TypeVar("Loaded")


def load_or_export(
    path: Path,
    model_dir: Path,
    load: Callable[[], Loaded],
    export: Callable[[], None],
    *,
    what: str,
    otherwise: str,
    fatal: type[Exception] | None = None,
) -> Loaded | None:
    """The export at ``path`` loaded (``load``), made first (``export``, from the weights in
    ``model_dir``) when it is missing or damaged; None when it cannot be made (a full or read-only
    disk, or an export that failed before, whose reason is kept so it is not tried again). ``what``
    names the model in warnings, ``otherwise`` says what runs instead; ``fatal`` errors of the
    export (the weights themselves are bad) are raised, not kept."""
    if path.is_file():
        try:
            return load()
        except LitrevError as error:
            logger.warning("%s; making it again", error)
    if reason := cannot_export(path, model_dir):
        logger.warning("%s not saved to %s: %s; %s", what, path, reason, otherwise)
        return None
    try:
        export()
        return load()
    except OSError as error:  # the disk filled meanwhile: the fallback answers, nothing is lost
        logger.warning("%s not saved to %s: %s", what, path, error)
    except (LitrevError, RuntimeError) as error:  # the export itself fails: do not try again
        if fatal is not None and isinstance(error, fatal):
            raise
        logger.warning("%s not saved to %s: %s", what, path, error)
        note_failure(path, " ".join(str(error).split())[:300])
    return None


def session(model: Path | bytes, threads: int | None = None) -> InferenceSession:
    """An ONNX Runtime session on the CPU for the export at ``model`` (or its bytes, once checked),
    quiet but for errors; ``threads``: its intra-op threads (None: ONNX Runtime's choice)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
    source = model if isinstance(model, bytes) else str(model)
    return onnxruntime.InferenceSession(source, options, providers=["CPUExecutionProvider"])


def record_path(path: Path) -> Path:
    """Where the SHA-256 of the export at ``path`` is kept."""
    return path.with_name(path.name + ".json")


def failure_path(path: Path) -> Path:
    """Where the reason an export to ``path`` failed is kept (so it is not tried again)."""
    return path.with_name(path.name + ".failed")


def write_record(path: Path, record: dict[str, str]) -> None:
    """Write ``record`` as JSON to ``path`` through a temporary name (never half a file)."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        partial.write_text(json.dumps(record), encoding="utf-8")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def checked_bytes(path: Path, what: str) -> bytes:
    """The bytes of the export at ``path`` once they match the SHA-256 kept when it was made;
    raises IndexDamagedError naming ``what`` and the file when it, or that record, is missing,
    altered or unreadable."""
    try:
        expected = json.loads(record_path(path).read_text(encoding="utf-8"))["sha256"]
        data = path.read_bytes()
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise IndexDamagedError(f"{what} {path} cannot be checked ({error})") from None
    if hashlib.sha256(data).hexdigest() != expected:
        raise IndexDamagedError(f"{what} {path} is damaged (its SHA-256 changed)")
    return data


def cannot_export(path: Path, model_dir: Path) -> str | None:
    """Why an export to ``path`` should not be tried now (None: it may be)."""
    try:
        return failure_path(path).read_text(encoding="utf-8").strip() or "it failed before"
    except OSError:
        pass
    folder = next(parent for parent in (path.parent, *path.parents) if parent.exists())
    weights = sum(p.stat().st_size for p in model_dir.glob("*.safetensors")) or sum(
        p.stat().st_size for p in model_dir.glob("pytorch_model*.bin")
    )
    need = weights + weights // 10 + (16 << 20)
    free = shutil.disk_usage(folder).free
    if free < need:
        return f"{free >> 20} MB free on its disk, an export needs about {need >> 20} MB"
    return None if os.access(folder, os.W_OK) else f"{folder} is not writable"


def note_failure(path: Path, reason: str) -> None:
    """Keep why an export failed, so that the next command does not try again (best effort)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        failure_path(path).write_text(reason + "\n", encoding="utf-8")
    except OSError:
        return
