"""Reproduce the MNIST -> MNIST-M experiment of Ganin et al. (JMLR 2016, Table 2) with adaptnet.

Rows: *source only* (trained on labelled MNIST), *DANN* (labelled MNIST plus
unlabelled MNIST-M) and *train on target* (labelled MNIST-M, the upper
bound), each scored by its accuracy on held-out MNIST-M, as mean and
standard deviation over seeds, next to the paper's figures. The network,
schedules and batch composition are the paper's: conv 5x5x32, max-pool 2,
conv 5x5x48, max-pool 2 (the features), dense 100, dense 100, softmax 10;
domain head dense 100 -> 1 on the features; lambda_p = 2 / (1 + exp(-10 p)) - 1;
mu_p = 0.01 / (1 + 10 p) ** 0.75 with momentum 0.9; DANN batches of 64
source plus 64 target images. Both presets keep the network, the lambda
schedule, momentum and the learning-rate schedule, but use batches of
32 + 32 images so that enough SGD steps fit the time budget;
the report lists every deviation. Fashion-MNIST -> Fashion-MNIST-M is the same
protocol on Fashion-MNIST (``--tasks mnist fashion``).

CPU time forbids the paper's 60000-image domains and long training, so both
presets subsample (the report states exactly how):

    python benchmarks/paper_table.py --quick --mnist-path /path/to/mnist   # < 10 min on 2 cores
    python benchmarks/paper_table.py --mnist-path /path/to/mnist           # < 60 min on 2 cores

``--torch`` also trains every row with an independent PyTorch implementation
of the same network, data, batches and schedules (``torch_peers.py``; needs
``pip install torch``) and reports it in its own column: a check that the
numbers come from the method and the data, not from adaptnet.

The Markdown report goes to ``docs/results.md``; anything below the line
``<!-- notes -->`` in an existing report is kept.
"""
import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

from adaptnet import AdversarialNet, NeuralNet, updates
from adaptnet.allocator import keep_freed_memory
from adaptnet.callbacks import LambdaScheduler, LearningRateScheduler
from adaptnet.datasets import load_fashion_mnist, load_mnist, make_fashion_mnist_m, make_mnist_m
from adaptnet.layers import Conv2DLayer, DenseLayer, InputLayer, MaxPool2DLayer
from adaptnet.nets import BatchIterator
from adaptnet.nonlinearities import softmax

PAPER = {"mnist": {"source only": 0.5225, "DANN": 0.7666, "train on target": 0.9596}}
TASKS = {
    "mnist": ("MNIST -> MNIST-M", load_mnist, make_mnist_m),
    "fashion": ("Fashion-MNIST -> Fashion-MNIST-M", load_fashion_mnist, make_fashion_mnist_m),
}
ROWS = ("source only", "DANN", "train on target")
PRESETS = {
    # n_train: images per domain for training; n_test: held-out target test images;
    # batch_size: source images per step (DANN adds as many target images);
    # max_epochs: passes over the n_train images; learning_rate: mu_0 of the paper's schedule
    # sized from fits measured on the shared 2-core machine (load average 1.4 to 6), once compiled:
    # 0.06-0.23 s per DANN step of 32 + 32 images, 0.03-0.15 s per label-network step of 32 images;
    # compiling the graphs costs about 200 s in a fresh PyTensor cache and about 30 s in a warm one.
    # One pass over more images rather than several over few. mu_0 = 0.03 trained the label network
    # faster but made DANN collapse or lose to source only (docs/results.md, notes): the paper's 0.01.
    "quick": {"n_train": 9600, "n_test": 1000, "batch_size": 32, "max_epochs": 1, "learning_rate": 0.01},
    "full": {"n_train": 16000, "n_test": 3000, "batch_size": 32, "max_epochs": 2, "learning_rate": 0.01},
}
PAPER_BATCH_SIZE = 64
PAPER_LEARNING_RATE = 0.01
NOTES_MARKER = "<!-- notes -->"


