"""Check a manuscript's citations against the library: does each cited paper support its sentence?

Stages (each a function below): read the draft into sentences (:mod:`rag.check.manuscript`) and its .bib
(:mod:`rag.check.bibfile`); resolve every cited key to a paper (:class:`Resolver`: the key itself, then
the entry's DOI, arXiv id and normalised title); judge each sentence against its cited abstracts
with the judge (:mod:`rag.grounding`); suggest papers for what is left unsupported.

Verdicts, per (sentence, cited paper):

- ``supported``: the cited papers support the sentence together (ALCE's rule, Gao et al. 2023)
  and this one contributes; the evidence is the sentence (or two) of its abstract where the judge
  finds the claim, and the reason says what it found;
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

from rag.check.bibfile import BibEntry, BibFile, parse_bib
from rag.check.cited_spans import OWN_WORK, CitedPart, cited_parts
from rag.check.manuscript import Draft, Sentence, decode_draft, read_draft
from rag.check.report import CheckReport, CitationCheck, SentenceCheck, Suggestion
from rag.check.report import Verdict as CitationVerdict
from rag.cite import bibtex
from rag.errors import DraftError
from rag.grounding.judge import Supports, Verdict
from rag.grounding.llm_judge import make_judge
from rag.index.library import Library
from rag.sources.corpus import Paper, title_key
from rag.sources.identifiers import normal_arxiv, normal_doi

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
    alone: list[Verdict]
    """Each paper's own verdict."""
    adds_nothing: list[bool]
    """Does not support the claim alone, and the others support it without it."""
    together: Verdict | None = None
    """The verdict on all of them together (None with one paper: ``alone[0]`` is it)."""


def joint_support(judge: Supports, claim: str, papers: Sequence[Paper], *, whole: bool = True) -> Joint:
    """ALCE's citation rule: recall on all cited papers together, precision per paper;
    ``whole=False``: the claim is the part of a sentence the citations vouch for."""
    alone = judge.support_all([(claim, [paper]) for paper in papers], whole=whole)
    if len(papers) == 1:
        return Joint(alone[0].supported, alone, [False])
    each = [verdict.supported for verdict in alone]
    together = judge.support(claim, papers, whole=whole)
    supported = any(each) or together.supported
    adds_nothing = []
    for index in range(len(papers)):
        others = [p for i, p in enumerate(papers) if i != index]
        if not supported or each[index]:
            adds_nothing.append(False)
        elif len(others) == 1:
            adds_nothing.append(each[1 - index])
        else:
            adds_nothing.append(judge.support(claim, others, whole=whole).supported)
    return Joint(supported, alone, adds_nothing, together)


def states_finding(text: str) -> bool:
    """An uncited sentence that reports a result from the literature (see :data:`FINDING`)."""
    return bool(FINDING.search(text)) and not OWN_WORK.search(text)


# -- the check ---------------------------------------------------------------------------------


