"""Loss functions and metrics, compatible with ``lasagne.objectives``.

Each function takes symbolic predictions and targets and returns one value
per sample (or per element); :func:`aggregate` reduces them to a scalar.
Float targets are cast to the dtype of the predictions, so float32 graphs
stay float32.
"""
import numbers

import numpy as np
import pytensor.tensor as pt

__all__ = [
    "EPSILON", "align_targets", "binary_crossentropy", "categorical_crossentropy", "squared_error",
    "aggregate", "binary_hinge_loss", "multiclass_hinge_loss", "binary_accuracy",
    "categorical_accuracy",
]

#: Probabilities are clipped to ``[EPSILON, 1 - EPSILON]`` before taking logs.
#: 1e-7 is just above the float32 spacing below 1 (6e-8), so ``1 - EPSILON``
#: still rounds to a float32 below 1, and ``-log(EPSILON)`` (about 16.1)
#: bounds the loss of a confidently wrong prediction.
EPSILON = 1e-7


def _as_tensor(x):
    return pt.as_tensor_variable(x)


def _cast_like(targets, predictions):
    """Cast float targets to the predictions' dtype (keeps float32 graphs float32)."""
    if targets.dtype.startswith("float") and targets.dtype != predictions.dtype:
        return pt.cast(targets, predictions.dtype)
    return targets


def align_targets(predictions, targets):
    """Make a vector of targets match a column of predictions.

    Predictions of static shape ``(N, 1)`` and targets of shape ``(N,)``
    would broadcast to ``(N, N)``; the targets are turned into a column
    instead (Lasagne's ``align_targets``).

    Parameters
    ----------
    predictions, targets : PyTensor expressions

    Returns
    -------
    tuple of PyTensor expressions

    Examples
    --------
    >>> p = pt.tensor(dtype="float32", shape=(None, 1))
    >>> align_targets(p, pt.vector())[1].ndim
    2
    """
    predictions, targets = _as_tensor(predictions), _as_tensor(targets)
    if predictions.ndim == 2 and predictions.type.shape[1] == 1 and targets.ndim == 1:
        targets = targets.dimshuffle(0, "x")
    return predictions, targets


def _clip_probabilities(predictions):
    dtype = np.dtype(predictions.dtype).type
    return pt.clip(predictions, dtype(EPSILON), dtype(1.0 - EPSILON))


def binary_crossentropy(predictions, targets):
    """Binary cross-entropy ``-(t * log(p) + (1 - t) * log(1 - p))``, elementwise.

    Predictions are clipped to ``[EPSILON, 1 - EPSILON]`` (``EPSILON =
    1e-7``), so a saturated sigmoid (exactly 0 or 1 in float32) gives a large
    but finite loss instead of ``inf``/``nan``; the gradient is zero where
    clipping is active.

    Parameters
    ----------
    predictions : PyTensor expression
        Probabilities in (0, 1), e.g. sigmoid outputs.
    targets : PyTensor expression
        Targets in [0, 1], same shape as ``predictions`` (a vector is aligned
        with a ``(N, 1)`` column, see :func:`align_targets`).

    Returns
    -------
    PyTensor expression
        Elementwise loss.

    Examples
    --------
    >>> p = pt.constant(np.array([0.5, 0.9], dtype="float32"))
    >>> t = pt.constant(np.array([1.0, 0.0], dtype="float32"))
    >>> binary_crossentropy(p, t).eval().round(4)
    array([0.6931, 2.3026], dtype=float32)
    """
    predictions, targets = align_targets(predictions, targets)
    targets = _cast_like(targets, predictions)
    p = _clip_probabilities(predictions)
    one = np.dtype(p.dtype).type(1)
    return -(targets * pt.log(p) + (one - targets) * pt.log(one - p))


