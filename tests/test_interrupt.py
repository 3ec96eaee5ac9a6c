"""Ctrl-C during training: stop after the current batch, run the end hooks, keep completed epochs only."""
import os
import signal
import threading
import warnings

import numpy as np
import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from adaptnet import AdversarialNet
from adaptnet.callbacks import Callback, EarlyStopping, ModelCheckpoint, TensorBoard
from adaptnet.layers import DenseLayer, DropoutLayer, InputLayer
from adaptnet.nets import BatchIterator
from adaptnet.nonlinearities import softmax

pytestmark = pytest.mark.numba


@pytest.fixture(autouse=True)
def python_handles_ctrl_c():
    """Python's own SIGINT handler (KeyboardInterrupt), whatever this process inherited: a shell
    starts background jobs with SIGINT ignored, and the timed Ctrl-C below would then never land."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)

# dropout makes the layers' random streams part of the state an interrupt must roll back
SPEC = [("input", InputLayer), ("hidden", DenseLayer), ("drop", DropoutLayer), ("output", DenseLayer)]
BATCHES_PER_EPOCH = 3


def make_net(callbacks, **overrides):
    params = dict(input_shape=(None, 2), hidden_num_units=4, output_num_units=2,
                  output_nonlinearity=softmax, drop_p=0.3, domain_hidden_num_units=3, max_epochs=5,
                  train_split=None, random_state=0, update_learning_rate=0.05,
                  batch_iterator_train=BatchIterator(8, shuffle=True), callbacks=callbacks)
    params.update(overrides)
    return AdversarialNet(SPEC, **params)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(1)
    X = rng.randn(24, 2).astype(np.float32)
    return X, np.array([0, 1] * 12), (X + 1.0).astype(np.float32)


def weights(net):
    return [v.copy() for values in net.get_all_params_values().values() for v in values]


def assert_weights_equal(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


class Recorder(Callback):
    """Keeps the weights after each completed epoch and every batch that ran."""

    def __init__(self):
        self.epoch_weights = {}
        self.batches = []

    def on_batch_end(self, net, logs=None):
        self.batches.append((logs["epoch"], logs["batch"]))

    def on_epoch_end(self, net, logs=None):
        self.epoch_weights[logs["epoch"]] = weights(net)


class CtrlC(Callback):
    """Presses Ctrl-C (a real SIGINT, or a raised KeyboardInterrupt) in one hook at one point."""

    def __init__(self, hook, epoch, batch=None, how="signal"):
        self.hook, self.epoch, self.batch, self.how = hook, epoch, batch, how

    def _maybe_interrupt(self, hook, logs):
        if hook == self.hook and logs["epoch"] == self.epoch and logs.get("batch") == self.batch:
            if self.how == "signal":
                os.kill(os.getpid(), signal.SIGINT)
            raise KeyboardInterrupt  # reached only when the signal was not delivered in time

    def on_epoch_begin(self, net, logs=None):
        self._maybe_interrupt("on_epoch_begin", logs)

    def on_batch_begin(self, net, logs=None):
        self._maybe_interrupt("on_batch_begin", logs)

    def on_batch_end(self, net, logs=None):
        self._maybe_interrupt("on_batch_end", logs)

    def on_epoch_end(self, net, logs=None):
        self._maybe_interrupt("on_epoch_end", logs)


class FixedScore(Callback):
    """Adds a made-up score to each epoch row, so the best epoch is known in advance."""

    SCORES = {1: 0.5, 2: 0.9, 3: 0.6, 4: 0.7, 5: 0.8}

    def on_epoch_end(self, net, logs=None):
        logs["fixed_score"] = self.SCORES[logs["epoch"]]


def fit_interrupted(net, data):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.fit(*data)
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize("hook, batch, how, kept_epochs", [
    ("on_batch_end", 1, "signal", 2),    # Ctrl-C in the middle of epoch 3
    ("on_batch_end", 1, "raise", 2),
    ("on_epoch_begin", None, "signal", 2),  # before epoch 3 trained anything
    ("on_epoch_end", None, "signal", 3),  # epoch 3 is in the history: it is complete, keep it
])
def test_ctrl_c_keeps_completed_epochs_and_runs_end_hooks(data, tmp_path, hook, batch, how, kept_epochs):
    recorder = Recorder()
    board = TensorBoard(log_dir=tmp_path / "runs")
    ckpt = ModelCheckpoint(tmp_path / "last.ckpt", monitor="train_loss")
    net = make_net([recorder, CtrlC(hook, 3, batch, how), board, ckpt])
    messages = fit_interrupted(net, data)

    assert any(f"training interrupted (KeyboardInterrupt); kept the state after epoch {kept_epochs}" in m
               for m in messages), messages
    # training stopped right after the interrupted batch: no later batch ran
    last = recorder.batches[-1]
    if hook == "on_batch_end":
        assert last == (3, batch)
    else:
        assert last == (kept_epochs, BATCHES_PER_EPOCH - 1)
    assert net.train_history_[:, "epoch"] == list(range(1, kept_epochs + 1))
    assert_weights_equal(weights(net), recorder.epoch_weights[kept_epochs])

    # callbacks after CtrlC in the list never see the epoch whose on_epoch_end was interrupted
    seen_epochs = 2 if hook == "on_epoch_end" else kept_epochs

    # on_train_end ran: the TensorBoard writer is closed and its events are readable
    assert board._writer is None
    events = EventAccumulator(str(tmp_path / "runs"))
    events.Reload()
    assert [e.step for e in events.Scalars("train_loss")] == list(range(1, seen_epochs + 1))

    # the checkpoint is the last epoch ModelCheckpoint saw complete, and loads
    saved = AdversarialNet.load_checkpoint(tmp_path / "last.ckpt")
    assert len(saved.train_history_) == seen_epochs
    assert_weights_equal(weights(saved), recorder.epoch_weights[seen_epochs])

    # training goes on from where it stopped
    net.set_params(callbacks=[recorder, board])
    net.partial_fit(*data)
    assert net.train_history_[:, "epoch"] == list(range(1, kept_epochs + 2))
    assert not np.array_equal(weights(net)[0], recorder.epoch_weights[kept_epochs][0])


def test_ctrl_c_with_early_stopping_restores_the_best_weights(data):
    recorder = Recorder()
    stopping = EarlyStopping(monitor="fixed_score", mode="max", patience=10, restore_best_weights=True)
    net = make_net([recorder, FixedScore(), stopping, CtrlC("on_batch_end", 4, 1)])
    fit_interrupted(net, data)
    assert len(net.train_history_) == 3
    assert stopping.best_epoch_ == 2
    assert_weights_equal(weights(net), recorder.epoch_weights[2])


def test_ctrl_c_in_a_nolearn_hook_stops_the_same_way(data):
    recorder = Recorder()
    calls = []

    def press_ctrl_c(net, history):
        calls.append(len(history))
        if len(calls) == 5:  # second batch of epoch 2
            os.kill(os.getpid(), signal.SIGINT)

    net = make_net([recorder], on_batch_finished=[press_ctrl_c])
    fit_interrupted(net, data)
    assert len(calls) == 5
    assert len(net.train_history_) == 1
    assert_weights_equal(weights(net), recorder.epoch_weights[1])


def losses(net):
    return [{k: v for k, v in row.items() if k != "dur"} for row in net.train_history_]


def test_interrupted_then_resumed_run_equals_an_uninterrupted_one(data):
    """The rollback restores weights, optimizer slots and every random state of the epoch's start
    (dropout streams, shuffling, target sampling), so resuming is bit-identical to never stopping.
    (Two plain fits with one random_state are compared in test_determinism.py.)"""
    uninterrupted = make_net(None, max_epochs=4).fit(*data)
    net = make_net([CtrlC("on_batch_end", 3, 1)], max_epochs=4)
    fit_interrupted(net, data)
    assert len(net.train_history_) == 2
    net.set_params(callbacks=None)
    net.partial_fit(*data, epochs=2)
    assert_weights_equal(weights(net), weights(uninterrupted))
    assert losses(net) == losses(uninterrupted)


def test_ctrl_c_at_random_moments_leaves_exactly_the_completed_epochs(data, tmp_path):
    """SIGINT from a timer lands anywhere in the loop (inside hooks, between batches, in the
    snapshot code...). After each one the net must equal a net that trained the same number
    of whole epochs from the same starting checkpoint without interruption."""
    net = make_net([Recorder(), EarlyStopping(monitor="train_loss", patience=10 ** 6)])
    net.partial_fit(*data)
    start = tmp_path / "start.ckpt"
    rng = np.random.RandomState(0)
    trials, escaped, rolled_back = 10, 0, 0
    for _ in range(trials):
        net.save_checkpoint(start)
        before = len(net.train_history_)
        timer = threading.Timer(rng.uniform(0.02, 0.1), os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                net.partial_fit(*data, epochs=10 ** 6)  # only the interrupt ends it
            rolled_back += any("training interrupted" in str(w.message) for w in caught)
        except KeyboardInterrupt:
            escaped += 1  # landed outside the epoch loop (e.g. in on_train_begin): still consistent
        timer.join()
        interrupted = {"weights": weights(net), "slots": [s.get_value() for s in net._graph["slots"]],
                       "losses": losses(net)}
        completed = len(net.train_history_)
        assert net.train_history_[:, "epoch"] == list(range(1, completed + 1))

        net.load_checkpoint(start)
        if completed > before:
            net.partial_fit(*data, epochs=completed - before)
        assert_weights_equal(interrupted["weights"], weights(net))
        assert_weights_equal(interrupted["slots"], [s.get_value() for s in net._graph["slots"]])
        assert interrupted["losses"] == losses(net)
    print(f"\nCtrl-C at random moments: {trials}/{trials} trials consistent ({rolled_back} rolled back "
          f"a partial epoch, {escaped} raised KeyboardInterrupt between epochs)")
    assert rolled_back + escaped == trials
    # every moment inside the epoch loop, the per-epoch state copy included, is handled gracefully
    assert escaped <= 1
