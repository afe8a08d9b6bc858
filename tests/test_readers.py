"""Each reader on good input and on malformed input (errors name the file and the line)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.corpus import read_paths, title_key
from rag.errors import CorpusError
from rag.readers import read_file
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
    with pytest.raises(CorpusError, match=r"lib\.csv:1: CSV header lacks column\(s\) title"):
        read_file(write(tmp_path, "lib.csv", "name,abstract\nx,y\n"))


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
    assert str(result.problems[0]).startswith(f"{tmp_path / 'refs.bib'}:8:")


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


def test_five_megabyte_abstract_is_rejected_and_neighbours_kept(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "Huge", "abstract": "word " * 1_000_000}),
        json.dumps({"title": "Normal", "abstract": ABSTRACT}),
    ]
    result = read_file(write(tmp_path, "huge.jsonl", "\n".join(lines) + "\n"))
    assert [p.title for p in result.papers] == ["Normal"]
    assert "huge.jsonl:1: abstract of 'Huge' is" in str(result.problems[0])
