"""Tests of the ``adaptnet`` command line: demo, train (config validation), predict."""
import json
import os
import pathlib
import pickle
import re
import subprocess
import sys
import textwrap

import matplotlib.image
import numpy as np
import pytest

from adaptnet.cli import main
from adaptnet.cli.config import SCHEMA
from adaptnet.cli.output import staged_folder

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _events(folder):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    return EventAccumulator(str(folder)).Reload()


def _make_data(folder, n=48, n_features=3, seed=0):
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 2
    X = rng.randn(n, n_features).astype(np.float32) + 2 * y[:, None]
    np.savez(folder / "source.npz", X=X, y=y)
    np.savez(folder / "target.npz", X=X + 0.5)
    np.savez(folder / "target_valid.npz", X=X[:12] + 0.5, y=y[:12])
    return X, y


BASE_CONFIG = """
[data]
source = "source.npz"
target = "target.npz"
target_valid = "target_valid.npz"

[network]
preset = "mlp"
[network.options]
hidden_units = [6]
domain_hidden_units = 4

[estimator]
max_epochs = 3
batch_size = 16
learning_rate = 0.05
random_state = 0

[lr_schedule]
schedule = "dann"

[early_stopping]
enabled = true
monitor = "target_valid_loss"
patience = 5

[output]
dir = "run"
"""


def _write_config(folder, text=BASE_CONFIG):
    path = folder / "config.toml"
    path.write_text(textwrap.dedent(text))
    return path


def _leftovers(folder):
    return sorted(p for p in os.listdir(folder) if p.startswith("."))


# ----------------------------------------------------------------------------- help


