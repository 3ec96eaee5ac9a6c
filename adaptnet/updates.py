"""Update rules for gradient descent, compatible with ``lasagne.updates``.

Each rule takes a loss (or a list of gradients) and a list of shared
parameters and returns an ``OrderedDict`` mapping every shared variable to
its update expression, ready for ``pytensor.function(..., updates=...)``.

Optimizer slot variables (velocities, accumulators, Adam's step counter) are
shared variables created by the rule; they appear as keys of the returned
dict, named after their parameter (``"dense.W.velocity"``), so estimators can
save and restore them. Hyperparameters (learning rate, momentum, rho, betas)
may be Python floats or PyTensor scalars such as
:func:`adaptnet.utils.shared_scalar` variables; shared ones can be changed
between calls of the compiled function without recompiling. Every update
expression keeps the dtype of its shared variable (float32 by default).
"""
import numbers
from collections import OrderedDict

import numpy as np
import pytensor
import pytensor.tensor as pt

__all__ = [
    "get_or_compute_grads", "sgd", "apply_momentum", "momentum", "apply_nesterov_momentum",
    "nesterov_momentum", "adagrad", "rmsprop", "adadelta", "adam", "adamax", "norm_constraint",
    "total_norm_constraint",
]


def _hyper(value, dtype, name, owner, low=None, high=None, high_open=False):
    """Return a hyperparameter as a scalar expression of ``dtype``, checking plain numbers.

    Casting (rather than using the value as is) keeps float32 graphs float32
    when a float64 shared variable or a Python float is given.
    """
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be a number or a PyTensor scalar, got {value!r}")
    if isinstance(value, numbers.Real):
        bad = not np.isfinite(value) or (low is not None and value < low) \
            or (high is not None and (value >= high if high_open else value > high))
        if bad:
            interval = f"[{low}, {high}{')' if high_open else ']'}" if high is not None \
                else f">= {low}"
            raise ValueError(
                f"{owner}: {name} must be a finite number in {interval}, got {value!r}"
            )
        return pt.constant(np.asarray(value, dtype=dtype))
    if isinstance(value, pytensor.graph.basic.Variable) and getattr(value, "ndim", None) == 0:
        return pt.cast(value, dtype)
    raise TypeError(f"{owner}: {name} must be a number or a PyTensor scalar, got {value!r}")


def _slot(param, index, suffix):
    """Create a zero-filled shared variable like ``param``, named ``"<param name>.<suffix>"``."""
    value = param.get_value(borrow=True)
    base = param.name if param.name else f"param{index}"
    return pytensor.shared(np.zeros(value.shape, dtype=value.dtype), name=f"{base}.{suffix}",
                           shape=param.type.shape)


def _float_dtype(params):
    return params[0].dtype if params else "float32"


def get_or_compute_grads(loss_or_grads, params):
    """Return the gradients of a loss with respect to ``params``, or check given ones.

    Parameters
    ----------
    loss_or_grads : PyTensor scalar or list of expressions
        A scalar loss to differentiate, or the gradients themselves.
    params : list of shared variables
        The parameters to update.

    Returns
    -------
    list of PyTensor expressions
        One gradient per parameter.

    Raises
    ------
    ValueError
        If a parameter is not a shared variable, or the number of given
        gradients differs from the number of parameters.

    Examples
    --------
    >>> import pytensor
    >>> w = pytensor.shared(np.float32(3.0), name="w")
    >>> [g] = get_or_compute_grads(w ** 2, [w])
    >>> float(g.eval())
    6.0
    """
    params = list(params)
    for p in params:
        if not isinstance(p, pytensor.compile.SharedVariable):
            raise ValueError(
                f"get_or_compute_grads: params must contain shared variables only, got {p!r}; "
                "to optimize over an expression, pass the shared variables it is built from"
            )
    if isinstance(loss_or_grads, (list, tuple)):
        if len(loss_or_grads) != len(params):
            raise ValueError(
                f"get_or_compute_grads: got {len(loss_or_grads)} gradients for {len(params)} params"
            )
        return list(loss_or_grads)
    return pytensor.grad(loss_or_grads, params)


