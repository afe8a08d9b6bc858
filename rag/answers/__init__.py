"""Answers: a question answered from the library with cited evidence, or an honest abstention.

Takes a question (and the conversation so far), the library and an optional model; gives an
:class:`~rag.answers.answer.Answer` whose every sentence is cited and checked by the judge
(:mod:`rag.grounding`). Modules: :mod:`~rag.answers.answer` (the flow), :mod:`~rag.answers.followup`
(a follow-up made standalone), :mod:`~rag.answers.quotes` (the extractive answer),
:mod:`~rag.answers.generate` (generators over an OpenAI-compatible server or a local model),
:mod:`~rag.answers.model_reply` (a server's reply, bounded and named).
"""
