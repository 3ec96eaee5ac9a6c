"""Does training leak memory? Resident memory of a 50-epoch DANN fit, measured per epoch.

Fits a small AdversarialNet on the two-moons problem, with validation on
labelled target data and the usual callbacks (a LambdaScheduler, TerminateOnNaN
and EarlyStopping that never fires), and prints the resident set size (RSS) at
epoch 5 (after compilation and warm-up) and at the last epoch, and the growth
between them in percent. The target is < 5 %: per-epoch state (history rows,
callback snapshots) is a few kilobytes, so anything more is a leak (compiled
functions rebuilt, arrays kept per batch, ...).

Usage::

    python benchmarks/memory_growth.py [--epochs 50] [--samples 400]
"""
import argparse
import gc
import os
import resource

import numpy as np

from adaptnet import AdversarialNet
from adaptnet.callbacks import Callback, EarlyStopping, LambdaScheduler, TerminateOnNaN
from adaptnet.datasets import make_moons_da
from adaptnet.layers import DenseLayer, InputLayer
from adaptnet.nets import BatchIterator
from adaptnet.nonlinearities import softmax

BASELINE_EPOCH = 5
TARGET_GROWTH_PERCENT = 5.0


def rss_bytes():
    """Current resident set size, from psutil when installed, else ``/proc/self/statm``."""
    try:
        import psutil
    except ImportError:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize()
    return psutil.Process(os.getpid()).memory_info().rss


class MemoryProbe(Callback):
    """Records RSS after each epoch (after a garbage collection, so only live memory counts)."""

    def __init__(self):
        self.rss = {}

    def on_epoch_end(self, net, logs=None):
        gc.collect()
        self.rss[logs["epoch"]] = rss_bytes()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--samples", type=int, default=400)
    args = parser.parse_args(argv)
    if args.epochs <= BASELINE_EPOCH:
        parser.error(f"--epochs must be > {BASELINE_EPOCH}, got {args.epochs}")

    X, y, X_target, y_target = make_moons_da(n_samples=args.samples, random_state=0)
    probe = MemoryProbe()
    net = AdversarialNet(
        [("input", InputLayer), ("hidden", DenseLayer), ("output", DenseLayer)],
        input_shape=(None, 2), hidden_num_units=32, output_num_units=2, output_nonlinearity=softmax,
        domain_hidden_num_units=16, max_epochs=args.epochs, update_learning_rate=0.05,
        batch_iterator_train=BatchIterator(32, shuffle=True), random_state=0,
        callbacks=[LambdaScheduler(), TerminateOnNaN(),
                   EarlyStopping(monitor="target_valid_loss", patience=10 * args.epochs), probe],
    )
    start = rss_bytes()
    net.fit(X, y, X_target, X_valid_target=X_target, y_valid_target=y_target)
    first, last = probe.rss[BASELINE_EPOCH], probe.rss[args.epochs]
    growth = 100.0 * (last - first) / first
    mib = 2.0 ** 20
    print(f"RSS before fit:        {start / mib:8.1f} MiB")
    print(f"RSS at epoch {BASELINE_EPOCH:<3d}       {first / mib:8.1f} MiB")
    print(f"RSS at epoch {args.epochs:<3d}       {last / mib:8.1f} MiB")
    print(f"growth epoch {BASELINE_EPOCH}->{args.epochs}:   {growth:+8.2f} %  "
          f"(target < {TARGET_GROWTH_PERCENT:.0f} %: {'ok' if growth < TARGET_GROWTH_PERCENT else 'LEAK?'})")
    print(f"final target_valid_accuracy: {net.train_history_[-1]['target_valid_accuracy']:.3f}")
    per_epoch = np.diff([probe.rss[e] for e in range(BASELINE_EPOCH, args.epochs + 1)])
    print(f"mean RSS change per epoch after warm-up: {per_epoch.mean() / 1024:+.1f} KiB")
    return 0 if growth < TARGET_GROWTH_PERCENT else 1


if __name__ == "__main__":
    raise SystemExit(main())
