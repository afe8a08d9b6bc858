"""The judgement of support asked of the configured LLM instead of the fitted judge.

Opt-in (``litrev check --judge llm``, ``litrev eval --judge llm``, ``litrev bench support --judge
llm``): each claim goes to the model with its cited abstracts (``prompts/support_judge.txt``)
and a YES reply is support; a reply that is neither YES nor NO is not, and its reason quotes it. A
reply the server garbles (not a stream, an error body) is :class:`rag.errors.GenerationError`, one
line naming the server. The evidence shown is the fitted judge's (the sentence closest to the
claim), so an LLM verdict can be checked by a reader the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

from rag import prompts
from rag.errors import LitrevError
from rag.grounding.judge import Judge, Verdict
from rag.terminal import one_line

if TYPE_CHECKING:
    from rag.index.library import Library
    from rag.sources.corpus import Paper


class LLMJudge:
    """Asks the LLM whether the cited abstracts state the claim (YES/NO)."""

    def __init__(self, complete: Callable[..., Iterator[str]], model: str, evidence: Judge) -> None:
        self.complete = complete
        self.name = f"llm:{model}"
        self.evidence = evidence

    def support(self, claim: str, papers: Sequence[Paper], *, whole: bool = True) -> Verdict:
        return self.support_all([(claim, papers)], whole=whole)[0]

    def support_all(
        self, items: Sequence[tuple[str, Sequence[Paper]]], *, whole: bool = True
    ) -> list[Verdict]:
        verdicts = []
        fitted_verdicts = self.evidence.support_all(items, whole=whole)
        for (claim, papers), fitted in zip(items, fitted_verdicts, strict=True):
            passage = "\n".join(paper.abstract for paper in papers)
            reply = "".join(
                self.complete(prompts.render("support_judge", claim=claim, passage=passage), max_tokens=4)
            )
            supported = reply.strip().upper().startswith("YES")
            if supported:
                why = "The model judged the cited abstract to state this."
            elif reply.strip().upper().startswith("NO"):
                why = "The model judged that the cited abstract does not state this."
            else:
                why = f"The model replied {_quoted(reply)}, not YES or NO: counted as not supported."
            verdicts.append(Verdict(supported, 1.0 if supported else 0.0, fitted.evidence, why))
        return verdicts


def _quoted(reply: str) -> str:
    line = one_line(reply).strip()
    return repr(line[:60] + "..." if len(line) > 60 else line) if line else "nothing"


def make_judge(library: Library, kind: str = "fitted") -> Judge | LLMJudge:
    """``fitted`` (the library's judge) or ``llm`` (needs an LLM configured)."""
    if kind == "fitted":
        return library.judge
    if kind != "llm":
        raise LitrevError(f"judge must be fitted or llm, got {kind!r}")
    settings = library.settings.llm
    if settings.provider == "extractive":
        raise LitrevError("the llm judge needs an LLM: set LITREV_LLM__PROVIDER (openai or local)")
    model = settings.model if settings.provider == "openai" else str(settings.model_path)
    return LLMJudge(library.generator.complete, model, library.judge)  # type: ignore[attr-defined]
