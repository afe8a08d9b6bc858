"""The exceptions litrev raises on purpose.

Every error a user can cause derives from :class:`LitrevError`, so the CLI and the UI can show its
message as one line instead of a traceback. Messages say what was expected and what arrived.

    LitrevError
    ├── CorpusError          a source file cannot be read (names file and line or entry)
    │   └── DraftError       a manuscript or its .bib has a bad line (names file and line)
    ├── IndexMismatchError   the index was built with another embedding model
    ├── IndexMissingError    there is no index yet
    ├── StoreUnavailableError the Chroma server cannot be reached
    ├── IndexDamagedError    a file of the index is unreadable (names the file and the fix)
    ├── IndexWriteError      writing to the index failed (disk full, permissions); says what was kept
    ├── GenerationError      the model failed, overran its time or length budget, or sent a malformed reply
    ├── SettingsError        a setting has a value it cannot take (names the field)
    └── DatasetError         an evaluation dataset is malformed (names file and line)
"""

from __future__ import annotations


class LitrevError(Exception):
    """Base class for errors a user can act on."""


class CorpusError(LitrevError):
    """A source file (or one record in it) cannot be read."""

    def __init__(self, path: object, message: str, *, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class IndexMismatchError(LitrevError):
    """The index was built with a different embedding model than the one configured."""


class IndexMissingError(LitrevError):
    """No index exists yet at the configured location."""


class StoreUnavailableError(LitrevError):
    """The configured Chroma server cannot be reached."""


class IndexDamagedError(LitrevError):
    """A file of the index cannot be read as what it should be (truncated, overwritten)."""


class IndexWriteError(LitrevError):
    """The index could not be written (no space left, no permission, the server went away)."""


class GenerationError(LitrevError):
    """The model could not be reached, answered with an error, overran its time or sent garbage."""


class SettingsError(LitrevError):
    """A setting (from the environment, a flag or the UI's panel) has a value it cannot take."""


class DatasetError(LitrevError):
    """An evaluation dataset line is malformed or names an unknown paper."""


class DraftError(CorpusError):
    """A manuscript being checked (or its .bib) has a problem at one place; the rest is checked."""
