"""Papers made for the PDF tests with the real pdflatex (texlive), and the sentences placed in them.

:func:`paper_tex` is a short two-column preprint laid out as arXiv papers are: a running header
and page numbers (fancyhdr), the arXiv stamp rotated in the left margin of page 1, a DOI line,
an abstract, numbered sections and subsections, footnotes, an equation, a table and a figure
with captions, a reference list and an appendix after it. Its marker sentences are long enough
to wrap over several lines of a column, so a reader that mixes the columns breaks them.
:func:`long_paper_tex` is the same kind of paper with ``sections`` more sections of generated
prose (about one page each), for speed and memory measurements. :func:`compile_tex` runs
pdflatex twice in a folder and returns the PDF.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

TITLE = "Masked Spectrogram Modelling Learns Robust Speech Representations"
HEADER = "Masked Spectrogram Modelling for Speech"
ARXIV_ID = "2401.01234"
ARXIV_STAMP = "arXiv:2401.01234v2 [cs.CL] 3 Jan 2024"
DOI = "10.5555/litrev.2024.0042"
OLD_ARXIV_ID = "hep-th/9901001"
"""Cited in the reference list (so never one of the paper's own identifiers)."""
OLD_STAMP_ID = "cond-mat/0211034"
OLD_STAMP = "arXiv:cond-mat/0211034v1 [cond-mat.soft] 2 Nov 2002"
"""An old-style margin stamp, for :func:`paper_tex` ``stamp=``."""

ABSTRACT = (
    "We study masked spectrogram modelling as a self-supervised objective for speech. "
    "An encoder sees a small visible fraction of the spectrogram patches and a light decoder "
    "reconstructs the hidden ones. The learned representations transfer to recognition, "
    "speaker identification and emotion classification with considerably fewer labels."
)
INTRO_SENTENCE = (
    "The masking ratio of eighty percent was chosen after a sweep over six values between "
    "forty and ninety percent on the development recordings."
)
METHOD_SENTENCE = (
    "Our encoder reads only the visible patches of the spectrogram, which cuts the cost of "
    "pretraining by a factor of three compared with an encoder that reads every patch."
)
SETUP_SENTENCE = (
    "We trained every model on the LibriLight recordings for four hundred thousand steps "
    "with a batch of two thousand utterances spread over eight accelerators."
)
CONCLUSION_SENTENCE = (
    "Masking most of the spectrogram is what makes the representations robust to noise "
    "that the model never heard during pretraining."
)
APPENDIX_SENTENCE = (
    "The appendix repeats the recognition experiment with a smaller decoder and finds the "
    "same ordering of the five systems."
)
LIST_ITEMS = (
    "The first listed finding concerns the masking ratio used during pretraining",
    "The second listed finding concerns the size of the light decoder",
)
FOOTNOTE = "Code and trained weights are released under the MIT licence."
TABLE_CAPTION = "Table 1: Word error rates of the five systems on the noisy test set."
FIGURE_CAPTION = "Figure 1: The masking schedule over the course of pretraining."
REFERENCE_TITLES = (
    "Grapheme Phonology of Unseen Tongues",
    "Latent Reverberation Priors for Far-Field Microphones",
)
COLUMN_END_SENTENCE = (
    "This sentence closes the left column of the second page, after which the layout moves on "
    "to the top of the right column."
)
RIGHT_COLUMN_SENTENCE = (
    "This sentence opens the right column of the second page, right under the heading of the "
    "experiments section."
)

# Words long enough that LaTeX hyphenates them at line ends in a narrow column.
_SUBJECTS = (
    "the encoder",
    "our model",
    "the baseline",
    "the spectrogram transformer",
    "each convolutional layer",
    "the multilingual decoder",
    "the contrastive objective",
    "the reconstruction loss",
    "the quantisation module",
    "every configuration",
    "the regularisation schedule",
    "the self-supervised recipe",
    "the autoregressive predictor",
    "the normalisation layer",
)
_VERBS = (
    "improves",
    "stabilises",
    "reconstructs",
    "outperforms",
    "regularises",
    "approximates",
    "underestimates",
    "accelerates",
    "characterises",
    "complements",
    "generalises to",
)
_OBJECTS = (
    "the representation quality",
    "the generalisation error",
    "the classification accuracy",
    "downstream recognition",
    "the intermediate representations",
    "state-of-the-art systems",
    "the computational requirements",
    "speaker verification",
    "the transcription accuracy",
    "unsupervised pretraining",
    "the zero-shot transfer",
    "the interpretability of attention maps",
    "the sequence-to-sequence alignment",
    "the reverberation robustness",
)
_MODIFIERS = (
    "under heavy masking",
    "across every configuration we tried",
    "when the vocabulary grows",
    "with considerably fewer parameters",
    "on conversational recordings",
    "despite the heterogeneous data",
    "throughout the experimental evaluation",
    "in low-resource conditions",
    "without additional supervision",
    "after hyperparameter optimisation",
    "on spontaneous multilingual speech",
)


def filler(rng: random.Random, sentences: int) -> str:
    """``sentences`` generated sentences of plausible prose, no digits, no headings."""
    out = []
    for _ in range(sentences):
        words = (
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_MODIFIERS)}."
        )
        out.append(words[0].upper() + words[1:])
    return " ".join(out)


