import pytest

from rag.latex import clean_latex


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (r"up to 100\% faster", "up to 100% faster"),
        (r"semantic \& acoustic", "semantic & acoustic"),
        (r"a na\"ive approach", "a naïve approach"),
        (r"Fr\'echet distance", "Fréchet distance"),
        (r"G\"{o}del and \c{c}a", "Gödel and ça"),
        (r"we present ({\romannumeral2}) four", "we present (ii) four"),
        (r"(\eg ELMER) works", "(e.g. ELMER) works"),
        (r"requires \textless2MB", "requires <2MB"),
        (r"\textit{very} good", "very good"),
        ("masked language modeling~(MLM)", "masked language modeling (MLM)"),
        ("Byte-~and Word-Level", "Byte- and Word-Level"),
    ],
)
def test_latex_leftovers_become_plain_text(raw: str, clean: str) -> None:
    assert clean_latex(raw) == clean


def test_approximate_tilde_and_urls_keep_their_meaning() -> None:
    text = "a ~24x speedup, see https://people.eecs.berkeley.edu/~evonne_ng/projects/x"
    assert clean_latex(text) == text


def test_plain_text_is_unchanged() -> None:
    assert clean_latex("Plain text, 50% better.") == "Plain text, 50% better."
