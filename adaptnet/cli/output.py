"""Output files of the command line, written so that a failed run leaves nothing behind.

A run builds its whole output folder under a hidden temporary name next to
the destination and renames it into place only when everything succeeded;
single files are written to a temporary file and renamed.
"""
import contextlib
import csv
import json
import numbers
import os
import shutil
import tempfile

import numpy as np

__all__ = ["MODEL_FILE", "PARAMS_FILE", "staged_folder", "save_array", "write_history",
           "history_rows"]

#: Pickle of the fitted net (``adaptnet predict`` reads it).
MODEL_FILE = "model.pkl"
#: The net's parameter values (``net.load_params_from`` reads it).
PARAMS_FILE = "params.pkl"


@contextlib.contextmanager
def staged_folder(destination, overwrite=False):
    """Build a folder under a temporary name and move it to ``destination`` on success.

    Parameters
    ----------
    destination : str or path-like
        Final folder. Its parent is created if needed.
    overwrite : bool
        Replace an existing ``destination`` (only once the new one is complete).

    Yields
    ------
    str
        The temporary folder to write into (same parent as ``destination``,
        so the final rename is atomic).

    Raises
    ------
    FileExistsError
        If ``destination`` exists and ``overwrite`` is false (checked before
        anything is created).

    Examples
    --------
    >>> import tempfile
    >>> dest = os.path.join(tempfile.mkdtemp(), "run")
    >>> with staged_folder(dest) as tmp:
    ...     _ = open(os.path.join(tmp, "a.txt"), "w").write("done")
    >>> os.listdir(dest)
    ['a.txt']
    """
    destination = os.path.abspath(os.fspath(destination))
    if os.path.exists(destination) and not overwrite:
        raise FileExistsError(destination)
    parent = os.path.dirname(destination)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(destination)}.", dir=parent)
    try:
        yield staging
        if os.path.exists(destination):
            retired = tempfile.mkdtemp(prefix=f".{os.path.basename(destination)}.old.", dir=parent)
            os.replace(destination, os.path.join(retired, "old"))
            os.replace(staging, destination)
            shutil.rmtree(retired)
        else:
            os.replace(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def save_array(path, array):
    """Write ``array`` as a ``.npy`` file at exactly ``path``, atomically.

    Parameters
    ----------
    path : str or path-like
    array : numpy.ndarray

    Examples
    --------
    >>> import tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "p.npy")
    >>> save_array(path, np.arange(3))
    >>> np.load(path).tolist()
    [0, 1, 2]
    """
    path = os.path.abspath(os.fspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npy", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as f:
            np.save(f, array, allow_pickle=False)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _plain(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    return value


def history_rows(history):
    """Return a history as a list of JSON-ready dicts (NumPy scalars become Python numbers).

    Parameters
    ----------
    history : iterable of dict
        One dict per epoch, e.g. ``net.train_history_``.

    Returns
    -------
    list of dict

    Examples
    --------
    >>> history_rows([{"epoch": np.int64(1), "loss": np.float32(0.5)}])
    [{'epoch': 1, 'loss': 0.5}]
    """
    return [{key: _plain(value) for key, value in row.items()} for row in history]


def write_history(history, folder, stem="history"):
    """Write a per-epoch history as ``<stem>.json`` and ``<stem>.csv`` in ``folder``.

    Parameters
    ----------
    history : iterable of dict
    folder : str or path-like
    stem : str

    Returns
    -------
    tuple of str
        The JSON and CSV paths. CSV columns are the keys in order of first
        appearance; an epoch without a key leaves its cell empty.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> _, csv_path = write_history([{"epoch": 1, "loss": 0.5}, {"epoch": 2}], folder)
    >>> print(open(csv_path).read().strip())
    epoch,loss
    1,0.5
    2,
    """
    rows = history_rows(history)
    json_path = os.path.join(folder, f"{stem}.json")
    csv_path = os.path.join(folder, f"{stem}.csv")
    with open(json_path, "w") as f:
        json.dump(rows, f, indent=1)
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with open(csv_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return json_path, csv_path