def paper_layers():
    """The label network of the paper's MNIST experiments; ``pool2`` is the shared representation."""
    return [
        ("input", InputLayer, {"shape": (None, 3, 28, 28)}),
        ("conv1", Conv2DLayer, {"num_filters": 32, "filter_size": 5}),
        ("pool1", MaxPool2DLayer, {"pool_size": 2}),
        ("conv2", Conv2DLayer, {"num_filters": 48, "filter_size": 5}),
        ("pool2", MaxPool2DLayer, {"pool_size": 2}),
        ("dense1", DenseLayer, {"num_units": 100}),
        ("dense2", DenseLayer, {"num_units": 100}),
        ("output", DenseLayer, {"num_units": 10, "nonlinearity": softmax}),
    ]


def n_steps(preset):
    """SGD steps of one fit under ``preset``."""
    return preset["max_epochs"] * -(-preset["n_train"] // preset["batch_size"])


def deviations(preset):
    """The preset's departures from the paper's optimisation settings, in words."""
    out = []
    b = preset["batch_size"]
    if b != PAPER_BATCH_SIZE:
        out.append(f"batches of {b} images (DANN: {b} source + {b} target) instead of {PAPER_BATCH_SIZE} + "
                   f"{PAPER_BATCH_SIZE}")
    else:
        out.append(f"none in batch size ({b} source + {b} target images per DANN step)")
    if preset["learning_rate"] != PAPER_LEARNING_RATE:
        out.append(f"mu_0 = {preset['learning_rate']:g} instead of {PAPER_LEARNING_RATE:g}, so the learning rate "
                   f"falls from {preset['learning_rate']:g} to "
                   f"{preset['learning_rate'] / 11 ** 0.75:.4g} over the short run")
    return out


def make_net(row, seed, preset):
    """Return the estimator of one table row, with the paper's optimiser and schedules."""
    lr0 = preset["learning_rate"]
    kwargs = {
        "layers": [(cls, dict(kw, name=name)) for name, cls, kw in paper_layers()],
        "update": updates.momentum, "update_learning_rate": lr0, "update_momentum": 0.9,
        "batch_iterator_train": BatchIterator(batch_size=preset["batch_size"], shuffle=True),
        "batch_iterator_test": BatchIterator(batch_size=500),
        "max_epochs": preset["max_epochs"], "train_split": None, "random_state": seed, "verbose": 0,
    }
    # mu_p = mu_0 / (1 + 10 p) ** 0.75, updated before every batch
    lr = LearningRateScheduler("dann", initial=lr0, alpha=10.0, beta=0.75, per_batch=True)
    if row == "DANN":
        return AdversarialNet(feature_layer="pool2", callbacks=[LambdaScheduler(gamma=10.0), lr], **kwargs)
    return NeuralNet(callbacks=[lr], **kwargs)


def load_task(task, preset, data_path):
    """Subsample a task: source train, target train, target test (with labels) and a description."""
    _, loader, make_target = TASKS[task]
    X_train, y_train = loader(path=data_path, kind="train")
    X_test, y_test = loader(path=data_path, kind="test")
    rng = np.random.RandomState(0)
    n = preset["n_train"]
    # disjoint digits for the two domains, so DANN never sees a target image's source twin
    order = rng.permutation(len(X_train))
    src, tgt = order[:n], order[n:2 * n]
    test = rng.permutation(len(X_test))[:preset["n_test"]]
    X_source = np.repeat(X_train[src], 3, axis=1)
    X_target = make_target(X_train[tgt], random_state=1)
    # the per-channel mean of both (unlabelled) training domains, as in common DANN reimplementations
    mean = np.concatenate([X_source, X_target]).mean(axis=(0, 2, 3), keepdims=True)
    data = {
        "X_source": X_source - mean, "y_source": y_train[src],
        "X_target": X_target - mean, "y_target": y_train[tgt],
        "X_test": make_target(X_test[test], random_state=2) - mean, "y_test": y_test[test],
    }
    described = (f"source: {n} random {task} training images (grey, replicated to 3 channels); "
                 f"target: {n} other training images blended with photo patches; "
                 f"test: {preset['n_test']} random test images, blended; data seed 0")
    return data, described


def run_row(row, data, seed, preset):
    """Train one row's estimator; return (target test accuracy, seconds)."""
    net = make_net(row, seed, preset)
    start = time.perf_counter()
    if row == "DANN":
        net.fit(data["X_source"], data["y_source"], data["X_target"])
    elif row == "source only":
        net.fit(data["X_source"], data["y_source"])
    else:
        net.fit(data["X_target"], data["y_target"])
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(net.predict(data["X_test"]) == data["y_test"]))
    return accuracy, seconds


