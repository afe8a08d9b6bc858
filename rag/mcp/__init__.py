"""The library as Model Context Protocol tools for an assistant, served over stdio.

Takes tool calls (search, ask, find a citation, draft related work, check citations, get a paper,
and add papers from the folders the user allowed); gives JSON results with their citations.
Module: :mod:`~rag.mcp.server`.
"""
