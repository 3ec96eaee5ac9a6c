"""Same random_state and data: identical history and bit-identical weights, in and across processes."""
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from adaptnet import AdversarialNet, BatchIterator, updates
from adaptnet.callbacks import EarlyStopping, LambdaScheduler
from adaptnet.layers import DenseLayer, DropoutLayer, InputLayer
from adaptnet.nonlinearities import softmax

pytestmark = pytest.mark.numba

THIS = pathlib.Path(__file__)

# Run by a fresh interpreter: loads this file as a module, fits, writes weights and history.
CHILD = """
import importlib.util, json, sys
import numpy as np
spec = importlib.util.spec_from_file_location("setup_module", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
X, y, Xt = m.make_data()
net = m.make_net().fit(X, y, Xt)
np.savez(sys.argv[2], **m.weights(net))
json.dump(m.history(net), open(sys.argv[3], "w"))
"""


def make_data():
    rng = np.random.RandomState(0)
    y = np.arange(40) % 2
    X = (rng.normal(size=(40, 3)) + y[:, None]).astype(np.float32)
    Xt = (rng.normal(size=(25, 3)) + 0.7).astype(np.float32)
    return X, y, Xt


def make_net(**kwargs):
    """A DANN with dropout (PyTensor streams), shuffling, momentum slots and stateful callbacks."""
    params = dict(
        layers=[(InputLayer, {"shape": (None, 3)}), (DenseLayer, {"num_units": 6, "name": "hidden"}),
                (DropoutLayer, {"p": 0.2, "name": "drop"}),
                (DenseLayer, {"num_units": 2, "nonlinearity": softmax})],
        feature_layer="drop", domain_hidden_num_units=4, update=updates.nesterov_momentum,
        update_learning_rate=0.05, update_momentum=0.9, max_epochs=12,
        batch_iterator_train=BatchIterator(batch_size=8, shuffle=True), random_state=3,
        callbacks=[LambdaScheduler(), EarlyStopping(monitor="train_loss", patience=100)])
    params.update(kwargs)
    return AdversarialNet(**params)


def weights(net):
    return {f"{name}.{i}": v for name, values in net.get_all_params_values().items() for i, v in enumerate(values)}


def history(net):
    return [{k: v for k, v in row.items() if k != "dur"} for row in net.train_history_]


def assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.fixture(scope="module")
def reference():
    X, y, Xt = make_data()
    net = make_net().fit(X, y, Xt)
    return net, weights(net), history(net)


def test_two_nets_and_two_fits_in_one_process(reference):
    net, ref_weights, ref_history = reference
    X, y, Xt = make_data()
    other = make_net().fit(X, y, Xt)
    assert history(other) == ref_history
    assert_same_weights(weights(other), ref_weights)
    net.fit(X, y, Xt)  # refit of the same net (reuses its compiled functions)
    assert history(net) == ref_history
    assert_same_weights(weights(net), ref_weights)
    net.set_params(random_state=4).fit(X, y, Xt)
    assert not np.array_equal(weights(net)["hidden.0"], ref_weights["hidden.0"])
    net.set_params(random_state=3)


def test_across_processes(reference, tmp_path):
    _, ref_weights, ref_history = reference
    out_w, out_h = tmp_path / "w.npz", tmp_path / "h.json"
    subprocess.run([sys.executable, "-c", CHILD, str(THIS), str(out_w), str(out_h)], check=True, timeout=300)
    with np.load(out_w) as child:
        assert_same_weights(dict(child), ref_weights)
    assert json.loads(out_h.read_text()) == json.loads(json.dumps(ref_history))
