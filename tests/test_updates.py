"""Update rules against hand-written NumPy trajectories on a small quadratic."""
from collections import OrderedDict

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from adaptnet import updates
from adaptnet.utils import shared_scalar

A = np.array([1.0, 2.0, 0.5], dtype=np.float32)  # curvatures of the quadratic
B = np.array([0.3, -0.2, 0.1], dtype=np.float32)
W0 = np.array([1.0, -1.5, 2.0], dtype=np.float32)
V0 = np.array([[0.5, -0.25], [1.0, 2.0]], dtype=np.float32)
LEARNING_RATES = [0.1, 0.05, 0.2, 0.01, 0.1]


def np_grads(w, v):
    """Gradients of 0.5 * sum(A * w**2) + B.w + 0.5 * sum(v**2)."""
    return [A * w + B, v]


def setup_problem():
    w = pytensor.shared(W0.copy(), name="w")
    v = pytensor.shared(V0.copy(), name="v")
    half = np.float32(0.5)
    loss = half * pt.sum(A * w ** 2) + pt.sum(B * w) + half * pt.sum(v ** 2)
    return loss, [w, v]


# --- NumPy references: one step given (params, grads, state, lr) -> new params ---------

def ref_sgd(ps, gs, st, lr):
    return [p - lr * g for p, g in zip(ps, gs)]


def ref_momentum(mu):
    def step(ps, gs, st, lr):
        st.setdefault("vel", [np.zeros_like(p) for p in ps])
        out = []
        for i, (p, g) in enumerate(zip(ps, gs)):
            st["vel"][i] = mu * st["vel"][i] - lr * g
            out.append(p + st["vel"][i])
        return out
    return step


def ref_nesterov(mu):
    def step(ps, gs, st, lr):
        st.setdefault("vel", [np.zeros_like(p) for p in ps])
        out = []
        for i, (p, g) in enumerate(zip(ps, gs)):
            st["vel"][i] = mu * st["vel"][i] - lr * g
            out.append(p + mu * st["vel"][i] - lr * g)
        return out
    return step


def ref_adagrad(eps):
    def step(ps, gs, st, lr):
        st.setdefault("acc", [np.zeros_like(p) for p in ps])
        out = []
        for i, (p, g) in enumerate(zip(ps, gs)):
            st["acc"][i] = st["acc"][i] + g * g
            out.append(p - lr * g / np.sqrt(st["acc"][i] + eps))
        return out
    return step


def ref_rmsprop(rho, eps):
    def step(ps, gs, st, lr):
        st.setdefault("acc", [np.zeros_like(p) for p in ps])
        out = []
        for i, (p, g) in enumerate(zip(ps, gs)):
            st["acc"][i] = rho * st["acc"][i] + (1 - rho) * g * g
            out.append(p - lr * g / np.sqrt(st["acc"][i] + eps))
        return out
    return step


def ref_adadelta(rho, eps):
    def step(ps, gs, st, lr):
        st.setdefault("acc", [np.zeros_like(p) for p in ps])
        st.setdefault("dacc", [np.zeros_like(p) for p in ps])
        out = []
        for i, (p, g) in enumerate(zip(ps, gs)):
            st["acc"][i] = rho * st["acc"][i] + (1 - rho) * g * g
            upd = g * np.sqrt(st["dacc"][i] + eps) / np.sqrt(st["acc"][i] + eps)
            st["dacc"][i] = rho * st["dacc"][i] + (1 - rho) * upd * upd
            out.append(p - lr * upd)
        return out
    return step


def ref_adam(b1, b2, eps):
    def step(ps, gs, st, lr):
        st.setdefault("m", [np.zeros_like(p) for p in ps])
        st.setdefault("v", [np.zeros_like(p) for p in ps])
        st["t"] = st.get("t", 0) + 1
        t = st["t"]
        out = []
        for i, (p, g) in enumerate(zip(ps, gs)):
            st["m"][i] = b1 * st["m"][i] + (1 - b1) * g
            st["v"][i] = b2 * st["v"][i] + (1 - b2) * g * g
            m_hat = st["m"][i] / (1 - b1 ** t)
            # Lasagne puts epsilon next to the un-corrected sqrt(v)
            out.append(p - lr * m_hat * np.sqrt(1 - b2 ** t) / (np.sqrt(st["v"][i]) + eps))
        return out
    return step