def sgd(loss_or_grads, params, learning_rate):
    """Stochastic gradient descent: ``param - learning_rate * grad``.

    Parameters
    ----------
    loss_or_grads : PyTensor scalar or list of expressions
    params : list of shared variables
    learning_rate : float or PyTensor scalar

    Returns
    -------
    OrderedDict
        Parameter -> update expression.

    Examples
    --------
    >>> import pytensor
    >>> w = pytensor.shared(np.float32(3.0), name="w")
    >>> step = pytensor.function([], [], updates=sgd(w ** 2, [w], learning_rate=0.25))
    >>> step(); float(w.get_value())
    []
    1.5
    """
    params = list(params)
    grads = get_or_compute_grads(loss_or_grads, params)
    lr = _hyper(learning_rate, _float_dtype(params), "learning_rate", "sgd", low=0)
    updates = OrderedDict()
    for param, grad in zip(params, grads):
        updates[param] = param - lr * grad
    return updates


def apply_momentum(updates, params=None, momentum=0.9):
    """Add classical momentum to existing updates.

    With ``x = param + step`` the plain update, the new update is
    ``x' = momentum * velocity + x`` and ``velocity <- x' - param``.

    Parameters
    ----------
    updates : OrderedDict
        Parameter -> update expression, for instance from :func:`sgd`.
    params : list of shared variables, optional
        The parameters to add momentum to (default: every key of ``updates``).
    momentum : float or PyTensor scalar
        Velocity decay, in [0, 1) when a number.

    Returns
    -------
    OrderedDict
        A copy of ``updates`` with the parameter updates replaced and one
        ``"<param name>.velocity"`` slot per parameter added.

    Raises
    ------
    ValueError
        If ``momentum`` is a number outside [0, 1) or a parameter has no update.

    Examples
    --------
    >>> import pytensor
    >>> w = pytensor.shared(np.float32(1.0), name="w")
    >>> updates = apply_momentum(sgd(w, [w], 0.1), momentum=0.5)
    >>> [v.name for v in updates]
    ['w', 'w.velocity']
    """
    params = list(updates.keys()) if params is None else list(params)
    missing = [p for p in params if p not in updates]
    if missing:
        raise ValueError(f"apply_momentum: params {missing!r} have no entry in updates")
    mom = _hyper(momentum, _float_dtype(params), "momentum", "apply_momentum",
                 low=0, high=1, high_open=True)
    updates = OrderedDict(updates)
    for i, param in enumerate(params):
        velocity = _slot(param, i, "velocity")
        x = mom * velocity + updates[param]
        updates[velocity] = x - param
        updates[param] = x
    return updates


def momentum(loss_or_grads, params, learning_rate, momentum=0.9):
    """SGD with classical momentum (:func:`sgd` followed by :func:`apply_momentum`).

    Parameters
    ----------
    loss_or_grads : PyTensor scalar or list of expressions
    params : list of shared variables
    learning_rate : float or PyTensor scalar
    momentum : float or PyTensor scalar
        In [0, 1) when a number.

    Returns
    -------
    OrderedDict

    Examples
    --------
    >>> import pytensor
    >>> w = pytensor.shared(np.float32(1.0), name="w")
    >>> step = pytensor.function([], [], updates=momentum(w, [w], 0.1, momentum=0.5))
    >>> _ = step(); _ = step()
    >>> round(float(w.get_value()), 4)  # 1 - 0.1 - (0.5 * 0.1 + 0.1)
    0.75
    """
    params = list(params)
    return apply_momentum(sgd(loss_or_grads, params, learning_rate), params, momentum)


