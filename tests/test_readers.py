"""Each reader on good input and on malformed input (errors name the file and the line)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.errors import CorpusError
from rag.sources.corpus import read_paths, title_key
from rag.sources.readers import read_file
from tests.helpers import RAW

ABSTRACT = "We propose a method that does something useful for speech recognition. " * 3


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_seed_pages_hold_289_entries_and_264_unique_papers() -> None:
    files = sorted(RAW.glob("*.txt"))
    assert sum(len(read_file(path).papers) for path in files) == 289
    report = read_paths([RAW])
    assert len(report.papers) == 264
    assert report.duplicates == 25
    assert report.problems == []


def test_daily_papers_header_glued_to_first_title_is_stripped() -> None:
    first = read_file(RAW / "000_075488ee5a85f110.txt").papers[0]
    assert first.title == "Linguistic-Enhanced Transformer with CTC Embedding for Speech Recognition"
    assert first.abstract.startswith("The recent emergence of joint CTC-Attention model")


def test_daily_papers_misaligned_line_is_reported_and_the_rest_kept(tmp_path: Path) -> None:
    text = f"Subscribe\n\nGood Title\n\n{ABSTRACT}\n\nstray short line\n\nAnother Title\n\n{ABSTRACT}\n"
    result = read_file(write(tmp_path, "page.txt", text))
    assert [p.title for p in result.papers] == ["Good Title", "Another Title"]
    assert len(result.problems) == 1
    assert "page.txt:7:" in str(result.problems[0])


def test_jsonl_reads_metadata_and_reports_bad_lines(tmp_path: Path) -> None:
    good = {
        "title": "A Paper",
        "abstract": ABSTRACT,
        "authors": ["Ada Lovelace", "Alan Turing"],
        "year": "2021",
        "venue": "Interspeech",
        "doi": "10.1/x",
    }
    lines = [json.dumps(good), '{"title": "truncated', json.dumps({"title": "No abstract"}), "[1, 2]"]
    result = read_file(write(tmp_path, "papers.jsonl", "\n".join(lines) + "\n"))
    (paper,) = result.papers
    assert paper.authors == ("Ada Lovelace", "Alan Turing")
    assert paper.year == 2021
    assert paper.venue == "Interspeech"
    messages = [str(problem) for problem in result.problems]
    assert messages[0].startswith("papers.jsonl:2: not valid JSON") or ":2: not valid JSON" in messages[0]
    assert ":3: no abstract" in messages[1]
    assert ":4: expected a JSON object" in messages[2]


def test_csv_with_header_and_aliases(tmp_path: Path) -> None:
    text = f'Title,Abstract,Author,Year\n"A, Paper","{ABSTRACT}",Ada Lovelace and Alan Turing,2020\n'
    (paper,) = read_file(write(tmp_path, "lib.csv", text)).papers
    assert paper.title == "A, Paper"
    assert paper.authors == ("Ada Lovelace", "Alan Turing")
    assert paper.year == 2020


def test_csv_without_title_column_names_file_and_header(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"lib\.csv:1: CSV header needs a title .*; no title column found$"):
        read_file(write(tmp_path, "lib.csv", "name,abstract,a,b,c,d,e,f,g\nx,y,1,2,3,4,5,6,7\n"))


def test_bibtex_entries_keys_and_broken_entry(tmp_path: Path) -> None:
    text = (
        '@article{lovelace2021speech,\n  title = {A {B}ig Na\\"ive Idea},\n'
        "  author = {Lovelace, Ada and Turing, Alan},\n  year = {2021},\n"
        f"  journal = {{Speech Letters}},\n  abstract = {{{ABSTRACT} 100\\% sure.}}\n}}\n\n"
        "@article{broken,\n  title = {Unclosed,\n\n"
        f"@inproceedings{{ok2020,\n  title = {{Fine}},\n  abstract = {{{ABSTRACT}}},\n"
        "  booktitle = {ICASSP}\n}\n"
    )
    result = read_file(write(tmp_path, "refs.bib", text))
    first, second = result.papers
    assert first.title == "A Big Naïve Idea"
    assert first.bibkey == "lovelace2021speech"
    assert first.authors == ("Lovelace, Ada", "Turing, Alan")
    assert first.abstract.endswith("100% sure.")
    assert second.venue == "ICASSP"
    assert len(result.problems) == 1
    assert str(result.problems[0]).startswith(f"{tmp_path / 'refs.bib'}:9:")  # the entry's own line


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.jsonl", b"  \n", "file is empty"),
        ("blob.jsonl", b"\x00\x01\x02binary\x00", "binary file"),
        ("notes.docx", b"whatever", "unknown file type"),
    ],
)
def test_unreadable_files_raise_one_line_errors(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    with pytest.raises(CorpusError, match=message) as caught:
        read_file(write(tmp_path, name, data))
    assert name in str(caught.value)
    assert "\n" not in str(caught.value)


def test_utf16_with_bom_and_latin1_are_decoded(tmp_path: Path) -> None:
    record = json.dumps({"title": "Café Speech", "abstract": ABSTRACT}, ensure_ascii=False) + "\n"
    utf16 = read_file(write(tmp_path, "a.jsonl", record.encode("utf-16")))
    latin1 = read_file(write(tmp_path, "b.jsonl", record.encode("latin-1")))
    assert utf16.papers[0].title == latin1.papers[0].title == "Café Speech"


def test_one_unreadable_file_does_not_stop_the_others(tmp_path: Path) -> None:
    good = write(tmp_path, "good.jsonl", json.dumps({"title": "T", "abstract": ABSTRACT}) + "\n")
    bad = write(tmp_path, "bad.jsonl", b"")
    report = read_paths([bad, good])
    assert [p.title for p in report.papers] == ["T"]
    assert "bad.jsonl" in str(report.problems[0])


def test_duplicates_merge_metadata_and_ids_are_stable(tmp_path: Path) -> None:
    lines = [
        {"title": "Speech Models: A Study", "abstract": ABSTRACT},
        {"title": "speech models -- a STUDY", "abstract": ABSTRACT + " More.", "year": 2022},
    ]
    path = write(tmp_path, "d.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    first, second = read_paths([path]), read_paths([path])
    assert len(first.papers) == 1 and first.duplicates == 1
    assert first.papers[0].year == 2022
    assert first.papers[0].abstract == ABSTRACT.strip()
    assert first.papers[0].id == second.papers[0].id
    assert title_key("Speech Models: A Study") == title_key("speech models -- a STUDY")


def test_oversized_title_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "big.jsonl", json.dumps({"title": "x" * 10_000, "abstract": ABSTRACT}) + "\n")
    result = read_file(path)
    assert result.papers == []
    assert "big.jsonl:1: title is 10000 characters long" in str(result.problems[0])


def test_five_megabyte_line_and_long_abstract_are_rejected_and_neighbours_kept(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "Huge", "abstract": "word " * 1_000_000}),
        json.dumps({"title": "Long", "abstract": "word " * 40_000}),
        json.dumps({"title": "Normal", "abstract": ABSTRACT}),
    ]
    result = read_file(write(tmp_path, "huge.jsonl", "\n".join(lines) + "\n"))
    assert [p.title for p in result.papers] == ["Normal"]
    assert [str(problem).split("huge.jsonl:")[1] for problem in result.problems] == [
        "1: line is 5000034 bytes long (at most 1048576); skipped",
        "2: abstract of 'Long' is 200000 characters long (at most 20000)",
    ]


def test_csv_written_by_python_round_trips_doubled_quotes(tmp_path: Path) -> None:
    import csv

    abstract = 'We call it "the model" and quote ""twice""; ' + ABSTRACT * 5
    rows = [
        {"title": 'A "Quoted" Title', "abstract": abstract, "authors": "Ada Lovelace; Alan Turing"},
        {"title": "Second, with comma", "abstract": ABSTRACT, "authors": "Grace Hopper"},
    ]
    path = tmp_path / "lib.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["title", "abstract", "authors"])
        writer.writeheader()
        writer.writerows(rows)
    result = read_file(path)
    assert result.problems == []
    first, second = result.papers
    assert (first.title, first.abstract) == ('A "Quoted" Title', " ".join(abstract.split()))
    assert first.authors == ("Ada Lovelace", "Alan Turing")
    assert second.title == "Second, with comma" and second.authors == ("Grace Hopper",)


def test_csv_row_with_wrong_field_count_names_its_line(tmp_path: Path) -> None:
    text = (
        f'title,abstract\n"One","{ABSTRACT}"\n"Two","{ABSTRACT}",extra\n"Three\nspans lines","{ABSTRACT}"\n'
    )
    result = read_file(write(tmp_path, "lib.csv", text))
    assert [p.title for p in result.papers] == ["One", "Three spans lines"]
    (problem,) = result.problems
    assert str(problem).endswith("lib.csv:3: row has 3 fields but the header has 2")


def test_csv_stated_separator_is_honoured(tmp_path: Path) -> None:
    text = f"sep=;\ntitle;abstract\nSemi, colon;{ABSTRACT}\n"
    (paper,) = read_file(write(tmp_path, "lib.csv", text)).papers
    assert paper.title == "Semi, colon"


def test_invalid_utf8_line_is_reported_and_the_others_kept(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "Naïve Café", "abstract": ABSTRACT}, ensure_ascii=False).encode(),
        json.dumps({"title": "Broken", "abstract": ABSTRACT}).encode().replace(b"Broken", b"Bro\xffken"),
        json.dumps({"title": "Über Alles", "abstract": ABSTRACT}, ensure_ascii=False).encode(),
    ]
    for name in ("lines.jsonl", "lines.csv"):
        data = b"\n".join(lines) + b"\n"
        if name.endswith(".csv"):
            data = (
                b"title,abstract\n"
                + b"\n".join(
                    b'"'
                    + json.loads(line.decode("utf-8", "replace"))["title"].encode()
                    + b'","'
                    + ABSTRACT.encode()
                    + b'"'
                    for line in lines
                ).replace("Bro\ufffdken".encode(), b"Bro\xffken")
                + b"\n"
            )
        result = read_file(write(tmp_path, name, data))
        assert [p.title for p in result.papers] == ["Naïve Café", "Über Alles"], name
        (problem,) = result.problems
        assert f"{name}:{2 if name.endswith('.jsonl') else 3}: not valid UTF-8 (byte 0xff" in str(problem)


def test_duplicate_titles_with_different_abstracts_are_listed(tmp_path: Path) -> None:
    lines = [
        {"title": "Same Title", "abstract": ABSTRACT},
        {"title": "same title", "abstract": "A different abstract entirely, long enough to count as one."},
        {"title": "Other", "abstract": ABSTRACT},
        {"title": "OTHER", "abstract": ABSTRACT},
    ]
    report = read_paths([write(tmp_path, "d.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")])
    assert report.duplicates == 2
    assert report.conflicts == ["Same Title"]


def test_missing_and_unreadable_paths_are_one_line_each(tmp_path: Path) -> None:
    import os

    good = write(tmp_path, "good.jsonl", json.dumps({"title": "T", "abstract": ABSTRACT}) + "\n")
    locked = tmp_path / "locked"
    locked.mkdir()
    write(locked, "inside.jsonl", json.dumps({"title": "Hidden", "abstract": ABSTRACT}) + "\n")
    (locked / "dangling.ris").symlink_to(tmp_path / "gone.ris")
    locked.chmod(0)
    try:
        report = read_paths([tmp_path / "nope.bib", locked, good])
    finally:
        locked.chmod(0o755)
    messages = [str(problem) for problem in report.problems]
    assert messages[0] == f"{tmp_path / 'nope.bib'}: no such file or folder"
    if os.geteuid() == 0:  # root reads any folder: only the dangling link inside fails
        assert [p.title for p in report.papers] == ["Hidden", "T"]
        assert messages[1:] == [f"{locked / 'dangling.ris'}: cannot read: No such file or directory"]
    else:
        assert [p.title for p in report.papers] == ["T"]
        assert messages[1:] == [f"{locked}: cannot read: Permission denied"]
    assert report.skipped_paths == 2


def test_ris_alternative_tags_and_a_record_without_its_end(tmp_path: Path) -> None:
    text = (
        "TY  - CONF\nT1  - Primary Title Here\nA1  - Lovelace, Ada\nY1  - 2019/05/01/\n"
        f"N2  - {ABSTRACT}\nT2  - Proc. Speech\nKW  - asr\nKW  - accents\nUR  - https://x.org/1\nER  - \n\n"
        "TY  - JOUR\nTI  - Lost End\nAB  - an abstract\n\n"
        f"TY  - JOUR\nTI  - Third\nAU  - Turing, Alan\nPY  - 2020\nAB  - {ABSTRACT}\nJO  - J. Things\n"
        "DO  - 10.1/t\nER  - \n"
    )
    result = read_file(write(tmp_path, "lib.ris", text))
    first, third = result.papers
    assert (first.title, first.authors, first.year) == ("Primary Title Here", ("Lovelace, Ada",), 2019)
    assert (first.venue, first.tags, first.entry_type) == (
        "Proc. Speech",
        ("asr", "accents"),
        "inproceedings",
    )
    assert first.url == "https://x.org/1"
    assert (third.venue, third.doi, third.entry_type) == ("J. Things", "10.1/t", "article")
    (problem,) = result.problems
    assert str(problem).endswith("lib.ris:12: record has no closing 'ER  -' line")


def test_proceedings_volume_is_named_on_its_own_line_and_papers_kept(tmp_path: Path) -> None:
    text = (
        "@Proceedings{icassp2020,\n  title = {Proceedings of ICASSP 2020},\n  year = {2020}\n}\n\n"
        f"@InProceedings{{talk,\n  title = {{A Talk}},\n  booktitle = {{ICASSP}},\n  pages = {{1--4}},\n"
        f"  abstract = {{{ABSTRACT}}}\n}}\n"
    )
    result = read_file(write(tmp_path, "proc.bib", text))
    (paper,) = result.papers
    assert (paper.entry_type, paper.venue, ("pages", "1--4") in paper.bib_fields) == (
        "inproceedings",
        "ICASSP",
        True,
    )
    (problem,) = result.problems
    assert str(problem).endswith("proc.bib:1: @proceedings 'icassp2020' is a volume, not a paper; skipped")
