"""Bad input is rejected with a message naming the argument and the expectation, and changes nothing.

One row per row of ``docs/input_validation.md``. Every row runs against one
shared fitted :class:`AdversarialNet`; its weights, optimizer slots,
hyperparameters, history and constructor parameters are compared before and
after the failing call.
"""
import copy
import types

import numpy as np
import pytest
from sklearn.base import clone

from adaptnet import AdversarialNet
from adaptnet.callbacks import EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, TensorBoard
from adaptnet.datasets import load_mnist, make_moons_da
from adaptnet.datasets.idx import parse_idx
from adaptnet.layers import DenseLayer, DropoutLayer, InputLayer
from adaptnet.nets import BatchIterator, TrainSplit
from adaptnet.nonlinearities import softmax

pytestmark = pytest.mark.numba

SPEC = [("input", InputLayer), ("hidden", DenseLayer), ("output", DenseLayer)]


def make_net(**overrides):
    params = dict(input_shape=(None, 2), hidden_num_units=4, output_num_units=2,
                  output_nonlinearity=softmax, domain_hidden_num_units=3, max_epochs=2,
                  train_split=None, random_state=0, update_learning_rate=0.05,
                  batch_iterator_train=BatchIterator(8, shuffle=True))
    params.update(overrides)
    return AdversarialNet(SPEC, **params)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(24, 2).astype(np.float32)
    return types.SimpleNamespace(X=X, y=np.array([0, 1] * 12), Xt=(X + 1.0).astype(np.float32))


@pytest.fixture(scope="module")
def fitted(data):
    return make_net().fit(data.X, data.y, data.Xt)


def state_of(net):
    """Everything a failed call must leave alone."""
    return {
        "params": [[v.copy() for v in values] for values in net.get_all_params_values().values()],
        "slots": [s.get_value().copy() for s in net._graph["slots"]],
        "hyper": {k: float(v.get_value()) for k, v in net.hyperparams_.items()},
        "history": copy.deepcopy(list(net.train_history_)),
        "classes": net.classes_.copy(),
        "params_ids": {k: id(v) for k, v in net.get_params(deep=False).items()},
        "layers": list(net.layers_),
    }


def assert_same_state(before, after):
    assert before["history"] == after["history"]
    assert before["hyper"] == after["hyper"]
    assert before["layers"] == after["layers"]
    assert before["params_ids"] == after["params_ids"]
    np.testing.assert_array_equal(before["classes"], after["classes"])
    for old, new in zip(before["params"] + [before["slots"]], after["params"] + [after["slots"]]):
        assert len(old) == len(new)
        for a, b in zip(old, new):
            np.testing.assert_array_equal(a, b)


def with_value(X, index, value):
    X = X.copy()
    X[index] = value
    return X


def write_config(tmp_path, text, arrays=None):
    for name, values in (arrays or {}).items():
        np.savez(tmp_path / f"{name}.npz", **values)
    path = tmp_path / "run.toml"
    path.write_text(text)
    return path


GOOD_DATA = '[data]\nsource = "source.npz"\ntarget = "target.npz"\n'


def good_arrays(d, **changes):
    arrays = {"source": {"X": d.X, "y": d.y}, "target": {"X": d.Xt}}
    arrays.update(changes)
    return arrays


def cli_config(d, tmp, text, **arrays):
    from adaptnet.cli.config import load_config
    return load_config(write_config(tmp, text, good_arrays(d, **arrays)))


def cli_arrays(d, tmp, **arrays):
    from adaptnet.cli.config import load_arrays, load_config
    config = load_config(write_config(tmp, GOOD_DATA, good_arrays(d, **arrays)))
    return load_arrays("data.source", config["data"]["source"], need_labels=True)


def cli_train(d, tmp, **arrays):
    from adaptnet.cli import main
    code = main(["train", str(write_config(tmp, GOOD_DATA, good_arrays(d, **arrays))), "--quiet"])
    raise SystemExit(code)


