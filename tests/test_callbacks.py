"""Tests of the callbacks: schedule formulas, monitors and state on a stand-in net,
then real ``NeuralNet``/``AdversarialNet`` fits (marked ``numba``)."""
import csv
import math
import os
import pickle
import warnings

import numpy as np
import pytest

from adaptnet.callbacks import (Callback, CSVLogger, DomainEmbeddedValidation, EarlyStopping, LambdaScheduler,
                                LearningRateScheduler, ModelCheckpoint, ProgressBar, ReduceLROnPlateau,
                                ReverseValidation, TerminateOnNaN)
from adaptnet.callbacks.dev import dev_risk
from adaptnet.callbacks.lambda_scheduler import dann_lambda
from adaptnet.callbacks.monitor import Monitor
from adaptnet.callbacks.paths import ensure_writable_dir
from adaptnet.callbacks.weights import snapshot_params


class StandInNet:
    """The attributes of the estimator contract the pure-logic tests need."""

    def __init__(self, hyperparams=None, max_epochs=10):
        self.hyperparams_ = dict(hyperparams or {"learning_rate": 0.1, "hp_lambda": 0.0})
        self.train_history_ = []
        self.max_epochs = max_epochs
        self.stop_training = False
        self.params = {"dense": [np.zeros(3, np.float32)]}

    def get_hyperparam(self, name):
        return float(np.float32(self.hyperparams_[name]))

    def set_hyperparam(self, name, value):
        if name not in self.hyperparams_:
            raise KeyError(name)
        self.hyperparams_[name] = value

    def get_all_params_values(self):
        return self.params

    def load_params_from(self, source):
        self.params = {k: [np.array(v) for v in vs] for k, vs in source.items()}


def run_epochs(callback, net, values, key="score"):
    """Feed ``callback`` epoch rows whose ``key`` takes ``values``; return the epochs run."""
    callback.on_train_begin(net, {})
    for epoch, value in enumerate(values, start=1):
        row = {"epoch": epoch, key: value}
        net.train_history_.append(row)
        callback.on_epoch_end(net, row)
        if net.stop_training:
            break
    callback.on_train_end(net, {})
    return len(net.train_history_)


# ---------------------------------------------------------------- schedules

@pytest.mark.parametrize("p", [0.0, 0.05, 0.3, 0.77, 1.0])
def test_dann_lambda_matches_paper_formula(p):
    expected = 0.7 * (2.0 / (1.0 + math.exp(-10.0 * p)) - 1.0)
    assert dann_lambda(p, lambda_max=0.7, gamma=10.0) == pytest.approx(expected, rel=1e-12)
    assert LambdaScheduler(lambda_max=0.7).value_at(p) == pytest.approx(expected, rel=1e-12)


def test_lambda_scheduler_constant_linear_and_callable():
    assert LambdaScheduler(lambda_max=0.3, schedule="constant").value_at(0.1) == 0.3
    linear = LambdaScheduler(lambda_max=2.0, schedule="linear", warmup=0.4)
    assert [linear.value_at(p) for p in (0.0, 0.1, 0.4, 0.9)] == pytest.approx([0.0, 0.5, 2.0, 2.0])
    assert LambdaScheduler(schedule=lambda p: p ** 2).value_at(0.5) == 0.25


def test_lambda_scheduler_sets_hyperparam_and_batch_logs():
    net = StandInNet()
    sched = LambdaScheduler()
    sched.on_train_begin(net, {})
    logs = {"epoch": 1, "batch": 0, "p": 0.25, "hp_lambda": 0.0}
    sched.on_batch_begin(net, logs)
    expected = 2.0 / (1.0 + math.exp(-2.5)) - 1.0
    assert net.get_hyperparam("hp_lambda") == pytest.approx(expected, rel=1e-6)
    assert logs["hp_lambda"] == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    ({"schedule": "sigmoid"}, "schedule"),
    ({"lambda_max": -1.0}, "lambda_max"),
    ({"gamma": 0.0}, "gamma"),
    ({"warmup": 0.0}, "warmup"),
    ({"lambda_max": float("nan")}, "lambda_max"),
])
def test_lambda_scheduler_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"LambdaScheduler: {match}"):
        LambdaScheduler(**kwargs)


