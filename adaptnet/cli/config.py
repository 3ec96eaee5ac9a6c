"""The ``adaptnet train`` configuration file: schema, validation and data loading.

Everything a run needs is checked here, before any training starts or any
output folder is created, and every problem is reported as one
:class:`ConfigError` naming the key or file and what was expected.
"""
import numbers
import os
from dataclasses import dataclass

import numpy as np

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

__all__ = ["ConfigError", "Option", "SCHEMA", "load_config", "load_arrays", "describe_schema"]


class ConfigError(ValueError):
    """A configuration or data problem found before training (``adaptnet`` exits with code 2).

    Examples
    --------
    >>> str(ConfigError("estimator.max_epochs: expected a positive integer, got 0"))
    'estimator.max_epochs: expected a positive integer, got 0'
    """


def _positive(value):
    return value > 0


def _non_negative(value):
    return value >= 0


def _unit_interval(value):
    return 0 <= value < 1


@dataclass(frozen=True)
class Option:
    """One key of the configuration schema.

    Parameters
    ----------
    kind : {'str', 'int', 'float', 'bool', 'table', 'data'}
        Expected TOML type (``float`` also accepts integers; ``data`` is a
        path string or a table ``{X = "...", y = "..."}`` of ``.npy`` paths).
    default : object
        Value used when the key is absent; ``REQUIRED`` makes it mandatory.
    help : str
        One line for ``adaptnet train --help`` and the docs.
    choices : tuple, optional
        Allowed values.
    check : callable, optional
        ``check(value) -> bool``; ``expect`` describes what it accepts.
    expect : str, optional
        Description used in error messages, e.g. ``"a positive integer"``.

    Examples
    --------
    >>> Option("int", 10, "number of epochs", check=lambda v: v > 0,
    ...        expect="a positive integer").validate("estimator.max_epochs", 5)
    5
    """

    kind: str
    default: object
    help: str
    choices: tuple = None
    check: object = None
    expect: str = None

    def describe(self):
        """Return what the option accepts, in words (used in error messages).

        Returns
        -------
        str

        Examples
        --------
        >>> Option("str", "pca", "method", choices=("pca", "tsne")).describe()
        "one of 'pca', 'tsne'"
        """
        if self.choices is not None:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.expect is not None:
            return self.expect
        return {
            "str": "a string", "int": "an integer", "float": "a number", "bool": "true or false",
            "table": "a table",
            "data": 'a path to a .npz file or a table {X = "x.npy", y = "y.npy"}',
        }[self.kind]

    def validate(self, key, value):
        """Return ``value`` (floats as ``float``) when it fits the option.

        Parameters
        ----------
        key : str
            Dotted key used in the error message.
        value : object
            The TOML value.

        Returns
        -------
        object

        Raises
        ------
        ConfigError
            If the value has the wrong type or is not accepted.

        Examples
        --------
        >>> Option("float", 0.1, "rate").validate("estimator.learning_rate", 1)
        1.0
        """
        is_int = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        ok_type = {
            "str": isinstance(value, str),
            "int": is_int,
            "float": is_int or isinstance(value, float),
            "bool": isinstance(value, bool),
            "table": isinstance(value, dict),
            "data": isinstance(value, (str, dict)),
        }[self.kind]
        if self.kind == "float" and ok_type:
            value = float(value)
            ok_type = bool(np.isfinite(value))
        if not ok_type or (self.choices is not None and value not in self.choices) \
                or (self.check is not None and not self.check(value)):
            raise ConfigError(f"{key}: expected {self.describe()}, got {value!r}")
        return value


REQUIRED = object()