def apply_nesterov_momentum(updates, params=None, momentum=0.9):
    """Add Nesterov momentum to existing updates.

    With ``x = param + step`` the plain update: ``velocity <- momentum *
    velocity + step`` and ``param <- param + momentum * velocity_new + step``
    (the formulation of Sutskever et al. used by Lasagne).

    Parameters
    ----------
    updates : OrderedDict
    params : list of shared variables, optional
    momentum : float or PyTensor scalar
        In [0, 1) when a number.

    Returns
    -------
    OrderedDict
        A copy of ``updates`` with ``"<param name>.velocity"`` slots added.

    Raises
    ------
    ValueError
        If ``momentum`` is a number outside [0, 1) or a parameter has no update.

    Examples
    --------
    >>> import pytensor
    >>> w = pytensor.shared(np.float32(1.0), name="w")
    >>> [v.name for v in apply_nesterov_momentum(sgd(w, [w], 0.1))]
    ['w', 'w.velocity']
    """
    params = list(updates.keys()) if params is None else list(params)
    missing = [p for p in params if p not in updates]
    if missing:
        raise ValueError(f"apply_nesterov_momentum: params {missing!r} have no entry in updates")
    mom = _hyper(momentum, _float_dtype(params), "momentum", "apply_nesterov_momentum",
                 low=0, high=1, high_open=True)
    updates = OrderedDict(updates)
    for i, param in enumerate(params):
        velocity = _slot(param, i, "velocity")
        x = mom * velocity + updates[param] - param
        updates[velocity] = x
        updates[param] = mom * x + updates[param]
    return updates


def nesterov_momentum(loss_or_grads, params, learning_rate, momentum=0.9):
    """SGD with Nesterov momentum (:func:`sgd` followed by :func:`apply_nesterov_momentum`).

    Parameters
    ----------
    loss_or_grads : PyTensor scalar or list of expressions
    params : list of shared variables
    learning_rate : float or PyTensor scalar
    momentum : float or PyTensor scalar

    Returns
    -------
    OrderedDict

    Examples
    --------
    >>> import pytensor
    >>> w = pytensor.shared(np.float32(1.0), name="w")
    >>> step = pytensor.function([], [], updates=nesterov_momentum(w, [w], 0.1, momentum=0.5))
    >>> _ = step()
    >>> round(float(w.get_value()), 4)  # 1 - 0.5 * 0.1 - 0.1
    0.85
    """
    params = list(params)
    return apply_nesterov_momentum(sgd(loss_or_grads, params, learning_rate), params, momentum)


def adagrad(loss_or_grads, params, learning_rate=1.0, epsilon=1e-6):
    """Adagrad (Duchi et al., 2011).

    ``accu <- accu + grad**2``; ``param <- param - learning_rate * grad /
    sqrt(accu + epsilon)``.

    Parameters
    ----------
    loss_or_grads : PyTensor scalar or list of expressions
    params : list of shared variables
    learning_rate : float or PyTensor scalar
    epsilon : float
        Small constant for numerical stability.

    Returns
    -------
    OrderedDict
        With one ``"<param name>.accu"`` slot per parameter.

    Examples
    --------
    >>> import pytensor
    >>> w = pytensor.shared(np.float32(1.0), name="w")
    >>> step = pytensor.function([], [], updates=adagrad(2 * w, [w], 0.1, epsilon=0.0))
    >>> _ = step()
    >>> round(float(w.get_value()), 4)  # 1 - 0.1 * 2 / 2
    0.9
    """
    params = list(params)
    grads = get_or_compute_grads(loss_or_grads, params)
    dtype = _float_dtype(params)
    lr = _hyper(learning_rate, dtype, "learning_rate", "adagrad", low=0)
    eps = _hyper(epsilon, dtype, "epsilon", "adagrad", low=0)
    updates = OrderedDict()
    for i, (param, grad) in enumerate(zip(params, grads)):
        accu = _slot(param, i, "accu")
        accu_new = accu + grad ** 2
        updates[accu] = accu_new
        updates[param] = param - lr * grad / pt.sqrt(accu_new + eps)
    return updates


