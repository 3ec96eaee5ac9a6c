"""Conv2DLayer, Pool2DLayer, MaxPool2DLayer and GlobalPoolLayer: shapes, values, errors."""
import numpy as np
import pytensor.tensor as pt
import pytest
from scipy import signal

from adaptnet import init
from adaptnet.layers import (Conv2DLayer, DenseLayer, GlobalPoolLayer, InputLayer,
                             MaxPool2DLayer, Pool2DLayer, conv_output_length, get_all_params,
                             get_output, get_output_shape, pool_output_length)

RNG = np.random.default_rng(7)


@pytest.mark.parametrize("pad, stride, expected", [
    ("valid", 1, (6, 5)), ("full", 1, (10, 9)), ("same", 1, (8, 7)), (1, 1, (8, 6)),
    ((2, 0), 2, (5, 3)), ("same", 2, (4, 4)), ("full", (3, 2), (4, 5)),
])
def test_conv_output_shape_matches_computed_output(pad, stride, expected):
    layer = Conv2DLayer(InputLayer((None, 2, 8, 7)), 3, (3, 3) if pad != 1 else (3, 4),
                        stride=stride, pad=pad)
    assert layer.output_shape == (None, 3) + expected
    x = RNG.standard_normal((2, 2, 8, 7)).astype(np.float32)
    assert get_output(layer, x).eval().shape == (2, 3) + expected


def test_conv_output_length_lasagne_formula_by_hand():
    assert conv_output_length(28, 5, 1, "valid") == 24
    assert conv_output_length(28, 5, 1, "full") == 32
    assert conv_output_length(7, 3, 2, "same") == 4  # ceil(7 / 2)
    assert conv_output_length(7, 3, 3, 1) == 3  # ceil((7 + 2 - 3 + 1) / 3)
    assert conv_output_length(None, 3, 1, 0) is None
    with pytest.raises(ValueError, match="conv_output_length: pad"):
        conv_output_length(7, 3, 1, "half")


@pytest.mark.parametrize("flip_filters", [True, False])
def test_conv_layer_values_match_scipy(flip_filters):
    x = RNG.standard_normal((2, 2, 6, 5)).astype(np.float32)
    w = RNG.standard_normal((3, 2, 3, 3)).astype(np.float32)
    b = RNG.standard_normal(3).astype(np.float32)
    layer = Conv2DLayer(InputLayer((None, 2, 6, 5)), 3, 3, pad="same", W=w, b=b,
                        nonlinearity=None, flip_filters=flip_filters)
    op = signal.convolve2d if flip_filters else signal.correlate2d
    expected = np.array([[sum(op(x[n, c], w[f, c], "same") for c in range(2)) + b[f]
                          for f in range(3)] for n in range(2)])
    np.testing.assert_allclose(get_output(layer, x).eval(), expected, rtol=1e-5, atol=1e-5)


def test_conv_layer_untied_biases_groups_and_rectify():
    x = RNG.standard_normal((1, 4, 5, 5)).astype(np.float32)
    layer = Conv2DLayer(InputLayer((None, 4, 5, 5)), 2, 3, untie_biases=True, num_groups=2,
                        W=init.Constant(1.0), b=init.Constant(-5.0))
    assert layer.W.get_value().shape == (2, 2, 3, 3)
    assert layer.b.get_value().shape == (2, 3, 3)
    bias = RNG.standard_normal((2, 3, 3)).astype(np.float32)
    layer.b.set_value(bias)
    window_sums = np.array([[[x[0, 2 * g:2 * g + 2, r:r + 3, q:q + 3].sum() for q in range(3)]
                             for r in range(3)] for g in range(2)])
    expected = np.maximum(window_sums + bias, 0)
    np.testing.assert_allclose(get_output(layer, x).eval()[0], expected, rtol=1e-5, atol=1e-5)


def test_conv_layer_params_names_and_tags():
    layer = Conv2DLayer(InputLayer((None, 3, 8, 8)), 4, 3, name="conv1")
    assert [p.name for p in get_all_params(layer)] == ["conv1.W", "conv1.b"]
    assert get_all_params(layer, regularizable=True) == [layer.W]
    assert layer.W.dtype == layer.b.dtype == "float32"
    no_bias = Conv2DLayer(InputLayer((None, 3, 8, 8)), 4, 3, b=None)
    assert no_bias.b is None and no_bias.get_params() == [no_bias.W]


@pytest.mark.parametrize("kwargs, match", [
    (dict(num_filters=0, filter_size=3), "num_filters must be a positive integer"),
    (dict(num_filters=2, filter_size=(3, 0)), "filter_size must be a positive integer"),
    (dict(num_filters=2, filter_size=3, stride=-1), "stride must be a positive integer"),
    (dict(num_filters=2, filter_size=3, pad="half"), "pad must be 'valid', 'full', 'same'"),
    (dict(num_filters=2, filter_size=3, pad=-1), "pad must be 'valid', 'full', 'same'"),
    (dict(num_filters=2, filter_size=4, pad="same"), "pad='same' needs an odd filter_size"),
    (dict(num_filters=2, filter_size=9), r"filter_size \(9, 9\) is larger than the input"),
    (dict(num_filters=2, filter_size=3, num_groups=2), r"input channels \(3\) must be divisible"),
    (dict(num_filters=2, filter_size=3, num_groups=0), "num_groups must be a positive integer"),
])
def test_conv_layer_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match) as info:
        Conv2DLayer(InputLayer((None, 3, 8, 8)), name="c", **kwargs)
    assert "Conv2DLayer 'c'" in str(info.value)


