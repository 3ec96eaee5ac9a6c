"""Property tests: mini-batching visits every sample exactly once per epoch, whatever the sizes.

Samples carry their own index as their value, so each batch says which samples it holds.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adaptnet import AdversarialNet
from adaptnet.layers import DenseLayer, InputLayer
from adaptnet.nets import BatchIterator
from adaptnet.nets.domain_batches import CyclicSampler
from adaptnet.nonlinearities import softmax

SETTINGS = settings(max_examples=40, deadline=None)

n_samples = st.integers(min_value=1, max_value=60)
batch_sizes = st.integers(min_value=1, max_value=70)
epochs = st.integers(min_value=1, max_value=4)


def indexed(n, offset=0):
    """``X`` whose row ``i`` is ``[offset + i, -(offset + i)]``, ``y`` equal to ``offset + i``."""
    values = np.arange(offset, offset + n)
    return np.stack([values, -values], axis=1).astype(np.float32), values


@SETTINGS
@given(n=n_samples, batch_size=batch_sizes, shuffle=st.booleans(), n_epochs=epochs, seed=st.integers(0, 99))
def test_batch_iterator_covers_every_sample_once_per_epoch(n, batch_size, shuffle, n_epochs, seed):
    X, y = indexed(n)
    iterator = BatchIterator(batch_size, shuffle=shuffle, seed=seed)
    orders = []
    for _ in range(n_epochs):
        batches = list(iterator(X, y))
        assert len(batches) == iterator.n_batches == -(-n // batch_size)
        sizes = [len(yb) for _, yb in batches]
        assert sizes[:-1] == [batch_size] * (len(sizes) - 1) and 0 < sizes[-1] <= batch_size
        for Xb, yb in batches:
            np.testing.assert_array_equal(Xb[:, 0], yb)  # rows stay with their labels
        order = np.concatenate([yb for _, yb in batches])
        assert sorted(order.tolist()) == list(range(n))
        orders.append(order.tolist())
    if not shuffle:
        assert all(order == list(range(n)) for order in orders)


@SETTINGS
@given(n=n_samples, takes=st.lists(st.integers(1, 50), min_size=1, max_size=8), shuffle=st.booleans(),
       seed=st.integers(0, 99))
def test_cyclic_sampler_streams_whole_passes(n, takes, shuffle, seed):
    sampler = CyclicSampler(n, shuffle=shuffle, seed=seed)
    stream = np.concatenate([sampler.take(k) for k in takes])
    assert len(stream) == sum(takes)
    full = len(stream) // n
    for p in range(full):  # every complete pass is a permutation
        assert sorted(stream[p * n:(p + 1) * n].tolist()) == list(range(n))
    rest = stream[full * n:]
    assert len(set(rest.tolist())) == len(rest)  # an unfinished pass repeats nothing


@pytest.fixture(scope="module")
def net():
    spec = [(InputLayer, {"shape": (None, 2)}), (DenseLayer, {"num_units": 2, "nonlinearity": softmax})]
    return AdversarialNet(spec, domain_hidden_num_units=2, random_state=0).initialize()


@SETTINGS
@given(n_source=n_samples, n_target=n_samples, batch_size=batch_sizes, shuffle=st.booleans(), n_epochs=epochs)
def test_adversarial_batches_pair_the_domains(net, n_source, n_target, batch_size, shuffle, n_epochs):
    """Every sample of the larger domain once per epoch; the smaller one cycled in whole passes."""
    X, y = indexed(n_source)
    X_target, _ = indexed(n_target, offset=1000)
    data = {"X_train": X, "y_train": y, "X_target": X_target}
    net._iterators["train"] = BatchIterator(batch_size, shuffle=shuffle)
    net._samplers = {}
    n_larger = max(n_source, n_target)
    streams = {"source": [], "target": []}
    for _ in range(n_epochs):
        batches = list(net._train_batches(data))
        assert len(batches) == net._batches_per_epoch(data) == -(-n_larger // batch_size)
        epoch = {"source": [], "target": []}
        for (Xb, yb, Xtb), size in batches:
            assert len(Xb) == len(yb) == len(Xtb) == size  # half and half
            assert Xb.dtype == Xtb.dtype == np.float32 and Xb.flags.c_contiguous
            np.testing.assert_array_equal(Xb[:, 0], yb)
            epoch["source"] += yb.tolist()
            epoch["target"] += (Xtb[:, 0] - 1000).astype(int).tolist()
        for name, n in (("source", n_source), ("target", n_target)):
            assert len(epoch[name]) == n_larger
            if n == n_larger:
                assert sorted(epoch[name]) == list(range(n))
            streams[name] += epoch[name]
    for name, n in (("source", n_source), ("target", n_target)):
        stream = streams[name]
        for p in range(len(stream) // n):  # the smaller domain: consecutive whole passes
            assert sorted(stream[p * n:(p + 1) * n]) == list(range(n))
