"""The peak resident memory of the running process, its own: for benchmarks that measure a step in
a process of its own.

On Linux it is ``VmHWM`` of ``/proc/self/status``, the high-water mark of this process's memory
since it started its program. ``getrusage``'s ``ru_maxrss`` is not used there: a process started by
another carries over the peak of the one that started it (Linux keeps the larger of the two
across ``exec``), so a child of a benchmark that holds the encoder would report the encoder's
memory whatever it did itself. Elsewhere ``ru_maxrss`` is the best there is (bytes on macOS).
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path

_STATUS = Path("/proc/self/status")


def peak_kb() -> float:
    """This process's peak resident memory, in KiB."""
    try:
        for line in _STATUS.read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform == "darwin" else float(peak)
