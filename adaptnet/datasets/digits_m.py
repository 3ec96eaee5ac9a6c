"""Digits -> Digits-M: a small, download-free image domain shift.

scikit-learn's 8x8 digits play MNIST and their blend with photo patches plays
MNIST-M, so examples and tests can run the paper's image protocol in seconds.
"""
import numpy as np
from skimage.transform import rescale
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

from .mnist_m import blend_with_photos
from .photos import load_background_photos

# 8x8 digits against 28x28 MNIST: shrinking the photos by the same factor makes a
# patch cover the same share of a photo as in MNIST-M, so patches keep texture
# instead of being near-uniform colour
_PHOTO_SCALE = 8 / 28


def load_digits_m(random_state=None):
    """Load the Digits -> Digits-M domain adaptation problem.

    The 1797 digits of :func:`sklearn.datasets.load_digits` (8x8, 16 grey
    levels) are split at random, stratified by class, into two disjoint
    halves. The source half is returned as grey images replicated to three
    channels; the target half is blended with patches of the shipped colour
    photos (shrunk by 8/28) as in MNIST-M. Both domains have shape
    ``(n, 3, 8, 8)``, as a network needs the same input shape for both.

    Parameters
    ----------
    random_state : None, int or numpy.random.RandomState
        Seeds the split and the blending.

    Returns
    -------
    X_source : numpy.ndarray
        float32 array of shape ``(898, 3, 8, 8)``, values in [0, 1].
    y_source : numpy.ndarray
        int32 labels 0..9.
    X_target : numpy.ndarray
        float32 array of shape ``(899, 3, 8, 8)``, values in [0, 1].
    y_target : numpy.ndarray
        int32 labels 0..9 (for evaluation only).

    Examples
    --------
    >>> Xs, ys, Xt, yt = load_digits_m(random_state=0)
    >>> Xs.shape, Xt.shape, Xs.dtype, yt.dtype
    ((898, 3, 8, 8), (899, 3, 8, 8), dtype('float32'), dtype('int32'))
    """
    rng = check_random_state(random_state)
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)
    labels = digits.target.astype(np.int32)
    X_s, X_t, y_s, y_t = train_test_split(images, labels, test_size=0.5, stratify=labels, random_state=rng)
    photos = [rescale(photo, _PHOTO_SCALE, anti_aliasing=True, channel_axis=2).astype(np.float32).clip(0, 1)
              for photo in load_background_photos()]
    X_source = np.repeat(X_s[:, None], 3, axis=1)
    X_target = blend_with_photos(X_t, photos, rng, owner="load_digits_m")
    return X_source, y_s, X_target, y_t
