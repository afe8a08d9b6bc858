"""Fit the judge's weights on the *tune* halves of the dev sets (``litrev bench support --fit``).

Reads ``claims.jsonl``, ``qa.jsonl``, ``unanswerable.jsonl`` and ``multi.jsonl`` from
``eval/datasets`` (and the full-text questions, asked of a library of their PDFs, of one with half
of them and of one of their abstracts alone: :func:`fulltext_questions`), keeps the tune half of each
(:func:`litrev_eval.datasets.half`; the holdout half is never read here) and fits the three models
of :mod:`rag.grounding.model`:

- ``support``: logistic regression (L2, C = :data:`C`) on the claims' features, the
  cross-encoder's ``entailment`` logit read out of fold (:mod:`litrev_eval.fit_entailment`, which
  must have been run first); the threshold is the one with the best accuracy on 5-fold
  cross-validated probabilities of the tune half;
- ``ranker``: a conditional logit (one softmax over each question's candidate sentences, L2
  :data:`RANKER_L2`) whose target is the item's evidence sentence(s) in its gold paper;
- ``answerable``: gradient-boosted trees (:data:`TREES`) on question features read at the best
  sentence chosen by a
  ranker fitted *without* that question (5 folds), so the scores it learns from are the scores it
  will see; fitted on the questions the evidence-strength gate (``answer.min_evidence``) lets
  through; threshold: the one that abstains on most unanswerable questions while abstaining on at
  most :data:`FALSE_ABSTENTION` of the answerable ones, gate included, on cross-validated
  probabilities (averaged over :data:`REPEATS` cuts into folds).

``--support-only`` fits the support model alone and keeps the shipped question models (a claim
feature added or changed). ``--ranker-only`` (:func:`refit_ranker`) fits the ranker alone, as
above, and keeps the shipped support and answerable models: for a ranker feature added or
changed, without moving the two thresholds a full refit moves. ``--questions-only`` fits the
ranker and the answerable model and keeps the shipped support model (:data:`REFITS`).

Everything is seeded; the same data gives the same weights. The fitted file records the counts and
the cross-validated tune figures.
"""

from __future__ import annotations

import datetime
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from litrev_eval.datasets import Item, evidence_of, half, load
from litrev_eval.fit_entailment import out_of_fold

from rag.answers.answer import evidence_strength
from rag.grounding.answerability import QUESTION, Reading, question_features, question_words
from rag.grounding.answers import ANSWER
from rag.grounding.claims import SUPPORT
from rag.grounding.evidence import PaperSentences
from rag.grounding.judge import Judge, focus_offsets
from rag.grounding.model import JudgeModel, Linear, Trees, shipped_except
from rag.grounding.question import analyse
from rag.index.library import Library
from rag.retrieval.retrieve import search

DATASETS = Path(__file__).resolve().parent / "datasets"
C = 1.0
RANKER_L2 = 0.1
FALSE_ABSTENTION = 0.05
SEED = 0
TREES = {"max_depth": 2, "n_estimators": 200, "learning_rate": 0.05, "subsample": 0.8, "random_state": SEED}
"""Gradient boosting for the answerable model (chosen on the tune half: depth 2-3 and 100-300 trees
abstain alike, a line abstains on a tenth fewer unanswerable questions)."""
FOLDS = 5
REPEATS = 3
"""The answerable model's threshold is read off out-of-fold probabilities averaged over this many
cuts into folds."""
CANDIDATES = 8
"""Papers retrieved per question, as ``answer`` retrieves (``retrieval.k``)."""

Progress = Callable[[str, int, int], None]


@dataclass
class QuestionRows:
    item: Item
    answerable: bool
    rows: np.ndarray
    where: list[tuple[int, int]]
    gold: np.ndarray
    """Per row: the sentence is (part of) the item's evidence in a gold paper."""
    features: Any
    """(question, candidates, strength): what :func:`question_features` needs."""
    offsets: np.ndarray
    """Per row: what the judge adds to the ranker's score (:func:`focus_offsets`)."""
    judge: Judge | None = None
    """The judge of the library the question was asked of (None: the bundled one's)."""

    def scores(self, ranker: Linear) -> np.ndarray:
        """The ranker's scores of the rows, as the judge reads them."""
        return ranker.logits(self.rows) + self.offsets


