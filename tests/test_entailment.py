"""The judge's cross-encoder: what it reads, the shipped weights, how it is fitted, what it tells apart."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rag.errors import LitrevError
from rag.grounding.claims import SUPPORT
from rag.grounding.entailment import PREMISE_SENTENCES, Entailment, premise, shipped
from rag.index.library import Library

OWSM = (
    "OWSM-CTC: An Open Encoder-Only Speech Foundation Model for Speech Recognition, Translation, "
    "and Language Identification"
)
BASE_TTS = "BASE TTS: Lessons from building a billion-parameter Text-to-Speech model on 100K hours of data"
DATA = Path(__file__).resolve().parents[1] / "rag" / "data"


def paper(library: Library, title: str):
    return next(p for p in library.store.iter_papers() if p.title == title)


def test_the_premise_is_the_closest_sentences_in_their_papers_order(bundled: Library) -> None:
    claim = (
        "A CTC encoder-only model trained on public data decodes faster than an attention decoder, "
        "and so does a large TTS model."
    )
    cited = [paper(bundled, OWSM), paper(bundled, BASE_TTS)]
    [(_, vectors, sources)] = bundled.judge.claim_sources([(claim, cited)])
    scored = [
        (float(s), i, k)
        for i, source in enumerate(sources)
        for k, s in enumerate(source.vectors @ vectors[0])
    ]
    closest = sorted(sorted(scored, reverse=True)[:PREMISE_SENTENCES], key=lambda item: item[1:])
    expected = []
    for i in sorted({i for _, i, _ in closest}):
        expected.append(f"{sources[i].paper.title}:")
        expected += [sources[i].text(k) for _, j, k in closest if j == i]
    assert premise(vectors[0], sources) == " ".join(expected)
    assert len(closest) == PREMISE_SENTENCES and len({i for _, i, _ in closest}) == 2  # both papers read


def test_the_support_model_reads_the_cross_encoders_logit(bundled: Library) -> None:
    claim = (
        "An encoder-only CTC model is three to four times faster at inference than its "
        "encoder-decoder counterpart."
    )
    cited = [paper(bundled, OWSM)]
    [(row, _, _)] = bundled.judge.claim_features([(claim, cited)])
    [(_, vectors, sources)] = bundled.judge.claim_sources([(claim, cited)])
    [logit] = shipped().logits([(claim, premise(vectors[0], sources))])
    assert row[SUPPORT.index("entailment")] == pytest.approx(logit, abs=1e-5)
    assert bundled.judge.model.support.features[-1] == "entailment"


# Each stated claim beside the same claim with a direction, a mechanism or a figure turned around;
# written for this test from the bundled abstracts, in other words than theirs.
TURNED = [
    (
        OWSM,
        "Dropping the autoregressive decoder and keeping a CTC encoder makes recognition several "
        "times faster.",
        "Dropping the autoregressive decoder and keeping a CTC encoder makes recognition several "
        "times slower.",
    ),
    (
        "SkipDecode: Autoregressive Skip Decoding with Batching and Caching for Efficient LLM Inference",
        "Skipping layers token by token while still allowing batching and KV caching speeds up generation "
        "with little loss in quality.",
        "Skipping layers token by token rules out batching and KV caching, so generation gets slower.",
    ),
    (
        BASE_TTS,
        "Trained on about a hundred thousand hours of public-domain speech, a billion-parameter TTS model "
        "starts to render prosody naturally on hard sentences.",
        "Even trained on about a hundred thousand hours of public-domain speech, a billion-parameter TTS "
        "model still renders prosody worse than small models on hard sentences.",
    ),
    (
        "Drax: Speech Recognition with Discrete Flow Matching",
        "Recognition can be framed as discrete flow matching along an audio-conditioned path that mimics "
        "the errors made at inference, decoding in parallel.",
        "Recognition can be framed as discrete flow matching along a path from pure random noise to the "
        "target, decoding one token at a time.",
    ),
    (
        "CarelessWhisper: Turning Whisper into a Causal Streaming Model",
        "A Whisper-like encoder-decoder can be made a low-latency streaming recogniser by LoRA fine-tuning "
        "its encoder into a causal one.",
        "A Whisper-like encoder-decoder can be made a low-latency streaming recogniser without any "
        "fine-tuning, keeping its non-causal encoder.",
    ),
    (
        "Blockwise Parallel Decoding for Deep Autoregressive Models",
        "Predicting several future steps at once and keeping the longest prefix a scoring model accepts "
        "halves the number of decoding iterations without hurting quality.",
        "Predicting several future steps at once and keeping the longest prefix a scoring model accepts "
        "cuts decoding iterations tenfold without hurting quality.",
    ),
    (
        "PICARD: Parsing Incrementally for Constrained Auto-Regressive Decoding from Language Models",
        "Rejecting inadmissible tokens through incremental parsing at every decoding step turns fine-tuned "
        "T5 into a state-of-the-art text-to-SQL model.",
        "Rejecting inadmissible tokens through incremental parsing requires retraining T5 from scratch and "
        "only helps on simple SQL queries.",
    ),
    (
        "Zero-Shot Tokenizer Transfer",
        "A hypernetwork that predicts embeddings for an arbitrary new tokenizer lets a language model swap "
        "tokenizers without retraining.",
        "Simple heuristics for initialising the embeddings of a new tokenizer already match the original "
        "model, so no learned predictor is needed.",
    ),
]


def test_the_cross_encoder_mostly_scores_a_stated_claim_above_its_turned_twin(bundled: Library) -> None:
    """Over claims written in other words than their abstracts, the claim as stated gets a higher
    logit than its twin with one thing turned around, for most pairs and on average (as measured
    when these were written: seven of the eight, mean margin 2.1; the SkipDecode pair, where the
    twin says batching is ruled out, is not told apart)."""
    margins = []
    for title, stated, turned in TURNED:
        cited = [paper(bundled, title)]
        pairs = []
        for claim in (stated, turned):
            [(_, vectors, sources)] = bundled.judge.claim_sources([(claim, cited)])
            pairs.append((claim, premise(vectors[0], sources)))
        good, bad = shipped().logits(pairs)
        margins.append(float(good - bad))
    assert np.mean(margins) > 1.0, margins
    assert sum(m > 0 for m in margins) >= 7, margins


def test_weights_of_another_model_are_refused_in_one_line(tmp_path: Path) -> None:
    import torch
    from safetensors.torch import save_file

    wrong = tmp_path / "other.safetensors"
    save_file({"head.weight": torch.zeros(1, 384)}, str(wrong))
    with pytest.raises(LitrevError, match=r"other\.safetensors: not this version's entailment weights"):
        Entailment(wrong).logits([("a claim", "a premise")])
    broken = tmp_path / "broken.safetensors"
    broken.write_bytes(b"not a tensor file")
    with pytest.raises(
        LitrevError, match=r"cannot read the entailment model's weights .*broken\.safetensors"
    ):
        Entailment(broken).logits([("a claim", "a premise")])


def test_every_tune_claim_has_an_out_of_fold_logit_and_no_holdout_claim_does() -> None:
    """The support model is fitted on out-of-fold logits (``fit_judge._out_of_fold``): the record
    that ships with the weights covers the tune claims of the dev set as it is, and only them."""
    from litrev_eval.datasets import half

    record = json.loads((DATA / "entailment.json").read_text(encoding="utf-8"))
    logits = record["out_of_fold"]["logits"]
    claims = Path(__file__).resolve().parents[1] / "eval" / "datasets" / "claims.jsonl"
    ids = [json.loads(line)["id"] for line in claims.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert {i for i in ids if half(i) == "tune"} == set(logits)
    assert record["out_of_fold"]["auc"] > 0.7


def test_fitting_separates_a_small_labelled_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Training moves the cross-encoder: after a few passes over eight pairs, those labelled
    supported score above those labelled not."""
    from litrev_eval import fit_entailment

    monkeypatch.setattr(fit_entailment, "EPOCHS", 6)
    monkeypatch.setattr(fit_entailment, "BATCH", 8)
    monkeypatch.setattr(fit_entailment, "HEAD_RATE", 1e-2)
    said = "The model is trained on ten thousand hours of speech."
    pairs = [
        (said, said),
        ("Decoding is twice as fast.", "Decoding runs two times faster."),
        ("It uses a small draft model.", "A small draft model proposes tokens."),
        ("The tokenizer has 8 codebooks.", "The tokenizer uses eight codebooks."),
        (said, "Protein folding is predicted from sequence."),
        ("Decoding is twice as fast.", "The capital of France is Paris."),
        ("It uses a small draft model.", "Bread rises with yeast."),
        ("The tokenizer has 8 codebooks.", "Tides follow the moon."),
    ]
    labels = np.array([True] * 4 + [False] * 4)
    weights = tmp_path / "tiny.safetensors"
    fit_entailment.save(fit_entailment.train(pairs, labels), weights)
    logits = Entailment(weights).logits(pairs)
    assert logits[:4].min() > logits[4:].max()


