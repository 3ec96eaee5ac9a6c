"""AdversarialNet (DANN): one step against a NumPy DANN, batch pairing, history, inputs, two moons."""
import numpy as np
import pytest
from sklearn.base import clone

from adaptnet import AdversarialNet, BatchIterator, TrainSplit, updates
from adaptnet.callbacks.base import Callback
from adaptnet.layers import DenseLayer, InputLayer
from adaptnet.nets.domain_batches import CyclicSampler
from adaptnet.nonlinearities import sigmoid, softmax

pytestmark = pytest.mark.numba

LOGISTIC_DOMAIN = [(DenseLayer, {"num_units": 1, "nonlinearity": sigmoid})]


def tiny_data(n_source=6, n_target=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_source, 2)).astype(np.float32)
    y = np.arange(n_source) % 2
    Xt = (rng.normal(size=(n_target, 2)) + 1.0).astype(np.float32)
    return X, y, Xt


class RecordingIterator(BatchIterator):
    """Records every target batch it transforms (yb is None for target batches)."""

    def __init__(self, batch_size, shuffle=False, seed=42):
        super().__init__(batch_size, shuffle, seed)
        self.target_batches = []

    def transform(self, Xb, yb):
        if yb is None:
            self.target_batches.append(Xb.copy())
        return Xb, yb


@pytest.fixture(scope="module")
def tiny_net():
    """One compiled DANN shared by the tests below; only non-graph parameters change between them."""
    return AdversarialNet(
        [("input", InputLayer), ("hidden", DenseLayer), ("output", DenseLayer)],
        input_shape=(None, 2), hidden_num_units=3, output_num_units=2, output_nonlinearity=softmax,
        domain_layers=LOGISTIC_DOMAIN, update=updates.sgd, update_learning_rate=0.1,
        hp_lambda=0.7, domain_loss_weight=0.5, max_epochs=1, train_split=None,
        batch_iterator_train=BatchIterator(batch_size=100), random_state=0)


def numpy_dann_step(v, X, y, Xt, lam, weight, lr):
    """One SGD step of DANN (Ganin et al. 2016) written out by hand."""
    (W1, b1), (W2, b2), (Wd, bd) = v["hidden"], v["output"], v["domain_dense0"]
    Xa = np.vstack([X, Xt]).astype(np.float64)
    pre = Xa @ W1 + b1
    h = np.maximum(pre, 0)
    ns = len(X)
    z = h[:ns] @ W2 + b2
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    q = 1 / (1 + np.exp(-(h @ Wd + bd)))
    d = np.r_[np.zeros(ns), np.ones(len(Xt))][:, None]
    label_loss = -np.log(p[np.arange(ns), y]).mean()
    domain_loss = -(d * np.log(q) + (1 - d) * np.log(1 - q)).mean()
    dz = (p - np.eye(2)[y]) / ns
    dq = weight * (q - d) / len(Xa)
    dh = np.zeros_like(h)
    dh[:ns] = dz @ W2.T
    dh -= lam * dq @ Wd.T  # the reversed domain gradient
    dpre = dh * (pre > 0)
    grads = {"hidden": [Xa.T @ dpre, dpre.sum(0)], "output": [h[:ns].T @ dz, dz.sum(0)],
             "domain_dense0": [h.T @ dq, dq.sum(0)]}
    new = {k: [w - lr * g for w, g in zip(v[k], grads[k])] for k in grads}
    return new, label_loss, domain_loss, np.mean((q >= 0.5) == d)


@pytest.mark.parametrize("adversarial", [True, False])
def test_one_step_matches_numpy_dann(tiny_net, adversarial):
    X, y, Xt = tiny_data()
    tiny_net.set_params(adversarial=adversarial)
    start = clone(tiny_net).initialize().get_all_params_values()  # same seed: the initial weights
    tiny_net.fit(X, y, Xt)
    lam = 0.7 if adversarial else 0.0
    expected, label_loss, domain_loss, domain_acc = numpy_dann_step(start, X, y, Xt, lam, 0.5, 0.1)
    got = tiny_net.get_all_params_values()
    for name, values in expected.items():
        for a, b in zip(got[name], values):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    row = tiny_net.train_history_[-1]
    assert row["label_loss"] == pytest.approx(label_loss, rel=1e-5)
    assert row["domain_loss"] == pytest.approx(domain_loss, rel=1e-5)
    assert row["train_loss"] == pytest.approx(label_loss + 0.5 * domain_loss, rel=1e-5)
    assert row["domain_accuracy"] == pytest.approx(domain_acc)
    assert row["hp_lambda"] == pytest.approx(lam) and row["learning_rate"] == pytest.approx(0.1)
    tiny_net.set_params(adversarial=True)