def test_lambda_scheduler_needs_hp_lambda():
    with pytest.raises(ValueError, match="no 'hp_lambda'.*learning_rate"):
        LambdaScheduler().on_train_begin(StandInNet({"learning_rate": 0.1}), {})
    with pytest.raises(ValueError, match="returned nan"):
        LambdaScheduler(schedule=lambda p: float("nan")).value_at(0.5)


def test_lr_scheduler_builtin_formulas():
    T, v0 = 8, 0.02
    dann = LearningRateScheduler("dann", initial=v0)
    for t in (0.0, 1.5, 8.0):
        assert dann.value_at(t, T) == pytest.approx(v0 / (1 + 10 * t / T) ** 0.75, rel=1e-12)
    step = LearningRateScheduler("step", initial=v0, step_size=3, gamma=0.5)
    assert [step.value_at(t, T) for t in range(7)] == pytest.approx(
        [v0, v0, v0, v0 / 2, v0 / 2, v0 / 2, v0 / 4])
    expo = LearningRateScheduler("exponential", initial=v0, gamma=0.9)
    assert expo.value_at(3, T) == pytest.approx(v0 * 0.9 ** 3)
    cos = LearningRateScheduler("cosine", initial=v0, min_value=0.002)
    for t in (0, 2, 8):
        assert cos.value_at(t, T) == pytest.approx(0.002 + (v0 - 0.002) * (1 + math.cos(math.pi * t / T)) / 2)


def test_lr_scheduler_per_epoch_reads_initial_from_net_and_resumes():
    net = StandInNet({"learning_rate": 0.1, "momentum": 0.9}, max_epochs=4)
    sched = LearningRateScheduler("exponential", gamma=0.5)
    assert not sched.per_batch_
    sched.on_train_begin(net, {})
    seen = []
    for epoch in (1, 2, 3):
        logs = {"epoch": epoch}
        sched.on_epoch_begin(net, logs)
        sched.on_batch_begin(net, {"epoch": epoch, "batch": 0, "p": 0.5})  # per epoch: no effect
        seen.append(net.get_hyperparam("learning_rate"))
        net.train_history_.append(logs)
    assert seen == pytest.approx([0.1, 0.05, 0.025])
    # A resumed run keeps v0 = 0.1 although the net now holds 0.025.
    resumed = LearningRateScheduler("exponential", gamma=0.5)
    resumed.set_state(pickle.loads(pickle.dumps(sched.get_state())))
    resumed.on_train_begin(net, {})
    resumed.on_epoch_begin(net, {"epoch": 4})
    assert net.get_hyperparam("learning_rate") == pytest.approx(0.1 * 0.5 ** 3)


def test_lr_scheduler_per_batch_and_momentum_like_adjust_variable():
    net = StandInNet({"learning_rate": 0.01, "momentum": 0.9}, max_epochs=5)
    ramp = np.linspace(0.9, 0.999, net.max_epochs)
    momentum = LearningRateScheduler(lambda epoch: ramp[epoch - 1], hyperparam="momentum")
    lr = LearningRateScheduler("dann")
    assert lr.per_batch_
    for cb in (momentum, lr):
        cb.on_train_begin(net, {})
    momentum.on_epoch_begin(net, {"epoch": 3})
    assert net.get_hyperparam("momentum") == pytest.approx(ramp[2], rel=1e-6)
    logs = {"epoch": 3, "batch": 1, "p": 0.45}
    lr.on_batch_begin(net, logs)
    assert logs["learning_rate"] == pytest.approx(0.01 / (1 + 10 * 0.45) ** 0.75, rel=1e-6)
    by_p = LearningRateScheduler(lambda p: 1.0 - p, per_batch=True)
    by_p.on_train_begin(net, {})
    by_p.on_batch_begin(net, {"p": 0.25})
    assert net.get_hyperparam("learning_rate") == 0.75