# (call(net, data, tmp_path), exception type, regex the message must match)
BAD_INPUTS = [
    # --- fit: values
    pytest.param(lambda n, d, t: n.fit(with_value(d.X, (3, 1), np.nan), d.y, d.Xt),
                 ValueError, r"AdversarialNet\.fit: X contains NaN or infinity", id="fit-X-nan"),
    pytest.param(lambda n, d, t: n.fit(with_value(d.X, (0, 0), np.inf), d.y, d.Xt),
                 ValueError, r"AdversarialNet\.fit: X contains NaN or infinity", id="fit-X-inf"),
    pytest.param(lambda n, d, t: n.fit(d.X, d.y, with_value(d.Xt, (5, 0), np.nan)),
                 ValueError, r"AdversarialNet\.fit: X_target contains NaN", id="fit-X_target-nan"),
    pytest.param(lambda n, d, t: n.fit(d.X, d.y, with_value(d.Xt, (2, 1), -np.inf)),
                 ValueError, r"AdversarialNet\.fit: X_target contains NaN or infinity", id="fit-X_target-inf"),
    pytest.param(lambda n, d, t: n.fit(d.X, np.where(d.y == 1, np.nan, 0.0), d.Xt),
                 ValueError, r"AdversarialNet\.fit: y contains missing labels \(NaN", id="fit-y-nan"),
    pytest.param(lambda n, d, t: n.fit(d.X.astype(np.float64) * 1e300, d.y, d.Xt),
                 ValueError, r"X contains NaN or infinity \(after conversion to float32\)",
                 id="fit-X-overflows-float32"),
    # --- fit: shapes and ranks
    pytest.param(lambda n, d, t: n.fit(d.X[:, 0], d.y, d.Xt),
                 ValueError, r"AdversarialNet\.fit: X must have at least 2 dimensions .* got shape \(24,\)",
                 id="fit-X-rank1"),
    pytest.param(lambda n, d, t: n.fit(d.X[:, :, None], d.y, d.Xt[:, :, None]),
                 ValueError, r"X has samples of shape \(2, 1\), the input layer expects \(2,\)",
                 id="fit-X-rank3"),
    pytest.param(lambda n, d, t: n.fit(np.hstack([d.X, d.X]), d.y, np.hstack([d.Xt, d.Xt])),
                 ValueError, r"X has samples of shape \(4,\), the input layer expects \(2,\)",
                 id="fit-X-too-many-features"),
    pytest.param(lambda n, d, t: n.fit(d.X, d.y, d.Xt[:, :1]),
                 ValueError, r"X_target has samples of shape \(1,\), X has \(2,\)",
                 id="fit-source-target-feature-mismatch"),
    pytest.param(lambda n, d, t: n.fit(d.X, d.y[:-1], d.Xt),
                 ValueError, r"y must have one entry per sample \(24\), got shape \(23,\)", id="fit-y-length"),
    pytest.param(lambda n, d, t: n.fit(d.X, np.stack([d.y, d.y], axis=1), d.Xt),
                 ValueError, r"class labels y must be 1-D, got shape \(24, 2\)", id="fit-y-rank2"),
    pytest.param(lambda n, d, t: n.fit(d.X[:0], d.y[:0], d.Xt),
                 ValueError, r"AdversarialNet\.fit: X is empty \(shape \(0, 2\)\)", id="fit-X-empty"),
    pytest.param(lambda n, d, t: n.fit(d.X, d.y, d.Xt[:0]),
                 ValueError, r"AdversarialNet\.fit: X_target is empty", id="fit-X_target-empty"),
    # --- fit: types
    pytest.param(lambda n, d, t: n.fit(d.X.astype(object), d.y, d.Xt),
                 ValueError, r"X must be numeric, got an array of dtype object", id="fit-X-object"),
    pytest.param(lambda n, d, t: n.fit(d.X.astype(str), d.y, d.Xt),
                 ValueError, r"X must be numeric, got an array of dtype <U", id="fit-X-strings"),
    pytest.param(lambda n, d, t: n.fit(d.X, d.y, d.Xt.astype(str)),
                 ValueError, r"X_target must be numeric", id="fit-X_target-strings"),
    pytest.param(lambda n, d, t: n.fit(None, d.y, d.Xt),
                 TypeError, r"AdversarialNet\.fit: X is required, got None", id="fit-X-none"),
    pytest.param(lambda n, d, t: n.fit(d.X, d.y),
                 TypeError, r"AdversarialNet\.fit: X_target \(unlabelled target-domain samples\) is required",
                 id="fit-X_target-missing"),
    # --- fit: labels and one-sample domains
    pytest.param(lambda n, d, t: n.fit(d.X, np.zeros(24, int), d.Xt),
                 ValueError, r"y has a single class \[0\]; classification needs at least 2", id="fit-y-one-class"),
    pytest.param(lambda n, d, t: n.fit(d.X[:1], d.y[:1], d.Xt),
                 ValueError, r"y has a single class", id="fit-one-sample-source"),
    pytest.param(lambda n, d, t: n.fit(d.X, np.array([0, 1, 2] * 8), d.Xt),
                 ValueError, r"y has labels \[2\] not seen in training; known classes: \[0, 1\]",
                 id="fit-y-more-classes-than-outputs"),
    pytest.param(lambda n, d, t: n.fit(d.X, d.y, d.Xt, X_valid_target=d.Xt),
                 ValueError, r"give both X_valid_target and y_valid_target", id="fit-valid-target-half"),
    pytest.param(lambda n, d, t: n.fit(d.X, d.y, d.Xt, X_valid_target=d.Xt, y_valid_target=d.y + 5),
                 ValueError, r"y_valid_target has labels \[5, 6\] not seen in training",
                 id="fit-y_valid_target-unseen"),
    # --- fit: hyperparameters and keyword arguments
    pytest.param(lambda n, d, t: n.fit(d.X, d.y, d.Xt, epochs=0),
                 ValueError, r"AdversarialNet\.fit: epochs must be a positive integer, got 0", id="fit-epochs-zero"),
    pytest.param(lambda n, d, t: clone(n).set_params(max_epochs=-1).fit(d.X, d.y, d.Xt),
                 ValueError, r"AdversarialNet\.fit: max_epochs must be a positive integer, got -1",
                 id="max_epochs-negative"),
    pytest.param(lambda n, d, t: clone(n).set_params(update_learning_rate=0.0).fit(d.X, d.y, d.Xt),
                 ValueError, r"update_learning_rate must be a finite number > 0 .*got 0\.0",
                 id="learning_rate-zero"),
    pytest.param(lambda n, d, t: clone(n).set_params(update_learning_rate=-0.1).fit(d.X, d.y, d.Xt),
                 ValueError, r"update_learning_rate must be a finite number > 0 .*got -0\.1",
                 id="learning_rate-negative"),
    pytest.param(lambda n, d, t: clone(n).set_params(update_momentum=-0.5).fit(d.X, d.y, d.Xt),
                 ValueError, r"update_momentum must be a finite number in \[0, 1\) .*got -0\.5",
                 id="momentum-negative"),
    pytest.param(lambda n, d, t: clone(n).set_params(hp_lambda=-1.0).fit(d.X, d.y, d.Xt),
                 ValueError, r"hp_lambda must be a finite number >= 0, got -1\.0", id="hp_lambda-negative"),
    pytest.param(lambda n, d, t: clone(n).set_params(domain_loss_weight=float("nan")).fit(d.X, d.y, d.Xt),
                 ValueError, r"domain_loss_weight must be a finite number >= 0, got nan",
                 id="domain_loss_weight-nan"),
    pytest.param(lambda n, d, t: clone(n).set_params(callbacks=[42]).fit(d.X, d.y, d.Xt),
                 TypeError, r"callbacks must hold Callback instances or \(name, Callback\) pairs, got 42",
                 id="callbacks-not-callback"),
    pytest.param(lambda n, d, t: make_net(hiden_num_units=3),
                 TypeError, r"AdversarialNet: unexpected keyword argument 'hiden_num_units'.*must start "
                            r"with a layer name", id="init-unknown-kwarg"),
    pytest.param(lambda n, d, t: n.fit(d.X, d.y, d.Xt, X_targte=d.Xt),
                 TypeError, r"fit\(\) got an unexpected keyword argument 'X_targte'", id="fit-unknown-kwarg"),
    pytest.param(lambda n, d, t: n.set_params(max_epochs=7, bogus=1),
                 ValueError, r"AdversarialNet\.set_params: invalid parameter 'bogus'", id="set_params-unknown"),
    # --- partial_fit
    pytest.param(lambda n, d, t: n.partial_fit(d.X, np.where(d.y == 1, 7, 0), d.Xt),
                 ValueError, r"AdversarialNet\.partial_fit: y has labels \[7\] not seen in training",
                 id="partial_fit-y-unseen"),
    pytest.param(lambda n, d, t: n.partial_fit(d.X, d.y, with_value(d.Xt, (0, 0), np.nan)),
                 ValueError, r"AdversarialNet\.partial_fit: X_target contains NaN", id="partial_fit-X_target-nan"),
    pytest.param(lambda n, d, t: n.partial_fit(d.X[:, :1], d.y, d.Xt[:, :1]),
                 ValueError, r"partial_fit: X has samples of shape \(1,\), the input layer expects \(2,\)",
                 id="partial_fit-X-features"),
    pytest.param(lambda n, d, t: n.partial_fit(d.X, d.y, d.Xt, epochs=-2),
                 ValueError, r"partial_fit: epochs must be a positive integer, got -2", id="partial_fit-epochs"),
    # --- predict, score
    pytest.param(lambda n, d, t: n.predict(np.ones((3, 5), np.float32)),
                 ValueError, r"AdversarialNet\.predict: X has samples of shape \(5,\), the input layer expects",
                 id="predict-features"),
    pytest.param(lambda n, d, t: n.predict_proba(with_value(d.X, (1, 1), np.nan)),
                 ValueError, r"AdversarialNet\.predict_proba: X contains NaN", id="predict_proba-nan"),
    pytest.param(lambda n, d, t: n.predict_domain(d.X[0]),
                 ValueError, r"predict_domain: X must have at least 2 dimensions", id="predict_domain-rank1"),
    pytest.param(lambda n, d, t: n.transform(d.X[:0]),
                 ValueError, r"AdversarialNet\.transform: X is empty", id="transform-empty"),
    pytest.param(lambda n, d, t: n.score(d.X, np.where(d.y == 1, 3, 0)),
                 ValueError, r"AdversarialNet\.score: y has labels \[3\] not seen in training; known classes",
                 id="score-y-unseen"),
    pytest.param(lambda n, d, t: n.score(d.X, d.y[:5]),
                 ValueError, r"score: y must have one entry per sample \(24\)", id="score-y-length"),
    pytest.param(lambda n, d, t: n.set_hyperparam("learning_rate", float("inf")),
                 ValueError, r"set_hyperparam: learning_rate must be a finite number, got inf",
                 id="set_hyperparam-inf"),
    # --- layers, iterators, callbacks
    pytest.param(lambda n, d, t: DenseLayer(InputLayer((None, 2)), num_units=0),
                 ValueError, r"DenseLayer: num_units must be a positive integer, got 0", id="DenseLayer-num_units"),
    pytest.param(lambda n, d, t: DropoutLayer(InputLayer((None, 2)), p=1.0),
                 ValueError, r"DropoutLayer: p must be a number in \[0, 1\), got p=1\.0", id="DropoutLayer-p"),
    pytest.param(lambda n, d, t: InputLayer((None, -2)),
                 ValueError, r"InputLayer: shape must hold positive integers or None", id="InputLayer-shape"),
    pytest.param(lambda n, d, t: BatchIterator(batch_size=0),
                 ValueError, r"BatchIterator: batch_size must be a positive integer, got 0", id="BatchIterator-zero"),
    pytest.param(lambda n, d, t: TrainSplit(eval_size=1.5),
                 ValueError, r"TrainSplit: eval_size must be None or a number in \[0, 1\), got 1\.5",
                 id="TrainSplit-eval_size"),
    pytest.param(lambda n, d, t: EarlyStopping(patience=-1),
                 ValueError, r"EarlyStopping: patience must be an integer >= 0, got -1", id="EarlyStopping-patience"),
    pytest.param(lambda n, d, t: ModelCheckpoint("x.ckpt", every_n_epochs=0),
                 ValueError, r"ModelCheckpoint: every_n_epochs must be a positive integer, got 0",
                 id="ModelCheckpoint-every_n_epochs"),
    pytest.param(lambda n, d, t: TensorBoard(histogram_freq=-1),
                 ValueError, r"TensorBoard: histogram_freq must be an integer >= 0, got -1",
                 id="TensorBoard-histogram_freq"),
    pytest.param(lambda n, d, t: ReduceLROnPlateau(factor=1.5),
                 ValueError, r"ReduceLROnPlateau: factor must be a number in \(0, 1\), got 1\.5",
                 id="ReduceLROnPlateau-factor"),
    # --- dataset loaders
    pytest.param(lambda n, d, t: make_moons_da(n_samples=0),
                 ValueError, r"make_moons_da: n_samples must be a positive integer, got 0", id="moons-n_samples"),
    pytest.param(lambda n, d, t: make_moons_da(noise=-1),
                 ValueError, r"make_moons_da: noise must be a non-negative number, got -1", id="moons-noise"),
    pytest.param(lambda n, d, t: load_mnist(path=t, kind="valid"),
                 ValueError, r"load_mnist: kind must be 'train' or 'test', got 'valid'", id="mnist-kind"),
    pytest.param(lambda n, d, t: parse_idx(b"\x00\x00\x08\x01\x00\x00\x00\x05ab"),
                 ValueError, r"parse_idx: .* is truncated: 10 bytes, expected 13", id="idx-truncated"),
    # --- command line (config and data files)
    pytest.param(lambda n, d, t: cli_config(d, t, GOOD_DATA + "[estimator]\nmax_epochs = 0\n"),
                 ValueError, r"estimator\.max_epochs: expected a positive integer, got 0", id="cli-max_epochs"),
    pytest.param(lambda n, d, t: cli_config(d, t, GOOD_DATA + "[estimator]\nlearning_rate = -1.0\n"),
                 ValueError, r"estimator\.learning_rate: expected a positive number, got -1\.0",
                 id="cli-learning_rate"),
    pytest.param(lambda n, d, t: cli_config(d, t, GOOD_DATA + "[estimator]\nbatchsize = 8\n"),
                 ValueError, r"unknown key estimator\.batchsize .* expected keys of \[estimator\]",
                 id="cli-unknown-key"),
    pytest.param(lambda n, d, t: cli_arrays(d, t, source={"X": with_value(d.X, (0, 0), np.nan), "y": d.y}),
                 ValueError, r"data\.source: X contains NaN or infinite values", id="cli-X-nan"),
    pytest.param(lambda n, d, t: cli_arrays(d, t, source={"X": d.X, "y": d.y[:3]}),
                 ValueError, r"data\.source: expected y to be a 1-D array .* one entry per sample \(24\)",
                 id="cli-y-length"),
    pytest.param(lambda n, d, t: cli_train(d, t, target={"X": d.Xt[:, :1]}),
                 SystemExit, r"^2$", id="cli-train-feature-mismatch-exit-2"),
]