def run_torch_row(row, data, seed, preset):
    """Train one row with the PyTorch peer on the same data; return (target test accuracy, seconds)."""
    from torch_peers import MnistDANN, fit_paper_schedule, glorot_init, predict_classes
    X, y = (data["X_target"], data["y_target"]) if row == "train on target" else (data["X_source"], data["y_source"])
    start = time.perf_counter()
    model = fit_paper_schedule(glorot_init(MnistDANN(), seed), X, y, data["X_target"] if row == "DANN" else None,
                               batch_size=preset["batch_size"], max_epochs=preset["max_epochs"],
                               learning_rate=preset["learning_rate"], seed=seed)
    seconds = time.perf_counter() - start
    return float(np.mean(predict_classes(model, data["X_test"]) == data["y_test"])), seconds


def gain(results):
    """DANN's mean target accuracy minus source only's."""
    return np.mean([a for a, _ in results["DANN"]]) - np.mean([a for a, _ in results["source only"]])


def markdown_table(task, results, peer=None):
    paper = PAPER.get(task, {})
    head = "| Method | adaptnet: target accuracy, mean ± std | per seed |"
    if peer:
        head += " PyTorch peer, mean ± std | per seed |"
    lines = [head + " paper |", "|---" * head.count("|") + "|"]

    def cells(runs):
        accs = [a for a, _ in runs]
        return f" {np.mean(accs):.4f} ± {np.std(accs):.4f} | {', '.join(f'{a:.4f}' for a in accs)} |"

    for row in ROWS:
        reference = f"{paper[row]:.4f}" if row in paper else "—"
        lines.append(f"| {row} |" + cells(results[row]) + (cells(peer[row]) if peer else "") + f" {reference} |")
    return "\n".join(lines)


