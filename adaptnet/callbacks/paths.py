"""Checking, before the first epoch, that a callback can write where it was told to."""
import os
import tempfile


def ensure_writable_dir(directory, owner, argument):
    """Create ``directory`` if needed and check that files can be written in it.

    Parameters
    ----------
    directory : str or os.PathLike
        The folder (``''`` means the current one).
    owner : str
        Callback name used in the error message.
    argument : str
        Argument name used in the error message.

    Returns
    -------
    str
        The directory as a string.

    Raises
    ------
    ValueError
        If the folder cannot be created or written to (the message names
        ``owner``, ``argument`` and the operating system's reason).

    Examples
    --------
    >>> import tempfile, os
    >>> d = os.path.join(tempfile.mkdtemp(), "runs", "a")
    >>> ensure_writable_dir(d, "TensorBoard", "log_dir") == d
    True
    """
    directory = os.fspath(directory) or "."
    try:
        os.makedirs(directory, exist_ok=True)
        # os.access is not enough: it says yes to root and ignores read-only mounts.
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise ValueError(f"{owner}: {argument}={directory!r} is not a writable folder: {exc}") from exc
    return directory
