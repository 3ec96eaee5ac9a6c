"""Layers that merge several inputs, compatible with ``lasagne.layers.merge``."""
import numbers

import numpy as np
import pytensor.tensor as pt

from .base import MergeLayer

__all__ = ["autocrop", "autocrop_array_shapes", "ConcatLayer", "concat", "ElemwiseMergeLayer",
           "ElemwiseSumLayer"]

_CROP_MODES = ("lower", "center", "upper")


def _full_cropping(cropping, ndim, owner):
    cropping = list(cropping) + [None] * (ndim - len(cropping))
    for mode in cropping:
        if mode is not None and mode not in _CROP_MODES:
            raise ValueError(
                f"{owner}: cropping modes must be None, 'lower', 'center' or 'upper', got {mode!r}"
            )
    return cropping


def autocrop(inputs, cropping):
    """Crop inputs to their smallest common size along the chosen axes.

    Parameters
    ----------
    inputs : list of PyTensor expressions
        All of the same number of dimensions.
    cropping : None or list
        One entry per leading axis: ``None`` (no cropping), ``'lower'`` (keep
        the first elements), ``'upper'`` (keep the last) or ``'center'``.
        ``None`` for the whole argument returns ``inputs`` unchanged.

    Returns
    -------
    list of PyTensor expressions

    Raises
    ------
    ValueError
        If the inputs differ in dimensionality or a mode is unknown.

    Examples
    --------
    >>> a = pt.constant(np.arange(5, dtype="float32"))
    >>> b = pt.constant(np.zeros(3, dtype="float32"))
    >>> autocrop([a, b], ["center"])[0].eval()
    array([1., 2., 3.], dtype=float32)
    """
    if cropping is None:
        return inputs
    ndim = inputs[0].ndim
    if any(x.ndim != ndim for x in inputs):
        raise ValueError(
            f"autocrop: all inputs must have the same number of dimensions, got "
            f"{[x.ndim for x in inputs]}"
        )
    cropping = _full_cropping(cropping, ndim, "autocrop")
    min_shape = pt.min(pt.stack([pt.stack(list(x.shape)) for x in inputs]), axis=0)
    slices = [[] for _ in inputs]
    for axis, mode in enumerate(cropping):
        size = min_shape[axis]
        for x, sl in zip(inputs, slices):
            if mode is None:
                sl.append(slice(None))
            elif mode == "lower":
                sl.append(slice(None, size))
            elif mode == "upper":
                sl.append(slice(x.shape[axis] - size, None))
            else:
                offset = (x.shape[axis] - size) // 2
                sl.append(slice(offset, offset + size))
    return [x[tuple(sl)] for x, sl in zip(inputs, slices)]


def autocrop_array_shapes(input_shapes, cropping):
    """Compute the shapes of inputs after :func:`autocrop`.

    Parameters
    ----------
    input_shapes : list of tuple
    cropping : None or list
        As in :func:`autocrop`.

    Returns
    -------
    list of tuple

    Raises
    ------
    ValueError
        If the shapes differ in length or a mode is unknown.

    Examples
    --------
    >>> autocrop_array_shapes([(None, 3, 5), (None, 2, 7)], [None, None, "lower"])
    [(None, 3, 5), (None, 2, 5)]
    """
    if cropping is None:
        return input_shapes
    ndim = len(input_shapes[0])
    if any(len(s) != ndim for s in input_shapes):
        raise ValueError(
            f"autocrop_array_shapes: all input shapes must have the same length, got {input_shapes}"
        )
    cropping = _full_cropping(cropping, ndim, "autocrop_array_shapes")
    columns = []
    for sizes, mode in zip(zip(*input_shapes), cropping):
        if mode is None:
            columns.append(sizes)
        else:
            common = None if None in sizes else min(sizes)
            columns.append((common,) * len(sizes))
    return [tuple(s) for s in zip(*columns)]


def _merged_shape(input_shapes, skip_axis=None):
    """First known size per axis, or None if the shapes disagree outside ``skip_axis``."""
    ndim = len(input_shapes[0])
    if any(len(s) != ndim for s in input_shapes):
        return None
    merged = [next((s for s in sizes if s is not None), None) for sizes in zip(*input_shapes)]
    for shape in input_shapes:
        for axis, (size, ref) in enumerate(zip(shape, merged)):
            if axis != skip_axis and size is not None and size != ref:
                return None
    return merged


