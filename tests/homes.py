"""Libraries for tests that damage their state: a slice of the bundled corpus, the query encoder
already made (copied in, so commands there need not make it), and a command in its own process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from rag.index.embedding import Embedder
from rag.onnx_files import record_path
from tests.helpers import BUNDLED, ROOT


def first_papers(path: Path, n: int) -> Path:
    """The first ``n`` records of the bundled corpus, as a JSONL file at ``path``."""
    path.write_text("\n".join(BUNDLED.read_text(encoding="utf-8").splitlines()[:n]) + "\n", encoding="utf-8")
    return path


def share_export(embedder: Embedder, home: Path) -> None:
    """Give a new home the query encoder ``embedder`` made (its file and its checksum)."""
    assert embedder.query_encoder() is not None and embedder.onnx_path is not None
    (home / "models").mkdir(parents=True, exist_ok=True)
    for path in (embedder.onnx_path, record_path(embedder.onnx_path)):
        shutil.copy(path, home / "models" / path.name)


def litrev(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A command in its own process: a crash in native code shows as a signal, not as a test."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LITREV_HOME": str(home)}
    cli = [sys.executable, "-c", "from rag.cli.commands import main; main()", *args]
    return subprocess.run(cli, env=env, capture_output=True, text=True, timeout=600)


def on_small_disk(disk: Path, script: str, *args: str) -> dict:
    """Run the Python ``script`` with ``disk`` mounted as a 48 MB tmpfs in a private mount
    namespace (it vanishes with the process, whatever happens; as root the namespace needs no
    more, otherwise an unprivileged user namespace maps us to root in it). ``script`` gets the disk
    and ``args`` as ``sys.argv[1:]`` and prints a JSON object as its last line, which is returned."""
    namespace = (
        ["unshare", "--mount"] if os.geteuid() == 0 else ["unshare", "--user", "--map-root-user", "--mount"]
    )
    mount = 'mount -t tmpfs -o size=48m litrev-test "$1" && exec "$0" -c "$SCRIPT" "$@"'
    result = subprocess.run(
        [*namespace, "sh", "-c", mount, sys.executable, str(disk), *args],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "SCRIPT": script},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
