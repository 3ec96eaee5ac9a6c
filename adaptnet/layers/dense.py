"""Fully connected layers, compatible with ``lasagne.layers.dense``."""
import numpy as np
import pytensor.tensor as pt

from .. import init, nonlinearities
from ..utils import check_positive_int
from .base import Layer


class DenseLayer(Layer):
    """A fully connected layer: ``nonlinearity(dot(x, W) + b)``.

    Inputs of more than ``num_leading_axes`` dimensions are flattened first.

    Parameters
    ----------
    incoming : Layer or tuple
    num_units : int
        Number of output units.
    W : initializer, array or shared variable
        Weights of shape ``(num_inputs, num_units)`` (default ``GlorotUniform``).
    b : initializer, array, shared variable or None
        Biases of shape ``(num_units,)`` (default zeros); ``None`` for no bias.
    nonlinearity : callable or None
        Default :func:`adaptnet.nonlinearities.rectify`; ``None`` is linear.
    num_leading_axes : int
        Number of leading axes kept as they are (default 1, the batch).
    name : str, optional

    Raises
    ------
    ValueError
        If ``num_units`` is not a positive integer, the trailing input
        dimensions are unknown, or ``num_leading_axes`` does not fit the input.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> l = DenseLayer(InputLayer((None, 10)), num_units=50)
    >>> l.output_shape, l.W.get_value().shape
    ((None, 50), (10, 50))
    """

    def __init__(self, incoming, num_units, W=init.GlorotUniform(), b=init.Constant(0.0),
                 nonlinearity=nonlinearities.rectify, num_leading_axes=1, **kwargs):
        super().__init__(incoming, **kwargs)
        self.num_units = check_positive_int(num_units, "num_units", self._label())
        self.nonlinearity = nonlinearities.identity if nonlinearity is None else nonlinearity
        ndim = len(self.input_shape)
        if num_leading_axes < 0:
            num_leading_axes += ndim
        if not 0 < num_leading_axes < ndim:
            raise ValueError(
                f"{self._label()}: num_leading_axes must be in [1, {ndim - 1}] (or negative) for an "
                f"input of shape {self.input_shape}, got {num_leading_axes}"
            )
        if any(s is None for s in self.input_shape[num_leading_axes:]):
            raise ValueError(
                f"{self._label()}: the trailing input dimensions must be known, got input shape "
                f"{self.input_shape}"
            )
        self.num_leading_axes = num_leading_axes
        num_inputs = int(np.prod(self.input_shape[num_leading_axes:]))
        self.W = self.add_param(W, (num_inputs, self.num_units), name="W")
        self.b = None if b is None else self.add_param(
            b, (self.num_units,), name="b", regularizable=False)

    def get_output_shape_for(self, input_shape):
        return input_shape[:self.num_leading_axes] + (self.num_units,)

    def get_output_for(self, input, **kwargs):
        n = self.num_leading_axes
        if input.ndim > n + 1:
            input = input.reshape((*[input.shape[i] for i in range(n)], -1))
        activation = pt.dot(input, self.W)
        if self.b is not None:
            activation = activation + self.b
        return self.nonlinearity(activation)


class NINLayer(Layer):
    """Network-in-network layer: a dense layer applied across channels at every position.

    Parameters
    ----------
    incoming : Layer or tuple
        Input of shape ``(batch, channels, ...)``.
    num_units : int
        Number of output channels.
    untie_biases : bool
        One bias per unit and position instead of per unit.
    W, b, nonlinearity
        As in :class:`DenseLayer`; ``W`` has shape ``(channels, num_units)``.
    name : str, optional

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, NINLayer
    >>> NINLayer(InputLayer((None, 3, 8, 8)), num_units=5).output_shape
    (None, 5, 8, 8)
    """

    def __init__(self, incoming, num_units, untie_biases=False, W=init.GlorotUniform(),
                 b=init.Constant(0.0), nonlinearity=nonlinearities.rectify, **kwargs):
        super().__init__(incoming, **kwargs)
        self.num_units = check_positive_int(num_units, "num_units", self._label())
        if len(self.input_shape) < 2 or self.input_shape[1] is None:
            raise ValueError(
                f"{self._label()}: expected an input of shape (batch, channels, ...) with known "
                f"channels, got {self.input_shape}"
            )
        self.nonlinearity = nonlinearities.identity if nonlinearity is None else nonlinearity
        self.untie_biases = untie_biases
        self.W = self.add_param(W, (self.input_shape[1], self.num_units), name="W")
        if b is None:
            self.b = None
        else:
            shape = (self.num_units,) + tuple(self.input_shape[2:]) if untie_biases else (self.num_units,)
            self.b = self.add_param(b, shape, name="b", regularizable=False)

    def get_output_shape_for(self, input_shape):
        return (input_shape[0], self.num_units) + tuple(input_shape[2:])

    def get_output_for(self, input, **kwargs):
        rest = list(range(2, input.ndim))
        out = pt.tensordot(input, self.W, axes=[[1], [0]])  # (batch, ..., units)
        out = out.dimshuffle(0, input.ndim - 1, *[i - 1 for i in rest])
        if self.b is not None:
            if self.untie_biases:
                out = out + self.b.dimshuffle("x", *range(self.b.ndim))
            else:
                out = out + self.b.dimshuffle("x", 0, *["x"] * len(rest))
        return self.nonlinearity(out)
