"""Draft a related-work section for a paper description from the library, every sentence cited.

The stages, each a function of its own:

1. :func:`gather`: retrieve broadly. Hybrid search on the whole description and on each of its
   sentences, fused by weighted reciprocal rank; papers whose best score (relative to the best
   paper of the same query) stays weak are dropped; the best ``n_papers`` are kept.
   A description the library does not cover (by :func:`rag.answer.evidence_strength` and the
   threshold that makes answers abstain) gets a notice and the nearest papers instead of a draft.
2. :func:`cluster`: group the kept papers into themes (about five papers each) by Ward-linkage
   clustering of their paper vectors (plain numpy; a few dozen papers).
3. :func:`label`: name each theme by its most distinctive title phrases (share of the theme's
   papers using a phrase, against its share in the other themes, times its IDF in the library).
4. :func:`statement`: one sentence per paper, built from its contribution sentence ("we propose
   / introduce / present...", else the sentence closest to the description), put in the third
   person only where that is a safe rewrite of the opening words ("We propose X" -> "EAGLE
   proposes X"); otherwise the sentence is quoted verbatim.

Themes are ordered by the mean fused score of their papers and papers within a theme likewise.
:class:`Draft` renders Markdown (``[n]`` markers and a numbered reference list) or LaTeX
(``\\cite{key}``), and the BibTeX of exactly the cited papers; a closing line lists the retrieved
papers left out, so the author can judge coverage. Without an LLM this is the only mode; the
prompt for the LLM mode is ``prompts/related_work.txt``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from rag import bibtex
from rag.answer import evidence_strength
from rag.chunking import sentence_spans
from rag.citations import MARKER
from rag.corpus import Paper
from rag.errors import LitrevError
from rag.generate import Passage, rank_sentences
from rag.library import Library
from rag.retrieve import Filters, search

N_PAPERS = 25
"""Papers cited by default; measured with eval/bench_citing.py (must-cite share vs. length)."""
QUERY_DEPTH = 60
"""Papers taken from each query before fusion."""
DESCRIPTION_WEIGHT = 2.0
"""Weight of the whole-description query in the fusion (each sentence query weighs 1)."""
WEAK = 0.45
"""Drop papers whose best score is below this share of the best paper's score, in every query."""
PAPERS_PER_THEME = 5
MAX_THEMES = 6
SECOND_PHRASE = 0.5
"""A theme's label gets a second phrase only if it scores at least this share of the first's."""
UNCITED_LISTED = 10


# -- 1. retrieval ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retrieved:
    paper: Paper
    score: float
    """Fused reciprocal-rank score over all queries."""
    relevance: float
    """Best score relative to its query's top paper, over all queries (1 = top of some query)."""


def queries(description: str) -> list[tuple[str, float]]:
    """The description as a whole, then each of its sentences, with their fusion weights."""
    text = " ".join(description.split())
    sentences = [text[start:end] for start, end in sentence_spans(text)]
    weighted = {text: DESCRIPTION_WEIGHT}
    for sentence in sentences:
        weighted.setdefault(sentence, 1.0)
    return list(weighted.items())


@dataclass
class Gathered:
    kept: list[Retrieved]
    """The papers to cite, best first."""
    left_out: list[Retrieved]
    """The other retrieved papers, best first."""
    evidence_strength: float
    """The best :func:`rag.answer.evidence_strength` of the queries: a description is covered
    when the library covers it as a whole or any one of its sentences."""


def gather(
    description: str,
    *,
    library: Library,
    n_papers: int = N_PAPERS,
    filters: Filters | None = None,
) -> Gathered:
    """Retrieve broadly for ``description`` and keep the best ``n_papers`` that are not weak."""
    rrf_k = library.settings.retrieval.rrf_k
    fused: dict[str, float] = {}
    relevance: dict[str, float] = {}
    papers: dict[str, Paper] = {}
    strength = 0.0
    for query, weight in queries(description):
        result = search(query, library=library, k=QUERY_DEPTH, filters=filters)
        strength = max(strength, evidence_strength(result, library))
        hits = result.hits
        top = hits[0].score if hits and hits[0].score > 0 else 1.0
        for rank, hit in enumerate(hits):
            pid = hit.paper.id
            papers[pid] = hit.paper
            fused[pid] = fused.get(pid, 0.0) + weight / (rrf_k + rank + 1)
            relevance[pid] = max(relevance.get(pid, 0.0), hit.score / top)
    ranked = [
        Retrieved(papers[pid], fused[pid], relevance[pid])
        for pid in sorted(fused, key=lambda pid: (-fused[pid], pid))
    ]
    kept = [item for item in ranked if item.relevance >= WEAK][:n_papers]
    chosen = {item.paper.id for item in kept}
    left_out = [item for item in ranked if item.paper.id not in chosen]
    return Gathered(kept, left_out, round(strength, 4))