def test_lr_scheduler_errors():
    with pytest.raises(ValueError, match="LearningRateScheduler: schedule"):
        LearningRateScheduler("linear")
    with pytest.raises(ValueError, match="LearningRateScheduler: gamma"):
        LearningRateScheduler("step", gamma=1.5)
    with pytest.raises(ValueError, match="LearningRateScheduler: step_size"):
        LearningRateScheduler("step", step_size=0)
    with pytest.raises(ValueError, match="hyperparam='momentum'.*available: \\['hp_lambda', 'learning_rate'\\]"):
        LearningRateScheduler(hyperparam="momentum").on_train_begin(StandInNet(), {})
    sched = LearningRateScheduler(lambda epoch: -1.0)
    net = StandInNet()
    sched.on_train_begin(net, {})
    with pytest.raises(ValueError, match="learning_rate=-1.0"):
        sched.on_epoch_begin(net, {"epoch": 1})
    assert net.get_hyperparam("learning_rate") == pytest.approx(0.1)


# ---------------------------------------------------------------- monitors

@pytest.mark.parametrize("key, mode", [
    ("valid_loss", "min"), ("target_valid_accuracy", "max"), ("reverse_valid_accuracy", "max"),
    ("dev_risk", "min"), ("valid_auc", "max"),
])
def test_monitor_auto_mode(key, mode):
    assert Monitor(key, "auto", 0.0, "X").mode_ == mode


def test_monitor_errors_name_the_argument():
    with pytest.raises(ValueError, match="EarlyStopping: mode must be one of"):
        EarlyStopping(mode="largest")
    with pytest.raises(ValueError, match="EarlyStopping: patience must be an integer >= 0, got -2"):
        EarlyStopping(patience=-2)
    with pytest.raises(ValueError, match="ReduceLROnPlateau: min_delta"):
        ReduceLROnPlateau(min_delta=-0.1)
    with pytest.raises(ValueError, match="ReduceLROnPlateau: factor"):
        ReduceLROnPlateau(factor=1.0)
    with pytest.raises(ValueError, match="ModelCheckpoint: mode"):
        ModelCheckpoint("x.ckpt", mode="up")
    with pytest.raises(TypeError, match="EarlyStopping: monitor"):
        EarlyStopping(monitor=3)


def test_unknown_monitor_key_lists_available_keys():
    es = EarlyStopping(monitor="target_valid_accuracy")
    with pytest.raises(ValueError, match=r"monitor='target_valid_accuracy'.*\['epoch', 'score'\]"):
        run_epochs(es, StandInNet(), [0.5])


# ---------------------------------------------------------------- early stopping / plateau

def test_early_stopping_patience_min_delta_and_state():
    values = [1.0, 0.8, 0.79, 0.85, 0.9, 0.7]
    es = EarlyStopping(monitor="score", patience=3, min_delta=0.05)
    # 0.79 is not better than 0.8 by more than 0.05: epochs 3, 4, 5 wait -> stop at 5.
    assert run_epochs(es, StandInNet(), values) == 5
    assert (es.stopped_epoch_, es.best_epoch_, es.best_) == (5, 2, 0.8)
    state = pickle.loads(pickle.dumps(es.get_state()))
    assert state["wait_"] == 3


def test_early_stopping_max_mode_baseline_and_warmup():
    es = EarlyStopping(monitor="target_valid_accuracy", patience=2, baseline=0.9)
    # Improvements below the baseline do not restart the wait.
    assert run_epochs(es, StandInNet(), [0.5, 0.6, 0.7, 0.95], key="target_valid_accuracy") == 2
    es = EarlyStopping(monitor="score", patience=1, start_from_epoch=3)
    assert run_epochs(es, StandInNet(), [5.0, 6.0, 7.0, 1.0, 2.0, 0.5]) == 5


