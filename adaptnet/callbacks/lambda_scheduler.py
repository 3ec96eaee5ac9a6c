"""Annealing of the gradient reversal weight ``hp_lambda`` during DANN training."""
import numbers

import numpy as np

from .base import Callback

SCHEDULES = ("dann", "constant", "linear")


def dann_lambda(p, lambda_max=1.0, gamma=10.0):
    """The DANN paper's adaptation factor ``lambda_max * (2 / (1 + exp(-gamma * p)) - 1)``.

    Ganin et al. (JMLR 2016, section 5.2.2) raise lambda from 0 to 1 along
    this sigmoid so the domain classifier's noisy early signal does not
    disturb the label classifier.

    Parameters
    ----------
    p : float
        Training progress in [0, 1].
    lambda_max : float
        Value approached as ``p -> inf`` (``lambda_max * tanh(gamma / 2)`` at ``p = 1``).
    gamma : float
        Steepness (10 in the paper).

    Returns
    -------
    float

    Examples
    --------
    >>> dann_lambda(0.0), round(dann_lambda(1.0), 5)
    (0.0, 0.99991)
    """
    return float(lambda_max * (2.0 / (1.0 + np.exp(-gamma * p)) - 1.0))


class LambdaScheduler(Callback):
    """Set the gradient reversal weight ``hp_lambda`` from the training progress.

    Before every batch the callback computes lambda from the progress ``p``
    of the batch logs (completed batches / total batches of the run) and
    calls ``net.set_hyperparam('hp_lambda', value)``; lambda is a shared
    variable, so nothing is recompiled. It also writes
    the new value into the batch logs, so later callbacks see it.

    Parameters
    ----------
    lambda_max : float
        Final (largest) lambda, >= 0.
    gamma : float
        Steepness of the ``'dann'`` schedule, > 0.
    schedule : {'dann', 'constant', 'linear'} or callable
        * ``'dann'``: ``lambda_max * (2 / (1 + exp(-gamma * p)) - 1)``
          (Ganin et al. 2016), see :func:`dann_lambda`;
        * ``'constant'``: ``lambda_max`` throughout;
        * ``'linear'``: linear warm-up ``lambda_max * min(1, p / warmup)``;
        * a callable ``f(p) -> float``.
    warmup : float
        Fraction of training, in (0, 1], over which ``'linear'`` rises from 0
        to ``lambda_max``.
    verbose : int
        ``> 0`` prints the value at the start of every epoch.

    Raises
    ------
    ValueError
        On an unknown schedule, a negative or non-finite ``lambda_max``, a
        non-positive ``gamma``, ``warmup`` outside (0, 1], a callable that
        returns a non-finite value, or (at ``on_train_begin``) a net without
        an ``hp_lambda`` hyperparameter.

    Examples
    --------
    >>> sched = LambdaScheduler(lambda_max=0.5, schedule="linear", warmup=0.5)
    >>> [sched.value_at(p) for p in (0.0, 0.25, 0.5, 1.0)]
    [0.0, 0.25, 0.5, 0.5]
    >>> round(LambdaScheduler().value_at(0.1), 4)
    0.4621
    """

    def __init__(self, lambda_max=1.0, gamma=10.0, schedule="dann", warmup=1.0, verbose=0):
        owner = type(self).__name__
        if not callable(schedule) and schedule not in SCHEDULES:
            raise ValueError(
                f"{owner}: schedule must be one of {SCHEDULES} or a callable f(p), got {schedule!r}")
        for name, value, ok, expected in (
            ("lambda_max", lambda_max, lambda v: v >= 0, "a finite number >= 0"),
            ("gamma", gamma, lambda v: v > 0, "a finite number > 0"),
            ("warmup", warmup, lambda v: 0 < v <= 1, "a number in (0, 1]"),
        ):
            if (isinstance(value, bool) or not isinstance(value, numbers.Real)
                    or not np.isfinite(value) or not ok(value)):
                raise ValueError(f"{owner}: {name} must be {expected}, got {value!r}")
        self.lambda_max = lambda_max
        self.gamma = gamma
        self.schedule = schedule
        self.warmup = warmup
        self.verbose = verbose

    def value_at(self, p):
        """Return lambda at progress ``p``.

        Parameters
        ----------
        p : float
            Training progress in [0, 1].

        Returns
        -------
        float

        Raises
        ------
        ValueError
            If a callable schedule returns a non-finite value.

        Examples
        --------
        >>> LambdaScheduler(schedule=lambda p: 0.1 + p).value_at(0.5)
        0.6
        """
        if callable(self.schedule):
            value = float(self.schedule(p))
            if not np.isfinite(value):
                raise ValueError(f"{type(self).__name__}: the schedule returned {value} at p={p}")
            return value
        if self.schedule == "constant":
            return float(self.lambda_max)
        if self.schedule == "linear":
            return float(self.lambda_max * min(1.0, p / self.warmup))
        return dann_lambda(p, self.lambda_max, self.gamma)

    def on_train_begin(self, net, logs=None):
        if "hp_lambda" not in net.hyperparams_:
            raise ValueError(
                f"{type(self).__name__}: the net has no 'hp_lambda' hyperparameter (use an "
                f"AdversarialNet); available hyperparameters: {sorted(net.hyperparams_)}"
            )

    def on_batch_begin(self, net, logs=None):
        value = self.value_at(logs["p"])
        net.set_hyperparam("hp_lambda", value)
        logs["hp_lambda"] = float(np.float32(value))
        if self.verbose > 0 and logs.get("batch") == 0:
            print(f"{type(self).__name__}: epoch {logs.get('epoch')}: hp_lambda={value:.5g}")
