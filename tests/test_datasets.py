import json
from pathlib import Path

import pytest
from litrev_eval.bench_retrieval import DATASETS
from litrev_eval.datasets import TASKS, evidence_of, half, load

from rag.errors import DatasetError
from rag.sources.corpus import read_paths
from tests.helpers import BUNDLED

PAPERS = read_paths([BUNDLED]).papers
FILES = {
    "lookup": "lookup.jsonl",
    "multi": "multi.jsonl",
    "qa": "qa.jsonl",
    "unanswerable": "unanswerable.jsonl",
    "related-work": "related_work.jsonl",
    "check": "claims.jsonl",
}


@pytest.mark.parametrize("task", sorted(FILES))
def test_shipped_dev_datasets_are_valid(task: str) -> None:
    items = load(DATASETS / FILES[task], task, PAPERS)
    assert (
        len(items)
        >= {"lookup": 40, "multi": 15, "qa": 120, "unanswerable": 80, "related-work": 5, "check": 400}[task]
    )
    if task in ("lookup", "multi", "qa", "related-work"):
        assert all(item.gold for item in items)


def test_qa_evidence_is_an_exact_sentence_of_a_gold_abstract() -> None:
    abstracts = {paper.id: " ".join(paper.abstract.split()) for paper in PAPERS}
    for item in load(DATASETS / "qa.jsonl", "qa", PAPERS):
        for sentence in evidence_of(item):
            assert any(sentence in abstracts[gold] for gold in item.gold), item.id


@pytest.mark.parametrize("name", ["claims.jsonl", "qa.jsonl", "unanswerable.jsonl", "multi.jsonl"])
def test_every_dev_set_splits_into_two_fixed_halves(name: str) -> None:
    rows = [json.loads(line) for line in (DATASETS / name).read_text(encoding="utf-8").splitlines() if line]
    halves = [half(row["id"]) for row in rows]
    assert 0.4 <= halves.count("tune") / len(rows) <= 0.6
    assert halves == [half(row["id"]) for row in rows]  # a function of the id alone
    assert half("c0-001") == "holdout" and half("qa-001") == "tune"  # fixed by the seed, not by order


def test_the_dev_sets_are_mostly_written_in_researchers_own_words() -> None:
    def styles(name: str) -> list[str]:
        return [
            json.loads(line)["style"] for line in (DATASETS / name).read_text(encoding="utf-8").splitlines()
        ]

    claims, questions = styles("claims.jsonl"), styles("qa.jsonl") + styles("unanswerable.jsonl")
    assert len(claims) >= 400 and len(questions) >= 200
    assert sum(style != "abstract-words" for style in claims) / len(claims) >= 0.5
    assert sum(style not in ("abstract-words", "named") for style in questions) / len(questions) >= 0.5


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "x", "gold_titles": []}', r"bad\.jsonl:2: missing required field 'query'"),
        (
            '{"id": "x", "query": "q", "gold_titles": "T"}',
            r"bad\.jsonl:2: field 'gold_titles' must be a list",
        ),
        (
            '{"id": "x", "query": "q", "gold_titles": ["No Such Paper"]}',
            r"bad\.jsonl:2: gold_titles names a paper not in",
        ),
        ('{"id": "a", "query": "q", "gold_titles": []}', r"bad\.jsonl:2: duplicate id 'a'"),
        ("{not json", r"bad\.jsonl:2: not valid JSON"),
    ],
)
def test_schema_errors_name_the_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"id": "a", "query": "q", "gold_titles": [], "extra": 1}\n' + line + "\n", encoding="utf-8"
    )
    with pytest.raises(DatasetError, match=message):
        load(path, "lookup", PAPERS)


def test_unknown_task_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="unknown task 'nope'"):
        load(tmp_path / "x.jsonl", "nope", PAPERS)
    assert "related-work" in TASKS


def test_related_work_acceptable_titles_resolve_and_score_precision(tmp_path: Path) -> None:
    from litrev_eval.runner import citing_figures

    items = load(DATASETS / "related_work.jsonl", "related-work", PAPERS)
    assert all(item.acceptable and not set(item.acceptable) & set(item.gold) for item in items)
    item = items[0]
    cited = [*item.gold[:2], item.acceptable[0], PAPERS[-1].id]  # two must, one acceptable, one other
    assert PAPERS[-1].id not in set(item.gold) | set(item.acceptable)
    figures = citing_figures(cited, item)
    assert figures == {"must_cite_recall": 2 / len(item.gold), "precision": 3 / 4, "cited": 4.0}

    path = tmp_path / "bad.jsonl"
    record = {"id": "x", "paper_description": "d", "must_cite": [PAPERS[0].title], "acceptable": ["Nope"]}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"bad\.jsonl:1: acceptable names a paper not in the library"):
        load(path, "related-work", PAPERS)


def test_the_manuscript_set_cites_library_papers_by_their_titles() -> None:
    """Every citation of ``manuscript.jsonl`` stands in its sentence, names a bundled paper by its
    exact title and has a label; both halves hold items and wrong citations."""
    from litrev_eval.bench_manuscript import MANUSCRIPT, items

    titles = {paper.title for paper in PAPERS}
    rows = items(MANUSCRIPT)
    assert len(rows) >= 80
    for row in rows:
        assert set(row["cited"]) == set(row["supported"]), row["id"]
        assert all(f"@{key}" in row["text"] for key in row["cited"]), row["id"]
        assert all(title in titles for title in row["cited"].values()), row["id"]
    for which in ("tune", "holdout"):
        labels = [label for row in rows if half(row["id"]) == which for label in row["supported"].values()]
        assert len(labels) >= 50 and 0.2 <= labels.count(False) / len(labels) <= 0.5
