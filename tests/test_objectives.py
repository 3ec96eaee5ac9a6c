"""Objectives and metrics against NumPy references."""
import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from adaptnet import objectives
from adaptnet.nonlinearities import softmax

RNG = np.random.RandomState(42)
P = RNG.dirichlet(np.ones(4), size=6).astype(np.float32)  # rows sum to one
Y = np.array([0, 3, 1, 2, 2, 0])
ONE_HOT = np.eye(4, dtype=np.float32)[Y]


def c(x):
    return pt.constant(x)


def test_binary_crossentropy_matches_numpy():
    p = RNG.uniform(0.05, 0.95, size=(5, 3)).astype(np.float32)
    t = RNG.randint(0, 2, size=(5, 3)).astype(np.float32)
    out = objectives.binary_crossentropy(c(p), c(t)).eval()
    p64 = p.astype(np.float64)
    expected = -(t * np.log(p64) + (1 - t) * np.log(1 - p64))
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    assert out.dtype == np.float32


def test_binary_crossentropy_is_finite_for_saturated_predictions():
    p = pt.vector(dtype="float32")
    t = pt.vector(dtype="float32")
    loss = objectives.binary_crossentropy(p, t)
    f = pytensor.function([p, t], [loss, pytensor.grad(loss.sum(), p)])
    values, grads = f(np.array([0.0, 1.0], "float32"), np.array([1.0, 0.0], "float32"))
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(grads))
    upper = np.float64(np.float32(1 - 1e-7))  # the clip bound as float32 rounds it
    np.testing.assert_allclose(values, [-np.log(1e-7), -np.log(1 - upper)], rtol=1e-5)


def test_binary_crossentropy_aligns_vector_targets_with_a_column():
    p = pt.tensor(dtype="float32", shape=(None, 1))
    t = pt.vector(dtype="float32")
    out = objectives.binary_crossentropy(p, t).eval(
        {p: np.array([[0.5], [0.25]], "float32"), t: np.array([1.0, 0.0], "float32")})
    np.testing.assert_allclose(out, [[np.log(2)], [-np.log(0.75)]], rtol=1e-6)


def test_categorical_crossentropy_index_and_one_hot_targets():
    expected = -np.log(P.astype(np.float64)[np.arange(len(Y)), Y])
    out_idx = objectives.categorical_crossentropy(c(P), c(Y)).eval()
    out_hot = objectives.categorical_crossentropy(c(P), c(ONE_HOT)).eval()
    np.testing.assert_allclose(out_idx, expected, rtol=1e-5)
    np.testing.assert_allclose(out_hot, expected, rtol=1e-5)
    assert out_idx.dtype == out_hot.dtype == np.float32


def test_categorical_crossentropy_soft_targets():
    soft = RNG.dirichlet(np.ones(4), size=6).astype(np.float32)
    out = objectives.categorical_crossentropy(c(P), c(soft)).eval()
    np.testing.assert_allclose(out, -(soft * np.log(P.astype(np.float64))).sum(1), rtol=1e-5)


def test_categorical_crossentropy_survives_softmax_underflow():
    logits = pt.matrix(dtype="float32")
    targets = pt.ivector()
    loss = objectives.categorical_crossentropy(softmax(logits), targets).mean()
    f = pytensor.function([logits, targets], [loss, pytensor.grad(loss, logits)])
    x = np.array([[0.0, 200.0], [1.0, 0.0]], dtype=np.float32)  # softmax(x)[0, 0] == 0
    value, grad = f(x, np.array([0, 0], dtype=np.int32))
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    expected = 0.5 * (-np.log(1e-7) + np.log1p(np.exp(-1.0)))
    np.testing.assert_allclose(value, expected, rtol=1e-3)


@pytest.mark.torch
def test_categorical_crossentropy_matches_torch():
    torch = pytest.importorskip("torch")
    x = RNG.randn(6, 4).astype(np.float32)
    out = objectives.categorical_crossentropy(softmax(c(x)), c(Y)).eval()
    expected = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(Y),
                                                 reduction="none").numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-5)


def test_categorical_crossentropy_rejects_bad_targets():
    with pytest.raises(TypeError, match="categorical_crossentropy: class-index targets"):
        objectives.categorical_crossentropy(c(P), c(Y.astype(np.float32)))
    with pytest.raises(TypeError, match="categorical_crossentropy"):
        objectives.categorical_crossentropy(c(P), pt.tensor3())


