"""``adaptnet predict MODEL DATA``: predictions of a model trained with ``adaptnet train``."""
import os
import pickle
import sys

import numpy as np

from .config import ConfigError, load_arrays
from .output import MODEL_FILE, save_array

__all__ = ["add_parser", "run", "load_model"]


def add_parser(subparsers):
    """Register the ``predict`` subcommand.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> import argparse
    >>> sub = argparse.ArgumentParser().add_subparsers()
    >>> add_parser(sub).prog.endswith("predict")
    True
    """
    parser = subparsers.add_parser(
        "predict", help="predict with a model trained by 'adaptnet train'",
        description="Predict class labels (or probabilities with --proba) for the samples in "
                    "DATA with a model saved by 'adaptnet train', and write them as a .npy file.",
        epilog="Exit codes: 0 success, 2 invalid input (missing or unreadable file, wrong "
               "sample shape).",
    )
    parser.add_argument("model", metavar="MODEL",
                        help=f"the {MODEL_FILE} written by 'adaptnet train', or its output folder")
    parser.add_argument("data", metavar="DATA",
                        help="samples: a .npy array, or a .npz file with the array under key 'X'")
    parser.add_argument("--out", default="preds.npy", metavar="PATH",
                        help="where to write the predictions (default: %(default)s)")
    parser.add_argument("--proba", action="store_true",
                        help="write class probabilities, shape (n_samples, n_classes), instead "
                             "of labels")
    parser.set_defaults(run=run)
    return parser


def load_model(path):
    """Unpickle a model saved by ``adaptnet train``.

    Parameters
    ----------
    path : str or path-like
        The model file, or the output folder that holds it.

    Returns
    -------
    net
        The fitted estimator.

    Raises
    ------
    ConfigError
        If the file is missing, cannot be unpickled or holds no estimator.

    Examples
    --------
    >>> load_model("no-such-folder")
    Traceback (most recent call last):
    ...
    adaptnet.cli.config.ConfigError: MODEL: 'no-such-folder' does not exist; expected model.pkl written by 'adaptnet train' or its output folder
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, MODEL_FILE)
    if not os.path.exists(path):
        raise ConfigError(f"MODEL: {path!r} does not exist; expected {MODEL_FILE} written by "
                          f"'adaptnet train' or its output folder")
    try:
        with open(path, "rb") as f:
            net = pickle.load(f)
    except Exception as exc:
        raise ConfigError(f"MODEL: cannot unpickle {path!r} ({type(exc).__name__}: {exc})") \
            from None
    if not callable(getattr(net, "predict", None)):
        raise ConfigError(f"MODEL: {path!r} holds a {type(net).__name__}, not a fitted net")
    return net


def run(args):
    """Execute ``adaptnet predict`` for parsed arguments.

    Parameters
    ----------
    args : argparse.Namespace
        ``model``, ``data``, ``out``, ``proba``.

    Returns
    -------
    int
        0 on success.

    Raises
    ------
    ConfigError
        If the model or data cannot be read, or the samples do not fit the net.

    Examples
    --------
    >>> import argparse
    >>> run(argparse.Namespace(model="missing.pkl", data="x.npy", out="p.npy", proba=False))
    Traceback (most recent call last):
    ...
    adaptnet.cli.config.ConfigError: MODEL: 'missing.pkl' does not exist; expected model.pkl written by 'adaptnet train' or its output folder
    """
    net = load_model(args.model)
    spec = {"npz": args.data} if args.data.endswith(".npz") else {"X": args.data}
    X, _ = load_arrays("DATA", spec, need_labels=False)
    try:
        predictions = net.predict_proba(X) if args.proba else net.predict(X)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"DATA: {args.data!r} does not fit the model: {exc}") from None
    save_array(args.out, np.asarray(predictions))
    what = "class probabilities" if args.proba else "labels"
    print(f"wrote {what} of {len(X)} samples to {args.out}", file=sys.stdout)
    return 0
