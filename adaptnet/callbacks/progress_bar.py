"""A tqdm progress bar over the batches of each epoch, with live losses."""
import sys

from tqdm.auto import tqdm

from .base import Callback

LOSS_KEYS = ("loss", "label_loss", "domain_loss")


class ProgressBar(Callback):
    """Show a tqdm progress bar per epoch, advancing every batch.

    The postfix shows the running means over the epoch of the batch losses
    (``loss`` and, for adversarial nets, ``label_loss`` and ``domain_loss``)
    and the current ``hp_lambda``. The bar's length is the number of batches
    per epoch that the net announces in ``on_epoch_begin`` (``n_batches``).

    Parameters
    ----------
    leave : bool
        Keep each epoch's finished bar on screen.
    file : file object, optional
        Where to draw (default ``sys.stderr``). Streams cannot be pickled, so
        a net saved in a checkpoint forgets it and draws on ``sys.stderr``.

    Examples
    --------
    >>> import io
    >>> from adaptnet.callbacks import ProgressBar
    >>> out = io.StringIO()
    >>> bar = ProgressBar(file=out)
    >>> bar.on_epoch_begin(None, {"epoch": 1})
    >>> bar.on_batch_end(None, {"epoch": 1, "batch": 0, "loss": 0.5})
    >>> bar.on_epoch_end(None, {"epoch": 1})
    >>> "loss=0.5" in out.getvalue()
    True
    """

    _transient_attributes = ("_bar", "file")

    def __init__(self, leave=True, file=None):
        self.leave = bool(leave)
        self.file = file
        self._bar = None
        self._sums = {}

    def on_epoch_begin(self, net, logs=None):
        self._close()
        self._sums = {}
        self._bar = tqdm(desc=f"epoch {logs['epoch']}", total=logs.get("n_batches"), unit="batch",
                         leave=self.leave, file=self.file if self.file is not None else sys.stderr,
                         dynamic_ncols=True)

    def on_batch_end(self, net, logs=None):
        if self._bar is None:
            return
        n = logs["batch"] + 1
        postfix = {}
        for key in LOSS_KEYS:
            if key in logs:
                self._sums[key] = self._sums.get(key, 0.0) + float(logs[key])
                postfix[key] = f"{self._sums[key] / n:.4g}"
        if "hp_lambda" in logs:
            postfix["lambda"] = f"{float(logs['hp_lambda']):.3g}"
        self._bar.set_postfix(postfix, refresh=False)
        self._bar.update(1)

    def on_epoch_end(self, net, logs=None):
        self._close()

    def on_train_end(self, net, logs=None):
        self._close()

    def _close(self):
        if self._bar is not None:
            self._bar.close()
        self._bar = None
