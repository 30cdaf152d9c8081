"""Give freed heap back to the operating system between the phases of a large array job.

glibc keeps memory that numpy and pandas free in its arenas (fragmented, or above the dynamic mmap
threshold), so a process that frees a phase's intermediates still holds them in its RSS when the next
phase allocates its own. `malloc_trim(0)` returns every free page; Arrow's pool is asked the same. Both
are no-ops where unavailable (another libc, another pool).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release() -> None:
    """Collect garbage, then hand free heap pages back to the system."""
    gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except ImportError:
        pass
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
