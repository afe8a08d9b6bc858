"""Answer writers: an OpenAI-compatible server, a local GGUF model, or the extractive writer.

Takes settings (``llm``) and the embedding model; gives a :class:`~rag.llm.generate.Generator`
that turns a question and numbered passages into text with ``[n]`` markers, and a server's reply
bounded and named (:mod:`~rag.llm.model_reply`). Every stage that asks a model asks through it:
answers, follow-ups, re-ranking, related-work prose, the LLM judge.
"""
