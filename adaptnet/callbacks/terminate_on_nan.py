"""Stop training in the batch where the loss stops being finite, and roll the weights back."""
import warnings

import numpy as np

from .base import Callback
from .weights import snapshot_params

LOSS_KEYS = ("loss", "label_loss", "domain_loss")


def _optimizer_slots(net):
    return getattr(net, "_graph", None) and net._graph.get("slots") or []


def _snapshot(net):
    # the optimizer slots (momentum velocities) must roll back too: after the diverging step
    # they hold inf/NaN, and the next update would blow up the restored weights again
    return snapshot_params(net), [slot.get_value() for slot in _optimizer_slots(net)]


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch loss is NaN or infinite.

    After every batch the losses of the batch logs (``loss`` and, for
    adversarial nets, ``label_loss`` and ``domain_loss``) are checked. On a
    non-finite value the callback sets ``net.stop_training``, loads the last
    parameters whose loss was finite (the parameters a finite-loss batch was
    computed with; the initial ones if the first batch already failed) and
    the optimizer slots (momentum) of that moment,
    warns with a :class:`RuntimeWarning` naming the losses, the epoch and the
    batch, and records them in :attr:`nonfinite_`.

    Cost: one copy of the parameters and optimizer slots per batch (taken in
    ``on_batch_begin``), cheap for the small nets DANN experiments use.

    Parameters
    ----------
    restore_weights : bool
        Roll the parameters back (default); ``False`` only stops.

    Attributes
    ----------
    nonfinite_ : dict or None
        ``{'epoch': int, 'batch': int, 'losses': {name: value}}`` of the
        batch that went non-finite, ``None`` if none did.

    Examples
    --------
    >>> from adaptnet.callbacks import TerminateOnNaN
    >>> cb = TerminateOnNaN()
    >>> cb.nonfinite_ is None
    True
    """

    _transient_attributes = ("_last_finite", "_pending")

    def __init__(self, restore_weights=True):
        self.restore_weights = bool(restore_weights)
        self.nonfinite_ = None
        self._last_finite = None
        self._pending = None

    def on_train_begin(self, net, logs=None):
        self.nonfinite_ = None
        self._last_finite = _snapshot(net) if self.restore_weights else None

    def on_batch_begin(self, net, logs=None):
        if self.restore_weights:
            self._pending = _snapshot(net)

    def on_batch_end(self, net, logs=None):
        bad = {key: float(logs[key]) for key in LOSS_KEYS
               if key in logs and not np.isfinite(logs[key])}
        if not bad:
            self._last_finite = self._pending
            return
        net.stop_training = True
        self.nonfinite_ = {"epoch": logs.get("epoch"), "batch": logs.get("batch"), "losses": bad}
        restored = ""
        if self.restore_weights:
            params, slots = self._last_finite
            net.load_params_from(params)
            for slot, value in zip(_optimizer_slots(net), slots):
                slot.set_value(value)
            restored = "; restored the last parameters with a finite loss"
        warnings.warn(
            f"{type(self).__name__}: non-finite {', '.join(f'{k}={v}' for k, v in bad.items())} at "
            f"epoch {logs.get('epoch')}, batch {logs.get('batch')}: training stopped{restored}",
            RuntimeWarning, stacklevel=2,
        )

    def on_train_end(self, net, logs=None):
        self._pending = None
        self._last_finite = None
