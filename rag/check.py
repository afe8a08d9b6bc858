"""Check a manuscript's citations against the library: does each cited paper support its sentence?

Stages (each a function below): read the draft into sentences (:mod:`rag.manuscript`) and its .bib
(:mod:`rag.bibfile`); resolve every cited key to a paper (:class:`Resolver`: the key itself, then
the entry's DOI, arXiv id and normalised title); judge each sentence against its cited abstracts
with the support judge (:mod:`rag.support`); suggest papers for what is left unsupported.

Verdicts, per (sentence, cited paper):

- ``supported``: the cited papers support the sentence together (ALCE's rule, Gao et al. 2023)
  and this one contributes; the evidence is its abstract sentence closest to the claim;
- ``unsupported``: they do not support it, or they do and this paper adds nothing (it does not
  support the sentence alone and the others do without it: ``adds_nothing``);
- ``not_in_library``: the key is in neither the .bib nor the library (also reported as a problem);
- ``no_abstract``: the entry matches no library paper and has no abstract: cannot be checked.

A cited entry that is not in the library but has an abstract in the .bib is checked against that
abstract. Sentences whose citations do not support them, and uncited sentences that state a finding
(:data:`FINDING`: a figure, "has been shown", "outperforms", "state of the art"; not the authors'
own results, :data:`OWN_WORK`), get up to :data:`SUGGESTIONS` papers of the library that the judge
finds supporting, each under the user's own key when their .bib has it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag import bibtex
from rag.bibfile import BibEntry, BibFile, normal_arxiv, normal_doi, parse_bib
from rag.check_report import CheckReport, CitationCheck, SentenceCheck, Suggestion, Verdict
from rag.chunking import sentence_spans
from rag.corpus import Paper, title_key
from rag.embedding import Embedder
from rag.errors import DraftError
from rag.library import Library
from rag.manuscript import Draft, Sentence, decode_draft, read_draft
from rag.support import OverlapJudge, SupportJudge, make_judge

SUGGESTIONS = 3
"""Most papers suggested for one sentence."""
CANDIDATES = 6
"""Papers retrieved per sentence before the judge picks the suggestions."""
FINDING = re.compile(
    r"(?<![\w.])\d+(?:\.\d+)?(?!\d)(?<!\b(?:19|20)\d\d)"  # a figure (a year is not one)
    r"|\b(?:has|have|had) been (?:shown|demonstrated|reported|found)|\bshown to\b"
    r"|\boutperform|\bstate[- ]of[- ]the[- ]art\b|\bsurpass|\bbeats?\b|\bsuperior to\b",
    re.IGNORECASE,
)
OWN_WORK = re.compile(r"\b(?:we|our|us|this (?:paper|work|article|study))\b", re.IGNORECASE)
_FIGURE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?!\d)")
_YEAR = re.compile(r"(?:19|20)\d\d")


class CachedEmbedder:
    """An :class:`Embedder` that remembers vectors: a draft repeats its cited abstracts often."""

    def __init__(self, embedder: Embedder) -> None:
        self.inner = embedder
        self.name = embedder.name
        self.dim = embedder.dim
        self._vectors: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = list(dict.fromkeys(text for text in texts if text not in self._vectors))
        if missing:
            self._vectors.update(zip(missing, self.inner.embed(missing), strict=True))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vectors[text] for text in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


# -- resolving keys ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """What a cited key stands for: a library paper, or only a .bib entry."""

    key: str
    entry: BibEntry | None
    paper: Paper | None
    """The paper to check against (a library paper, or the entry's own abstract); None: cannot."""
    in_library: bool


class Resolver:
    """Cited keys to papers: the key itself, then the entry's DOI, arXiv id, normalised title."""

    def __init__(self, papers: Iterable[Paper], bib: BibFile, keys: dict[str, str], *, bib_name: str) -> None:
        self.papers = {paper.id: paper for paper in papers}
        self.bib = bib
        self.bib_name = bib_name
        self.keys = keys
        self.by_key = {key: pid for pid, key in keys.items()}
        for paper in self.papers.values():
            if paper.bibkey:
                self.by_key.setdefault(paper.bibkey, paper.id)
        self.by_doi = {normal_doi(p.doi): p.id for p in self.papers.values() if p.doi}
        self.by_arxiv = {normal_arxiv(p.arxiv_id): p.id for p in self.papers.values() if p.arxiv_id}
        self.by_title = {title_key(p.title): p.id for p in self.papers.values()}
        self.user_keys: dict[str, str] = {}
        for key in bib.entries:
            source = self.resolve(key)
            if source is not None and source.in_library and source.paper is not None:
                self.user_keys.setdefault(source.paper.id, key)

    def _library_match(self, key: str, entry: BibEntry | None) -> str | None:
        if key in self.by_key:
            return self.by_key[key]
        if entry is None:
            return None
        for table, value in (
            (self.by_doi, entry.doi),
            (self.by_arxiv, entry.arxiv_id),
            (self.by_title, title_key(entry.title) if entry.title else None),
        ):
            if value and value in table:
                return table[value]
        return None

    def resolve(self, key: str) -> Source | None:
        """None when the key is in neither the .bib nor the library."""
        entry = self.bib.entries.get(key)
        paper_id = self._library_match(key, entry)
        if paper_id is not None:
            return Source(key, entry, self.papers[paper_id], True)
        if entry is None:
            return None
        return Source(key, entry, entry.as_paper(self.bib_name), False)

    def key_for(self, paper: Paper) -> str:
        """The user's key for a library paper when their .bib has it, else the library's key."""
        key = self.user_keys.get(paper.id) or self.keys.get(paper.id) or bibtex.base_key(paper)
        return bibtex.safe_key(key)  # a key from the .bib cannot inject BibTeX into the suggestion


# -- judging -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Joint:
    supported: bool
    """The passages support the claim together."""
    alone: list[float]
    """Each passage's own score."""
    adds_nothing: list[bool]
    """Does not support the claim alone, and the others support it without it."""


def figures(text: str) -> set[str]:
    """The figures a text states (``30,000`` and ``30000`` alike), years left out."""
    found = {match.replace(",", "") for match in _FIGURE.findall(text)}
    return {figure for figure in found if not _YEAR.fullmatch(figure)}


def joint_support(judge: SupportJudge, claim: str, passages: Sequence[str]) -> Joint:
    """ALCE's citation rule: recall on all passages together, precision per passage.

    On top of the judge, one rule (FIGURES): passages that do not state every figure of the
    claim do not support it, whatever the score: "5x faster" is not "3x faster", however alike the
    words (an overstated claim). The judge's own penalty for a missing number is too light for that.
    """
    claimed = figures(claim)

    def supports(score: float, passage: str) -> bool:
        return score >= judge.threshold and claimed <= figures(passage)

    alone = [judge.score(claim, passage) for passage in passages]
    if len(passages) == 1:
        return Joint(supports(alone[0], passages[0]), alone, [False])
    each = [supports(score, passage) for score, passage in zip(alone, passages, strict=True)]
    joined = "\n".join(passages)
    together = any(each) or supports(judge.score(claim, joined), joined)
    adds_nothing = []
    for index in range(len(passages)):
        others = [p for i, p in enumerate(passages) if i != index]
        if not together or each[index]:
            adds_nothing.append(False)
        elif len(others) == 1:
            adds_nothing.append(each[1 - index])
        else:
            rest = "\n".join(others)
            adds_nothing.append(supports(judge.score(claim, rest), rest))
    return Joint(together, alone, adds_nothing)


def best_sentence(embedder: CachedEmbedder, claim: str, abstract: str) -> str:
    """The abstract sentence closest in meaning to the claim."""
    sentences = [abstract[start:end] for start, end in sentence_spans(abstract)] or [abstract]
    vectors = embedder.embed([claim, *sentences])
    return sentences[int(np.argmax(vectors[1:] @ vectors[0]))]


def states_finding(text: str) -> bool:
    """An uncited sentence that reports a result from the literature (see :data:`FINDING`)."""
    return bool(FINDING.search(text)) and not OWN_WORK.search(text)


# -- the check ---------------------------------------------------------------------------------


@dataclass
class Checker:
    library: Library
    judge: SupportJudge
    embedder: CachedEmbedder
    resolver: Resolver

    def citations(self, sentence: Sentence) -> tuple[list[CitationCheck], bool | None]:
        """Verdicts for each cited key, and whether the checkable ones support the sentence."""
        results: list[CitationCheck] = []
        checkable: list[tuple[int, Source]] = []
        for key in sentence.keys:
            source = self.resolver.resolve(key)
            if source is None:
                results.append(CitationCheck(key=key, verdict="not_in_library", note="undefined key"))
            elif source.paper is None:
                title = source.entry.title if source.entry else None
                results.append(
                    CitationCheck(
                        key=key, verdict="no_abstract", title=title, note="no abstract: cannot check"
                    )
                )
            else:
                checkable.append((len(results), source))
                results.append(CitationCheck(key=key, verdict="unsupported", title=source.paper.title))
        if not checkable:
            return results, None
        joint = joint_support(self.judge, sentence.text, [source.paper.abstract for _, source in checkable])  # type: ignore[union-attr]
        for (index, source), score, extra in zip(checkable, joint.alone, joint.adds_nothing, strict=True):
            paper = source.paper
            assert paper is not None
            verdict: Verdict = "supported" if joint.supported and not extra else "unsupported"
            results[index] = CitationCheck(
                key=source.key,
                paper_id=paper.id if source.in_library else None,
                verdict=verdict,
                score=round(score, 4),
                evidence=best_sentence(self.embedder, sentence.text, paper.abstract),
                adds_nothing=extra,
                title=paper.title,
                note=None if source.in_library else "checked against the abstract in the .bib",
            )
        return results, joint.supported

    def candidates(self, check: SentenceCheck) -> list[Paper]:
        """The best papers of the hybrid search that citation lookup uses, less those cited."""
        from rag.retrieve import search

        cited = {c.paper_id for c in check.citations if c.paper_id}
        hits = search(check.text, library=self.library, k=CANDIDATES).hits
        return [hit.paper for hit in hits if hit.paper.id not in cited]

    def suggestions(self, text: str, candidates: Sequence[Paper]) -> list[Suggestion]:
        """The candidates the judge finds supporting ``text``, best first."""
        found = []
        for paper in candidates:
            joint = joint_support(self.judge, text, [paper.abstract])
            if joint.supported:
                key = self.resolver.key_for(paper)
                found.append(
                    Suggestion(
                        key=key,
                        paper_id=paper.id,
                        title=paper.title,
                        sentence=best_sentence(self.embedder, text, paper.abstract),
                        score=round(joint.alone[0], 4),
                        bibtex=bibtex.entry(paper, key),
                    )
                )
        return sorted(found, key=lambda s: -s.score)[:SUGGESTIONS]

    def suggest(self, checks: Sequence[SentenceCheck]) -> None:
        """Suggestions where the citations fail or a finding is uncited: all searches first, then
        one embedding batch of the candidates' sentences (not one per judgement), then judging."""
        wanted = [check for check in checks if check.supported is False or check.finding]
        pools = [self.candidates(check) for check in wanted]
        _embed_sentences(self.embedder, (), dict.fromkeys(p.abstract for pool in pools for p in pool))
        for check, pool in zip(wanted, pools, strict=True):
            check.suggestions = self.suggestions(check.text, pool)

    def sentence(self, sentence: Sentence) -> SentenceCheck:
        """The verdicts for one sentence (suggestions come later, for all at once)."""
        citations, supported = self.citations(sentence)
        return SentenceCheck(
            line=sentence.line,
            file=sentence.file,
            text=sentence.text,
            citations=citations,
            supported=supported,
            finding=not sentence.cites and states_finding(sentence.text),
        )


def _embed_sentences(embedder: CachedEmbedder, texts: Iterable[str], abstracts: Iterable[str]) -> None:
    """Embed ``texts`` and every sentence of ``abstracts`` in one batch."""
    spans = [(abstract, span) for abstract in abstracts for span in sentence_spans(abstract)]
    embedder.embed([*texts, *(abstract[start:end] for abstract, (start, end) in spans)])


def _warm(embedder: CachedEmbedder, draft: Draft, resolver: Resolver) -> None:
    """The draft's sentences and its cited abstracts' sentences, in one batch."""
    keys = dict.fromkeys(cite.key for sentence in draft.sentences for cite in sentence.cites)
    sources = [resolver.resolve(key) for key in keys]
    abstracts = [s.paper.abstract for s in sources if s is not None and s.paper is not None]
    _embed_sentences(embedder, (sentence.text for sentence in draft.sentences), abstracts)


def default_judge(library: Library, embedder: CachedEmbedder) -> SupportJudge:
    """The LLM judge when an LLM is configured, else the overlap judge over a caching embedder."""
    if library.settings.llm.provider != "extractive":
        return make_judge(library, "llm")
    return OverlapJudge(embedder, library.lexical)  # type: ignore[arg-type]


def check_draft(
    draft: Draft,
    bib: BibFile | None = None,
    *,
    library: Library | None = None,
    judge: SupportJudge | None = None,
    suggest: bool = True,
    name: str = "draft",
    bib_name: str = "refs.bib",
) -> CheckReport:
    """Verdicts for every cited key of every sentence of ``draft``, and suggestions."""
    started = time.perf_counter()
    library = library or Library()
    bib = bib or BibFile()
    embedder = CachedEmbedder(library.embedder)
    judge = judge or default_judge(library, embedder)
    papers = list(library.store.iter_papers())
    resolver = Resolver(papers, bib, bibtex.assign_keys(papers), bib_name=bib_name)
    checker = Checker(library, judge, embedder, resolver)
    problems = [*draft.problems, *bib.problems]
    _warm(embedder, draft, resolver)
    checks = []
    for sentence in draft.sentences:
        for cite in sentence.cites:
            if cite.key in bib.entries or resolver.resolve(cite.key) is not None:
                continue
            where = "the .bib or the library" if bib.entries else "the library (no .bib given)"
            problems.append(
                DraftError(
                    sentence.file, f"undefined citation key {cite.key!r}: not in {where}", line=cite.line
                )
            )
        checks.append(checker.sentence(sentence))
    if suggest:
        checker.suggest(checks)
    return CheckReport(
        draft=name,
        bib=bib_name if bib.entries or bib.problems else None,
        judge=judge.name,
        sentences=checks,
        problems=[{"file": p.path, "line": p.line, "message": p.reason} for p in problems],
        seconds=round(time.perf_counter() - started, 3),
    )


def read_bib(path: Path) -> BibFile:
    """Parse the user's .bib (a line that is not UTF-8 is read as Windows-1252 and reported)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DraftError(path, f"cannot read the .bib: {error.strerror or error}") from None
    problems: list[DraftError] = []
    bib = parse_bib(decode_draft(data, path.name, problems, expected="BibTeX"), name=path.name)
    bib.problems[:0] = problems
    return bib


def check_file(
    path: Path,
    bib_path: Path | None = None,
    *,
    library: Library | None = None,
    judge: SupportJudge | None = None,
) -> CheckReport:
    """Read ``path`` (and ``bib_path``) and check them; bad lines are reported, the rest checked."""
    draft = read_draft(path)
    bib = read_bib(bib_path) if bib_path else None
    return check_draft(
        draft,
        bib,
        library=library,
        judge=judge,
        name=path.name,
        bib_name=bib_path.name if bib_path else "refs.bib",
    )
