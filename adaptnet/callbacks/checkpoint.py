"""Save checkpoints of the net during training."""
import os
import string

from ..utils import check_positive_int
from .base import Callback
from .monitor import Monitor
from .paths import ensure_writable_dir


class ModelCheckpoint(Callback):
    """Write a checkpoint (``net.save_checkpoint``) every ``every_n_epochs`` epochs.

    A checkpoint holds everything needed to resume training exactly
    (parameters, optimizer state, hyperparameters, RNG states, history and
    the states of the callbacks); load it with ``NeuralNet.load_checkpoint``.
    Callbacks placed after this one in ``callbacks=[...]`` are saved with
    their state of the previous epoch, so put it last.

    Parameters
    ----------
    path : str or os.PathLike
        File path; ``str.format`` fields are filled from the epoch row, e.g.
        ``'ckpt/epoch{epoch:03d}-{valid_loss:.3f}.ckpt'``.
    monitor : str
        History key compared when ``save_best_only``.
    mode : {'auto', 'min', 'max'}
    save_best_only : bool
        Save only epochs that improve on the best ``monitor`` value so far.
    every_n_epochs : int
        Save on epochs divisible by this (>= 1).
    verbose : int
        ``> 0`` prints every save.

    Attributes
    ----------
    best_ : float
        Best monitored value saved so far.
    saved_paths_ : list of str
        Files written, in order.

    Raises
    ------
    ValueError
        On a bad argument or a path template with bad fields; at
        ``on_train_begin`` when the folder cannot be written; after the first
        epoch when ``monitor`` (with ``save_best_only``) or a path field is
        not in the history row.

    Examples
    --------
    >>> from adaptnet.callbacks import ModelCheckpoint
    >>> cb = ModelCheckpoint("ckpt/epoch{epoch:03d}.ckpt", every_n_epochs=5)
    >>> cb.format_path({"epoch": 5, "valid_loss": 0.25})
    'ckpt/epoch005.ckpt'
    """

    def __init__(self, path, monitor="valid_loss", mode="auto", save_best_only=False, every_n_epochs=1,
                 verbose=0):
        owner = type(self).__name__
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"{owner}: path must be a str or os.PathLike, got {path!r}")
        path = os.fspath(path)
        try:
            fields = [field for _, field, _, _ in string.Formatter().parse(path) if field is not None]
        except ValueError as exc:
            raise ValueError(f"{owner}: path={path!r} is not a valid format template: {exc}") from exc
        if any(not field or field[0].isdigit() for field in fields):
            raise ValueError(f"{owner}: path={path!r} may only use named fields such as {{epoch}}")
        self.monitor_ = Monitor(monitor, mode, 0.0, owner)
        self.every_n_epochs = check_positive_int(every_n_epochs, "every_n_epochs", owner)
        self.path = path
        self.monitor = monitor
        self.mode = mode
        self.save_best_only = bool(save_best_only)
        self.verbose = verbose
        self.best_ = self.monitor_.worst()
        self.saved_paths_ = []

    def format_path(self, logs):
        """Return the checkpoint path for an epoch row.

        Parameters
        ----------
        logs : dict
            The epoch's history row.

        Returns
        -------
        str

        Raises
        ------
        ValueError
            If the template names a key the row lacks.

        Examples
        --------
        >>> ModelCheckpoint("best-{valid_accuracy:.2f}.ckpt").format_path({"valid_accuracy": 0.875})
        'best-0.88.ckpt'
        """
        try:
            return self.path.format(**logs)
        except KeyError as exc:
            raise ValueError(
                f"{type(self).__name__}: path={self.path!r} uses {exc}, which is not in the epoch's "
                f"history row; available keys: {sorted(logs)}"
            ) from None

    def on_train_begin(self, net, logs=None):
        folder = os.path.dirname(self.path)
        if "{" not in folder:
            ensure_writable_dir(folder, type(self).__name__, "path")
        if len(net.train_history_) == 0:
            self.best_ = self.monitor_.worst()
            self.saved_paths_ = []

    def on_epoch_end(self, net, logs=None):
        if logs["epoch"] % self.every_n_epochs:
            return
        if self.save_best_only:
            current = self.monitor_.value(logs)
            if not self.monitor_.is_better(current, self.best_):
                return
            self.best_ = current
        path = self.format_path(logs)
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        net.save_checkpoint(path)
        self.saved_paths_.append(path)
        if self.verbose > 0:
            print(f"{type(self).__name__}: epoch {logs['epoch']}: saved {path}")

    def get_state(self):
        """Return the best monitored value and the files written so far.

        Returns
        -------
        dict

        Examples
        --------
        >>> ModelCheckpoint("a.ckpt").get_state()
        {'best_': inf, 'saved_paths_': []}
        """
        return {"best_": self.best_, "saved_paths_": list(self.saved_paths_)}
