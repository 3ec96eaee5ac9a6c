"""A diverging run (learning rate 1e3) is stopped by TerminateOnNaN, or runs to the end without crashing.

A squared-error label loss is used: it is unbounded, so a huge step overflows
it to inf within a few batches. (Cross-entropy clips probabilities, so with a
softmax output the same learning rate only saturates the net at a finite loss;
see docs/input_validation.md.)
"""
import warnings

import numpy as np
import pytest

from adaptnet import AdversarialNet
from adaptnet.callbacks import Callback, TerminateOnNaN
from adaptnet.layers import DenseLayer, InputLayer
from adaptnet.nets import BatchIterator

pytestmark = pytest.mark.numba

SPEC = [("input", InputLayer), ("hidden", DenseLayer), ("output", DenseLayer)]


def make_net(callbacks=None, learning_rate=1e3):
    return AdversarialNet(SPEC, input_shape=(None, 2), hidden_num_units=4, output_num_units=1,
                          output_nonlinearity=None, domain_hidden_num_units=3, regression=True,
                          max_epochs=5, train_split=None, random_state=0,
                          update_learning_rate=learning_rate, callbacks=callbacks,
                          batch_iterator_train=BatchIterator(8, shuffle=True))


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(24, 2).astype(np.float32)
    return X, X.sum(axis=1), (X + 1.0).astype(np.float32)


def flat_weights(net):
    return [v.copy() for values in net.get_all_params_values().values() for v in values]


class BatchRecorder(Callback):
    """Weights each batch started from, and each batch's losses."""

    def __init__(self):
        self.starts, self.losses = [], []

    def on_batch_begin(self, net, logs=None):
        self.starts.append(flat_weights(net))

    def on_batch_end(self, net, logs=None):
        self.losses.append((logs["epoch"], logs["batch"], logs["loss"], logs["label_loss"], logs["domain_loss"]))


def fit_catching(net, data):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        net.fit(*data)
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def test_terminate_on_nan_stops_in_the_first_bad_batch_and_restores_finite_weights(data):
    recorder, terminate = BatchRecorder(), TerminateOnNaN()
    net = make_net([recorder, terminate])
    messages = fit_catching(net, data)

    report = terminate.nonfinite_
    assert report is not None, "a learning rate of 1e3 did not diverge"
    # the run stopped in the very batch whose loss went non-finite: nothing ran after it
    *finite, last = recorder.losses
    assert (last[0], last[1]) == (report["epoch"], report["batch"])
    assert all(np.isfinite(row[2:]).all() for row in finite)
    assert not np.isfinite(last[2])
    # the report names exactly the losses that went non-finite, with where it happened
    assert "label_loss" in report["losses"] and "loss" in report["losses"]
    assert all(not np.isfinite(v) for v in report["losses"].values())
    assert set(report["losses"]) == {name for name, v in zip(("loss", "label_loss", "domain_loss"), last[2:])
                                     if not np.isfinite(v)}
    expected = ("TerminateOnNaN: non-finite "
                + ", ".join(f"{k}={v}" for k, v in report["losses"].items())
                + f" at epoch {report['epoch']}, batch {report['batch']}: training stopped; "
                  "restored the last parameters with a finite loss")
    assert expected in messages
    # the weights are those the last finite-loss batch was computed with
    restored = flat_weights(net)
    assert all(np.isfinite(w).all() for w in restored)
    for a, b in zip(restored, recorder.starts[-2] if len(recorder.starts) > 1 else recorder.starts[0]):
        np.testing.assert_array_equal(a, b)
    assert np.isfinite(net.predict(data[0])).all()
    # the optimizer slots rolled back too (they were inf/NaN after the bad step): going on with a
    # negligible learning rate keeps everything finite
    assert all(np.isfinite(slot.get_value()).all() for slot in net._graph["slots"])
    net.set_hyperparam("learning_rate", 1e-9)
    net.partial_fit(*data)
    assert np.isfinite(net.train_history_[-1]["train_loss"])
    assert all(np.isfinite(w).all() for w in flat_weights(net))


def test_without_terminate_on_nan_a_diverged_run_finishes_with_nan_weights(data):
    """No crash, no hang: every epoch runs, losses and predictions are NaN/inf, nothing raises."""
    net = make_net()
    assert fit_catching(net, data) == []
    history = net.train_history_
    assert history[:, "epoch"] == [1, 2, 3, 4, 5]
    assert not np.isfinite(history[-1]["train_loss"])
    assert not any(history[:, "train_loss_best"][1:])
    assert not all(np.isfinite(w).all() for w in flat_weights(net))
    assert not np.isfinite(net.predict(data[0])).all()