def test_early_stopping_restores_best_weights_on_stand_in():
    net = StandInNet()

    class Trainer(EarlyStopping):
        def on_epoch_end(self, n, logs=None):
            n.params = {"dense": [np.full(3, logs["epoch"], np.float32)]}
            super().on_epoch_end(n, logs)

    es = Trainer(monitor="score", patience=2, restore_best_weights=True)
    run_epochs(es, net, [3.0, 1.0, 2.0, 2.5, 0.1])
    np.testing.assert_array_equal(net.params["dense"][0], np.full(3, 2.0))


def test_early_stopping_resumes_from_state():
    first = EarlyStopping(monitor="score", patience=3)
    net = StandInNet()
    run_epochs(first, net, [1.0, 0.5, 0.6])
    resumed = EarlyStopping(monitor="score", patience=3)
    resumed.set_state(first.get_state())
    resumed.on_train_begin(net, {})  # history not empty: state kept
    for epoch, value in ((4, 0.7), (5, 0.8)):
        resumed.on_epoch_end(net, {"epoch": epoch, "score": value})
    assert net.stop_training and resumed.stopped_epoch_ == 5


def test_reduce_lr_on_plateau_keras_semantics():
    net = StandInNet({"learning_rate": 1.0})
    cb = ReduceLROnPlateau(monitor="score", factor=0.5, patience=2, cooldown=1, min_lr=0.2, min_delta=0.0)
    cb.on_train_begin(net, {})
    lrs = []
    # improvement at 1 and 2; waits at 3, 4 -> reduce after 4; 5 is cooldown;
    # waits 6, 7 -> reduce after 7; waits 9, 10 (8 in cooldown) -> reduce, clipped at min_lr.
    for epoch, value in enumerate([5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4], start=1):
        cb.on_epoch_end(net, {"epoch": epoch, "score": float(value)})
        lrs.append(net.get_hyperparam("learning_rate"))
    assert lrs == pytest.approx([1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2, 0.2])
    assert cb.get_state() == {"best_": 4.0, "wait_": 0, "cooldown_counter_": 0}


# ---------------------------------------------------------------- DEV

def test_dev_risk_matches_hand_formula():
    rng = np.random.RandomState(0)
    losses, weights = rng.rand(7), rng.rand(7) * 2
    wl = weights * losses
    n = len(wl)
    cov = sum((a - wl.mean()) * (b - weights.mean()) for a, b in zip(wl, weights)) / (n - 1)
    var = sum((b - weights.mean()) ** 2 for b in weights) / (n - 1)
    eta = -cov / var
    assert dev_risk(losses, weights) == pytest.approx(wl.mean() + eta * weights.mean() - eta, rel=1e-12)
    assert dev_risk([0.2, 0.4, 0.9], [1.0, 1.0, 1.0]) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="dev_risk"):
        dev_risk([1.0, 2.0], [1.0])


def test_dev_risk_estimates_target_risk_under_covariate_shift():
    # Source N(0, 1), target N(1, 1): p_t/p_s = exp(x - 1/2); loss x**2 has target risk 1 + 1 = 2.
    x = np.random.RandomState(1).randn(50000)
    estimate = dev_risk(x ** 2, np.exp(x - 0.5))
    assert estimate == pytest.approx(2.0, abs=0.1)
    assert abs(np.mean(x ** 2) - 2.0) > 0.9  # the unweighted source risk is far off


# ---------------------------------------------------------------- writers and paths

