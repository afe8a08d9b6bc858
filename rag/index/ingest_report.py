"""What an ingest did, in numbers and in lines for the user: :class:`IngestReport`."""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.errors import CorpusError


@dataclass
class IngestReport:
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    chunks: int = 0
    total_papers: int = 0
    seconds: float = 0.0
    problems: list[CorpusError] = field(default_factory=list)
    notes: list[CorpusError] = field(default_factory=list)
    """Records kept with a change the user should know of (a citation key made safe)."""
    conflicts: list[str] = field(default_factory=list)
    """Titles read twice with different abstracts (the first abstract was kept)."""
    skipped_paths: int = 0
    """Paths that could not be read at all."""
    removed: int = 0
    """Papers that left the index because their source no longer has them (Zotero sync)."""
    repaired_chunks: int = 0
    """Chunks of an interrupted ingest (no paper record of their version) that were deleted."""
    repaired_papers: int = 0
    """Paper records left without chunks by an interrupted ingest, deleted to be re-added."""
    pdfs_read: int = 0
    """PDFs whose full text was read and indexed (new or changed)."""
    texts_read: int = 0
    """Papers whose full text was read from text extracted from their PDF (Zotero's), the PDF
    itself missing or unreadable (new or changed)."""
    pdfs_unchanged: int = 0
    """PDFs whose full text the index held already (same digest): not read again."""
    pdf_papers: int = 0
    """Papers made from a PDF's first page, no library paper matching it."""
    passages: int = 0
    """Body passages embedded."""

    @property
    def summary(self) -> str:
        text = (
            f"{self.read} unique papers read: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged; {self.duplicates} duplicates skipped"
        )
        if self.removed:
            text += f"; {self.removed} removed"
        if self.problems:
            text += f"; {len(self.problems)} records rejected"
        if self.repaired_chunks or self.repaired_papers:
            text += (
                f"; repaired an interrupted ingest: {self.repaired_chunks} orphan chunks and "
                f"{self.repaired_papers} papers without chunks removed"
            )
        text += f". Library: {self.total_papers} papers."
        if self.pdfs_read or self.pdfs_unchanged:
            made = (
                f", {self.pdf_papers} of them new papers titled from their first page"
                if self.pdf_papers
                else ""
            )
            text += f" PDFs: {self.pdfs_read} read{made}, {self.pdfs_unchanged} unchanged."
        if self.texts_read:
            text += f" Zotero's extracted text read for {self.texts_read} papers without a readable PDF."
        return text

    @property
    def line(self) -> str:
        """What ``litrev ingest`` prints: the summary and the embedding time."""
        passages = f" and {self.passages} passages" if self.passages else ""
        return f"{self.summary} ({self.chunks} chunks{passages} embedded in {self.seconds:.1f} s)"
