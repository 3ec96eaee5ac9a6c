"""TensorBoard callback: event files read back with TensorBoard's own reader."""
import os

import numpy as np
import pytest

from adaptnet.callbacks import TensorBoard
from adaptnet.layers import DenseLayer, InputLayer

event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")


def read_events(log_dir):
    acc = event_accumulator.EventAccumulator(
        str(log_dir), size_guidance={"scalars": 0, "histograms": 0, "tensors": 0})
    acc.Reload()
    return acc


class StandInNet:
    """Just what TensorBoard needs without gradients or embeddings."""

    def __init__(self):
        l_in = InputLayer((None, 3), name="input")
        self.layers_ = {"input": l_in, "hidden": DenseLayer(l_in, 4, name="hidden")}
        self.train_history_ = []

    def get_params(self, deep=False):
        return {"max_epochs": 2, "update_learning_rate": 0.01, "verbose": False, "more_params": {}}


def test_scalars_text_and_hparams_on_stand_in(tmp_path):
    net = StandInNet()
    tb = TensorBoard(log_dir=tmp_path / "run", write_batch_scalars=True)
    tb.on_train_begin(net, {"X_train": np.zeros((4, 3), np.float32)})
    rows = [{"epoch": 1, "train_loss": 0.75, "valid_loss_best": True, "note": "x"},
            {"epoch": 2, "train_loss": 0.5, "valid_loss_best": False, "note": "y"}]
    for row in rows:
        for batch, loss in enumerate([1.0, 2.0]):
            tb.on_batch_end(net, {"epoch": row["epoch"], "batch": batch, "batch_size": 2, "loss": loss})
        net.train_history_.append(row)
        tb.on_epoch_end(net, row)
    tb.on_train_end(net, {})
    assert tb._writer is None
    acc = read_events(tmp_path / "run")
    assert [(e.step, e.value) for e in acc.Scalars("train_loss")] == [(1, 0.75), (2, 0.5)]
    assert [(e.step, e.value) for e in acc.Scalars("batch/loss")] == [(0, 1.0), (1, 2.0), (2, 1.0), (3, 2.0)]
    scalar_tags = acc.Tags()["scalars"]
    assert "valid_loss_best" not in scalar_tags and "note" not in scalar_tags
    text = acc.Tensors("layers/text_summary")[0].tensor_proto.string_val[0].decode()
    assert "| hidden | DenseLayer | (None, 4) | 16 |" in text
    hp = read_events(tmp_path / "run" / "hparams")
    assert [e.value for e in hp.Scalars("final/train_loss")] == [0.5]
    assert tb.get_state() == {"log_dir_": str(tmp_path / "run"), "batch_step_": 4}


def test_default_log_dir_and_unwritable_log_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tb = TensorBoard()
    net = StandInNet()
    tb.on_train_begin(net, {"X_train": np.zeros((2, 3), np.float32)})
    tb.on_train_end(net, {})
    parent, name = os.path.split(tb.log_dir_)
    assert parent == "runs" and name.endswith("-StandInNet") and len(name.split("-")[0]) == 8
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ValueError, match="TensorBoard: log_dir=.*not a writable folder"):
        TensorBoard(log_dir=blocker / "logs").on_train_begin(net, {})
    with pytest.raises(ValueError, match="TensorBoard: embeddings_freq=1 needs a net with transform"):
        TensorBoard(log_dir=tmp_path / "e", embeddings_freq=1).on_train_begin(net, {})
    with pytest.raises(ValueError, match="TensorBoard: histogram_freq"):
        TensorBoard(histogram_freq=-1)


# ---------------------------------------------------------------- a real DANN run

N_EPOCHS, N_BATCHES, LR0 = 4, 4, 0.05  # 48 source / 60 target rows in batches of 16: 4 per epoch


@pytest.fixture(scope="module")
def dann_run(tmp_path_factory):
    from adaptnet import AdversarialNet
    from adaptnet.callbacks import LambdaScheduler, LearningRateScheduler, ModelCheckpoint
    from adaptnet.datasets import make_moons_da
    from adaptnet.nets import BatchIterator
    from adaptnet.nonlinearities import softmax

    root = tmp_path_factory.mktemp("tb")
    Xs, ys, Xt, yt = make_moons_da(60, random_state=0)
    tb = TensorBoard(log_dir=root / "run", histogram_freq=2, embeddings_freq=2, embeddings_sample=20,
                     write_batch_scalars=True, gradient_batch_size=10)
    net = AdversarialNet(
        [("input", InputLayer), ("hidden", DenseLayer), ("output", DenseLayer)],
        input_shape=(None, 2), hidden_num_units=8, output_num_units=2, output_nonlinearity=softmax,
        domain_hidden_num_units=4, update_learning_rate=LR0, max_epochs=N_EPOCHS, random_state=0,
        batch_iterator_train=BatchIterator(16, shuffle=True),
        callbacks=[LambdaScheduler(), LearningRateScheduler("dann"), tb,
                   ModelCheckpoint(str(root / "ckpt-{epoch}.ckpt"), every_n_epochs=2)])
    net.fit(Xs, ys, Xt, X_valid_target=Xt, y_valid_target=yt)
    return net, tb, root, read_events(root / "run")