#: The configuration schema: section -> key -> :class:`Option`.
SCHEMA = {
    "data": {
        "source": Option("data", REQUIRED, "labelled source-domain data (X, y)"),
        "target": Option("data", REQUIRED, "unlabelled target-domain data (X; a y is ignored)"),
        "target_valid": Option(
            "data", None, "labelled target-domain validation data (X, y), reported per epoch "
            "and usable for early stopping"),
    },
    "network": {
        "preset": Option("str", "mlp", "'mlp', 'paper-mnist' or 'package.module:function' "
                         "returning a layer list or a dict of AdversarialNet arguments"),
        "options": Option("table", {}, "keyword arguments of the preset function"),
    },
    "estimator": {
        "adversarial": Option("bool", True, "train with the domain-adversarial loss (DANN); "
                              "false trains source-only"),
        "max_epochs": Option("int", 30, "number of epochs", check=_positive,
                             expect="a positive integer"),
        "batch_size": Option("int", 64, "source samples per batch (as many target samples "
                             "are added)", check=_positive, expect="a positive integer"),
        "update": Option("str", "momentum", "update rule: sgd, momentum, nesterov_momentum or adam",
                         choices=("sgd", "momentum", "nesterov_momentum", "adam")),
        "learning_rate": Option("float", 0.01, "initial learning rate", check=_positive,
                                expect="a positive number"),
        "momentum": Option("float", 0.9, "momentum (momentum and nesterov_momentum rules)",
                           check=_unit_interval, expect="a number in [0, 1)"),
        "domain_loss_weight": Option("float", 1.0, "weight of the domain loss in the "
                                     "objective", check=_non_negative,
                                     expect="a non-negative number"),
        "valid_size": Option("float", 0.1, "fraction of the source data held out for "
                             "validation (0 for none)", check=_unit_interval,
                             expect="a number in [0, 1)"),
        "random_state": Option("int", 0, "seed of weight init, shuffling and dropout"),
    },
    "lambda_schedule": {
        "schedule": Option("str", "dann", "'dann': lambda_max * (2 / (1 + exp(-gamma p)) - 1), "
                           "p the training progress; 'linear': warm-up over a fraction "
                           "warmup of training; 'constant': lambda_max",
                           choices=("dann", "linear", "constant")),
        "lambda_max": Option("float", 1.0, "final (or constant) gradient reversal weight",
                             check=_non_negative, expect="a non-negative number"),
        "gamma": Option("float", 10.0, "steepness of the 'dann' schedule", check=_positive,
                        expect="a positive number"),
        "warmup": Option("float", 1.0, "fraction of training of the 'linear' warm-up",
                         check=lambda v: 0 < v <= 1, expect="a number in (0, 1]"),
    },
    "lr_schedule": {
        "schedule": Option("str", "constant", "'dann': lr / (1 + alpha p) ** beta; 'step': "
                           "lr * gamma ** (epoch // step_size); 'exponential': lr * gamma ** "
                           "epoch; 'cosine': down to min_value; 'constant': lr",
                           choices=("constant", "dann", "step", "exponential", "cosine")),
        "alpha": Option("float", 10.0, "alpha of 'dann'", check=_positive,
                        expect="a positive number"),
        "beta": Option("float", 0.75, "beta of 'dann'", check=_positive,
                       expect="a positive number"),
        "step_size": Option("int", 10, "epochs between decays of 'step'", check=_positive,
                            expect="a positive integer"),
        "gamma": Option("float", 0.1, "decay factor of 'step' and 'exponential'",
                        check=lambda v: 0 < v <= 1, expect="a number in (0, 1]"),
        "min_value": Option("float", 0.0, "final value of 'cosine'", check=_non_negative,
                            expect="a non-negative number"),
    },
    "early_stopping": {
        "enabled": Option("bool", False, "stop when the monitored value stops improving"),
        "monitor": Option("str", "valid_loss", "history key to monitor, e.g. valid_loss or "
                          "target_valid_loss (needs data.target_valid)"),
        "patience": Option("int", 10, "epochs without improvement before stopping",
                           check=_positive, expect="a positive integer"),
        "min_delta": Option("float", 0.0, "smallest change counted as an improvement",
                            check=_non_negative, expect="a non-negative number"),
        "restore_best_weights": Option("bool", True, "restore the best epoch's weights "
                                       "when stopping"),
    },
    "tensorboard": {
        "enabled": Option("bool", True, "write TensorBoard event files under <output>/runs"),
    },
    "output": {
        "dir": Option("str", "adaptnet-run", "output folder (relative to the config file); "
                      "--out overrides it"),
        "overwrite": Option("bool", False, "replace an existing output folder"),
    },
}


def describe_schema():
    """Return the schema as text: one line per key with its default and meaning.

    Returns
    -------
    str

    Examples
    --------
    >>> print(describe_schema().splitlines()[0])
    [data]
    """
    lines = []
    for section, options in SCHEMA.items():
        lines.append(f"[{section}]")
        for key, option in options.items():
            default = "required" if option.default is REQUIRED else \
                "optional" if option.default is None else f"default {_toml(option.default)}"
            lines.append(f"  {key} ({default}): {option.help}")
    return "\n".join(lines)


def _toml(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, dict):
        return "{}"
    return repr(value)


