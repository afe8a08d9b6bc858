"""The figure normaliser: figures read the way researchers write them, and compared with tolerance."""

from __future__ import annotations

import pytest

from rag.grounding.figure_matching import matches, unmatched
from rag.grounding.figures import figures


@pytest.mark.parametrize(
    ("text", "low", "high", "kind"),
    [
        ("three to four times faster", 3, 4, "ratio"),  # words, a range, a multiplier
        ("a learning rate of 3e-4", 3e-4, 3e-4, "plain"),  # scientific notation
        ("removes four-fifths of the weights", 0.8, 0.8, "ratio"),  # fractions in words
        ("on almost two thirds of the tasks", 2 / 3, 2 / 3, "ratio"),
        ("eight tenths of the data", 0.8, 0.8, "ratio"),
        ("about a fifth of a second", 0.2, 0.2, "duration"),
        ("trained on four dozen GPUs", 48, 48, "plain"),
        ("decayed to 1.5E-5", 1.5e-5, 1.5e-5, "plain"),
        ("3-4x faster", 3, 4, "ratio"),
        ("between two- and five-fold", 2, 5, "ratio"),
        ("2x-5x speedups", 2, 5, "ratio"),
        ("speedups of 2.16timessim2.50times", 2.16, 2.5, "ratio"),  # LaTeX that lost its backslashes
        ("x7 faster", 7, 7, "ratio"),
        ("twice as fast", 2, 2, "ratio"),
        ("about half the parameters", 0.5, 0.5, "ratio"),
        ("more than three and a half times the throughput", 3.5, 3.5, "ratio"),
        ("100K hours of speech", 360_000_000, 360_000_000, "duration"),  # hours, in seconds
        ("a hundred thousand hours", 360_000_000, 360_000_000, "duration"),
        ("roughly thirty thousand hours", 108_000_000, 108_000_000, "duration"),
        ("a latency of 160ms", 0.16, 0.16, "duration"),
        ("ranging from 300M to 1.5B", 300e6, 1.5e9, "scale"),
        ("from half a billion to fourteen billion parameters", 0.5e9, 14e9, "scale"),
        ("a one-billion-parameter model", 1e9, 1e9, "scale"),
        ("reduced by 39.6%", 39.6, 39.6, "percent"),
        ("16kHz audio", 16_000, 16_000, "frequency"),
        ("12.5 Hz", 12.5, 12.5, "frequency"),
        ("1.17 rFID", 1.17, 1.17, "plain"),
        ("an 8-billion-parameter model", 8e9, 8e9, "scale"),  # a scale word after a hyphen
        ("a codebook of 2^18 entries", 262_144, 262_144, "plain"),  # a power
        ("a 2^{16} codebook", 65_536, 65_536, "plain"),
        ("one thousand and five hundred samples", 1_500, 1_500, "plain"),
        ("a 10K byte-level vocabulary", 10_000, 10_000, "scale"),  # "byte-level" is no unit
    ],
)
def test_a_figure_is_read_with_its_value_and_kind(text: str, low: float, high: float, kind: str) -> None:
    found = [f for f in figures(text) if f.required]
    assert len(found) == 1, found
    assert found[0].low == pytest.approx(low) and found[0].high == pytest.approx(high)
    assert found[0].kind == kind


@pytest.mark.parametrize(
    "text",
    [
        "AISHELL-1 corpus",
        "GPT-4 and Wav2Vec 2.0",
        "FastSpeech 2 is strong",
        "APNet2 and MAGVIT-v2",
        "in 2021",
        "two stages",
        "refined over a few dozen steps",  # rough counts
        "several hundred hours of speech",
        "two ten-thousandths of a percent",  # no number: "two ten"
        "a 9^99999 codebook",  # a power past any figure
        "a 2^" + "9" * 5000 + " codebook",
    ],
)
def test_names_years_and_bare_number_words_are_not_figures_a_claim_must_match(text: str) -> None:
    assert not [f for f in figures(text) if f.required]


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        ("three to four times faster", "3-4x faster"),  # words against digits
        ("a learning rate of 3e-4", "a learning rate of 0.0003"),  # scientific notation
        ("removes up to four-fifths of the model", "reduces model size by up to 80%"),
        ("cuts time by more than three-fifths", "with over 60% time reduction"),
        ("about a fifth of a second in practice", "a practical latency of 200ms"),
        ("chunks shorter than a third of a second", "chunk sizes (less than 300 msec)"),
        ("pre-trained on just four dozen GPUs", "pre-trained on only 48 GPUs"),
        ("about 30k hours", "30,000 hours"),  # rounding with "about"
        ("roughly thirty thousand hours", "30,000 hours"),
        ("roughly a 40% cut", "reduced by 39.6%"),
        ("3x faster", "a 3.01x speed-up"),  # rounded to the digits written
        ("half the parameters", "50% fewer parameters"),  # a ratio as a percentage
        ("0.16 seconds", "160ms"),  # units
        ("two- to five-fold", "2x-5x speedups"),
        ("a hundred thousand hours", "100K hours"),
        ("up to 5x", "2x-5x speedup"),  # the top of a range
        ("1.5 billion parameters", "from 300M to 1.5B"),  # one end of a range
        ("almost twice as fast", "1.9x faster"),
        ("thirty-fold", "by a factor of 30"),
        ("about seven times quicker", "x7 faster"),
        ("keeps between a tenth and a third", "retains 10-30%"),  # a fraction within a stated range
        ("under a hundred million parameters", "from 85 million to 1.2 billion parameters"),  # either end
        ("more than 2x faster", "1.5x-2.5x faster"),
        ("about 262 thousand codes", "a codebook of 2^18"),
        ("eight billion parameters", "an 8-billion-parameter model"),
    ],
)
def test_a_restated_figure_matches_its_source(claim: str, source: str) -> None:
    assert unmatched(claim, figures(source)) == []


@pytest.mark.parametrize(
    ("claim", "source"),
    [
        ("ten times faster", "3-4x faster"),
        ("a learning rate of 3e-4", "a learning rate of 0.003"),
        ("removes four-fifths of the model", "reduces model size by 40%"),
        ("chunks shorter than a third of a second", "chunk sizes of 500 msec"),
        ("on four dozen GPUs", "on 24 GPUs"),
        ("5x faster", "3x faster"),
        ("about 300k hours", "30,000 hours"),
        ("a 60% cut", "reduced by 39.6%"),
        ("16 languages", "39 languages"),
        ("0.5 seconds", "160ms"),
        ("a quarter of the recordings", "retains 10-20%"),
        ("under fifty million parameters", "from 85 million to 1.2 billion parameters"),
        ("more than 4x faster", "1.5x-2.5x faster"),
        ("about 26 thousand codes", "a codebook of 2^18"),
    ],
)
def test_a_wrong_figure_does_not_match(claim: str, source: str) -> None:
    assert unmatched(claim, figures(source))


def test_matching_needs_compatible_kinds() -> None:
    (hours,) = figures("40 hours")
    (percent,) = figures("40%")
    assert not matches(hours, percent) and not matches(percent, hours)


def test_and_joins_a_smaller_number_only() -> None:
    listed = figures("inventories of fifty, one hundred and two hundred units")
    assert [f.low for f in listed] == [50, 100, 200]
    assert [f.low for f in figures("two hundred and fifty thousand samples")] == [250_000]
