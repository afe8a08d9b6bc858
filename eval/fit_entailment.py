"""Fine-tune the judge's cross-encoder (:mod:`rag.grounding.entailment`) on the tune half of the claims.

``python -m litrev_eval.fit_entailment`` (a library of the bundled corpus at ``LITREV_HOME``):

- pairs: each tune claim of ``eval/datasets/claims.jsonl`` with its premise, the closest
  sentences of the papers it cites, as the judge reads them; the label is whether they support it;
  and, labelled supported, the opening sentence of each paper those claims cite, quoted as it
  stands (:func:`quotes`);
- training: binary cross-entropy, AdamW (:data:`RATE` for the tuned layers, :data:`HEAD_RATE` for
  the new head), linear warm-up over the first tenth and decay, :data:`EPOCHS` epochs of batches of
  :data:`BATCH`; the word embeddings stay the bundled model's;
- cross-fitting: the tune claims are cut in two by a hash of their id; a model fitted on one part
  gives the logits of the other, so every tune claim has a logit from a model that never saw it
  (``out_of_fold``). The support model of ``eval/fit_judge.py`` is fitted on those, the logits it
  will meet on claims the shipped model never saw; the shipped model is then fitted on all of them.

Writes ``rag/data/entailment.safetensors`` (the tuned layers and head, float16) and
``rag/data/entailment.json`` (the settings, the out-of-fold logits and their figures). Seeded;
on two cores it takes about 25 minutes.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from litrev_eval.datasets import load

from rag.grounding.entailment import SHIPPED, Entailment, build, encode, premise, tuned
from rag.grounding.judge import Judge
from rag.index.library import Library

DATASETS = Path(__file__).resolve().parent / "datasets"
DATA = Path(__file__).resolve().parent.parent / "rag" / "data"
RECORD = "entailment.json"
EPOCHS = 4
BATCH = 16
RATE = 5e-5
HEAD_RATE = 1e-3
WARM_UP = 0.1
SEED = 0
PARTS = 2

Progress = Callable[[str], None]


def part(item_id: str) -> int:
    """Which of the :data:`PARTS` cross-fitting parts a tune claim is in."""
    return hashlib.sha256(f"entailment:{item_id}".encode()).digest()[0] % PARTS


def pairs_of(library: Library) -> tuple[list[str], list[tuple[str, str]], np.ndarray, list[tuple[str, str]]]:
    """The tune claims' ids, (claim, premise) pairs and labels; and the quotes (:func:`quotes`)."""
    papers = {paper.id: paper for paper in library.store.iter_papers()}
    items = load(DATASETS / "claims.jsonl", "check", papers.values(), which="tune")
    judge = Judge(library.sentences, library.lexical)
    read = judge.claim_sources([(item.text, [papers[pid] for pid in item.gold]) for item in items])
    kept = [(item, one) for item, one in zip(items, read, strict=True) if one is not None]
    ids = [item.id for item, _ in kept]
    pairs = [(claim, premise(vectors[0], sources)) for _, (claim, vectors, sources) in kept]
    labels = np.array([bool(item.fields["supported"]) for item, _ in kept])
    cited = list(dict.fromkeys(papers[pid] for item in items for pid in item.gold))
    return ids, pairs, labels, quotes(judge, cited)


def quotes(judge: Judge, papers: Sequence[Any]) -> list[tuple[str, str]]:
    """Each paper's opening sentence as a claim of its own, with its premise: supported pairs the
    cross-encoder also learns from. A sentence an abstract states word for word is stated, however
    general it sounds; the dev claims are paraphrases of what papers contribute, and fitted on them
    alone the cross-encoder scored the sentences abstracts open with ("Large language models have
    demonstrated remarkable capabilities across various tasks") as stated by nothing."""
    opening = [(s.text(0).rstrip(" ."), [s.paper]) for s in judge.sentences.sentences(papers) if s.spans]
    read = judge.claim_sources(opening)
    return [(claim, premise(vectors[0], sources)) for claim, vectors, sources in filter(None, read)]


