"""Write training curves, histograms, embeddings and hyperparameters for TensorBoard."""
import numbers
import os
import time

import numpy as np
import pytensor
from pytensor.graph.traversal import graph_inputs

from ..utils import check_positive_int
from .base import Callback
from .paths import ensure_writable_dir

_SKIPPED_BATCH_KEYS = ("epoch", "batch", "batch_size")


def _is_number(value):
    return isinstance(value, (numbers.Real, np.number)) and not isinstance(value, (bool, np.bool_))


def _check_non_negative(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"TensorBoard: {name} must be an integer >= 0, got {value!r}")
    return int(value)


def layer_table(net):
    """Return the net's layers as a Markdown table (name, type, output shape, parameters).

    Parameters
    ----------
    net : NeuralNet
        A net with ``layers_``.

    Returns
    -------
    str

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> class TinyNet:
    ...     layers_ = {"input": InputLayer((None, 3))}
    ...     layers_["hidden"] = DenseLayer(layers_["input"], 2)
    >>> print(layer_table(TinyNet()))
    | layer | type | output shape | parameters |
    |---|---|---|---|
    | input | InputLayer | (None, 3) | 0 |
    | hidden | DenseLayer | (None, 2) | 8 |
    """
    rows = ["| layer | type | output shape | parameters |", "|---|---|---|---|"]
    for name, layer in net.layers_.items():
        n_params = sum(int(np.prod(p.get_value().shape)) for p in layer.get_params())
        rows.append(f"| {name} | {type(layer).__name__} | {layer.output_shape} | {n_params} |")
    return "\n".join(rows)


def _compile_gradients(net):
    """Compile the gradient of the net's training objective w.r.t. its trainable parameters.

    Uses the training graph the estimator compiles its train step from
    (inputs ``[X, y]``, plus ``X_target`` for adversarial nets; the first
    output is the objective). Noise layers' random streams are not advanced,
    so logging does not change the training run.
    """
    graph = getattr(net, "_graph", None)
    if not graph or "train" not in graph or "params" not in graph:
        raise TypeError(f"TensorBoard: histograms need an adaptnet estimator, got {type(net).__name__}")
    inputs, outputs, _ = graph["train"]
    params = list(graph["params"])
    grads = pytensor.grad(outputs[0], params)
    # Identity updates override the random streams' default updates (dropout, noise).
    streams = [v for v in graph_inputs(grads) if getattr(v, "default_update", None) is not None]
    return params, pytensor.function(inputs, grads, updates=[(v, v) for v in streams],
                                     name="TensorBoard.gradients")


