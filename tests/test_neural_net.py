"""NeuralNet: training against a NumPy reference, the loop's contracts, input checks."""

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold

from adaptnet import BatchIterator, NeuralNet, TrainSplit, updates
from adaptnet.callbacks.base import Callback
from adaptnet.layers import DenseLayer, InputLayer
from adaptnet.nets.history import History
from adaptnet.nonlinearities import softmax

pytestmark = pytest.mark.numba

N_FEATURES, N_CLASSES = 4, 3


def make_data(n=48, seed=0):
    rng = np.random.RandomState(seed)
    y = np.arange(n) % N_CLASSES
    X = rng.normal(size=(n, N_FEATURES)) + 1.5 * np.eye(N_CLASSES, N_FEATURES)[y]
    return X.astype(np.float32), y


def named_layers():
    return [("input", InputLayer), ("hidden", DenseLayer), ("output", DenseLayer)]


def make_net(**kwargs):
    params = dict(input_shape=(None, N_FEATURES), hidden_num_units=5, output_num_units=N_CLASSES,
                  output_nonlinearity=softmax, update=updates.sgd, update_learning_rate=0.1,
                  max_epochs=4, train_split=TrainSplit(eval_size=0.25),
                  batch_iterator_train=BatchIterator(batch_size=16, shuffle=True), random_state=0)
    params.update(kwargs)
    return NeuralNet(named_layers(), **params)


@pytest.fixture(scope="module")
def data():
    return make_data()


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return make_net(custom_scores=[("mean_top_proba", lambda yt, yp: yp.max(axis=1).mean())]).fit(X, y)


@pytest.fixture(scope="module")
def shared_net():
    """One compiled net reused by the loop tests (changing callbacks never recompiles)."""
    return make_net(train_split=None)


class Recorder(Callback):
    def __init__(self):
        self.events = []

    def on_train_begin(self, net, logs=None):
        self.events.append(("train_begin", sorted(logs)))

    def on_epoch_begin(self, net, logs=None):
        self.events.append(("epoch_begin", dict(logs)))

    def on_batch_begin(self, net, logs=None):
        self.events.append(("batch_begin", dict(logs)))

    def on_batch_end(self, net, logs=None):
        self.events.append(("batch_end", dict(logs)))

    def on_epoch_end(self, net, logs=None):
        assert logs is net.train_history_[-1]
        self.events.append(("epoch_end", dict(logs)))

    def on_train_end(self, net, logs=None):
        self.events.append(("train_end", dict(logs)))


def numpy_forward(values, X):
    (W1, b1), (W2, b2) = values["hidden"], values["output"]
    pre = X @ W1 + b1
    h = np.maximum(pre, 0)
    z = h @ W2 + b2
    p = np.exp(z - z.max(axis=1, keepdims=True))
    return pre, h, p / p.sum(axis=1, keepdims=True)


def test_one_sgd_step_matches_numpy(data):
    X, y = data
    net = make_net(train_split=None, batch_iterator_train=BatchIterator(batch_size=1000), max_epochs=1)
    start = net.initialize().get_all_params_values()
    net.fit(X, y)
    pre, h, p = numpy_forward(start, X.astype(np.float64))
    loss = -np.log(p[np.arange(len(y)), y]).mean()
    dz = (p - np.eye(N_CLASSES)[y]) / len(y)
    dW2, db2 = h.T @ dz, dz.sum(0)
    dpre = (dz @ start["output"][0].T) * (pre > 0)
    dW1, db1 = X.T @ dpre, dpre.sum(0)
    after = net.get_all_params_values()
    for got, before, grad in zip(after["hidden"] + after["output"], start["hidden"] + start["output"],
                                 [dW1, db1, dW2, db2]):
        np.testing.assert_allclose(got, before - 0.1 * grad, rtol=1e-4, atol=1e-6)
    assert net.train_history_[0]["train_loss"] == pytest.approx(loss, rel=1e-5)


