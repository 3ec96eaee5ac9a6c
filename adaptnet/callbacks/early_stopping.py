"""Stop training when a monitored history key stops improving."""
import numbers

import numpy as np

from ..utils import check_non_negative_int
from .base import Callback
from .monitor import Monitor
from .weights import snapshot_params


class EarlyStopping(Callback):
    """Stop training after ``patience`` epochs without improvement of ``monitor``.

    For domain adaptation the quantity to watch is the *target* performance:

    * ``'target_valid_accuracy'`` / ``'target_valid_loss'`` when target
      labels are given for validation (``AdversarialNet.fit(...,
      y_valid_target=...)``);
    * without target labels, a label-free criterion added to the epoch row by
      a scorer placed *before* this callback in ``callbacks=[...]``:
      ``'reverse_valid_accuracy'`` (:class:`ReverseValidation`) or
      ``'dev_risk'`` (:class:`DomainEmbeddedValidation`).

    Keras semantics: an epoch improves when it beats the best value by more
    than ``min_delta``; with a ``baseline`` the wait counter only restarts on
    epochs that also beat the baseline. Epochs before ``start_from_epoch``
    are ignored.

    Parameters
    ----------
    monitor : str
    mode : {'auto', 'min', 'max'}
        ``'auto'`` maximizes accuracy-like keys and minimizes the rest.
    patience : int
        Epochs without improvement before stopping, >= 0.
    min_delta : float
        >= 0.
    baseline : float, optional
        Value the monitored key must beat for training to go on.
    start_from_epoch : int
        Number of warm-up epochs not monitored, >= 0.
    restore_best_weights : bool
        When training ends (stopped or not), load the parameters of the best
        epoch. Costs one copy of the parameters per improving epoch.
    verbose : int
        ``> 0`` prints when training is stopped.

    Attributes
    ----------
    best_ : float
        Best monitored value so far.
    best_epoch_ : int
        Epoch (1-based) of ``best_``; 0 before any monitored epoch.
    wait_ : int
        Epochs since the last improvement.
    stopped_epoch_ : int
        Epoch at which training was stopped; 0 if it was not.

    Raises
    ------
    ValueError
        On a bad argument, or after the first monitored epoch when
        ``monitor`` is not in the history row (listing the available keys).

    Examples
    --------
    >>> from adaptnet.callbacks import EarlyStopping
    >>> es = EarlyStopping(monitor="target_valid_accuracy", patience=3)
    >>> es.monitor_.mode_
    'max'
    """

    def __init__(self, monitor="valid_loss", mode="auto", patience=5, min_delta=0.0, baseline=None,
                 start_from_epoch=0, restore_best_weights=False, verbose=0):
        owner = type(self).__name__
        self.monitor_ = Monitor(monitor, mode, min_delta, owner)
        self.patience = check_non_negative_int(patience, "patience", owner)
        self.start_from_epoch = check_non_negative_int(start_from_epoch, "start_from_epoch", owner)
        if baseline is not None and (isinstance(baseline, bool) or not isinstance(baseline, numbers.Real)
                                     or not np.isfinite(baseline)):
            raise ValueError(f"{owner}: baseline must be None or a finite number, got {baseline!r}")
        self.monitor = monitor
        self.mode = mode
        self.min_delta = min_delta
        self.baseline = baseline
        self.restore_best_weights = bool(restore_best_weights)
        self.verbose = verbose
        self._reset()

    def _reset(self):
        self.best_ = self.monitor_.worst()
        self.best_epoch_ = 0
        self.wait_ = 0
        self.stopped_epoch_ = 0
        self.best_weights_ = None

    def on_train_begin(self, net, logs=None):
        if len(net.train_history_) == 0:
            self._reset()
        self.stopped_epoch_ = 0

    def on_epoch_end(self, net, logs=None):
        epoch = logs["epoch"]
        if epoch <= self.start_from_epoch:
            return
        current = self.monitor_.value(logs)
        self.wait_ += 1
        if self.monitor_.is_better(current, self.best_):
            self.best_ = current
            self.best_epoch_ = epoch
            if self.restore_best_weights:
                self.best_weights_ = snapshot_params(net)
            if self.baseline is None or self.monitor_.is_better(current, self.baseline):
                self.wait_ = 0
                return
        if self.wait_ >= self.patience:
            self.stopped_epoch_ = epoch
            net.stop_training = True
            if self.verbose > 0:
                print(f"{type(self).__name__}: stopping at epoch {epoch}: {self.monitor}="
                      f"{current:.5g}, best {self.best_:.5g} at epoch {self.best_epoch_}")

    def on_train_end(self, net, logs=None):
        if self.restore_best_weights and self.best_weights_ is not None:
            net.load_params_from(self.best_weights_)
            if self.verbose > 0:
                print(f"{type(self).__name__}: restored the weights of epoch {self.best_epoch_}")

    def get_state(self):
        """Return the best value and epoch, the wait counter and the best weights.

        Returns
        -------
        dict

        Examples
        --------
        >>> sorted(EarlyStopping().get_state())
        ['best_', 'best_epoch_', 'best_weights_', 'wait_']
        """
        return {"best_": self.best_, "best_epoch_": self.best_epoch_, "wait_": self.wait_,
                "best_weights_": self.best_weights_}