def test_unwritable_paths_fail_at_train_begin(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    net = StandInNet()
    with pytest.raises(ValueError, match="ModelCheckpoint: path="):
        ModelCheckpoint(str(blocker / "ckpt" / "a.ckpt")).on_train_begin(net, {})
    with pytest.raises(ValueError, match="CSVLogger: filename="):
        CSVLogger(str(blocker / "log.csv")).on_train_begin(net, {})
    with pytest.raises(ValueError, match="X: d="):
        ensure_writable_dir(blocker, "X", "d")
    with pytest.raises(ValueError, match="ModelCheckpoint: path=.*named fields"):
        ModelCheckpoint("ckpt-{}.ckpt")
    with pytest.raises(ValueError, match="ModelCheckpoint: path=.*valid format"):
        ModelCheckpoint("ckpt-{epoch.ckpt")


def test_model_checkpoint_path_missing_key():
    cb = ModelCheckpoint("a-{target_valid_loss:.2f}.ckpt")
    with pytest.raises(ValueError, match="'target_valid_loss'.*available keys"):
        cb.format_path({"epoch": 1, "valid_loss": 0.3})


def test_model_checkpoint_best_only_and_every_n_epochs(tmp_path):
    net = StandInNet()
    saved = []
    net.save_checkpoint = saved.append
    cb = ModelCheckpoint(str(tmp_path / "c" / "e{epoch}-{score:.1f}.ckpt"), monitor="score",
                         save_best_only=True, every_n_epochs=2)
    run_epochs(cb, net, [0.9, 0.5, 0.4, 0.6, 0.1, 0.3])
    assert [os.path.basename(p) for p in saved] == ["e2-0.5.ckpt", "e6-0.3.ckpt"]
    assert cb.saved_paths_ == saved and cb.get_state()["best_"] == 0.3


def test_csv_logger_writes_and_appends(tmp_path):
    path = tmp_path / "sub" / "log.csv"
    net = StandInNet()
    logger = CSVLogger(path)
    run_epochs(logger, net, [0.5, 0.25])
    appender = CSVLogger(path, append=True)
    appender.on_train_begin(net, {})
    appender.on_epoch_end(net, {"epoch": 3, "other": 1, "score": 0.125})
    appender.on_train_end(net, {})
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["epoch"], r["score"]) for r in rows] == [("1", "0.5"), ("2", "0.25"), ("3", "0.125")]
    assert list(rows[0]) == ["epoch", "score"]


def test_open_callbacks_pickle_without_their_handles(tmp_path):
    logger = CSVLogger(tmp_path / "log.csv")
    logger.on_train_begin(StandInNet(), {})
    copy = pickle.loads(pickle.dumps(logger))
    assert copy._file is None and copy.filename == logger.filename
    logger.on_train_end(StandInNet(), {})


def test_terminate_on_nan_restores_last_finite_weights_on_stand_in():
    net = StandInNet()
    cb = TerminateOnNaN()
    cb.on_train_begin(net, {})
    losses = [1.0, 0.5, float("nan")]
    for batch, loss in enumerate(losses):
        cb.on_batch_begin(net, {"epoch": 2, "batch": batch})
        net.params = {"dense": [np.full(3, batch + 1.0, np.float32)]}  # the batch's update
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cb.on_batch_end(net, {"epoch": 2, "batch": batch, "loss": loss, "label_loss": loss})
    # Batch 2's loss was computed with the weights after batch 1 (all 2.0): the
    # last ones with a finite loss are those batch 1 started from (all 1.0).
    np.testing.assert_array_equal(net.params["dense"][0], np.ones(3))
    assert net.stop_training
    assert cb.nonfinite_["epoch"] == 2 and cb.nonfinite_["batch"] == 2
    assert set(cb.nonfinite_["losses"]) == {"loss", "label_loss"}
    assert "epoch 2, batch 2" in str(caught[0].message)


def test_progress_bar_shows_running_mean(tmp_path):
    import io

    net = StandInNet()
    out = io.StringIO()
    bar = ProgressBar(file=out)
    bar.on_train_begin(net, {"X_train": np.zeros((5, 2)), "X_target": np.zeros((7, 2))})
    bar.on_epoch_begin(net, {"epoch": 1, "n_batches": 2})
    for batch, loss in enumerate([1.0, 0.5]):
        bar.on_batch_end(net, {"epoch": 1, "batch": batch, "loss": loss})
    bar.on_epoch_end(net, {"epoch": 1})
    assert "loss=0.75" in out.getvalue() and "2/2" in out.getvalue()