def write_report(path, sections, header):
    path = Path(path)
    notes = ""
    if path.exists():
        old = path.read_text()
        line = f"\n{NOTES_MARKER}\n"  # the marker on a line of its own; the header also quotes it
        if line in old:
            notes = old[old.index(line) + 1:]
    body = header + "\n\n" + "\n\n".join(sections) + "\n\n" + (notes or NOTES_MARKER + "\n")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(body)
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the small preset (< 10 min on 2 cores)")
    parser.add_argument("--tasks", nargs="+", choices=sorted(TASKS), default=["mnist"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--mnist-path", help="folder of the MNIST IDX files (default: cache / download)")
    parser.add_argument("--fashion-path", help="folder of the Fashion-MNIST IDX files")
    parser.add_argument("--torch", action="store_true",
                        help="also train every row with the PyTorch peer (torch_peers.py) on the same data")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs" / "results.md"))
    args = parser.parse_args(argv)
    if args.torch:
        try:
            import torch  # checked before any training; the report names its version
        except ImportError:
            parser.error("--torch needs PyTorch (pip install torch)")
    keep_freed_memory()  # this script owns its process: about twice as fast conv steps
    preset_name = "quick" if args.quick else "full"
    preset = PRESETS[preset_name]
    paths = {"mnist": args.mnist_path, "fashion": args.fashion_path}

    started = time.perf_counter()
    sections = []
    for task in args.tasks:
        title = TASKS[task][0]
        data, described = load_task(task, preset, paths[task])
        runners = {"adaptnet": run_row, "PyTorch peer": run_torch_row} if args.torch else {"adaptnet": run_row}
        results = {name: {row: [] for row in ROWS} for name in runners}
        for seed in args.seeds:
            for row in ROWS:
                for name, run in runners.items():
                    accuracy, seconds = run(row, data, seed, preset)
                    results[name][row].append((accuracy, seconds))
                    print(f"{title} | {name:12s} | {row:15s} | seed {seed} | target accuracy {accuracy:.4f} | "
                          f"{seconds:6.1f} s", flush=True)
        table = markdown_table(task, results["adaptnet"], results.get("PyTorch peer"))
        summary = (f"DANN minus source only: **{100 * gain(results['adaptnet']):+.1f} points** of target accuracy "
                   f"(mean over seeds {args.seeds})")
        if args.torch:
            summary += f"; the PyTorch peer: **{100 * gain(results['PyTorch peer']):+.1f} points**"
        fit_time = {name: sum(s for runs in rows.values() for _, s in runs) for name, rows in results.items()}
        print("\n" + title + "\n" + table + "\n" + summary + "\n", flush=True)
        sections.append(f"## {title}\n\n{table}\n\n{summary}. Training time of the "
                        f"{len(ROWS) * len(args.seeds)} fits: "
                        + ", ".join(f"{t:.0f} s ({name})" for name, t in fit_time.items())
                        + f".\n\nData: {described}.")

    command = "python benchmarks/paper_table.py " + " ".join(argv if argv is not None else sys.argv[1:])
    header = "\n".join([
        "# Results: the DANN paper's image experiment with adaptnet",
        "",
        "Generated by `benchmarks/paper_table.py` (Ganin et al., JMLR 2016, Table 2); do not edit above "
        f"the `{NOTES_MARKER}` line, the script rewrites it.",
        "",
        f"- Command: `{command.strip()}` (preset `{preset_name}`), total {time.perf_counter() - started:.0f} s "
        f"on {platform.processor() or platform.machine()} with {os.cpu_count()} logical CPUs, "
        f"{time.strftime('%Y-%m-%d')}.",
        f"- Subsampling: {preset['n_train']} training images per domain (the paper: 60000), "
        f"{preset['n_test']} held-out target test images (the paper: 10000), {preset['max_epochs']} epochs "
        f"= {n_steps(preset)} SGD steps per fit; the paper trained far longer.",
        "- Network, lambda schedule (gamma 10, updated before every batch), momentum 0.9 and the form of the "
        "learning-rate schedule mu_p = mu_0 / (1 + 10 p) ** 0.75 (updated before every batch): the paper's "
        "(see the script's docstring). Source only and train on target use the label network alone "
        "(`NeuralNet`) with the same optimiser and learning-rate schedule; inputs are [0, 1] pixels minus "
        "the per-channel mean of both training domains.",
        "- Deviations from the paper's settings in this preset: " + "; ".join(deviations(preset)) + ".",
        "- Backgrounds: the paper blends with BSDS500 photos (500 natural images, 481x321); adaptnet ships "
        "none and uses the 8 colour photos bundled with scikit-image and scikit-learn (astronaut, coffee, "
        "chelsea, rocket, immunohistochemistry, motorcycle, china, flower; 300x451 to 512x512). Fewer "
        "photos means fewer distinct textures (patches repeat), one of them is a microscopy image, and "
        "the overall colour statistics differ, so the shift is similar in kind but not identical.",
    ])
    if args.torch:
        header += (f"\n- PyTorch peer: the same network, data, batches, optimiser and schedules in PyTorch "
                   f"{torch.__version__} (`benchmarks/torch_peers.py`: `MnistDANN`, `fit_paper_schedule`; "
                   f"adaptnet's initialisation, Glorot-uniform weights and zero biases, drawn by torch; "
                   f"{torch.get_num_threads()} threads), same seeds. One difference: torch's SGD multiplies the "
                   f"accumulated gradients by the current learning rate, where adaptnet (like Lasagne and "
                   f"Caffe) accumulates learning rate x gradient; the two differ slightly while the rate decays.")
    write_report(args.out, sections, header)
    print(f"report written to {args.out}")


if __name__ == "__main__":
    main()