def rmsprop(loss_or_grads, params, learning_rate=1.0, rho=0.9, epsilon=1e-6):
    """RMSProp (Tieleman & Hinton, 2012).

    ``accu <- rho * accu + (1 - rho) * grad**2``; ``param <- param -
    learning_rate * grad / sqrt(accu + epsilon)``.

    Parameters
    ----------
    loss_or_grads : PyTensor scalar or list of expressions
    params : list of shared variables
    learning_rate : float or PyTensor scalar
    rho : float or PyTensor scalar
        Decay of the squared-gradient average, in [0, 1] when a number.
    epsilon : float

    Returns
    -------
    OrderedDict
        With one ``"<param name>.accu"`` slot per parameter.

    Examples
    --------
    >>> import pytensor
    >>> w = pytensor.shared(np.float32(1.0), name="w")
    >>> step = pytensor.function([], [], updates=rmsprop(w, [w], 0.1, rho=0.75, epsilon=0.0))
    >>> _ = step()
    >>> round(float(w.get_value()), 4)  # 1 - 0.1 / sqrt(0.25)
    0.8
    """
    params = list(params)
    grads = get_or_compute_grads(loss_or_grads, params)
    dtype = _float_dtype(params)
    lr = _hyper(learning_rate, dtype, "learning_rate", "rmsprop", low=0)
    rho = _hyper(rho, dtype, "rho", "rmsprop", low=0, high=1)
    eps = _hyper(epsilon, dtype, "epsilon", "rmsprop", low=0)
    one = pt.constant(np.asarray(1, dtype=dtype))
    updates = OrderedDict()
    for i, (param, grad) in enumerate(zip(params, grads)):
        accu = _slot(param, i, "accu")
        accu_new = rho * accu + (one - rho) * grad ** 2
        updates[accu] = accu_new
        updates[param] = param - lr * grad / pt.sqrt(accu_new + eps)
    return updates


def adadelta(loss_or_grads, params, learning_rate=1.0, rho=0.95, epsilon=1e-6):
    """Adadelta (Zeiler, 2012).

    ``accu <- rho * accu + (1 - rho) * grad**2``; ``step = grad *
    sqrt(delta_accu + epsilon) / sqrt(accu + epsilon)``; ``param <- param -
    learning_rate * step``; ``delta_accu <- rho * delta_accu + (1 - rho) *
    step**2``.

    Parameters
    ----------
    loss_or_grads : PyTensor scalar or list of expressions
    params : list of shared variables
    learning_rate : float or PyTensor scalar
    rho : float or PyTensor scalar
        In [0, 1] when a number.
    epsilon : float

    Returns
    -------
    OrderedDict
        With ``"<param name>.accu"`` and ``"<param name>.delta_accu"`` slots.

    Examples
    --------
    >>> import pytensor
    >>> w = pytensor.shared(np.float32(1.0), name="w")
    >>> [v.name for v in adadelta(w, [w])]
    ['w.accu', 'w', 'w.delta_accu']
    """
    params = list(params)
    grads = get_or_compute_grads(loss_or_grads, params)
    dtype = _float_dtype(params)
    lr = _hyper(learning_rate, dtype, "learning_rate", "adadelta", low=0)
    rho = _hyper(rho, dtype, "rho", "adadelta", low=0, high=1)
    eps = _hyper(epsilon, dtype, "epsilon", "adadelta", low=0)
    one = pt.constant(np.asarray(1, dtype=dtype))
    updates = OrderedDict()
    for i, (param, grad) in enumerate(zip(params, grads)):
        accu = _slot(param, i, "accu")
        delta_accu = _slot(param, i, "delta_accu")
        accu_new = rho * accu + (one - rho) * grad ** 2
        updates[accu] = accu_new
        step = grad * pt.sqrt(delta_accu + eps) / pt.sqrt(accu_new + eps)
        updates[param] = param - lr * step
        updates[delta_accu] = rho * delta_accu + (one - rho) * step ** 2
    return updates