def categorical_crossentropy(predictions, targets):
    """Categorical cross-entropy ``-sum_k t_k log(p_k)``, one value per row.

    Predictions are clipped to ``[EPSILON, 1 - EPSILON]`` (``EPSILON =
    1e-7``) before the log: softmax outputs underflow to exactly 0 in
    float32 for large logit gaps, and ``log(0)`` would make the loss and its
    gradient ``inf``/``nan``. The loss of a row is therefore at most about
    16.1.

    Parameters
    ----------
    predictions : PyTensor expression
        Matrix of class probabilities, one row per sample (e.g. softmax output).
    targets : PyTensor expression
        Integer class indices (a vector) or a matrix of one-hot / soft
        targets of the same shape as ``predictions``.

    Returns
    -------
    PyTensor expression
        Vector of per-sample losses.

    Raises
    ------
    TypeError
        If the ranks do not fit, or index targets are not integers.

    Examples
    --------
    >>> p = pt.constant(np.array([[0.25, 0.75], [0.5, 0.5]], dtype="float32"))
    >>> categorical_crossentropy(p, pt.constant(np.array([1, 0]))).eval().round(4)
    array([0.2877, 0.6931], dtype=float32)
    >>> categorical_crossentropy(p, pt.constant(np.eye(2, dtype="float32"))).eval().round(4)
    array([1.3863, 0.6931], dtype=float32)
    """
    predictions, targets = _as_tensor(predictions), _as_tensor(targets)
    p = _clip_probabilities(predictions)
    if targets.ndim == predictions.ndim:
        targets = _cast_like(targets, predictions)
        return -pt.sum(targets * pt.log(p), axis=-1)
    if predictions.ndim == 2 and targets.ndim == 1:
        if not targets.dtype.startswith(("int", "uint")):
            raise TypeError(
                "categorical_crossentropy: class-index targets must be integers, got dtype "
                f"{targets.dtype}"
            )
        return -pt.log(p[pt.arange(p.shape[0]), targets])
    raise TypeError(
        f"categorical_crossentropy: expected a matrix of predictions with index targets (1-D) "
        f"or one-hot targets (2-D), got predictions of {predictions.ndim} and targets of "
        f"{targets.ndim} dimensions"
    )


def squared_error(a, b):
    """Elementwise squared difference ``(a - b)**2``.

    Parameters
    ----------
    a, b : PyTensor expressions

    Returns
    -------
    PyTensor expression

    Examples
    --------
    >>> a = pt.constant(np.array([1.0, 3.0], dtype="float32"))
    >>> squared_error(a, pt.constant(np.array([0.0, 1.0], dtype="float32"))).eval()
    array([1., 4.], dtype=float32)
    """
    a, b = align_targets(a, b)
    return pt.square(a - _cast_like(b, a))


def aggregate(loss, weights=None, mode="mean"):
    """Reduce elementwise losses to a scalar, optionally weighted.

    Parameters
    ----------
    loss : PyTensor expression
        Elementwise or per-sample losses.
    weights : PyTensor expression or array, optional
        Multiplied with ``loss`` elementwise (broadcasting) first.
    mode : {'mean', 'sum', 'normalized_sum'}
        ``'mean'`` averages, ``'sum'`` sums, ``'normalized_sum'`` divides
        the weighted sum by the sum of the weights (requires ``weights``).

    Returns
    -------
    PyTensor scalar

    Raises
    ------
    ValueError
        If ``mode`` is unknown, or ``'normalized_sum'`` is asked without weights.

    Examples
    --------
    >>> loss = pt.constant(np.array([1.0, 2.0, 3.0], dtype="float32"))
    >>> w = np.array([1.0, 0.0, 1.0], dtype="float32")
    >>> float(aggregate(loss).eval()), float(aggregate(loss, w, mode="normalized_sum").eval())
    (2.0, 2.0)
    """
    if mode not in ("mean", "sum", "normalized_sum"):
        raise ValueError(
            f"aggregate: mode must be 'mean', 'sum' or 'normalized_sum', got {mode!r}"
        )
    if mode == "normalized_sum" and weights is None:
        raise ValueError("aggregate: mode='normalized_sum' requires weights")
    loss = _as_tensor(loss)
    if weights is not None:
        weights = _cast_like(_as_tensor(weights), loss)
        loss = loss * weights
    if mode == "mean":
        return loss.mean()
    if mode == "sum":
        return loss.sum()
    return loss.sum() / weights.sum()


def binary_hinge_loss(predictions, targets, delta=1, log_odds=None, binary=True):
    """Binary hinge loss ``max(0, delta - t * s)`` for targets ``t`` in {-1, 1}.

    Parameters
    ----------
    predictions : PyTensor expression
        Log-odds scores ``s`` when ``log_odds=True``; otherwise
        probabilities, converted to log-odds ``log(p / (1 - p))`` after
        clipping to ``[EPSILON, 1 - EPSILON]``.
    targets : PyTensor expression
        In {0, 1} when ``binary=True`` (mapped to {-1, 1}), else in {-1, 1}.
    delta : float
        The margin.
    log_odds : bool, optional
        Whether ``predictions`` are log-odds. ``None`` means ``False``, the
        behaviour of Lasagne 0.1.
    binary : bool
        Whether targets are in {0, 1}.

    Returns
    -------
    PyTensor expression
        Elementwise loss.

    Examples
    --------
    >>> s = pt.constant(np.array([2.0, 0.5, -1.0], dtype="float32"))
    >>> t = pt.constant(np.array([1, 1, 1], dtype="int64"))
    >>> binary_hinge_loss(s, t, log_odds=True).eval()
    array([0. , 0.5, 2. ], dtype=float32)
    """
    predictions, targets = align_targets(predictions, targets)
    dtype = np.dtype(predictions.dtype).type
    if not log_odds:
        p = _clip_probabilities(predictions)
        predictions = pt.log(p / (dtype(1) - p))
    targets = pt.cast(targets, predictions.dtype)
    if binary:
        targets = dtype(2) * targets - dtype(1)
    return pt.maximum(dtype(0), dtype(delta) - predictions * targets)


