"""MNIST-M-style target domains: grey images blended with patches of colour photos.

Ganin et al. (JMLR 2016, section 5.2.2) build MNIST-M by taking, for each
digit, a random patch of a colour photo and setting every pixel and channel
to ``|patch - digit|``: dark strokes keep the photo's colours, bright strokes
invert them.
"""
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.utils import check_random_state

from .photos import load_background_photos


def blend_with_photos(images, backgrounds=None, random_state=None, owner="blend_with_photos"):
    """Blend grey images with random patches of colour photos: ``out = |patch - image|``.

    Parameters
    ----------
    images : array_like
        Grey images with values in [0, 1], shape ``(n, 1, rows, cols)`` or
        ``(n, rows, cols)``.
    backgrounds : None, str, os.PathLike, numpy.ndarray or list of arrays
        Photos, as accepted by
        :func:`adaptnet.datasets.photos.load_background_photos` (default: the
        photos shipped with scikit-image and scikit-learn). Each must be at
        least ``rows x cols``.
    random_state : None, int or numpy.random.RandomState
        Seeds the choice of photo and patch position for every image.
    owner : str
        Name used in error messages.

    Returns
    -------
    numpy.ndarray
        float32 array of shape ``(n, 3, rows, cols)`` with values in [0, 1].

    Raises
    ------
    ValueError
        If ``images`` has the wrong shape or values outside [0, 1], or a
        photo is smaller than an image.

    Examples
    --------
    >>> digit = np.array([[[0.0, 1.0]]], dtype=np.float32)   # one 1x2 image
    >>> photo = np.full((1, 2, 3), 0.25, dtype=np.float32)     # one uniform photo
    >>> blend_with_photos(digit, [photo], random_state=0)[0, :, 0, :]
    array([[0.25, 0.75],
           [0.25, 0.75],
           [0.25, 0.75]], dtype=float32)
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]
    if images.ndim != 3 or images.shape[0] == 0:
        raise ValueError(f"{owner}: images must have shape (n, 1, rows, cols) or (n, rows, cols) with n > 0, "
                         f"got {images.shape}")
    if not np.issubdtype(images.dtype, np.number) or not np.all(np.isfinite(images)) \
            or images.min() < 0 or images.max() > 1:
        raise ValueError(f"{owner}: images must be grey values in [0, 1] (divide uint8 images by 255)")
    photos = load_background_photos(backgrounds)
    n, rows, cols = images.shape
    for i, photo in enumerate(photos):
        if photo.shape[0] < rows or photo.shape[1] < cols:
            raise ValueError(f"{owner}: background photo {i} is {photo.shape[:2]}, smaller than the "
                             f"images ({rows}, {cols})")
    rng = check_random_state(random_state)
    which = rng.randint(len(photos), size=n)
    # positions drawn as fractions, so every image consumes the same random numbers
    # whatever photo it got
    offsets = rng.random_sample((n, 2))
    grey = images.astype(np.float32)[:, None]
    out = np.empty((n, 3, rows, cols), dtype=np.float32)
    for p, photo in enumerate(photos):
        idx = np.flatnonzero(which == p)
        if idx.size == 0:
            continue
        windows = sliding_window_view(photo, (rows, cols), axis=(0, 1))  # (H', W', 3, rows, cols)
        ys = (offsets[idx, 0] * windows.shape[0]).astype(np.intp)
        xs = (offsets[idx, 1] * windows.shape[1]).astype(np.intp)
        out[idx] = np.abs(windows[ys, xs] - grey[idx])
    return out


def make_mnist_m(images, backgrounds=None, random_state=None):
    """Make MNIST-M (Ganin et al. 2016) from MNIST digits.

    Each digit is blended with a random patch of a colour photo,
    ``out = |patch - digit|`` per channel (see :func:`blend_with_photos`).
    The paper used BSDS500 photos; the default here is the colour photos
    shipped with scikit-image and scikit-learn (eight photos rather than 500,
    so patches repeat more often).

    Parameters
    ----------
    images : array_like
        Digits with values in [0, 1], shape ``(n, 1, 28, 28)`` as returned by
        :func:`adaptnet.datasets.load_mnist`, or ``(n, 28, 28)``.
    backgrounds : None, str, os.PathLike, numpy.ndarray or list of arrays
        Photos (see :func:`adaptnet.datasets.photos.load_background_photos`).
    random_state : None, int or numpy.random.RandomState
        Seeds the photo and patch of every digit.

    Returns
    -------
    numpy.ndarray
        float32 array of shape ``(n, 3, rows, cols)`` with values in [0, 1].

    Raises
    ------
    ValueError
        If ``images`` has the wrong shape or range.

    Examples
    --------
    >>> digits = np.zeros((2, 1, 28, 28), dtype=np.float32)
    >>> make_mnist_m(digits, random_state=0).shape
    (2, 3, 28, 28)
    """
    return blend_with_photos(images, backgrounds, random_state, owner="make_mnist_m")


def make_fashion_mnist_m(images, backgrounds=None, random_state=None):
    """Make Fashion-MNIST-M: Fashion-MNIST images blended with photos as in MNIST-M.

    The recipe of :func:`make_mnist_m` applied to
    :func:`adaptnet.datasets.load_fashion_mnist` images.

    Parameters
    ----------
    images : array_like
        Images with values in [0, 1], shape ``(n, 1, 28, 28)`` or ``(n, 28, 28)``.
    backgrounds : None, str, os.PathLike, numpy.ndarray or list of arrays
        Photos (see :func:`adaptnet.datasets.photos.load_background_photos`).
    random_state : None, int or numpy.random.RandomState
        Seeds the photo and patch of every image.

    Returns
    -------
    numpy.ndarray
        float32 array of shape ``(n, 3, rows, cols)`` with values in [0, 1].

    Raises
    ------
    ValueError
        If ``images`` has the wrong shape or range.

    Examples
    --------
    >>> make_fashion_mnist_m(np.ones((1, 28, 28), np.float32), random_state=0).dtype
    dtype('float32')
    """
    return blend_with_photos(images, backgrounds, random_state, owner="make_fashion_mnist_m")