def test_fitted_attributes_and_history(fitted, data):
    X, y = data
    assert list(fitted.layers_) == ["input", "hidden", "output"]
    assert fitted.classes_.tolist() == [0, 1, 2] and fitted.n_features_in_ == N_FEATURES
    history = fitted.train_history_
    assert isinstance(history, History) and history[:, "epoch"] == [1, 2, 3, 4]
    assert {"train_loss", "valid_loss", "valid_accuracy", "dur", "train_loss_best", "valid_loss_best",
            "mean_top_proba"} <= set(history[-1])
    # the validation part is the first stratified fold, as in nolearn
    _, valid = next(StratifiedKFold(4).split(X, y))
    proba = fitted.predict_proba(X[valid])
    assert history[-1]["valid_loss"] == pytest.approx(-np.log(proba[np.arange(len(valid)), y[valid]]).mean(), rel=1e-5)
    assert history[-1]["valid_accuracy"] == pytest.approx(np.mean(proba.argmax(1) == y[valid]))
    assert history[-1]["mean_top_proba"] == pytest.approx(proba.max(axis=1).mean(), rel=1e-5)
    losses = history[:, "train_loss"]
    assert history[:, "train_loss_best"] == [l <= min(losses[:i + 1]) for i, l in enumerate(losses)]


def test_predict_and_score(fitted, data):
    X, y = data
    proba = fitted.predict_proba(X)
    assert proba.dtype == np.float32 and proba.shape == (len(X), N_CLASSES)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(fitted.predict(X), proba.argmax(axis=1))
    assert fitted.score(X, y) == pytest.approx(np.mean(proba.argmax(axis=1) == y))
    with pytest.raises(ValueError, match="not seen in training"):
        fitted.score(X[:3], [0, 1, 7])


@pytest.mark.parametrize("bad, match", [
    ({"X": np.full((4, N_FEATURES), np.nan)}, "NaN or infinity"),
    ({"X": np.zeros(N_FEATURES)}, "at least 2 dimensions"),
    ({"X": np.zeros((0, N_FEATURES))}, "empty"),
    ({"X": np.zeros((4, N_FEATURES + 1))}, r"input layer expects \(4,\)"),
    ({"X": np.array([["a"] * N_FEATURES] * 4)}, "must be numeric"),
    ({"y": [0, 1, 2]}, "one entry per sample"),
    ({"y": [0.0, 1.0, np.nan, 2.0]}, "missing labels"),
    ({"y": [1, 1, 1, 1]}, "single class"),
])
def test_bad_input_leaves_fitted_net_unchanged(bad, match):
    X, y = make_data()
    net = make_net(max_epochs=1).fit(X, y)
    before = net.get_all_params_values()
    history = [dict(r) for r in net.train_history_]
    args = {"X": np.zeros((4, N_FEATURES)), "y": [0, 1, 2, 0]}
    args.update(bad)
    with pytest.raises(ValueError, match=match):
        net.fit(args["X"], args["y"])
    for name, values in net.get_all_params_values().items():
        for a, b in zip(values, before[name]):
            np.testing.assert_array_equal(a, b)
    assert [dict(r) for r in net.train_history_] == history


def test_readonly_noncontiguous_input_and_oversized_batch(shared_net, data):
    X, y = data
    wide = np.repeat(X, 2, axis=1)[:, ::2]
    assert not wide.flags.c_contiguous
    wide.setflags(write=False)
    shared_net.set_params(batch_iterator_train=BatchIterator(batch_size=10_000), callbacks=[Recorder()])
    shared_net.fit(wide, y, epochs=2)
    batches = [e for e in shared_net.callbacks[0].events if e[0] == "batch_end"]
    assert [b[1]["batch_size"] for b in batches] == [len(X), len(X)]
    shared_net.set_params(batch_iterator_train=BatchIterator(batch_size=16, shuffle=True), callbacks=None)