def multiclass_hinge_loss(predictions, targets, delta=1):
    """Multi-class hinge loss ``max(0, max_{k != y} s_k - s_y + delta)`` per row.

    Parameters
    ----------
    predictions : PyTensor expression
        Matrix of scores, one row per sample.
    targets : PyTensor expression
        Integer class indices (vector) or one-hot matrix.
    delta : float
        The margin.

    Returns
    -------
    PyTensor expression
        Vector of per-sample losses.

    Raises
    ------
    TypeError
        If the ranks of predictions and targets do not fit.

    Examples
    --------
    >>> s = pt.constant(np.array([[3.0, 1.0, 0.0], [1.0, 1.5, 0.0]], dtype="float32"))
    >>> multiclass_hinge_loss(s, pt.constant(np.array([0, 0]))).eval()
    array([0. , 1.5], dtype=float32)
    """
    predictions, targets = _as_tensor(predictions), _as_tensor(targets)
    if predictions.ndim != 2 or targets.ndim not in (1, 2):
        raise TypeError(
            "multiclass_hinge_loss: expected a matrix of predictions with index (1-D) or one-hot "
            f"(2-D) targets, got {predictions.ndim} and {targets.ndim} dimensions"
        )
    if targets.ndim == 1:
        targets = pt.eq(pt.arange(predictions.shape[1])[None, :], targets[:, None])
    else:
        targets = pt.gt(targets, 0)
    dtype = np.dtype(predictions.dtype).type
    corrects = pt.sum(pt.switch(targets, predictions, dtype(0)), axis=1)
    # -inf masks the correct class out of the max over the others
    rest = pt.max(pt.switch(targets, dtype(-np.inf), predictions), axis=1)
    return pt.maximum(dtype(0), rest - corrects + dtype(delta))


def binary_accuracy(predictions, targets, threshold=0.5):
    """Elementwise correctness of thresholded binary predictions.

    Parameters
    ----------
    predictions : PyTensor expression
        Scores or probabilities; ``predictions >= threshold`` counts as class 1.
    targets : PyTensor expression
        In {0, 1}.
    threshold : float

    Returns
    -------
    PyTensor expression
        Boolean-valued (0/1) tensor; ``.mean()`` gives the accuracy.

    Examples
    --------
    >>> p = pt.constant(np.array([0.2, 0.7, 0.5], dtype="float32"))
    >>> binary_accuracy(p, pt.constant(np.array([0, 0, 1]))).eval()
    array([ True, False,  True])
    """
    predictions, targets = align_targets(predictions, targets)
    if not isinstance(threshold, numbers.Real):
        raise TypeError(f"binary_accuracy: threshold must be a number, got {threshold!r}")
    predicted = pt.ge(predictions, np.dtype(predictions.dtype).type(threshold))
    return pt.eq(predicted, targets)


def categorical_accuracy(predictions, targets, top_k=1):
    """Whether the target class is among the ``top_k`` highest predictions, per row.

    Parameters
    ----------
    predictions : PyTensor expression
        Matrix of scores or probabilities, one row per sample.
    targets : PyTensor expression
        Integer class indices (vector) or one-hot matrix.
    top_k : int
        Number of top predictions that count as correct.

    Returns
    -------
    PyTensor expression
        Boolean-valued (0/1) vector; ``.mean()`` gives the accuracy.

    Raises
    ------
    TypeError
        If the ranks of predictions and targets do not fit.
    ValueError
        If ``top_k`` is not a positive integer.

    Examples
    --------
    >>> p = pt.constant(np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3]], dtype="float32"))
    >>> t = pt.constant(np.array([2, 0]))
    >>> categorical_accuracy(p, t).eval(), categorical_accuracy(p, t, top_k=2).eval()
    (array([False,  True]), array([ True,  True]))
    """
    predictions, targets = _as_tensor(predictions), _as_tensor(targets)
    if isinstance(top_k, (bool, np.bool_)) or not isinstance(top_k, numbers.Integral) \
            or top_k <= 0:
        raise ValueError(f"categorical_accuracy: top_k must be a positive integer, got {top_k!r}")
    if targets.ndim == predictions.ndim:
        targets = pt.argmax(targets, axis=-1)
    elif targets.ndim != predictions.ndim - 1:
        raise TypeError(
            "categorical_accuracy: targets must have as many dimensions as predictions "
            f"(one-hot) or one fewer (indices), got {targets.ndim} and {predictions.ndim}"
        )
    if top_k == 1:
        return pt.eq(pt.argmax(predictions, axis=-1), targets)
    top = pt.argsort(predictions, axis=-1)[..., -top_k:]
    return pt.any(pt.eq(top, targets[..., None]), axis=-1)