class ConcatLayer(MergeLayer):
    """Concatenate inputs along one axis.

    Parameters
    ----------
    incomings : list of Layer or tuple
    axis : int
        The concatenation axis (default 1, features or channels).
    cropping : None or list
        Crop the other axes to a common size first (see :func:`autocrop`);
        the entry for ``axis`` is ignored.
    name : str, optional

    Raises
    ------
    ValueError
        If ``axis`` does not exist, or the input shapes differ on another axis.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer
    >>> ConcatLayer([InputLayer((None, 3)), InputLayer((None, 5))]).output_shape
    (None, 8)
    """

    def __init__(self, incomings, axis=1, cropping=None, **kwargs):
        super().__init__(incomings, **kwargs)
        ndim = len(self.input_shapes[0])
        if not isinstance(axis, numbers.Integral) or not -ndim <= axis < ndim:
            raise ValueError(
                f"{self._label()}: axis must be an axis of the {ndim}-d inputs, got axis={axis!r}"
            )
        self.axis = int(axis) % ndim
        if cropping is not None:
            cropping = _full_cropping(cropping, ndim, self._label())
            cropping[self.axis] = None
        self.cropping = cropping
        self.get_output_shape_for(self.input_shapes)  # raises now if the shapes do not fit

    def get_output_shape_for(self, input_shapes):
        input_shapes = autocrop_array_shapes(input_shapes, self.cropping)
        merged = _merged_shape(input_shapes, skip_axis=self.axis)
        if merged is None:
            raise ValueError(
                f"{self._label()}: input shapes must be equal except on axis {self.axis}, got "
                f"{[tuple(s) for s in input_shapes]}"
            )
        sizes = [s[self.axis] for s in input_shapes]
        merged[self.axis] = None if None in sizes else sum(sizes)
        return tuple(merged)

    def get_output_for(self, inputs, **kwargs):
        return pt.concatenate(autocrop(inputs, self.cropping), axis=self.axis)


concat = ConcatLayer


class ElemwiseMergeLayer(MergeLayer):
    """Merge inputs of equal shape with an elementwise binary function.

    Parameters
    ----------
    incomings : list of Layer or tuple
    merge_function : callable
        ``f(a, b) -> expression``, applied left to right, e.g. ``pt.maximum``
        or ``pt.mul``.
    cropping : None or list
        Crop to a common shape first (see :func:`autocrop`).
    name : str, optional

    Raises
    ------
    TypeError
        If ``merge_function`` is not callable.
    ValueError
        If the input shapes differ.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, get_output
    >>> l_a, l_b = InputLayer((None, 2)), InputLayer((None, 2))
    >>> l = ElemwiseMergeLayer([l_a, l_b], pt.maximum)
    >>> a = np.array([[1.0, 5.0]], dtype="float32")
    >>> b = np.array([[3.0, 2.0]], dtype="float32")
    >>> get_output(l, {l_a: a, l_b: b}).eval()
    array([[3., 5.]], dtype=float32)
    """

    def __init__(self, incomings, merge_function, cropping=None, **kwargs):
        super().__init__(incomings, **kwargs)
        if not callable(merge_function):
            raise TypeError(
                f"{self._label()}: merge_function must be callable, got {merge_function!r}"
            )
        self.merge_function = merge_function
        if cropping is not None:
            cropping = _full_cropping(cropping, len(self.input_shapes[0]), self._label())
        self.cropping = cropping
        self.get_output_shape_for(self.input_shapes)  # raises now if the shapes do not fit

    def get_output_shape_for(self, input_shapes):
        input_shapes = autocrop_array_shapes(input_shapes, self.cropping)
        merged = _merged_shape(input_shapes)
        if merged is None:
            raise ValueError(
                f"{self._label()}: all input shapes must be equal, got "
                f"{[tuple(s) for s in input_shapes]}"
            )
        return tuple(merged)

    def get_output_for(self, inputs, **kwargs):
        inputs = autocrop(inputs, self.cropping)
        output = inputs[0]
        for x in inputs[1:]:
            output = self.merge_function(output, x)
        return output


class ElemwiseSumLayer(ElemwiseMergeLayer):
    """Weighted elementwise sum of inputs of equal shape: ``sum_i coeffs[i] * inputs[i]``.

    Parameters
    ----------
    incomings : list of Layer or tuple
    coeffs : float or list of float
        One coefficient for all inputs, or one per input (default 1).
    cropping : None or list
        Crop to a common shape first (see :func:`autocrop`).
    name : str, optional

    Raises
    ------
    ValueError
        If the number of coefficients differs from the number of inputs, a
        coefficient is not a number, or the input shapes differ.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, get_output
    >>> l_a, l_b = InputLayer((None, 2)), InputLayer((None, 2))
    >>> l = ElemwiseSumLayer([l_a, l_b], coeffs=[1, -0.5])
    >>> x = np.array([[2.0, 4.0]], dtype="float32")
    >>> get_output(l, {l_a: x, l_b: x}).eval()
    array([[1., 2.]], dtype=float32)
    """

    def __init__(self, incomings, coeffs=1, cropping=None, **kwargs):
        incomings = list(incomings)
        coeff_list = list(coeffs) if isinstance(coeffs, (list, tuple)) \
            else [coeffs] * len(incomings)
        owner = type(self).__name__ + (f" {kwargs['name']!r}" if kwargs.get("name") else "")
        if len(coeff_list) != len(incomings):
            raise ValueError(
                f"{owner}: got {len(coeff_list)} coeffs for {len(incomings)} incomings"
            )
        if any(isinstance(c, (bool, np.bool_)) or not isinstance(c, numbers.Real)
               for c in coeff_list):
            raise ValueError(f"{owner}: coeffs must be numbers, got {coeffs!r}")
        super().__init__(incomings, pt.add, cropping=cropping, **kwargs)
        self.coeffs = coeff_list

    def get_output_for(self, inputs, **kwargs):
        # NumPy scalars of the input dtype keep float32 sums float32
        scaled = [x if c == 1 else x * np.dtype(x.dtype).type(c)
                  for c, x in zip(self.coeffs, inputs)]
        return super().get_output_for(scaled, **kwargs)
