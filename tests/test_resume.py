"""Ingests killed with SIGKILL: they resume on the next run with nothing lost and nothing doubled,
their half-written chunks never count, and a killed rebuild leaves the old library in place."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

from rag.answers.answer import answer
from rag.index.chunking import chunk_papers
from rag.index.ingest import ingest
from rag.index.library import Library
from rag.index.rebuild import forget_clients
from rag.retrieval.retrieve import search
from rag.settings import ChunkingSettings, Settings
from rag.sources.corpus import read_paths
from tests.homes import first_papers, share_export

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from rag.index.ingest import ingest
    from rag.index.library import Library
    from rag.settings import ChunkingSettings, Settings

    settings = Settings(home=Path(sys.argv[1]), chunking=ChunkingSettings(batch_papers=16))
    report = lambda done, total: print(done, flush=True)
    ingest([Path(sys.argv[2])], library=Library(settings), progress=report)
    print("finished", flush=True)
    """
)


PAPERS = 100
"""Papers of the killed ingest: a kill after three batches of 16 leaves most of them to do."""


def test_killed_ingest_resumes_without_duplicates_or_orphans(tmp_path: Path, embedder) -> None:
    home = tmp_path / "home"
    source = first_papers(tmp_path / "papers.jsonl", PAPERS)
    share_export(embedder, home)  # the process embeds at once, without making the query encoder first
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(home), str(source)], stdout=subprocess.PIPE, text=True
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
    assert 48 <= partial < PAPERS
    report = ingest([source], library=library)
    assert report.unchanged == partial and report.added == PAPERS - partial

    papers = read_paths([source]).papers
    expected = Counter(chunk.paper_id for chunk in chunk_papers(papers, settings.chunking))
    stored = Counter(meta["paper_id"] for _, meta in library.store.iter_chunks())
    assert stored == expected  # every paper has exactly its chunks: none doubled, none orphaned
    assert library.store.paper_count() == PAPERS
    assert len(Library(settings, embedder=embedder).lexical) == PAPERS
    last = papers[-1]
    assert search(last.title, library=library, k=1, method="lexical").hits[0].paper.id == last.id


# -- a kill right after the first Chroma write --------------------------------------------------

KILLED_AFTER_FIRST_WRITE = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from chromadb.api.models.Collection import Collection
    from rag.index.ingest import ingest
    from rag.index.library import Library
    from rag.settings import Settings

    real_upsert = Collection.upsert

    def upsert(self, *args, **kwargs):  # the first write lands, then the process waits to be killed
        real_upsert(self, *args, **kwargs)
        print("written", self.name, flush=True)
        time.sleep(600)

    Collection.upsert = upsert
    ingest([Path(sys.argv[2])], library=Library(Settings(home=Path(sys.argv[1]))), rebuild=sys.argv[3] == "1")
    """
)

OFF_TOPIC = "How does protein folding work?"


def protein_papers(path: Path, n: int = 12) -> Path:
    """Papers that answer OFF_TOPIC well: their chunks, if they counted, would make it answerable."""
    records = [
        {
            "title": f"How Proteins Fold: Energy Landscapes, Study {i}",
            "abstract": f"Protein folding is how a chain of amino acids finds its native structure. "
            f"We show how protein folding works through funnel-shaped energy landscapes (study {i}). "
            "Folding intermediates, chaperones and misfolding are measured in vitro.",
        }
        for i in range(n)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def kill_after_first_write(home: Path, source: Path, *, rebuild: bool) -> str:
    """Ingest ``source`` into ``home`` in a process killed right after its first Chroma write
    (``home`` has the query encoder, so that write comes as soon as the first batch is embedded)."""
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_AFTER_FIRST_WRITE, str(home), str(source), "1" if rebuild else "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    assert line.startswith("written") and process.returncode == -signal.SIGKILL, line
    return line.split()[1]


def ghost_chunks(library: Library, paper_ids: set[str]) -> int:
    return sum(1 for _, meta in library.store.iter_chunks() if meta["paper_id"] in paper_ids)


def test_chunks_of_a_killed_ingest_never_count_and_the_next_ingest_removes_them(
    tmp_path: Path, embedder
) -> None:
    settings = Settings(home=tmp_path / "home")
    subset = first_papers(tmp_path / "subset.jsonl", 40)
    ingest([subset], library=Library(settings, embedder=embedder))
    assert answer(OFF_TOPIC, library=Library(settings, embedder=embedder)).abstained

    protein = protein_papers(tmp_path / "protein.jsonl")
    share_export(embedder, settings.home)
    assert kill_after_first_write(settings.home, protein, rebuild=False) == "litrev-chunks"
    protein_ids = {paper.id for paper in read_paths([protein]).papers}

    forget_clients(settings.chroma_dir)  # read the files afresh, as the next process would
    library = Library(settings, embedder=embedder)
    ghosts = ghost_chunks(library, protein_ids)
    assert ghosts >= 12  # the fault is real: chunks whose paper records were never written
    assert library.store.paper_count() == 40
    assert answer(OFF_TOPIC, library=library).abstained  # queries skip them already

    report = ingest([subset], library=library)  # a plain ingest, not of the killed file
    assert report.unchanged == 40 and report.added == 0
    assert report.repaired_chunks == ghosts and report.repaired_papers == 0
    assert "repaired an interrupted ingest" in report.summary

    reopened = Library(settings, embedder=embedder)
    assert ghost_chunks(reopened, protein_ids) == 0
    expected = Counter(
        chunk.paper_id for chunk in chunk_papers(read_paths([subset]).papers, settings.chunking)
    )
    assert Counter(meta["paper_id"] for _, meta in reopened.store.iter_chunks()) == expected
    assert answer(OFF_TOPIC, library=reopened).abstained
    assert ingest([subset], library=reopened).repaired_chunks == 0  # repaired once, not every time

    report = ingest([protein], library=reopened)  # the killed file, ingested again, now counts
    assert report.added == 12 and report.total_papers == 52
    assert not answer(OFF_TOPIC, library=reopened).abstained


def test_a_kill_during_rebuild_keeps_the_old_library(tmp_path: Path, embedder) -> None:
    settings = Settings(home=tmp_path / "home")
    subset = first_papers(tmp_path / "subset.jsonl", 40)
    ingest([subset], library=Library(settings, embedder=embedder))
    title = json.loads(subset.read_text(encoding="utf-8").splitlines()[5])["title"]
    share_export(embedder, settings.home)

    kill_after_first_write(settings.home, first_papers(tmp_path / "fewer.jsonl", 10), rebuild=True)
    forget_clients(settings.chroma_dir)
    library = Library(settings, embedder=embedder)
    assert library.store.paper_count() == 40  # the old index, untouched
    assert search(title, library=library, k=1).hits[0].paper.title == title

    report = ingest([subset], library=library, rebuild=True)  # a rebuild that finishes
    assert report.added == 40 and report.total_papers == 40
    assert not (settings.home / "chroma.rebuild").exists() and not (settings.home / "chroma.old").exists()
    reopened = Library(settings, embedder=embedder)
    assert reopened.store.paper_count() == 40 and len(reopened.lexical) == 40
    assert search(title, library=reopened, k=1).hits[0].paper.title == title