def test_callback_order_logs_and_progress(shared_net, data):
    X, y = data
    recorder = Recorder()
    calls = []
    shared_net.set_params(callbacks=[("rec", recorder)],
                          on_epoch_finished=[lambda net, h: calls.append(("epoch", len(h)))],
                          on_training_finished=[lambda net, h: calls.append(("done", len(h)))])
    try:
        shared_net.fit(X, y, epochs=2)
    finally:
        shared_net.set_params(callbacks=None, on_epoch_finished=None, on_training_finished=None)
    kinds = [e[0] for e in recorder.events]
    assert kinds == ["train_begin"] + (["epoch_begin"] + ["batch_begin", "batch_end"] * 3 + ["epoch_end"]) * 2 \
        + ["train_end"]
    assert recorder.events[0][1] == ["X_train", "X_valid", "y_train", "y_valid"]
    begins = [e[1] for e in recorder.events if e[0] == "batch_begin"]
    # p = completed batches / (max_epochs * batches per epoch)
    assert [b["p"] for b in begins] == pytest.approx([i / (4 * 3) for i in range(6)])
    assert begins[0]["learning_rate"] == pytest.approx(0.1) and begins[0]["batch"] == 0
    ends = [e[1] for e in recorder.events if e[0] == "batch_end"]
    assert all(np.isfinite(b["loss"]) for b in ends)
    assert calls == [("epoch", 1), ("epoch", 2), ("done", 2)]


def test_stop_iteration_and_stop_training(shared_net, data):
    X, y = data

    def stop_at_two(net, history):
        if len(history) == 2:
            raise StopIteration

    class StopAfterBatch(Callback):
        def on_batch_end(self, net, logs=None):
            net.stop_training = True

    shared_net.set_params(on_epoch_finished=[stop_at_two])
    shared_net.fit(X, y, epochs=4)
    assert len(shared_net.train_history_) == 2
    shared_net.set_params(on_epoch_finished=None, callbacks=[StopAfterBatch()])
    shared_net.fit(X, y, epochs=4)
    shared_net.set_params(callbacks=None)
    assert len(shared_net.train_history_) == 1


def test_on_train_end_fires_when_training_raises(shared_net, data):
    X, y = data
    recorder = Recorder()

    class Boom(Callback):
        def on_epoch_end(self, net, logs=None):
            raise RuntimeError("boom")

    shared_net.set_params(callbacks=[Boom(), recorder])
    with pytest.raises(RuntimeError, match="boom"):
        shared_net.fit(X, y)
    shared_net.set_params(callbacks=None)
    assert recorder.events[-1][0] == "train_end"


def test_keyboard_interrupt_restores_last_epoch_and_resumes_exactly(shared_net, data):
    X, y = data

    class Interrupt(Callback):
        def on_batch_end(self, net, logs=None):
            if logs["epoch"] == 3 and logs["batch"] == 1:
                raise KeyboardInterrupt

    recorder = Recorder()
    shared_net.set_params(callbacks=[Interrupt(), recorder])
    with pytest.warns(RuntimeWarning, match="interrupted"):
        shared_net.fit(X, y)
    shared_net.set_params(callbacks=None)
    assert recorder.events[-1][0] == "train_end"
    assert shared_net.train_history_[:, "epoch"] == [1, 2]
    interrupted = shared_net.get_all_params_values()
    shared_net.partial_fit(X, y, epochs=2)
    resumed = shared_net.get_all_params_values()
    resumed_history = [r["train_loss"] for r in shared_net.train_history_]

    shared_net.fit(X, y, epochs=2)
    for name, values in shared_net.get_all_params_values().items():
        for a, b in zip(values, interrupted[name]):
            np.testing.assert_array_equal(a, b)
    shared_net.fit(X, y, epochs=4)
    assert [r["train_loss"] for r in shared_net.train_history_] == resumed_history
    for name, values in shared_net.get_all_params_values().items():
        for a, b in zip(values, resumed[name]):
            np.testing.assert_array_equal(a, b)