def _paragraphs(rng: random.Random, count: int, sentences: int = 6) -> str:
    return "\n\n".join(filler(rng, sentences) for _ in range(count))


_PREAMBLE = r"""\documentclass[twocolumn,10pt]{article}
\usepackage{amsmath}
\usepackage{graphicx}
\usepackage{fancyhdr}
\usepackage[margin=2cm]{geometry}
\pagestyle{fancy}
\fancyhf{}
\fancyhead[L]{HEADER}
\fancyhead[R]{Preprint}
\fancyfoot[C]{\thepage}
\title{TITLE}
\author{Ada Example \and Bo Sample\\ Institute of Made-Up Acoustics}
\date{}
\begin{document}
\maketitle
\thispagestyle{fancy}
\noindent\makebox[0pt][r]{\raisebox{-19cm}[0pt][0pt]{\rotatebox{90}{\Large STAMP}}\hspace{1.0cm}}%
"""


def _preamble(stamp: str = ARXIV_STAMP) -> str:
    return (
        _PREAMBLE.replace("HEADER", HEADER)
        .replace("TITLE", TITLE)
        .replace("STAMP", stamp.replace(" ", r"\quad "))
    )


def _references() -> str:
    first, second = REFERENCE_TITLES
    return rf"""
\begin{{thebibliography}}{{9}}
\bibitem{{a}} A. Writer and B. Reader. {first}. In \emph{{Proceedings of Imaginary Speech}}, 2021.
\bibitem{{b}} C. Author. {second}. \emph{{Journal of Pretend Acoustics}}, 12(3):1--20, 2022.
\bibitem{{c}} D. Physicist. Strings on the lattice. arXiv:{OLD_ARXIV_ID}, 1999.
\end{{thebibliography}}
"""


