"""The IDX file format of MNIST and Fashion-MNIST (plain or gzip-compressed).

An IDX file is a 4-byte magic number (two zero bytes, a type code, the
number of dimensions), one big-endian 32-bit size per dimension, then the
values in C order. The readers here check every part of that layout and name
the file in every error, so a truncated download is reported as such rather
than as a reshape failure deep inside NumPy.
"""
import gzip
import os

import numpy as np

# type code -> big-endian dtype, as in the format's definition
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def read_file_bytes(filename):
    """Return the content of ``filename``, decompressed when it is gzip data.

    Compression is detected from the content (the gzip magic bytes), not from
    the file name, so a plain IDX file named ``*.gz`` still loads.

    Parameters
    ----------
    filename : str or os.PathLike
        File to read.

    Returns
    -------
    bytes
        The (decompressed) content.

    Raises
    ------
    ValueError
        If the file is gzip data that is truncated or corrupt.

    Examples
    --------
    >>> import tempfile, os, gzip
    >>> fn = os.path.join(tempfile.mkdtemp(), "x.gz")
    >>> with gzip.open(fn, "wb") as f:
    ...     _ = f.write(b"abc")
    >>> read_file_bytes(fn)
    b'abc'
    """
    with open(filename, "rb") as f:
        raw = f.read()
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ValueError(f"read_file_bytes: {os.fspath(filename)!r} is a truncated or corrupt gzip file ({exc})") from exc


def parse_idx(data, filename="<bytes>"):
    """Parse the bytes of an IDX file into a NumPy array.

    Parameters
    ----------
    data : bytes
        Uncompressed IDX content.
    filename : str, optional
        Name used in error messages.

    Returns
    -------
    numpy.ndarray
        The array, in native byte order, with the dtype and shape the header
        declares.

    Raises
    ------
    ValueError
        If the magic number is wrong, the type code unknown, or the content
        shorter or longer than the header declares.

    Examples
    --------
    >>> parse_idx(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]))
    array([7, 8, 9], dtype=uint8)
    """
    if len(data) < 4:
        raise ValueError(f"parse_idx: {filename!r} is truncated: {len(data)} bytes, too short for an IDX header")
    if data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES or data[3] == 0:
        raise ValueError(
            f"parse_idx: {filename!r} has a wrong magic number 0x{data[:4].hex()}; expected "
            "0x0000TTNN (TT: an IDX type code such as 08 for unsigned bytes, NN: number of dimensions)"
        )
    dtype, ndim = _IDX_DTYPES[data[2]], data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"parse_idx: {filename!r} is truncated inside its header ({len(data)} of {header} bytes)")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        problem = "truncated" if len(data) < expected else "longer than its header declares"
        raise ValueError(
            f"parse_idx: {filename!r} is {problem}: {len(data)} bytes, expected {expected} for shape {shape}"
        )
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))


def read_idx(filename):
    """Read an IDX file (plain or gzip-compressed) into a NumPy array.

    Parameters
    ----------
    filename : str or os.PathLike
        File to read.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    ValueError
        If the file is corrupt (see :func:`parse_idx`); the message names it.

    Examples
    --------
    >>> import tempfile, os
    >>> fn = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
    >>> write_idx(fn, np.array([3, 1, 4], dtype=np.uint8))
    >>> read_idx(fn)
    array([3, 1, 4], dtype=uint8)
    """
    return parse_idx(read_file_bytes(filename), os.fspath(filename))


def write_idx(filename, array, compress=None):
    """Write ``array`` as an IDX file.

    Parameters
    ----------
    filename : str or os.PathLike
        Destination.
    array : numpy.ndarray
        Array of dtype uint8, int8, int16, int32, float32 or float64, with at
        least one dimension.
    compress : bool, optional
        gzip the file; by default, when ``filename`` ends in ``.gz``.

    Raises
    ------
    TypeError
        If the dtype has no IDX type code.
    ValueError
        If ``array`` is 0-dimensional.

    Examples
    --------
    >>> import tempfile, os
    >>> fn = os.path.join(tempfile.mkdtemp(), "images-idx3-ubyte.gz")
    >>> write_idx(fn, np.zeros((2, 4, 4), dtype=np.uint8))
    >>> read_idx(fn).shape
    (2, 4, 4)
    """
    array = np.asarray(array)
    codes = {dt.newbyteorder("="): code for code, dt in _IDX_DTYPES.items()}
    if array.dtype not in codes:
        raise TypeError(f"write_idx: array dtype {array.dtype} has no IDX type code; expected one of "
                        f"{sorted(str(d) for d in codes)}")
    if array.ndim == 0:
        raise ValueError("write_idx: array must have at least one dimension, got a 0-d array")
    code = codes[array.dtype]
    header = bytes([0, 0, code, array.ndim]) + np.asarray(array.shape, dtype=">u4").tobytes()
    data = header + array.astype(_IDX_DTYPES[code]).tobytes()
    if compress is None:
        compress = os.fspath(filename).endswith(".gz")
    with open(filename, "wb") as f:
        f.write(gzip.compress(data) if compress else data)
