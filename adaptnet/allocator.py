"""Process-wide tuning of the C memory allocator for training loops.

Every training step of a compiled PyTensor graph allocates its large
temporaries afresh (patch matrices of convolutions, activations, gradients:
tens of megabytes per step for the paper's MNIST network). glibc's ``malloc``
hands freed memory at the top of the heap back to the operating system once
more than ``M_TRIM_THRESHOLD`` bytes are free, and serves big blocks with
``mmap``; either way the next step touches fresh pages, and the page faults
cost as much as the arithmetic (``benchmarks/README.md``: about half of a
conv DANN step). :func:`keep_freed_memory` raises both thresholds so that
freed blocks are reused.

It changes the whole process, so adaptnet never calls it on import or from
an estimator; the ``adaptnet`` command calls it because it owns its process.
The same effect without code: ``MALLOC_TRIM_THRESHOLD_`` and
``MALLOC_MMAP_THRESHOLD_`` in the environment.
"""
import ctypes
import ctypes.util
import numbers

__all__ = ["keep_freed_memory"]

# glibc's malloc.h
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def _glibc():
    """glibc's shared library, or ``None`` where malloc is another allocator's."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "gnu_get_libc_version") else None


def keep_freed_memory(limit=1 << 30):
    """Let glibc keep up to ``limit`` bytes of freed memory for reuse (process-wide).

    Sets ``M_TRIM_THRESHOLD`` (free memory at the top of the heap kept before
    it is returned to the system) and ``M_MMAP_THRESHOLD`` (blocks smaller
    than this come from the heap, not from a fresh ``mmap``) to ``limit``.
    Training then reuses the previous step's memory instead of faulting in
    new pages; the resident size stays at its high-water mark instead of
    shrinking between steps. Call it once, early, in a process you own (a
    script, a worker); it cannot be undone except by calling it again with
    other values.

    Parameters
    ----------
    limit : int
        Bytes, at least 1 MiB and at most 2 GiB (``mallopt`` takes a C int);
        the default, 1 GiB, exceeds every temporary of the networks in this
        repository.

    Returns
    -------
    bool
        ``True`` if both settings were applied; ``False`` where the C library
        is not glibc (macOS, Windows, musl): nothing is changed there.

    Raises
    ------
    ValueError
        If ``limit`` is not an integer in the range above.

    Examples
    --------
    >>> import platform
    >>> keep_freed_memory() == (platform.system() == "Linux" and platform.libc_ver()[0] == "glibc")
    True
    >>> keep_freed_memory(limit=10)
    Traceback (most recent call last):
    ...
    ValueError: keep_freed_memory: limit must be an integer number of bytes in [1048576, 2147483647], got 10
    """
    low, high = 1 << 20, (1 << 31) - 1
    if isinstance(limit, bool) or not isinstance(limit, numbers.Integral) or not low <= limit <= high:
        raise ValueError(f"keep_freed_memory: limit must be an integer number of bytes in "
                         f"[{low}, {high}], got {limit!r}")
    libc = _glibc()
    if libc is None:
        return False
    # both: setting either one ends glibc's dynamic adjustment of the other
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, int(limit)) and libc.mallopt(_M_TRIM_THRESHOLD, int(limit)))
