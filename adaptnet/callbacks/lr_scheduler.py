"""Schedules for the learning rate (or any other float hyperparameter, e.g. momentum)."""
import numbers

import numpy as np

from .base import Callback

SCHEDULES = ("dann", "step", "exponential", "cosine")


class LearningRateScheduler(Callback):
    """Set a hyperparameter (by default the learning rate) from a schedule.

    The value is written with ``net.set_hyperparam(hyperparam, value)``
    (a shared variable: nothing is recompiled) before every batch
    (``per_batch=True``) or before every epoch. Built-in schedules are
    functions of the position ``t`` in epochs, counted from 0: ``t = epoch - 1``
    per epoch and ``t = p * max_epochs`` per batch (``p`` is the progress of
    the batch logs); ``T = net.max_epochs`` and ``v0 = initial``:

    * ``'dann'``: ``v0 / (1 + alpha * t / T) ** beta``, the DANN paper's
      ``mu_p = mu_0 / (1 + alpha * p) ** beta`` (alpha=10, beta=0.75);
    * ``'step'``: ``v0 * gamma ** floor(t / step_size)``;
    * ``'exponential'``: ``v0 * gamma ** t``;
    * ``'cosine'``: ``min_value + (v0 - min_value) * (1 + cos(pi * t / T)) / 2``;
    * a callable: ``f(epoch) -> float`` (1-based epoch) per epoch, or
      ``f(p) -> float`` per batch.

    nolearn's classic ``AdjustVariable('update_momentum', start=0.9, stop=0.999)``
    (a linear ramp over ``max_epochs``) is, with the value set at the start
    of each epoch::

        ramp = np.linspace(0.9, 0.999, max_epochs)
        LearningRateScheduler(lambda epoch: ramp[epoch - 1], hyperparam="momentum")

    Parameters
    ----------
    schedule : {'dann', 'step', 'exponential', 'cosine'} or callable
    initial : float, optional
        ``v0``; by default the net's value of ``hyperparam`` when training starts.
    alpha, beta : float
        Parameters of ``'dann'`` (> 0).
    step_size : int
        Epochs between decays of ``'step'``.
    gamma : float
        Decay factor of ``'step'`` and ``'exponential'``, in (0, 1].
    min_value : float
        Final value of ``'cosine'`` (>= 0).
    hyperparam : str
        Name in ``net.hyperparams_``: ``'learning_rate'``, ``'momentum'``, ...
    per_batch : bool, optional
        Update before every batch rather than every epoch; default ``True``
        for ``'dann'`` and ``False`` otherwise.
    verbose : int
        ``> 0`` prints the value at the start of every epoch.

    Attributes
    ----------
    initial_ : float
        The ``v0`` in use; saved by :meth:`get_state` so a resumed run keeps
        the schedule it started with.

    Raises
    ------
    ValueError
        On an unknown schedule or an out-of-range parameter; at
        ``on_train_begin`` when the net has no hyperparameter ``hyperparam``;
        when a callable returns a negative or non-finite value.

    Examples
    --------
    >>> sched = LearningRateScheduler("step", initial=0.1, step_size=2, gamma=0.5)
    >>> [sched.value_at(t, max_epochs=6) for t in range(6)]
    [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    >>> round(LearningRateScheduler(initial=0.01).value_at(1.0, max_epochs=1), 6)
    0.001656
    """

    def __init__(self, schedule="dann", initial=None, alpha=10.0, beta=0.75, step_size=10, gamma=0.1,
                 min_value=0.0, hyperparam="learning_rate", per_batch=None, verbose=0):
        owner = type(self).__name__
        if not callable(schedule) and schedule not in SCHEDULES:
            raise ValueError(f"{owner}: schedule must be one of {SCHEDULES} or a callable, got {schedule!r}")
        checks = [
            ("alpha", alpha, lambda v: v > 0, "a finite number > 0"),
            ("beta", beta, lambda v: v > 0, "a finite number > 0"),
            ("gamma", gamma, lambda v: 0 < v <= 1, "a number in (0, 1]"),
            ("min_value", min_value, lambda v: v >= 0, "a finite number >= 0"),
        ]
        if initial is not None:
            checks.append(("initial", initial, lambda v: v >= 0, "None or a finite number >= 0"))
        for name, value, ok, expected in checks:
            if (isinstance(value, bool) or not isinstance(value, numbers.Real)
                    or not np.isfinite(value) or not ok(value)):
                raise ValueError(f"{owner}: {name} must be {expected}, got {value!r}")
        if isinstance(step_size, bool) or not isinstance(step_size, numbers.Integral) or step_size <= 0:
            raise ValueError(f"{owner}: step_size must be a positive integer, got {step_size!r}")
        if not isinstance(hyperparam, str):
            raise TypeError(f"{owner}: hyperparam must be a string, got {hyperparam!r}")
        if per_batch not in (None, True, False):
            raise ValueError(f"{owner}: per_batch must be None, True or False, got {per_batch!r}")
        self.schedule = schedule
        self.initial = initial
        self.alpha = alpha
        self.beta = beta
        self.step_size = step_size
        self.gamma = gamma
        self.min_value = min_value
        self.hyperparam = hyperparam
        self.per_batch = per_batch
        self.verbose = verbose
        self.initial_ = initial

    @property
    def per_batch_(self):
        """Whether the schedule is applied before every batch (resolves ``per_batch=None``)."""
        return self.schedule == "dann" if self.per_batch is None else self.per_batch

    def value_at(self, t, max_epochs):
        """Return the built-in schedule's value at position ``t`` (epochs from 0).

        Parameters
        ----------
        t : float
            Position in epochs (fractional when per batch).
        max_epochs : int
            ``T`` of the ``'dann'`` and ``'cosine'`` schedules.

        Returns
        -------
        float

        Examples
        --------
        >>> LearningRateScheduler("cosine", initial=1.0).value_at(5, max_epochs=10)
        0.5
        """
        v0 = self.initial_
        if self.schedule == "dann":
            return float(v0 / (1.0 + self.alpha * t / max_epochs) ** self.beta)
        if self.schedule == "step":
            return float(v0 * self.gamma ** (t // self.step_size))
        if self.schedule == "exponential":
            return float(v0 * self.gamma ** t)
        cosine = (1.0 + np.cos(np.pi * min(t, max_epochs) / max_epochs)) / 2.0
        return float(self.min_value + (v0 - self.min_value) * cosine)

    def on_train_begin(self, net, logs=None):
        if self.hyperparam not in net.hyperparams_:
            raise ValueError(
                f"{type(self).__name__}: hyperparam={self.hyperparam!r} is not a hyperparameter of "
                f"the net; available: {sorted(net.hyperparams_)}"
            )
        if self.initial is not None:
            self.initial_ = self.initial
        elif self.initial_ is None or len(net.train_history_) == 0:
            # A fresh run starts from the net's value; a resumed one keeps v0.
            self.initial_ = net.get_hyperparam(self.hyperparam)

    def _apply(self, net, logs, value):
        if not np.isfinite(value) or value < 0:
            raise ValueError(
                f"{type(self).__name__}: the schedule gave {self.hyperparam}={value}; expected a "
                f"finite number >= 0"
            )
        net.set_hyperparam(self.hyperparam, value)
        logs[self.hyperparam] = float(np.float32(value))

    def on_epoch_begin(self, net, logs=None):
        epoch = logs["epoch"]
        if not self.per_batch_:
            if callable(self.schedule):
                value = float(self.schedule(epoch))
            else:
                value = self.value_at(epoch - 1, net.max_epochs)
            self._apply(net, logs, value)
        if self.verbose > 0:
            print(f"{type(self).__name__}: epoch {epoch}: {self.hyperparam}="
                  f"{net.get_hyperparam(self.hyperparam):.5g}")

    def on_batch_begin(self, net, logs=None):
        if self.per_batch_:
            p = logs["p"]
            if callable(self.schedule):
                value = float(self.schedule(p))
            else:
                value = self.value_at(p * net.max_epochs, net.max_epochs)
            self._apply(net, logs, value)

    def get_state(self):
        """Return ``{'initial_': v0}``.

        Returns
        -------
        dict

        Examples
        --------
        >>> LearningRateScheduler(initial=0.1).get_state()
        {'initial_': 0.1}
        """
        return {"initial_": self.initial_}
