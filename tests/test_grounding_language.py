"""What the judge reads off text: names, direction and negation, and what a question asks."""

from __future__ import annotations

import pytest

from rag.grounding.answers import fits
from rag.grounding.claims import absolute_words
from rag.grounding.figures import figures
from rag.grounding.names import Text, names, only_extended
from rag.grounding.polarity import disagree, negated
from rag.grounding.question import analyse, first_ask, is_list_question, without_contrast


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "What reconstruction FID does the open replication of Google's MAGVIT-v2 tokenizer reach on "
            "ImageNet?",
            ["FID", "Google", "MAGVIT-v2", "ImageNet"],
        ),
        ("Does Very Attentive Tacotron need external alignment?", ["Very Attentive Tacotron"]),
        ("An encoder-only CTC model trained on 180k hours is faster.", ["CTC"]),  # a figure is no name
        ("HuBERT-style masked prediction", ["HuBERT"]),  # "-style" makes an adjective
        ("How many parameters does the largest model have?", []),  # no word picked for its rarity
        # a name made an adjective stands alone: "WavLM-based ASVspoof" is WavLM and ASVspoof
        ("How often does the WavLM-based ASVspoof 5 system err?", ["WavLM", "ASVspoof"]),
        # a unit of measure is no name
        ("How many tokens does WavTokenizer spend on one second of 24 kHz audio?", ["WavTokenizer"]),
        ("A 16 GB card at 200 ms and 3 dB", []),
        # a figure made an adjective is a figure
        ("the cache of one 128k-token sequence for a 10-second clip", []),
        # a quote inside a sentence opens a name, not a sentence; after a sentence's end it opens one
        ('Which paper introduced the "Inner Monologue" method?', ["Inner Monologue"]),
        ('It works. "Better" models follow, and Moshi is one.', ["Moshi"]),
    ],
)
def test_names_are_the_name_shaped_words(text: str, expected: list[str]) -> None:
    assert names(text) == expected


@pytest.mark.parametrize(
    ("name", "text", "question", "extended"),
    [
        ("VALL-E", "VALL-E R: Robust and Efficient Zero-Shot TTS", "Which paper proposed VALL-E?", True),
        ("Clover", "Clover-2, an advanced iteration of Clover", "Which paper introduced Clover?", False),
        ("Clover", "Clover-2: Accurate Inference", "Which paper introduced Clover?", True),
        ("Mamba", "Mamba-based Decoder-Only Approach", "Which paper proposed Mamba?", True),
        ("EAGLE", "EAGLE v2 drafts a dynamic tree", "Who proposed EAGLE?", True),
        # the question writes the same version: the same name
        ("VALL-E R", "VALL-E R, a robust zero-shot TTS system", "Which paper introduced VALL-E R?", False),
        ("FastSpeech", "FastSpeech 2: Fast and High-Quality TTS", "Who proposed FastSpeech 2?", False),
        ("wav2vec", "wav2vec 2.0: A Framework", "Who introduced wav2vec 2.0?", False),
        ("FastSpeech", "FastSpeech 2: Fast and High-Quality TTS", "Which paper proposed FastSpeech?", True),
        ("EAGLE", "EAGLE: Speculative Sampling Requires Rethinking", "Which paper proposed EAGLE?", False),
        ("GigaAM", "a paper on speech", "Which paper proposed GigaAM?", False),  # not mentioned at all
    ],
)
def test_a_name_that_continues_into_a_version_is_another_name(
    name: str, text: str, question: str, extended: bool
) -> None:
    assert only_extended(name, text, question) is extended


@pytest.mark.parametrize(
    ("name", "stated"),
    [
        ("CTC", True),
        ("TTS", True),
        ("FastSpeech 2", True),
        ("LLM", True),
        ("Whisper large-v3", True),
        ("MOS", False),
    ],
)
def test_a_text_states_a_name_joined_split_plural_or_spelled_out(name: str, stated: bool) -> None:
    text = Text(
        "Connectionist temporal classification (CTC) for text-to-speech; Whisper large-v3, LLMs, FastSpeech2."
    )
    assert text.states(name) is stated


