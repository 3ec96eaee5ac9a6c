"""Layers that wrap an expression, and the gradient reversal layer of DANN."""
import numbers

import numpy as np
import pytensor
import pytensor.tensor as pt
from pytensor.gradient import grad_scale

from .. import nonlinearities
from ..utils import shared_scalar
from .base import Layer

__all__ = [
    "NonlinearityLayer", "ExpressionLayer", "GradientReversalLayer", "ReverseGradientLayer",
    "reverse_gradient",
]


def reverse_gradient(x, hp_lambda):
    """Identity in the forward pass; multiplies the gradient by ``-hp_lambda`` in the backward pass.

    This is the gradient reversal of Ganin & Lempitsky (2015) for raw
    PyTensor graphs. Pass a shared scalar as ``hp_lambda`` to change the
    reversal weight between calls of a compiled function.

    Parameters
    ----------
    x : PyTensor expression
    hp_lambda : float or PyTensor scalar (shared variable)

    Returns
    -------
    PyTensor expression
        Equal to ``x`` in value.

    Examples
    --------
    >>> import pytensor
    >>> from adaptnet.utils import shared_scalar
    >>> lam = shared_scalar(0.5)
    >>> x = pt.vector(dtype="float32")
    >>> g = pytensor.grad(reverse_gradient(x, lam).sum(), x)
    >>> f = pytensor.function([x], g)
    >>> f(np.ones(2, dtype="float32"))
    array([-0.5, -0.5], dtype=float32)
    >>> lam.set_value(np.float32(2.0))
    >>> f(np.ones(2, dtype="float32"))
    array([-2., -2.], dtype=float32)
    """
    if isinstance(hp_lambda, numbers.Number):
        hp_lambda = np.float32(hp_lambda)
    return grad_scale(x, -pt.cast(hp_lambda, x.dtype))


class GradientReversalLayer(Layer):
    """Gradient reversal layer: identity forward, ``-hp_lambda`` times the gradient backward.

    Placed between the feature extractor and the domain classifier of a
    domain-adversarial network, it makes the features maximize the domain
    loss while the domain classifier minimizes it.

    Parameters
    ----------
    incoming : Layer or tuple
    hp_lambda : float
        Initial reversal weight. It is stored as the float32 shared scalar
        ``layer.hp_lambda``, so schedules change it with
        ``layer.hp_lambda.set_value(...)`` without recompiling.
    name : str, optional

    Raises
    ------
    ValueError
        If ``hp_lambda`` is not a finite number.

    Examples
    --------
    >>> import pytensor
    >>> from adaptnet.layers import InputLayer, get_output
    >>> l_in = InputLayer((None, 3))
    >>> l_rev = GradientReversalLayer(l_in, hp_lambda=0.1)
    >>> out = get_output(l_rev)
    >>> f = pytensor.function([l_in.input_var], pytensor.grad(out.sum(), l_in.input_var))
    >>> f(np.ones((1, 3), dtype="float32"))
    array([[-0.1, -0.1, -0.1]], dtype=float32)
    >>> l_rev.hp_lambda.set_value(np.float32(1.0))
    >>> f(np.ones((1, 3), dtype="float32"))
    array([[-1., -1., -1.]], dtype=float32)
    """

    def __init__(self, incoming, hp_lambda=1.0, **kwargs):
        super().__init__(incoming, **kwargs)
        if not isinstance(hp_lambda, numbers.Real) or not np.isfinite(hp_lambda):
            raise ValueError(
                f"{self._label()}: hp_lambda must be a finite number, got {hp_lambda!r}"
            )
        self.hp_lambda = shared_scalar(hp_lambda, name=f"{self.name or 'reversal'}.hp_lambda")

    def get_output_for(self, input, **kwargs):
        return reverse_gradient(input, self.hp_lambda)


ReverseGradientLayer = GradientReversalLayer


class NonlinearityLayer(Layer):
    """Apply a nonlinearity elementwise.

    Parameters
    ----------
    incoming : Layer or tuple
    nonlinearity : callable or None
        Default :func:`adaptnet.nonlinearities.rectify`; ``None`` is the identity.
    name : str, optional

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, get_output
    >>> from adaptnet.nonlinearities import softmax
    >>> l = NonlinearityLayer(InputLayer((None, 2)), softmax)
    >>> get_output(l, np.zeros((1, 2), dtype="float32")).eval()
    array([[0.5, 0.5]], dtype=float32)
    """

    def __init__(self, incoming, nonlinearity=nonlinearities.rectify, **kwargs):
        super().__init__(incoming, **kwargs)
        self.nonlinearity = nonlinearities.identity if nonlinearity is None else nonlinearity

    def get_output_for(self, input, **kwargs):
        return self.nonlinearity(input)


class ExpressionLayer(Layer):
    """Apply an arbitrary function of the input.

    Parameters
    ----------
    incoming : Layer or tuple
    function : callable
        ``function(input) -> expression``.
    output_shape : None, tuple, callable or 'auto'
        ``None`` keeps the input shape; a tuple fixes it; a callable maps the
        input shape to the output shape; ``'auto'`` infers it by evaluating
        the function on zeros of the input shape (free dimensions as 1).
    name : str, optional

    Examples
    --------
    >>> from adaptnet.layers import InputLayer
    >>> l = ExpressionLayer(InputLayer((None, 4)), lambda x: x[:, :2], output_shape="auto")
    >>> l.output_shape
    (None, 2)
    """

    def __init__(self, incoming, function, output_shape=None, **kwargs):
        super().__init__(incoming, **kwargs)
        if not callable(function):
            raise TypeError(f"{self._label()}: function must be callable, got {function!r}")
        if output_shape is not None and output_shape != "auto" and not callable(output_shape) \
                and not isinstance(output_shape, tuple):
            raise ValueError(
                f"{self._label()}: output_shape must be None, 'auto', a tuple or a callable, "
                f"got {output_shape!r}"
            )
        self.function = function
        self._output_shape = output_shape

    def get_output_shape_for(self, input_shape):
        if self._output_shape is None:
            return input_shape
        if self._output_shape == "auto":
            probe = np.zeros([1 if s is None else s for s in input_shape], dtype="float32")
            shape = self.function(pytensor.shared(probe)).eval().shape
            return tuple(None if s is None else d for s, d in zip(input_shape, shape)) \
                + tuple(shape[len(input_shape):])
        if callable(self._output_shape):
            return tuple(self._output_shape(input_shape))
        return self._output_shape

    def get_output_for(self, input, **kwargs):
        return self.function(input)
