"""The citation check: does each paper a manuscript cites support its sentence?

Takes a manuscript (LaTeX or Markdown), its .bib and the library; gives a
:class:`~rag.check.report.CheckReport` with a verdict, reason and evidence sentence per citation.
Modules: :mod:`~rag.check.draft_text` and :mod:`~rag.check.manuscript` (the manuscript into cited
sentences with line numbers), :mod:`~rag.check.bibfile` (the .bib's entries), :mod:`~rag.check.verdicts`
(each citation judged, with a suggestion from the library), :mod:`~rag.check.report` (JSON,
Markdown and terminal renderings).
"""
