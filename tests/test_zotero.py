"""Reading a Zotero library from a real database built with Zotero's own DDL (tests/fixtures)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from rag.errors import CorpusError
from rag.index.library import Library
from rag.index.zotero_ingest import ingest_zotero
from rag.retrieval.retrieve import Filters, search
from rag.sources.zotero import read_zotero
from tests.zotero_library import ABSTRACT, ZoteroDB
from ui.handlers import Options, find_sources


@pytest.fixture
def zotero(tmp_path: Path) -> ZoteroDB:
    z = ZoteroDB(tmp_path)
    z.collection("Thesis")
    z.collection("Chapter 2", parent="Thesis")
    z.collection("Other")
    one = z.item(
        "AAAA1111",
        collection="Thesis",
        title="Accent Robust Speech Recognition",
        abstractNote=ABSTRACT,
        date="2021-03-00 2021-03",
        publicationTitle="Speech Letters",
        extra="Citation Key: lovelace2021accent\narXiv: 2103.00001",
        DOI="10.1/one",
    )
    z.author(one, "Ada", "Lovelace", 0)
    z.author(one, "Alan", "Turing", 1)
    z.author(one, "Ed", "Itor", 2, kind=3)  # an editor is not an author
    z.tag(one, "speech")
    z.tag(one, "to-read")
    two = z.item(
        "BBBB2222",
        "conferencePaper",
        collection="Chapter 2",
        title="Streaming ASR on Phones",
        abstractNote=ABSTRACT + "On phones.",
        date="2022",
    )
    z.author(two, "Grace", "Hopper", 0)
    trashed = z.item(
        "CCCC3333", collection="Thesis", title="A Trashed Paper", abstractNote=ABSTRACT + "Trash."
    )
    z.db.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (trashed,))
    z.item("DDDD4444", collection="Other", title="Outside the Collection", abstractNote=ABSTRACT + "Out.")
    z.item("EEEE5555", "note", collection="Thesis")
    z.item("FFFF6666", "attachment", collection="Thesis", title="paper.pdf")
    z.item("GGGG7777", collection="Thesis", title="No Abstract Yet")
    z.commit()
    return z


def test_collection_read_with_metadata_trash_skipped_and_file_untouched(zotero: ZoteroDB) -> None:
    before = hashlib.sha256(zotero.path.read_bytes()).hexdigest()
    zotero.db.execute("BEGIN EXCLUSIVE")  # Zotero holds the database locked while it runs
    try:
        report = read_zotero(zotero.path.parent, "Thesis")
    finally:
        zotero.db.rollback()
    assert hashlib.sha256(zotero.path.read_bytes()).hexdigest() == before
    by_title = {paper.title: paper for paper in report.papers}
    assert sorted(by_title) == ["Accent Robust Speech Recognition", "Streaming ASR on Phones"]
    one = by_title["Accent Robust Speech Recognition"]
    assert one.authors == ("Lovelace, Ada", "Turing, Alan")
    assert (one.year, one.venue, one.doi, one.arxiv_id) == (2021, "Speech Letters", "10.1/one", "2103.00001")
    assert one.bibkey == "lovelace2021accent"  # Better BibTeX's key from Extra
    assert set(one.tags) == {"speech", "to-read"} and one.collections == ("Thesis",)
    assert one.entry_type == "article" and one.source == "zotero:Thesis"
    two = by_title["Streaming ASR on Phones"]
    assert (two.bibkey, two.entry_type, two.collections) == ("BBBB2222", "inproceedings", ("Chapter 2",))
    reasons = [problem.reason for problem in report.problems]
    assert reasons == ["item GGGG7777: no abstract for 'No Abstract Yet'"]
    everything = read_zotero(zotero.path)
    assert len(everything.papers) == 3  # the whole library: the trashed item still left out


def test_unknown_collection_names_the_ones_there(zotero: ZoteroDB) -> None:
    with pytest.raises(
        CorpusError, match=r"no collection named 'Thesys' \(collections: Chapter 2, Other, Thesis\)"
    ):
        read_zotero(zotero.path.parent, "Thesys")


def test_rerun_picks_up_additions_edits_and_deletions(zotero: ZoteroDB, library: Library) -> None:
    first = ingest_zotero(zotero.path.parent, "Thesis", library=library)
    assert (first.added, first.removed, first.total_papers) == (2, 0, 2)
    for tag, titles in ((None, 2), (" to-read ", 1), ("Chapter 2", 1)):  # the UI's filter box
        found = find_sources("speech recognition", library=library, options=Options.from_panel(tag=tag))
        assert len(found.candidates) == titles, tag
    for method in ("dense", "lexical", "hybrid"):  # tags and collections filter every path
        for tag, expected in (("TO-READ", ["AAAA"]), ("chapter 2", ["BBBB"]), ("thesis", ["AAAA"])):
            hits = search("speech recognition", library=library, method=method, filters=Filters(tag=tag)).hits
            assert [hit.paper.bibkey[:4] for hit in hits] == [
                {"AAAA": "love", "BBBB": "BBBB"}[key] for key in expected
            ], (method, tag)

    zotero.set(1, "abstractNote", ABSTRACT + "Now with a second sentence about dialects.")
    zotero.db.execute("INSERT INTO deletedItems (itemID) VALUES (2)")  # moved to the trash
    zotero.item("HHHH8888", collection="Thesis", title="Dialect Adaptation", abstractNote=ABSTRACT + "New.")
    zotero.set(4, "title", "Outside the Collection, Renamed")  # not in the collection: no effect
    zotero.commit()

    second = ingest_zotero(zotero.path.parent, "Thesis", library=library)
    assert (second.added, second.updated, second.unchanged, second.removed) == (1, 1, 0, 1)
    papers = {paper.title: paper for paper in library.store.iter_papers()}
    assert sorted(papers) == ["Accent Robust Speech Recognition", "Dialect Adaptation"]
    assert papers["Accent Robust Speech Recognition"].abstract.endswith("about dialects.")
    hits = library.lexical.search("streaming phones", 5, None)
    assert all(hit.paper_id in {p.id for p in papers.values()} for hit in hits)

    third = ingest_zotero(zotero.path.parent, "Thesis", library=library)
    assert (third.added, third.updated, third.unchanged, third.removed) == (0, 0, 2, 0)


def test_better_bibtex_database_supplies_keys(zotero: ZoteroDB) -> None:
    bbt = sqlite3.connect(zotero.path.with_name("better-bibtex.sqlite"))
    bbt.execute(
        "CREATE TABLE citationkey (itemID NOT NULL PRIMARY KEY, itemKey NOT NULL, libraryID NOT NULL,"
        " citationKey NOT NULL, pinned CHECK (pinned in (0, 1)) NOT NULL DEFAULT 0)"
    )
    bbt.execute("INSERT INTO citationkey VALUES (2, 'BBBB2222', 1, 'hopper2022streaming', 0)")
    bbt.execute("INSERT INTO citationkey VALUES (1, 'AAAA1111', 1, 'ignoredForExtra', 0)")
    bbt.commit()
    bbt.close()
    keys = {paper.title: paper.bibkey for paper in read_zotero(zotero.path, "Thesis").papers}
    assert keys == {
        "Streaming ASR on Phones": "hopper2022streaming",
        "Accent Robust Speech Recognition": "lovelace2021accent",  # the key pinned in Extra wins
    }