@pytest.mark.parametrize(
    ("name", "stated"),
    [
        ("LM", True),  # two letters, two content words: "language model"
        ("LMs", True),
        ("QA", True),
        ("KV", True),  # "key-value"
        ("MT", False),  # "more than" and "model to" are no expansion
        ("Russian ASR", True),  # a field's acronym qualifying a name: each part stated
        ("TEDLIUM3 WER", True),
        ("MR-HuBERT", True),
        ("English ASR", False),  # "English" is not stated
        ("Multilingual LibriSpeech", False),  # no acronym: one name, stated as a whole or not at all
        ("Natural Questions", False),
        ("ASR-4", False),  # a version is part of the name
    ],
)
def test_an_acronym_is_stated_by_its_words_and_a_qualified_name_by_its_parts(name: str, stated: bool) -> None:
    text = Text(
        "A multi-resolution HuBERT and large language models for Russian automatic speech recognition and "
        "spoken question answering with key-value caches, more than the model to beat; the word error "
        "rate on TEDLIUM3 and LibriSpeech; natural speech. Questions remain."
    )
    assert text.states(name) is stated


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        ("decorrelating them destabilizes training", "decorrelating stabilizes training"),
        (
            "unsupervised tokens outperform supervised tokens",
            "supervised tokens significantly outperform unsupervised tokens",
        ),
        ("LUD relies on an auxiliary draft model", "LUD requires no auxiliary models"),
        (
            "features spread over a high-dimensional space",
            "representations live in a low-dimensional subspace",
        ),
        ("it speeds up decoding", "it slows down decoding"),
    ],
)
def test_direction_reversals_disagree(claim: str, source: str) -> None:
    assert disagree(claim, source)


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        ("FastSpeech 2 trains three times faster", "FastSpeech 2 achieves a 3x training speed-up"),
        ("it reduces latency and increases throughput", "lower latency and higher throughput"),
        (  # the source says both ways of one thing: the claim's way is among them
            "larger models call for larger vocabularies",
            "larger models deserve larger vocabularies, but most models use too small vocabularies",
        ),
    ],
)
def test_agreeing_directions_do_not(claim: str, source: str) -> None:
    assert not disagree(claim, source)


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        (
            "the diffusion-based variant of a large autoregressive TTS family needs no duration estimates",
            "We additionally present a non-autoregressive (NAR) variant of the Seed-TTS model.",
        ),
        (
            "a variational residual encoder lets a parallel TTS model match an autoregressive baseline",
            "This paper proposes a non-autoregressive neural text-to-speech model.",
        ),
        (
            "parallel, non-autoregressive generation of mel-spectrograms",
            "compared with autoregressive Transformer TTS",
        ),
    ],
)
def test_non_x_against_x_names_two_families_and_does_not_disagree(claim: str, source: str) -> None:
    """Papers set "non-autoregressive" and "autoregressive" models side by side (a NAR variant of an
    AR family, a speed-up over an AR baseline): the two words are no contradiction, as "destabilizes"
    against "stabilizes" is."""
    assert not disagree(claim, source)
    assert disagree("decorrelating them destabilizes training", "decorrelating stabilizes training")


def test_negation() -> None:
    assert negated("it cannot enable adaptation") and negated("works without labels")
    assert not negated("it enables adaptation")


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        (
            "it regresses mel frames without vector quantization",
            "it generates mel frames directly, bypassing the need for vector quantization",
        ),
        ("it no longer depends on phone durations", "it eliminates the need for explicit alignment"),
        ("a recogniser that needs no alignment", "an alignment-free recogniser"),
    ],
)
def test_absence_said_in_other_words_is_a_negation_too(claim: str, source: str) -> None:
    """ "Without X" in a claim and "bypassing the need for X" in its source say the same: neither
    is negated against the other."""
    assert negated(claim) and negated(source)
    assert not negated("it improves the robustness of discrete units")


@pytest.mark.parametrize(
    ("question", "kind", "measure", "subject"),
    [
        (
            "How many parameters does the largest model in the open family of autoregressive image "
            "generators have?",
            "figure",
            "parameters",
            "the largest model in the open family of autoregressive image generators",
        ),
        (
            "What reconstruction FID does the open replication of Google's MAGVIT-v2 tokenizer reach on "
            "ImageNet?",
            "figure",
            "score",
            "the open replication of Google's MAGVIT-v2 tokenizer",
        ),
        ("How much quicker than greedy decoding is EAGLE?", "figure", "speed", "EAGLE"),
        ("How many hours of recordings was BASE TTS trained on?", "figure", "data", "BASE TTS"),
        ("Which paper proposed Token Recycling?", "proposed", None, ""),
        ("Which papers draft tokens with early exits?", "list", None, ""),
        (
            "Does Very Attentive Tacotron need external alignment information?",
            "yes-no",
            None,
            "Very Attentive Tacotron",
        ),
        ("How does VALL-E R speed up decoding?", "explanation", None, "VALL-E R"),
        # an adverb between "paper" and its verb: still asks which paper proposed it
        ("Which paper originally proposed the VALL-E codec language model?", "proposed", None, ""),
        ("Who first introduced draft heads?", "proposed", None, ""),
        (
            "On which corpora was the decoder-only recogniser evaluated?",
            "which",
            None,
            "the decoder-only recogniser",
        ),
        ("What learning rate was used to fine-tune CarelessWhisper?", "figure", "setting", ""),
        ("How many GPUs were used to train LLaMA-Omni 2?", "figure", "size", ""),
    ],
)
def test_question_kind_measure_and_subject(
    question: str, kind: str, measure: str | None, subject: str
) -> None:
    analysed = analyse(question)
    assert analysed.kind == kind
    assert (analysed.measure.name if analysed.measure else None) == measure
    assert analysed.subject == subject


