"""Gradient reversal: exact identity forward, ``-lambda`` times the gradient backward, and DANN."""
import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from adaptnet.layers import (DenseLayer, GradientReversalLayer, InputLayer, get_output,
                             reverse_gradient)
from adaptnet.objectives import binary_crossentropy
from adaptnet.utils import floatX, shared_scalar

LAMBDAS = [0.0, 0.1, 1.0, 2.5, -0.5]


def test_forward_is_bit_for_bit_identity():
    l_in = InputLayer((None, 5))
    l_rev = GradientReversalLayer(l_in, hp_lambda=0.3)
    f = pytensor.function([l_in.input_var], get_output(l_rev))
    x = np.random.RandomState(0).randn(4, 5).astype(np.float32)
    x[0, :3] = [np.finfo(np.float32).tiny, -np.finfo(np.float32).max, np.float32(1e-30)]
    for lam in LAMBDAS:
        l_rev.hp_lambda.set_value(np.float32(lam))
        out = f(x)
        assert out.dtype == np.float32
        assert out.tobytes() == x.tobytes()


@pytest.fixture(scope="module")
def two_layer_net():
    """x -> dense -> reversal -> dense -> squared loss, with the same net built without reversal."""
    rng = np.random.RandomState(1)
    W1, W2 = floatX(rng.randn(3, 4)), floatX(rng.randn(4, 2))
    l_in = InputLayer((None, 3))
    l_feat = DenseLayer(l_in, 4, W=W1, nonlinearity=pt.tanh)
    l_rev = GradientReversalLayer(l_feat, hp_lambda=1.0)
    l_out = DenseLayer(l_rev, 2, W=W2, nonlinearity=None)
    l_plain = DenseLayer(l_feat, 2, W=l_out.W, b=l_out.b, nonlinearity=None)
    x = l_in.input_var
    params = [l_feat.W, l_feat.b, l_out.W, l_out.b]
    grads_rev = pytensor.grad(pt.sum(get_output(l_out) ** 2), params)
    grads_plain = pytensor.grad(pt.sum(get_output(l_plain) ** 2), params)
    f_rev = pytensor.function([x], grads_rev)
    f_plain = pytensor.function([x], grads_plain)
    return l_rev, f_rev, f_plain, floatX(rng.randn(6, 3))


