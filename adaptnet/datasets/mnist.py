"""Loaders for MNIST and Fashion-MNIST (the same IDX layout, ten classes, 28x28 grey images)."""
import numpy as np

from .fetch import check_known_content, locate_dataset_files
from .idx import parse_idx, read_file_bytes

_KIND_PREFIX = {"train": "train", "test": "t10k"}
_N_CLASSES = 10


def _load_idx_pair(dataset, owner, path, cache_dir, download, kind, mirrors):
    if kind not in _KIND_PREFIX:
        raise ValueError(f"{owner}: kind must be 'train' or 'test', got {kind!r}")
    files = locate_dataset_files(dataset, path=path, cache_dir=cache_dir, download=download, mirrors=mirrors)
    arrays = {}
    for part, ndim in (("images", 3), ("labels", 1)):
        name = f"{_KIND_PREFIX[kind]}-{part}-idx{ndim}-ubyte"
        filename, verified = files[name]
        data = read_file_bytes(filename)
        if verified:
            check_known_content(dataset, name, data, filename)
        arr = parse_idx(data, str(filename))
        if arr.dtype != np.uint8 or arr.ndim != ndim:
            raise ValueError(f"{owner}: {str(filename)!r} holds a {arr.ndim}-d {arr.dtype} array, "
                             f"expected a {ndim}-d uint8 array of {part}")
        arrays[part] = (arr, filename)
    (images, images_file), (labels, labels_file) = arrays["images"], arrays["labels"]
    if images.shape[1:] != (28, 28):
        raise ValueError(f"{owner}: {str(images_file)!r} holds images of size {images.shape[1:]}, expected (28, 28)")
    if len(images) != len(labels):
        raise ValueError(f"{owner}: {str(images_file)!r} holds {len(images)} images but "
                         f"{str(labels_file)!r} holds {len(labels)} labels")
    if labels.size and labels.max() >= _N_CLASSES:
        raise ValueError(f"{owner}: {str(labels_file)!r} holds label {labels.max()}, expected labels 0..9")
    X = (images[:, None, :, :] / np.float32(255)).astype(np.float32)
    return X, labels.astype(np.int32)


def load_mnist(path=None, cache_dir=None, download=True, kind="train", mirrors=None):
    """Load MNIST as float32 images in [0, 1] and int32 labels.

    Looks for the four IDX files ``train-images-idx3-ubyte``,
    ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte`` and
    ``t10k-labels-idx1-ubyte`` (each plain or ``.gz``) in ``path`` when
    given; otherwise in ``<cache root>/mnist/`` (see
    :func:`adaptnet.datasets.fetch.get_data_home`: ``cache_dir``, else
    ``$ADAPTNET_DATA``, else ``~/.cache/adaptnet``), downloading the missing
    ones there when ``download`` is true. Files from the cache or a download
    must match the SHA-256 digests pinned in
    :data:`adaptnet.datasets.fetch.KNOWN_DATASETS`; files under ``path`` are
    checked for their IDX layout (magic numbers, dimensions, sizes, label
    range) only.

    Parameters
    ----------
    path : str or os.PathLike, optional
        Folder holding the files.
    cache_dir : str or os.PathLike, optional
        Cache root.
    download : bool
        Allow downloading missing files into the cache.
    kind : {'train', 'test'}
        Which split: 60000 training or 10000 test images.
    mirrors : sequence of str, optional
        Base URLs to download from instead of the registry's.

    Returns
    -------
    X : numpy.ndarray
        float32 array of shape ``(n, 1, 28, 28)`` with values in [0, 1].
    y : numpy.ndarray
        int32 array of shape ``(n,)``, labels 0..9.

    Raises
    ------
    ValueError
        If ``kind`` is unknown or a file is corrupt (truncated, wrong magic
        number, wrong dimensions, digest mismatch); the message names the file.
    FileNotFoundError
        If the files are neither found nor downloadable; the message lists
        the four file names and where to put them.

    Examples
    --------
    >>> import tempfile, os
    >>> from adaptnet.datasets.idx import write_idx
    >>> folder = tempfile.mkdtemp()
    >>> for prefix in ("train", "t10k"):
    ...     write_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte"), np.zeros((2, 28, 28), np.uint8))
    ...     write_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte"), np.array([7, 1], np.uint8))
    >>> X, y = load_mnist(path=folder, kind="test")
    >>> X.shape, X.dtype, y
    ((2, 1, 28, 28), dtype('float32'), array([7, 1], dtype=int32))
    """
    return _load_idx_pair("mnist", "load_mnist", path, cache_dir, download, kind, mirrors)


def load_fashion_mnist(path=None, cache_dir=None, download=True, kind="train", mirrors=None):
    """Load Fashion-MNIST (Xiao et al. 2017) as float32 images in [0, 1] and int32 labels.

    Same file names, layout and search rules as :func:`load_mnist`, with the
    cache sub-folder ``fashion-mnist``; the folder where Debian's
    ``dataset-fashion-mnist`` package installs the files
    (``/usr/share/datasets/fashion-mnist``) is searched after the cache.

    Parameters
    ----------
    path : str or os.PathLike, optional
        Folder holding the files.
    cache_dir : str or os.PathLike, optional
        Cache root.
    download : bool
        Allow downloading missing files into the cache.
    kind : {'train', 'test'}
        Which split: 60000 training or 10000 test images.
    mirrors : sequence of str, optional
        Base URLs to download from instead of the registry's.

    Returns
    -------
    X : numpy.ndarray
        float32 array of shape ``(n, 1, 28, 28)`` with values in [0, 1].
    y : numpy.ndarray
        int32 array of shape ``(n,)``, labels 0..9 (T-shirt/top, trouser,
        pullover, dress, coat, sandal, shirt, sneaker, bag, ankle boot).

    Raises
    ------
    ValueError
        If ``kind`` is unknown or a file is corrupt; the message names the file.
    FileNotFoundError
        If the files are neither found nor downloadable.

    Examples
    --------
    >>> load_fashion_mnist(kind="validation")
    Traceback (most recent call last):
    ...
    ValueError: load_fashion_mnist: kind must be 'train' or 'test', got 'validation'
    """
    return _load_idx_pair("fashion-mnist", "load_fashion_mnist", path, cache_dir, download, kind, mirrors)