def test_a_support_refit_stops_on_a_claim_the_cross_encoder_has_no_out_of_fold_logit_for() -> None:
    """A claim added to the dev set after the cross-encoder was fitted has no logit from a model
    that never saw it; the refit says what to run instead of fitting on the shipped model's."""
    from litrev_eval.datasets import Item
    from litrev_eval.fit_judge import _out_of_fold

    known = next(
        iter(json.loads((DATA / "entailment.json").read_text(encoding="utf-8"))["out_of_fold"]["logits"])
    )
    assert _out_of_fold([Item(known, 1, "a claim", fields={})]).shape == (1,)
    with pytest.raises(RuntimeError, match=r"c-new-001.*python -m litrev_eval\.fit_entailment"):
        _out_of_fold([Item(known, 1, "a claim", fields={}), Item("c-new-001", 2, "another", fields={})])


def test_the_onnx_export_gives_torchs_logits_and_is_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With a home the cross-encoder runs in ONNX Runtime, exported there once: the same logits as
    torch (a claim too long to fit included: both cut it rather than refuse it); a damaged export
    is named in one line and made again."""
    from rag.grounding import entailment_export
    from rag.onnx_files import record_path

    pairs = [
        ("Decoding is twice as fast.", "Title: Decoding runs two times faster than the baseline."),
        ("The tokenizer has 8 codebooks.", "Tides follow the moon."),
        (" ".join(["An over-long claim about speech models."] * 40), "A premise it is judged against."),
    ]
    torch_logits = Entailment().logits(pairs)
    onnx = Entailment(home=tmp_path)
    logits = onnx.logits(pairs)
    assert isinstance(onnx._runtime(), entailment_export.OnnxEntailment)
    assert np.abs(logits - torch_logits).max() < entailment_export.MAX_DIFFERENCE
    (path,) = (tmp_path / "models").glob("*.onnx")
    assert record_path(path).is_file()

    made = path.stat().st_mtime_ns
    assert np.abs(Entailment(home=tmp_path).logits(pairs) - logits).max() == 0  # loaded, not made again
    assert path.stat().st_mtime_ns == made

    path.write_bytes(b"\0" * path.stat().st_size)
    with caplog.at_level("WARNING", logger="rag.onnx_files"):
        again = Entailment(home=tmp_path).logits(pairs)
    (line,) = [record.getMessage() for record in caplog.records]
    assert line == f"the cross-encoder {path} is damaged (its SHA-256 changed); making it again"
    assert np.abs(again - torch_logits).max() < entailment_export.MAX_DIFFERENCE