@pytest.mark.parametrize("lam", LAMBDAS)
def test_gradient_is_minus_lambda_times_plain_gradient(two_layer_net, lam):
    l_rev, f_rev, f_plain, x = two_layer_net
    l_rev.hp_lambda.set_value(np.float32(lam))  # after compilation: same function object
    g_feat_W, g_feat_b, g_out_W, g_out_b = f_rev(x)
    p_feat_W, p_feat_b, p_out_W, p_out_b = f_plain(x)
    # below the reversal: scaled by -lambda; above it: unchanged
    np.testing.assert_allclose(g_feat_W, -lam * p_feat_W, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(g_feat_b, -lam * p_feat_b, rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(g_out_W, p_out_W)
    np.testing.assert_array_equal(g_out_b, p_out_b)


def test_reversal_weight_is_a_float32_shared_scalar():
    l_rev = GradientReversalLayer(InputLayer((None, 2)), hp_lambda=0.25, name="reversal")
    assert isinstance(l_rev.hp_lambda, pytensor.compile.SharedVariable)
    assert l_rev.hp_lambda.dtype == "float32" and l_rev.hp_lambda.ndim == 0
    assert l_rev.hp_lambda.name == "reversal.hp_lambda"
    assert l_rev.get_params() == []  # not a trainable parameter
    with pytest.raises(ValueError, match="GradientReversalLayer 'r': hp_lambda"):
        GradientReversalLayer(InputLayer((None, 2)), hp_lambda=float("nan"), name="r")


def test_reverse_gradient_on_raw_graph_with_shared_lambda():
    lam = shared_scalar(0.5)
    x = pt.vector("x", dtype="float32")
    c = pt.vector("c", dtype="float32")
    g_linear = pytensor.grad(pt.sum(reverse_gradient(x, lam) * c), x)
    g_sin = pytensor.grad(pt.sum(pt.sin(reverse_gradient(x, lam))), x)
    f = pytensor.function([x, c], [reverse_gradient(x, lam), g_linear, g_sin])
    xv = floatX(np.linspace(-2, 2, 7))
    cv = floatX(np.random.RandomState(2).randn(7))
    for value in LAMBDAS:
        lam.set_value(np.float32(value))
        out, g_lin, g_s = f(xv, cv)
        assert out.tobytes() == xv.tobytes()
        # the reversal is the only operation on the gradient path: exact in float32
        np.testing.assert_array_equal(g_lin, np.float32(-value) * cv)
        np.testing.assert_allclose(g_s, -value * np.cos(xv), rtol=1e-6, atol=1e-7)
        assert g_lin.dtype == np.float32


def test_reverse_gradient_with_python_float_stays_float32():
    x = pt.matrix("x", dtype="float32")
    y = reverse_gradient(x, 0.7)
    g = pytensor.grad(pt.sum(y * 2), x)
    assert y.dtype == g.dtype == "float32"
    np.testing.assert_allclose(g.eval({x: np.ones((2, 2), np.float32)}), -1.4, rtol=1e-6)


def test_gradient_reversal_composes_with_verify_grad():
    # Applied twice the reversal is the identity in both passes for lambda = 1, so
    # finite differences must agree with the symbolic gradient.
    lam = shared_scalar(1.0)

    def fun(x):
        return pt.tanh(reverse_gradient(reverse_gradient(x, lam), lam)) * 3

    x0 = [np.random.RandomState(3).randn(4)]
    pytensor.gradient.verify_grad(fun, x0, rng=np.random.RandomState(4))
    # a single reversal is deliberately not the derivative of the forward pass
    with pytest.raises(pytensor.gradient.GradientError):
        pytensor.gradient.verify_grad(lambda x: pt.tanh(reverse_gradient(x, lam)), x0,
                                      rng=np.random.RandomState(4))


# --- a tiny DANN in raw PyTensor ------------------------------------------------------

def shift_problem(rng, n=150):
    """Two classes split along x0; the target domain is the source shifted along x1."""
    def domain(offset):
        y = rng.randint(0, 2, n)
        x = np.c_[np.where(y, 1.0, -1.0), np.zeros(n)] + rng.randn(n, 2) * 0.5 + offset
        return floatX(x), y.astype(np.int32)
    xs, ys = domain((0.0, 0.0))
    xt, _ = domain((0.0, 2.0))
    return xs, ys, xt


def train_dann(hp_lambda, steps=300, seed=0, hidden=8):
    rng = np.random.RandomState(seed)
    xs, ys, xt = shift_problem(rng)

    def weight(n_in, n_out):
        return pytensor.shared(floatX(rng.randn(n_in, n_out) / np.sqrt(n_in)))

    def bias(n):
        return pytensor.shared(floatX(np.zeros(n)))

    W_f, b_f, W_y, b_y = weight(2, hidden), bias(hidden), weight(hidden, 1), bias(1)
    W_d1, b_d1, W_d2, b_d2 = weight(hidden, hidden), bias(hidden), weight(hidden, 1), bias(1)
    params = [W_f, b_f, W_y, b_y, W_d1, b_d1, W_d2, b_d2]
    lam = shared_scalar(hp_lambda)
    X, y = pt.matrix("X", dtype="float32"), pt.ivector("y")
    d, n_source = pt.vector("d", dtype="float32"), pt.iscalar("n_source")
    features = pt.tanh(X @ W_f + b_f)
    label_prob = pt.sigmoid(features[:n_source] @ W_y + b_y)[:, 0]
    domain_hidden = pt.tanh(reverse_gradient(features, lam) @ W_d1 + b_d1)
    domain_prob = pt.sigmoid(domain_hidden @ W_d2 + b_d2)[:, 0]
    loss = (binary_crossentropy(label_prob, pt.cast(y, "float32")).mean()
            + binary_crossentropy(domain_prob, d).mean())
    lr = np.float32(0.5)
    updates = [(p, p - lr * g) for p, g in zip(params, pytensor.grad(loss, params))]
    step = pytensor.function([X, y, d, n_source], loss, updates=updates)
    predict = pytensor.function([X, n_source], [label_prob, domain_prob])
    X_all = np.r_[xs, xt]
    d_all = floatX(np.r_[np.zeros(len(xs)), np.ones(len(xt))])
    for _ in range(steps):
        step(X_all, ys, d_all, len(xs))
    label_p, domain_p = predict(X_all, len(xs))
    return ((label_p > 0.5) == ys).mean(), ((domain_p > 0.5) == d_all).mean()


@pytest.mark.slow
def test_tiny_dann_confuses_the_domain_classifier():
    source_acc_plain, domain_acc_plain = train_dann(hp_lambda=0.0)
    source_acc_dann, domain_acc_dann = train_dann(hp_lambda=1.0)
    # without reversal the domain head separates the shifted domains...
    assert domain_acc_plain > 0.9
    # ...with it the features become domain-invariant and the head nears chance (0.5)
    assert domain_acc_dann < 0.7
    assert domain_acc_plain - domain_acc_dann > 0.25
    assert source_acc_plain > 0.95 and source_acc_dann > 0.95
