"""Watching one history key: the ``monitor``/``mode``/``min_delta`` logic shared by callbacks.

:class:`~adaptnet.callbacks.EarlyStopping`, :class:`~adaptnet.callbacks.ReduceLROnPlateau`
and :class:`~adaptnet.callbacks.ModelCheckpoint` all compare an epoch's value of
one history key with the best value so far; :class:`Monitor` holds that rule
so the three agree on what "better" means.
"""
import numbers

import numpy as np

# Substrings of history keys where larger is better; everything else (losses,
# risks, errors) is minimized. Keras decides ``mode='auto'`` the same way.
_MAX_HINTS = ("acc", "auc", "f1", "precision", "recall", "r2")

MODES = ("auto", "min", "max")


class Monitor:
    """The comparison rule for one monitored history key.

    Parameters
    ----------
    monitor : str
        History key to watch, e.g. ``"valid_loss"``, ``"target_valid_accuracy"``,
        ``"reverse_valid_accuracy"`` or ``"dev_risk"``.
    mode : {'auto', 'min', 'max'}
        ``'auto'`` maximizes keys that look like accuracies/scores (containing
        ``acc``, ``auc``, ``f1``, ``precision``, ``recall`` or ``r2``) and
        minimizes everything else.
    min_delta : float
        Smallest change that counts as an improvement (>= 0).
    owner : str
        Name of the callback, used in error messages.

    Attributes
    ----------
    mode_ : {'min', 'max'}
        The resolved mode.

    Raises
    ------
    TypeError
        If ``monitor`` is not a non-empty string.
    ValueError
        If ``mode`` is unknown or ``min_delta`` is negative or not finite.

    Examples
    --------
    >>> m = Monitor("valid_accuracy", "auto", 0.01, "EarlyStopping")
    >>> m.mode_
    'max'
    >>> m.is_better(0.80, 0.785), m.is_better(0.80, 0.795)
    (True, False)
    >>> m.value({"epoch": 1, "valid_accuracy": 0.5})
    0.5
    """

    def __init__(self, monitor, mode, min_delta, owner):
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"{owner}: monitor must be a non-empty string (a history key), got {monitor!r}")
        if mode not in MODES:
            raise ValueError(f"{owner}: mode must be one of {MODES}, got {mode!r}")
        if (isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real)
                or not np.isfinite(min_delta) or min_delta < 0):
            raise ValueError(f"{owner}: min_delta must be a finite number >= 0, got {min_delta!r}")
        self.monitor = monitor
        self.owner = owner
        self.min_delta = float(min_delta)
        if mode == "auto":
            mode = "max" if any(h in monitor.lower() for h in _MAX_HINTS) else "min"
        self.mode_ = mode

    def worst(self):
        """Return the starting "best" value: ``+inf`` when minimizing, ``-inf`` when maximizing.

        Returns
        -------
        float

        Examples
        --------
        >>> Monitor("valid_loss", "auto", 0.0, "X").worst()
        inf
        """
        return np.inf if self.mode_ == "min" else -np.inf

    def is_better(self, current, reference):
        """Whether ``current`` improves on ``reference`` by more than ``min_delta``.

        Parameters
        ----------
        current, reference : float

        Returns
        -------
        bool

        Examples
        --------
        >>> Monitor("valid_loss", "min", 0.1, "X").is_better(0.5, 0.7)
        True
        """
        if self.mode_ == "min":
            return bool(current < reference - self.min_delta)
        return bool(current > reference + self.min_delta)

    def value(self, logs):
        """Return the monitored value of an epoch row.

        Parameters
        ----------
        logs : dict
            The epoch's history row.

        Returns
        -------
        float

        Raises
        ------
        ValueError
            If the key is missing (the message lists the available keys) or
            its value is not a number.

        Examples
        --------
        >>> Monitor("valid_loss", "auto", 0.0, "EarlyStopping").value({"train_loss": 1.0})
        Traceback (most recent call last):
        ...
        ValueError: EarlyStopping: monitor='valid_loss' is not in the epoch's history row; available keys: ['train_loss']
        """
        logs = logs or {}
        if self.monitor not in logs:
            raise ValueError(
                f"{self.owner}: monitor={self.monitor!r} is not in the epoch's history row; "
                f"available keys: {sorted(logs)}"
            )
        value = logs[self.monitor]
        if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.number)):
            raise ValueError(
                f"{self.owner}: monitor={self.monitor!r} must name a numeric history key, "
                f"got the value {value!r}"
            )
        return float(value)
