"""Checkpoints: the file format, and exact resumption in a new process."""
import importlib.util
import json
import os
import pathlib
import pickle
import subprocess
import sys

import numpy as np
import pytest

from adaptnet import AdversarialNet, NeuralNet
from adaptnet.serialization import MAGIC, read_checkpoint, write_checkpoint

DETERMINISM = pathlib.Path(__file__).with_name("test_determinism.py")

# Run by a fresh interpreter: load a checkpoint, train 6 more epochs, write the weights.
CHILD = """
import importlib.util, json, sys
import numpy as np
from adaptnet import NeuralNet
spec = importlib.util.spec_from_file_location("setup_module", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
X, y, Xt = m.make_data()
net = NeuralNet.load_checkpoint(sys.argv[2])
net.partial_fit(X, y, Xt, epochs=6)
np.savez(sys.argv[3], **m.weights(net))
json.dump({"history": m.history(net), "best_epoch": net.callbacks[1].best_epoch_}, open(sys.argv[4], "w"))
"""


def load_setup():
    spec = importlib.util.spec_from_file_location("determinism_setup", DETERMINISM)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_file_format_round_trip_and_corruption(tmp_path):
    path = tmp_path / "c.ckpt"
    write_checkpoint(path, {"a": np.arange(3)})
    np.testing.assert_array_equal(read_checkpoint(path)["a"], np.arange(3))
    data = path.read_bytes()
    assert data.startswith(MAGIC)
    header = json.loads(data[len(MAGIC):data.index(b"\n", len(MAGIC))])
    assert header["format_version"] == 1 and header["length"] == len(pickle.dumps({"a": np.arange(3)}, 5))
    assert os.listdir(tmp_path) == ["c.ckpt"]  # no temporary file left behind
    (tmp_path / "trunc").write_bytes(data[:-5])
    with pytest.raises(ValueError, match="truncated"):
        read_checkpoint(tmp_path / "trunc")
    flipped = bytearray(data)
    flipped[-3] ^= 0xFF
    (tmp_path / "flip").write_bytes(bytes(flipped))
    with pytest.raises(ValueError, match="SHA-256"):
        read_checkpoint(tmp_path / "flip")
    (tmp_path / "foreign").write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(ValueError, match="not an adaptnet checkpoint"):
        read_checkpoint(tmp_path / "foreign")
    (tmp_path / "future").write_bytes(data.replace(b'"format_version": 1', b'"format_version": 9'))
    with pytest.raises(ValueError, match="format version 9"):
        read_checkpoint(tmp_path / "future")


def test_failed_write_keeps_previous_file(tmp_path):
    path = tmp_path / "c.ckpt"
    write_checkpoint(path, {"epoch": 1})
    with pytest.raises(Exception):
        write_checkpoint(path, {"f": lambda: None})  # lambdas do not pickle
    assert read_checkpoint(path) == {"epoch": 1} and os.listdir(tmp_path) == ["c.ckpt"]


@pytest.mark.numba
def test_resume_in_new_process_equals_uninterrupted_training(tmp_path):
    setup = load_setup()
    X, y, Xt = setup.make_data()
    full = setup.make_net().fit(X, y, Xt)
    half = setup.make_net().fit(X, y, Xt, epochs=6)
    path = tmp_path / "half.ckpt"
    half.save_checkpoint(path)
    out_w, out_h = tmp_path / "w.npz", tmp_path / "h.json"
    subprocess.run([sys.executable, "-c", CHILD, str(DETERMINISM), str(path), str(out_w), str(out_h)],
                   check=True, timeout=300)
    with np.load(out_w) as resumed:
        expected = setup.weights(full)
        assert resumed.keys() == expected.keys()
        for key in expected:
            np.testing.assert_allclose(resumed[key], expected[key], rtol=0, atol=1e-6, err_msg=key)
    child = json.loads(out_h.read_text())
    assert len(child["history"]) == 12
    assert [r["train_loss"] for r in child["history"]] == pytest.approx(full.train_history_[:, "train_loss"], abs=1e-6)
    assert child["best_epoch"] == full.callbacks[1].best_epoch_

    # loading into a net of another architecture fails and leaves it unchanged
    other = setup.make_net(domain_hidden_num_units=5).fit(X, y, Xt, epochs=1)
    before = setup.weights(other)
    with pytest.raises(ValueError, match=r"layer 'domain_hidden' has parameter shapes \[\(6, 5\), \(5,\)\] here "
                                         r"and \[\(6, 4\), \(4,\)\] in the checkpoint"):
        other.load_checkpoint(path)
    for key, value in setup.weights(other).items():
        np.testing.assert_array_equal(value, before[key])
    assert len(other.train_history_) == 1
    # loading into a compatible net restores the training state in place
    same = setup.make_net().fit(X, y, Xt, epochs=1)
    assert same.load_checkpoint(path) is same and len(same.train_history_) == 6
    for key, value in setup.weights(same).items():
        np.testing.assert_array_equal(value, setup.weights(half)[key])
    with pytest.raises(TypeError, match="holds a AdversarialNet"):
        type("OtherNet", (NeuralNet,), {}).load_checkpoint(path)
    assert isinstance(AdversarialNet.load_checkpoint(path), AdversarialNet)
