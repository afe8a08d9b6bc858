"""Retrieval: the papers behind a query, dense and lexical, fused per paper and optionally re-ranked.

Takes a query, filters and the opened library; gives ranked
:class:`~rag.retrieval.retrieve.SearchResult` papers with their best chunks.
Modules: :mod:`~rag.retrieval.retrieve` (dense + BM25, fused), :mod:`~rag.retrieval.rerank`
(re-ranking behind one protocol), :mod:`~rag.retrieval.filter_note` (what a year filter left out).
"""
