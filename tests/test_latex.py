import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rag.sources.latex import MAX_CHARS, MAX_DEPTH, clean_latex, nesting_depth


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


NESTERS = [
    ("{", "}"),
    ("\\emph{", "}"),
    ("$\\frac{", "}{y}$"),
    ("\\begin{quote}", "\\end{quote}"),
    ("$\\sqrt[", "]{y}$"),
    ("\\[", "\\]"),
    ("{$", "$}"),
    ("\\href{u}{", "}"),
]


@settings(max_examples=150, deadline=None, database=None)  # no .hypothesis/ in the checkout
@given(
    nester=st.sampled_from(NESTERS),
    depth=st.integers(0, 400),
    noise=st.text(alphabet=st.sampled_from(list("ab {}[]$\\")), max_size=40),
)
def test_no_nesting_makes_the_converter_fail(nester: tuple[str, str], depth: int, noise: str) -> None:
    opener, closer = nester
    text = f"{noise} {opener * depth}word{closer * depth}"
    assert nesting_depth(text) >= depth
    plain = clean_latex(text)  # never a RecursionError, however deep
    if depth > MAX_DEPTH:  # not parsed: the words are kept (parsed, \sqrt[word] drops its word)
        assert "word" in plain


def test_text_too_deep_or_too_long_for_the_parser_keeps_its_words() -> None:
    deep = "see " + "{" * 300 + "\\emph{deep}" + "}" * 300 + " text"
    assert clean_latex(deep) == "see \\emphdeep text"
    assert nesting_depth(r"$\frac{a^{b_{c}}}{d}$ [0, 1) and [1] \{x\}") == 4
    long = "\\textbf{bold} " * (MAX_CHARS // 10)
    assert clean_latex(long) == "\\textbfbold " * (MAX_CHARS // 10)
