"""Slice a large arXiv-metadata-format file by category: lines/s and peak memory.

The file is made from the real snapshot lines in tests/fixtures (ids made unique, each line given
one of ten category sets, so a one-category slice keeps a tenth). Each size is read in a fresh
process so its peak RSS is its own; bounded memory shows as a peak that does not grow with the
number of lines read. Run: ``python -m litrev_eval.bench_arxiv [--lines 200000] [--category cs.CL]``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "arxiv-metadata-head200.jsonl"
CATEGORIES = [
    "cs.CL cs.LG",
    "hep-ph",
    "astro-ph",
    "math.CO cs.CG",
    "cond-mat.str-el",
    "cs.LG stat.ML",
    "hep-th gr-qc",
    "physics.optics",
    "q-bio.NC",
    "math.PR",
]


def write_dump(path: Path, lines: int) -> None:
    """``lines`` snapshot records, cycling through the fixture's 200 with unique ids and titles."""
    records = [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as out:
        for number in range(lines):
            record = dict(records[number % len(records)])
            record["id"] = f"{9000 + number // 100_000}.{number % 100_000:05d}"
            record["title"] = f"{record['title']} (copy {number})"
            record["categories"] = CATEGORIES[number % len(CATEGORIES)]
            out.write(json.dumps(record) + "\n")


def measure(path: Path, category: str) -> dict[str, float]:
    """Read ``path`` sliced to ``category`` in this process; figures for this process only."""
    from rag.sources.corpus import ReadOptions, read_paths

    started = time.perf_counter()
    report = read_paths([path], ReadOptions(frozenset({category})))
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "lines": report.lines,
        "papers": len(report.papers),
        "seconds": round(seconds, 2),
        "lines_per_s": round(report.lines / seconds),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "file_mb": round(path.stat().st_size / 2**20, 1),
    }


def run(lines: int, category: str, folder: Path) -> list[dict[str, float]]:
    """The slice at a tenth of ``lines`` and at ``lines``, each in a fresh process."""
    figures = []
    for size in (lines // 10, lines):
        path = folder / f"arxiv-{size}.jsonl"
        write_dump(path, size)
        done = subprocess.run(
            [sys.executable, "-m", "litrev_eval.bench_arxiv", "--measure", str(path), "--category", category],
            capture_output=True,
            text=True,
            check=True,
        )
        figures.append(json.loads(done.stdout))
    return figures


def table(figures: list[dict[str, float]]) -> str:
    head = "| lines | file MB | papers kept | seconds | lines/s | peak RSS MB |\n|---|---|---|---|---|---|"
    rows = [
        f"| {f['lines']:,} | {f['file_mb']} | {f['papers']:,} | {f['seconds']} | {f['lines_per_s']:,} "
        f"| {f['peak_rss_mb']} |"
        for f in figures
    ]
    return "\n".join([head, *rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--category", default="cs.CL")
    parser.add_argument("--folder", type=Path, default=None, help="where to write the files (a temp dir)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(arguments.measure, arguments.category)))
        return
    import tempfile

    with tempfile.TemporaryDirectory() as temp:
        print(table(run(arguments.lines, arguments.category, arguments.folder or Path(temp))))


if __name__ == "__main__":
    main()