def _standardise(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return rows.mean(axis=0), rows.std(axis=0) + 1e-6


def _logistic(rows: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    mean, scale = _standardise(rows)
    model = LogisticRegression(C=C, max_iter=5000).fit((rows - mean) / scale, labels)
    return mean, scale, model.coef_[0], float(model.intercept_[0])


def _folds(n: int, seed: int = SEED) -> np.ndarray:
    return np.random.default_rng(seed).permutation(n) % FOLDS


def _cross_validated(rows: np.ndarray, labels: np.ndarray, *, trees: bool = False) -> np.ndarray:
    """Out-of-fold probabilities of the logistic model; of the trees, the mean over
    :data:`REPEATS` ways of cutting the folds (a threshold read off one cut follows its luck)."""
    if trees:
        return np.mean([_trees_out_of_fold(rows, labels, SEED + repeat) for repeat in range(REPEATS)], axis=0)
    folds = _folds(len(rows))
    out = np.zeros(len(rows))
    for fold in range(FOLDS):
        train, test = folds != fold, folds == fold
        mean, scale, weights, bias = _logistic(rows[train], labels[train])
        out[test] = 1 / (1 + np.exp(-(((rows[test] - mean) / scale) @ weights + bias)))
    return out


def _trees_out_of_fold(rows: np.ndarray, labels: np.ndarray, seed: int) -> np.ndarray:
    folds = _folds(len(rows), seed)
    out = np.zeros(len(rows))
    for fold in range(FOLDS):
        train, test = folds != fold, folds == fold
        out[test] = _trees(rows[train], labels[train], 0.5).probabilities(rows[test])
    return out


def _trees(rows: np.ndarray, labels: np.ndarray, threshold: float) -> Trees:
    """Boosted trees fitted with scikit-learn, kept as plain lists (:class:`Trees`)."""
    from sklearn.ensemble import GradientBoostingClassifier

    model = GradientBoostingClassifier(**TREES).fit(rows, labels)
    trees = []
    for (estimator,) in model.estimators_:
        tree = estimator.tree_
        trees.append(
            {
                "feature": [int(f) for f in tree.feature],
                "threshold": [float(t) for t in tree.threshold],
                "left": [int(c) for c in tree.children_left],
                "right": [int(c) for c in tree.children_right],
                "value": [round(float(v), 8) for v in tree.value[:, 0, 0]],
            }
        )
    partial = Trees(QUESTION, trees, float(TREES["learning_rate"]), 0.0, threshold)
    init = float(model.decision_function(rows[:1])[0] - partial.logits(rows[:1])[0])
    shipped = Trees(QUESTION, trees, float(TREES["learning_rate"]), init, threshold)
    gap = np.abs(shipped.logits(rows) - model.decision_function(rows)).max()
    if gap > 1e-5:
        raise RuntimeError(f"the trees as kept disagree with the fitted model by {gap}")
    return shipped


def fit_support(judge: Judge, items: list[Item], papers: dict[str, Any]) -> tuple[Linear, dict[str, float]]:
    reads = judge.claim_features([(item.text, [papers[pid] for pid in item.gold]) for item in items])
    rows = np.array([read[0] for read in reads if read is not None], dtype=np.float64)
    rows[:, SUPPORT.index("entailment")] = _out_of_fold(
        [item for item, read in zip(items, reads, strict=True) if read]
    )
    labels = np.array(
        [bool(item.fields["supported"]) for item, read in zip(items, reads, strict=True) if read]
    )
    mean, scale, weights, bias = _logistic(rows, labels)
    probabilities = _cross_validated(rows, labels)
    grid = np.round(np.arange(0.2, 0.81, 0.01), 2)
    threshold = float(max(grid, key=lambda t: (((probabilities >= t) == labels).mean(), -abs(t - 0.5))))
    predicted = probabilities >= threshold
    figures = {
        "pairs": float(len(labels)),
        "cv_accuracy": float((predicted == labels).mean()),
        "cv_supported_recall": float(predicted[labels].mean()),
        "cv_unsupported_recall": float((~predicted[~labels]).mean()),
    }
    return Linear(SUPPORT, mean, scale, weights, bias, threshold), figures


def _out_of_fold(items: list[Item]) -> np.ndarray:
    """The cross-encoder's logits for the tune claims from the model of the part that did not see
    them (``eval/fit_entailment.py``): the shipped one has seen them all, and its logits on them are
    surer than on any claim a user writes."""
    logits = out_of_fold()
    missing = [item.id for item in items if item.id not in logits]
    if missing:
        raise RuntimeError(
            f"no out-of-fold entailment logit for {len(missing)} tune claims ({missing[0]}, ...): "
            "refit the cross-encoder first (python -m litrev_eval.fit_entailment)"
        )
    return np.array([logits[item.id] for item in items], dtype=np.float64)


def question_rows(judge: Judge, library: Library, item: Item, answerable: bool) -> QuestionRows:
    question = analyse(item.text)
    result = search(item.text, library=library, k=CANDIDATES)
    papers = [(hit.paper, hit.score) for hit in result.hits]
    words = question_words(question, judge.vocabulary)
    candidates, rows, where = judge.question_features(question, papers, words)
    evidence = evidence_of(item)
    if answerable and "answer_contains" in item.fields:  # a full-text question: its page's sentence
        held = [_states_on_page(candidates[c].sentences, s, item.fields) for c, s in where]
        gold = np.array(held, dtype=bool)
    else:
        gold = np.array(
            [
                candidates[c].sentences.paper.id in item.gold
                and any(_same(candidates[c].sentences.text(s), e) for e in evidence)
                for c, s in where
            ],
            dtype=bool,
        )
    strength = evidence_strength(result, library)
    return QuestionRows(
        item,
        answerable,
        rows.astype(np.float64),
        where,
        gold,
        (question, candidates, strength),
        focus_offsets(candidates, where),
        judge,
    )


def _states_on_page(sentences: PaperSentences, index: int, record: dict[str, Any]) -> bool:
    """Sentence ``index`` of a full-text item's paper holds one of its ``answer_contains`` on its
    ``page`` (case, spacing and Unicode forms ignored, as ``litrev bench fulltext`` reads them)."""
    passage = sentences.passage(index)
    if sentences.paper.bibkey != record["paper"] or passage is None:
        return False
    if passage.page_at(sentences.spans[index][0]) != record["page"]:
        return False
    from litrev_eval.fulltext_papers import folded

    text = folded(sentences.text(index))
    return any(folded(wanted) in text for wanted in record["answer_contains"])


def _same(sentence: str, evidence: str) -> bool:
    sentence = " ".join(sentence.split())
    return bool(sentence) and (sentence in evidence or evidence in sentence)


def fit_ranker(questions: list[QuestionRows], mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Weights of a conditional logit: each question's gold sentences against its other rows."""
    from scipy.optimize import minimize

    usable = [q for q in questions if q.gold.any()]

    def loss(weights: np.ndarray) -> tuple[float, np.ndarray]:
        total, gradient = RANKER_L2 * weights @ weights, 2 * RANKER_L2 * weights
        for q in usable:
            z = (q.rows - mean) / scale
            logits = z @ weights + q.offsets
            logits -= logits.max()
            p = np.exp(logits) / np.exp(logits).sum()
            gold = p[q.gold].sum()
            total -= np.log(gold + 1e-12)
            gradient -= (p * q.gold / (gold + 1e-12)) @ z - p @ z
        return float(total), gradient

    return minimize(loss, np.zeros(len(mean)), jac=True, method="L-BFGS-B").x


def _ranker(questions: list[QuestionRows]) -> tuple[list[QuestionRows], Linear]:
    """The questions with candidate sentences, and the ranker fitted on the answerable ones (the
    features standardised over all of them)."""
    usable = [q for q in questions if len(q.rows)]
    mean, scale = _standardise(np.vstack([q.rows for q in usable]))
    return usable, Linear(ANSWER, mean, scale, fit_ranker([q for q in usable if q.answerable], mean, scale))


def _held_out_rankers(usable: list[QuestionRows], ranker: Linear) -> Iterator[tuple[Linear, list[int]]]:
    """For each of :data:`FOLDS` folds of ``usable``, the ranker fitted without it (scaled as
    ``ranker``) and the indices of its questions."""
    folds = _folds(len(usable))
    for fold in range(FOLDS):
        train = [q for q, f in zip(usable, folds, strict=True) if f != fold and q.answerable]
        held = Linear(ANSWER, ranker.mean, ranker.scale, fit_ranker(train, ranker.mean, ranker.scale))
        yield held, [index for index, f in enumerate(folds) if f == fold]


def refit_ranker(questions: list[QuestionRows], kept: JudgeModel) -> JudgeModel:
    """``kept`` with its ranker refitted as :func:`fit_answers` fits it, the support and answerable
    models kept as they are (a ranker feature added or changed; the answerable model was fitted on
    what the former ranker chose, and is measured again with the new one)."""
    usable, ranker = _ranker(questions)
    hits = [
        bool(usable[index].gold[int(np.argmax(usable[index].scores(held)))])
        for held, fold in _held_out_rankers(usable, ranker)
        for index in fold
        if usable[index].answerable and usable[index].gold.any()
    ]
    figures = {
        "on": "the tune halves of eval/datasets qa, multi, unanswerable and fulltext; the support "
        "and answerable models kept from the full fit ('support', 'answers')",
        "date": datetime.date.today().isoformat(),
        "questions": float(len(usable)),
        "cv_ranker_evidence_hit": float(np.mean(hits)) if hits else 0.0,
    }
    return JudgeModel(kept.support, ranker, kept.answerable, {**kept.fitted, "ranker": figures})


def _question_row(q: QuestionRows, ranker: Linear, judge: Judge) -> np.ndarray:
    from rag.grounding.answerability import read

    scores = q.scores(ranker)
    question, candidates, strength = q.features
    reading: Reading = read(q.rows, q.where, scores, question, candidates)
    vocabulary = (q.judge or judge).vocabulary
    words = question_words(question, vocabulary)
    return question_features(question, reading, candidates, strength, words, vocabulary)


def fit_answers(
    judge: Judge, questions: list[QuestionRows], min_evidence: float
) -> tuple[Linear, Linear, dict[str, float]]:
    """The ranker and the answerability model; questions below ``min_evidence`` are abstained on
    before the judge sees them, so the model is fitted on the others and its threshold counts them."""
    usable, ranker = _ranker(questions)
    rows = np.zeros((len(usable), len(QUESTION)))
    hits = []
    for held, fold in _held_out_rankers(usable, ranker):
        for index in fold:
            q = usable[index]
            rows[index] = _question_row(q, held, judge)
            if q.answerable and q.gold.any():
                hits.append(bool(q.gold[int(np.argmax(q.scores(held)))]))
    labels = np.array([q.answerable for q in usable])
    gated = np.array([q.features[2] < min_evidence for q in usable])
    probabilities = np.zeros(len(usable))
    probabilities[~gated] = _cross_validated(rows[~gated], labels[~gated], trees=True)
    grid = np.round(np.arange(0.05, 0.96, 0.01), 2)
    allowed = [t for t in grid if (probabilities[labels] < t).mean() <= FALSE_ABSTENTION] or [grid[0]]
    threshold = float(max(allowed, key=lambda t: ((probabilities[~labels] < t).mean(), -t)))
    figures = {
        "questions": float(len(usable)),
        "min_evidence": min_evidence,
        "cv_false_abstention": float((probabilities[labels] < threshold).mean()),
        "cv_abstention_unanswerable": float((probabilities[~labels] < threshold).mean()),
        "cv_ranker_evidence_hit": float(np.mean(hits)) if hits else 0.0,
    }
    return ranker, _trees(rows[~gated], labels[~gated], threshold), figures


def fulltext_questions(
    library: Library, root: Path, progress: Progress | None = None, model: JudgeModel | None = None
) -> list[QuestionRows]:
    """The tune half of the full-text dev set as questions for the answerable model: asked of a
    library of its papers' PDFs (the answerable ones answerable there, the unanswerable ones not),
    of one holding every other paper's PDF (as most libraries hold PDFs for some papers only: there
    an answerable question is answerable when its paper's PDF is in) and of their ``.bib`` alone
    (where the answerable ones are not: abstracts do not state them). An answerable one's gold
    sentences hold its answer on its page (:func:`_states_on_page`), so the ranker learns to pick
    a sentence of the body over the abstract's description of the paper. The libraries use
    ``library``'s settings and embedder; their judges ``model``'s weights (None: the shipped ones)."""
    from litrev_eval.fulltext_papers import (
        LIBRARY_BIB,
        PAPERS,
        QA,
        UNANSWERABLE,
        compile_papers,
        pdf_name,
        rows,
    )

    from rag.index.ingest import ingest

    compile_papers(root / "pdfs")
    settings = library.settings
    some = sorted(PAPERS)[::2]  # a library where some papers have their PDF, as most do
    (root / "some").mkdir()
    for key in some:
        shutil.copy(root / "pdfs" / pdf_name(key), root / "some" / pdf_name(key))
    libraries = {}
    for name, sources in (("full", [root / "pdfs"]), ("bare", []), ("some", [root / "some"])):
        own = settings.model_copy(update={"home": root / name})
        libraries[name] = Library(own, embedder=library.embedder)
        ingest([LIBRARY_BIB, *sources], library=libraries[name])
    asked = [
        (Item(record["id"], number, record["question"], fields=record), path == QA)
        for path in (QA, UNANSWERABLE)
        for number, record in enumerate(rows(path), start=1)
        if half(record["id"]) == "tune"
    ]
    judges = {name: Judge(held.sentences, held.lexical, model) for name, held in libraries.items()}
    questions = []
    for done, (item, answerable) in enumerate(asked, start=1):
        questions.append(question_rows(judges["full"], libraries["full"], item, answerable))
        in_some = answerable and item.fields["paper"] in some
        questions.append(question_rows(judges["some"], libraries["some"], item, in_some))
        if answerable:
            questions.append(question_rows(judges["bare"], libraries["bare"], item, False))
        if progress:
            progress("fulltext_qa.jsonl", done, len(asked))
    return questions


REFITS: dict[str, tuple[str, ...]] = {
    "all": (),
    "support": ("support",),
    "ranker": ("ranker",),
    "questions": ("ranker", "answerable"),
}
"""What a fit refits, and the shipped parts it replaces (read whatever features they were fitted
for): all three models; the support model alone, the question models kept (a claim feature added
or changed: the questions are neither read nor moved); the ranker alone (the support and
answerable models kept: :func:`refit_ranker`); the ranker and the answerable model, the support
model kept (a question feature changed; a support refit moves the check's threshold, which is
measured on its own)."""


def fit(library: Library, *, progress: Progress | None = None, refit: str = "all") -> JudgeModel:
    """Fit the models ``refit`` names (:data:`REFITS`) on the tune halves (see the module
    docstring); the others are kept as shipped."""
    if refit not in REFITS:
        raise ValueError(f"refit must be one of {tuple(REFITS)}, not {refit!r}")
    with tempfile.TemporaryDirectory(prefix="litrev-fit-") as scratch:
        return _fit(library, Path(scratch), progress, refit)


def _fit(library: Library, scratch: Path, progress: Progress | None, refit: str) -> JudgeModel:
    papers = {paper.id: paper for paper in library.store.iter_papers()}
    stale = REFITS[refit]
    judge = Judge(library.sentences, library.lexical, shipped_except(*stale) if stale else None)
    if refit in ("all", "support"):
        claims = load(DATASETS / "claims.jsonl", "check", papers.values(), which="tune")
        support, support_figures = fit_support(judge, claims, papers)
    else:
        support, support_figures = judge.model.support, judge.model.fitted.get("support", {})
    if refit == "support":
        kept = judge.model
        fitted = {**kept.fitted, "support": support_figures}
        fitted["support_refit"] = (
            f"{datetime.date.today().isoformat()}: the support model alone, on the tune half of "
            "eval/datasets claims; the question models kept"
        )
        return JudgeModel(support, kept.ranker, kept.answerable, fitted)
    questions: list[QuestionRows] = fulltext_questions(library, scratch, progress, judge.model)
    sets = (
        ("qa.jsonl", "qa", True),
        ("multi.jsonl", "multi", True),
        ("unanswerable.jsonl", "unanswerable", False),
    )
    for name, task, answerable in sets:
        items = load(DATASETS / name, task, papers.values(), which="tune")
        for done, item in enumerate(items, start=1):
            questions.append(question_rows(judge, library, item, answerable))
            if progress:
                progress(name, done, len(items))
    if refit == "ranker":
        return refit_ranker(questions, judge.model)
    ranker, answerable_model, answer_figures = fit_answers(
        judge, questions, library.settings.answer.min_evidence
    )
    fitted: dict[str, Any] = {
        "on": "the tune halves of eval/datasets claims, qa, multi, unanswerable and fulltext "
        "(with all, half and none of the PDFs)",
        "date": datetime.date.today().isoformat(),
        "support": support_figures,
        "answers": answer_figures,
    }
    if refit == "questions":
        fitted["on"] = (
            "the tune halves of eval/datasets qa, multi, unanswerable and fulltext (with all, half and "
            "none of the PDFs); the support model kept from the full fit ('support')"
        )
        fitted["support_fitted"] = judge.model.fitted.get("date")
    return JudgeModel(support, ranker, answerable_model, fitted)