def test_help_of_every_command_is_complete(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    top = capsys.readouterr().out
    for command in ("demo", "train", "predict"):
        assert command in top
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    demo = capsys.readouterr().out
    for option in ("--epochs", "--seed", "--out", "--no-plots", "--tsne"):
        assert option in demo
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    train = capsys.readouterr().out
    for section, options in SCHEMA.items():
        assert f"[{section}]" in train
        for key in options:
            assert re.search(rf"^\s+{key} \(", train, re.M), f"{section}.{key} missing from help"
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    predict = capsys.readouterr().out
    for word in ("MODEL", "DATA", "--out", "--proba"):
        assert word in predict


def test_python_dash_m_runs_the_same_command_line():
    result = subprocess.run([sys.executable, "-m", "adaptnet", "--version"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0
    assert result.stdout.strip().startswith("adaptnet ")


def test_a_missing_subcommand_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


# ----------------------------------------------------------------------------- config errors


def _replace(old, new):
    def edit(text):
        assert old in text
        return text.replace(old, new)
    return edit


CONFIG_ERRORS = [
    ("not_toml", lambda t: t + "\n[estimator\n", "not valid TOML"),
    ("unknown_section", lambda t: t + "\n[optimizer]\nlr = 1\n", "'optimizer'"),
    ("unknown_key", _replace("max_epochs = 3", "max_epochs = 3\nepochs = 4"), "estimator.epochs"),
    ("wrong_type", _replace("max_epochs = 3", 'max_epochs = "ten"'),
     "estimator.max_epochs: expected a positive integer, got 'ten'"),
    ("bool_for_int", _replace("batch_size = 16", "batch_size = true"), "estimator.batch_size"),
    ("negative_rate", _replace("learning_rate = 0.05", "learning_rate = -1.0"),
     "estimator.learning_rate: expected a positive number"),
    ("bad_choice", _replace('schedule = "dann"', 'schedule = "fancy"'), "lr_schedule.schedule"),
    ("section_not_table", lambda t: "tensorboard = 1\n" + t, "tensorboard: expected a table"),
    ("missing_source", _replace('source = "source.npz"\n', ""), "data.source is required"),
    ("missing_file", _replace('"target.npz"', '"nope.npz"'), "data.target: file"),
    ("bad_data_table", _replace('"target.npz"', '{X = "target.npz", Z = "z.npy"}'),
     "data.target: expected a path"),
    ("unknown_preset", _replace('preset = "mlp"', 'preset = "resnet"'), "network.preset"),
    ("unimportable_preset", _replace('preset = "mlp"', 'preset = "no_such_module:build"'),
     "network.preset: cannot import module 'no_such_module'"),
    ("unknown_option", _replace("hidden_units = [6]", "width = 6"),
     "network.options: .*unexpected keyword argument 'width'"),
    ("bad_option_value", _replace("hidden_units = [6]", "hidden_units = [0]"),
     "network.options: .*hidden_units must be a positive integer"),
    ("monitor_needs_target_valid", _replace('target_valid = "target_valid.npz"\n', ""),
     "early_stopping.monitor: 'target_valid_loss' needs data.target_valid"),
    ("unknown_monitor", _replace('monitor = "target_valid_loss"', 'monitor = "acc"'),
     "early_stopping.monitor: expected one of"),
]


@pytest.mark.parametrize("name, edit, message", CONFIG_ERRORS, ids=[c[0] for c in CONFIG_ERRORS])
def test_config_errors_exit_2_name_the_key_and_write_nothing(tmp_path, capsys, name, edit,
                                                             message):
    _make_data(tmp_path)
    config = _write_config(tmp_path, edit(BASE_CONFIG))
    before = sorted(os.listdir(tmp_path))
    assert main(["train", str(config), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("adaptnet train: error: ")
    assert re.search(message, err), err
    assert len(err.strip().splitlines()) == 1
    assert sorted(os.listdir(tmp_path)) == before


ARRAY_ERRORS = [
    ("no_y_key", lambda d: np.savez(d / "source.npz", X=np.zeros((8, 3))),
     "data.source: .*has no array 'y'"),
    ("feature_mismatch", lambda d: np.savez(d / "target.npz", X=np.zeros((8, 4))),
     r"data.target: expected samples of shape \(3,\) like data.source, got \(4,\)"),
    ("label_count_mismatch",
     lambda d: np.savez(d / "source.npz", X=np.zeros((8, 3)), y=np.arange(7) % 2),
     r"data.source: expected y to be a 1-D array .* \(8\)"),
    ("float_labels",
     lambda d: np.savez(d / "source.npz", X=np.zeros((4, 3)), y=np.array([0.0, 1.0, 0.5, 1.0])),
     "data.source: expected y .*integer"),
    ("nan_samples",
     lambda d: np.savez(d / "target.npz", X=np.full((4, 3), np.nan)),
     "data.target: X contains NaN"),
    ("one_dimensional_X", lambda d: np.savez(d / "target.npz", X=np.zeros(4)),
     r"data.target: expected X .*shape \(4,\)"),
    ("unknown_target_class",
     lambda d: np.savez(d / "target_valid.npz", X=np.zeros((2, 3)), y=np.array([0, 7])),
     r"data.target_valid: expected labels in 0..1"),
    ("not_numpy", lambda d: (d / "target.npz").write_text("hello"), "data.target: cannot read"),
]


@pytest.mark.parametrize("name, spoil, message", ARRAY_ERRORS, ids=[c[0] for c in ARRAY_ERRORS])
def test_bad_arrays_exit_2_and_name_the_file(tmp_path, capsys, name, spoil, message):
    _make_data(tmp_path)
    spoil(tmp_path)
    config = _write_config(tmp_path)
    assert main(["train", str(config), "--quiet"]) == 2
    assert re.search(message, capsys.readouterr().err)
    assert not (tmp_path / "run").exists() and not _leftovers(tmp_path)


def test_npy_tables_are_accepted_and_checked(tmp_path, capsys):
    X, y = _make_data(tmp_path)
    np.save(tmp_path / "xs.npy", X)
    config = _write_config(tmp_path, BASE_CONFIG.replace(
        '"source.npz"', '{X = "xs.npy", y = "missing_y.npy"}'))
    assert main(["train", str(config), "--quiet"]) == 2
    assert "data.source.y: file" in capsys.readouterr().err


def test_missing_config_and_existing_output_exit_2(tmp_path, capsys):
    assert main(["train", str(tmp_path / "none.toml")]) == 2
    assert "does not exist; expected a TOML file" in capsys.readouterr().err
    _make_data(tmp_path)
    config = _write_config(tmp_path)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "keep.txt").write_text("mine")
    assert main(["train", str(config), "--quiet"]) == 2
    assert "output.dir: the output folder" in capsys.readouterr().err
    assert main(["train", str(config), "--quiet", "--out", str(tmp_path / "run")]) == 2
    assert "--out: the output folder" in capsys.readouterr().err
    assert os.listdir(tmp_path / "run") == ["keep.txt"]


def test_predict_errors_exit_2(tmp_path, capsys):
    assert main(["predict", str(tmp_path / "none.pkl"), "x.npy"]) == 2
    assert "MODEL: " in capsys.readouterr().err
    (tmp_path / "model.pkl").write_bytes(b"not a pickle")
    assert main(["predict", str(tmp_path), "x.npy"]) == 2
    assert "MODEL: cannot unpickle" in capsys.readouterr().err
    with open(tmp_path / "model.pkl", "wb") as f:
        pickle.dump({"not": "a net"}, f)
    assert main(["predict", str(tmp_path / "model.pkl"), "x.npy"]) == 2
    assert "holds a dict, not a fitted net" in capsys.readouterr().err


def test_staged_folder_leaves_nothing_on_failure_and_replaces_on_success(tmp_path):
    destination = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        with staged_folder(destination) as folder:
            (pathlib.Path(folder) / "half.txt").write_text("partial")
            raise KeyboardInterrupt
    assert os.listdir(tmp_path) == []
    destination.mkdir()
    (destination / "old.txt").write_text("old")
    with pytest.raises(FileExistsError):
        with staged_folder(destination):
            pass
    with staged_folder(destination, overwrite=True) as folder:
        (pathlib.Path(folder) / "new.txt").write_text("new")
        assert os.listdir(destination) == ["old.txt"]
    assert os.listdir(tmp_path) == ["run"] and os.listdir(destination) == ["new.txt"]


# ----------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One `adaptnet train` run on a tiny problem, shared by the end-to-end tests."""
    folder = tmp_path_factory.mktemp("train")
    _make_data(folder)
    config = _write_config(folder)
    code = main(["train", str(config), "--quiet"])
    return folder, code


@pytest.mark.numba
def test_train_writes_model_params_history_and_logs(trained, capsys):
    folder, code = trained
    assert code == 0
    run = folder / "run"
    assert sorted(os.listdir(run)) == ["config.toml", "history.csv", "history.json", "model.pkl",
                                       "params.pkl", "runs"]
    assert not _leftovers(folder)
    with open(run / "model.pkl", "rb") as f:
        net = pickle.load(f)
    history = json.loads((run / "history.json").read_text())
    assert [row["epoch"] for row in history] == [1, 2, 3] == net.train_history_[:, "epoch"]
    np.testing.assert_allclose([row["label_loss"] for row in history],
                               net.train_history_[:, "label_loss"], rtol=1e-6)
    lines = (run / "history.csv").read_text().splitlines()
    header = lines[0].split(",")
    assert len(lines) == 4 and {"epoch", "label_loss", "domain_loss", "hp_lambda",
                                "target_valid_accuracy"} <= set(header)
    column = header.index("domain_loss")
    np.testing.assert_allclose([float(line.split(",")[column]) for line in lines[1:]],
                               [row["domain_loss"] for row in history], rtol=1e-6)
    # the lambda schedule ran: lambda grows from 0 towards 1 across epochs
    lambdas = [row["hp_lambda"] for row in history]
    assert 0 < lambdas[0] < lambdas[1] < lambdas[2] <= 1
    events = _events(run / "runs")
    assert [e.step for e in events.Scalars("label_loss")] == [1, 2, 3]
    np.testing.assert_allclose([e.value for e in events.Scalars("label_loss")],
                               [row["label_loss"] for row in history], rtol=1e-5)
    # the parameters file holds the pickled net's weights
    fresh = pickle.loads(pickle.dumps(net))
    fresh.load_params_from(str(run / "params.pkl"))
    for a, b in zip(fresh.get_all_params_values().values(), net.get_all_params_values().values()):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


@pytest.mark.numba
def test_predict_writes_labels_and_probabilities(trained, tmp_path, capsys):
    folder, code = trained
    assert code == 0
    X = np.load(folder / "target_valid.npz")["X"]
    with open(folder / "run" / "model.pkl", "rb") as f:
        net = pickle.load(f)
    out = tmp_path / "labels.npy"
    assert main(["predict", str(folder / "run"), str(folder / "target_valid.npz"),
                 "--out", str(out)]) == 0
    np.testing.assert_array_equal(np.load(out), net.predict(X))
    np.save(tmp_path / "x.npy", X)
    out = tmp_path / "proba.npy"
    assert main(["predict", str(folder / "run" / "model.pkl"), str(tmp_path / "x.npy"),
                 "--out", str(out), "--proba"]) == 0
    proba = np.load(out)
    np.testing.assert_allclose(proba, net.predict_proba(X), rtol=1e-6)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-5)
    assert "wrote class probabilities of 12 samples" in capsys.readouterr().out
    np.save(tmp_path / "wide.npy", np.zeros((2, 5), dtype=np.float32))
    assert main(["predict", str(folder / "run"), str(tmp_path / "wide.npy"),
                 "--out", str(tmp_path / "wide_pred.npy")]) == 2
    assert "DATA: " in capsys.readouterr().err
    assert not (tmp_path / "wide_pred.npy").exists()


@pytest.mark.numba
def test_demo_end_to_end(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--epochs", "2", "--seed", "1", "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    table = re.search(r"^task\s+method\s+source acc\s+target acc\s+domain acc\s+time \(s\)\n"
                      r"(moons\s+source-only.*)\n(moons\s+DANN.*)\n"
                      r"(digits\s+source-only.*)\n(digits\s+DANN.*)$", printed, re.M)
    assert table, printed
    for row in table.groups():
        values = [float(v) for v in row.split()[2:]]
        assert all(0 <= v <= 1 for v in values[:3]) and values[3] > 0
    assert "two moons, target rotated by 35 degrees: DANN changes target accuracy by" in printed
    logdir = out / "runs"
    assert f"tensorboard --logdir {logdir}" in printed
    for task in ("moons", "digits"):
        for name in (f"{task}_learning_curves.png", f"{task}_embedding.png"):
            path = out / name
            assert path.read_bytes()[:8] == PNG_SIGNATURE
            image = matplotlib.image.imread(path)
            assert image.shape[0] > 300 and image.shape[1] > 600
            # not a blank canvas
            assert image[..., :3].std() > 0.05
        for run in ("source-only", "dann"):
            events = _events(logdir / f"{task}-{run}")
            assert [e.step for e in events.Scalars("target_valid_accuracy")] == [1, 2]
        lambdas = [e.value for e in _events(logdir / f"{task}-dann").Scalars("hp_lambda")]
        assert lambdas[0] > 0 and lambdas == sorted(lambdas)
        assert [e.value for e in _events(logdir / f"{task}-source-only").Scalars("hp_lambda")] == [0, 0]
