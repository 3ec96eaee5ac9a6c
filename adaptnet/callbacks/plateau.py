"""Reduce the learning rate when a monitored history key stops improving."""
import numbers

import numpy as np

from ..utils import check_non_negative_int
from .base import Callback
from .monitor import Monitor


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` after ``patience`` epochs without improvement.

    As in Keras, at the end of every epoch the monitored value is compared
    with the best so far; after ``patience`` epochs in a row without an
    improvement larger than ``min_delta`` the rate becomes
    ``max(rate * factor, min_lr)`` and the wait counter restarts. The
    ``cooldown`` epochs that follow a reduction are not counted as waiting
    (exactly ``cooldown`` of them; in Keras ``cooldown=1`` has no effect).
    The new rate is used from the next epoch on, so it shows in the next
    epoch's ``learning_rate`` column.

    Parameters
    ----------
    monitor : str
        History key, e.g. ``'valid_loss'`` or ``'target_valid_loss'``.
    factor : float
        In (0, 1).
    patience : int
        Epochs without improvement before reducing, >= 0.
    cooldown : int
        Epochs after a reduction during which waiting is suspended, >= 0.
    min_lr : float
        Lower bound of the rate, >= 0.
    min_delta : float
        Smallest change that counts as an improvement, >= 0.
    mode : {'auto', 'min', 'max'}
    hyperparam : str
        The hyperparameter reduced (``'learning_rate'``).
    verbose : int
        ``> 0`` prints every reduction.

    Attributes
    ----------
    best_, wait_, cooldown_counter_ : float, int, int
        Resumable state (see :meth:`get_state`).

    Raises
    ------
    ValueError
        On a bad argument; at ``on_train_begin`` when the net lacks
        ``hyperparam``; after the first epoch when ``monitor`` is not in the
        history row (the message lists the available keys).

    Examples
    --------
    >>> from adaptnet.callbacks import ReduceLROnPlateau
    >>> cb = ReduceLROnPlateau(monitor="valid_loss", factor=0.5, patience=2)
    >>> cb.monitor_.mode_
    'min'
    """

    def __init__(self, monitor="valid_loss", factor=0.1, patience=10, cooldown=0, min_lr=0.0,
                 min_delta=1e-4, mode="auto", hyperparam="learning_rate", verbose=0):
        owner = type(self).__name__
        if (isinstance(factor, bool) or not isinstance(factor, numbers.Real)
                or not 0 < factor < 1):
            raise ValueError(f"{owner}: factor must be a number in (0, 1), got {factor!r}")
        if (isinstance(min_lr, bool) or not isinstance(min_lr, numbers.Real)
                or not np.isfinite(min_lr) or min_lr < 0):
            raise ValueError(f"{owner}: min_lr must be a finite number >= 0, got {min_lr!r}")
        self.monitor_ = Monitor(monitor, mode, min_delta, owner)
        self.patience = check_non_negative_int(patience, "patience", owner)
        self.cooldown = check_non_negative_int(cooldown, "cooldown", owner)
        self.monitor = monitor
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.mode = mode
        self.hyperparam = hyperparam
        self.verbose = verbose
        self._reset()

    def _reset(self):
        self.best_ = self.monitor_.worst()
        self.wait_ = 0
        self.cooldown_counter_ = 0

    def on_train_begin(self, net, logs=None):
        if self.hyperparam not in net.hyperparams_:
            raise ValueError(
                f"{type(self).__name__}: hyperparam={self.hyperparam!r} is not a hyperparameter of "
                f"the net; available: {sorted(net.hyperparams_)}"
            )
        if len(net.train_history_) == 0:
            self._reset()

    def on_epoch_end(self, net, logs=None):
        current = self.monitor_.value(logs)
        in_cooldown = self.cooldown_counter_ > 0
        if in_cooldown:
            self.cooldown_counter_ -= 1
        if self.monitor_.is_better(current, self.best_):
            self.best_ = current
            self.wait_ = 0
            return
        if in_cooldown:
            return
        self.wait_ += 1
        if self.wait_ < self.patience:
            return
        old = net.get_hyperparam(self.hyperparam)
        new = max(old * self.factor, self.min_lr)
        if new < old:
            net.set_hyperparam(self.hyperparam, new)
            if self.verbose > 0:
                print(f"{type(self).__name__}: epoch {logs['epoch']}: {self.hyperparam} "
                      f"{old:.5g} -> {new:.5g}")
        self.cooldown_counter_ = self.cooldown
        self.wait_ = 0

    def get_state(self):
        """Return the best value, the wait counter and the cooldown counter.

        Returns
        -------
        dict

        Examples
        --------
        >>> ReduceLROnPlateau().get_state()
        {'best_': inf, 'wait_': 0, 'cooldown_counter_': 0}
        """
        return {"best_": self.best_, "wait_": self.wait_, "cooldown_counter_": self.cooldown_counter_}