def paper_tex(seed: int = 7, stamp: str = ARXIV_STAMP) -> str:
    """The test paper: page 1 holds the abstract, "1 Introduction" and "2 Related Work"; page 2
    starts with "3 Method" and "3.1 Masking" in its left column, and its right column starts with
    "4 Experiments" (the column is ended by hand); "4.1 Setup" with its table follows; then the
    figure, "5 Conclusion", the references and appendix "A Additional Results"."""
    rng = random.Random(seed)
    return (
        _preamble(stamp)
        + rf"""
\begin{{abstract}}
{ABSTRACT}
\end{{abstract}}

\noindent DOI: {DOI}

\section{{Introduction}}
{filler(rng, 4)} {INTRO_SENTENCE} {filler(rng, 3)}\footnote{{{FOOTNOTE}}}

{_paragraphs(rng, 3)}

\section{{Related Work}}
{_paragraphs(rng, 2)}

\clearpage
\section{{Method}}
{METHOD_SENTENCE} {filler(rng, 4)}

{_paragraphs(rng, 1)}

\subsection{{Masking}}
{filler(rng, 3)} The loss is the mean squared error over the hidden patches:
\begin{{equation}}
\mathcal{{L}} = \frac{{1}}{{|M|}} \sum_{{t \in M}} \lVert x_t - \hat{{x}}_t \rVert^2 .
\end{{equation}}
{filler(rng, 4)} {COLUMN_END_SENTENCE}
\newpage

\section{{Experiments}}
{RIGHT_COLUMN_SENTENCE} {filler(rng, 3)}

\subsection{{Setup}}
{SETUP_SENTENCE} {filler(rng, 3)}

\begin{{table}}[h]
\centering
\begin{{tabular}}{{lr}}
System & WER \\ \hline
Baseline & 12.4 \\
Ours & 9.8 \\
\end{{tabular}}
\caption{{{TABLE_CAPTION.split(": ", 1)[1]}}}
\end{{table}}

{_paragraphs(rng, 2)}

\begin{{figure}}[h]
\centering
\fbox{{\rule{{0pt}}{{2cm}}\hspace{{5cm}}}}
\caption{{{FIGURE_CAPTION.split(": ", 1)[1]}}}
\end{{figure}}

{_paragraphs(rng, 2)}

\section{{Conclusion}}
{CONCLUSION_SENTENCE} {filler(rng, 4)}
"""
        + _references()
        + rf"""
\appendix
\section{{Additional Results}}
{APPENDIX_SENTENCE} {filler(rng, 5)}
\begin{{itemize}}
\item {LIST_ITEMS[0]}
\item {LIST_ITEMS[1]}
\end{{itemize}}
\end{{document}}
"""
    )


def long_paper_tex(sections: int, seed: int = 11) -> str:
    """A paper with ``sections`` sections of generated prose, each about one two-column page."""
    rng = random.Random(seed)
    body = [
        rf"""
\begin{{abstract}}
{ABSTRACT}
\end{{abstract}}

\noindent DOI: {DOI}
"""
    ]
    for number in range(sections):
        body.append(rf"\section{{Study {number + 1} of the masking schedule}}")
        body.append(_paragraphs(rng, 4, 7))
        body.append(r"\subsection{Results}")
        body.append(_paragraphs(rng, 4, 7))
    return _preamble() + "\n\n".join(body) + _references() + "\\end{document}\n"


def compile_tex(folder: Path, tex: str, name: str = "paper") -> Path:
    """``tex`` compiled by pdflatex (twice, for references) in ``folder``; the PDF's path."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.tex").write_text(tex, encoding="utf-8")
    command = ["pdflatex", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", name]
    for _ in range(2):
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"pdflatex failed on {name}.tex:\n{done.stdout[-3000:]}")
    return folder / f"{name}.pdf"


def pdflatex_available() -> bool:
    return shutil.which("pdflatex") is not None


LEFT_SENTENCE = (
    "The left column tells how the encoder was trained on eight thousand hours of read speech "
    "before any labelled recording was used for the recognition experiments that follow."
)
RIGHT_SENTENCE = (
    "The right column reports that the decoder was discarded after pretraining and that only "
    "the encoder weights were kept for every downstream task in the later tables of results."
)


def _wrapped(text: str, width: int) -> list[str]:
    lines: list[str] = [""]
    for word in text.split():
        if lines[-1] and len(lines[-1]) + 1 + len(word) > width:
            lines.append("")
        lines[-1] = f"{lines[-1]} {word}".strip()
    return lines


def interleaved_tex() -> str:
    """One page in two columns drawn row by row (a table with a row per line), so that the PDF
    draws the first line of the left column, then the first of the right, and so on: readers that
    follow the drawing order mix the columns."""
    left, right = _wrapped(LEFT_SENTENCE, 44), _wrapped(RIGHT_SENTENCE, 44)
    rows = [
        f"{left[i] if i < len(left) else ''} & {right[i] if i < len(right) else ''} \\\\"
        for i in range(max(len(left), len(right)))
    ]
    body = "\n".join(rows)
    return rf"""\documentclass[10pt]{{article}}