@dataclass
class Checker:
    library: Library
    judge: Supports
    resolver: Resolver

    def citations(self, sentence: Sentence) -> tuple[list[CitationCheck], bool | None]:
        """Verdicts for each cited key, and whether the checkable ones support the sentence: each
        place cited backs its part of the sentence (:func:`~rag.check.cited_spans.cited_parts`),
        and the sentence is supported when every part with a checkable citation is."""
        results: list[CitationCheck] = []
        supported: list[bool] = []
        for part in cited_parts(sentence.text, sentence.cites):
            checks, backed = self.part(part)
            results += checks
            if backed is not None:
                supported.append(backed)
        return results, (all(supported) if supported else None)

    def part(self, part: CitedPart) -> tuple[list[CitationCheck], bool | None]:
        """Verdicts for the keys cited at one place, on the part of the sentence they back."""
        results: list[CitationCheck] = []
        checkable: list[tuple[int, Source]] = []
        for key in part.keys:
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
        papers = [source.paper for _, source in checkable]
        joint = joint_support(self.judge, part.claim, papers, whole=part.whole)  # type: ignore[arg-type]
        for (index, source), alone, extra in zip(checkable, joint.alone, joint.adds_nothing, strict=True):
            paper = source.paper
            assert paper is not None
            verdict: CitationVerdict = "supported" if joint.supported and not extra else "unsupported"
            results[index] = CitationCheck(
                key=source.key,
                paper_id=paper.id if source.in_library else None,
                verdict=verdict,
                score=round(alone.score, 4),
                evidence=alone.evidence.text if alone.evidence else None,
                page=alone.evidence.page if alone.evidence else None,
                section=alone.evidence.section if alone.evidence else None,
                reason=_reason(joint, alone, extra),
                adds_nothing=extra,
                title=paper.title,
                note=None if source.in_library else "checked against the abstract in the .bib",
                claim=None if part.whole else part.claim,
            )
        return results, joint.supported

    def candidates(self, check: SentenceCheck) -> list[Paper]:
        """The best papers of the hybrid search that citation lookup uses, less those cited."""
        from rag.retrieval.retrieve import search

        cited = {c.paper_id for c in check.citations if c.paper_id}
        hits = search(check.text, library=self.library, k=CANDIDATES).hits
        return [hit.paper for hit in hits if hit.paper.id not in cited]

    def suggestions(
        self, text: str, candidates: Sequence[Paper], verdicts: Sequence[Verdict]
    ) -> list[Suggestion]:
        """The candidates the judge finds supporting ``text``, best first."""
        found = []
        for paper, verdict in zip(candidates, verdicts, strict=True):
            if verdict.supported:
                key = self.resolver.key_for(paper)
                found.append(
                    Suggestion(
                        key=key,
                        paper_id=paper.id,
                        title=paper.title,
                        sentence=verdict.evidence.text if verdict.evidence else "",
                        score=round(verdict.score, 4),
                        bibtex=bibtex.entry(paper, key),
                        page=verdict.evidence.page if verdict.evidence else None,
                        section=verdict.evidence.section if verdict.evidence else None,
                    )
                )
        return sorted(found, key=lambda s: -s.score)[:SUGGESTIONS]

    def suggest(self, checks: Sequence[SentenceCheck]) -> None:
        """Suggestions where the citations fail or a finding is uncited: all searches first, then
        every (sentence, candidate) pair judged in one batch."""
        wanted = [check for check in checks if check.supported is False or check.finding]
        pools = [self.candidates(check) for check in wanted]
        verdicts = iter(
            self.judge.support_all(
                [(c.text, [p]) for c, pool in zip(wanted, pools, strict=True) for p in pool]
            )
        )
        for check, pool in zip(wanted, pools, strict=True):
            check.suggestions = self.suggestions(check.text, pool, [next(verdicts) for _ in pool])

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


def _reason(joint: Joint, alone: Verdict, adds_nothing: bool) -> str:
    """The reason shown for one cited paper's verdict."""
    if adds_nothing:
        return "The other cited papers support the sentence without this one, and it does not alone."
    if joint.supported and not alone.supported and joint.together is not None:
        return f"Supported together with the other cited papers. {joint.together.reason}"
    return alone.reason


def check_draft(
    draft: Draft,
    bib: BibFile | None = None,
    *,
    library: Library | None = None,
    judge: Supports | None = None,
    suggest: bool = True,
    name: str = "draft",
    bib_name: str = "refs.bib",
) -> CheckReport:
    """Verdicts for every cited key of every sentence of ``draft``, and suggestions."""
    started = time.perf_counter()
    library = library or Library()
    given = bib is not None
    bib = bib or BibFile()
    judge = judge or make_judge(library, library.settings.judge.kind)
    papers = list(library.store.iter_papers())
    resolver = Resolver(papers, bib, bibtex.assign_keys(papers), bib_name=bib_name)
    checker = Checker(library, judge, resolver)
    problems = [*draft.problems, *bib.problems]
    if given and not bib.entries and not bib.problems:
        problems.append(DraftError(bib_name, "holds no BibTeX entry (an entry starts with @type{key,)"))
    checks = []
    for sentence in draft.sentences:
        for cite in sentence.cites:
            if cite.key in bib.entries or resolver.resolve(cite.key) is not None:
                continue
            if bib.entries:
                where = "the .bib or the library"
            elif given:
                where = f"the library ({bib_name} has no entry that parses)"
            else:
                where = "the library (no .bib given)"
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
    judge: Supports | None = None,
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
