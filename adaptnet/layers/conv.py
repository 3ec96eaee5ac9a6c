"""2-D convolution layer, compatible with ``lasagne.layers.conv``."""
import numbers

from .. import init, nonlinearities
from ..ops import conv2d
from ..utils import as_tuple, check_positive_int
from .base import Layer

__all__ = ["Conv2DLayer", "conv_output_length"]


def conv_output_length(input_length, filter_size, stride, pad=0):
    """Output length of a convolution along one axis (Lasagne's ``conv_output_length``).

    Parameters
    ----------
    input_length : int or None
        ``None`` (unknown) gives ``None``.
    filter_size : int
    stride : int
    pad : {'valid', 'full', 'same'} or int
        ``'valid'`` is 0, ``'full'`` is ``filter_size - 1``, ``'same'`` keeps the
        length (for odd filters), an int pads both sides by that amount.

    Returns
    -------
    int or None
        ``ceil((input_length + 2 * pad - filter_size + 1) / stride)``.

    Raises
    ------
    ValueError
        If ``pad`` is none of the above.

    Examples
    --------
    >>> conv_output_length(28, 5, 1, 'valid'), conv_output_length(28, 5, 2, 'same')
    (24, 14)
    """
    if input_length is None:
        return None
    if pad == "valid":
        length = input_length - filter_size + 1
    elif pad == "full":
        length = input_length + filter_size - 1
    elif pad == "same":
        length = input_length
    elif isinstance(pad, numbers.Integral) and not isinstance(pad, bool):
        length = input_length + 2 * pad - filter_size + 1
    else:
        raise ValueError(f"conv_output_length: pad must be 'valid', 'full', 'same' or an int, "
                         f"got {pad!r}")
    return (length + stride - 1) // stride