def test_scorers_require_target_and_validation_data():
    net = StandInNet()
    net.transform = lambda X: X
    with pytest.raises(ValueError, match="ReverseValidation: needs X_target, X_valid, y_valid"):
        ReverseValidation().on_train_begin(net, {"X_train": np.zeros((2, 2))})
    with pytest.raises(TypeError, match="DomainEmbeddedValidation: the net has no transform"):
        DomainEmbeddedValidation().on_train_begin(StandInNet(), {})
    with pytest.raises(ValueError, match="DomainEmbeddedValidation: loss"):
        DomainEmbeddedValidation(loss="hinge")


# ---------------------------------------------------------------- real fits

class Recorder(Callback):
    """Keeps the training data, the parameters after every epoch and the rate at every epoch start."""

    def __init__(self):
        self.params, self.rates, self.batch_params = {}, [], []

    def on_train_begin(self, net, logs=None):
        self.data = dict(logs)

    def on_epoch_begin(self, net, logs=None):
        self.rates.append(net.get_hyperparam("learning_rate"))

    def on_batch_begin(self, net, logs=None):
        self.batch_params.append(snapshot_params(net))

    def on_epoch_end(self, net, logs=None):
        self.params[logs["epoch"]] = snapshot_params(net)


class Scripted(Callback):
    """Adds ``score`` = values[epoch - 1] to each epoch row."""

    def __init__(self, values):
        self.values = values

    def on_epoch_end(self, net, logs=None):
        logs["score"] = self.values[logs["epoch"] - 1]


def assert_params_equal(net, params):
    for name, values in net.get_all_params_values().items():
        for got, expected in zip(values, params[name]):
            np.testing.assert_array_equal(got, expected)


def mlp(cls, **kwargs):
    from adaptnet.layers import DenseLayer, InputLayer
    from adaptnet.nets import BatchIterator

    return cls([("input", InputLayer), ("hidden", DenseLayer), ("output", DenseLayer)],
               input_shape=(None, 2), hidden_num_units=8, random_state=0,
               batch_iterator_train=BatchIterator(16, shuffle=True), **kwargs)


@pytest.fixture(scope="module")
def moons():
    from adaptnet.datasets import make_moons_da

    return make_moons_da(60, random_state=0)


@pytest.fixture(scope="module")
def dann_run(tmp_path_factory, moons):
    from adaptnet import AdversarialNet
    from adaptnet.nonlinearities import softmax

    root = tmp_path_factory.mktemp("dann")
    Xs, ys, Xt, yt = moons
    recorder = Recorder()
    stopper = EarlyStopping("target_valid_accuracy", patience=2, restore_best_weights=True)
    net = mlp(AdversarialNet, output_num_units=2, output_nonlinearity=softmax, domain_hidden_num_units=4,
              update_learning_rate=0.05, max_epochs=6,
              callbacks=[LambdaScheduler(), ReverseValidation(max_samples=None),
                         DomainEmbeddedValidation(max_samples=None), recorder, stopper,
                         CSVLogger(root / "log.csv"), ProgressBar(leave=False),
                         ModelCheckpoint(str(root / "ckpt-{epoch:02d}.ckpt"))])
    net.fit(Xs, ys, Xt, X_valid_target=Xt, y_valid_target=yt)
    return net, recorder, stopper, root


def at_epoch(root, epoch):
    from adaptnet import AdversarialNet

    return AdversarialNet.load_checkpoint(str(root / f"ckpt-{epoch:02d}.ckpt"))


