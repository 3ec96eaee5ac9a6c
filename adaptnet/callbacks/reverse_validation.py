"""Reverse validation (Ganin et al. 2016, section 5.1.2): label-free model selection for DANN."""
import copy

import numpy as np
from sklearn.base import clone

from ..utils import check_positive_int
from .scorer import EpochScorer

# Parameters of the reverse net that are not copied from the scored net.
_REVERSE_OVERRIDES = ("callbacks", "train_split", "max_epochs", "warm_start", "verbose", "use_label_encoder",
                      "on_batch_finished", "on_epoch_finished", "on_training_started", "on_training_finished")


class ReverseValidation(EpochScorer):
    """Score the current DANN by reverse validation and add it to the epoch row.

    The DANN paper's label-free model selection (Ganin et al., JMLR 2016,
    section 5.1.2, after Zhong et al. 2010):

    1. label the target sample with the current net ``eta`` (pseudo-labels);
    2. train a *reverse* net ``eta_r`` with the same algorithm, in the
       opposite direction: the pseudo-labelled target sample is the labelled
       domain and the source training sample the unlabelled one;
    3. the score is ``eta_r``'s accuracy on the held-out, labelled *source*
       validation split (one minus the reverse validation risk).

    A net whose target predictions are consistent with the source task lets
    the reverse net recover the source labels; a net that mislabels the
    target (or labels it all one class) does not.

    ``eta_r`` is ``sklearn.base.clone(net)`` (same architecture,
    hyperparameters and ``random_state``, so the same initial weights at every
    evaluation) trained from scratch for ``reverse_epochs`` epochs, without
    the net's callbacks (no checkpoints, logs or schedules: ``hp_lambda`` and
    the learning rate stay at the net's constructor values unless
    ``reverse_callbacks`` gives schedules), without validation split, and on
    class indices. It is kept between evaluations and refitted, so its
    functions are compiled once per fit of the scored net.

    Cost per scored epoch: one ``predict_proba`` on at most ``max_samples``
    target rows, then **a full DANN fit** of ``reverse_epochs`` epochs over
    ``max(n_target, n_source)`` rows (each of at most ``max_samples``),
    i.e. ``reverse_epochs`` epochs of the scored net's training, then one
    ``predict`` on the validation rows; the first evaluation of a fit also
    compiles the reverse net's training graph. Score every few epochs with
    ``every_n_epochs`` and keep ``reverse_epochs`` small.

    Place it before :class:`EarlyStopping` / :class:`ModelCheckpoint` that
    monitor its key.

    Parameters
    ----------
    reverse_epochs : int
        Epochs of each fit of the reverse net.
    every_n_epochs : int
        Score epoch 1 and every ``every_n_epochs``-th epoch after it; the
        others repeat the last value.
    max_samples : int or None
        Rows of target, source training and validation data used (fixed
        random subsets).
    key : str
        History key written (default ``'reverse_valid_accuracy'``).
    random_state : int, optional
        Seed of the subsampling. The reverse net uses the scored net's
        ``random_state``.
    reverse_callbacks : list of Callback, optional
        Callbacks of the reverse net (e.g. ``[LambdaScheduler(2.0)]`` to train
        it with the same schedule as the scored net); deep-copied at each
        evaluation. Default: none.

    Attributes
    ----------
    reverse_net_ : AdversarialNet or None
        The reverse net of the last evaluation (not saved in checkpoints).

    Raises
    ------
    ValueError
        At ``on_train_begin`` without target data or without a source
        validation split.
    TypeError
        At ``on_train_begin`` when the net is not a classifying
        ``AdversarialNet`` (no ``X_target`` in its ``fit``).

    Examples
    --------
    >>> from adaptnet.callbacks import ReverseValidation, EarlyStopping
    >>> callbacks = [ReverseValidation(reverse_epochs=20, every_n_epochs=5),
    ...              EarlyStopping(monitor="reverse_valid_accuracy", patience=30)]
    >>> callbacks[1].monitor_.mode_
    'max'
    """

    required = (("X_target",), ("X_train",), ("X_valid", "y_valid"))
    _transient_attributes = ("_data", "reverse_net_")

    def __init__(self, reverse_epochs=20, every_n_epochs=1, max_samples=2000, key="reverse_valid_accuracy",
                 random_state=None, reverse_callbacks=None):
        super().__init__(key, every_n_epochs, max_samples, random_state)
        self.reverse_epochs = check_positive_int(reverse_epochs, "reverse_epochs", type(self).__name__)
        self.reverse_callbacks = reverse_callbacks
        self.reverse_net_ = None

    def on_train_begin(self, net, logs=None):
        if not callable(getattr(net, "transform", None)) or getattr(net, "regression", False):
            raise TypeError(
                f"{type(self).__name__}: needs a classifying AdversarialNet (a reverse DANN is trained "
                f"on its pseudo-labels), got {type(net).__name__}"
            )
        super().on_train_begin(net, logs)

    def make_reverse_net(self, net):
        """Return the reverse net for ``net``: its clone, set up for :meth:`score`.

        A previous reverse net is reused (its parameters reset to the clone's)
        so its compiled functions are kept when the architecture did not change.

        Parameters
        ----------
        net : AdversarialNet

        Returns
        -------
        AdversarialNet
        """
        fresh = clone(net)
        params = {k: v for k, v in fresh.get_params(deep=False).items() if k not in _REVERSE_OVERRIDES}
        params.update(callbacks=copy.deepcopy(self.reverse_callbacks), train_split=None,
                      max_epochs=self.reverse_epochs, warm_start=False, verbose=0, use_label_encoder=False,
                      on_batch_finished=None, on_epoch_finished=None, on_training_started=None,
                      on_training_finished=None)
        reverse = self.reverse_net_ if type(self.reverse_net_) is type(net) else fresh
        valid = reverse.get_params(deep=False)
        return reverse.set_params(**{k: v for k, v in params.items() if k in valid})

    def score(self, net, data):
        """Return the reverse net's accuracy on the source validation rows.

        Parameters
        ----------
        net : AdversarialNet
        data : dict
            ``X_target``, ``X_train``, ``X_valid``, ``y_valid`` (``y_valid``
            as class indices, as the training loop passes it).

        Returns
        -------
        float
        """
        pseudo = np.asarray(net.predict_proba(data["X_target"])).argmax(axis=1).astype(np.int32)
        y_valid = np.asarray(data["y_valid"])
        if np.unique(pseudo).size < 2:
            # A classifier cannot be trained on one class; it would predict that class.
            return float(np.mean(y_valid == pseudo[0]))
        self.reverse_net_ = self.make_reverse_net(net)
        self.reverse_net_.fit(data["X_target"], pseudo, X_target=data["X_train"])
        return float(np.mean(self.reverse_net_.predict(data["X_valid"]) == y_valid))