\usepackage[margin=2cm]{{geometry}}
\pagestyle{{empty}}
\begin{{document}}
\section{{Introduction}}
\noindent\begin{{tabular}}{{@{{}}p{{0.46\textwidth}}@{{\hspace{{0.08\textwidth}}}}p{{0.46\textwidth}}@{{}}}}
{body}
\end{{tabular}}
\end{{document}}
"""


LIGATURE_SENTENCE = (
    "The first official offer fluffed the efficient baffle, and the affluent filmmaker scoffed at "
    "its fine flow."
)


def ligatures_tex() -> str:
    """A page set in TeX's T1 fonts without a Unicode map (bitmap fonts when cm-super is not
    installed): PDFium gives their ligatures (fi, fl, ff, ffi, ffl) as control characters."""
    return rf"""\documentclass[10pt]{{article}}
\usepackage[T1]{{fontenc}}
\pagestyle{{empty}}
\begin{{document}}
\section{{Introduction}}
{LIGATURE_SENTENCE} {LIGATURE_SENTENCE}
\end{{document}}
"""


MATH_SENTENCE = (
    r"We branch when the entropy exceeds $\tau = 2.1$ nats, and the implicit vocabulary has "
    r"$2^{18} = 262{,}144$ codes, so that a draft of $0.35$ of the target's cost pays off."
)
"""Numbers set in math: PDFium's glyph boxes leave gaps inside them as wide as a word space."""
MATH_READ = ("τ = 2.1 nats", "= 262,144 codes", "of 0.35 of")
"""How :data:`MATH_SENTENCE` must read."""
MATH_FOOTNOTE = "Measured on the held-out split of the conversation set."


def math_tex() -> str:
    """A justified page of running text with numbers set in math and a footnote (its mark set
    smaller than the text, right before it)."""
    return rf"""\documentclass[10pt,twocolumn]{{article}}
\pagestyle{{empty}}
\begin{{document}}
\section{{Method}}
{MATH_SENTENCE} {MATH_SENTENCE}\footnote{{{MATH_FOOTNOTE}}} {MATH_SENTENCE}
\end{{document}}
"""


CELLS_SENTENCE = r"Fine-tuning uses mixup with $\alpha = 0.5$ and time masking over the whole of each batch."
CELLS_READ = "mixup with \u03b1 = 0.5 and time masking"
"""How :data:`CELLS_SENTENCE` must read."""
CELLS_CAPTION = "Table 1: Wall-clock speedup of each drafter at temperature 0."
CELLS_ROWS = (
    "Draft model (1B): Chat 1.9\u00d7; Code 2.1\u00d7; Summ 1.6\u00d7; Len 2.6.",
    "Ferryman: Chat 2.9\u00d7; Code 3.3\u00d7; Summ 2.4\u00d7; Len 3.8.",
)
"""How the rows of the table of :func:`cells_tex` must read: every cell named by its column."""
LIMITATION_SENTENCE = "The benefit shrinks as the batch grows, because verification becomes compute bound."


def cells_tex() -> str:
    """A two-column page with inline math and a table whose cells are further apart than the
    words of a line (as wide as the gap between the columns), and a heading run into its paragraph."""
    return rf"""\documentclass[10pt,twocolumn]{{article}}
\pagestyle{{empty}}
\begin{{document}}
\section{{Method}}
{CELLS_SENTENCE} {CELLS_SENTENCE} {CELLS_SENTENCE}

\begin{{table}}[h]
\centering
\small
\setlength{{\tabcolsep}}{{4pt}}
\caption{{{CELLS_CAPTION.split(": ", 1)[1]}}}
\begin{{tabular}}{{lcccc}}
\hline
Method & Chat & Code & Summ. & Len \\
\hline
Draft model (1B) & 1.9$\times$ & 2.1$\times$ & 1.6$\times$ & 2.6 \\
Ferryman & 2.9$\times$ & 3.3$\times$ & 2.4$\times$ & 3.8 \\
\hline
\end{{tabular}}
\end{{table}}

\section{{Results}}
\paragraph{{Limitations.}} {LIMITATION_SENTENCE}
\end{{document}}
"""