@pytest.mark.parametrize(
    ("question", "kind", "measure"),
    [
        # what is asked ends at the question's verb: a measure word after it is not asked for
        ("Which CPU were LoomRetriever's query latencies measured on?", "which", None),
        ("Which GPU was the model's latency measured on?", "which", None),
        ("What was the reconstruction FID of MAGVIT-v2?", "figure", "score"),
        ("At what sampling rate does NanoCodec operate?", "figure", "frequency"),
        ("What average relative WER does the cascade reach?", "figure", "score"),
    ],
)
def test_what_is_asked_ends_at_the_verb(question: str, kind: str, measure: str | None) -> None:
    analysed = analyse(question)
    assert analysed.kind == kind
    assert (analysed.measure.name if analysed.measure else None) == measure


def test_a_comparison_target_is_not_the_subject() -> None:
    analysed = analyse(
        "Compared with APNet2, how much faster is the vocoder that starts from a pseudo-inverse mel filter?"
    )
    assert analysed.targets == ("APNet2",) and "APNet2" not in analysed.names
    assert analyse("How much faster than APNet2 is FreeV?").names == ("FreeV",)
    # the target ends at the auxiliary: the subject after it is no target
    modal = analyse("How many times faster than its autoregressive baseline can DASpeech decode?")
    assert modal.targets == () and modal.names == ("DASpeech",)


def test_list_questions_and_contrast_clauses() -> None:
    assert is_list_question("Which text-to-speech papers use flow matching?")
    assert not is_list_question("Which dataset was MaskGCT trained on?")
    assert without_contrast("Which papers draft with early exits rather than a separate model?") == (
        "Which papers draft with early exits?"
    )


@pytest.mark.parametrize(
    ("question", "first", "kind", "asked", "counted"),
    [
        (
            "How many solver steps and what guidance scale does X use?",
            "How many solver steps?",
            "figure",
            "solver steps",
            "steps",
        ),
        (
            "How long did X take to train, and on what hardware?",
            "How long did X take to train?",
            "figure",
            "long",
            None,
        ),
        ("Which dataset and what learning rate did X use?", "Which dataset?", "which", "dataset", None),
        (
            "How many GPUs were used to train X?",
            "How many GPUs were used to train X?",
            "figure",
            "GPUs",
            "GPUs",
        ),
        (
            "In the work that adds a bottleneck to control how much information its codes carry, what do "
            "the codes correspond to?",
            "what do the codes correspond to?",
            "which",
            "",
            None,
        ),
        (
            "In the study of X, do its discrete codes catch up?",
            "do its discrete codes catch up?",
            "yes-no",
            "",
            None,
        ),
        (
            "At roughly what rate, in tokens per second, does X run?",
            "At roughly what rate, in tokens per second, does X run?",
            "figure",
            "rate",
            None,
        ),
        (
            "What fraction of inference time does VALL-E R save, and why?",
            "What fraction of inference time does VALL-E R save?",
            "figure",
            "fraction",
            None,
        ),
    ],
)
def test_a_question_is_read_for_its_own_first_ask(
    question: str, first: str, kind: str, asked: str, counted: str | None
) -> None:
    analysed = analyse(question)
    assert first_ask(question) == first
    assert (analysed.kind, analysed.asked, analysed.counted) == (kind, asked, counted)


def test_the_first_question_word_decides_the_kind() -> None:
    question = "How does NPC keep its inference cost constant no matter how long the input is?"
    assert analyse(question).kind == "explanation"


