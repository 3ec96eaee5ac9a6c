"""Colour photos used as backgrounds for MNIST-M-style datasets.

The paper blends digits with patches of BSDS500 photos, which are not
redistributable with a pip package; by default adaptnet uses the colour photos
that ship inside scikit-image and scikit-learn, so no network is needed.
"""
import os
from pathlib import Path

import numpy as np

_IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"}


def _shipped_photos():
    import skimage.data
    from sklearn.datasets import load_sample_images

    # natural colour photos only: skimage's synthetic (colorwheel) and mostly-black
    # (hubble_deep_field, retina) images would make near-constant patches
    photos = [skimage.data.astronaut(), skimage.data.coffee(), skimage.data.chelsea(),
              skimage.data.rocket(), skimage.data.immunohistochemistry(), skimage.data.stereo_motorcycle()[0]]
    photos.extend(load_sample_images().images)
    return photos


def _folder_photos(folder):
    import skimage.io

    if not folder.is_dir():
        raise ValueError(f"load_background_photos: backgrounds folder {os.fspath(folder)!r} does not exist")
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in _IMAGE_SUFFIXES)
    if not files:
        raise ValueError(f"load_background_photos: no image files ({', '.join(sorted(_IMAGE_SUFFIXES))}) "
                         f"in {os.fspath(folder)!r}")
    return [skimage.io.imread(p) for p in files]


def _as_rgb_float(photo, index):
    photo = np.asarray(photo)
    if photo.ndim == 2:
        photo = np.repeat(photo[:, :, None], 3, axis=2)
    if photo.ndim != 3 or photo.shape[2] not in (3, 4):
        raise ValueError(f"load_background_photos: photo {index} has shape {photo.shape}, "
                         "expected (rows, cols, 3), (rows, cols, 4) or (rows, cols)")
    photo = photo[:, :, :3]
    if photo.dtype == np.uint8:
        return photo.astype(np.float32) / np.float32(255)
    if not np.issubdtype(photo.dtype, np.floating):
        raise TypeError(f"load_background_photos: photo {index} has dtype {photo.dtype}, expected uint8 or float")
    if not (np.all(np.isfinite(photo)) and photo.min() >= 0 and photo.max() <= 1):
        raise ValueError(f"load_background_photos: float photo {index} must have values in [0, 1]")
    return photo.astype(np.float32)


def load_background_photos(backgrounds=None):
    """Return colour photos as a list of float32 ``(rows, cols, 3)`` arrays in [0, 1].

    Parameters
    ----------
    backgrounds : None, str, os.PathLike, numpy.ndarray or list of arrays
        ``None``: the eight colour photos shipped with scikit-image
        (astronaut, coffee, chelsea, rocket, immunohistochemistry, the left
        motorcycle stereo view) and scikit-learn (china, flower). A folder:
        every ``.jpg``, ``.jpeg``, ``.png``, ``.bmp``, ``.tif`` file in it, in
        name order. An array of shape ``(n, rows, cols, 3)`` or
        ``(rows, cols, 3)``, or a list of such arrays: uint8 (0..255) or float
        in [0, 1]. Grey photos are replicated to three channels and an alpha
        channel is dropped.

    Returns
    -------
    list of numpy.ndarray

    Raises
    ------
    ValueError
        If the folder is missing or holds no images, or a photo has a bad
        shape or float values outside [0, 1].
    TypeError
        If a photo has a dtype other than uint8 or float.

    Examples
    --------
    >>> photos = load_background_photos(np.full((2, 4, 5, 3), 255, dtype=np.uint8))
    >>> len(photos), photos[0].shape, photos[0].dtype, float(photos[0].max())
    (2, (4, 5, 3), dtype('float32'), 1.0)
    """
    if backgrounds is None:
        photos = _shipped_photos()
    elif isinstance(backgrounds, (str, os.PathLike)):
        photos = _folder_photos(Path(backgrounds))
    elif isinstance(backgrounds, np.ndarray) and backgrounds.ndim == 4:
        photos = list(backgrounds)
    elif isinstance(backgrounds, np.ndarray):
        photos = [backgrounds]
    elif isinstance(backgrounds, (list, tuple)) and backgrounds:
        photos = list(backgrounds)
    else:
        raise TypeError("load_background_photos: backgrounds must be None, a folder path, an array or a "
                        f"non-empty list of arrays, got {type(backgrounds).__name__}")
    return [_as_rgb_float(photo, i) for i, photo in enumerate(photos)]
