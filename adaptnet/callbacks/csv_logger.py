"""Write the training history to a CSV file, one row per epoch."""
import csv
import os

from .base import Callback
from .paths import ensure_writable_dir


class CSVLogger(Callback):
    """Append each epoch's history row to a CSV file as training goes.

    The columns are the keys of the first row written (later keys are
    ignored, missing ones left empty, as in Keras); the file is flushed
    after every row, so it can be followed while training runs.

    Parameters
    ----------
    filename : str or os.PathLike
    separator : str
        A single character.
    append : bool
        Append to an existing file (keeping its columns) instead of
        overwriting it; use it when resuming from a checkpoint.

    Raises
    ------
    ValueError
        On a bad separator, or at ``on_train_begin`` when the file's folder
        cannot be written.

    Examples
    --------
    >>> import os, tempfile
    >>> from adaptnet.callbacks import CSVLogger
    >>> path = os.path.join(tempfile.mkdtemp(), "log.csv")
    >>> class FakeNet:
    ...     pass
    >>> logger = CSVLogger(path)
    >>> logger.on_train_begin(FakeNet())
    >>> logger.on_epoch_end(FakeNet(), {"epoch": 1, "train_loss": 0.5})
    >>> logger.on_train_end(FakeNet())
    >>> print(open(path).read().strip())
    epoch,train_loss
    1,0.5
    """

    _transient_attributes = ("_file", "_writer")

    def __init__(self, filename, separator=",", append=False):
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(f"{type(self).__name__}: filename must be a str or os.PathLike, got {filename!r}")
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"{type(self).__name__}: separator must be one character, got {separator!r}")
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = bool(append)
        self._file = None
        self._writer = None

    def on_train_begin(self, net, logs=None):
        ensure_writable_dir(os.path.dirname(self.filename), type(self).__name__, "filename")
        fieldnames = None
        if self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0:
            with open(self.filename, newline="") as f:
                fieldnames = next(csv.reader(f, delimiter=self.separator))
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._writer = None if fieldnames is None else self._make_writer(fieldnames)

    def _make_writer(self, fieldnames):
        return csv.DictWriter(self._file, fieldnames=fieldnames, delimiter=self.separator,
                              extrasaction="ignore", restval="")

    def on_epoch_end(self, net, logs=None):
        if self._writer is None:
            self._writer = self._make_writer(list(logs))
            self._writer.writeheader()
        self._writer.writerow(logs)
        self._file.flush()

    def on_train_end(self, net, logs=None):
        if self._file is not None:
            self._file.close()
        self._file = None
        self._writer = None
