"""litrev's tests: a package, so shared helpers are imported as ``tests.helpers`` and the local
servers as ``tests.openai_server``, ``tests.chroma_server`` and ``tests.ui_server``."""
