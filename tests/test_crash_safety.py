"""A crash at any moment of a checkpoint write never leaves a half-written file under the final name.

A child process writes checkpoints to one path in a loop and is SIGKILLed at
random moments; after every kill the path holds a complete checkpoint (or
nothing, before the first write finished). Truncated and bit-flipped files are
rejected with a clear error.
"""
import hashlib
import json
import os
import pathlib
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from adaptnet import AdversarialNet
from adaptnet.layers import DenseLayer, InputLayer
from adaptnet.nonlinearities import softmax
from adaptnet.serialization import FORMAT_VERSION, MAGIC, read_checkpoint, write_checkpoint

SERIALIZATION = pathlib.Path(__file__).parents[1] / "adaptnet" / "serialization.py"

# The child loads serialization.py by path: importing the adaptnet package (PyTensor) would take
# seconds per trial, and the module needs only the standard library.
CHILD = """
import importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("serialization", sys.argv[1])
serialization = importlib.util.module_from_spec(spec)
spec.loader.exec_module(serialization)
start = int(sys.argv[3])
print("started", flush=True)
for i in range(start, start + 10 ** 6):
    serialization.write_checkpoint(sys.argv[2], {"i": i, "params": np.full(250_000, i, np.float32)})
"""

TRIALS = 20


def assert_complete(payload):
    """A checkpoint written by CHILD, with every parameter from the same save."""
    assert set(payload) == {"i", "params"}
    assert payload["params"].shape == (250_000,)
    assert (payload["params"] == payload["i"]).all()


def read_or_absent(path):
    try:
        return read_checkpoint(path)
    except FileNotFoundError:
        return None


def test_sigkill_during_checkpoint_writes_never_leaves_a_broken_file(tmp_path):
    path = tmp_path / "model.ckpt"
    rng = random.Random(0)
    survived, mid_write, reads, last_i = 0, 0, 0, -1
    stale = set()
    deadline = time.monotonic() + 30
    for trial in range(TRIALS):
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(SERIALIZATION), str(path), str(last_i + 1)],
                                 stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "started"
            # readers polling the file while it is being replaced must always see a whole checkpoint
            stop_at = time.monotonic() + rng.uniform(0.0, 0.15)
            while time.monotonic() < stop_at:
                payload = read_or_absent(path)
                if payload is not None:
                    assert_complete(payload)
                    reads += 1
            os.kill(child.pid, signal.SIGKILL)
        finally:
            child.kill()
            child.wait()
            child.stdout.close()
        assert child.returncode == -signal.SIGKILL

        payload = read_or_absent(path)
        if payload is None:
            assert last_i == -1, "the checkpoint disappeared after a kill"
        else:
            assert_complete(payload)
            assert payload["i"] >= last_i
            last_i = payload["i"]
        leftovers = {p.name for p in tmp_path.iterdir() if p.name != path.name}
        mid_write += len(leftovers - stale)
        stale = leftovers
        for name in leftovers:
            # a temp file is hidden and never takes the checkpoint's name; one cut short is rejected
            assert name.startswith(f".{path.name}.") and name.endswith(".tmp")
            try:
                assert_complete(read_checkpoint(tmp_path / name))
            except ValueError as exc:
                assert "truncated" in str(exc) or "corrupt" in str(exc) or "not an adaptnet" in str(exc)
        survived += 1
        assert time.monotonic() < deadline, f"only {survived} trials fit in 30 s"
    print(f"\ncheckpoint crash safety: {survived}/{TRIALS} SIGKILL trials survived, {mid_write} kills "
          f"left a temp file (killed mid-write), {reads} concurrent reads all complete, last save #{last_i}")
    assert survived == TRIALS
    assert last_i >= 0, "no checkpoint was ever completed: the kills came too early to test anything"


# ------------------------------------------------------------------ damaged files

@pytest.fixture(scope="module")
def small_checkpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("ckpt") / "small.ckpt"
    write_checkpoint(path, {"epoch": 3, "W": np.arange(6, dtype=np.float32)})
    return path.read_bytes()


def test_every_truncation_is_rejected(small_checkpoint, tmp_path):
    path = tmp_path / "cut.ckpt"
    for length in range(len(small_checkpoint)):
        path.write_bytes(small_checkpoint[:length])
        with pytest.raises(ValueError, match=r"read_checkpoint: .*(not an adaptnet checkpoint|corrupt header|"
                                             r"truncated or padded: payload of \d+ bytes, header says \d+)"):
            read_checkpoint(path)


def test_every_single_bit_flip_is_rejected(small_checkpoint, tmp_path):
    path = tmp_path / "flipped.ckpt"
    rng = np.random.RandomState(0)
    for position in range(len(small_checkpoint)):
        damaged = bytearray(small_checkpoint)
        damaged[position] ^= 1 << rng.randint(8)
        path.write_bytes(bytes(damaged))
        with pytest.raises(ValueError, match=r"read_checkpoint: .*(not an adaptnet checkpoint|corrupt|"
                                             r"format version|truncated or padded)"):
            read_checkpoint(path)


def test_payload_damage_reports_the_checksum_and_a_newer_format_the_version(small_checkpoint, tmp_path):
    path = tmp_path / "bad.ckpt"
    damaged = bytearray(small_checkpoint)
    damaged[-5] ^= 0x10
    path.write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match=r"is corrupt \(SHA-256 mismatch\)"):
        read_checkpoint(path)

    body = small_checkpoint[small_checkpoint.index(b"\n", len(MAGIC)) + 1:]
    header = {"format_version": FORMAT_VERSION + 1, "sha256": hashlib.sha256(body).hexdigest(),
              "length": len(body)}
    path.write_bytes(MAGIC + json.dumps(header).encode() + b"\n" + body)
    with pytest.raises(ValueError, match=rf"has format version {FORMAT_VERSION + 1}, this adaptnet reads "
                                         rf"version {FORMAT_VERSION}"):
        read_checkpoint(path)


def test_a_damaged_net_checkpoint_leaves_the_net_unchanged(tmp_path):
    spec = [(InputLayer, {"shape": (None, 2)}), (DenseLayer, {"num_units": 3}),
            (DenseLayer, {"num_units": 2, "nonlinearity": softmax})]
    source = AdversarialNet(spec, domain_hidden_num_units=3, random_state=0).initialize()
    target = AdversarialNet(spec, domain_hidden_num_units=3, random_state=1).initialize()
    before = [v.copy() for vals in target.get_all_params_values().values() for v in vals]
    path = tmp_path / "net.ckpt"
    source.save_checkpoint(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated"):
        target.load_checkpoint(path)
    with pytest.raises(ValueError, match="truncated"):
        AdversarialNet.load_checkpoint(path)
    after = [v for vals in target.get_all_params_values().values() for v in vals]
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)
