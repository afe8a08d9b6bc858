"""BibTeX keys and entries: round trips through bibtexparser, stable unique keys."""

from __future__ import annotations

import random
import re

import bibtexparser
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.cite.bibtex import assign_keys, base_key, bibliography, entry, escape, last_name, unescape
from rag.sources.corpus import Paper, paper_id, read_paths
from tests.helpers import BUNDLED

KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.+-]*$")


def paper(title: str = "Fast Inference from Transformers via Speculative Decoding", **fields) -> Paper:
    fields.setdefault("abstract", "An abstract.")
    return Paper(id=fields.pop("id", paper_id(title)), title=title, **fields)


def parse(text: str) -> list[tuple[str, str, dict[str, str]]]:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [block.error for block in library.failed_blocks]
    return [(e.entry_type, e.key, {f.key: f.value for f in e.fields}) for e in library.entries]


def test_full_entry_parses_back_to_the_same_values() -> None:
    original = paper(
        "LLaMA-Omni2: 50% of {x} & C:\\path ~ ^ $ # in_place Über Qwen2.5",
        authors=("Leviathan, Yaniv", "Matan Kalman", "Research and Development"),
        year=2023,
        venue="ICML & Friends",
        url="https://arxiv.org/abs/2211.17192",
        doi="10.48550/arXiv.2211.17192",
        arxiv_id="2211.17192",
        abstract="We show 10% gains & more.",
    )
    [(kind, key, fields)] = parse(entry(original, "leviathan2023fast", abstract=True))
    assert (kind, key) == ("article", "leviathan2023fast")
    assert unescape(fields["title"]) == original.title
    assert [unescape(name) for name in fields["author"].split(" and ") if "{" not in name][:2] == [
        "Leviathan, Yaniv",
        "Matan Kalman",
    ]
    assert "{Research and Development}" in fields["author"]  # braced, so BibTeX sees one name
    assert fields["year"] == "2023"
    assert unescape(fields["journal"]) == original.venue
    assert unescape(fields["abstract"]) == original.abstract
    assert fields["url"] == original.url and fields["doi"] == original.doi
    assert (fields["eprint"], fields["archivePrefix"]) == ("2211.17192", "arXiv")


def test_misc_without_venue_and_capitals_protected() -> None:
    [(kind, _, fields)] = parse(entry(paper("EAGLE: Speculative Sampling for LLaMA and ASR"), "k"))
    assert kind == "misc"
    assert fields["title"] == "{EAGLE:} Speculative Sampling for {LLaMA} and {ASR}"
    assert "author" not in fields and "year" not in fields and "abstract" not in fields


@pytest.mark.parametrize(
    "title",
    [
        "Speech & Audio: 50% of $10, #1 in_place {Set} a~b C:\\path",
        "LLaMA-Omni2: Qwen2.5 and GPT-4o",
        "M\u00fcller\u2019s na\u00efve ASR",
    ],
)
def test_escapes_are_latex_that_a_latex_decoder_reads_back(title: str) -> None:
    """An independent decoder (pylatexenc, via bibtexparser) agrees with :func:`unescape`."""
    library = bibtexparser.parse_string(
        entry(paper(title), "k"), append_middleware=[LatexDecodingMiddleware()]
    )
    assert library.entries[0]["title"] == title


TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=80).filter(
    lambda text: text.strip()
)


@settings(max_examples=300, deadline=None, database=None)  # no .hypothesis/ in the checkout
@given(title=TEXT, venue=TEXT, author=TEXT)
def test_generated_titles_round_trip(title: str, venue: str, author: str) -> None:
    original = paper(title, venue=venue, authors=(author,), year=2024)
    [(_, _, fields)] = parse(entry(original, "key"))
    assert unescape(fields["title"]) == " ".join(title.split())
    assert unescape(fields["journal"]) == " ".join(venue.split())
    assert unescape(fields["author"]) == " ".join(author.split())


def test_unbalanced_braces_are_escaped_so_bibtex_still_balances() -> None:
    written = escape("a { b")
    assert written == r"a \textbraceleft{} b"
    assert unescape(written) == "a { b"
    assert escape("set {a, b}") == r"set \{a, b\}"


def test_key_forms() -> None:
    assert last_name("Leviathan, Yaniv") == "Leviathan"
    assert last_name("Yaniv Leviathan") == "Leviathan"
    assert last_name("Martin Luther King Jr.") == "King"
    by_name = paper(authors=("Leviathan, Yaniv", "Matias, Yossi"), year=2023)
    assert base_key(by_name) == "leviathan2023fast"
    assert base_key(paper(authors=("Yaniv Leviathan",), year=2023)) == "leviathan2023fast"
    assert base_key(
        paper(authors=("Jürgen Schmidhüber",), year=1997, title="The Long Short-Term Memory")
    ) == ("schmidhuber1997long")
    assert base_key(paper(authors=("Yaniv Leviathan",))) == "fast-inference-transformers"  # no year
    assert base_key(paper("It's Never Too Late: Fusing Acoustic Information")) == "never-too-late"
    assert base_key(paper("语音识别")) == paper_id("语音识别")  # nothing ASCII to build a key from
    assert base_key(paper(bibkey="Leviathan:2023")) == "Leviathan:2023"


