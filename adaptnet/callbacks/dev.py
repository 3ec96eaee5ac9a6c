"""Deep Embedded Validation (You et al., ICML 2019): label-free target risk for model selection."""
import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .scorer import EpochScorer

LOSSES = ("log_loss", "zero_one")


def dev_risk(losses, weights):
    """Importance-weighted risk with the control-variate correction of DEV.

    With weighted losses ``L = w * l`` and ``W = w``, whose mean is 1 in
    expectation, DEV returns ``mean(L) + eta * mean(W) - eta`` with
    ``eta = -Cov(L, W) / Var(W)`` (sample covariance and variance): an
    unbiased estimate of the target risk with lower variance than ``mean(L)``.

    Parameters
    ----------
    losses : array_like, shape (n,)
        Per-sample losses on labelled source validation data.
    weights : array_like, shape (n,)
        Density ratios ``p_target(x) / p_source(x)`` of the same samples.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the arrays are not 1-d of the same length >= 2.

    Examples
    --------
    >>> dev_risk([1.0, 0.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0])
    0.5
    >>> round(dev_risk([1.0, 0.0], [1.5, 0.5]), 6)
    0.75
    """
    losses = np.asarray(losses, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    if losses.ndim != 1 or losses.shape != weights.shape or losses.size < 2:
        raise ValueError(
            f"dev_risk: losses and weights must be 1-d arrays of the same length >= 2, got shapes "
            f"{losses.shape} and {weights.shape}"
        )
    weighted = weights * losses
    cov = np.cov(weighted, weights)
    eta = -cov[0, 1] / cov[1, 1] if cov[1, 1] > 0 else 0.0
    return float(weighted.mean() + eta * weights.mean() - eta)


class DomainEmbeddedValidation(EpochScorer):
    """Estimate the target risk by Deep Embedded Validation and add ``dev_risk`` to the epoch row.

    DEV (You et al. 2019) reweights the loss on labelled source validation
    data by density ratios ``w(x) = p_target(x) / p_source(x)`` estimated in
    the learned feature space, then applies a control variate
    (:func:`dev_risk`). Here the ratios come from a domain classifier fitted
    every scored epoch on features (``net.transform``) of source training
    rows (class 0) and target rows (class 1):
    ``w(x) = (n_source / n_target) * P(target | x) / P(source | x)``. The
    net's own domain head is not used: adversarial training makes it
    deliberately confused. Lower is better (``EarlyStopping(monitor='dev_risk')``
    minimizes it).

    Cost per scored epoch: ``transform`` of at most ``max_samples`` source
    training, target and validation rows, ``predict_proba`` of the
    validation rows, and one fit of ``classifier``; use ``every_n_epochs`` to
    score less often.

    Parameters
    ----------
    classifier : scikit-learn classifier with ``predict_proba``, optional
        The domain classifier (default standardization + logistic regression).
    loss : {'log_loss', 'zero_one'}
        Per-sample loss computed from ``predict_proba``: cross-entropy or 0/1
        error.
    every_n_epochs : int
        Score epoch 1 and every ``every_n_epochs``-th epoch after it; the
        others repeat the last value.
    max_samples : int or None
        Rows of each array used (a fixed random subset).
    key : str
        History key written (default ``'dev_risk'``).
    random_state : int, optional
        Seed of the subsampling.

    Raises
    ------
    ValueError
        On an unknown ``loss``; at ``on_train_begin`` without target data
        or a source validation split.
    TypeError
        At ``on_train_begin`` when the net has no ``transform``.

    Examples
    --------
    >>> from adaptnet.callbacks import DomainEmbeddedValidation, EarlyStopping
    >>> callbacks = [DomainEmbeddedValidation(every_n_epochs=5),
    ...              EarlyStopping(monitor="dev_risk", patience=10)]
    >>> callbacks[1].monitor_.mode_
    'min'
    """

    required = (("X_train",), ("X_target",), ("X_valid", "y_valid"))

    def __init__(self, classifier=None, loss="log_loss", every_n_epochs=1, max_samples=2000, key="dev_risk",
                 random_state=None):
        if loss not in LOSSES:
            raise ValueError(f"{type(self).__name__}: loss must be one of {LOSSES}, got {loss!r}")
        super().__init__(key, every_n_epochs, max_samples, random_state)
        self.classifier = classifier
        self.loss = loss

    def on_train_begin(self, net, logs=None):
        if not callable(getattr(net, "transform", None)):
            raise TypeError(
                f"{type(self).__name__}: the net has no transform() giving learned features; "
                f"use an AdversarialNet, got {type(net).__name__}"
            )
        super().on_train_begin(net, logs)

    def importance_weights(self, net, data):
        """Return the density ratios ``p_target / p_source`` of the validation rows.

        Parameters
        ----------
        net : AdversarialNet
        data : dict
            ``X_train``, ``X_target``, ``X_valid``.

        Returns
        -------
        numpy.ndarray, shape (n_valid,)
        """
        source, target = net.transform(data["X_train"]), net.transform(data["X_target"])
        features = np.concatenate([source, target])
        domains = np.r_[np.zeros(len(source), int), np.ones(len(target), int)]
        classifier = (make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
                      if self.classifier is None else clone(self.classifier))
        classifier.fit(features, domains)
        p_target = classifier.predict_proba(net.transform(data["X_valid"]))[:, 1]
        eps = np.finfo(np.float32).eps
        p_target = np.clip(p_target, eps, 1 - eps)
        return len(source) / len(target) * p_target / (1 - p_target)

    def losses(self, net, data):
        """Return the per-sample losses of the net on the validation rows.

        Parameters
        ----------
        net : AdversarialNet
        data : dict
            ``X_valid``, ``y_valid``.

        Returns
        -------
        numpy.ndarray, shape (n_valid,)
        """
        y = np.asarray(data["y_valid"])  # class indices, as the training loop passes them
        proba = np.asarray(net.predict_proba(data["X_valid"]), dtype=np.float64)
        if self.loss == "zero_one":
            return (proba.argmax(axis=1) != y).astype(np.float64)
        return -np.log(np.clip(proba[np.arange(len(y)), y], 1e-12, 1.0))

    def score(self, net, data):
        """Return the DEV estimate of the target risk.

        Parameters
        ----------
        net : AdversarialNet
        data : dict
            ``X_train``, ``X_target``, ``X_valid``, ``y_valid``.

        Returns
        -------
        float
        """
        return dev_risk(self.losses(net, data), self.importance_weights(net, data))
