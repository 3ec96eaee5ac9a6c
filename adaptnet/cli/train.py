"""``adaptnet train CONFIG.toml``: train a (domain-adversarial) net from a configuration file.

Everything is validated first (config keys and types, data files, array
shapes, the network built from its preset); then the run writes its output
folder under a temporary name and renames it into place at the end, so a
failed or interrupted run leaves no partial output.
"""
import argparse
import os
import pickle
import shutil
import sys
import time

import numpy as np

from .. import presets
from .config import ConfigError, describe_schema, load_arrays, load_config
from .output import MODEL_FILE, PARAMS_FILE, staged_folder, write_history

__all__ = ["add_parser", "run", "prepare", "build_callbacks", "HISTORY_KEYS"]

#: History keys early stopping may monitor, with what each needs.
HISTORY_KEYS = {
    "train_loss": None, "label_loss": None, "domain_loss": None, "domain_accuracy": None,
    "valid_loss": "estimator.valid_size > 0", "valid_accuracy": "estimator.valid_size > 0",
    "target_valid_loss": "data.target_valid", "target_valid_accuracy": "data.target_valid",
}


def add_parser(subparsers):
    """Register the ``train`` subcommand.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction

    Returns
    -------
    argparse.ArgumentParser

    Examples
    --------
    >>> sub = argparse.ArgumentParser().add_subparsers()
    >>> "[estimator]" in add_parser(sub).format_help()
    True
    """
    parser = subparsers.add_parser(
        "train", help="train a net from a TOML configuration file",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train an AdversarialNet (or, with estimator.adversarial = false, the same "
                    "network source-only) as described by CONFIG, a TOML file. The output "
                    f"folder receives {MODEL_FILE} (the pickled net, for 'adaptnet predict'), "
                    f"{PARAMS_FILE} (parameter values, for net.load_params_from), "
                    "history.csv and history.json (one row per epoch), config.toml (a copy "
                    "of CONFIG) and runs/ (TensorBoard logs). It is built under a temporary "
                    "name and renamed at the end: a failed run leaves nothing behind.",
        epilog="data files: a path to a .npz file with arrays 'X' (samples, float, shape "
               "(n_samples, ...)) and 'y' (integer labels 0..n_classes-1), or a table "
               "{X = \"x.npy\", y = \"y.npy\"} of .npy files. Relative paths are resolved "
               "against the config file's folder.\n\n"
               "configuration keys (see examples/train_config.toml):\n" + describe_schema()
               + "\n\nexit codes: 0 success, 2 invalid configuration or data (nothing is "
               "written).",
    )
    parser.add_argument("config", metavar="CONFIG", help="the TOML configuration file")
    parser.add_argument("--out", metavar="DIR",
                        help="output folder (overrides output.dir; relative to the current "
                             "folder)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an existing output folder (as output.overwrite = true)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)
    return parser


def _check_data(config):
    data = config["data"]
    X, y = load_arrays("data.source", data["source"], need_labels=True)
    n_classes = int(y.max()) + 1
    if n_classes < 2:
        raise ConfigError(f"data.source: expected labels of at least 2 classes, got only {y[0]}")
    X_target, _ = load_arrays("data.target", data["target"], need_labels=False)
    if X_target.shape[1:] != X.shape[1:]:
        raise ConfigError(
            f"data.target: expected samples of shape {X.shape[1:]} like data.source, got "
            f"{X_target.shape[1:]}"
        )
    arrays = {"X": X, "y": y, "X_target": X_target}
    if data["target_valid"] is not None:
        X_tv, y_tv = load_arrays("data.target_valid", data["target_valid"], need_labels=True)
        if X_tv.shape[1:] != X.shape[1:]:
            raise ConfigError(
                f"data.target_valid: expected samples of shape {X.shape[1:]} like data.source, "
                f"got {X_tv.shape[1:]}"
            )
        if y_tv.max() >= n_classes:
            raise ConfigError(
                f"data.target_valid: expected labels in 0..{n_classes - 1} (the classes of "
                f"data.source), got {int(y_tv.max())}"
            )
        arrays.update(X_valid_target=X_tv, y_valid_target=y_tv)
    return arrays, n_classes


def _check_monitor(config):
    stopping = config["early_stopping"]
    if not stopping["enabled"]:
        return
    monitor = stopping["monitor"]
    if monitor not in HISTORY_KEYS:
        raise ConfigError(
            f"early_stopping.monitor: expected one of {', '.join(HISTORY_KEYS)}, got {monitor!r}"
        )
    needs = HISTORY_KEYS[monitor]
    missing = (needs == "data.target_valid" and config["data"]["target_valid"] is None) or \
        (needs == "estimator.valid_size > 0" and config["estimator"]["valid_size"] == 0)
    if missing:
        raise ConfigError(f"early_stopping.monitor: {monitor!r} needs {needs}")


def build_callbacks(config, log_dir=None, progress=True):
    """Return the callbacks a configuration asks for.

    Parameters
    ----------
    config : dict
        As returned by :func:`~adaptnet.cli.config.load_config`.
    log_dir : str, optional
        TensorBoard folder (no TensorBoard callback when ``None`` or when
        ``tensorboard.enabled`` is false).
    progress : bool
        Add a progress bar.

    Returns
    -------
    list of Callback

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "c.toml")
    >>> _ = open(path, "w").write('[data]\\nsource = "s.npz"\\ntarget = "t.npz"\\n')
    >>> [type(c).__name__ for c in build_callbacks(load_config(path), progress=False)]
    ['LambdaScheduler']
    """
    from ..callbacks import (EarlyStopping, LambdaScheduler, LearningRateScheduler, ProgressBar,
                             TensorBoard)

    callbacks = []
    if config["estimator"]["adversarial"]:
        callbacks.append(LambdaScheduler(**config["lambda_schedule"]))
    lr = dict(config["lr_schedule"])
    if lr.pop("schedule") != "constant":
        callbacks.append(LearningRateScheduler(config["lr_schedule"]["schedule"], **lr))
    stopping = dict(config["early_stopping"])
    if stopping.pop("enabled"):
        callbacks.append(EarlyStopping(**stopping))
    if log_dir is not None and config["tensorboard"]["enabled"]:
        callbacks.append(TensorBoard(log_dir=log_dir))
    if progress:
        callbacks.append(ProgressBar(leave=False))
    return callbacks


def prepare(config, progress=True):
    """Validate a configuration's data and network; return the unfitted net and the data.

    Parameters
    ----------
    config : dict
        As returned by :func:`~adaptnet.cli.config.load_config`.
    progress : bool
        Whether the net shows a progress bar.

    Returns
    -------
    net : AdversarialNet
        Initialized (layers built, nothing compiled), not fitted; its TensorBoard
        callback, if any, is added by :func:`run`.
    arrays : dict
        ``X``, ``y``, ``X_target`` and, when configured, ``X_valid_target``
        and ``y_valid_target``.

    Raises
    ------
    ConfigError
        If a data file, array, the early-stopping monitor or the network
        preset and its options do not fit.

    Examples
    --------
    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> np.savez(os.path.join(folder, "s.npz"), X=np.zeros((4, 2)), y=np.array([0, 1, 0, 1]))
    >>> np.savez(os.path.join(folder, "t.npz"), X=np.zeros((3, 5)))
    >>> _ = open(os.path.join(folder, "c.toml"), "w").write(
    ...     '[data]\\nsource = "s.npz"\\ntarget = "t.npz"\\n')
    >>> prepare(load_config(os.path.join(folder, "c.toml")))
    Traceback (most recent call last):
    ...
    adaptnet.cli.config.ConfigError: data.target: expected samples of shape (2,) like data.source, got (5,)
    """
    arrays, n_classes = _check_data(config)
    _check_monitor(config)
    network = config["network"]
    try:
        architecture = presets.build(network["preset"], arrays["X"].shape[1:], n_classes,
                                     **network["options"])
    except presets.PresetError as exc:
        raise ConfigError(f"network.preset: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"network.options: the preset {network['preset']!r} rejected its options "
            f"{network['options']!r}: {exc}"
        ) from None
    net = _make_net(config, architecture, build_callbacks(config, progress=progress))
    try:
        net.initialize()
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"network: cannot build the network of preset "
                          f"{network['preset']!r}: {exc}") from None
    return net, arrays


def _make_net(config, architecture, callbacks):
    from .. import AdversarialNet, updates
    from ..nets import BatchIterator, TrainSplit

    est = config["estimator"]
    update_kwargs = {"update_learning_rate": est["learning_rate"]}
    if est["update"] in ("momentum", "nesterov_momentum"):
        update_kwargs["update_momentum"] = est["momentum"]
    return AdversarialNet(
        **architecture,
        adversarial=est["adversarial"],
        update=getattr(updates, est["update"]),
        **update_kwargs,
        max_epochs=est["max_epochs"],
        batch_iterator_train=BatchIterator(est["batch_size"], shuffle=True),
        train_split=TrainSplit(eval_size=est["valid_size"] or None),
        domain_loss_weight=est["domain_loss_weight"],
        random_state=est["random_state"],
        callbacks=callbacks,
        verbose=0,
    )


def run(args):
    """Execute ``adaptnet train`` for parsed arguments.

    Parameters
    ----------
    args : argparse.Namespace
        ``config``, ``out``, ``overwrite``, ``quiet``.

    Returns
    -------
    int
        0 on success.

    Raises
    ------
    ConfigError
        If the configuration, its data or the output folder are invalid
        (raised before anything is written).

    Examples
    --------
    >>> run(argparse.Namespace(config="missing.toml", out=None, overwrite=False, quiet=True))
    Traceback (most recent call last):
    ...
    adaptnet.cli.config.ConfigError: config file 'missing.toml' does not exist; expected a TOML file
    """
    config = load_config(args.config)
    out = os.path.abspath(args.out) if args.out else config["output"]["dir"]
    overwrite = args.overwrite or config["output"]["overwrite"]
    if os.path.exists(out) and not overwrite:
        key = "--out" if args.out else "output.dir"
        raise ConfigError(f"{key}: the output folder {out!r} already exists; choose another or "
                          "set output.overwrite = true (or pass --overwrite)")
    net, arrays = prepare(config, progress=not args.quiet)
    start = time.perf_counter()
    with staged_folder(out, overwrite=overwrite) as folder:
        if config["tensorboard"]["enabled"]:
            from ..callbacks import TensorBoard

            board = TensorBoard(log_dir=os.path.join(folder, "runs"))
            net.callbacks = list(net.callbacks) + [board]
        net.fit(**arrays)
        if config["tensorboard"]["enabled"]:
            # the pickled net should point at the logs' final place, not the staging folder
            board.log_dir = os.path.join(out, "runs")
        with open(os.path.join(folder, MODEL_FILE), "wb") as f:
            pickle.dump(net, f, protocol=pickle.HIGHEST_PROTOCOL)
        net.save_params_to(os.path.join(folder, PARAMS_FILE))
        write_history(net.train_history_, folder)
        shutil.copyfile(args.config, os.path.join(folder, "config.toml"))
    _print_summary(net, out, time.perf_counter() - start)
    return 0


def _print_summary(net, out, seconds):
    last = net.train_history_[-1]
    shown = [f"{k}={last[k]:.4f}" for k in HISTORY_KEYS if isinstance(last.get(k), float)]
    print(f"trained {len(net.train_history_)} epochs in {seconds:.1f} s: {', '.join(shown)}")
    print(f"wrote {out}{os.sep}: {MODEL_FILE}, {PARAMS_FILE}, history.csv, history.json, "
          "config.toml" + (", runs/" if os.path.isdir(os.path.join(out, "runs")) else ""))
    if os.path.isdir(os.path.join(out, "runs")):
        print(f"view the curves with: tensorboard --logdir {os.path.join(out, 'runs')}")
    sys.stdout.flush()
