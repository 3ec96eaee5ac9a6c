"""Small helpers shared by layers, updates and estimators.

adaptnet works in float32 whatever ``pytensor.config.floatX`` says: every
parameter, hyperparameter and input it creates goes through :func:`floatX`
or :func:`shared_scalar`, and no global PyTensor setting is changed.
"""
import numbers

import numpy as np
import pytensor
import pytensor.tensor as pt

FLOATX = "float32"


def floatX(arr):
    """Return ``arr`` as a float32 NumPy array (a copy only when needed).

    Parameters
    ----------
    arr : array_like
        Any array-like value.

    Returns
    -------
    numpy.ndarray
        ``arr`` converted to float32.

    Examples
    --------
    >>> floatX([1, 2]).dtype
    dtype('float32')
    """
    return np.asarray(arr, dtype=FLOATX)


def shared_scalar(value, name=None):
    """Create a float32 scalar shared variable.

    Hyperparameters that change during training (learning rate, momentum,
    the gradient reversal weight) are shared scalars, so a schedule sets them
    between calls of a compiled function without recompiling.

    Parameters
    ----------
    value : float
        Initial value.
    name : str, optional
        Name of the shared variable.

    Returns
    -------
    pytensor.compile.SharedVariable
        A 0-d float32 shared variable.

    Examples
    --------
    >>> lr = shared_scalar(0.01, name="learning_rate")
    >>> lr.set_value(np.float32(0.001))
    >>> float(lr.get_value())  # doctest: +ELLIPSIS
    0.0010...
    """
    return pytensor.shared(np.asarray(value, dtype=FLOATX), name=name)


def as_tuple(x, N, t=None):
    """Coerce ``x`` to a tuple of length ``N`` (Lasagne's ``utils.as_tuple``).

    Parameters
    ----------
    x : value or iterable
        A single value is repeated ``N`` times.
    N : int
        Length of the result.
    t : type or tuple of types, optional
        Required type of every element.

    Returns
    -------
    tuple

    Raises
    ------
    ValueError
        If ``x`` has the wrong length.
    TypeError
        If an element is not of type ``t``.

    Examples
    --------
    >>> as_tuple(3, 2)
    (3, 3)
    >>> as_tuple((1, 2), 2, int)
    (1, 2)
    """
    try:
        X = tuple(x)
    except TypeError:
        X = (x,) * N
    if t is not None and not all(isinstance(v, t) for v in X):
        raise TypeError(f"expected a single value or an iterable of {t}, got {x!r} instead")
    if len(X) != N:
        raise ValueError(f"expected a single value or an iterable with length {N}, got {x!r} instead")
    return X


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_positive_int(value, name, owner):
    """Return ``value`` as an int, raising when it is not a positive integer.

    Parameters
    ----------
    value : object
        The value to check.
    name : str
        Argument name used in the error message.
    owner : str
        Class or function name used in the error message.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If ``value`` is not a positive integer.

    Examples
    --------
    >>> check_positive_int(3, "num_units", "DenseLayer")
    3
    """
    if not _is_int(value) or value <= 0:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


def check_non_negative_int(value, name, owner):
    """Return ``value`` as an int, raising when it is not an integer >= 0.

    Parameters
    ----------
    value : object
        The value to check (``patience``, ``cooldown``, ``start_from_epoch``).
    name : str
        Argument name used in the error message.
    owner : str
        Class name used in the error message.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If ``value`` is not an integer >= 0.

    Examples
    --------
    >>> check_non_negative_int(0, "patience", "EarlyStopping")
    0
    >>> check_non_negative_int(-1, "patience", "EarlyStopping")
    Traceback (most recent call last):
    ...
    ValueError: EarlyStopping: patience must be an integer >= 0, got -1
    """
    if not _is_int(value) or value < 0:
        raise ValueError(f"{owner}: {name} must be an integer >= 0, got {value!r}")
    return int(value)


def create_param(spec, shape, name=None):
    """Create a float32 shared parameter from an initializer, array or expression.

    Mirrors Lasagne's ``utils.create_param``: ``spec`` may be a callable
    (an :mod:`adaptnet.init` initializer or any ``f(shape) -> array``), a
    NumPy array of the right shape, or an existing shared variable / PyTensor
    expression, which is used as is.

    Parameters
    ----------
    spec : callable, numpy.ndarray or pytensor variable
        Where the initial value comes from.
    shape : tuple of int
        Expected shape.
    name : str, optional
        Name of the created shared variable.

    Returns
    -------
    pytensor variable
        A shared variable (or the given expression).

    Raises
    ------
    ValueError
        If ``shape`` has non-positive entries or the value has the wrong shape.
    TypeError
        If ``spec`` is of an unsupported kind.

    Examples
    --------
    >>> from adaptnet import init
    >>> W = create_param(init.Constant(0.5), (2, 3), name="W")
    >>> W.get_value().shape, W.get_value().dtype
    ((2, 3), dtype('float32'))
    """
    shape = tuple(shape)
    if any(d <= 0 for d in shape):
        raise ValueError(f"cannot create param {name!r} with a non-positive shape {shape}")
    if isinstance(spec, pt.TensorVariable) or isinstance(spec, pytensor.compile.SharedVariable):
        if spec.ndim != len(shape):
            raise ValueError(
                f"param {name!r}: expected a variable with {len(shape)} dimensions, got {spec.ndim}"
            )
        return spec
    if isinstance(spec, np.ndarray):
        arr = spec
    elif callable(spec):
        arr = np.asarray(spec(shape))
    else:
        raise TypeError(
            f"param {name!r}: expected an initializer, a numpy array or a PyTensor variable, got {spec!r}"
        )
    if arr.shape != shape:
        raise ValueError(f"param {name!r}: expected an array of shape {shape}, got {arr.shape}")
    return pytensor.shared(floatX(arr), name=name)


def unique(seq):
    """Return the elements of ``seq`` in order, without duplicates (by identity).

    Parameters
    ----------
    seq : iterable

    Returns
    -------
    list

    Examples
    --------
    >>> unique([1, 2, 1, 3])
    [1, 2, 3]
    """
    seen, out = set(), []
    for item in seq:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out
