"""The ``litrev`` command line: one command per library verb, one error boundary.

Takes arguments; gives results on stdout and notes, progress and one-line errors on stderr.
Modules: :mod:`~rag.cli.commands` (the app and its verbs), :mod:`~rag.cli.options` (shared
options), :mod:`~rag.cli.output` (printing), :mod:`~rag.cli.bench` (``eval`` and ``bench``),
:mod:`~rag.cli.serve` (``ui`` and ``mcp``).
"""