def adam(loss_or_grads, params, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Adam (Kingma & Ba, 2015), in the formulation of Lasagne.

    ``t <- t + 1``; ``m <- beta1 * m + (1 - beta1) * grad``; ``v <- beta2 * v
    + (1 - beta2) * grad**2``; ``param <- param - lr_t * m / (sqrt(v) +
    epsilon)`` with ``lr_t = learning_rate * sqrt(1 - beta2**t) / (1 -
    beta1**t)``.

    Parameters
    ----------
    loss_or_grads : PyTensor scalar or list of expressions
    params : list of shared variables
    learning_rate : float or PyTensor scalar
    beta1, beta2 : float or PyTensor scalar
        Decay rates of the moment estimates, in [0, 1) when numbers.
    epsilon : float

    Returns
    -------
    OrderedDict
        With ``"<param name>.m"`` and ``"<param name>.v"`` slots per
        parameter and the step counter ``"adam.t"`` (last).

    Examples
    --------
    >>> import pytensor
    >>> w = pytensor.shared(np.float32(1.0), name="w")
    >>> step = pytensor.function([], [], updates=adam(3 * w, [w], learning_rate=0.1))
    >>> _ = step()
    >>> round(float(w.get_value()), 4)  # the first Adam step has length learning_rate
    0.9
    """
    params = list(params)
    grads = get_or_compute_grads(loss_or_grads, params)
    dtype = _float_dtype(params)
    lr = _hyper(learning_rate, dtype, "learning_rate", "adam", low=0)
    beta1 = _hyper(beta1, dtype, "beta1", "adam", low=0, high=1, high_open=True)
    beta2 = _hyper(beta2, dtype, "beta2", "adam", low=0, high=1, high_open=True)
    eps = _hyper(epsilon, dtype, "epsilon", "adam", low=0)
    one = pt.constant(np.asarray(1, dtype=dtype))
    t_prev = pytensor.shared(np.asarray(0, dtype=dtype), name="adam.t")
    t = t_prev + one
    lr_t = lr * pt.sqrt(one - beta2 ** t) / (one - beta1 ** t)
    updates = OrderedDict()
    for i, (param, grad) in enumerate(zip(params, grads)):
        m_prev = _slot(param, i, "m")
        v_prev = _slot(param, i, "v")
        m_t = beta1 * m_prev + (one - beta1) * grad
        v_t = beta2 * v_prev + (one - beta2) * grad ** 2
        updates[m_prev] = m_t
        updates[v_prev] = v_t
        updates[param] = param - lr_t * m_t / (pt.sqrt(v_t) + eps)
    updates[t_prev] = t
    return updates


def adamax(loss_or_grads, params, learning_rate=0.002, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Adamax, the infinity-norm variant of Adam (Kingma & Ba, 2015).

    ``t <- t + 1``; ``m <- beta1 * m + (1 - beta1) * grad``; ``u <-
    max(beta2 * u, |grad|)``; ``param <- param - learning_rate / (1 -
    beta1**t) * m / (u + epsilon)``.

    Parameters
    ----------
    loss_or_grads : PyTensor scalar or list of expressions
    params : list of shared variables
    learning_rate : float or PyTensor scalar
    beta1, beta2 : float or PyTensor scalar
        In [0, 1) when numbers.
    epsilon : float

    Returns
    -------
    OrderedDict
        With ``"<param name>.m"`` and ``"<param name>.u"`` slots per
        parameter and the step counter ``"adamax.t"`` (last).

    Examples
    --------
    >>> import pytensor
    >>> w = pytensor.shared(np.float32(1.0), name="w")
    >>> step = pytensor.function([], [], updates=adamax(3 * w, [w], learning_rate=0.1))
    >>> _ = step()
    >>> round(float(w.get_value()), 4)
    0.9
    """
    params = list(params)
    grads = get_or_compute_grads(loss_or_grads, params)
    dtype = _float_dtype(params)
    lr = _hyper(learning_rate, dtype, "learning_rate", "adamax", low=0)
    beta1 = _hyper(beta1, dtype, "beta1", "adamax", low=0, high=1, high_open=True)
    beta2 = _hyper(beta2, dtype, "beta2", "adamax", low=0, high=1, high_open=True)
    eps = _hyper(epsilon, dtype, "epsilon", "adamax", low=0)
    one = pt.constant(np.asarray(1, dtype=dtype))
    t_prev = pytensor.shared(np.asarray(0, dtype=dtype), name="adamax.t")
    t = t_prev + one
    lr_t = lr / (one - beta1 ** t)
    updates = OrderedDict()
    for i, (param, grad) in enumerate(zip(params, grads)):
        m_prev = _slot(param, i, "m")
        u_prev = _slot(param, i, "u")
        m_t = beta1 * m_prev + (one - beta1) * grad
        u_t = pt.maximum(beta2 * u_prev, abs(grad))
        updates[m_prev] = m_t
        updates[u_prev] = u_t
        updates[param] = param - lr_t * m_t / (u_t + eps)
    updates[t_prev] = t
    return updates


def norm_constraint(tensor_var, max_norm, norm_axes=None, epsilon=1e-7):
    """Rescale slices of a tensor so that their L2 norm is at most ``max_norm``.

    Parameters
    ----------
    tensor_var : PyTensor expression
        Typically an updated weight matrix, e.g. ``updates[W]``.
    max_norm : float
        Largest allowed norm (positive).
    norm_axes : sequence of int, optional
        Axes the norm is taken over. By default ``(0,)`` for matrices (the
        incoming weights of each unit of a :class:`DenseLayer`) and all axes
        but the first for 3-D to 5-D tensors (each convolution filter).
    epsilon : float
        Avoids division by zero.

    Returns
    -------
    PyTensor expression
        ``tensor_var`` with every slice whose norm exceeds ``max_norm``
        scaled down to ``max_norm``.

    Raises
    ------
    ValueError
        If ``max_norm`` is not positive, or ``norm_axes`` is not given for a
        tensor of 0, 1 or more than 5 dimensions.

    Examples
    --------
    >>> W = pt.constant(np.array([[3.0, 0.1], [4.0, 0.0]], dtype="float32"))
    >>> norm_constraint(W, max_norm=1.0).eval().round(3)
    array([[0.6, 0.1],
           [0.8, 0. ]], dtype=float32)
    """
    tensor_var = pt.as_tensor_variable(tensor_var)
    if isinstance(max_norm, (bool, np.bool_)) or not isinstance(max_norm, numbers.Real) \
            or not max_norm > 0:
        raise ValueError(f"norm_constraint: max_norm must be a positive number, got {max_norm!r}")
    ndim = tensor_var.ndim
    if norm_axes is not None:
        sum_over = tuple(norm_axes)
    elif ndim == 2:
        sum_over = (0,)
    elif ndim in (3, 4, 5):
        sum_over = tuple(range(1, ndim))
    else:
        raise ValueError(
            f"norm_constraint: cannot infer norm_axes for a tensor of {ndim} dimensions; "
            "pass norm_axes"
        )
    dtype = np.dtype(tensor_var.dtype).type
    norms = pt.sqrt(pt.sum(pt.sqr(tensor_var), axis=sum_over, keepdims=True))
    target = pt.clip(norms, dtype(0), dtype(max_norm))
    return tensor_var * (target / (dtype(epsilon) + norms))


def total_norm_constraint(tensor_vars, max_norm, epsilon=1e-7, return_norm=False):
    """Rescale a list of tensors so that their joint L2 norm is at most ``max_norm``.

    Used for gradient clipping: ``grads = total_norm_constraint(grads, 10)``.

    Parameters
    ----------
    tensor_vars : list of PyTensor expressions
    max_norm : float
        Largest allowed total norm (positive).
    epsilon : float
    return_norm : bool
        Also return the total norm before rescaling.

    Returns
    -------
    list of PyTensor expressions, or (list, PyTensor scalar) when ``return_norm``

    Raises
    ------
    ValueError
        If ``tensor_vars`` is empty or ``max_norm`` is not positive.

    Examples
    --------
    >>> a = pt.constant(np.array([3.0], dtype="float32"))
    >>> b = pt.constant(np.array([4.0], dtype="float32"))
    >>> scaled, norm = total_norm_constraint([a, b], max_norm=1.0, return_norm=True)
    >>> float(norm.eval()), scaled[1].eval().round(3)
    (5.0, array([0.8], dtype=float32))
    """
    tensor_vars = [pt.as_tensor_variable(t) for t in tensor_vars]
    if not tensor_vars:
        raise ValueError("total_norm_constraint: tensor_vars must not be empty")
    if isinstance(max_norm, (bool, np.bool_)) or not isinstance(max_norm, numbers.Real) \
            or not max_norm > 0:
        raise ValueError(
            f"total_norm_constraint: max_norm must be a positive number, got {max_norm!r}"
        )
    dtype = np.dtype(tensor_vars[0].dtype).type
    norm = pt.sqrt(sum(pt.sum(pt.sqr(t)) for t in tensor_vars))
    target = pt.clip(norm, dtype(0), dtype(max_norm))
    multiplier = target / (dtype(epsilon) + norm)
    scaled = [t * multiplier for t in tensor_vars]
    return (scaled, norm) if return_norm else scaled
