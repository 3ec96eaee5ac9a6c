"""Plots of training histories and of learned feature embeddings.

Matplotlib is imported inside the functions, so ``import adaptnet`` stays
light. A figure that is only saved (``path`` given, no ``ax``) is built with
matplotlib's object-oriented API and rendered by the Agg backend: it needs no
display and is not registered with ``pyplot``, so scripts and servers that
save many plots neither open windows nor leak figures.
"""
import numbers

import numpy as np

__all__ = ["plot_history", "plot_embedding", "DEFAULT_HISTORY_KEYS"]

#: Keys :func:`plot_history` draws by default, in this order, when present.
DEFAULT_HISTORY_KEYS = (
    "train_loss", "valid_loss", "label_loss", "domain_loss", "hp_lambda", "learning_rate",
    "valid_accuracy", "domain_accuracy", "target_valid_accuracy",
)

_TITLES = {
    "train_loss": "training loss", "valid_loss": "validation loss",
    "label_loss": "label loss", "domain_loss": "domain loss",
    "hp_lambda": "lambda (gradient reversal)", "learning_rate": "learning rate",
    "valid_accuracy": "source validation accuracy", "domain_accuracy": "domain accuracy",
    "target_valid_accuracy": "target accuracy", "target_valid_loss": "target validation loss",
}
_DOMAIN_COLORS = ("tab:blue", "tab:red")


def _history_rows(net_or_history, owner):
    rows = getattr(net_or_history, "train_history_", net_or_history)
    if isinstance(rows, (str, bytes, dict)) or not hasattr(rows, "__iter__"):
        raise TypeError(
            f"{owner}: net_or_history must be a fitted net or a list of per-epoch dicts, "
            f"got {type(net_or_history).__name__}"
        )
    rows = list(rows)
    if not all(isinstance(row, dict) for row in rows):
        raise TypeError(f"{owner}: every history entry must be a dict (one per epoch)")
    if not rows:
        raise ValueError(f"{owner}: the history is empty; fit the net first")
    return rows


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _new_figure(ax, path, nrows, ncols, size):
    """Return ``(figure, axes)``: the given ``ax``, an Agg figure when only saving, or pyplot's."""
    if ax is not None:
        return ax.figure, [ax]
    if path is not None:
        from matplotlib.figure import Figure

        fig = Figure(figsize=size, layout="constrained")
    else:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=size, layout="constrained")
    return fig, list(np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel())


def _save(fig, path):
    if path is not None:
        fig.savefig(path, dpi=110)


def plot_history(net_or_history, keys=None, ax=None, path=None, label=None):
    """Plot per-epoch learning curves: losses, lambda, learning rate, accuracies.

    Parameters
    ----------
    net_or_history : net or list of dict
        A fitted net (its ``train_history_`` is used) or a history: a list of
        per-epoch dicts with an ``epoch`` key, as in ``net.train_history_``.
    keys : list of str, optional
        History keys to plot. Default: those of
        :data:`DEFAULT_HISTORY_KEYS` that the history holds.
    ax : matplotlib Axes or sequence of Axes, optional
        One axes: every key is drawn on it (with a legend). A sequence: one
        axes per key, so several runs can be overlaid by calling the function
        once per run with the same axes. By default each key gets its own
        panel in a new figure.
    path : str or path-like, optional
        Save the figure there (the format follows the suffix, e.g. ``.png``).
    label : str, optional
        Legend label of this history's lines (e.g. the run's name); on a
        single axes it is prefixed to each key's name.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.

    Raises
    ------
    TypeError
        If ``net_or_history`` is neither a net nor a list of dicts.
    ValueError
        If the history is empty, a requested key is missing or never numeric,
        or ``ax`` is a sequence of another length than ``keys``.

    Examples
    --------
    >>> history = [{"epoch": 1, "label_loss": 0.9, "hp_lambda": 0.0},
    ...            {"epoch": 2, "label_loss": 0.5, "hp_lambda": 0.4}]
    >>> fig = plot_history(history)  # plot_history(net, path="curves.png") saves a PNG
    >>> [a.get_title() for a in fig.axes]
    ['label loss', 'lambda (gradient reversal)']
    >>> fig = plot_history(history, ax=fig.axes, label="second run")  # overlay another run
    >>> len(fig.axes[0].get_lines())
    2
    """
    rows = _history_rows(net_or_history, "plot_history")
    present = {k for row in rows for k, v in row.items() if _is_number(v)}
    if keys is None:
        keys = [k for k in DEFAULT_HISTORY_KEYS if k in present]
        if not keys:
            raise ValueError(
                f"plot_history: the history has none of the default keys {DEFAULT_HISTORY_KEYS}; "
                f"pass keys= (numeric keys found: {sorted(present)})"
            )
    else:
        if isinstance(keys, str) or not all(isinstance(k, str) for k in keys):
            raise TypeError(f"plot_history: keys must be a list of str, got {keys!r}")
        missing = [k for k in keys if k not in present]
        if missing:
            raise ValueError(
                f"plot_history: keys {missing} have no numeric values in the history; "
                f"available: {sorted(present)}"
            )
    epochs = [row.get("epoch", i + 1) for i, row in enumerate(rows)]
    single = ax is not None and not isinstance(ax, (list, tuple, np.ndarray))
    if ax is None:
        ncols = min(len(keys), 3)
        nrows = -(-len(keys) // ncols)
        fig, axes = _new_figure(None, path, nrows, ncols, (4.0 * ncols, 2.8 * nrows))
        for axis in axes[len(keys):]:
            axis.set_visible(False)
    elif single:
        fig, axes = ax.figure, [ax] * len(keys)
    else:
        axes = list(np.ravel(ax))
        if len(axes) != len(keys):
            raise ValueError(
                f"plot_history: ax holds {len(axes)} axes for {len(keys)} keys {list(keys)}; "
                f"pass one axes per key, or a single axes"
            )
        fig = axes[0].figure
    for key, axis in zip(keys, axes):
        points = [(e, row[key]) for e, row in zip(epochs, rows) if _is_number(row.get(key))]
        xs, ys = zip(*points)
        name = _TITLES.get(key, key)
        line_label = (f"{label}: {name}" if label else name) if single else label
        axis.plot(xs, ys, marker="." if len(xs) < 40 else None, label=line_label)
        axis.set_xlabel("epoch")
        axis.grid(alpha=0.3)
        if not single:
            axis.set_title(name)
        if single or label:
            axis.legend()
    _save(fig, path)
    return fig


def _embed(features, method, random_state):
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=random_state).fit_transform(features)
    from sklearn.manifold import TSNE

    perplexity = min(30.0, (len(features) - 1) / 3.0)
    return TSNE(n_components=2, perplexity=perplexity, init="pca",
                random_state=random_state).fit_transform(features)


