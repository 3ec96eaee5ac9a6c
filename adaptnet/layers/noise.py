"""Noise layers (dropout, Gaussian noise), compatible with ``lasagne.layers.noise``.

Each layer draws from its own ``pytensor.tensor.random.utils.RandomStream``
(``layer._srng``), seeded at construction from :func:`adaptnet.random.get_rng`,
so seeding that generator makes the noise reproducible. A compiled function
advances the stream on every call. With ``deterministic=True`` the layers
are the identity.
"""
import numbers
import warnings

import numpy as np
import pytensor.tensor as pt
from pytensor.tensor.random.utils import RandomStream

from ..random import get_rng
from .base import Layer

__all__ = ["DropoutLayer", "dropout", "GaussianNoiseLayer"]


def _draw(distribution, *args, **kwargs):
    """Draw from a RandomStream method, silencing its PyTensor 3 deprecation notices."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return distribution(*args, **kwargs)


def _random_stream():
    # RandomStream is deprecated in PyTensor 3 in favour of shared_rng(), but the
    # checkpoint code saves and restores noise state through its `state_updates`,
    # so adaptnet keeps this interface (the contract in docs/internals.md).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return RandomStream(get_rng().randint(1, 2 ** 31))


class DropoutLayer(Layer):
    """Dropout: set input elements to zero with probability ``p`` while training.

    Parameters
    ----------
    incoming : Layer or tuple
    p : float
        Probability of dropping an element, in [0, 1).
    rescale : bool
        Divide the kept elements by ``1 - p`` so that the expected output
        equals the input (default True), which keeps the deterministic pass
        (the identity) consistent with training.
    shared_axes : tuple of int
        Axes along which one mask value is shared, e.g. ``(2, 3)`` to drop
        whole feature maps of a ``(batch, channels, rows, cols)`` input.
    name : str, optional

    Raises
    ------
    ValueError
        If ``p`` is not a number in [0, 1) or an axis in ``shared_axes`` does
        not exist.

    Examples
    --------
    >>> import numpy as np
    >>> from adaptnet.layers import InputLayer, get_output
    >>> l = DropoutLayer(InputLayer((None, 4)), p=0.5)
    >>> x = np.ones((2, 4), dtype="float32")
    >>> get_output(l, x, deterministic=True).eval()
    array([[1., 1., 1., 1.],
           [1., 1., 1., 1.]], dtype=float32)
    >>> sorted(set(get_output(l, x).eval().ravel()) - {0.0, 2.0})  # kept values are rescaled
    []
    """

    def __init__(self, incoming, p=0.5, rescale=True, shared_axes=(), **kwargs):
        super().__init__(incoming, **kwargs)
        if isinstance(p, (bool, np.bool_)) or not isinstance(p, numbers.Real) or not 0 <= p < 1:
            raise ValueError(f"{self._label()}: p must be a number in [0, 1), got p={p!r}")
        ndim = len(self.input_shape)
        shared_axes = tuple(shared_axes)
        if any(not isinstance(a, numbers.Integral) or not -ndim <= a < ndim for a in shared_axes):
            raise ValueError(
                f"{self._label()}: shared_axes must be axes of the {ndim}-d input, got "
                f"shared_axes={shared_axes!r}"
            )
        self.p = p
        self.rescale = rescale
        self.shared_axes = tuple(int(a) % ndim for a in shared_axes)
        self._srng = _random_stream()

    def get_output_for(self, input, deterministic=False, **kwargs):
        if deterministic or self.p == 0:
            return input
        retain = np.dtype(input.dtype).type(1 - self.p)
        mask_shape = tuple(1 if a in self.shared_axes else input.shape[a]
                           for a in range(input.ndim))
        mask = pt.cast(_draw(self._srng.binomial, 1, retain, size=mask_shape), input.dtype)
        if self.shared_axes:
            mask = pt.specify_broadcastable(mask, *self.shared_axes)
        if self.rescale:
            input = input / retain
        return input * mask


dropout = DropoutLayer


class GaussianNoiseLayer(Layer):
    """Add zero-mean Gaussian noise of standard deviation ``sigma`` while training.

    Parameters
    ----------
    incoming : Layer or tuple
    sigma : float
        Standard deviation of the noise (non-negative).
    name : str, optional

    Raises
    ------
    ValueError
        If ``sigma`` is not a non-negative number.

    Examples
    --------
    >>> import numpy as np
    >>> from adaptnet.layers import InputLayer, get_output
    >>> l = GaussianNoiseLayer(InputLayer((None, 3)), sigma=0.1)
    >>> x = np.zeros((1, 3), dtype="float32")
    >>> get_output(l, x, deterministic=True).eval()
    array([[0., 0., 0.]], dtype=float32)
    >>> bool(np.all(get_output(l, x).eval() != 0))
    True
    """

    def __init__(self, incoming, sigma=0.1, **kwargs):
        super().__init__(incoming, **kwargs)
        if isinstance(sigma, (bool, np.bool_)) or not isinstance(sigma, numbers.Real) \
                or not 0 <= sigma < np.inf:
            raise ValueError(
                f"{self._label()}: sigma must be a finite non-negative number, got sigma={sigma!r}"
            )
        self.sigma = sigma
        self._srng = _random_stream()

    def get_output_for(self, input, deterministic=False, **kwargs):
        if deterministic or self.sigma == 0:
            return input
        scale = np.dtype(input.dtype).type(self.sigma)
        noise = _draw(self._srng.normal, np.dtype(input.dtype).type(0), scale, size=input.shape)
        return input + pt.cast(noise, input.dtype)