def test_hyperparams_are_float32_shared_and_never_recompile(shared_net, data):
    X, y = data
    shared_net.fit(X, y, epochs=1)
    train_fn = shared_net._fns["train"]
    assert sorted(shared_net.hyperparams_) == ["learning_rate"]
    assert shared_net.hyperparams_["learning_rate"].dtype == "float32"
    shared_net.set_hyperparam("learning_rate", 0.0)
    before = shared_net.get_all_params_values()
    shared_net.partial_fit(X, y)
    for name, values in shared_net.get_all_params_values().items():
        for a, b in zip(values, before[name]):
            np.testing.assert_array_equal(a, b)
    assert shared_net._fns["train"] is train_fn
    with pytest.raises(KeyError, match="available"):
        shared_net.get_hyperparam("momentum")
    with pytest.raises(ValueError, match="finite number"):
        shared_net.set_hyperparam("learning_rate", float("nan"))
    # a refit restores the initial learning rate without recompiling
    shared_net.fit(X, y, epochs=1)
    assert shared_net.get_hyperparam("learning_rate") == pytest.approx(0.1)
    assert shared_net._fns["train"] is train_fn


def test_print_log_table(shared_net, data, capsys):
    X, y = data
    shared_net.set_params(verbose=1)
    shared_net.fit(X, y, epochs=3)
    shared_net.set_params(verbose=0)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("# Neural Network with") and "learnable parameters" in out[0]
    assert "trn loss" in out[1] and "dur" in out[1] and set(out[2]) <= {"-", " "}
    assert len(out) == 6 and out[3].split()[0] == "1" and out[5].split()[0] == "3"


def test_load_params_from_matches_by_name_and_shape(fitted, capsys):
    other = make_net(hidden_num_units=6).initialize()
    other.load_params_from(fitted)
    out = capsys.readouterr().out
    assert "hidden" in out and "shapes differ" in out
    # the output layer's bias matches in shape and was copied
    np.testing.assert_array_equal(other.layers_["output"].b.get_value(), fitted.layers_["output"].b.get_value())
    assert other.layers_["hidden"].W.get_value().shape == (N_FEATURES, 6)


def test_save_params_to_round_trip(fitted, tmp_path):
    path = tmp_path / "params.bin"
    fitted.save_params_to(path)
    net = make_net(random_state=5).initialize()
    net.load_params_from(str(path))
    for name, values in net.get_all_params_values().items():
        for a, b in zip(values, fitted.get_all_params_values()[name]):
            np.testing.assert_array_equal(a, b)


def test_regression_with_1d_targets():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3)).astype(np.float32)
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    net = NeuralNet([(InputLayer, {"shape": (None, 3)}), (DenseLayer, {"num_units": 1, "nonlinearity": None})],
                    regression=True, update_learning_rate=0.05, max_epochs=30, train_split=None,
                    batch_iterator_train=BatchIterator(batch_size=8), random_state=0)
    net.fit(X, y)
    pred = net.predict(X)
    assert pred.shape == (40,)
    r2 = 1 - ((y - pred) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    assert net.score(X, y) == pytest.approx(r2, rel=1e-5) and r2 > 0.95
    with pytest.raises(ValueError, match="must be numeric"):
        net.fit(X, np.array(["a"] * 40))


def test_layer_spec_formats_and_unknown_kwargs():
    mixed = [(InputLayer, {"shape": (None, 3)}), ("hidden", DenseLayer),
             (DenseLayer, {"num_units": 2, "nonlinearity": softmax})]
    net = NeuralNet(mixed, hidden_num_units=4).initialize()
    assert list(net.layers_) == ["input0", "hidden", "dense2"]
    out = DenseLayer(DenseLayer(InputLayer((None, 3)), 4, name="h"), 2, nonlinearity=softmax)
    assert list(NeuralNet(out).initialize().layers_) == ["input0", "h", "dense2"]
    with pytest.raises(TypeError, match="unexpected keyword argument 'hiden_num_units'.*'hidden_'"):
        NeuralNet(mixed, hiden_num_units=4)
    with pytest.raises(TypeError, match=r"layers\[1\] must be"):
        NeuralNet([(InputLayer, {"shape": (None, 3)}), "dense"])
    with pytest.raises(TypeError, match="cannot build layer 'hidden'"):
        NeuralNet(mixed).initialize()
