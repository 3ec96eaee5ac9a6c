"""Hold out a validation set, compatible with ``nolearn.lasagne.TrainSplit``."""
import numbers

from sklearn.model_selection import KFold, StratifiedKFold


class TrainSplit:
    """Split training data into a training and a validation part.

    The validation part is the first fold of a ``round(1 / eval_size)``-fold
    split (stratified for classification when ``stratify``), as in nolearn.

    Parameters
    ----------
    eval_size : float or None
        Fraction held out for validation, in [0, 1); ``0`` or ``None``
        disables validation.
    stratify : bool
        Keep class proportions in both parts (classification only).
    shuffle : bool
        Shuffle before splitting, seeded by the net's ``random_state``.

    Raises
    ------
    ValueError
        If ``eval_size`` is not ``None`` or a number in [0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> X, y = np.arange(20).reshape(10, 2), np.array([0, 1] * 5)
    >>> net = SimpleNamespace(regression=False, random_state=0)
    >>> X_train, X_valid, y_train, y_valid = TrainSplit(eval_size=0.2)(X, y, net)
    >>> len(X_train), len(X_valid), sorted(y_valid.tolist())
    (8, 2, [0, 1])
    """

    def __init__(self, eval_size, stratify=True, shuffle=False):
        if eval_size is not None and (isinstance(eval_size, bool) or not isinstance(eval_size, numbers.Real)
                                      or not 0 <= eval_size < 1):
            raise ValueError(f"TrainSplit: eval_size must be None or a number in [0, 1), got {eval_size!r}")
        self.eval_size = eval_size
        self.stratify = stratify
        self.shuffle = shuffle

    def __call__(self, X, y, net):
        """Return ``X_train, X_valid, y_train, y_valid``.

        Parameters
        ----------
        X, y : numpy.ndarray
        net : NeuralNet
            Supplies ``regression`` and ``random_state``.

        Returns
        -------
        tuple of numpy.ndarray
            The validation arrays are empty when validation is disabled.
        """
        if not self.eval_size:
            return X, X[len(X):], y, y[len(y):]
        n_splits = max(2, int(round(1 / self.eval_size)))
        seed = net.random_state if self.shuffle else None
        if self.stratify and not net.regression:
            folds = StratifiedKFold(n_splits, shuffle=self.shuffle, random_state=seed)
        else:
            folds = KFold(n_splits, shuffle=self.shuffle, random_state=seed)
        train, valid = next(folds.split(X, y))
        return X[train], X[valid], y[train], y[valid]
