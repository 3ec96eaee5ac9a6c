"""Pooling layers, compatible with ``lasagne.layers.pool``."""
import pytensor.tensor as pt

from ..ops import pool_2d
from ..ops.pool import check_pool_params, pool_output_length
from .base import Layer

__all__ = ["Pool2DLayer", "MaxPool2DLayer", "GlobalPoolLayer", "pool_output_length"]


class Pool2DLayer(Layer):
    """2-D pooling over the last two axes.

    Parameters
    ----------
    incoming : Layer or tuple
        Input of shape ``(batch, channels, rows, cols)``.
    pool_size : int or tuple of int
        Window ``(rows, cols)``.
    stride : int, tuple of int or None
        Default ``pool_size`` (non-overlapping windows).
    pad : int or tuple of int
        Implicit padding on both sides, smaller than ``pool_size``; padded
        positions never win a max and count in the average only for
        ``mode='average_inc_pad'``.
    ignore_border : bool
        True (default) drops a last partial window; False keeps it (then
        ``pad`` must be 0). See :func:`pool_output_length`.
    mode : {'max', 'average_inc_pad', 'average_exc_pad', 'sum'}
    name : str, optional

    Raises
    ------
    ValueError
        If the input is not 4-D or a parameter is invalid.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, Pool2DLayer
    >>> Pool2DLayer(InputLayer((None, 8, 24, 24)), 2, mode='average_exc_pad').output_shape
    (None, 8, 12, 12)
    >>> Pool2DLayer(InputLayer((None, 8, 5, 5)), 2, ignore_border=False).output_shape
    (None, 8, 3, 3)
    """

    def __init__(self, incoming, pool_size, stride=None, pad=(0, 0), ignore_border=True,
                 mode="max", **kwargs):
        super().__init__(incoming, **kwargs)
        if len(self.input_shape) != 4:
            raise ValueError(f"{self._label()}: expected a 4-D input (batch, channels, rows, cols), "
                             f"got input shape {self.input_shape}")
        self.pool_size, self.stride, self.pad = check_pool_params(
            self._label(), pool_size, stride, pad, ignore_border, mode, ws_name="pool_size")
        self.ignore_border = ignore_border
        self.mode = mode
        for size, axis in zip(self.input_shape[2:], ("rows", "cols")):
            if size is not None and any(
                    pool_output_length(size, w, s, p, ignore_border) <= 0
                    for w, s, p in zip(self.pool_size, self.stride, self.pad)):
                raise ValueError(f"{self._label()}: pool_size {self.pool_size} is larger than the "
                                 f"input ({size} {axis}) padded by {self.pad}")

    def get_output_shape_for(self, input_shape):
        lengths = tuple(pool_output_length(size, w, s, p, self.ignore_border)
                        for size, w, s, p in zip(input_shape[2:], self.pool_size, self.stride,
                                                 self.pad))
        return tuple(input_shape[:2]) + lengths

    def get_output_for(self, input, **kwargs):
        return pool_2d(input, ws=self.pool_size, stride=self.stride, ignore_border=self.ignore_border,
                       pad=self.pad, mode=self.mode)


class MaxPool2DLayer(Pool2DLayer):
    """2-D max-pooling over the last two axes (:class:`Pool2DLayer` with ``mode='max'``).

    Parameters
    ----------
    incoming, pool_size, stride, pad, ignore_border, name
        As in :class:`Pool2DLayer`.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, MaxPool2DLayer
    >>> MaxPool2DLayer(InputLayer((None, 32, 24, 24)), pool_size=2).output_shape
    (None, 32, 12, 12)
    """

    def __init__(self, incoming, pool_size, stride=None, pad=(0, 0), ignore_border=True, **kwargs):
        super().__init__(incoming, pool_size, stride, pad, ignore_border, mode="max", **kwargs)


class GlobalPoolLayer(Layer):
    """Pool each feature map to one value: ``(batch, channels, ...) -> (batch, channels)``.

    Parameters
    ----------
    incoming : Layer or tuple
        Input with at least 3 dimensions.
    pool_function : callable
        ``f(x, axis=2)`` reducing the flattened trailing axes, default ``pt.mean``
        (``pt.max`` for global max-pooling).
    name : str, optional

    Notes
    -----
    ``pt.max`` sends its gradient to every input equal to the maximum (PyTensor's
    rule, as Theano's), so a map of k tied values, such as a constant region after a
    ReLU, gets k times the gradient. :class:`MaxPool2DLayer` with
    ``pool_size`` equal to the map size sends it to the first maximum only.

    Raises
    ------
    ValueError
        If the input has fewer than 3 dimensions.

    Examples
    --------
    >>> import numpy as np
    >>> from adaptnet.layers import InputLayer, GlobalPoolLayer, get_output
    >>> l = GlobalPoolLayer(InputLayer((None, 2, 3, 3)))
    >>> l.output_shape
    (None, 2)
    >>> get_output(l, np.ones((1, 2, 3, 3), dtype="float32")).eval()
    array([[1., 1.]], dtype=float32)
    """

    def __init__(self, incoming, pool_function=pt.mean, **kwargs):
        super().__init__(incoming, **kwargs)
        if len(self.input_shape) < 3:
            raise ValueError(f"{self._label()}: expected an input with at least 3 dimensions "
                             f"(batch, channels, ...), got input shape {self.input_shape}")
        if not callable(pool_function):
            raise ValueError(f"{self._label()}: pool_function must be callable, "
                             f"got {pool_function!r}")
        self.pool_function = pool_function

    def get_output_shape_for(self, input_shape):
        return tuple(input_shape[:2])

    def get_output_for(self, input, **kwargs):
        return self.pool_function(input.flatten(3), axis=2)
