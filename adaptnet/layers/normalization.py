"""Batch normalization, compatible with ``lasagne.layers.normalization``."""
import numbers
import warnings

import numpy as np
import pytensor.tensor as pt

from .. import init, nonlinearities
from .base import Layer
from .special import NonlinearityLayer

__all__ = ["BatchNormLayer", "batch_norm"]


def _running_average(param, batch_stat, keep, new):
    """A copy of ``param`` sharing its storage, whose default update is the moving average.

    The copy takes the static shape of ``batch_stat``: PyTensor requires a
    default update to have exactly the type of its variable, and the batch
    statistics may know their shape statically (e.g. for constant inputs).
    """
    static_type = pt.TensorType(param.dtype, shape=batch_stat.type.shape)
    running = type(param)(name=param.name, type=static_type, value=None, strict=None,
                          container=param.container)
    with warnings.catch_warnings():
        # PyTensor 3 deprecates default_update, but it is the only way for a layer to
        # attach an update to its output; estimators compile it without extra plumbing
        warnings.simplefilter("ignore", DeprecationWarning)
        running.default_update = keep * running + new * batch_stat
    return running


class BatchNormLayer(Layer):
    """Batch normalization (Ioffe & Szegedy, 2015).

    Normalizes the input over ``axes`` with the statistics of the mini-batch
    while training, ``(x - mean) * inv_std * gamma + beta``, and keeps
    exponential running averages of the batch mean and inverse standard
    deviation for inference (``deterministic=True``).

    Parameters
    ----------
    incoming : Layer or tuple
    axes : 'auto', int or tuple of int
        Axes to normalize over. ``'auto'`` is the batch axis and every axis
        after the second, i.e. per feature for dense inputs and per channel
        for convolutional ones.
    epsilon : float
        Added to the variance for numerical stability (positive).
    alpha : float
        Weight of the new batch statistics in the running averages
        (``running = (1 - alpha) * running + alpha * batch``), in [0, 1].
    beta, gamma : initializer, array, shared variable or None
        Shift and scale, of the input shape without ``axes``; ``None`` for
        none. ``gamma`` is regularizable, ``beta`` is not.
    mean, inv_std : initializer, array or shared variable
        Running averages; tagged non-trainable and non-regularizable.
    name : str, optional

    Raises
    ------
    ValueError
        If an axis does not exist, the kept dimensions are unknown, or
        ``epsilon``/``alpha`` are out of range.

    Notes
    -----
    :meth:`get_output_for` accepts ``batch_norm_use_averages`` (default:
    ``deterministic``) and ``batch_norm_update_averages`` (default: ``not
    deterministic``). When updating, the running averages are copies of
    ``layer.mean`` and ``layer.inv_std`` that share their storage and carry a
    ``default_update``, so any function compiled from the training output
    updates them on each call without listing them in ``updates``, and
    outputs built otherwise are unaffected.

    Examples
    --------
    >>> import numpy as np
    >>> from adaptnet.layers import InputLayer, get_output
    >>> l = BatchNormLayer(InputLayer((None, 2)))
    >>> x = np.array([[0.0, 1.0], [2.0, 5.0]], dtype="float32")
    >>> get_output(l, x, deterministic=True).eval()  # running averages start at 0 and 1
    array([[0., 1.],
           [2., 5.]], dtype=float32)
    >>> get_output(l, x).eval().round(3)  # batch statistics; updates the averages
    array([[-1., -1.],
           [ 1.,  1.]], dtype=float32)
    >>> l.mean.get_value()  # 0.9 * 0 + 0.1 * batch mean
    array([0.1, 0.3], dtype=float32)
    """

    def __init__(self, incoming, axes="auto", epsilon=1e-4, alpha=0.1, beta=init.Constant(0),
                 gamma=init.Constant(1), mean=init.Constant(0), inv_std=init.Constant(1),
                 **kwargs):
        super().__init__(incoming, **kwargs)
        ndim = len(self.input_shape)
        if isinstance(axes, str) and axes == "auto":
            axes = (0,) + tuple(range(2, ndim))
        elif isinstance(axes, numbers.Integral):
            axes = (axes,)
        axes = tuple(axes)
        if not axes or any(not isinstance(a, numbers.Integral) or not -ndim <= a < ndim
                           for a in axes):
            raise ValueError(
                f"{self._label()}: axes must be 'auto' or axes of the {ndim}-d input "
                f"{self.input_shape}, got axes={axes!r}"
            )
        self.axes = tuple(sorted({int(a) % ndim for a in axes}))
        if not isinstance(epsilon, numbers.Real) or not epsilon > 0:
            raise ValueError(f"{self._label()}: epsilon must be a positive number, got {epsilon!r}")
        if not isinstance(alpha, numbers.Real) or not 0 <= alpha <= 1:
            raise ValueError(f"{self._label()}: alpha must be a number in [0, 1], got {alpha!r}")
        self.epsilon = epsilon
        self.alpha = alpha
        shape = tuple(s for a, s in enumerate(self.input_shape) if a not in self.axes)
        if any(s is None for s in shape):
            raise ValueError(
                f"{self._label()}: the input sizes of all axes not normalized over must be known, "
                f"got input shape {self.input_shape} with axes={self.axes}"
            )
        self.beta = None if beta is None else self.add_param(
            beta, shape, "beta", trainable=True, regularizable=False)
        self.gamma = None if gamma is None else self.add_param(
            gamma, shape, "gamma", trainable=True, regularizable=True)
        self.mean = self.add_param(mean, shape, "mean", trainable=False, regularizable=False)
        self.inv_std = self.add_param(inv_std, shape, "inv_std", trainable=False,
                                      regularizable=False)

    def get_output_for(self, input, deterministic=False, batch_norm_use_averages=None,
                       batch_norm_update_averages=None, **kwargs):
        f = np.dtype(input.dtype).type
        input_mean = input.mean(self.axes)
        input_inv_std = pt.reciprocal(pt.sqrt(input.var(self.axes) + f(self.epsilon)))
        use_averages = deterministic if batch_norm_use_averages is None \
            else batch_norm_use_averages
        update_averages = (not deterministic) if batch_norm_update_averages is None \
            else batch_norm_update_averages
        if use_averages:
            mean, inv_std = self.mean, self.inv_std
        else:
            mean, inv_std = input_mean, input_inv_std
        if update_averages:
            keep, new = f(1 - self.alpha), f(self.alpha)
            running_mean = _running_average(self.mean, input_mean, keep, new)
            running_inv_std = _running_average(self.inv_std, input_inv_std, keep, new)
            # multiplying by zero adds the copies to the graph, so that compiling the
            # output picks up their default updates
            mean = mean + f(0) * running_mean
            inv_std = inv_std + f(0) * running_inv_std
        param_axes = iter(range(input.ndim - len(self.axes)))
        pattern = ["x" if a in self.axes else next(param_axes) for a in range(input.ndim)]
        scale = inv_std.dimshuffle(pattern)
        if self.gamma is not None:
            scale = scale * self.gamma.dimshuffle(pattern)
        out = (input - mean.dimshuffle(pattern)) * scale
        if self.beta is not None:
            out = out + self.beta.dimshuffle(pattern)
        return out


