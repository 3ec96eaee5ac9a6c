"""The callback base class: Keras-style hooks called by the estimators' training loop."""


class Callback:
    """Base class of training callbacks.

    The estimators call these hooks in the order the callbacks were given
    (``callbacks=[...]``). Every hook receives the net and a ``logs`` dict:

    * ``on_train_begin(net, logs)``: ``logs`` holds the training data as
      ``X_train``, ``y_train``, ``X_valid``, ``y_valid`` and, for
      :class:`~adaptnet.AdversarialNet`, ``X_target``, ``X_valid_target``,
      ``y_valid_target`` (``None`` where absent).
    * ``on_epoch_begin(net, logs)``: ``epoch`` (1-based) and ``n_batches``
      (batches in the epoch).
    * ``on_batch_begin(net, logs)`` / ``on_batch_end(net, logs)``: ``epoch``,
      ``batch`` (0-based), ``n_batches``, ``batch_size``, progress ``p`` in [0, 1], the
      current ``learning_rate`` and ``hp_lambda``; after the batch also
      ``loss`` and, for adversarial nets, ``label_loss`` and ``domain_loss``.
    * ``on_epoch_end(net, logs)``: ``logs`` *is* the epoch's row of
      ``net.train_history_``; a callback may add keys to it (scorers do), and
      later callbacks in the list see them.
    * ``on_train_end(net, logs)``: always called, also when training stops
      early, raises, or is interrupted with Ctrl-C.

    Set ``net.stop_training = True`` to stop after the current batch/epoch.
    Subclasses that keep state across epochs (best score, wait counter)
    override :meth:`get_state` / :meth:`set_state` so checkpoints resume them.

    Examples
    --------
    >>> class PrintLoss(Callback):
    ...     def on_epoch_end(self, net, logs=None):
    ...         print(f"epoch {logs['epoch']}: {logs['train_loss']:.3f}")
    >>> PrintLoss().on_epoch_end(None, {"epoch": 1, "train_loss": 0.5})
    epoch 1: 0.500
    """

    #: Attributes holding open resources (files, writers, progress bars) that
    #: cannot be pickled; :meth:`__getstate__` sets them to ``None`` so a net
    #: can be checkpointed or cloned with its callbacks while they are open.
    _transient_attributes = ()

    def __getstate__(self):
        state = self.__dict__.copy()
        for name in self._transient_attributes:
            state[name] = None
        return state

    def on_train_begin(self, net, logs=None):
        """Called once before the first epoch."""

    def on_epoch_begin(self, net, logs=None):
        """Called before each epoch."""

    def on_batch_begin(self, net, logs=None):
        """Called before each training batch."""

    def on_batch_end(self, net, logs=None):
        """Called after each training batch."""

    def on_epoch_end(self, net, logs=None):
        """Called after each epoch, with the epoch's history row as ``logs``."""

    def on_train_end(self, net, logs=None):
        """Called once when training ends, however it ends."""

    def get_state(self):
        """Return the callback's resumable state (a picklable dict).

        Returns
        -------
        dict
            Empty for stateless callbacks.
        """
        return {}

    def set_state(self, state):
        """Restore state returned by :meth:`get_state`.

        Parameters
        ----------
        state : dict
        """
        for key, value in state.items():
            setattr(self, key, value)
