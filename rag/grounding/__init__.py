"""The judge: does a passage state that? Every stage that decides support asks it.

Takes a claim (or a question) and candidate passages (the sentences of cited or retrieved
papers, with the vectors stored at ingest); gives a verdict with a calibrated score, the evidence
sentence(s) and a reason in words (:class:`~rag.grounding.judge.Judge`).

Modules, one step each: :mod:`~rag.grounding.question` (what a question asks: kind, subject,
asked words, names, comparison targets), :mod:`~rag.grounding.figures` (figures normalised:
"three to four times" = "3-4x"), :mod:`~rag.grounding.names` (named things and whether a text
states them), :mod:`~rag.grounding.polarity` (direction and negation),
:mod:`~rag.grounding.figure_matching` (is a claimed figure one a source states?),
:mod:`~rag.grounding.evidence` (a paper's sentences and vectors, the library's vocabulary),
:mod:`~rag.grounding.entailment` (a cross-encoder reading a claim and its closest sentences together),
:mod:`~rag.grounding.claims`, :mod:`~rag.grounding.answers` and :mod:`~rag.grounding.answerability`
(the named features of a claim, of each candidate sentence for a question, of a whole question),
:mod:`~rag.grounding.model` (the fitted weights), :mod:`~rag.grounding.reasons` (reasons and
abstention messages), :mod:`~rag.grounding.judge` (the decisions), and
:mod:`~rag.grounding.llm_judge` (the same question asked of an LLM, on request).
"""