def test_a_question_keeps_its_comparison_target_and_conditions_as_written() -> None:
    assert analyse("What speedup does PARD achieve on Llama-2-13B?").conditions == ("Llama-2-13B",)
    chimera = analyse("How much faster than plain autoregressive decoding is Chimera on Vicuna?")
    assert chimera.compared == ("plain autoregressive decoding",) and chimera.conditions == ("Vicuna",)
    visual = analyse("What word error rate does Llama-AVSR achieve for visual-only recognition on LRS3?")
    assert visual.conditions == ("visual-only recognition", "LRS3")


HOURS = "How many hours of audio was X trained on?"
SIZE = "How many parameters does X have?"
RATE = "What learning rate was used to train X?"


@pytest.mark.parametrize(
    ("question", "sentence", "figure", "fit"),
    [
        (HOURS, "X is trained on 180k hours of public audio.", "180k", True),
        (HOURS, "Chunks of less than 300 msec keep latency low.", "300", False),
        (HOURS, "Filtering keeps only 10-30% of the data.", "10-30%", False),
        (SIZE, "X ranges from 300M to 1.5B.", "300M", True),
        (SIZE, "X was pretrained on 9.7 billion tokens.", "9.7", False),
        (SIZE, "X attains 160 tokens/s on one GPU.", "160", False),
        ("How many times quicker is X?", "X has a speedup of 2.7x-4.0x.", "2.7x", True),
        ("What word error rates does X reach?", "X reaches a WER of 0.81% on LRS3.", "0.81%", True),
        ("How big is X's advantage over Y?", "X outperforms Y by 50%.", "50%", True),
        (RATE, "X is trained on 20,000 hours of speech.", "20,000", False),
        (RATE, "We train X with a learning rate of 0.001.", "0.001", True),
        (RATE, "We train X at a learning rate of 3e-4 and a weight decay of 0.01.", "3e-4", True),
        (
            "What weight decay was used to train X?",
            "X decays its learning rate by 0.999 a step.",
            "0.999",
            False,
        ),
        ("What beam size does X decode with?", "A weight of 0.3 needs beam search.", "0.3", False),
        ("What dropout rate does X use?", "We apply dropout of 0.1 to every layer.", "0.1", True),
        ("How many listeners rated the codec of X in its test?", "A test with 24 listeners.", "24", True),
        ("How many listeners rated the codec of X in its test?", "A test with 24 codec pairs.", "24", False),
        ("How many solver steps and what guidance scale does X use?", "X runs 32 steps.", "32", True),
        (
            "How long did X take to train, and on what hardware?",
            "It takes nine days on one GPU.",
            "nine",
            True,
        ),
        # "weights" is a model size; an error rate is stated by the acronym of its kind
        ("How many weights does X have?", "The model has only 13.2M parameters.", "13.2M", True),
        ("What error rate does X reach on test-other?", "X achieves 4.94% WER on test-other.", "4.94%", True),
        ("What equal error rate does X achieve?", "X achieves 0.09 minDCF and 3.42% EER.", "3.42%", True),
        # a small number word counts the N of "how many N", up to the end of its phrase
        (
            "How many downstream applications was X tested on?",
            "We test X on three speech applications.",
            "three",
            True,
        ),
        (
            "How many languages does X support?",
            "X uses two generative models, language models and flows.",
            "two",
            False,
        ),
        # no amount of tokens is asked by a comparison whose description mentions tokens
        (
            "How much better is the decoder that recycles candidate tokens than a trained one?",
            "It beats a training method by 25%.",
            "25%",
            True,
        ),
    ],
)
def test_a_figure_fits_only_the_measure_asked(question: str, sentence: str, figure: str, fit: bool) -> None:
    found = next(f for f in figures(sentence) if figure in f.text)
    assert fits(analyse(question), sentence, found) is fit


@pytest.mark.parametrize(
    ("claim", "overclaims"),
    [
        ("It beats the baseline on every SUPERB task.", {"every"}),
        ("The method wins on all benchmarks.", {"all"}),
        ("It is the first method to do so.", {"the first"}),
        ("It eliminates the need for an aligner.", {"eliminates"}),
        # "every" and "all" before a unit a method works through describe how it works
        ("The tree is re-optimised at every decoding step.", set()),
        ("All candidates at a step come from one representation.", set()),
        ("Every mel token gets its own prior.", set()),
    ],
)
def test_every_and_all_overclaim_about_results_not_about_the_steps_of_a_method(
    claim: str, overclaims: set[str]
) -> None:
    assert absolute_words(claim) == overclaims