def test_epoch_is_one_pass_over_the_larger_domain(tiny_net):
    X, y, Xt = tiny_data(n_source=10, n_target=25)
    iterator = RecordingIterator(batch_size=4, shuffle=True)
    sizes, announced = [], []

    class Sizes(Callback):
        def on_epoch_begin(self, net, logs=None):
            announced.append(logs["n_batches"])

        def on_batch_end(self, net, logs=None):
            sizes.append(logs["batch_size"])

    tiny_net.set_params(batch_iterator_train=iterator, callbacks=[Sizes()])
    tiny_net.fit(X, y, Xt, epochs=2)
    used = tiny_net._iterators["train"].target_batches
    tiny_net.set_params(batch_iterator_train=BatchIterator(batch_size=100), callbacks=None)
    assert sizes == [4] * 6 + [1] + [4] * 6 + [1]
    assert announced == [7, 7]
    for epoch in range(2):
        seen = np.concatenate(used[epoch * 7:(epoch + 1) * 7])
        # every target sample exactly once per epoch, in a new order each epoch
        np.testing.assert_array_equal(np.sort(seen[:, 0]), np.sort(Xt[:, 0]))
    assert not np.array_equal(np.concatenate(used[:7]), np.concatenate(used[7:]))


def test_cyclic_sampler_reshuffles_each_pass():
    sampler = CyclicSampler(4, shuffle=True, seed=0)
    draws = sampler.take(10)
    assert sorted(draws[:4]) == [0, 1, 2, 3] and sorted(draws[4:8]) == [0, 1, 2, 3]
    assert len(draws) == 10


def test_history_target_validation_predict_domain_transform(tiny_net):
    X, y, Xt = tiny_data(n_source=20, n_target=20)
    yt = np.arange(20) % 2
    tiny_net.set_params(train_split=TrainSplit(eval_size=0.25))
    tiny_net.fit(X, y, Xt, X_valid_target=Xt, y_valid_target=yt, epochs=3)
    tiny_net.set_params(train_split=None)
    row = tiny_net.train_history_[-1]
    assert {"train_loss", "label_loss", "domain_loss", "domain_accuracy", "hp_lambda", "learning_rate",
            "valid_loss", "valid_accuracy", "target_valid_loss", "target_valid_accuracy", "dur"} <= set(row)
    assert row["target_valid_accuracy"] == pytest.approx(tiny_net.score(Xt, yt))
    proba = tiny_net.predict_proba(Xt)
    assert row["target_valid_loss"] == pytest.approx(-np.log(proba[np.arange(20), yt]).mean(), rel=1e-5)
    (W1, b1), (Wd, bd) = tiny_net.layers_["hidden"].get_params(), tiny_net.layers_["domain_dense0"].get_params()
    features = np.maximum(Xt @ W1.get_value() + b1.get_value(), 0)
    np.testing.assert_allclose(tiny_net.transform(Xt), features, rtol=1e-5, atol=1e-6)
    domain = 1 / (1 + np.exp(-(features @ Wd.get_value() + bd.get_value())))
    np.testing.assert_allclose(tiny_net.predict_domain(Xt), domain[:, 0], rtol=1e-5)
    assert tiny_net.hyperparams_["hp_lambda"] is tiny_net.layers_["reversal"].hp_lambda


