"""The inter-twinning moons of Ganin et al. (JMLR 2016, section 5.1)."""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.utils import check_random_state

from ..utils import check_positive_int

# centre of the two-moons distribution of sklearn.datasets.make_moons
# (upper moon: x in [-1, 1], y in [0, 1]; lower moon: x in [0, 2], y in [-0.5, 0.5])
_MOONS_CENTRE = np.array([0.5, 0.25])


def make_moons_da(n_samples=300, noise=0.1, rotation=35, random_state=None):
    """Make the two-moons domain adaptation problem of the DANN paper.

    The source domain is a sample of scikit-learn's two moons; the target
    domain is an independent sample of the same distribution rotated by
    ``rotation`` degrees (counter-clockwise) around the centre of the
    distribution, (0.5, 0.25). The paper uses 300 samples per domain and a
    rotation of 35 degrees.

    Parameters
    ----------
    n_samples : int
        Samples per domain (split as evenly as possible between the moons).
    noise : float
        Standard deviation of the Gaussian noise added to each point.
    rotation : float
        Rotation of the target domain, in degrees.
    random_state : None, int or numpy.random.RandomState
        Seeds both samples.

    Returns
    -------
    X_source : numpy.ndarray
        float32 array of shape ``(n_samples, 2)``.
    y_source : numpy.ndarray
        int32 labels: 0 for the upper moon, 1 for the lower moon.
    X_target : numpy.ndarray
        float32 array of shape ``(n_samples, 2)``, the rotated sample.
    y_target : numpy.ndarray
        int32 labels of the target sample (for evaluation only).

    Raises
    ------
    ValueError
        If ``n_samples`` is not a positive integer or ``noise`` is negative.

    Examples
    --------
    >>> Xs, ys, Xt, yt = make_moons_da(n_samples=4, noise=0.0, rotation=180, random_state=0)
    >>> Xs.shape, Xt.dtype, np.bincount(ys).tolist()
    ((4, 2), dtype('float32'), [2, 2])
    """
    n_samples = check_positive_int(n_samples, "n_samples", "make_moons_da")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"make_moons_da: noise must be a non-negative number, got {noise!r}")
    if not np.isfinite(rotation):
        raise ValueError(f"make_moons_da: rotation must be a finite number of degrees, got {rotation!r}")
    rng = check_random_state(random_state)
    X_source, y_source = make_moons(n_samples, noise=noise, random_state=rng)
    X_target, y_target = make_moons(n_samples, noise=noise, random_state=rng)
    angle = np.deg2rad(rotation)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    X_target = (X_target - _MOONS_CENTRE) @ rot.T + _MOONS_CENTRE
    return (X_source.astype(np.float32), y_source.astype(np.int32),
            X_target.astype(np.float32), y_target.astype(np.int32))