def ref_adamax(b1, b2, eps):
    def step(ps, gs, st, lr):
        st.setdefault("m", [np.zeros_like(p) for p in ps])
        st.setdefault("u", [np.zeros_like(p) for p in ps])
        st["t"] = st.get("t", 0) + 1
        out = []
        for i, (p, g) in enumerate(zip(ps, gs)):
            st["m"][i] = b1 * st["m"][i] + (1 - b1) * g
            st["u"][i] = np.maximum(b2 * st["u"][i], np.abs(g))
            out.append(p - lr / (1 - b1 ** st["t"]) * st["m"][i] / (st["u"][i] + eps))
        return out
    return step


CASES = {
    "sgd": (lambda loss, ps, lr: updates.sgd(loss, ps, lr), ref_sgd, []),
    "momentum": (lambda loss, ps, lr: updates.momentum(loss, ps, lr, momentum=0.8),
                 ref_momentum(0.8), ["velocity"]),
    "nesterov_momentum": (lambda loss, ps, lr: updates.nesterov_momentum(loss, ps, lr, 0.7),
                          ref_nesterov(0.7), ["velocity"]),
    "adagrad": (lambda loss, ps, lr: updates.adagrad(loss, ps, lr, epsilon=1e-6),
                ref_adagrad(1e-6), ["accu"]),
    "rmsprop": (lambda loss, ps, lr: updates.rmsprop(loss, ps, lr, rho=0.8, epsilon=1e-6),
                ref_rmsprop(0.8, 1e-6), ["accu"]),
    "adadelta": (lambda loss, ps, lr: updates.adadelta(loss, ps, lr * 10, rho=0.9, epsilon=1e-4),
                 ref_adadelta(0.9, 1e-4), ["accu", "delta_accu"]),
    "adam": (lambda loss, ps, lr: updates.adam(loss, ps, lr, beta1=0.8, beta2=0.95, epsilon=1e-6),
             ref_adam(0.8, 0.95, 1e-6), ["m", "v"]),
    "adamax": (lambda loss, ps, lr: updates.adamax(loss, ps, lr, beta1=0.8, beta2=0.95,
                                                   epsilon=1e-6),
               ref_adamax(0.8, 0.95, 1e-6), ["m", "u"]),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_trajectory_matches_numpy_with_shared_learning_rate(rule):
    build, reference, slots = CASES[rule]
    loss, params = setup_problem()
    lr = shared_scalar(LEARNING_RATES[0], name="learning_rate")
    upd = build(loss, params, lr)
    assert isinstance(upd, OrderedDict)
    step = pytensor.function([], loss, updates=upd)

    ref_params = [W0.astype(np.float64), V0.astype(np.float64)]
    state = {}
    lr_scale = 10 if rule == "adadelta" else 1  # the case above uses lr * 10
    for lr_value in LEARNING_RATES:
        lr.set_value(np.float32(lr_value))
        step()
        ref_params = reference(ref_params, np_grads(*ref_params), state, lr_value * lr_scale)
        for p, expected in zip(params, ref_params):
            np.testing.assert_allclose(p.get_value(), expected, rtol=2e-5, atol=2e-6)
    for p in params:
        assert p.get_value().dtype == np.float32

    # slots: zero-initialised shared variables named "<param name>.<slot>", updated in place
    slot_vars = [k for k in upd if all(k is not p for p in params)]
    expected_names = {f"{p.name}.{s}" for p in params for s in slots}
    if rule in ("adam", "adamax"):
        expected_names.add(f"{rule}.t")
        t_var = next(k for k in slot_vars if k.name == f"{rule}.t")
        assert float(t_var.get_value()) == len(LEARNING_RATES)
    assert {k.name for k in slot_vars} == expected_names
    assert all(isinstance(k, pytensor.compile.SharedVariable) for k in slot_vars)
    assert all(upd[k].dtype == k.dtype for k in upd)


def test_momentum_as_shared_variable_changes_without_recompiling():
    loss, params = setup_problem()
    mu = shared_scalar(0.9, name="momentum")
    upd = updates.momentum(loss, params, learning_rate=0.1, momentum=mu)
    step = pytensor.function([], [], updates=upd)
    ref_params = [W0.astype(np.float64), V0.astype(np.float64)]
    vel = [np.zeros_like(p) for p in ref_params]
    for mu_value in [0.9, 0.5, 0.0, 0.7]:
        mu.set_value(np.float32(mu_value))
        step()
        gs = np_grads(*ref_params)
        vel = [mu_value * v - 0.1 * g for v, g in zip(vel, gs)]
        ref_params = [p + v for p, v in zip(ref_params, vel)]
        for p, expected in zip(params, ref_params):
            np.testing.assert_allclose(p.get_value(), expected, rtol=2e-5, atol=2e-6)


def test_float64_hyperparameters_keep_float32_updates():
    loss, params = setup_problem()
    lr64 = pytensor.shared(np.float64(0.1))
    for upd in (updates.sgd(loss, params, lr64), updates.adam(loss, params, lr64, beta1=lr64),
                updates.rmsprop(loss, params, 0.1, rho=lr64)):
        assert all(expr.dtype == "float32" for var, expr in upd.items() if var in params)


def test_given_gradients_are_used_as_is():
    w = pytensor.shared(np.float32(2.0), name="w")
    upd = updates.sgd([pt.constant(np.float32(4.0))], [w], learning_rate=0.5)
    pytensor.function([], [], updates=upd)()
    assert w.get_value() == np.float32(0.0)


def test_apply_momentum_only_to_given_params():
    loss, (w, v) = setup_problem()
    upd = updates.apply_momentum(updates.sgd(loss, [w, v], 0.1), params=[w], momentum=0.5)
    assert [k.name for k in upd] == ["w", "v", "w.velocity"]


def test_unnamed_params_get_indexed_slot_names():
    p0, p1 = pytensor.shared(np.zeros(2, "float32")), pytensor.shared(np.zeros(2, "float32"))
    upd = updates.adagrad(pt.sum(p0 * p1), [p0, p1])
    assert [k.name for k in upd if k is not p0 and k is not p1] == ["param0.accu", "param1.accu"]


@pytest.mark.parametrize("call, match", [
    (lambda l, ps: updates.sgd(l, [pt.vector()], 0.1), "shared variables only"),
    (lambda l, ps: updates.sgd([l], ps, 0.1), "got 1 gradients for 2 params"),
    (lambda l, ps: updates.sgd(l, ps, -0.1), "learning_rate"),
    (lambda l, ps: updates.sgd(l, ps, "0.1"), "learning_rate"),
    (lambda l, ps: updates.sgd(l, ps, True), "learning_rate"),
    (lambda l, ps: updates.sgd(l, ps, pt.vector()), "learning_rate"),
    (lambda l, ps: updates.momentum(l, ps, 0.1, momentum=1.0), "momentum"),
    (lambda l, ps: updates.nesterov_momentum(l, ps, 0.1, momentum=-0.1), "momentum"),
    (lambda l, ps: updates.rmsprop(l, ps, rho=1.5), "rho"),
    (lambda l, ps: updates.adam(l, ps, beta1=1.0), "beta1"),
    (lambda l, ps: updates.adamax(l, ps, beta2=float("nan")), "beta2"),
    (lambda l, ps: updates.adagrad(l, ps, epsilon=-1.0), "epsilon"),
])
def test_bad_arguments_raise(call, match):
    loss, params = setup_problem()
    with pytest.raises((ValueError, TypeError), match=match):
        call(loss, params)


def test_apply_momentum_rejects_params_without_updates():
    loss, (w, v) = setup_problem()
    with pytest.raises(ValueError, match="apply_momentum: params"):
        updates.apply_momentum(updates.sgd(loss, [w], 0.1), params=[v])


# --- norm constraints ---------------------------------------------------------------

@pytest.mark.parametrize("shape, axes", [((4, 3), (0,)), ((3, 2, 2, 2), (1, 2, 3)),
                                         ((3, 4), (1,))])
def test_norm_constraint_matches_numpy(shape, axes):
    rng = np.random.RandomState(0)
    x = (rng.randn(*shape) * 2).astype(np.float32)
    max_norm = 1.5
    norm_axes = None if axes == (0,) or len(shape) == 4 else axes
    out = updates.norm_constraint(pt.constant(x), max_norm, norm_axes=norm_axes).eval()
    norms = np.sqrt((x.astype(np.float64) ** 2).sum(axis=axes, keepdims=True))
    expected = x * np.minimum(norms, max_norm) / (norms + 1e-7)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    assert out.dtype == np.float32
    out_norms = np.sqrt((out.astype(np.float64) ** 2).sum(axis=axes))
    assert np.all(out_norms <= max_norm + 1e-5)
    # slices already within the limit are unchanged
    small = norms.squeeze(axis=axes) <= max_norm
    np.testing.assert_allclose(out_norms[small], norms.squeeze(axis=axes)[small], rtol=1e-5)


def test_norm_constraint_errors():
    with pytest.raises(ValueError, match="norm_axes"):
        updates.norm_constraint(pt.vector(), 1.0)
    with pytest.raises(ValueError, match="max_norm"):
        updates.norm_constraint(pt.matrix(), 0.0)


def test_total_norm_constraint_matches_numpy():
    rng = np.random.RandomState(1)
    xs = [rng.randn(3, 2).astype(np.float32), rng.randn(4).astype(np.float32)]
    total = np.sqrt(sum((x.astype(np.float64) ** 2).sum() for x in xs))
    for max_norm in (0.5 * total, 2 * total):
        scaled, norm = updates.total_norm_constraint([pt.constant(x) for x in xs], max_norm,
                                                     return_norm=True)
        np.testing.assert_allclose(float(norm.eval()), total, rtol=1e-6)
        factor = min(1.0, max_norm / total)
        for s, x in zip(scaled, xs):
            np.testing.assert_allclose(s.eval(), x * factor, rtol=1e-5)
    with pytest.raises(ValueError, match="tensor_vars"):
        updates.total_norm_constraint([], 1.0)


def test_norm_constraint_on_updates_limits_dense_columns():
    W = pytensor.shared(np.array([[3.0, 0.1], [4.0, 0.2]], dtype=np.float32), name="W")
    upd = updates.sgd(pt.sum(W), [W], learning_rate=0.0)
    upd[W] = updates.norm_constraint(upd[W], max_norm=2.0)
    pytensor.function([], [], updates=upd)()
    np.testing.assert_allclose(W.get_value(), [[1.2, 0.1], [1.6, 0.2]], rtol=1e-5)


# --- optional PyTorch reference (same formulas with a constant learning rate) -----------

@pytest.mark.torch
@pytest.mark.parametrize("rule", ["momentum", "nesterov_momentum", "adadelta", "adam"])
def test_matches_torch_optimizers(rule):
    torch = pytest.importorskip("torch")
    loss, params = setup_problem()
    build = {
        "momentum": lambda: updates.momentum(loss, params, 0.1, momentum=0.9),
        "nesterov_momentum": lambda: updates.nesterov_momentum(loss, params, 0.1, momentum=0.9),
        "adadelta": lambda: updates.adadelta(loss, params, 1.0, rho=0.9, epsilon=1e-6),
        "adam": lambda: updates.adam(loss, params, 0.05, epsilon=1e-8),
    }[rule]
    step = pytensor.function([], [], updates=build())
    tw = torch.tensor(W0.astype(np.float64), requires_grad=True)
    tv = torch.tensor(V0.astype(np.float64), requires_grad=True)
    opt = {
        "momentum": lambda: torch.optim.SGD([tw, tv], lr=0.1, momentum=0.9),
        "nesterov_momentum": lambda: torch.optim.SGD([tw, tv], lr=0.1, momentum=0.9,
                                                     nesterov=True),
        "adadelta": lambda: torch.optim.Adadelta([tw, tv], lr=1.0, rho=0.9, eps=1e-6),
        "adam": lambda: torch.optim.Adam([tw, tv], lr=0.05, eps=1e-8),
    }[rule]()
    ta, tb = torch.tensor(A.astype(np.float64)), torch.tensor(B.astype(np.float64))
    for _ in range(5):
        step()
        opt.zero_grad()
        (0.5 * (ta * tw ** 2).sum() + (tb * tw).sum() + 0.5 * (tv ** 2).sum()).backward()
        opt.step()
    np.testing.assert_allclose(params[0].get_value(), tw.detach().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(params[1].get_value(), tv.detach().numpy(), rtol=1e-4, atol=1e-5)
