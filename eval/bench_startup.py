"""``litrev bench startup``: what a command costs from a cold process, and the same work warm.

1. Cold: ``litrev --help`` and ``litrev ask QUESTION`` each run as a fresh process ``repeats``
   times (after one untimed warm-up run, so the OS file cache and a first-use export are not
   counted); min and median wall time, and the peak resident memory of each process.
2. Warm: one process times each stage the first time (imports, the embedding model, the Chroma
   store, the lexical index, the first answer) and then the same answer again.

``--against DIR`` runs the same measurements on another checkout of litrev (for example the code
before a change), interleaved run by run with this one, so both see the same machine load.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SOURCE = Path(__file__).resolve().parents[1]
QUESTION = "What speed-up does EAGLE report?"
CLI = "import sys; from rag.cli.commands import main; sys.argv[0] = 'litrev'; main()"
WARM = """
import json, sys, time
marks = {}
t = time.perf_counter()
import rag.cli.commands, rag.index.library
from rag.answers.answer import answer
marks["imports"] = time.perf_counter() - t
library = rag.index.library.Library()
t = time.perf_counter(); library.embedder.embed_query("warm-up")
marks["embedding model"] = time.perf_counter() - t
t = time.perf_counter(); library.store.paper_count()
marks["chroma store"] = time.perf_counter() - t
t = time.perf_counter(); library.lexical
marks["lexical index"] = time.perf_counter() - t
t = time.perf_counter(); answer(sys.argv[1], library=library)
marks["first answer"] = time.perf_counter() - t
t = time.perf_counter(); answer(sys.argv[1], library=library)
marks["warm answer"] = time.perf_counter() - t
print(json.dumps(marks))
"""


def _environment(tree: Path, home: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(tree), "LITREV_HOME": str(home)}


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one process (run in its tree: ``-c`` puts the working
    directory first on the path)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, env=env, cwd=env["PYTHONPATH"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if status != 0:
        raise RuntimeError(f"{' '.join(argv[3:])} failed: {stderr.strip()[-500:]}")
    return seconds, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def _summary(runs: list[tuple[float, float]]) -> dict[str, float]:
    seconds = [s for s, _ in runs]
    return {
        "min_s": round(min(seconds), 3),
        "median_s": round(statistics.median(seconds), 3),
        "peak_mb": round(max(mb for _, mb in runs), 1),
    }


def run(trees: dict[str, Path], *, repeats: int = 5, question: str = QUESTION) -> dict[str, Any]:
    """Cold and warm figures for each named source tree, on one index of the bundled corpus."""
    commands = {"--help": ["--help"], "ask": ["ask", question]}
    with tempfile.TemporaryDirectory(prefix="litrev-startup-") as scratch:
        home = Path(scratch) / "home"
        python = [sys.executable, "-c", CLI]
        envs = {name: _environment(tree, home) for name, tree in trees.items()}
        first = next(iter(envs.values()))
        subprocess.run(
            [*python, "ingest"], env=first, cwd=first["PYTHONPATH"], check=True, capture_output=True
        )
        runs: dict[str, dict[str, list[tuple[float, float]]]] = {
            name: {command: [] for command in commands} for name in trees
        }
        for command, args in commands.items():
            for env in envs.values():  # untimed warm-up
                _timed([*python, *args], env)
            for _ in range(repeats):
                for name, env in envs.items():
                    runs[name][command].append(_timed([*python, *args], env))
        figures: dict[str, Any] = {"repeats": repeats, "question": question, "cpus": os.cpu_count()}
        for name, env in envs.items():
            warm = subprocess.run(
                [sys.executable, "-c", WARM, question],
                env=env,
                cwd=env["PYTHONPATH"],
                check=True,
                capture_output=True,
                text=True,
            )
            figures[name] = {
                "cold": {command: _summary(done) for command, done in runs[name].items()},
                "warm_s": {stage: round(s, 3) for stage, s in json.loads(warm.stdout).items()},
            }
        figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return figures


def table(figures: dict[str, Any]) -> str:
    names = [name for name in figures if isinstance(figures[name], dict) and "cold" in figures[name]]
    width = 26
    lines = [
        f"cold processes ({figures['repeats']} runs each after a warm-up; {figures['cpus']} CPUs, "
        f"load average {figures['load_average']}): min / median s, peak MB",
        "".ljust(12) + "".join(name.ljust(width) for name in names),
    ]
    for command in figures[names[0]]["cold"]:
        cells = []
        for name in names:
            cold = figures[name]["cold"][command]
            cell = f"{cold['min_s']:.2f} / {cold['median_s']:.2f} s, {cold['peak_mb']:.0f} MB"
            cells.append(cell.ljust(width))
        lines.append(command.ljust(12) + "".join(cells))
    lines += ["", "one warm process, each stage the first time (s)"]
    for stage in figures[names[0]]["warm_s"]:
        cells = [f"{figures[name]['warm_s'][stage]:.3f}".ljust(width) for name in names]
        lines.append(stage.ljust(18)[:18] + "".join(cells)[: width * len(names)])
    return "\n".join(lines)
