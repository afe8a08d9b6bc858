"""``litrev bench manuscript``: citations inside manuscript sentences, each labelled for the part of
the sentence it stands in.

``eval/datasets/manuscript.jsonl`` holds sentences written the way researchers write their own
introduction and related work, with pandoc citations where an author puts them (``"Unlike
draft-head methods [@a], our approach ..."``, ``"X [@a] and Y [@b] are ..."``): ``{"id", "text",
"cited": {key: exact library title}, "supported": {key: bool}, "pattern", "note"}``. A citation is
labelled supported when its paper's abstract states the part of the sentence the citation is
attached to; what the sentence says of the authors' own work never counts.

Each sentence is checked as ``litrev check`` does (:func:`rag.check.verdicts.check_draft`, each
place cited judged on its part, :mod:`rag.check.cited_spans`), and, in the same run, the way it was
checked before parts: every cited paper against the whole sentence, together
(:func:`rag.check.verdicts.joint_support`). Figures per half (:func:`litrev_eval.datasets.half`)
and per pattern: agreement with the labels, the share of correct citations judged supported and of
wrong ones judged unsupported.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from litrev_eval.datasets import HALVES, half

from rag.check.bibfile import parse_bib
from rag.check.manuscript import parse_draft
from rag.check.verdicts import check_draft, joint_support
from rag.cite import bibtex
from rag.errors import DatasetError
from rag.index.library import Library

MANUSCRIPT = Path(__file__).resolve().parent / "datasets" / "manuscript.jsonl"
WAYS = ("parts", "whole")
"""Each citation judged on its part (shipped), and on the whole sentence (before)."""


def items(path: Path = MANUSCRIPT) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if set(row["cited"]) != set(row["supported"]):
            raise DatasetError(path, f"line {number}: 'cited' and 'supported' name different keys")
        rows.append(row)
    return rows


def judge_item(library: Library, row: dict[str, Any], titles: dict[str, Any]) -> dict[str, Any]:
    """The verdict of each citation of one item, on its part and on the whole sentence."""
    for key, title in row["cited"].items():
        if title not in titles:
            raise DatasetError(
                MANUSCRIPT, f"{row['id']}: {key!r} cites {title!r}, which is not in the library"
            )
    bib = parse_bib(
        "".join(
            f"@article{{{key}, title={{{bibtex.escape(title)}}}}}\n" for key, title in row["cited"].items()
        )
    )
    report = check_draft(
        parse_draft(row["text"], name=f"{row['id']}.md"), bib, library=library, suggest=False
    )
    [sentence] = report.sentences
    parts = {c.key: c.verdict == "supported" for c in sentence.citations}
    papers = [titles[row["cited"][key]] for key in row["cited"]]
    joint = joint_support(library.judge, sentence.text, papers)
    whole = {
        key: joint.supported and not extra
        for key, extra in zip(row["cited"], joint.adds_nothing, strict=True)
    }
    return {
        "id": row["id"],
        "half": half(row["id"]),
        "pattern": row.get("pattern", ""),
        "labels": row["supported"],
        "parts": parts,
        "whole": whole,
    }


def run(library: Library, path: Path = MANUSCRIPT) -> dict[str, Any]:
    titles = {paper.title: paper for paper in library.store.iter_papers()}
    judged = [judge_item(library, row, titles) for row in items(path)]
    figures: dict[str, Any] = {"sentences": len(judged), "items": judged}
    for name in (*HALVES, "all"):
        chosen = [j for j in judged if name == "all" or j["half"] == name]
        figures[name] = {way: _figures(chosen, way) for way in WAYS}
    patterns = sorted({j["pattern"] for j in judged})
    figures["patterns"] = {
        p: {way: _figures([j for j in judged if j["pattern"] == p], way) for way in WAYS} for p in patterns
    }
    return figures


def _figures(judged: Sequence[dict[str, Any]], way: str) -> dict[str, float]:
    pairs = [(label, j[way][key]) for j in judged for key, label in j["labels"].items()]
    right = [said for label, said in pairs if label]
    wrong = [not said for label, said in pairs if not label]
    return {
        "citations": float(len(pairs)),
        "agreement": statistics.fmean(label == said for label, said in pairs) if pairs else 0.0,
        "correct_supported": statistics.fmean(right) if right else 0.0,
        "wrong_unsupported": statistics.fmean(wrong) if wrong else 0.0,
    }


def table(figures: dict[str, Any]) -> str:
    lines = [
        f"{figures['sentences']} sentences; each citation judged on its part (parts, shipped) and on "
        "the whole sentence (whole, before)",
        "",
        "| | citations | agreement | correct judged supported | wrong judged unsupported |",
        "|---|---:|---:|---:|---:|",
    ]
    rows = [(name, figures[name]) for name in (*HALVES, "all")]
    rows += [(f"pattern {p}", f) for p, f in figures["patterns"].items()]
    for name, by_way in rows:
        for way in WAYS:
            f = by_way[way]
            shares = " | ".join(
                f"{f[k]:.3f}" for k in ("agreement", "correct_supported", "wrong_unsupported")
            )
            lines.append(f"| {name}, {way} | {f['citations']:.0f} | {shares} |")
    return "\n".join(lines)
