"""Synthetic libraries for scale benchmarks: real abstract sentences recombined, fresh titles.

Deterministic for a given seed and source corpus. Each synthetic abstract is 4 to 9 sentences
drawn from different real abstracts; each title combines words of real titles with a serial
number, so titles never collide and de-duplication keeps every paper.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from pathlib import Path

from rag.sources.corpus import Paper
from rag.sources.sentences import sentence_spans

_VENUES = ("ICASSP", "Interspeech", "ACL", "EMNLP", "NeurIPS", "ICLR", "TASLP", None)


def synthetic_records(papers: Sequence[Paper], count: int, seed: int = 0) -> Iterator[dict]:
    rng = random.Random(seed)
    sentences = [p.abstract[s:e] for p in papers for s, e in sentence_spans(p.abstract)]
    words = sorted({w.strip(":,()") for p in papers for w in p.title.split() if len(w) > 3})
    for serial in range(count):
        title = " ".join(rng.sample(words, rng.randint(4, 8))) + f" ({serial:07d})"
        abstract = " ".join(rng.sample(sentences, rng.randint(4, 9)))
        record = {"title": title, "abstract": abstract, "year": rng.randint(2015, 2026)}
        venue = rng.choice(_VENUES)
        if venue:
            record["venue"] = venue
        yield record


def write_synthetic(papers: Sequence[Paper], count: int, path: Path, seed: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for record in synthetic_records(papers, count, seed):
            out.write(json.dumps(record) + "\n")
    return path