def load_config(path):
    """Read and validate a TOML configuration file.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    dict
        section -> key -> value, with every default filled in, ``data``
        paths resolved against the config file's folder (a ``.npz`` path
        becomes ``{"npz": path}``, a table ``{"X": path, "y": path}``), and
        ``output.dir`` made absolute the same way.

    Raises
    ------
    ConfigError
        If the file is missing or not TOML, has an unknown section or key,
        a value of the wrong type or range, or lacks a required key.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "run.toml").write_text('[data]\\nsource = "s.npz"\\ntarget = "t.npz"\\n')
    >>> config = load_config(folder / "run.toml")
    >>> config["estimator"]["max_epochs"], config["data"]["source"]["npz"] == str(folder / "s.npz")
    (30, True)
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config file {path!r} does not exist; expected a TOML file") from None
    except IsADirectoryError:
        raise ConfigError(f"config file {path!r} is a folder; expected a TOML file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path!r} is not valid TOML: {exc}") from None
    base = os.path.dirname(os.path.abspath(path))
    unknown = sorted(set(raw) - set(SCHEMA))
    if unknown:
        raise ConfigError(
            f"unknown section or key {unknown[0]!r} in {path!r}; expected sections "
            f"{', '.join(SCHEMA)}"
        )
    config = {}
    for section, options in SCHEMA.items():
        given = raw.get(section, {})
        if not isinstance(given, dict):
            raise ConfigError(f"{section}: expected a table [{section}], got {given!r}")
        unknown = sorted(set(given) - set(options))
        if unknown:
            raise ConfigError(
                f"unknown key {section}.{unknown[0]} in {path!r}; expected keys of [{section}]: "
                f"{', '.join(options)}"
            )
        values = {}
        for key, option in options.items():
            name = f"{section}.{key}"
            if key not in given:
                if option.default is REQUIRED:
                    raise ConfigError(f"{name} is required: {option.help} "
                                      f"({option.describe()})")
                values[key] = option.default
                continue
            value = option.validate(name, given[key])
            if option.kind == "data":
                value = _resolve_data(name, value, base)
            values[key] = value
        config[section] = values
    config["output"]["dir"] = os.path.abspath(os.path.join(base, config["output"]["dir"]))
    return config


def _resolve_data(name, value, base):
    if isinstance(value, str):
        return {"npz": os.path.join(base, value)}
    unknown = sorted(set(value) - {"X", "y"})
    if unknown or "X" not in value or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(
            f'{name}: expected a path to a .npz file or a table {{X = "x.npy", y = "y.npy"}} '
            f"of .npy paths, got {value!r}"
        )
    return {k: os.path.join(base, v) for k, v in value.items()}


def _read_array(name, path, key=None):
    try:
        data = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise ConfigError(f"{name}: file {path!r} does not exist") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{name}: cannot read {path!r} as a NumPy .npy/.npz file ({exc})") \
            from None
    if isinstance(data, np.lib.npyio.NpzFile):
        with data:
            if key not in data.files:
                raise ConfigError(
                    f"{name}: {path!r} has no array {key!r} (it has {sorted(data.files)}); "
                    f"expected keys 'X' (samples) and 'y' (integer labels)"
                )
            return data[key]
    return data


def load_arrays(name, spec, need_labels):
    """Load the ``X`` (and ``y``) arrays of one ``data`` entry and check them.

    Parameters
    ----------
    name : str
        Dotted config key, e.g. ``"data.source"`` (used in messages).
    spec : dict
        ``{"npz": path}`` or ``{"X": path, "y": path}`` as returned by
        :func:`load_config`.
    need_labels : bool
        Whether ``y`` is required.

    Returns
    -------
    X : numpy.ndarray
        float32, at least 2-D, finite.
    y : numpy.ndarray or None
        int32 labels, one per sample (``None`` when not needed).

    Raises
    ------
    ConfigError
        If a file or key is missing, ``X`` is not a finite numeric array of at
        least 2 dimensions, or ``y`` is not a 1-D array of non-negative
        integers with one entry per sample.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "d.npz")
    >>> np.savez(path, X=np.zeros((3, 2)), y=np.array([0, 1, 1]))
    >>> X, y = load_arrays("data.source", {"npz": path}, need_labels=True)
    >>> X.dtype, y.tolist()
    (dtype('float32'), [0, 1, 1])
    """
    if "npz" in spec:
        X = _read_array(name, spec["npz"], "X")
        y = _read_array(name, spec["npz"], "y") if need_labels else None
    else:
        X = _read_array(f"{name}.X", spec["X"])
        if need_labels and "y" not in spec:
            raise ConfigError(f"{name}.y is required: labels (a .npy path) for {name}")
        y = _read_array(f"{name}.y", spec["y"]) if need_labels else None
    if X.dtype.kind not in "fiub" or X.ndim < 2 or len(X) == 0:
        raise ConfigError(
            f"{name}: expected X to be a numeric array of shape (n_samples, n_features, ...) "
            f"with n_samples > 0, got dtype {X.dtype} and shape {X.shape}"
        )
    X = X.astype(np.float32)
    if not np.all(np.isfinite(X)):
        raise ConfigError(f"{name}: X contains NaN or infinite values")
    if y is None:
        return X, None
    if y.ndim != 1 or y.dtype.kind not in "iub" or len(y) != len(X) or (y < 0).any():
        raise ConfigError(
            f"{name}: expected y to be a 1-D array of non-negative integer labels with one "
            f"entry per sample ({len(X)}), got dtype {y.dtype} and shape {y.shape}"
        )
    return X, y.astype(np.int32)