def test_conv_layer_rejects_filters_not_divisible_and_wrong_rank():
    with pytest.raises(ValueError, match=r"num_filters \(3\) must be divisible by num_groups=2"):
        Conv2DLayer(InputLayer((None, 4, 8, 8)), 3, 3, num_groups=2)
    with pytest.raises(ValueError, match="Conv2DLayer: expected a 4-D input"):
        Conv2DLayer(InputLayer((None, 3, 8)), 2, 3)
    with pytest.raises(ValueError, match="untie_biases=True needs known input rows"):
        Conv2DLayer(InputLayer((None, 3, None, 8)), 2, 3, untie_biases=True)


@pytest.mark.parametrize("kwargs, expected", [
    (dict(pool_size=2), (3, 3)), (dict(pool_size=2, ignore_border=False), (4, 4)),
    (dict(pool_size=3, stride=2, pad=1), (4, 4)), (dict(pool_size=(2, 3), stride=1), (6, 5)),
    (dict(pool_size=3, stride=2, ignore_border=False), (3, 3)),
])
def test_pool_layer_output_shape_matches_computed_output(kwargs, expected):
    for layer in (MaxPool2DLayer(InputLayer((None, 2, 7, 7)), **kwargs),
                  Pool2DLayer(InputLayer((None, 2, 7, 7)), mode="average_exc_pad", **kwargs)):
        assert layer.output_shape == (None, 2) + expected
        x = RNG.standard_normal((3, 2, 7, 7)).astype(np.float32)
        assert get_output(layer, x).eval().shape == (3, 2) + expected


def test_pool_layers_values_by_hand():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    l_in = InputLayer((None, 1, 4, 4))
    np.testing.assert_array_equal(get_output(MaxPool2DLayer(l_in, 2), x).eval()[0, 0],
                                  [[5, 7], [13, 15]])
    # 3x3 windows, stride 2, pad 1: corners see 4 of 9 cells
    exc = get_output(Pool2DLayer(l_in, 3, stride=2, pad=1, mode="average_exc_pad"), x).eval()
    inc = get_output(Pool2DLayer(l_in, 3, stride=2, pad=1, mode="average_inc_pad"), x).eval()
    assert exc[0, 0, 0, 0] == pytest.approx((0 + 1 + 4 + 5) / 4)
    assert inc[0, 0, 0, 0] == pytest.approx((0 + 1 + 4 + 5) / 9)
    assert get_output(Pool2DLayer(l_in, 2, mode="sum"), x).eval()[0, 0, 1, 1] == 10 + 11 + 14 + 15


@pytest.mark.parametrize("kwargs, match", [
    (dict(pool_size=0), "pool_size must be an integer >= 1"),
    (dict(pool_size=2, stride=0), "stride must be an integer >= 1"),
    (dict(pool_size=2, pad=2), "pad must be smaller than the pool size"),
    (dict(pool_size=2, pad=1, ignore_border=False), "padding requires ignore_border=True"),
    (dict(pool_size=2, mode="median"), "mode must be one of"),
    (dict(pool_size=9), r"pool_size \(9, 9\) is larger than the input"),
])
def test_pool_layer_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match) as info:
        Pool2DLayer(InputLayer((None, 3, 8, 8)), name="p", **kwargs)
    assert "Pool2DLayer 'p'" in str(info.value)


def test_pool_layer_rejects_wrong_rank():
    with pytest.raises(ValueError, match="MaxPool2DLayer: expected a 4-D input"):
        MaxPool2DLayer(InputLayer((None, 3, 8)), 2)
    with pytest.raises(ValueError, match="GlobalPoolLayer: expected an input with at least 3"):
        GlobalPoolLayer(InputLayer((None, 3)))


def test_global_pool_layer_mean_and_max():
    x = RNG.standard_normal((2, 3, 4, 5)).astype(np.float32)
    mean_layer = GlobalPoolLayer(InputLayer((None, 3, 4, 5)))
    max_layer = GlobalPoolLayer(InputLayer((None, 3, 4, 5)), pool_function=pt.max)
    assert mean_layer.output_shape == (None, 3)
    np.testing.assert_allclose(get_output(mean_layer, x).eval(), x.mean(axis=(2, 3)), rtol=1e-5)
    np.testing.assert_allclose(get_output(max_layer, x).eval(), x.max(axis=(2, 3)))


def test_dann_mnist_feature_extractor_shapes():
    l_in = InputLayer((None, 3, 28, 28))
    l_feat = MaxPool2DLayer(Conv2DLayer(l_in, 32, 5), 2)
    l_feat = MaxPool2DLayer(Conv2DLayer(l_feat, 48, 5), 2)
    l_out = DenseLayer(l_feat, 100)
    assert get_output_shape(l_feat) == (None, 48, 4, 4)
    assert l_out.W.get_value().shape == (768, 100)
    assert pool_output_length(24, 2, 2, 0, True) == 12
    x = RNG.standard_normal((2, 3, 28, 28)).astype(np.float32)
    assert get_output(l_out, x).eval().shape == (2, 100)
