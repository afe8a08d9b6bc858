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
        (r"\bioname{Fishes} of the reef", "Fishes of the reef"),
        (r"22.58$\times$ faster", "22.58\u00d7 faster"),
        (r"an \emph{emphasised} and \textbf{bold} word", "an emphasised and bold word"),
        (r"the $\alpha$-helix and $\beta_2$", "the \u03b1-helix and \u03b2_2"),
        (r"$x^2$ and $10^{-3}$ and $H_2O$", "x^2 and 10^-3 and H_2O"),
        (r"$(k,\ell)$-pebble", "(k,\u2113)-pebble"),
        (r"{T}he {B}ig {LLaMA}", "The Big LLaMA"),
        (r"see \href{https://x.org}{the site}", "see the site"),
        (r"{\textbackslash}emph\{escaped\} twice", "escaped twice"),
        ("}} stray braces {", "stray braces"),
    ],
)
def test_latex_leftovers_become_plain_text(raw: str, clean: str) -> None:
    assert clean_latex(raw) == clean


def test_approximate_tilde_and_urls_keep_their_meaning() -> None:
    text = "a ~24x speedup, see https://people.eecs.berkeley.edu/~evonne_ng/projects/x"
    assert clean_latex(text) == text


@pytest.mark.parametrize(
    "plain",
    ["Plain text, 50% better.", "costs a $5 fee", "A & B #1 with snake_case", "a ~24x speedup"],
)
def test_plain_text_is_unchanged(plain: str) -> None:
    assert clean_latex(plain) == plain


def test_percent_after_latex_is_a_character_not_a_comment() -> None:
    assert clean_latex(r"100\% of \emph{this} and 50% of that") == "100% of this and 50% of that"
