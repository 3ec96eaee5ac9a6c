"""Checkpoint files: atomic writes and a self-checking container for pickled payloads.

A file holds a magic line, a one-line JSON header (format version, SHA-256
and length of the payload) and the pickled payload. Files are written to a
temporary file in the destination folder, flushed and fsynced, then moved
into place with ``os.replace`` (and the folder fsynced), so a crash never
leaves a half-written file under the final name. Reading checks the magic,
the version, the length and the digest before unpickling anything.

Pickle runs code on load: only open checkpoints from sources you trust.
"""
import hashlib
import json
import os
import pickle
import tempfile

MAGIC = b"ADAPTNET-CHECKPOINT\n"
FORMAT_VERSION = 1

__all__ = ["MAGIC", "FORMAT_VERSION", "atomic_write_bytes", "write_checkpoint", "read_checkpoint"]


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` atomically.

    Parameters
    ----------
    path : str or os.PathLike
    data : bytes

    Raises
    ------
    TypeError
        If ``data`` is not bytes.
    OSError
        If the folder does not exist or is not writable; no file is left behind.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "x.bin")
    >>> atomic_write_bytes(path, b"abc")
    >>> open(path, "rb").read()
    b'abc'
    """
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"atomic_write_bytes: data must be bytes, got {type(data).__name__}")
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    # make the rename itself durable
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_checkpoint(path, payload):
    """Pickle ``payload`` into a checkpoint file at ``path`` (atomically).

    Parameters
    ----------
    path : str or os.PathLike
    payload : object
        Anything picklable.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "state.ckpt")
    >>> write_checkpoint(path, {"epoch": 3})
    >>> read_checkpoint(path)
    {'epoch': 3}
    """
    body = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    header = {"format_version": FORMAT_VERSION, "sha256": hashlib.sha256(body).hexdigest(),
              "length": len(body)}
    atomic_write_bytes(path, MAGIC + json.dumps(header).encode("ascii") + b"\n" + body)


def read_checkpoint(path):
    """Verify and unpickle a checkpoint file written by :func:`write_checkpoint`.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    object
        The payload.

    Raises
    ------
    ValueError
        If the file is not an adaptnet checkpoint, has an unsupported format
        version, or is truncated or corrupted.
    FileNotFoundError
        If there is no such file.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "junk")
    >>> _ = open(path, "wb").write(b"not a checkpoint")
    >>> read_checkpoint(path)
    Traceback (most recent call last):
    ...
    ValueError: read_checkpoint: ... is not an adaptnet checkpoint (bad magic bytes)
    """
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(MAGIC):
        raise ValueError(f"read_checkpoint: {os.fspath(path)!r} is not an adaptnet checkpoint (bad magic bytes)")
    end = data.find(b"\n", len(MAGIC))
    try:
        header = json.loads(data[len(MAGIC):end].decode("ascii")) if end >= 0 else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        header = None
    if not isinstance(header, dict) or not {"format_version", "sha256", "length"} <= set(header):
        raise ValueError(f"read_checkpoint: {os.fspath(path)!r} has a corrupt header")
    if header["format_version"] != FORMAT_VERSION:
        raise ValueError(
            f"read_checkpoint: {os.fspath(path)!r} has format version {header['format_version']}, "
            f"this adaptnet reads version {FORMAT_VERSION}"
        )
    body = data[end + 1:]
    if len(body) != header["length"]:
        raise ValueError(
            f"read_checkpoint: {os.fspath(path)!r} is truncated or padded: payload of {len(body)} "
            f"bytes, header says {header['length']}"
        )
    if hashlib.sha256(body).hexdigest() != header["sha256"]:
        raise ValueError(f"read_checkpoint: {os.fspath(path)!r} is corrupt (SHA-256 mismatch)")
    return pickle.loads(body)