# -- 2. themes ---------------------------------------------------------------------------------


def cluster(vectors: np.ndarray, *, n_clusters: int, min_size: int = 2) -> list[list[int]]:
    """Ward-linkage clustering of the rows of ``vectors`` into ``n_clusters`` groups of row indices.

    Ward's criterion (merge the pair that least increases the within-cluster variance) gives
    themes of comparable size where average linkage makes one theme of nearly everything. Groups
    smaller than ``min_size`` then join the group whose centroid is nearest. Ties go to the lower
    indices, so the result depends only on the vectors and their order.
    """
    count = len(vectors)
    if count == 0:
        return []
    points = np.asarray(vectors, dtype=np.float64)
    distance = ((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)
    np.fill_diagonal(distance, np.inf)
    clusters: dict[int, list[int]] = {i: [i] for i in range(count)}
    while len(clusters) > max(1, n_clusters):
        alive = sorted(clusters)
        sub = distance[np.ix_(alive, alive)]
        flat = int(np.argmin(sub))
        a, b = alive[flat // len(alive)], alive[flat % len(alive)]
        a, b = min(a, b), max(a, b)
        size_a, size_b = len(clusters[a]), len(clusters[b])
        for k in alive:
            if k in (a, b):
                continue
            size_k = len(clusters[k])
            merged = (size_a + size_k) * distance[k, a] + (size_b + size_k) * distance[k, b]
            merged = (merged - size_k * distance[a, b]) / (size_a + size_b + size_k)
            distance[k, a] = distance[a, k] = merged
        distance[b, :] = distance[:, b] = np.inf
        clusters[a] = sorted(clusters[a] + clusters.pop(b))
    groups = [clusters[key] for key in sorted(clusters)]
    while len(groups) > 1:
        small = [i for i, members in enumerate(groups) if len(members) < min_size]
        if not small:
            break
        i = small[0]
        centroid = points[groups[i]].mean(axis=0)
        j = min(
            (j for j in range(len(groups)) if j != i),
            key=lambda j: (float(((points[groups[j]].mean(axis=0) - centroid) ** 2).sum()), j),
        )
        groups[j] = sorted(groups[j] + groups[i])
        del groups[i]
    return groups


def _words(*lines: str) -> frozenset[str]:
    """The space-separated words of ``lines``, as a set."""
    return frozenset(" ".join(lines).split())


_FUNCTION_WORDS = _words(
    "a an the and or but nor of on in at to for from by with without via into onto over under about",
    "as is are was were be been being can could may might will would should do does did has have had",
    "it its this that these those their our we they which who whose where when while than then such",
    "both each all any some more most other only not no also however thus between across through",
    "per within up down out so very well yet since because if how what why towards toward beyond",
)
_GENERIC = _words(
    "propose proposed proposes present presents presented introduce introduces introduced approach",
    "approaches method methods paper work works study studies result results show shows shown novel",
    "new based using use used existing prior previous recent first achieve achieves achieved",
    "performance experiments experimental demonstrate demonstrates significantly significant",
    "improve improves improved improving improvement improvements effective efficient efficiently",
    "efficiency framework task tasks problem problems state art sota various different several",
    "further large compared comparable substantially including outperforms baseline baselines",
    "model models high low better best key leading strong fast faster simple single deep learn",
    "learning accelerating acceleration boosting enhancing unified unifying exploring rethinking",
    "revisiting towards scalable robust end toward make making enable enables enabling lessons",
)
_CLAUSE = re.compile(r"[.,;:!?()\[\]\"]|\s[-\u2013\u2014]\s")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*")
_LONGEST_PHRASE = 3


def _label_worthy(words: Sequence[str]) -> bool:
    """Whether a run of title words could name a theme (not "of the", "towards", "novel method")."""
    low = [word.lower() for word in words]
    if low[0] in _FUNCTION_WORDS or low[-1] in _FUNCTION_WORDS or len(low[-1]) < 2:
        return False
    return not all(word in _GENERIC for word in low) and (len(low) > 1 or len(low[0]) > 2)


def _runs(text: str, stem: Callable[[str], tuple[str, ...]]) -> dict[tuple[str, ...], list[str]]:
    """Every run of 1-3 words inside a clause of ``text``: its stems -> how it was written."""
    runs: dict[tuple[str, ...], list[str]] = {}
    for clause in _CLAUSE.split(text):
        words = _TOKEN.findall(clause)
        stems = [stem(word) for word in words]
        for size in range(1, _LONGEST_PHRASE + 1):
            for start in range(len(words) - size + 1):
                if all(stems[start : start + size]):
                    key = tuple(term for part in stems[start : start + size] for term in part)
                    runs.setdefault(key, []).append(" ".join(words[start : start + size]))
    return runs


def label(
    theme: Sequence[Paper], others: Sequence[Paper], *, library: Library, n_phrases: int = 2
) -> list[str]:
    """The theme's most distinctive phrases, best first, as its abstracts most often write them.

    Candidates are runs of title words; a phrase scores its share of the theme's papers (title or
    abstract), times how much more common it is in the theme than among ``others``, times the
    square root of its IDF in the library. A phrase loses to a longer one that contains it and is
    nearly as common ("speculative" to "speculative decoding").
    """
    lexical = library.lexical
    cache: dict[str, tuple[str, ...]] = {}

    def stem(word: str) -> tuple[str, ...]:
        if word not in cache:
            cache[word] = tuple(lexical.terms(word))
        return cache[word]

    inside = [_runs(f"{paper.title}. {paper.abstract}", stem) for paper in theme]
    outside = Counter(key for paper in others for key in _runs(f"{paper.title}. {paper.abstract}", stem))
    candidates = {
        key
        for paper in theme
        for key, written in _runs(paper.title, stem).items()
        if _label_worthy(written[0].split())
    }
    frequency = {key: sum(key in runs for runs in inside) for key in candidates}
    scores = {}
    for key in candidates:
        share = frequency[key] / len(theme)
        contrast = share - (outside[key] / len(others) if others else 0.0)
        if frequency[key] < min(2, len(theme)) or contrast <= 0:
            continue
        idf = float(np.mean([lexical.idf(term) for term in key]))
        scores[key] = share * contrast * np.sqrt(idf) * (1.5 if len(key) > 1 else 1.0)
    subsumed = {
        key
        for key in scores
        for longer in scores
        if len(longer) > len(key) and _contains(longer, key) and frequency[longer] >= 0.6 * frequency[key]
    }
    chosen: list[tuple[str, ...]] = []
    for key in sorted(scores, key=lambda k: (-scores[k], k)):
        if chosen and scores[key] < SECOND_PHRASE * scores[chosen[0]]:
            break
        if key not in subsumed and not any(_overlap(key, other) for other in chosen):
            chosen.append(key)
        if len(chosen) == n_phrases:
            break
    titles = [_runs(paper.title, stem) for paper in theme]
    abstracts = [_runs(paper.abstract, stem) for paper in theme]
    return [
        _display(
            Counter(form for runs in titles for form in runs.get(key, ())),
            Counter(form for runs in abstracts for form in runs.get(key, ())),
        )
        for key in chosen
    ]


def _overlap(one: tuple[str, ...], other: tuple[str, ...]) -> bool:
    """Whether two phrases share a word, plurals aside ("LLM" and "LLMs")."""
    return bool({term.rstrip("s") for term in one} & {term.rstrip("s") for term in other})


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    size = len(shorter)
    return any(longer[i : i + size] == shorter for i in range(len(longer) - size + 1))


def _display(in_titles: Counter[str], in_abstracts: Counter[str]) -> str:
    """How to write a phrase: its commonest title form, cased as the abstracts write it.

    Words only ever seen title-cased are lowered ("Language Model" -> "language model"), while
    acronyms and names the abstracts capitalise stay so ("CTC", "Moshi").
    """
    title_form = max(sorted(in_titles), key=lambda form: in_titles[form])
    same = [form for form in sorted(in_abstracts) if form.lower() == title_form.lower()]
    if same:
        return max(same, key=lambda form: (in_abstracts[form], form.islower()))
    return " ".join(
        word.lower() if word[:1].isupper() and word[1:].islower() else word for word in title_form.split()
    )


def theme_title(phrases: Sequence[str]) -> str:
    """``["speculative decoding", "draft heads"]`` -> ``"Speculative decoding / draft heads"``."""
    if not phrases:
        return "Other related work"
    text = " / ".join(phrases)
    return text[0].upper() + text[1:]


# -- 3. statements -----------------------------------------------------------------------------


def third_person(verb: str) -> str:
    """``propose`` -> ``proposes``, ``study`` -> ``studies``, ``focus`` -> ``focuses``."""
    verb = verb.lower()
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ies"
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    return verb + "s"


_LEADING_VERBS = _words(
    "propose introduce present develop design describe devise build create release unveil",
    "formulate construct contribute",
)
_OTHER_VERBS = _words(
    "show study investigate explore demonstrate offer provide address tackle analyze analyse",
    "examine evaluate extend leverage establish report find identify conduct revisit consider",
    "focus train adopt apply employ derive prove argue compare achieve pioneer combine exploit",
    "utilize utilise integrate incorporate enhance improve reduce learn model treat frame cast view",
    "reformulate generalize unify benchmark collect curate measure quantify characterize assess",
    "validate verify highlight discuss outline review survey summarize aim seek attempt observe",
)
_VERBS = "|".join(sorted(_LEADING_VERBS | _OTHER_VERBS))
_VERBS_THIRD_PERSON = "|".join(sorted(third_person(verb) for verb in _LEADING_VERBS | _OTHER_VERBS))
_LEAD = r"(?P<lead>[^,;]{1,100},\s+|(?:here|in this (?:paper|work|study|letter|article|report))\s+)?"
_WE = re.compile(
    _LEAD + r"we\s+(?:(?:also|further|first|then|additionally|here|now|thus|therefore|hence)\s+)?"
    rf"(?P<verb>{_VERBS})\b(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
_THIS_PAPER = re.compile(
    _LEAD + r"(?:this|the present) (?:paper|work|study|letter|article|report)\s+"
    rf"(?P<verb>{_VERBS_THIRD_PERSON})\b(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
_FIRST_PERSON = re.compile(r"\b(?:we|our|ours|us|ourselves)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Statement:
    """One sentence of the draft about one paper, grounded in one sentence of its abstract."""

    paper: Paper
    subject: str
    """How the paper is named: its authors, its short title, or its full title."""
    subject_is_title: bool
    predicate: str | None
    """``"proposes X, ..."`` for a rewritten sentence (no final full stop), else None."""
    quote: str | None
    """The abstract sentence quoted verbatim when it could not be rewritten safely, else None."""
    span: tuple[int, int]
    """The character span of the source sentence in the abstract."""

    @property
    def source(self) -> str:
        return self.paper.abstract[self.span[0] : self.span[1]]


def subject(paper: Paper) -> tuple[str, bool, bool]:
    """(name, is a title, is plural): "Smith et al.", "Smith and Lee", "EAGLE", or the title."""
    names = [bibtex.last_name(author) for author in paper.authors]
    names = [name for name in names if name]
    if len(names) >= 3:
        return f"{names[0]} et al.", False, True
    if len(names) == 2:
        return f"{names[0]} and {names[1]}", False, True
    if len(names) == 1:
        return names[0], False, False
    head, colon, _ = paper.title.partition(":")
    if colon and len(head) <= 40 and len(head.split()) <= 4:
        return head.strip(), False, False
    return paper.title, True, False


def contribution_spans(abstract: str) -> list[tuple[int, int]]:
    """The abstract's contribution sentences: "we propose/introduce/..." first, then the others."""
    leading, other = [], []
    for start, end in sentence_spans(abstract):
        match = _WE.match(abstract[start:end]) or _THIS_PAPER.match(abstract[start:end])
        if match is None:
            continue
        verb = match.group("verb").lower()
        (leading if any(verb.startswith(v) for v in _LEADING_VERBS) else other).append((start, end))
    return leading + other


def rewrite(sentence: str, *, plural: bool) -> str | None:
    """The predicate of ``sentence`` in the third person ("proposes X"), or None when unsafe."""
    body = sentence.strip()
    match = _WE.match(body)
    if match:
        verb = match.group("verb").lower()
        verb = verb if plural else third_person(verb)
    else:
        match = _THIS_PAPER.match(body)
        if match is None:
            return None
        verb = match.group("verb").lower()
        if plural:
            return None
    rest = match.group("rest").rstrip()
    if not re.match(r"\s+\w", rest) or _FIRST_PERSON.search(rest) or rest.count('"') % 2:
        return None  # "we find, ..." or first person left over: not a safe rewrite
    return (verb + rest).rstrip(" .")


def statement(paper: Paper, *, fallback: tuple[int, int] | None = None) -> Statement:
    """The sentence the draft says about ``paper``.

    The first contribution sentence that can be put in the third person is rewritten; failing
    that, the first contribution sentence (else ``fallback``, else the first sentence) is quoted.
    """
    name, is_title, plural = subject(paper)
    spans = contribution_spans(paper.abstract)
    for start, end in spans:
        predicate = rewrite(paper.abstract[start:end], plural=plural)
        if predicate is not None:
            return Statement(paper, name, is_title, predicate, None, (start, end))
    span = (
        spans[0] if spans else fallback or (sentence_spans(paper.abstract) or [(0, len(paper.abstract))])[0]
    )
    quote = paper.abstract[span[0] : span[1]].rstrip(" .")
    return Statement(paper, name, is_title, None, quote, span)


# -- 4. the draft ------------------------------------------------------------------------------


@dataclass
class Theme:
    title: str
    phrases: list[str]
    statements: list[Statement]
    score: float
    """Mean fused retrieval score of its papers (themes are ordered by it)."""


@dataclass
class Draft:
    description: str
    themes: list[Theme]
    keys: dict[str, str]
    """Citation key of every cited paper."""
    uncited: list[Paper] = field(default_factory=list)
    """Retrieved papers left out of the draft, best first."""
    evidence_strength: float = 0.0
    notice: str | None = None
    """Set when the library does not cover the description (then there are no themes)."""

    @property
    def cited(self) -> list[Paper]:
        """The cited papers in the order of their markers [1], [2], ..."""
        return [statement.paper for theme in self.themes for statement in theme.statements]

    def markers(self) -> dict[str, int]:
        return {paper.id: number for number, paper in enumerate(self.cited, start=1)}

    def markdown(self) -> str:
        """Paragraphs with ``[n]`` markers, a numbered reference list and the closing line."""
        if self.notice:
            return self.notice + "\n"
        markers = self.markers()
        blocks = []
        for theme in self.themes:
            sentences = [
                _sentence(s, subject=f"*{s.subject}*" if s.subject_is_title else s.subject)
                + f" [{markers[s.paper.id]}]."
                for s in theme.statements
            ]
            blocks.append(f"**{theme.title}.** " + " ".join(sentences))
        references = [f"[{markers[paper.id]}] {_reference(paper)}" for paper in self.cited]
        blocks.append("**References**\n\n" + "\n".join(references))
        blocks.append(f"*{self.coverage_line()}*")
        # Titles and abstracts are untrusted: angle brackets become entities, so a Markdown viewer
        # shows "<script>" as text instead of running it (the draft itself writes no HTML).
        return "\n\n".join(blocks).replace("<", "&lt;").replace(">", "&gt;") + "\n"

    def latex(self) -> str:
        """``\\paragraph`` per theme, ``\\cite{key}`` per sentence; the closing line as a comment."""
        if self.notice:
            return f"% {self.notice}\n"
        blocks = []
        for theme in self.themes:
            sentences = []
            for s in theme.statements:
                name = bibtex.escape(s.subject).replace("et al.", r"et~al.\@")
                name = rf"\emph{{{name}}}" if s.subject_is_title else name
                sentences.append(
                    _sentence(s, subject=name, latex=True) + rf"~\cite{{{self.keys[s.paper.id]}}}."
                )
            blocks.append(rf"\paragraph{{{bibtex.escape(theme.title)}.}}" + "\n" + "\n".join(sentences))
        blocks.append("% " + self.coverage_line().replace("\n", " "))
        return "\n\n".join(blocks) + "\n"

    def bibtex(self, *, abstract: bool = False) -> str:
        """The BibTeX entries of exactly the cited papers, in marker order."""
        return bibtex.bibliography(self.cited, self.keys, abstract=abstract)

    def coverage_line(self) -> str:
        if not self.uncited:
            return "Every retrieved paper is cited."
        shown = self.uncited[:UNCITED_LISTED]
        more = len(self.uncited) - len(shown)
        text = "Retrieved but not cited (check coverage): " + "; ".join(p.title for p in shown)
        return text + (f"; and {more} weaker matches." if more > 0 else ".")


def _sentence(statement: Statement, *, subject: str, latex: bool = False) -> str:
    """The statement's text without its final full stop, with ``subject`` as the paper's name.

    LaTeX gets its special characters escaped; Markdown gets any ``[n]`` of the abstract written
    ``(n)``, so that only the draft's own markers look like citations.
    """
    plain = bibtex.escape if latex else _no_markers
    if statement.predicate is not None:
        return f"{subject} {plain(statement.predicate)}"
    opening, closing = ("``", "''") if latex else ('"', '"')
    return f"According to {subject}, {opening}{plain(statement.quote or '')}{closing}"


def _no_markers(text: str) -> str:
    return MARKER.sub(lambda match: f"({match.group(1)})", text)


def _reference(paper: Paper) -> str:
    parts = []
    if paper.authors:
        parts.append(", ".join(paper.authors) + ".")
    parts.append(paper.title.rstrip(".") + ".")
    where = ", ".join(str(value) for value in (paper.venue, paper.year) if value)
    if where:
        parts.append(where + ".")
    if paper.url:
        parts.append(paper.url)
    return " ".join(parts)


def draft_related_work(
    description: str,
    *,
    library: Library | None = None,
    n_papers: int | None = None,
    filters: Filters | None = None,
    keys: Mapping[str, str] | None = None,
) -> Draft:
    """Draft a related-work section for the paper ``description`` (see the module docstring).

    ``keys`` maps paper ids to citation keys; by default :func:`rag.bibtex.assign_keys` over the
    whole library, so a key is the same here as in ``litrev cite``.
    """
    if not description.strip():
        raise LitrevError("the paper description is empty")
    n_papers = N_PAPERS if n_papers is None else n_papers
    if n_papers < 1:
        raise LitrevError(f"n_papers must be at least 1, got {n_papers}")
    library = library or Library()
    gathered = gather(description, library=library, n_papers=n_papers, filters=filters)
    strength = gathered.evidence_strength
    threshold = library.settings.answer.min_evidence
    if strength < threshold or not gathered.kept:
        nearest = "; ".join(item.paper.title for item in gathered.kept[:3])
        notice = (
            "Your library does not cover this description: the evidence strength of its closest "
            f"papers is {strength:.2f}, below the {threshold:.2f} needed to draft from it."
            + (f" Nearest papers, as pointers only: {nearest}." if nearest else "")
        )
        pointers = [item.paper for item in gathered.kept + gathered.left_out]
        return Draft(description, [], {}, pointers, strength, notice)

    kept = gathered.kept
    vectors = library.store.paper_vectors([item.paper.id for item in kept])
    kept = [item for item in kept if item.paper.id in vectors]
    matrix = np.stack([vectors[item.paper.id] for item in kept])
    n_themes = max(1, min(MAX_THEMES, round(len(kept) / PAPERS_PER_THEME)))
    groups = cluster(matrix, n_clusters=n_themes)

    fallbacks = _closest_sentences(description, [item.paper for item in kept], library)
    themes = []
    for members in groups:
        papers = [kept[i].paper for i in members]
        others = [item.paper for i, item in enumerate(kept) if i not in members]
        phrases = label(papers, others, library=library)
        ordered = sorted(members, key=lambda i: (-kept[i].score, kept[i].paper.id))
        statements = [statement(kept[i].paper, fallback=fallbacks.get(kept[i].paper.id)) for i in ordered]
        score = float(np.mean([kept[i].score for i in members]))
        themes.append(Theme(theme_title(phrases), phrases, statements, score))
    themes.sort(key=lambda theme: (-theme.score, theme.title))

    all_keys = keys if keys is not None else bibtex.assign_keys(library.store.iter_papers())
    cited = [s.paper for theme in themes for s in theme.statements]
    cited_keys = {paper.id: all_keys.get(paper.id) or bibtex.base_key(paper) for paper in cited}
    return Draft(description, themes, cited_keys, [item.paper for item in gathered.left_out], strength)


def _closest_sentences(
    description: str, papers: Sequence[Paper], library: Library
) -> dict[str, tuple[int, int]]:
    """For papers without a contribution sentence: the abstract sentence closest to the description."""
    lacking = [paper for paper in papers if not contribution_spans(paper.abstract)]
    passages = [Passage(number, paper) for number, paper in enumerate(lacking)]
    best: dict[str, tuple[int, int]] = {}
    for sentence in rank_sentences(library.embedder, description, passages):
        best.setdefault(lacking[sentence.marker].id, (sentence.start, sentence.end))
    return best
