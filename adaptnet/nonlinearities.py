"""Activation functions, compatible with ``lasagne.nonlinearities``.

Each is a function of a PyTensor expression. :func:`softmax` is row-wise
(PyTensor's own defaults to all elements).
"""
import numpy as np
import pytensor.tensor as pt
from pytensor.tensor.special import softmax as _pt_softmax

__all__ = [
    "sigmoid", "softmax", "tanh", "ScaledTanH", "ScaledTanh", "rectify", "LeakyRectify",
    "leaky_rectify", "very_leaky_rectify", "elu", "SELU", "selu", "softplus", "linear",
    "identity",
]


def _f32(x):
    return np.float32(x)


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``.

    Examples
    --------
    >>> import pytensor.tensor as pt
    >>> float(sigmoid(pt.constant(np.float32(0.0))).eval())
    0.5
    """
    return pt.sigmoid(x)


def softmax(x):
    """Row-wise softmax of a matrix: ``exp(x) / exp(x).sum(axis=-1)``.

    Examples
    --------
    >>> x = pt.constant(np.zeros((2, 4), dtype="float32"))
    >>> softmax(x).eval()[0]
    array([0.25, 0.25, 0.25, 0.25], dtype=float32)
    """
    return _pt_softmax(x, axis=-1)


def tanh(x):
    """Hyperbolic tangent.

    Examples
    --------
    >>> float(tanh(pt.constant(np.float32(0.0))).eval())
    0.0
    """
    return pt.tanh(x)


class ScaledTanH:
    """Scaled tanh ``scale_out * tanh(scale_in * x)`` (LeCun's 1.7159 * tanh(2x/3)).

    Parameters
    ----------
    scale_in, scale_out : float

    Examples
    --------
    >>> f = ScaledTanH(scale_in=0.5, scale_out=2.0)
    >>> round(float(f(pt.constant(np.float32(100.0))).eval()), 4)
    2.0
    """

    def __init__(self, scale_in=1, scale_out=1):
        self.scale_in = scale_in
        self.scale_out = scale_out

    def __call__(self, x):
        return _f32(self.scale_out) * pt.tanh(_f32(self.scale_in) * x)


ScaledTanh = ScaledTanH


def rectify(x):
    """Rectified linear unit ``max(0, x)``.

    Examples
    --------
    >>> rectify(pt.constant(np.array([-1.0, 2.0], dtype="float32"))).eval()
    array([0., 2.], dtype=float32)
    """
    return pt.maximum(x, _f32(0))


class LeakyRectify:
    """Leaky rectifier ``max(alpha * x, x)``.

    Parameters
    ----------
    leakiness : float
        Slope for negative inputs (default 0.01).

    Examples
    --------
    >>> LeakyRectify(0.1)(pt.constant(np.array([-1.0, 2.0], dtype="float32"))).eval()
    array([-0.1,  2. ], dtype=float32)
    """

    def __init__(self, leakiness=0.01):
        self.leakiness = leakiness

    def __call__(self, x):
        return pt.switch(x > 0, x, _f32(self.leakiness) * x)


leaky_rectify = LeakyRectify(0.01)
very_leaky_rectify = LeakyRectify(1.0 / 3)


def elu(x):
    """Exponential linear unit ``x if x > 0 else exp(x) - 1``.

    Examples
    --------
    >>> elu(pt.constant(np.array([0.0, 1.0], dtype="float32"))).eval()
    array([0., 1.], dtype=float32)
    """
    return pt.switch(x > 0, x, pt.expm1(pt.minimum(x, _f32(0))))


class SELU:
    """Scaled exponential linear unit ``scale * (x if x > 0 else alpha * (exp(x) - 1))``.

    Parameters
    ----------
    scale, alpha : float
        Defaults give the self-normalizing constants of Klambauer et al. (2017).

    Examples
    --------
    >>> round(float(selu(pt.constant(np.float32(1.0))).eval()), 4)
    1.0507
    """

    def __init__(self, scale=1.0507009873554805, scale_neg=1.6732632423543772):
        self.scale = scale
        self.scale_neg = scale_neg

    def __call__(self, x):
        neg = _f32(self.scale_neg) * pt.expm1(pt.minimum(x, _f32(0)))
        return _f32(self.scale) * pt.switch(x > 0, x, neg)


selu = SELU()


def softplus(x):
    """Softplus ``log(1 + exp(x))``, computed stably.

    Examples
    --------
    >>> round(float(softplus(pt.constant(np.float32(0.0))).eval()), 4)
    0.6931
    """
    return pt.softplus(x)


def linear(x):
    """The identity: ``linear(x) = x``.

    Examples
    --------
    >>> v = pt.vector()
    >>> linear(v) is v
    True
    """
    return x


identity = linear