def test_squared_error_and_aggregate():
    a = RNG.randn(5).astype(np.float32)
    b = RNG.randn(5).astype(np.float32)
    w = RNG.uniform(0.1, 1, size=5).astype(np.float32)
    se = objectives.squared_error(c(a), c(b))
    ref = (a.astype(np.float64) - b) ** 2
    np.testing.assert_allclose(se.eval(), ref, rtol=1e-5)
    np.testing.assert_allclose(objectives.aggregate(se).eval(), ref.mean(), rtol=1e-5)
    np.testing.assert_allclose(objectives.aggregate(se, mode="sum").eval(), ref.sum(), rtol=1e-5)
    np.testing.assert_allclose(objectives.aggregate(se, w).eval(), (ref * w).mean(), rtol=1e-5)
    np.testing.assert_allclose(objectives.aggregate(se, c(w), mode="normalized_sum").eval(),
                               (ref * w).sum() / w.sum(), rtol=1e-5)
    assert objectives.aggregate(se, w, mode="sum").dtype == "float32"


def test_aggregate_errors():
    loss = c(np.ones(3, "float32"))
    with pytest.raises(ValueError, match="aggregate: mode"):
        objectives.aggregate(loss, mode="median")
    with pytest.raises(ValueError, match="requires weights"):
        objectives.aggregate(loss, mode="normalized_sum")


def test_binary_hinge_loss_matches_numpy():
    scores = RNG.randn(7).astype(np.float32)
    t01 = RNG.randint(0, 2, size=7)
    expected = np.maximum(0, 1 - scores * (2 * t01 - 1))
    out = objectives.binary_hinge_loss(c(scores), c(t01), log_odds=True).eval()
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    out_pm = objectives.binary_hinge_loss(c(scores), c(2 * t01 - 1), delta=0.5,
                                          log_odds=True, binary=False).eval()
    np.testing.assert_allclose(out_pm, np.maximum(0, 0.5 - scores * (2 * t01 - 1)), rtol=1e-6)
    probs = (1 / (1 + np.exp(-scores.astype(np.float64)))).astype(np.float32)
    out_p = objectives.binary_hinge_loss(c(probs), c(t01), log_odds=False).eval()
    np.testing.assert_allclose(out_p, expected, rtol=1e-4, atol=1e-5)


def test_multiclass_hinge_loss_matches_numpy():
    scores = RNG.randn(6, 4).astype(np.float32)
    expected = []
    for row, y in zip(scores, Y):
        others = max(row[k] for k in range(4) if k != y)
        expected.append(max(0.0, others - row[y] + 1.0))
    out_idx = objectives.multiclass_hinge_loss(c(scores), c(Y)).eval()
    out_hot = objectives.multiclass_hinge_loss(c(scores), c(ONE_HOT)).eval()
    np.testing.assert_allclose(out_idx, expected, rtol=1e-6)
    np.testing.assert_allclose(out_hot, expected, rtol=1e-6)
    with pytest.raises(TypeError, match="multiclass_hinge_loss"):
        objectives.multiclass_hinge_loss(c(scores), pt.tensor3())


def test_accuracies_match_numpy():
    np.testing.assert_array_equal(objectives.categorical_accuracy(c(P), c(Y)).eval(),
                                  P.argmax(1) == Y)
    np.testing.assert_array_equal(objectives.categorical_accuracy(c(P), c(ONE_HOT)).eval(),
                                  P.argmax(1) == Y)
    top2 = np.argsort(P, axis=1)[:, -2:]
    np.testing.assert_array_equal(objectives.categorical_accuracy(c(P), c(Y), top_k=2).eval(),
                                  (top2 == Y[:, None]).any(1))
    p = RNG.uniform(size=8).astype(np.float32)
    t = RNG.randint(0, 2, size=8)
    for thr in (0.5, 0.3):
        np.testing.assert_array_equal(
            objectives.binary_accuracy(c(p), c(t), threshold=thr).eval(), (p >= thr) == t)
    with pytest.raises(ValueError, match="top_k"):
        objectives.categorical_accuracy(c(P), c(Y), top_k=0)
    with pytest.raises(TypeError, match="categorical_accuracy"):
        objectives.categorical_accuracy(c(P), pt.tensor3())
