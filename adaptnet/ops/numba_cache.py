"""Cache keys for the Numba kernels of :mod:`adaptnet.ops`."""
import hashlib
import inspect

__all__ = ["kernel_version"]


def kernel_version(*functions):
    """An integer that changes whenever the source code of ``functions`` changes.

    PyTensor caches compiled Numba kernels on disk under a key made of the
    Op's type and props, plus the integer a funcify function returns. Deriving
    that integer from the kernels' source means an edited kernel is never
    served stale from the cache (a stale kernel compiled for other code can
    crash the process).

    Parameters
    ----------
    *functions : callable
        The functions whose source defines the kernel.

    Returns
    -------
    int
        A 32-bit hash of the source code.

    Examples
    --------
    >>> def kernel(x):
    ...     return x + 1
    >>> kernel_version(kernel) == kernel_version(kernel)
    True
    """
    source = "".join(inspect.getsource(f) for f in functions)
    return int(hashlib.sha256(source.encode()).hexdigest()[:8], 16)