def test_assign_keys_disambiguates_deterministically_and_keeps_user_keys() -> None:
    same = [
        paper("Fast Inference from Transformers", id="p3", authors=("A. Smith",), year=2020),
        paper("Fast Inference for Speech", id="p1", authors=("Smith, Ann",), year=2020),
        paper("Fast Inference Again", id="p2", authors=("Bob Smith",), year=2020),
    ]
    user = paper("Anything", id="p0", bibkey="smith2020fast")
    mine = paper("Mine", id="p9", bibkey="my-own-key")
    keys = assign_keys([*same, user, mine])
    assert keys == {
        "p0": "smith2020fast",
        "p1": "smith2020fasta",
        "p2": "smith2020fastb",
        "p3": "smith2020fastc",
        "p9": "my-own-key",
    }
    shuffled = [*same, user, mine]
    random.Random(0).shuffle(shuffled)
    assert assign_keys(shuffled) == keys
    slugs = assign_keys([paper("Speech Tokenizer Study", id="p2"), paper("Speech tokenizer study!", id="p1")])
    assert slugs == {"p1": "speech-tokenizer-study-a", "p2": "speech-tokenizer-study-b"}


def test_keys_of_the_bundled_corpus_are_unique_valid_and_stable() -> None:
    papers = read_paths([BUNDLED]).papers
    keys = assign_keys(papers)
    assert len(keys) == len(papers) == len(set(keys.values()))
    assert all(KEY.match(key) for key in keys.values()), [k for k in keys.values() if not KEY.match(k)]
    assert assign_keys(reversed(papers)) == keys
    text = bibliography(papers, keys)
    assert {key for _, key, _ in parse(text)} == set(keys.values())


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("lovelace2021speech", "lovelace2021speech"),
        ("Smith:2020.a_b+c-d", "Smith:2020.a_b+c-d"),
        ("ev$il#%&", "ev-il"),
        ("k1}\\input{/etc/passwd}\\cite{k2", "k1-input-etc-passwd-cite-k2"),
        ("k5, note = {x}", "k5-note-x"),
        ("Müller2020", "Muller2020"),
        ("_private", "k_private"),
        ("}{", "key"),
    ],
)
def test_safe_key_keeps_only_key_characters(raw: str, safe: str) -> None:
    from rag.cite.bibtex import safe_key

    assert safe_key(raw) == safe
    assert KEY.match(safe) and safe_key(safe) == safe


def test_user_key_that_is_unsafe_is_replaced_and_collisions_suffixed() -> None:
    a = paper("First Paper", bibkey="ev$il")
    b = paper("Second Paper", bibkey="ev-il")
    keys = assign_keys([a, b])
    assert keys[b.id] == "ev-il"  # already safe: the user's own key stays
    assert keys[a.id] != "ev-il" and keys[a.id].startswith("ev-il")


def test_entry_from_the_users_bib_comes_back_with_its_type_and_fields() -> None:
    from pathlib import Path

    from rag.sources.readers import read_file

    fixture = Path(__file__).parent / "fixtures" / "zotero-export.bib"
    nerf = next(p for p in read_file(fixture).papers if p.bibkey == "mildenhall_nerf_2020")
    [(kind, key, fields)] = parse(entry(nerf, nerf.bibkey))
    assert (kind, key) == ("inproceedings", "mildenhall_nerf_2020")
    assert fields["booktitle"] == "European {Conference} on {Computer} {Vision}"
    assert fields["pages"] == "405--421" and fields["address"] == "Springer, Cham"
    assert "file" not in fields  # local attachment paths are not written back


def test_entries_from_other_sources_are_typed_and_carry_everything() -> None:
    conference = paper("Talk", venue="ICASSP", entry_type="inproceedings", year=2020, authors=("A, B",))
    [(kind, _, fields)] = parse(entry(conference, "k"))
    assert kind == "inproceedings" and fields["booktitle"] == "ICASSP"
    preprint = paper("Preprint", arxiv_id="2401.00001", url="https://arxiv.org/abs/2401.00001", doi="10.1/x")
    [(kind, _, fields)] = parse(entry(preprint, "k"))
    assert kind == "misc"
    assert (fields["eprint"], fields["archivePrefix"], fields["doi"]) == ("2401.00001", "arXiv", "10.1/x")
    journal = paper("Article", venue="Speech Letters", entry_type="article")
    assert parse(entry(journal, "k"))[0][0] == "article"


def test_urls_are_written_for_url_and_read_back_as_they_were(tmp_path) -> None:
    from rag.sources.readers import read_file

    url = "https://example.org/a%20b_c?x=1&y={2}#sec^2$"
    written = paper("Linked", url=url, doi="10.1000/x_y%z#1", abstract="An abstract.")
    [(_, _, fields)] = parse(entry(written, "k"))
    assert fields["url"] == r"https://example.org/a\%20b\_c?x=1\&y=\%7B2\%7D\#sec\%5E2\%24"
    assert fields["doi"] == r"10.1000/x\_y\%z\#1"
    path = tmp_path / "out.bib"
    path.write_text(entry(written, "k", abstract=True), encoding="utf-8")
    [back] = read_file(path).papers
    # braces, ^ and $ cannot stand in a URL: they come back percent-encoded, the rest as it was
    assert back.doi == written.doi and back.url == "https://example.org/a%20b_c?x=1&y=%7B2%7D#sec%5E2%24"
    # a .bib that already escapes its URL (as DBLP does) is written once-escaped, not "\%5C_"
    dblp = tmp_path / "dblp.bib"
    dblp.write_text(
        "@article{d, title={T}, abstract={A.}, url={https://doi.org/10.1007/978-3-030-58452-8\\_13}}\n",
        encoding="utf-8",
    )
    [own] = read_file(dblp).papers
    assert own.url == "https://doi.org/10.1007/978-3-030-58452-8_13"
    assert r"url = {https://doi.org/10.1007/978-3-030-58452-8\_13}," in entry(own, "d")
