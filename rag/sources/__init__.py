"""Sources: the files a researcher already has, read into :class:`~rag.sources.paper.Paper` records.

Takes paths (BibTeX, RIS, CSV, JSON Lines, arXiv metadata snapshots, "daily papers" pages, a
folder of them, or a Zotero ``zotero.sqlite``); gives cleaned, de-duplicated papers and one
problem line per record that could not be read. Modules: :mod:`~rag.sources.readers` (one reader
per format and the safe folder walk), :mod:`~rag.sources.zotero` (Zotero's database, read-only),
:mod:`~rag.sources.zotero_attachments` (each Zotero item's PDFs, or Zotero's text of them),
:mod:`~rag.sources.zotero_text` (Zotero's text of a PDF cut into passages),
:mod:`~rag.sources.latex` (LaTeX in titles and abstracts to plain text), :mod:`~rag.sources.paper`
(the record and its cleaning), :mod:`~rag.sources.corpus` (read, clean and de-duplicate),
:mod:`~rag.sources.title_names` (the name a title gives its method), :mod:`~rag.sources.pdf` (a
paper's PDF read into passages with page and section, and matched to its paper),
:mod:`~rag.sources.body_text` (the passage record, light enough for every question to import).
"""
