"""An ingest killed with SIGKILL mid-way resumes on the next run: nothing lost, nothing doubled."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

from rag.chunking import chunk_papers
from rag.corpus import read_paths
from rag.ingest import ingest
from rag.library import Library
from rag.retrieve import search
from rag.settings import ChunkingSettings, Settings
from tests.helpers import BUNDLED

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from rag.ingest import ingest
    from rag.library import Library
    from rag.settings import ChunkingSettings, Settings

    settings = Settings(home=Path(sys.argv[1]), chunking=ChunkingSettings(batch_papers=16))
    report = lambda done, total: print(done, flush=True)
    ingest([Path(sys.argv[2])], library=Library(settings), progress=report)
    print("finished", flush=True)
    """
)


def test_killed_ingest_resumes_without_duplicates_or_orphans(tmp_path: Path, embedder) -> None:
    home = tmp_path / "home"
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(home), str(BUNDLED)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() != "finished" and int(line) >= 48:
            break
    process.send_signal(signal.SIGKILL)  # a real kill: no cleanup code runs
    process.wait(timeout=30)
    process.stdout.close()
    assert process.returncode == -signal.SIGKILL

    settings = Settings(home=home, chunking=ChunkingSettings(batch_papers=16))
    library = Library(settings, embedder=embedder)
    partial = library.store.paper_count()
    assert 48 <= partial < 264
    report = ingest([BUNDLED], library=library)
    assert report.unchanged == partial and report.added == 264 - partial

    papers = read_paths([BUNDLED]).papers
    expected = Counter(chunk.paper_id for chunk in chunk_papers(papers, settings.chunking))
    stored = Counter(meta["paper_id"] for _, _, meta in library.store.iter_chunks())
    assert stored == expected  # every paper has exactly its chunks: none doubled, none orphaned
    assert library.store.paper_count() == 264
    assert len(Library(settings, embedder=embedder).lexical) == 264
    last = papers[-1]
    assert search(last.title, library=library, k=1, method="lexical").hits[0].paper.id == last.id
