"""Layers that change the shape of their input, compatible with ``lasagne.layers.shape``."""
import numbers

import numpy as np
import pytensor.tensor as pt

from .base import Layer

__all__ = ["ReshapeLayer", "reshape", "FlattenLayer", "flatten", "DimshuffleLayer", "dimshuffle"]


def _is_int(x):
    return isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))


class ReshapeLayer(Layer):
    """Reshape the input (batch axis included) to a given shape.

    Parameters
    ----------
    incoming : Layer or tuple
    shape : tuple
        The target shape. Each entry is a positive int, ``-1`` (at most once:
        inferred from the total size), ``[i]`` (the size of input axis ``i``,
        e.g. ``[0]`` keeps the batch size), or a scalar integer PyTensor
        expression.
    name : str, optional

    Raises
    ------
    ValueError
        If an entry is invalid, ``-1`` appears twice, ``[i]`` refers to a
        missing input axis, or the known total sizes differ.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer
    >>> ReshapeLayer(InputLayer((None, 100, 20)), ([0], 50, -1)).output_shape
    (None, 50, 40)
    """

    def __init__(self, incoming, shape, **kwargs):
        super().__init__(incoming, **kwargs)
        shape = tuple(shape)
        for s in shape:
            if _is_int(s):
                ok = s > 0 or s == -1
            elif isinstance(s, list):
                ok = len(s) == 1 and _is_int(s[0]) and s[0] >= 0
            else:
                ok = isinstance(s, pt.TensorVariable) and s.ndim == 0 \
                    and s.dtype.startswith(("int", "uint"))
            if not ok:
                raise ValueError(
                    f"{self._label()}: shape entries must be positive ints, -1, [i] with i >= 0 "
                    f"or scalar integer expressions, got {s!r} in shape={shape!r}"
                )
        if sum(1 for s in shape if _is_int(s) and s == -1) > 1:
            raise ValueError(f"{self._label()}: shape may contain -1 only once, got {shape!r}")
        self.shape = shape
        self.get_output_shape_for(self.input_shape)  # raises now if the shapes cannot fit

    def get_output_shape_for(self, input_shape):
        output_shape = []
        # sizes used for the -1 inference; an unknown input size copied one-to-one by a
        # [i] reference cancels out, so both sides count it as 1
        masked_in, masked_out = list(input_shape), []
        for s in self.shape:
            if isinstance(s, list):
                i = s[0]
                if i >= len(input_shape):
                    raise ValueError(
                        f"{self._label()}: shape contains [{i}], but the input shape "
                        f"{tuple(input_shape)} has only {len(input_shape)} dimensions"
                    )
                output_shape.append(input_shape[i])
                if input_shape[i] is None and masked_in[i] is None:
                    masked_in[i] = 1
                    masked_out.append(1)
                else:
                    masked_out.append(input_shape[i])
            elif isinstance(s, pt.TensorVariable):
                output_shape.append(None)
                masked_out.append(None)
            else:
                output_shape.append(s)
                masked_out.append(s)
        in_size = None if None in masked_in else int(np.prod(masked_in))
        known_out = [s for s in masked_out if s != -1]
        out_size = None if None in known_out else int(np.prod(known_out))
        if -1 in output_shape:
            dim = output_shape.index(-1)
            if in_size is None or out_size is None:
                output_shape[dim] = None
            elif out_size == 0 or in_size % out_size:
                raise ValueError(
                    f"{self._label()}: input shape {tuple(input_shape)} cannot be reshaped to "
                    f"{self.shape!r}: the total size {in_size} is not divisible by {out_size}"
                )
            else:
                output_shape[dim] = in_size // out_size
                out_size = in_size
        if in_size is not None and out_size is not None and in_size != out_size:
            raise ValueError(
                f"{self._label()}: input shape {tuple(input_shape)} cannot be reshaped to "
                f"{self.shape!r}: the total sizes {in_size} and {out_size} differ"
            )
        return tuple(output_shape)

    def get_output_for(self, input, **kwargs):
        shape = [input.shape[s[0]] if isinstance(s, list) else s for s in self.shape]
        return input.reshape(shape, ndim=len(shape))


