"""On a disk with no space left, `papers`, `search` and `ask` still answer, and no command tries to
save the query encoder's export again (it needs more space than the disk has)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.homes import first_papers, on_small_disk

READS = textwrap.dedent(
    """
    import json, os, subprocess, sys
    from pathlib import Path

    disk, source, tries, title = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    env = {**os.environ, "LITREV_HOME": str(disk / "litrev")}
    # Each command in its own process, noting in `tries` (off this disk) each export it starts.
    CLI = (
        "import sys\\n"
        "import rag.index.query_encoder as encoder\\n"
        "real = encoder.export\\n"
        "def export(*args):\\n"
        "    open(sys.argv[1], 'a').write('export\\\\n')\\n"
        "    return real(*args)\\n"
        "encoder.export = export\\n"
        "sys.argv = sys.argv[1:]\\n"
        "from rag.cli.commands import main\\n"
        "main()\\n"
    )

    def litrev(*args):
        cli = [sys.executable, "-c", CLI, str(tries), *args]
        done = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=900)
        return [done.returncode, done.stdout, done.stderr]

    out = {"first": litrev("ingest", str(source))}
    ballast = os.open(disk / "ballast", os.O_WRONLY | os.O_CREAT)
    for size in (1 << 16, 1 << 12, 1):  # fill the disk to the last byte
        try:
            while True:
                os.write(ballast, bytes(size))
        except OSError:
            pass
    os.close(ballast)
    out["free"] = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    out["papers"] = litrev("papers", "--json")
    out["search"] = litrev("search", title, "--json")
    out["ask"] = [litrev("ask", "What is speech recognition?") for _ in range(2)]
    (disk / "ballast").unlink()
    out["freed"] = litrev("papers", "--json")
    print(json.dumps(out))
    """
)
WARNINGS = (
    "the disk holding ",  # the space reserve given back to open the index
    "query encoder not saved to ",  # questions use the torch model
    "cannot save the lexical index to ",
)


def test_reads_answer_on_a_full_disk_without_retrying_the_encoder_export(tmp_path: Path) -> None:
    disk = tmp_path / "small-disk"
    disk.mkdir()
    source = first_papers(tmp_path / "first.jsonl", 30)
    title = json.loads(source.read_text(encoding="utf-8").splitlines()[9])["title"]
    tries = tmp_path / "export-tries"
    out = on_small_disk(disk, READS, str(source), str(tries), title)
    assert out["first"][0] == 0, out["first"][2]
    assert out["free"] < 65536

    def answered(name: str, run: list) -> str:
        code, stdout, stderr = run
        assert code == 0, (name, stderr[-2000:])
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert all(line.startswith(WARNINGS) for line in lines), (name, stderr[-2000:])
        return stdout

    assert len(json.loads(answered("papers", out["papers"]))) == 30
    assert json.loads(answered("search", out["search"]))["hits"][0]["title"] == title
    for run in out["ask"]:
        assert "References" in answered("ask", run)
    assert len(json.loads(answered("papers once freed", out["freed"]))) == 30
    assert not tries.exists()  # no command tried to export: the disk is too small for it
