"""Citation lookup: which papers of the library a claim or description cites, and their BibTeX.

Takes a claim or description and the library; gives ranked candidates and BibTeX entries that
parse back exactly. Modules: :mod:`~rag.cite.lookup`, :mod:`~rag.cite.bibtex`.
"""
