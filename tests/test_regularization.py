"""Weight penalties against NumPy sums over the parameter values."""
import numpy as np
import pytest

from adaptnet.layers import DenseLayer, InputLayer
from adaptnet.regularization import (apply_penalty, l1, l2, regularize_layer_params,
                                     regularize_layer_params_weighted, regularize_network_params)


@pytest.fixture
def network():
    l_in = InputLayer((None, 3))
    l_hid = DenseLayer(l_in, 4, b=np.random.RandomState(0).randn(4).astype("float32"))
    l_out = DenseLayer(l_hid, 2, nonlinearity=None)
    return l_in, l_hid, l_out


def values(layer, regularizable_only=True):
    return [p.get_value().astype(np.float64) for p, tags in layer.params.items()
            if "regularizable" in tags or not regularizable_only]


def test_l1_l2_match_numpy():
    x = np.random.RandomState(1).randn(3, 2).astype(np.float32)
    np.testing.assert_allclose(l1(x).eval(), np.abs(x.astype(np.float64)).sum(), rtol=1e-6)
    np.testing.assert_allclose(l2(x).eval(), (x.astype(np.float64) ** 2).sum(), rtol=1e-6)
    assert l2(x).dtype == "float32"


def test_network_penalty_covers_weights_not_biases(network):
    _, l_hid, l_out = network
    expected_l2 = sum((v ** 2).sum() for l in (l_hid, l_out) for v in values(l))
    expected_l1 = sum(np.abs(v).sum() for l in (l_hid, l_out) for v in values(l))
    np.testing.assert_allclose(regularize_network_params(l_out, l2).eval(), expected_l2, rtol=1e-5)
    np.testing.assert_allclose(regularize_network_params(l_out, l1).eval(), expected_l1, rtol=1e-5)
    all_tags = sum((v ** 2).sum() for l in (l_hid, l_out) for v in values(l, False))
    np.testing.assert_allclose(regularize_network_params(l_out, l2, tags={}).eval(), all_tags,
                               rtol=1e-5)


def test_layer_penalties(network):
    _, l_hid, l_out = network
    np.testing.assert_allclose(regularize_layer_params(l_hid, l2).eval(),
                               (values(l_hid)[0] ** 2).sum(), rtol=1e-5)
    both = regularize_layer_params([l_hid, l_out], l1).eval()
    np.testing.assert_allclose(both, sum(np.abs(values(l)[0]).sum() for l in (l_hid, l_out)),
                               rtol=1e-5)
    weighted = regularize_layer_params_weighted({l_hid: 0.1, l_out: 0.5}, l2)
    expected = 0.1 * (values(l_hid)[0] ** 2).sum() + 0.5 * (values(l_out)[0] ** 2).sum()
    np.testing.assert_allclose(weighted.eval(), expected, rtol=1e-5)
    assert weighted.dtype == "float32"


def test_apply_penalty_with_kwargs_and_empty_list():
    def scaled_l2(x, scale):
        return scale * l2(x)
    x = np.ones(3, dtype=np.float32)
    assert float(apply_penalty([x, x], scaled_l2, scale=np.float32(2.0)).eval()) == 12.0
    assert float(apply_penalty([], l2).eval()) == 0.0


def test_bad_arguments_raise(network):
    _, l_hid, _ = network
    with pytest.raises(TypeError, match="apply_penalty: penalty"):
        apply_penalty([], "l2")
    with pytest.raises(TypeError, match="regularize_layer_params: layer"):
        regularize_layer_params("dense", l2)
    with pytest.raises(TypeError, match="regularize_layer_params_weighted: layers"):
        regularize_layer_params_weighted([l_hid], l2)
