"""Base class of label-free model-selection scorers that add a key to each epoch row."""
import numbers

import numpy as np

from ..utils import check_positive_int
from .base import Callback


class EpochScorer(Callback):
    """Compute a score at the end of some epochs and add it to the history row.

    Subclasses list in :attr:`required` the groups of ``on_train_begin``
    logs they need (arrays of a group, such as ``('X_valid', 'y_valid')``,
    are subsampled with the same rows) and implement :meth:`score`. Each
    group is subsampled once, to at most ``max_samples`` rows, to bound the
    cost. The score is
    computed on epoch 1 and then every ``every_n_epochs`` epochs; the other
    epochs repeat the last value, so a monitor such as
    :class:`EarlyStopping` counts its patience in epochs either way.

    Parameters
    ----------
    key : str
        History key the score is written to.
    every_n_epochs : int
        >= 1.
    max_samples : int or None
        Rows kept per array; ``None`` keeps all.
    random_state : int or None
        Seed of the subsampling (and of the scorer's own classifiers).

    Attributes
    ----------
    last_value_ : float or None
        The most recent score (resumable state).

    Raises
    ------
    ValueError
        On a bad argument.

    Examples
    --------
    >>> class FeatureMean(EpochScorer):
    ...     required = (("X_train",),)
    ...     def score(self, net, data):
    ...         return float(data["X_train"].mean())
    >>> class FakeNet:
    ...     train_history_ = []
    >>> scorer = FeatureMean("x_mean", max_samples=None)
    >>> scorer.on_train_begin(FakeNet(), {"X_train": np.arange(4.0)})
    >>> row = {"epoch": 1}
    >>> scorer.on_epoch_end(FakeNet(), row)
    >>> row
    {'epoch': 1, 'x_mean': 1.5}
    """

    _transient_attributes = ("_data",)

    #: Groups of ``on_train_begin`` log keys that :meth:`score` needs; the
    #: arrays of one group are subsampled with the same rows.
    required = ()

    def __init__(self, key, every_n_epochs=1, max_samples=2000, random_state=None):
        owner = type(self).__name__
        if not isinstance(key, str) or not key:
            raise TypeError(f"{owner}: key must be a non-empty string, got {key!r}")
        self.every_n_epochs = check_positive_int(every_n_epochs, "every_n_epochs", owner)
        if max_samples is not None:
            check_positive_int(max_samples, "max_samples", owner)
        if random_state is not None and (isinstance(random_state, bool)
                                         or not isinstance(random_state, numbers.Integral)):
            raise TypeError(f"{owner}: random_state must be None or an int, got {random_state!r}")
        self.key = key
        self.max_samples = max_samples
        self.random_state = random_state
        self.last_value_ = None
        self._data = None

    def on_train_begin(self, net, logs=None):
        logs = logs or {}
        missing = [k for group in self.required for k in group if logs.get(k) is None]
        if missing:
            raise ValueError(
                f"{type(self).__name__}: needs {', '.join(missing)} in the data of fit(): give "
                f"target data (X_target) and a source validation split (train_split)"
            )
        rng = np.random.RandomState(self.random_state)
        self._data = {}
        for group in self.required:
            n = len(logs[group[0]])
            idx = slice(None)
            if self.max_samples is not None and n > self.max_samples:
                idx = np.sort(rng.choice(n, self.max_samples, replace=False))
            for name in group:
                self._data[name] = logs[name][idx]
        if len(net.train_history_) == 0:
            self.last_value_ = None

    def on_epoch_end(self, net, logs=None):
        if self.last_value_ is None or (logs["epoch"] - 1) % self.every_n_epochs == 0:
            self.last_value_ = float(self.score(net, self._data))
        logs[self.key] = self.last_value_

    def score(self, net, data):
        """Return the score of the current net.

        Parameters
        ----------
        net : AdversarialNet
        data : dict
            The subsampled ``required`` arrays.

        Returns
        -------
        float
        """
        raise NotImplementedError("abstract: EpochScorer subclasses implement score()")

    def get_state(self):
        """Return ``{'last_value_': ...}``.

        Returns
        -------
        dict
        """
        return {"last_value_": self.last_value_}