def _subsample(X, max_points, rng):
    if len(X) <= max_points:
        return X
    return X[np.sort(rng.choice(len(X), max_points, replace=False))]


def plot_embedding(net, X_source, X_target, method="pca", ax=None, path=None, title=None,
                   max_points=500, random_state=0):
    """Scatter a 2-D embedding of learned features, coloured by domain.

    The features are ``net.transform(X)`` (the output of the feature
    extractor of an :class:`~adaptnet.AdversarialNet`), embedded jointly for
    both domains with PCA or t-SNE. Well adapted features mix the two colours,
    as in the figures of Ganin et al. (2016).

    Parameters
    ----------
    net : object with ``transform(X) -> array``
        Typically a fitted :class:`~adaptnet.AdversarialNet`.
    X_source, X_target : array_like
        Samples of the source and target domain.
    method : {'pca', 'tsne'}
        Embedding method (t-SNE from scikit-learn is slower, seconds for
        1000 points).
    ax : matplotlib Axes, optional
        Axes to draw on; by default a new figure.
    path : str or path-like, optional
        Save the figure there.
    title : str, optional
        Axes title (default names the method).
    max_points : int
        At most this many samples per domain are drawn (a random subset).
    random_state : int
        Seeds the subset and the embedding.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    TypeError
        If ``net`` has no ``transform`` method.
    ValueError
        If ``method`` is unknown, ``max_points`` is not a positive integer, or
        the transformed features are not 2-D arrays with at least 2 rows and
        the same width for both domains.

    Examples
    --------
    >>> class Identity:
    ...     def transform(self, X):
    ...         return np.asarray(X)
    >>> rng = np.random.RandomState(0)
    >>> fig = plot_embedding(Identity(), rng.randn(20, 5), rng.randn(20, 5) + 1)
    >>> fig.axes[0].get_title()
    'PCA of the learned features'
    """
    if not callable(getattr(net, "transform", None)):
        raise TypeError(
            f"plot_embedding: net must have a transform(X) method (e.g. a fitted AdversarialNet), "
            f"got {type(net).__name__}"
        )
    if method not in ("pca", "tsne"):
        raise ValueError(f"plot_embedding: method must be 'pca' or 'tsne', got {method!r}")
    if isinstance(max_points, bool) or not isinstance(max_points, numbers.Integral) \
            or max_points < 2:
        raise ValueError(f"plot_embedding: max_points must be an integer >= 2, got {max_points!r}")
    rng = np.random.RandomState(random_state)
    parts = []
    for name, X in (("X_source", X_source), ("X_target", X_target)):
        features = np.asarray(net.transform(_subsample(np.asarray(X), max_points, rng)))
        features = features.reshape(len(features), -1)
        if len(features) < 2:
            raise ValueError(f"plot_embedding: {name} needs at least 2 samples, got {len(features)}")
        parts.append(features)
    if parts[0].shape[1] != parts[1].shape[1]:
        raise ValueError(
            f"plot_embedding: source and target features differ in width "
            f"({parts[0].shape[1]} vs {parts[1].shape[1]})"
        )
    embedded = _embed(np.concatenate(parts).astype(np.float64), method, random_state)
    fig, (axis,) = _new_figure(ax, path, 1, 1, (5.0, 4.5))
    start = 0
    for features, label, color in zip(parts, ("source", "target"), _DOMAIN_COLORS):
        points = embedded[start:start + len(features)]
        start += len(features)
        axis.scatter(points[:, 0], points[:, 1], s=8, alpha=0.6, c=color, label=label,
                     linewidths=0)
    axis.set_title(title or f"{'PCA' if method == 'pca' else 't-SNE'} of the learned features")
    axis.set_xticks([])
    axis.set_yticks([])
    axis.legend(markerscale=2, loc="best")
    _save(fig, path)
    return fig
