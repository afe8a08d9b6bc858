"""The index: papers cut into chunks, embedded, and stored in Chroma and BM25, and opened again.

Takes papers from :mod:`rag.sources`; gives the opened :class:`~rag.index.library.Library` every
later stage reads from. Modules: :mod:`~rag.index.chunking` (sentence-aware chunks),
:mod:`~rag.index.embedding` and :mod:`~rag.index.query_encoder` (the local encoder, in
sentence-transformers and ONNX Runtime), :mod:`~rag.index.store`, :mod:`~rag.index.records`,
:mod:`~rag.index.chroma_client` and :mod:`~rag.index.hnsw_files` (the Chroma side),
:mod:`~rag.index.lexical` (BM25), :mod:`~rag.index.sentence_vectors` (one vector per abstract
sentence, for the judge), :mod:`~rag.index.ingest` and :mod:`~rag.index.rebuild` (adding papers,
resumably; rebuilding beside the live index), :mod:`~rag.index.pdf_ingest` and
:mod:`~rag.index.passage_store` (PDFs matched to papers, their body passages beside the chunks),
:mod:`~rag.index.space_reserve` (reads on a full disk), :mod:`~rag.index.library` (the three
wired once).
"""