class TensorBoard(Callback):
    """Log a training run for TensorBoard (through tensorboardX).

    Written to ``log_dir``:

    * every numeric key of each epoch's history row as a scalar (tag = the
      key, step = the epoch), e.g. ``train_loss``, ``valid_accuracy``,
      ``domain_loss``, ``hp_lambda``, ``learning_rate``;
    * with ``write_batch_scalars``, the numeric batch logs (``loss``,
      ``label_loss``, ``domain_loss``, ``learning_rate``, ``hp_lambda``,
      ``p``) as ``batch/<key>`` at the global batch step;
    * every ``histogram_freq`` epochs, histograms of every parameter
      (``weights/<param>``) and of its gradient (``gradients/<param>``). The
      gradient is that of the training objective on one *fixed* batch (up to
      ``gradient_batch_size`` rows of source and target data, drawn once at
      the start), from a gradient function compiled once per run (the
      first time histograms are written) from the net's training graph,
      without touching its random streams; the histograms then track how the
      gradients evolve on the same data rather than the noise of changing
      batches;
    * every ``embeddings_freq`` epochs, the learned features
      (``net.transform``) of a fixed sample of ``embeddings_sample`` source
      and as many target points for the Projector, with ``domain`` and
      ``label`` metadata (target labels from ``y_valid_target`` when given,
      else ``"?"``);
    * at the start, the layer table as text (tag ``layers``); at the end,
      the net's scalar constructor parameters and the last epoch's metrics
      as hparams (in the sub-run ``hparams``).

    Events are flushed every epoch; the writer is closed whenever training
    ends. Open the logs with ``tensorboard --logdir runs``.

    Parameters
    ----------
    log_dir : str or os.PathLike, optional
        Default ``runs/<YYYYmmdd-HHMMSS>-<net class name>``.
    histogram_freq : int
        Epochs between histograms; 0 disables them.
    embeddings_freq : int
        Epochs between embeddings; 0 disables them (needs ``net.transform``).
    embeddings_sample : int
        Points per domain in the embedding.
    write_batch_scalars : bool
    gradient_batch_size : int
        Rows per domain of the fixed gradient batch.
    random_state : int
        Seed of the fixed samples.

    Attributes
    ----------
    log_dir_ : str
        The folder written.
    gradient_batch_ : dict or None
        The fixed batch of the gradient histograms: ``X``, ``y`` (class
        indices) and, for adversarial nets, ``X_target``.

    Raises
    ------
    ValueError
        On a bad argument; at ``on_train_begin``, before any epoch, when
        ``log_dir`` cannot be written, or when embeddings are asked of a
        net without ``transform``.

    Examples
    --------
    >>> from adaptnet.callbacks import TensorBoard
    >>> tb = TensorBoard(log_dir="runs/dann-moons", histogram_freq=5)
    >>> tb.histogram_freq
    5
    """

    _transient_attributes = ("_writer", "_gradient_function", "gradient_batch_", "_embedding_data")

    def __init__(self, log_dir=None, histogram_freq=0, embeddings_freq=0, embeddings_sample=200,
                 write_batch_scalars=False, gradient_batch_size=128, random_state=0):
        if log_dir is not None and not isinstance(log_dir, (str, os.PathLike)):
            raise TypeError(f"TensorBoard: log_dir must be None, a str or os.PathLike, got {log_dir!r}")
        self.log_dir = log_dir
        self.histogram_freq = _check_non_negative(histogram_freq, "histogram_freq")
        self.embeddings_freq = _check_non_negative(embeddings_freq, "embeddings_freq")
        self.embeddings_sample = check_positive_int(embeddings_sample, "embeddings_sample", "TensorBoard")
        self.gradient_batch_size = check_positive_int(gradient_batch_size, "gradient_batch_size",
                                                      "TensorBoard")
        self.write_batch_scalars = bool(write_batch_scalars)
        self.random_state = random_state
        self.log_dir_ = None
        self.batch_step_ = 0
        self._writer = None
        self._gradient_function = None
        self.gradient_batch_ = None
        self._embedding_data = None

    def on_train_begin(self, net, logs=None):
        logs = logs or {}
        if self.embeddings_freq and not callable(getattr(net, "transform", None)):
            raise ValueError(
                f"TensorBoard: embeddings_freq={self.embeddings_freq} needs a net with transform() "
                f"(an AdversarialNet), got {type(net).__name__}"
            )
        if self.log_dir is not None:
            log_dir = os.fspath(self.log_dir)
        elif self.log_dir_ is not None and len(net.train_history_) > 0:
            log_dir = self.log_dir_  # a resumed run continues its own folder
        else:
            log_dir = os.path.join("runs", f"{time.strftime('%Y%m%d-%H%M%S')}-{type(net).__name__}")
        self.log_dir_ = ensure_writable_dir(log_dir, "TensorBoard", "log_dir")
        if len(net.train_history_) == 0:
            self.batch_step_ = 0
        from tensorboardX import SummaryWriter

        self._writer = SummaryWriter(logdir=self.log_dir_)
        self._writer.add_text("layers", layer_table(net), len(net.train_history_))
        rng = np.random.RandomState(self.random_state)
        if self.histogram_freq:
            self.gradient_batch_ = self._sample(rng, logs, self.gradient_batch_size)
            self._gradient_function = None
        if self.embeddings_freq:
            self._embedding_data = self._sample(rng, logs, self.embeddings_sample)

    @staticmethod
    def _sample(rng, logs, size):
        """Fixed rows of ``X_train``/``y_train`` and of the target data (labelled if possible)."""
        def pick(X, y):
            idx = np.sort(rng.choice(len(X), min(size, len(X)), replace=False))
            return X[idx], (None if y is None else np.asarray(y)[idx])

        sample = dict(zip(("X", "y"), pick(logs["X_train"], logs.get("y_train"))))
        if logs.get("X_valid_target") is not None and logs.get("y_valid_target") is not None:
            sample["X_target"], sample["y_target"] = pick(logs["X_valid_target"], logs["y_valid_target"])
        elif logs.get("X_target") is not None:
            sample["X_target"], sample["y_target"] = pick(logs["X_target"], None)
        return sample

    def on_batch_end(self, net, logs=None):
        if not self.write_batch_scalars:
            return
        for key, value in logs.items():
            if key not in _SKIPPED_BATCH_KEYS and _is_number(value):
                self._writer.add_scalar(f"batch/{key}", float(value), self.batch_step_)
        self.batch_step_ += 1

    def on_epoch_end(self, net, logs=None):
        epoch = logs["epoch"]
        for key, value in logs.items():
            if key != "epoch" and _is_number(value):
                self._writer.add_scalar(key, float(value), epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_histograms(net, epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._write_embedding(net, epoch)
        self._writer.flush()

    def _write_histograms(self, net, epoch):
        if self._gradient_function is None:
            self._gradient_function = _compile_gradients(net)
        params, function = self._gradient_function
        batch = self.gradient_batch_
        inputs = [np.ascontiguousarray(batch["X"], dtype=np.float32), batch["y"]]
        if "X_target" in batch:
            inputs.append(np.ascontiguousarray(batch["X_target"], dtype=np.float32))
        for param, grad in zip(params, function(*inputs)):
            self._writer.add_histogram(f"weights/{param.name}", param.get_value(), epoch)
            self._writer.add_histogram(f"gradients/{param.name}", np.asarray(grad), epoch)

    def _write_embedding(self, net, epoch):
        data = self._embedding_data
        parts = [(data["X"], "source", data["y"])]
        if "X_target" in data:
            parts.append((data["X_target"], "target", data["y_target"]))
        features = np.concatenate([np.asarray(net.transform(X)).reshape(len(X), -1) for X, _, _ in parts])
        classes = getattr(net, "classes_", None)
        metadata = [[domain, "?" if label is None else str(label if classes is None else classes[label])]
                    for X, domain, y in parts
                    for label in (y if y is not None else [None] * len(X))]
        self._writer.add_embedding(features, metadata=metadata, metadata_header=["domain", "label"],
                                   global_step=epoch, tag="features")

    def on_train_end(self, net, logs=None):
        if self._writer is None:
            return
        try:
            history = getattr(net, "train_history_", None)
            if history is not None and len(history) > 0:
                self._write_hparams(net, history[-1])
        finally:
            self._writer.close()
            self._writer = None
            self._gradient_function = None

    def _write_hparams(self, net, last_row):
        hparams = {}
        for name, value in net.get_params(deep=False).items():
            if isinstance(value, (bool, str)) or _is_number(value):
                hparams[name] = value.item() if isinstance(value, np.generic) else value
        metrics = {f"final/{key}": float(value) for key, value in last_row.items()
                   if key != "epoch" and _is_number(value) and np.isfinite(value)}
        self._writer.add_hparams(hparams, metrics, name="hparams")

    def get_state(self):
        """Return the log folder and the global batch step, so a resumed run appends to the same curves.

        Returns
        -------
        dict

        Examples
        --------
        >>> TensorBoard().get_state()
        {'log_dir_': None, 'batch_step_': 0}
        """
        return {"log_dir_": self.log_dir_, "batch_step_": self.batch_step_}
