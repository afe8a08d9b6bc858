"""Counts in words that read right: ``count(1, "record")`` is "1 record", ``count(3, "record")``
"3 records"."""

from __future__ import annotations


def count(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` and ``noun``, the noun in the plural unless the number is one."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def verb(number: int, singular: str, plural: str) -> str:
    """The verb form that agrees with ``number``: ``verb(1, "has", "have")`` is "has"."""
    return singular if number == 1 else plural