def train(
    pairs: Sequence[tuple[str, str]], labels: np.ndarray, progress: Progress | None = None
) -> dict[str, Any]:
    """The tuned parameters of a cross-encoder fitted on ``pairs`` (see the module docstring)."""
    import torch

    torch.manual_seed(SEED)
    order = np.random.default_rng(SEED)
    model, tokenizer = build()
    for name, parameter in model.named_parameters():
        parameter.requires_grad = tuned(name)
    head = [p for n, p in model.named_parameters() if n.startswith("head.")]
    layers = [p for n, p in model.named_parameters() if tuned(n) and not n.startswith("head.")]
    optimiser = torch.optim.AdamW([{"params": layers, "lr": RATE}, {"params": head, "lr": HEAD_RATE}])
    steps = EPOCHS * math.ceil(len(pairs) / BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / (WARM_UP * steps)) * max(0.0, (steps - step) / steps)
    )
    targets = torch.tensor(labels, dtype=torch.float32)
    for epoch in range(EPOCHS):
        model.train()
        total = 0.0
        shuffled = order.permutation(len(pairs))
        for start in range(0, len(pairs), BATCH):
            batch = shuffled[start : start + BATCH]
            out = model(**encode(tokenizer, [pairs[i] for i in batch]))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(out, targets[batch])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            total += loss.item() * len(batch)
        if progress:
            progress(f"epoch {epoch + 1}/{EPOCHS}: loss {total / len(pairs):.3f}")
    return {name: value.detach().clone() for name, value in model.state_dict().items() if tuned(name)}


def save(state: dict[str, Any], path: Path) -> None:
    from safetensors.torch import save_file

    save_file({name: value.half().contiguous() for name, value in state.items()}, str(path))


def fit(library: Library, out: Path = DATA, progress: Progress | None = None) -> dict[str, Any]:
    """Cross-fit, then fit on all tune claims; write the weights and the record to ``out``."""
    ids, pairs, labels, quoted = pairs_of(library)
    parts = np.array([part(item_id) for item_id in ids])
    always = np.ones(len(quoted), dtype=bool)
    oof = np.zeros(len(pairs), dtype=np.float64)
    with tempfile.TemporaryDirectory(prefix="litrev-entailment-") as scratch:
        for k in range(PARTS):
            fitted_on = np.flatnonzero(parts != k)
            if progress:
                progress(f"part {k + 1}/{PARTS}: fitting on {len(fitted_on)} claims")
            weights = Path(scratch) / f"part{k}.safetensors"
            chosen = [pairs[i] for i in fitted_on] + quoted
            save(train(chosen, np.concatenate([labels[fitted_on], always]), progress), weights)
            held = np.flatnonzero(parts == k)
            oof[held] = Entailment(weights).logits([pairs[i] for i in held])
    if progress:
        progress(f"all {len(pairs)} tune claims")
    save(train(pairs + quoted, np.concatenate([labels, always]), progress), out / SHIPPED)
    record = {
        "on": "the tune half of eval/datasets/claims.jsonl and the opening sentences of the papers it cites",
        "quotes": len(quoted),
        "settings": {"epochs": EPOCHS, "batch": BATCH, "rate": RATE, "head_rate": HEAD_RATE, "seed": SEED},
        "out_of_fold": {
            "auc": round(_auc(oof, labels), 4),
            "accuracy_at_0": round(float(((oof > 0) == labels).mean()), 4),
            "logits": {item_id: round(float(v), 4) for item_id, v in zip(ids, oof, strict=True)},
        },
    }
    (out / RECORD).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return record


def out_of_fold(path: Path = DATA / RECORD) -> dict[str, float]:
    """The tune claims' out-of-fold logits of the shipped cross-encoder, by claim id."""
    return json.loads(path.read_text(encoding="utf-8"))["out_of_fold"]["logits"]


def _auc(scores: np.ndarray, labels: np.ndarray) -> float:
    ranks = np.argsort(np.argsort(scores)) + 1
    positives = int(labels.sum())
    negatives = len(labels) - positives
    return float((ranks[labels].sum() - positives * (positives + 1) / 2) / (positives * negatives))


if __name__ == "__main__":
    done = fit(Library(), progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(
        f"out-of-fold AUC {done['out_of_fold']['auc']}, accuracy at 0 {done['out_of_fold']['accuracy_at_0']}"
    )
