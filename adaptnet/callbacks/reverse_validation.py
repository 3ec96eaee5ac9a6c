"""Reverse validation (Ganin et al. 2016, section 5.1.2): label-free model selection for DANN."""
import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .scorer import EpochScorer


class ReverseValidation(EpochScorer):
    """Score the current DANN by reverse validation and add it to the epoch row.

    The DANN paper selects models without target labels this way: label
    the target data with the current model (pseudo-labels), train a
    *reverse* classifier in the opposite direction, target -> source, and
    measure its accuracy on held-out *labelled source* data (the net's
    validation split). A model whose target predictions are consistent with
    the source task scores high.

    Choice made here: the reverse classifier is a cheap scikit-learn
    classifier (by default standardization + logistic regression) trained on
    the net's learned features (``net.transform``), not a second DANN trained
    from scratch as in the paper. The features are shared by both domains by
    construction, so this keeps the criterion's meaning (consistency of the
    pseudo-labels with the source labels in feature space) at a small
    fraction of the cost.

    Cost per scored epoch: ``transform`` and ``predict_proba`` on at most
    ``max_samples`` target rows, ``transform`` on at most ``max_samples``
    validation rows, and one fit of ``classifier`` (milliseconds for logistic
    regression on a few thousand rows); use ``every_n_epochs`` to score less
    often.

    Place it before :class:`EarlyStopping` / :class:`ModelCheckpoint` that
    monitor its key.

    Parameters
    ----------
    classifier : scikit-learn classifier, optional
        Cloned and fitted every scored epoch.
    every_n_epochs : int
        Score epoch 1 and every ``every_n_epochs``-th epoch after it; the
        others repeat the last value.
    max_samples : int or None
        Rows of target and of validation data used (a fixed random subset).
    key : str
        History key written (default ``'reverse_valid_accuracy'``).
    random_state : int, optional
        Seed of the subsampling.

    Raises
    ------
    ValueError
        At ``on_train_begin`` without target data or without a source
        validation split.
    TypeError
        At ``on_train_begin`` when the net has no ``transform`` (use an
        ``AdversarialNet``).

    Examples
    --------
    >>> from adaptnet.callbacks import ReverseValidation, EarlyStopping
    >>> callbacks = [ReverseValidation(every_n_epochs=2),
    ...              EarlyStopping(monitor="reverse_valid_accuracy", patience=10)]
    >>> callbacks[1].monitor_.mode_
    'max'
    """

    required = (("X_target",), ("X_valid", "y_valid"))

    def __init__(self, classifier=None, every_n_epochs=1, max_samples=2000,
                 key="reverse_valid_accuracy", random_state=None):
        super().__init__(key, every_n_epochs, max_samples, random_state)
        self.classifier = classifier

    def on_train_begin(self, net, logs=None):
        if not callable(getattr(net, "transform", None)):
            raise TypeError(
                f"{type(self).__name__}: the net has no transform() giving learned features; "
                f"use an AdversarialNet, got {type(net).__name__}"
            )
        super().on_train_begin(net, logs)

    def score(self, net, data):
        """Return the reverse classifier's accuracy on the source validation rows.

        Parameters
        ----------
        net : AdversarialNet
        data : dict
            ``X_target``, ``X_valid``, ``y_valid``.

        Returns
        -------
        float
        """
        # Class indices on both sides: the training loop passes y_valid encoded.
        pseudo = np.asarray(net.predict_proba(data["X_target"])).argmax(axis=1)
        y_valid = np.asarray(data["y_valid"])
        if np.unique(pseudo).size < 2:
            # A classifier cannot be fitted on one class; it would predict that class.
            return float(np.mean(y_valid == pseudo[0]))
        classifier = (make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
                      if self.classifier is None else clone(self.classifier))
        classifier.fit(net.transform(data["X_target"]), pseudo)
        return float(np.mean(classifier.predict(net.transform(data["X_valid"])) == y_valid))