@pytest.mark.numba
def test_every_numeric_history_key_is_a_scalar(dann_run):
    net, _, _, acc = dann_run
    history = net.train_history_
    keys = [k for k, v in history[-1].items() if k != "epoch" and not isinstance(v, bool)]
    assert {"hp_lambda", "learning_rate", "domain_loss", "target_valid_accuracy"} <= set(keys)
    for key in keys:
        events = acc.Scalars(key)
        assert [e.step for e in events] == list(range(1, N_EPOCHS + 1))
        np.testing.assert_allclose([e.value for e in events], history[:, key], rtol=1e-6)


@pytest.mark.numba
def test_lambda_and_learning_rate_curves_follow_the_paper(dann_run):
    net, _, _, acc = dann_run
    total = N_EPOCHS * N_BATCHES
    p = np.arange(total) / total  # progress before each batch
    lam = 2.0 / (1.0 + np.exp(-10.0 * p)) - 1.0
    lr = LR0 / (1.0 + 10.0 * p) ** 0.75
    batch_lam = acc.Scalars("batch/hp_lambda")
    assert [e.step for e in batch_lam] == list(range(total))
    np.testing.assert_allclose([e.value for e in batch_lam], lam, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose([e.value for e in acc.Scalars("batch/learning_rate")], lr, rtol=1e-5)
    np.testing.assert_allclose([e.value for e in acc.Scalars("batch/p")], p, rtol=1e-6)
    # The history records the values in force during each epoch's last batch.
    last = np.arange(1, N_EPOCHS + 1) * N_BATCHES - 1
    np.testing.assert_allclose(net.train_history_[:, "hp_lambda"], lam[last], rtol=1e-5)
    np.testing.assert_allclose(net.train_history_[:, "learning_rate"], lr[last], rtol=1e-5)


@pytest.mark.numba
def test_weight_and_gradient_histograms(dann_run):
    from adaptnet import AdversarialNet

    _, tb, root, acc = dann_run
    tags = acc.Tags()["histograms"]
    assert {"weights/hidden.W", "gradients/hidden.W", "weights/domain_output.b",
            "gradients/domain_output.b"} <= set(tags)
    assert [e.step for e in acc.Histograms("weights/hidden.W")] == [2, 4]
    # Weights at epoch 2 are those of the epoch-2 checkpoint.
    at2 = AdversarialNet.load_checkpoint(str(root / "ckpt-2.ckpt"))
    W = at2.layers_["hidden"].W.get_value()
    hist = acc.Histograms("weights/hidden.W")[0].histogram_value
    assert (hist.num, hist.min, hist.max) == (W.size, pytest.approx(W.min()), pytest.approx(W.max()))
    assert hist.sum == pytest.approx(W.sum(), rel=1e-5, abs=1e-6)
    # d(mean binary cross-entropy)/d(domain output bias) = mean(P(target) - is_target) on the
    # fixed batch, computed here from the epoch-2 net's domain predictions.
    batch = tb.gradient_batch_
    proba = np.concatenate([at2.predict_domain(batch["X"]), at2.predict_domain(batch["X_target"])])
    is_target = np.r_[np.zeros(len(batch["X"])), np.ones(len(batch["X_target"]))]
    grad = acc.Histograms("gradients/domain_output.b")[0].histogram_value
    assert grad.num == 1 and grad.sum == pytest.approx(np.mean(proba - is_target), rel=1e-4, abs=1e-6)


@pytest.mark.numba
def test_embedding_text_and_hparams(dann_run):
    net, tb, root, acc = dann_run
    config = (root / "run" / "projector_config.pbtxt").read_text()
    assert config.count("embeddings") == 2 and "features" in config
    rows = (root / "run" / "00004" / "features" / "metadata.tsv").read_text().splitlines()
    assert rows[0] == "domain\tlabel" and len(rows) == 1 + 40
    assert {r.split("\t")[0] for r in rows[1:]} == {"source", "target"}
    vectors = np.loadtxt(root / "run" / "00004" / "features" / "tensors.tsv", delimiter="\t")
    assert vectors.shape == (40, 8)
    text = acc.Tensors("layers/text_summary")[0].tensor_proto.string_val[0].decode()
    assert "| reversal | GradientReversalLayer |" in text
    hp = read_events(root / "run" / "hparams")
    assert hp.Scalars("final/target_valid_accuracy")[0].value == pytest.approx(
        net.train_history_[-1]["target_valid_accuracy"])
    assert tb._writer is None
