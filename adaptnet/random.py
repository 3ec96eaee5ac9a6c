"""The random generator behind weight initialization and layer noise (Lasagne's ``lasagne.random``).

Estimators reseed it from their ``random_state`` before building layers, so
initial weights and the seeds of dropout/noise streams are reproducible.
"""
import numpy as np

_rng = np.random.RandomState()


def get_rng():
    """Return the ``numpy.random.RandomState`` used by initializers and noise layers.

    Returns
    -------
    numpy.random.RandomState

    Examples
    --------
    >>> isinstance(get_rng(), np.random.RandomState)
    True
    """
    return _rng


def set_rng(new_rng):
    """Replace the random generator used by initializers and noise layers.

    Parameters
    ----------
    new_rng : numpy.random.RandomState

    Examples
    --------
    >>> from adaptnet.init import Normal
    >>> set_rng(np.random.RandomState(0))
    >>> Normal(1.0)((1,)).round(3)
    array([1.764], dtype=float32)
    """
    global _rng
    _rng = new_rng
