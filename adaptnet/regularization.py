"""Weight penalties, compatible with ``lasagne.regularization``.

Typical use adds a penalty on the regularizable parameters (weights, not
biases) to the training loss::

    loss = loss + 1e-4 * regularize_network_params(l_out, l2)
"""
import numbers

import numpy as np
import pytensor.tensor as pt

from .layers.base import Layer
from .layers.helper import get_all_params
from .utils import FLOATX

__all__ = [
    "l1", "l2", "apply_penalty", "regularize_layer_params", "regularize_layer_params_weighted",
    "regularize_network_params",
]


def l1(x):
    """L1 penalty: the sum of absolute values.

    Parameters
    ----------
    x : PyTensor expression

    Returns
    -------
    PyTensor scalar

    Examples
    --------
    >>> float(l1(pt.constant(np.array([1.0, -2.0], dtype="float32"))).eval())
    3.0
    """
    return pt.sum(pt.abs(x))


def l2(x):
    """Squared L2 penalty: the sum of squares (no factor 1/2, as in Lasagne).

    Parameters
    ----------
    x : PyTensor expression

    Returns
    -------
    PyTensor scalar

    Examples
    --------
    >>> float(l2(pt.constant(np.array([1.0, -2.0], dtype="float32"))).eval())
    5.0
    """
    return pt.sum(pt.square(x))


def apply_penalty(tensor_or_tensors, penalty, **kwargs):
    """Apply a penalty to one tensor or sum it over a list of tensors.

    Parameters
    ----------
    tensor_or_tensors : PyTensor expression or list of expressions
    penalty : callable
        ``penalty(x, **kwargs) -> scalar``, e.g. :func:`l1` or :func:`l2`.
    **kwargs
        Passed to ``penalty``.

    Returns
    -------
    PyTensor scalar
        A float32 zero for an empty list.

    Raises
    ------
    TypeError
        If ``penalty`` is not callable.

    Examples
    --------
    >>> a = pt.constant(np.ones(2, dtype="float32"))
    >>> float(apply_penalty([a, 2 * a], l2).eval())
    10.0
    """
    if not callable(penalty):
        raise TypeError(f"apply_penalty: penalty must be callable, got {penalty!r}")
    if isinstance(tensor_or_tensors, (list, tuple)):
        total = pt.constant(np.asarray(0, dtype=FLOATX))
        for x in tensor_or_tensors:
            total = total + penalty(x, **kwargs)
        return total
    return penalty(tensor_or_tensors, **kwargs)


def _default_tags(tags):
    return {"regularizable": True} if tags is None else dict(tags)


def regularize_layer_params(layer, penalty, tags=None, **kwargs):
    """Penalty on the parameters of one layer or a list of layers (not their inputs).

    Parameters
    ----------
    layer : Layer or list of Layer
    penalty : callable
    tags : dict, optional
        Parameter tag filter (default ``{'regularizable': True}``).
    **kwargs
        Passed to ``penalty``.

    Returns
    -------
    PyTensor scalar

    Raises
    ------
    TypeError
        If ``layer`` is neither a Layer nor a list of layers.

    Examples
    --------
    >>> from adaptnet import init
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> l = DenseLayer(InputLayer((None, 2)), 3, W=init.Constant(1.0), b=init.Constant(5.0))
    >>> float(regularize_layer_params(l, l1).eval())  # the bias is not regularizable
    6.0
    """
    layers = [layer] if isinstance(layer, Layer) else layer
    if not isinstance(layers, (list, tuple)) or not all(isinstance(l, Layer) for l in layers):
        raise TypeError(
            f"regularize_layer_params: layer must be a Layer or a list of layers, got {layer!r}"
        )
    params = []
    for l in layers:
        params.extend(l.get_params(**_default_tags(tags)))
    return apply_penalty(params, penalty, **kwargs)


def regularize_layer_params_weighted(layers, penalty, tags=None, **kwargs):
    """Weighted sum of per-layer penalties.

    Parameters
    ----------
    layers : dict
        Maps each layer to its coefficient.
    penalty : callable
    tags : dict, optional
        Parameter tag filter (default ``{'regularizable': True}``).
    **kwargs
        Passed to ``penalty``.

    Returns
    -------
    PyTensor scalar

    Raises
    ------
    TypeError
        If ``layers`` is not a dict of layers to numbers.

    Examples
    --------
    >>> from adaptnet import init
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> l1_ = DenseLayer(InputLayer((None, 2)), 2, W=init.Constant(1.0))
    >>> l2_ = DenseLayer(l1_, 1, W=init.Constant(2.0))
    >>> round(float(regularize_layer_params_weighted({l1_: 0.5, l2_: 0.1}, l2).eval()), 5)
    2.8
    """
    if not isinstance(layers, dict) or not all(
            isinstance(l, Layer) and isinstance(w, numbers.Real) for l, w in layers.items()):
        raise TypeError(
            "regularize_layer_params_weighted: layers must be a dict mapping layers to numeric "
            f"coefficients, got {layers!r}"
        )
    total = pt.constant(np.asarray(0, dtype=FLOATX))
    for l, coeff in layers.items():
        # a NumPy float32 coefficient keeps the penalty float32
        penalty_value = apply_penalty(l.get_params(**_default_tags(tags)), penalty, **kwargs)
        total = total + np.float32(coeff) * penalty_value
    return total


def regularize_network_params(layer, penalty, tags=None, **kwargs):
    """Penalty on the parameters of a whole network (every layer below ``layer``).

    Parameters
    ----------
    layer : Layer or list of Layer
        The output layer(s).
    penalty : callable
    tags : dict, optional
        Parameter tag filter (default ``{'regularizable': True}``).
    **kwargs
        Passed to ``penalty``.

    Returns
    -------
    PyTensor scalar

    Examples
    --------
    >>> from adaptnet import init
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> l = DenseLayer(DenseLayer(InputLayer((None, 2)), 2, W=init.Constant(1.0)), 1,
    ...                W=init.Constant(3.0))
    >>> float(regularize_network_params(l, l2).eval())  # 4 * 1 + 2 * 9
    22.0
    """
    return apply_penalty(get_all_params(layer, **_default_tags(tags)), penalty, **kwargs)