@pytest.mark.parametrize("call, error, message", BAD_INPUTS)
def test_bad_input_is_rejected_and_changes_nothing(fitted, data, tmp_path, call, error, message):
    before = state_of(fitted)
    with pytest.raises(error, match=message):
        call(fitted, data, tmp_path)
    assert_same_state(before, state_of(fitted))


def test_cli_reports_bad_data_on_stderr_and_writes_nothing(data, tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli_train(data, tmp_path, target={"X": data.Xt[:, :1]})
    err = capsys.readouterr().err
    assert "adaptnet train: error: data.target: expected samples of shape (2,) like data.source, got (1,)" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.toml", "source.npz", "target.npz"]


def test_validation_table_lists_every_row():
    """docs/input_validation.md has one row per test id, and no row without a test."""
    import pathlib
    text = (pathlib.Path(__file__).parents[1] / "docs" / "input_validation.md").read_text()
    documented = {line.split("|")[1].strip().strip("`") for line in text.splitlines()
                  if line.startswith("| `")}
    assert documented == {p.id for p in BAD_INPUTS}


# ------------------------------------------------------------------ inputs that must be accepted

def views(X):
    """Non-contiguous and read-only versions of ``X`` with the same values."""
    doubled = np.repeat(X, 2, axis=0)[::2]           # strided rows
    fortran = np.asfortranarray(X)                   # column-major
    readonly = X.copy()
    readonly.flags.writeable = False
    return {"strided": doubled, "fortran": fortran, "readonly": readonly}


@pytest.mark.parametrize("kind", ["strided", "fortran", "readonly"])
def test_non_contiguous_and_read_only_inputs_predict_like_copies(fitted, data, kind):
    X = views(data.X)[kind]
    assert not X.flags.c_contiguous or not X.flags.writeable
    expected = fitted.predict_proba(np.ascontiguousarray(data.X))
    np.testing.assert_array_equal(fitted.predict_proba(X), expected)
    np.testing.assert_array_equal(fitted.transform(X), fitted.transform(data.X))
    assert fitted.score(X, data.y) == fitted.score(data.X, data.y)


def test_non_contiguous_read_only_training_data_fit_like_copies(data):
    odd = {key: views(value)[kind] for key, value, kind in
           (("X", data.X, "fortran"), ("Xt", data.Xt, "strided"))}
    y = data.y.copy()
    y.flags.writeable = False
    odd["Xt"].flags.writeable = False
    a = make_net().fit(odd["X"], y, odd["Xt"])
    b = make_net().fit(data.X.copy(), data.y.copy(), data.Xt.copy())
    for va, vb in zip(a.get_all_params_values().values(), b.get_all_params_values().values()):
        for pa, pb in zip(va, vb):
            np.testing.assert_array_equal(pa, pb)
    assert a.train_history_[:, "train_loss"] == b.train_history_[:, "train_loss"]
    np.testing.assert_array_equal(odd["X"], data.X)  # the caller's arrays are left as they were
    assert odd["X"].flags.f_contiguous and not odd["Xt"].flags.writeable


@pytest.mark.parametrize("n_source, n_target, batch_size, expected_batches", [
    (24, 24, 1000, 1),   # batch larger than the data: one batch
    (24, 1, 8, 3),       # one-sample target domain, cycled
    (2, 24, 8, 3),       # two-sample source (one per class), cycled
])
def test_tiny_domains_and_huge_batches_train(data, n_source, n_target, batch_size, expected_batches):
    batches = []
    net = make_net(batch_iterator_train=BatchIterator(batch_size, shuffle=True), max_epochs=1,
                   on_batch_finished=[lambda net, history: batches.append(1)])
    net.fit(data.X[:n_source], data.y[:n_source], data.Xt[:n_target])
    assert len(batches) == expected_batches
    assert len(net.train_history_) == 1
    assert np.isfinite(net.train_history_[-1]["train_loss"])


def test_one_sample_source_with_classes_partial_fits(data):
    net = make_net(max_epochs=1)
    net.partial_fit(data.X[:1], data.y[:1], data.Xt[:4], classes=[0, 1])
    assert net.classes_.tolist() == [0, 1]
    assert len(net.train_history_) == 1
    assert net.predict(data.X).shape == (24,)