reshape = ReshapeLayer


class FlattenLayer(Layer):
    """Flatten the trailing dimensions, keeping ``outdim - 1`` leading ones.

    Parameters
    ----------
    incoming : Layer or tuple
    outdim : int
        Number of output dimensions (default 2: ``(batch, features)``), at
        most the number of input dimensions.
    name : str, optional

    Raises
    ------
    ValueError
        If ``outdim`` is not an int in [1, input dimensions].

    Examples
    --------
    >>> from adaptnet.layers import InputLayer
    >>> FlattenLayer(InputLayer((None, 3, 4, 5))).output_shape
    (None, 60)
    """

    def __init__(self, incoming, outdim=2, **kwargs):
        super().__init__(incoming, **kwargs)
        ndim = len(self.input_shape)
        if not _is_int(outdim) or not 1 <= outdim <= ndim:
            raise ValueError(
                f"{self._label()}: outdim must be an int in [1, {ndim}] for the input shape "
                f"{self.input_shape}, got outdim={outdim!r}"
            )
        self.outdim = int(outdim)

    def get_output_shape_for(self, input_shape):
        to_flatten = input_shape[self.outdim - 1:]
        flat = None if None in to_flatten else int(np.prod(to_flatten))
        return tuple(input_shape[:self.outdim - 1]) + (flat,)

    def get_output_for(self, input, **kwargs):
        return pt.flatten(input, ndim=self.outdim)


flatten = FlattenLayer


class DimshuffleLayer(Layer):
    """Permute the input axes and insert or drop broadcastable (size-1) axes.

    Parameters
    ----------
    incoming : Layer or tuple
    pattern : tuple
        Input axis indices and ``'x'`` (a new axis of size 1), e.g.
        ``(0, 'x', 1)``. Input axes left out must have size 1 (or be
        unknown, checked when the graph runs).
    name : str, optional

    Raises
    ------
    ValueError
        If an entry is neither an axis index nor ``'x'``, an axis appears
        twice or does not exist, or an axis of size other than 1 is dropped.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer
    >>> DimshuffleLayer(InputLayer((None, 3, 1)), (1, 'x', 0)).output_shape
    (3, 1, None)
    """

    def __init__(self, incoming, pattern, **kwargs):
        super().__init__(incoming, **kwargs)
        pattern = tuple(pattern)
        used = set()
        for p in pattern:
            if _is_int(p):
                if p in used:
                    raise ValueError(
                        f"{self._label()}: pattern contains axis {p} more than once: {pattern!r}"
                    )
                used.add(p)
            elif not (isinstance(p, str) and p == "x"):
                raise ValueError(
                    f"{self._label()}: pattern must hold axis indices or 'x', got {p!r} in "
                    f"{pattern!r}"
                )
        self.pattern = pattern
        self.get_output_shape_for(self.input_shape)  # raises now if the pattern does not fit

    def get_output_shape_for(self, input_shape):
        output_shape = []
        for p in self.pattern:
            if p == "x":
                output_shape.append(1)
            elif not 0 <= p < len(input_shape):
                raise ValueError(
                    f"{self._label()}: pattern contains {p}, but the input shape "
                    f"{tuple(input_shape)} has only {len(input_shape)} dimensions"
                )
            else:
                output_shape.append(input_shape[p])
        for axis, size in enumerate(input_shape):
            if axis not in self.pattern and size not in (1, None):
                raise ValueError(
                    f"{self._label()}: pattern {self.pattern!r} drops axis {axis} of size {size}; "
                    "only axes of size 1 can be dropped"
                )
        return tuple(output_shape)

    def get_output_for(self, input, **kwargs):
        dropped = [a for a in range(input.ndim) if a not in self.pattern]
        if dropped:
            # PyTensor drops only axes known to be broadcastable; this asserts size 1 at run time
            input = pt.specify_broadcastable(input, *dropped)
        return input.dimshuffle(self.pattern)


dimshuffle = DimshuffleLayer