class Conv2DLayer(Layer):
    """2-D convolution layer: ``nonlinearity(conv2d(input, W) + b)``.

    Parameters
    ----------
    incoming : Layer or tuple
        Input of shape ``(batch, channels, rows, cols)``.
    num_filters : int
        Number of filters (output channels).
    filter_size : int or tuple of int
        Filter ``(rows, cols)``.
    stride : int or tuple of int
        Default ``(1, 1)``.
    pad : {'valid', 'full', 'same'}, int or tuple of int
        ``'valid'`` (or 0) pads nothing, ``'full'`` pads ``filter_size - 1``,
        ``'same'`` pads ``filter_size // 2`` (odd filters only), an int or
        pair pads by that amount on both sides.
    untie_biases : bool
        One bias per filter and output position (shape
        ``(num_filters, out_rows, out_cols)``) instead of per filter.
    W : initializer, array or shared variable
        Filters ``(num_filters, channels // num_groups, rows, cols)``,
        default ``GlorotUniform``.
    b : initializer, array, shared variable or None
        Biases, default zeros; ``None`` for no bias.
    nonlinearity : callable or None
        Default :func:`adaptnet.nonlinearities.rectify`; ``None`` is linear.
    flip_filters : bool
        True (default) for a true convolution, as in Lasagne; False for a
        cross-correlation (needed to load weights trained by cuDNN/PyTorch).
    num_groups : int
        Grouped convolution: channels and filters split into that many groups.
    convolution : callable
        The convolution function, :func:`adaptnet.ops.conv2d` by default.
    name : str, optional

    Attributes
    ----------
    W, b : shared variables
    pad : tuple of int or str
        ``(0, 0)`` for ``'valid'``, the string for ``'full'`` / ``'same'``.

    Raises
    ------
    ValueError
        If the input is not 4-D, a size is not positive, ``pad`` is unknown,
        ``'same'`` is used with an even filter, the channels or filters are
        not divisible by ``num_groups``, or the filter is larger than the
        padded input.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, Conv2DLayer
    >>> l = Conv2DLayer(InputLayer((None, 3, 28, 28)), num_filters=32, filter_size=5)
    >>> l.output_shape, l.W.get_value().shape
    ((None, 32, 24, 24), (32, 3, 5, 5))
    >>> Conv2DLayer(l, 8, 3, stride=2, pad='same').output_shape
    (None, 8, 12, 12)
    """

    def __init__(self, incoming, num_filters, filter_size, stride=(1, 1), pad=0,
                 untie_biases=False, W=init.GlorotUniform(), b=init.Constant(0.0),
                 nonlinearity=nonlinearities.rectify, flip_filters=True, num_groups=1,
                 convolution=conv2d, **kwargs):
        super().__init__(incoming, **kwargs)
        label = self._label()
        if len(self.input_shape) != 4:
            raise ValueError(f"{label}: expected a 4-D input (batch, channels, rows, cols), got "
                             f"input shape {self.input_shape}")
        self.num_filters = check_positive_int(num_filters, "num_filters", label)
        self.filter_size = self._positive_pair(filter_size, "filter_size")
        self.stride = self._positive_pair(stride, "stride")
        self.num_groups = check_positive_int(num_groups, "num_groups", label)
        self.pad = self._check_pad(pad)
        channels = self.input_shape[1]
        if channels is None:
            raise ValueError(f"{label}: the number of input channels must be known, got input "
                             f"shape {self.input_shape}")
        for count, what in ((channels, "input channels"), (self.num_filters, "num_filters")):
            if count % self.num_groups:
                raise ValueError(f"{label}: {what} ({count}) must be divisible by "
                                 f"num_groups={self.num_groups}")
        for size, k, p, axis in zip(self.input_shape[2:], self.filter_size, self._pad_pair(),
                                    ("rows", "cols")):
            if size is not None and size + 2 * p < k:
                raise ValueError(f"{label}: filter_size {self.filter_size} is larger than the "
                                 f"input ({size} {axis}) padded by {p}")
        self.untie_biases = untie_biases
        self.flip_filters = flip_filters
        self.convolution = convolution
        self.nonlinearity = nonlinearities.identity if nonlinearity is None else nonlinearity
        self.W = self.add_param(W, self.get_W_shape(), name="W")
        if b is None:
            self.b = None
        else:
            if untie_biases:
                out_shape = self.output_shape[2:]
                if None in out_shape:
                    raise ValueError(f"{label}: untie_biases=True needs known input rows and "
                                     f"cols, got input shape {self.input_shape}")
                shape = (self.num_filters,) + tuple(out_shape)
            else:
                shape = (self.num_filters,)
            self.b = self.add_param(b, shape, name="b", regularizable=False)

    def _positive_pair(self, value, name):
        try:
            pair = as_tuple(value, 2)
        except (ValueError, TypeError):
            pair = None
        if pair is None or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                                   and v > 0 for v in pair):
            raise ValueError(f"{self._label()}: {name} must be a positive integer or a pair of "
                             f"them, got {value!r}")
        return tuple(int(v) for v in pair)

    def _check_pad(self, pad):
        if pad == "valid":
            return (0, 0)
        if pad == "same":
            if any(k % 2 == 0 for k in self.filter_size):
                raise ValueError(f"{self._label()}: pad='same' needs an odd filter_size, got "
                                 f"{self.filter_size}")
            return pad
        if pad == "full":
            return pad
        try:
            pair = as_tuple(pad, 2)
        except (ValueError, TypeError):
            pair = None
        if isinstance(pad, str) or pair is None or not all(
                isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= 0
                for v in pair):
            raise ValueError(f"{self._label()}: pad must be 'valid', 'full', 'same', a "
                             f"non-negative integer or a pair of them, got {pad!r}")
        return tuple(int(v) for v in pair)

    def _pad_pair(self):
        if self.pad == "full":
            return tuple(k - 1 for k in self.filter_size)
        if self.pad == "same":
            return tuple(k // 2 for k in self.filter_size)
        return self.pad

    def get_W_shape(self):
        """Shape of the filters: ``(num_filters, channels // num_groups, rows, cols)``.

        Returns
        -------
        tuple of int
        """
        return (self.num_filters, self.input_shape[1] // self.num_groups) + self.filter_size

    def get_output_shape_for(self, input_shape):
        lengths = tuple(conv_output_length(size, k, s, p)
                        for size, k, s, p in zip(input_shape[2:], self.filter_size, self.stride,
                                                 self._pad_pair()))
        return (input_shape[0], self.num_filters) + lengths

    def get_output_for(self, input, **kwargs):
        border_mode = "half" if self.pad == "same" else self.pad
        extra = {"num_groups": self.num_groups} if self.num_groups > 1 else {}
        conved = self.convolution(input, self.W, self.input_shape, self.get_W_shape(),
                                  subsample=self.stride, border_mode=border_mode,
                                  filter_flip=self.flip_filters, **extra)
        if self.b is None:
            activation = conved
        elif self.untie_biases:
            activation = conved + self.b.dimshuffle("x", 0, 1, 2)
        else:
            activation = conved + self.b.dimshuffle("x", 0, "x", "x")
        return self.nonlinearity(activation)
