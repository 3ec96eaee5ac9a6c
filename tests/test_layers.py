"""Noise, normalization, shape and merge layers: output shapes and values against NumPy."""
import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest

from adaptnet import init, nonlinearities
from adaptnet.layers import (BatchNormLayer, ConcatLayer, DenseLayer, DimshuffleLayer,
                             DropoutLayer, ElemwiseMergeLayer, ElemwiseSumLayer, FlattenLayer,
                             GaussianNoiseLayer, InputLayer, ReshapeLayer, batch_norm,
                             get_all_layers, get_all_params, get_output)
from adaptnet.random import get_rng, set_rng

RNG = np.random.RandomState(0)


def compile_output(layer, **kwargs):
    inputs = [l.input_var for l in get_all_layers(layer) if isinstance(l, InputLayer)]
    return pytensor.function(inputs, get_output(layer, **kwargs))


def randf(*shape):
    return RNG.randn(*shape).astype(np.float32)


# --- DropoutLayer ---------------------------------------------------------------

@pytest.fixture(scope="module")
def dropout_data():
    return RNG.uniform(1, 2, size=(100, 60)).astype(np.float32)


@pytest.mark.parametrize("p, rescale", [(0.5, True), (0.2, False)])
def test_dropout_statistics_and_rescaling(dropout_data, p, rescale):
    l = DropoutLayer(InputLayer((None, 60)), p=p, rescale=rescale)
    f = compile_output(l)
    out = f(dropout_data)
    dropped = out == 0
    # 6000 Bernoulli draws: the standard error of the drop rate is below 0.0065
    assert abs(dropped.mean() - p) < 0.03
    scale = 1 / (1 - p) if rescale else 1.0
    np.testing.assert_allclose(out[~dropped], dropout_data[~dropped] * scale, rtol=1e-6)
    assert out.dtype == np.float32
    assert not np.array_equal(f(dropout_data) == 0, dropped)  # a new mask on each call


def test_dropout_is_identity_when_deterministic_or_p_zero(dropout_data):
    l_in = InputLayer((None, 60))
    for layer, kwargs in [(DropoutLayer(l_in, p=0.5), {"deterministic": True}),
                          (DropoutLayer(l_in, p=0.0), {})]:
        np.testing.assert_array_equal(compile_output(layer, **kwargs)(dropout_data), dropout_data)


def test_dropout_shared_axes_share_the_mask():
    x = np.ones((8, 6, 3, 4), dtype=np.float32)
    l = DropoutLayer(InputLayer((None, 6, 3, 4)), p=0.5, shared_axes=(2, -1))
    assert l.shared_axes == (2, 3)
    out = compile_output(l)(x)
    per_map = out.reshape(8, 6, 12)
    assert np.all(per_map == per_map[:, :, :1])  # whole feature maps kept or dropped
    assert set(np.unique(out)) <= {0.0, 2.0}


def test_dropout_seeded_from_adaptnet_rng(dropout_data):
    previous, masks = get_rng(), []
    try:
        for seed in (123, 123, 7):
            set_rng(np.random.RandomState(seed))
            l = DropoutLayer(InputLayer((None, 60)), p=0.5)
            masks.append(compile_output(l)(dropout_data) == 0)
    finally:
        set_rng(previous)
    np.testing.assert_array_equal(masks[0], masks[1])
    assert not np.array_equal(masks[0], masks[2])


@pytest.mark.parametrize("kwargs, match", [
    ({"p": 1.0}, "p must be a number in \\[0, 1\\)"),
    ({"p": -0.1}, "p must be"),
    ({"p": "0.5"}, "p must be"),
    ({"shared_axes": (2,)}, "shared_axes"),
])
def test_dropout_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match="DropoutLayer: " + match):
        DropoutLayer(InputLayer((None, 3)), **kwargs)


def test_gaussian_noise_statistics():
    x = np.full((200, 50), 3.0, dtype=np.float32)
    l = GaussianNoiseLayer(InputLayer((None, 50)), sigma=0.5)
    out = compile_output(l)(x)
    noise = out - x
    assert out.dtype == np.float32
    assert abs(noise.mean()) < 0.03 and abs(noise.std() - 0.5) < 0.03
    np.testing.assert_array_equal(compile_output(l, deterministic=True)(x), x)
    with pytest.raises(ValueError, match="GaussianNoiseLayer: sigma"):
        GaussianNoiseLayer(InputLayer((None, 3)), sigma=-1.0)


# --- BatchNormLayer -------------------------------------------------------------

def np_batch_norm(x, axes, beta, gamma, eps):
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta, mean.squeeze(axes), \
        1 / np.sqrt(var.squeeze(axes) + eps)