@pytest.mark.parametrize("kwargs, error, match", [
    ({"X_target": None}, TypeError, "X_target .* is required"),
    ({"X_target": np.full((4, 2), np.inf)}, ValueError, "X_target contains NaN or infinity"),
    ({"X_target": np.zeros((4, 3))}, ValueError, r"X_target has samples of shape \(3,\)"),
    ({"X_target": np.zeros((0, 2))}, ValueError, "X_target is empty"),
    ({"X": np.full((6, 2), np.nan)}, ValueError, "X contains NaN"),
    ({"y": np.zeros(6, int)}, ValueError, "single class"),
    ({"X_valid_target": np.zeros((3, 2))}, ValueError, "both X_valid_target and y_valid_target"),
    ({"X_valid_target": np.zeros((2, 2)), "y_valid_target": [0, 5]}, ValueError, r"labels \[5\] not seen"),
])
def test_bad_input_raises_before_any_change(tiny_net, kwargs, error, match):
    X, y, Xt = tiny_data()
    tiny_net.fit(X, y, Xt)
    before = tiny_net.get_all_params_values()
    args = {"X": X, "y": y, "X_target": Xt}
    args.update(kwargs)
    with pytest.raises(error, match=match):
        tiny_net.fit(**args)
    for name, values in tiny_net.get_all_params_values().items():
        for a, b in zip(values, before[name]):
            np.testing.assert_array_equal(a, b)
    assert len(tiny_net.train_history_) == 1


def test_bad_architecture_arguments():
    layers = [(InputLayer, {"shape": (None, 2)}), (DenseLayer, {"num_units": 3, "name": "feat"}),
              (DenseLayer, {"num_units": 2, "nonlinearity": softmax})]
    with pytest.raises(ValueError, match=r"feature_layer 'nope' .* \['input0', 'feat', 'dense2'\]"):
        AdversarialNet(layers, feature_layer="nope").initialize()
    with pytest.raises(ValueError, match="must end in one"):
        AdversarialNet(layers, domain_layers=[(DenseLayer, {"num_units": 2})]).initialize()
    with pytest.raises(ValueError, match="hp_lambda must be a finite number"):
        AdversarialNet(layers, hp_lambda=float("nan")).initialize()
    assert list(AdversarialNet(layers).initialize().layers_)[-3:] == ["reversal", "domain_hidden", "domain_output"]


def test_regression_label_head():
    X, _, Xt = tiny_data(n_source=30, n_target=30)
    y = X.sum(axis=1)
    net = AdversarialNet([(InputLayer, {"shape": (None, 2)}), (DenseLayer, {"num_units": 8}),
                          (DenseLayer, {"num_units": 1, "nonlinearity": None})],
                         regression=True, domain_layers=LOGISTIC_DOMAIN, update_learning_rate=0.02,
                         max_epochs=20, train_split=None, batch_iterator_train=BatchIterator(10),
                         random_state=0)
    net.fit(X, y, Xt, X_valid_target=Xt, y_valid_target=Xt.sum(axis=1))
    assert net.predict(X).shape == (30,)
    losses = net.train_history_[:, "label_loss"]
    assert losses[-1] < losses[0]
    assert net.train_history_[-1]["target_valid_loss"] == pytest.approx(
        np.mean((net.predict(Xt) - Xt.sum(axis=1)) ** 2), rel=1e-4)
    with pytest.raises(ValueError, match="must be numeric"):
        net.fit(X, np.array(["a"] * 30), Xt)


def test_two_moons_dann_beats_source_only():
    """Ganin et al. (JMLR 2016, section 5.1.1): target = source moons rotated by 35 degrees.

    The network and optimiser are the demo's (``adaptnet demo --task moons``), so the test
    checks what the demo shows. Measured on the development machine: DANN 0.951 on seeds 0-2
    (0.927, 0.963, 0.963), 0.952 over seeds 0-15 (per seed 0.927 to 0.98); source only 0.673.
    The goal is 0.95; the bound below leaves 0.01 for other CPUs, whose BLAS rounding sends a
    200-epoch adversarial game down another trajectory.
    """
    from adaptnet.cli.demo import make_demo_net
    from adaptnet.datasets import make_moons_da
    scores = {True: [], False: []}
    for adversarial in (True, False):
        for seed in range(3):
            X, y, Xt, yt = make_moons_da(300, noise=0.1, rotation=35, random_state=seed)
            net = make_demo_net((2,), adversarial, epochs=200, seed=seed, task="moons").fit(X, y, Xt)
            assert net.score(X, y) > 0.97
            scores[adversarial].append(net.score(Xt, yt))
    dann, source_only = np.mean(scores[True]), np.mean(scores[False])
    print(f"two moons target accuracy: DANN {dann:.3f} {scores[True]}, source only {source_only:.3f} {scores[False]}")
    assert dann >= 0.94
    assert dann - source_only >= 0.2