@pytest.mark.numba
def test_reverse_validation_matches_a_reverse_dann_fitted_by_hand(dann_run):
    from sklearn.base import clone

    net, recorder, _, root = dann_run
    data = recorder.data
    for epoch in (1, len(net.train_history_)):
        past = at_epoch(root, epoch)
        pseudo = past.predict(data["X_target"])  # classes_ are 0, 1: labels are indices
        if np.unique(pseudo).size < 2:
            expected = np.mean(data["y_valid"] == pseudo[0])
        else:
            # the paper's reverse classifier: the same DANN (same seed) from the pseudo-labelled
            # target to the unlabelled source, scored on the labelled source validation split
            reverse = clone(past).set_params(callbacks=None, train_split=None, max_epochs=20)
            reverse.fit(data["X_target"], pseudo, X_target=data["X_train"])
            expected = np.mean(reverse.predict(data["X_valid"]) == data["y_valid"])
        assert net.train_history_[epoch - 1]["reverse_valid_accuracy"] == expected


@pytest.mark.numba
def test_reverse_validation_prefers_a_trained_net_to_an_untrained_one():
    from sklearn.base import clone

    from adaptnet import AdversarialNet
    from adaptnet.datasets import make_moons_da
    from adaptnet.nonlinearities import softmax

    Xs, ys, Xt, yt = make_moons_da(100, rotation=20, random_state=1)
    net = mlp(AdversarialNet, output_num_units=2, output_nonlinearity=softmax, domain_hidden_num_units=4,
              update_learning_rate=0.05, max_epochs=40, train_split=None)
    X_valid, y_valid = make_moons_da(100, random_state=2)[:2]
    logs = {"X_train": Xs, "X_target": Xt, "X_valid": X_valid, "y_valid": y_valid}
    rv = ReverseValidation(reverse_epochs=40, max_samples=None)
    untrained = clone(net).initialize()
    rv.on_train_begin(untrained, logs)
    bad = rv.score(untrained, rv._data)
    trained = net.fit(Xs, ys, Xt)
    rv.on_train_begin(trained, logs)
    good = rv.score(trained, rv._data)
    assert trained.score(Xt, yt) > 0.8 and good > 0.8
    assert good >= bad + 0.15, (good, bad)  # 0.92 vs 0.67 here


@pytest.mark.numba
def test_dev_risk_matches_a_reference(dann_run):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    net, recorder, _, root = dann_run
    data = recorder.data
    epoch = len(net.train_history_)
    past = at_epoch(root, epoch)
    fs, ft = past.transform(data["X_train"]), past.transform(data["X_target"])
    domain = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    domain.fit(np.vstack([fs, ft]), np.r_[np.zeros(len(fs)), np.ones(len(ft))])
    q = np.clip(domain.predict_proba(past.transform(data["X_valid"]))[:, 1], 1.2e-7, 1 - 1.2e-7)
    w = len(fs) / len(ft) * q / (1 - q)
    proba = past.predict_proba(data["X_valid"]).astype(np.float64)
    loss = -np.log(proba[np.arange(len(proba)), data["y_valid"]])
    wl = w * loss
    eta = -np.cov(wl, w)[0, 1] / np.var(w, ddof=1)
    expected = wl.mean() + eta * w.mean() - eta
    assert net.train_history_[-1]["dev_risk"] == pytest.approx(expected, rel=1e-5)


@pytest.mark.numba
def test_early_stopping_on_target_accuracy_restores_best_epoch(dann_run):
    net, recorder, stopper, _ = dann_run
    accuracy = net.train_history_[:, "target_valid_accuracy"]
    best = int(np.argmax(accuracy)) + 1  # the first maximum: later ties are no improvement
    assert stopper.best_epoch_ == best and stopper.best_ == accuracy[best - 1]
    if stopper.stopped_epoch_:
        assert stopper.stopped_epoch_ == len(accuracy) == best + 2
    else:
        assert len(accuracy) == 6
    assert_params_equal(net, recorder.params[best])