@pytest.mark.parametrize("shape, axes, expand", [
    ((6, 3), (0,), lambda v: v[None, :]),
    ((4, 3, 2, 2), (0, 2, 3), lambda v: v[None, :, None, None]),
])
def test_batch_norm_training_deterministic_and_running_averages(shape, axes, expand):
    beta, gamma = randf(shape[1]), randf(shape[1])
    l = BatchNormLayer(InputLayer((None,) + shape[1:]), beta=beta, gamma=gamma, epsilon=1e-3,
                       alpha=0.3)
    assert l.axes == axes
    train = compile_output(l)
    infer = compile_output(l, deterministic=True)
    running_mean, running_inv_std = np.zeros(shape[1]), np.ones(shape[1])
    for step in range(2):
        x = randf(*shape) * 2 + step
        # deterministic outputs use the running averages and change nothing
        expected_det = (x - expand(running_mean)) * expand(running_inv_std * gamma) + expand(beta)
        np.testing.assert_allclose(infer(x), expected_det, rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(l.mean.get_value(), running_mean, rtol=1e-5, atol=1e-6)
        expected, batch_mean, batch_inv_std = np_batch_norm(
            x.astype(np.float64), axes, expand(beta), expand(gamma), 1e-3)
        out = train(x)
        assert out.dtype == np.float32
        np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
        running_mean = 0.7 * running_mean + 0.3 * batch_mean
        running_inv_std = 0.7 * running_inv_std + 0.3 * batch_inv_std
        np.testing.assert_allclose(l.mean.get_value(), running_mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(l.inv_std.get_value(), running_inv_std, rtol=1e-4)


def test_batch_norm_kwargs_override_deterministic():
    x = randf(5, 2)
    l = BatchNormLayer(InputLayer((None, 2)), beta=None, gamma=None)
    l.mean.set_value(np.array([1.0, -1.0], dtype=np.float32))
    l.inv_std.set_value(np.array([2.0, 0.5], dtype=np.float32))
    # averages used, yet updated: the update pulls them towards the batch statistics
    out = compile_output(l, batch_norm_use_averages=True)(x)
    np.testing.assert_allclose(out, (x - [1.0, -1.0]) * [2.0, 0.5], rtol=1e-5)
    np.testing.assert_allclose(l.mean.get_value(), 0.9 * np.array([1.0, -1.0]) + 0.1 * x.mean(0),
                               rtol=1e-5)
    # batch statistics used, averages not updated
    before = l.mean.get_value()
    out = compile_output(l, batch_norm_update_averages=False)(x)
    np.testing.assert_allclose(out, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-4), rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_array_equal(l.mean.get_value(), before)


def test_batch_norm_params_and_tags():
    l = BatchNormLayer(InputLayer((None, 3, 4)), axes=(0, 1), name="bn")
    assert [p.name for p in l.get_params()] == ["bn.beta", "bn.gamma", "bn.mean", "bn.inv_std"]
    assert [p.name for p in l.get_params(trainable=True)] == ["bn.beta", "bn.gamma"]
    assert [p.name for p in l.get_params(regularizable=True)] == ["bn.gamma"]
    assert l.mean.get_value().shape == (4,) and l.mean.dtype == "float32"


@pytest.mark.parametrize("kwargs, match", [
    ({"axes": (3,)}, "axes"), ({"epsilon": 0.0}, "epsilon"), ({"alpha": 1.5}, "alpha"),
])
def test_batch_norm_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match="BatchNormLayer: " + match):
        BatchNormLayer(InputLayer((None, 3)), **kwargs)


def test_batch_norm_needs_known_feature_sizes():
    with pytest.raises(ValueError, match="BatchNormLayer: .*must be known"):
        BatchNormLayer(InputLayer((None, None)))


def test_batch_norm_helper_moves_bias_and_nonlinearity():
    W = randf(4, 3)
    dense = DenseLayer(InputLayer((None, 4)), 3, W=W, nonlinearity=nonlinearities.rectify,
                       name="hidden")
    out_layer = batch_norm(dense, alpha=0.5)
    assert dense.b is None and dense.nonlinearity is nonlinearities.identity
    assert [p.name for p in get_all_params(out_layer, trainable=True)] == \
        ["hidden.W", "hidden_bn.beta", "hidden_bn.gamma"]
    assert out_layer.name == "hidden_bn_nonlin" and out_layer.input_layer.alpha == 0.5
    x = randf(6, 4)
    h = x.astype(np.float64) @ W
    expected = np.maximum(0, (h - h.mean(0)) / np.sqrt(h.var(0) + 1e-4))
    np.testing.assert_allclose(compile_output(out_layer)(x), expected, rtol=1e-4, atol=1e-5)
    untouched = DenseLayer(InputLayer((None, 4)), 3)
    with pytest.raises(ValueError, match="alpha"):
        batch_norm(untouched, alpha=2.0)
    assert untouched.b is not None and untouched.nonlinearity is nonlinearities.rectify


# --- shape layers ---------------------------------------------------------------

@pytest.mark.parametrize("in_shape, spec, out_shape", [
    ((None, 4, 6), ([0], -1), (None, 24)),
    ((None, 4, 6), ([0], 2, [1], 3), (None, 2, 4, 3)),
    ((2, 4, 6), (-1, 8), (6, 8)),
    ((None, 4, 6), (-1, 6), (None, 6)),
    ((None, 12), ([0], 3, [1]), None),  # [1] re-uses a size: total size would not match
])
def test_reshape_matches_numpy(in_shape, spec, out_shape):
    if out_shape is None:
        with pytest.raises(ValueError, match="ReshapeLayer: input shape"):
            ReshapeLayer(InputLayer(in_shape), spec)
        return
    l = ReshapeLayer(InputLayer(in_shape), spec)
    assert l.output_shape == out_shape
    x = randf(*[3 if s is None else s for s in in_shape])
    np_spec = [x.shape[s[0]] if isinstance(s, list) else s for s in spec]
    np.testing.assert_array_equal(compile_output(l)(x), x.reshape(np_spec))


def test_reshape_with_symbolic_size():
    n = pt.iscalar("n")
    l = ReshapeLayer(InputLayer((None, 6)), (n, -1))
    assert l.output_shape == (None, None)
    x = randf(2, 6)
    f = pytensor.function([l.input_layer.input_var, n], get_output(l))
    np.testing.assert_array_equal(f(x, 4), x.reshape(4, 3))


@pytest.mark.parametrize("spec, match", [
    ((-1, -1), "only once"), ((0, 4), "shape entries"), (([0], [5]), "\\[5\\]"),
    ((2.0, 3), "shape entries"), (([-1], 3), "shape entries"), ((5, 5), "differ"),
    ((7, -1), "not divisible"),
])
def test_reshape_rejects_bad_specs(spec, match):
    with pytest.raises(ValueError, match="ReshapeLayer: .*" + match):
        ReshapeLayer(InputLayer((2, 12)), spec)


@pytest.mark.parametrize("outdim, out_shape", [(1, (None,)), (2, (None, 24)), (3, (None, 4, 6)),
                                               (4, (None, 4, 2, 3))])
def test_flatten_matches_numpy(outdim, out_shape):
    l = FlattenLayer(InputLayer((None, 4, 2, 3)), outdim=outdim)
    assert l.output_shape == out_shape
    x = randf(5, 4, 2, 3)
    np_shape = (x.size,) if outdim == 1 else x.shape[:outdim - 1] + (-1,)
    np.testing.assert_array_equal(compile_output(l)(x), x.reshape(np_shape))


def test_flatten_rejects_bad_outdim():
    for outdim in (0, 3, 1.5):
        with pytest.raises(ValueError, match="FlattenLayer: outdim"):
            FlattenLayer(InputLayer((None, 4)), outdim=outdim)


def test_dimshuffle_matches_numpy():
    l = DimshuffleLayer(InputLayer((None, 3, 1, 4)), (3, "x", 0, 1))
    assert l.output_shape == (4, 1, None, 3)
    x = randf(2, 3, 1, 4)
    expected = np.transpose(x[:, :, 0, :], (2, 0, 1))[:, None]
    np.testing.assert_array_equal(compile_output(l)(x), expected)


@pytest.mark.parametrize("pattern, match", [
    ((0, 0, 1), "more than once"), ((0, "y", 1), "axis indices or 'x'"), ((0, 1, 3), "contains 3"),
    ((0, 2), "drops axis 1 of size 3"),
])
def test_dimshuffle_rejects_bad_patterns(pattern, match):
    with pytest.raises(ValueError, match="DimshuffleLayer: .*" + match):
        DimshuffleLayer(InputLayer((None, 3, 1)), pattern)


# --- merge layers ---------------------------------------------------------------

@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat_matches_numpy(axis):
    a, b = randf(2, 3, 4), randf(2, 3, 4)
    b = np.concatenate([b, b], axis=axis)
    l_a, l_b = InputLayer(a.shape), InputLayer(b.shape)
    l = ConcatLayer([l_a, l_b], axis=axis)
    assert l.output_shape == np.concatenate([a, b], axis=axis).shape
    out = pytensor.function([l_a.input_var, l_b.input_var], get_output(l))(a, b)
    np.testing.assert_array_equal(out, np.concatenate([a, b], axis=axis))


def test_concat_with_cropping():
    a, b = randf(2, 3, 7), randf(2, 4, 4)
    l_a, l_b = InputLayer((None, 3, 7)), InputLayer((None, 4, 4))
    l = ConcatLayer([l_a, l_b], axis=1, cropping=[None, None, "center"])
    assert l.output_shape == (None, 7, 4)
    out = pytensor.function([l_a.input_var, l_b.input_var], get_output(l))(a, b)
    np.testing.assert_array_equal(out, np.concatenate([a[:, :, 1:5], b], axis=1))
    l_up = ConcatLayer([l_a, l_b], axis=1, cropping=[None, None, "upper"])
    out = pytensor.function([l_a.input_var, l_b.input_var], get_output(l_up))(a, b)
    np.testing.assert_array_equal(out, np.concatenate([a[:, :, 3:], b], axis=1))


def test_concat_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="ConcatLayer: input shapes must be equal except on axis"):
        ConcatLayer([InputLayer((None, 3, 4)), InputLayer((None, 2, 5))])
    with pytest.raises(ValueError, match="ConcatLayer: input shapes"):
        ConcatLayer([InputLayer((None, 3)), InputLayer((None, 3, 1))])
    with pytest.raises(ValueError, match="ConcatLayer: axis"):
        ConcatLayer([InputLayer((None, 3)), InputLayer((None, 3))], axis=2)
    with pytest.raises(ValueError, match="cropping modes"):
        ConcatLayer([InputLayer((None, 3)), InputLayer((None, 3))], cropping=["middle"])


