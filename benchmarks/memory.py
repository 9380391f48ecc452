"""Peak resident memory of this process during a block (Linux), or of Python allocations."""

from __future__ import annotations

import re
import tracemalloc
from pathlib import Path
from types import TracebackType


class PeakMemory:
    """``with PeakMemory() as m: ...`` then ``m.peak_mib``.

    On Linux the kernel's high-water mark (VmHWM) is reset on entry by writing 5 to
    /proc/self/clear_refs, so the figure is this block's peak RSS. Elsewhere, the
    peak of Python allocations (tracemalloc; slower, and blind to C allocations).
    """

    def __init__(self) -> None:
        self.peak_mib = 0.0
        self._proc = Path("/proc/self/clear_refs")
        self._tracing = False

    def __enter__(self) -> PeakMemory:
        try:
            self._proc.write_text("5")
        except OSError:
            self._tracing = True
            tracemalloc.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._tracing:
            self.peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            return
        status = Path("/proc/self/status").read_text()
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        self.peak_mib = int(found.group(1)) / 1024 if found else 0.0