def batch_norm(layer, **kwargs):
    """Insert batch normalization after ``layer``, before its nonlinearity.

    Removes the layer's bias (``beta`` takes its role) and nonlinearity,
    adds a :class:`BatchNormLayer`, and re-applies the nonlinearity in a
    :class:`NonlinearityLayer` on top.

    Parameters
    ----------
    layer : Layer
        Usually a :class:`DenseLayer` or convolution layer; it is modified in place.
    **kwargs
        Passed to :class:`BatchNormLayer`. Without ``name``, the new layers
        are called ``"<layer name>_bn"`` and ``"<layer name>_bn_nonlin"``
        when ``layer`` has a name.

    Returns
    -------
    Layer
        The batch-norm layer, or the nonlinearity layer on top of it.

    Raises
    ------
    TypeError
        If ``layer`` is not a Layer.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, DenseLayer, get_all_layers
    >>> l = batch_norm(DenseLayer(InputLayer((None, 5)), 3, name="hidden"))
    >>> [(type(x).__name__, x.name) for x in get_all_layers(l)[1:]]
    [('DenseLayer', 'hidden'), ('BatchNormLayer', 'hidden_bn'), ('NonlinearityLayer', 'hidden_bn_nonlin')]
    >>> get_all_layers(l)[1].b is None
    True
    """
    if not isinstance(layer, Layer):
        raise TypeError(f"batch_norm: layer must be a Layer, got {layer!r}")
    bn_name = kwargs.pop("name", None) or (f"{layer.name}_bn" if layer.name else None)
    # built before `layer` is modified, so that bad arguments leave it untouched
    out = BatchNormLayer(layer, name=bn_name, **kwargs)
    nonlinearity = getattr(layer, "nonlinearity", None)
    if nonlinearity is not None:
        layer.nonlinearity = nonlinearities.identity
    if getattr(layer, "b", None) is not None:
        del layer.params[layer.b]
        layer.b = None
    if nonlinearity is not None:
        out = NonlinearityLayer(out, nonlinearity, name=bn_name and f"{bn_name}_nonlin")
    return out