def test_elemwise_sum_and_merge_match_numpy():
    a, b, c = randf(2, 3), randf(2, 3), randf(2, 3)
    ls = [InputLayer((None, 3)) for _ in range(3)]
    fn_inputs = [l.input_var for l in ls]
    l_sum = ElemwiseSumLayer(ls, coeffs=[1, 0.5, -2])
    assert l_sum.output_shape == (None, 3)
    out = pytensor.function(fn_inputs, get_output(l_sum))(a, b, c)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, a + 0.5 * b - 2 * c, rtol=1e-6)
    l_max = ElemwiseMergeLayer(ls, pt.maximum)
    out = pytensor.function(fn_inputs, get_output(l_max))(a, b, c)
    np.testing.assert_array_equal(out, np.maximum(np.maximum(a, b), c))


def test_elemwise_layers_reject_bad_arguments():
    with pytest.raises(ValueError, match="ElemwiseSumLayer: got 3 coeffs for 2 incomings"):
        ElemwiseSumLayer([InputLayer((None, 3)), InputLayer((None, 3))], coeffs=[1, 2, 3])
    with pytest.raises(ValueError, match="ElemwiseSumLayer: all input shapes must be equal"):
        ElemwiseSumLayer([InputLayer((None, 3)), InputLayer((None, 4))])
    with pytest.raises(TypeError, match="ElemwiseMergeLayer: merge_function"):
        ElemwiseMergeLayer([InputLayer((None, 3)), InputLayer((None, 3))], "max")


