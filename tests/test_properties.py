"""Property-based checks: declared output shapes match evaluated ones; exact gradient reversal."""
import numpy as np
import pytensor
import pytensor.tensor as pt
from hypothesis import given, settings
from hypothesis import strategies as st

from adaptnet.layers import (ConcatLayer, DenseLayer, DimshuffleLayer, FlattenLayer,
                             GradientReversalLayer, InputLayer, ReshapeLayer, get_output,
                             get_output_shape)
from adaptnet.utils import floatX

SETTINGS = settings(max_examples=30, deadline=None)

sizes = st.integers(min_value=1, max_value=4)
feature_dims = st.lists(sizes, min_size=1, max_size=3)
batch_sizes = st.integers(min_value=1, max_value=3)


def check_shapes(layer, inputs):
    """Declared shape (free batch axis), shape for concrete inputs and real shape agree."""
    values = {l: floatX(np.random.RandomState(0).randn(*shape)) for l, shape in inputs.items()}
    actual = get_output(layer, values).eval().shape
    declared = layer.output_shape
    assert len(declared) == len(actual)
    assert all(d is None or d == a for d, a in zip(declared, actual))
    assert get_output_shape(layer, {l: v.shape for l, v in values.items()}) == actual


@SETTINGS
@given(batch=batch_sizes, dims=feature_dims, num_units=sizes, data=st.data())
def test_dense_output_shape(batch, dims, num_units, data):
    leading = data.draw(st.integers(min_value=1, max_value=len(dims)))
    l_in = InputLayer((None, *dims))
    layer = DenseLayer(l_in, num_units, num_leading_axes=leading)
    check_shapes(layer, {l_in: (batch, *dims)})


def _prime_factors(n):
    factors, p = [], 2
    while n > 1:
        while n % p == 0:
            factors.append(p)
            n //= p
        p += 1
    return factors


@SETTINGS
@given(batch=batch_sizes, dims=feature_dims, data=st.data())
def test_reshape_output_shape(batch, dims, data):
    # regroup the prime factors of the feature size into a random new shape
    factors = data.draw(st.permutations(_prime_factors(int(np.prod(dims)))))
    n_groups = data.draw(st.integers(min_value=1, max_value=max(1, len(factors))))
    groups = [1] * n_groups
    for i, f in enumerate(factors):
        groups[data.draw(st.integers(0, n_groups - 1), label=f"group of factor {i}")] *= f
    spec = [[0]] + groups
    if data.draw(st.booleans(), label="use -1"):
        spec[data.draw(st.integers(1, n_groups))] = -1
    l_in = InputLayer((None, *dims))
    layer = ReshapeLayer(l_in, tuple(spec))
    assert layer.output_shape == (None, *groups)
    check_shapes(layer, {l_in: (batch, *dims)})


@SETTINGS
@given(batch=batch_sizes, dims=feature_dims, data=st.data())
def test_flatten_output_shape(batch, dims, data):
    outdim = data.draw(st.integers(min_value=1, max_value=len(dims) + 1))
    l_in = InputLayer((None, *dims))
    check_shapes(FlattenLayer(l_in, outdim=outdim), {l_in: (batch, *dims)})


@SETTINGS
@given(batch=batch_sizes, dims=st.lists(st.integers(1, 3), min_size=1, max_size=3),
       data=st.data())
def test_dimshuffle_output_shape(batch, dims, data):
    shape = (batch, *dims)
    kept = [a for a, s in enumerate(shape)
            if s != 1 or a == 0 or data.draw(st.booleans(), label=f"keep axis {a}")]
    pattern = list(data.draw(st.permutations(kept)))
    for _ in range(data.draw(st.integers(0, 2), label="new axes")):
        pattern.insert(data.draw(st.integers(0, len(pattern))), "x")
    l_in = InputLayer((None, *dims))
    layer = DimshuffleLayer(l_in, tuple(pattern))
    check_shapes(layer, {l_in: shape})


@SETTINGS
@given(batch=batch_sizes, dims=feature_dims, n_inputs=st.integers(2, 3), data=st.data())
def test_concat_output_shape(batch, dims, n_inputs, data):
    ndim = len(dims) + 1
    axis = data.draw(st.integers(min_value=-ndim, max_value=ndim - 1))
    shapes = []
    for i in range(n_inputs):
        shape = [batch, *dims]
        shape[axis] = data.draw(sizes, label=f"size of input {i} on the axis")
        shapes.append(tuple(shape))
    layers = [InputLayer((None, *s[1:])) for s in shapes]
    layer = ConcatLayer(layers, axis=axis)
    check_shapes(layer, dict(zip(layers, shapes)))


@SETTINGS
@given(shape=st.lists(sizes, min_size=1, max_size=3),
       lam=st.floats(min_value=-10, max_value=10, allow_nan=False, width=32),
       seed=st.integers(0, 2 ** 16))
def test_gradient_reversal_is_exact(shape, lam, seed):
    rng = np.random.RandomState(seed)
    x_val = floatX(rng.randn(*shape))
    c_val = floatX(rng.randn(*shape))
    l_in = InputLayer((None,) * len(shape))
    layer = GradientReversalLayer(l_in, hp_lambda=lam)
    x = l_in.input_var
    c = pt.tensor(dtype="float32", shape=(None,) * len(shape))
    out = get_output(layer)
    f = pytensor.function([x, c], [out, pytensor.grad(pt.sum(out * c), x)])
    y, g = f(x_val, c_val)
    assert y.tobytes() == x_val.tobytes()
    np.testing.assert_array_equal(g, np.float32(-lam) * c_val)
