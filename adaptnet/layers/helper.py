"""Functions that walk a layer graph, compatible with ``lasagne.layers.helper``."""
from collections import deque

import numpy as np
import pytensor.tensor as pt

from ..utils import floatX, unique
from .base import Layer, MergeLayer
from .input import InputLayer

__all__ = [
    "get_all_layers", "get_output", "get_output_shape", "get_all_params", "count_params",
    "get_all_param_values", "set_all_param_values",
]


def _as_list(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _parents(layer):
    if isinstance(layer, MergeLayer):
        return [p for p in layer.input_layers if p is not None]
    if isinstance(layer, Layer) and layer.input_layer is not None:
        return [layer.input_layer]
    return []


def get_all_layers(layer, treat_as_input=None):
    """Return every layer that ``layer`` depends on, in topological order.

    Parameters
    ----------
    layer : Layer or list of Layer
        The output layer(s).
    treat_as_input : list of Layer, optional
        Layers whose inputs are not followed.

    Returns
    -------
    list of Layer
        Inputs first, ``layer`` last.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> l_in = InputLayer((None, 4))
    >>> l_out = DenseLayer(DenseLayer(l_in, 3), 2)
    >>> [type(l).__name__ for l in get_all_layers(l_out)]
    ['InputLayer', 'DenseLayer', 'DenseLayer']
    """
    stop = {id(l) for l in (treat_as_input or [])}
    result, done, seen = [], set(), set()
    stack = deque(reversed(_as_list(layer)))
    while stack:
        node = stack[-1]
        if id(node) in done:
            stack.pop()
            continue
        parents = [] if id(node) in stop else _parents(node)
        pending = [p for p in parents if id(p) not in done]
        if id(node) in seen or not pending:
            stack.pop()
            done.add(id(node))
            result.append(node)
        else:
            seen.add(id(node))
            stack.extend(reversed(pending))
    return result


def _input_expression(value):
    if isinstance(value, np.ndarray):
        value = floatX(value) if value.dtype.kind == "f" else value
        return pt.constant(value)
    return pt.as_tensor_variable(value)


def get_output(layer_or_layers, inputs=None, **kwargs):
    """Build the symbolic output of one or more layers.

    Parameters
    ----------
    layer_or_layers : Layer or list of Layer
    inputs : None, array, expression or dict, optional
        ``None`` uses each :class:`InputLayer`'s ``input_var``; a single
        array or expression replaces the (only) input layer's variable; a
        dict maps layers to arrays or expressions and may also replace the
        output of any intermediate layer.
    **kwargs
        Passed to every layer's ``get_output_for``, such as
        ``deterministic=True`` (no dropout or noise, batch-norm running
        averages).

    Returns
    -------
    PyTensor expression or list of expressions

    Raises
    ------
    ValueError
        If an input layer has no value and no ``input_var``, or a single
        input is given to a network with several input layers.

    Examples
    --------
    >>> import numpy as np
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> from adaptnet import init
    >>> l = DenseLayer(InputLayer((None, 2)), 1, W=init.Constant(1.0), nonlinearity=None)
    >>> get_output(l, np.array([[1.0, 2.0]], dtype="float32")).eval()
    array([[3.]], dtype=float32)
    """
    layers = _as_list(layer_or_layers)
    treat_as_input = list(inputs.keys()) if isinstance(inputs, dict) else []
    all_layers = get_all_layers(layers, treat_as_input)
    outputs = {}
    if isinstance(inputs, dict):
        for key, value in inputs.items():
            outputs[id(key)] = _input_expression(value)
    elif inputs is not None:
        input_layers = [l for l in all_layers if isinstance(l, InputLayer)]
        if len(input_layers) != 1:
            raise ValueError(
                f"get_output: a single input was given, but the network has {len(input_layers)} "
                "input layers; pass a dict {input_layer: value} instead"
            )
        outputs[id(input_layers[0])] = _input_expression(inputs)
    for layer in all_layers:
        if id(layer) in outputs:
            continue
        if isinstance(layer, InputLayer):
            outputs[id(layer)] = layer.input_var
        elif isinstance(layer, MergeLayer):
            outputs[id(layer)] = layer.get_output_for(
                [outputs[id(p)] for p in layer.input_layers], **kwargs)
        else:
            if layer.input_layer is None:
                raise ValueError(
                    f"get_output: layer {layer._label()} was built from a shape tuple and has no "
                    "input layer; pass its input in `inputs`"
                )
            outputs[id(layer)] = layer.get_output_for(outputs[id(layer.input_layer)], **kwargs)
    result = [outputs[id(l)] for l in layers]
    return result if isinstance(layer_or_layers, (list, tuple)) else result[0]


def get_output_shape(layer_or_layers, input_shapes=None):
    """Compute the output shape of one or more layers.

    Parameters
    ----------
    layer_or_layers : Layer or list of Layer
    input_shapes : tuple or dict, optional
        Replacement shapes for the input layer(s); by default the shapes
        given at construction are used.

    Returns
    -------
    tuple or list of tuple

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> l = DenseLayer(InputLayer((None, 10)), 3)
    >>> get_output_shape(l), get_output_shape(l, (7, 10))
    ((None, 3), (7, 3))
    """
    layers = _as_list(layer_or_layers)
    if input_shapes is None:
        shapes = [l.output_shape for l in layers]
        return shapes if isinstance(layer_or_layers, (list, tuple)) else shapes[0]
    treat_as_input = list(input_shapes.keys()) if isinstance(input_shapes, dict) else []
    all_layers = get_all_layers(layers, treat_as_input)
    known = {}
    if isinstance(input_shapes, dict):
        known = {id(k): tuple(v) for k, v in input_shapes.items()}
    else:
        input_layers = [l for l in all_layers if isinstance(l, InputLayer)]
        if len(input_layers) != 1:
            raise ValueError(
                f"get_output_shape: a single input shape was given, but the network has "
                f"{len(input_layers)} input layers; pass a dict instead"
            )
        known[id(input_layers[0])] = tuple(input_shapes)
    for layer in all_layers:
        if id(layer) in known:
            continue
        if isinstance(layer, InputLayer):
            known[id(layer)] = layer.shape
        elif isinstance(layer, MergeLayer):
            known[id(layer)] = layer.get_output_shape_for([known[id(p)] for p in layer.input_layers])
        else:
            known[id(layer)] = layer.get_output_shape_for(known[id(layer.input_layer)])
    shapes = [known[id(l)] for l in layers]
    return shapes if isinstance(layer_or_layers, (list, tuple)) else shapes[0]


def get_all_params(layer, unwrap_shared=True, **tags):
    """Return the parameters of every layer below ``layer``, without duplicates.

    Parameters
    ----------
    layer : Layer or list of Layer
    unwrap_shared : bool
        Kept for Lasagne compatibility.
    **tags
        Filters such as ``trainable=True`` or ``regularizable=True``.

    Returns
    -------
    list of shared variables

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> l = DenseLayer(InputLayer((None, 4)), 3)
    >>> [p.name for p in get_all_params(l)], [p.name for p in get_all_params(l, regularizable=True)]
    (['W', 'b'], ['W'])
    """
    params = []
    for l in get_all_layers(layer):
        params.extend(l.get_params(unwrap_shared=unwrap_shared, **tags) if l.params else [])
    return unique(params)


def count_params(layer, **tags):
    """Count the scalar parameters of a network.

    Parameters
    ----------
    layer : Layer or list of Layer
    **tags
        As in :func:`get_all_params`.

    Returns
    -------
    int

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> count_params(DenseLayer(InputLayer((None, 4)), 3))
    15
    """
    return int(sum(np.prod(p.get_value().shape) for p in get_all_params(layer, **tags)))


def get_all_param_values(layer, **tags):
    """Return copies of the parameter values of a network, in :func:`get_all_params` order.

    Parameters
    ----------
    layer : Layer or list of Layer
    **tags
        As in :func:`get_all_params`.

    Returns
    -------
    list of numpy.ndarray

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> [v.shape for v in get_all_param_values(DenseLayer(InputLayer((None, 4)), 3))]
    [(4, 3), (3,)]
    """
    return [p.get_value() for p in get_all_params(layer, **tags)]


def set_all_param_values(layer, values, **tags):
    """Set the parameter values of a network from a list of arrays.

    Parameters
    ----------
    layer : Layer or list of Layer
    values : list of numpy.ndarray
        In :func:`get_all_params` order, as returned by :func:`get_all_param_values`.
    **tags
        As in :func:`get_all_params`.

    Raises
    ------
    ValueError
        If the number of arrays or a shape does not match; nothing is set then.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> l = DenseLayer(InputLayer((None, 4)), 3)
    >>> set_all_param_values(l, [np.ones((4, 3)), np.zeros(3)])
    >>> float(l.W.get_value().sum())
    12.0
    """
    params = get_all_params(layer, **tags)
    if len(params) != len(values):
        raise ValueError(
            f"set_all_param_values: expected {len(params)} arrays, got {len(values)}"
        )
    for p, v in zip(params, values):
        if p.get_value().shape != np.shape(v):
            raise ValueError(
                f"set_all_param_values: parameter {p.name!r} has shape {p.get_value().shape}, "
                f"got a value of shape {np.shape(v)}"
            )
    for p, v in zip(params, values):
        p.set_value(np.asarray(v, dtype=p.dtype))