def test_dense_on_top_of_shape_layers_keeps_float32():
    l_in = InputLayer((None, 2, 3))
    l = DenseLayer(FlattenLayer(DimshuffleLayer(l_in, (0, 2, 1))), 2, W=init.Constant(1.0),
                   nonlinearity=None)
    x = randf(4, 2, 3)
    out = compile_output(l)(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, np.repeat(x.reshape(4, 6).sum(1, keepdims=True), 2, 1),
                               rtol=1e-5)


@pytest.mark.numba
def test_noise_and_batch_norm_under_the_numba_linker():
    # estimators compile with the default (Numba) linker: random draws and default
    # updates must work there too
    l_in = InputLayer((None, 4))
    l_bn = BatchNormLayer(l_in, alpha=0.5)
    l_out = DropoutLayer(GaussianNoiseLayer(l_bn, sigma=0.1), p=0.5, shared_axes=(1,))
    f = pytensor.function([l_in.input_var], get_output(l_out))
    x = randf(40, 4)
    out = f(x)
    rows_dropped = np.all(out == 0, axis=1)
    assert out.dtype == np.float32 and 0 < rows_dropped.sum() < 40
    normalized = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-4)
    noise = out[~rows_dropped] / 2 - normalized[~rows_dropped]
    assert 0.05 < noise.std() < 0.15
    np.testing.assert_allclose(l_bn.mean.get_value(), 0.5 * x.mean(0), rtol=1e-5, atol=1e-6)