@pytest.mark.numba
def test_csv_log_and_checkpoints_follow_the_history(dann_run):
    net, _, _, root = dann_run
    with open(root / "log.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(net.train_history_)
    for row, hist in zip(rows, net.train_history_):
        for key in ("epoch", "train_loss", "hp_lambda", "reverse_valid_accuracy", "dev_risk"):
            assert float(row[key]) == pytest.approx(hist[key], rel=1e-12)
    assert sorted(os.listdir(root)) == [
        f"ckpt-{e:02d}.ckpt" for e in range(1, len(net.train_history_) + 1)] + ["log.csv"]


@pytest.mark.numba
def test_checkpoint_restores_callback_states_and_resumes(dann_run, moons, tmp_path):
    net, _, _, root = dann_run
    Xs, ys, Xt, yt = moons
    resumed = at_epoch(root, 2)
    assert len(resumed.train_history_) == 2
    states = {type(cb).__name__: cb for cb in resumed.callbacks}
    assert states["ReverseValidation"].last_value_ == net.train_history_[1]["reverse_valid_accuracy"]
    assert states["EarlyStopping"].best_ == max(net.train_history_[:2, "target_valid_accuracy"])
    states["CSVLogger"].filename = str(tmp_path / "log.csv")
    states["ModelCheckpoint"].path = str(tmp_path / "ckpt-{epoch}.ckpt")
    resumed.partial_fit(Xs, ys, Xt, X_valid_target=Xt, y_valid_target=yt, epochs=1)
    again, before = resumed.train_history_[2], net.train_history_[2]
    for key in ("train_loss", "hp_lambda", "reverse_valid_accuracy", "dev_risk", "target_valid_loss"):
        assert again[key] == pytest.approx(before[key], rel=1e-6)


@pytest.mark.numba
def test_plateau_and_early_stopping_on_a_neural_net():
    from adaptnet import NeuralNet

    X, y = np.random.RandomState(0).randn(40, 2).astype(np.float32), np.zeros(40, np.float32)
    recorder = Recorder()
    # Plateau (patience 2) waits at epochs 3, 4 -> rate halved from epoch 5; 5 improves;
    # waits 6, 7 -> halved again from epoch 8. Early stopping (patience 3): waits 6, 7, 8 -> stop.
    net = mlp(NeuralNet, output_num_units=1, output_nonlinearity=None, regression=True,
              update_learning_rate=0.01, max_epochs=12,
              callbacks=[Scripted([5, 4, 4, 4, 3, 3, 3, 3, 3, 3, 3, 3]), recorder,
                         ReduceLROnPlateau("score", factor=0.5, patience=2, min_delta=0.0),
                         EarlyStopping("score", patience=3, restore_best_weights=True)])
    net.fit(X, y)
    assert len(net.train_history_) == 8
    assert recorder.rates == pytest.approx(np.array([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25]) * 0.01)
    assert_params_equal(net, recorder.params[5])


@pytest.mark.numba
def test_terminate_on_nan_stops_within_the_batch_with_finite_weights():
    from adaptnet import NeuralNet

    X, y = np.random.RandomState(0).randn(64, 2).astype(np.float32), np.ones(64, np.float32)
    recorder = Recorder()
    guard = TerminateOnNaN()
    losses = []

    class Losses(Callback):
        def on_batch_end(self, net, logs=None):
            losses.append(logs["loss"])

    net = mlp(NeuralNet, output_num_units=1, output_nonlinearity=None, regression=True,
              update_learning_rate=1e3, max_epochs=5, train_split=None,
              callbacks=[recorder, Losses(), guard])
    with pytest.warns(RuntimeWarning, match=r"TerminateOnNaN: non-finite loss=(nan|inf) at epoch 1, batch"):
        net.fit(X, y)
    bad = guard.nonfinite_["batch"]
    assert len(losses) == bad + 1 and not np.isfinite(losses[-1]) and np.all(np.isfinite(losses[:-1]))
    assert net.stop_training and len(net.train_history_) == 1
    # The weights the last finite-loss batch was computed with.
    assert_params_equal(net, recorder.batch_params[bad - 1])
    assert all(np.isfinite(v).all() for vs in net.get_all_params_values().values() for v in vs)
