"""Training speed and memory of adaptnet's estimator against the same DANN in PyTorch.

Usage::

    python benchmarks/speed.py [--models mlp conv] [--epochs 3] [--batch 64]

For each network, the MLP DANN of the paper's toy experiment (2 inputs,
15 sigmoid hidden units, softmax 2, logistic domain unit) and the paper's
MNIST conv DANN (``torch_peers.MnistDANN``), every framework trains in its
own subprocess, so each peak resident set size (``ru_maxrss``, which counts
native allocations that ``tracemalloc`` misses) belongs to that framework
alone. Both train with plain SGD (learning rate 0.01, lambda 1) on batches
of ``batch`` source plus ``batch`` target samples, reshuffled every epoch.
adaptnet trains through ``AdversarialNet.fit``, so its figures include the
estimator's batching and bookkeeping. Reported: the steady-state epoch time
(median of the epochs after the first), images (source + target) per
second, the time of the first epoch (adaptnet: with graph compilation), peak
memory, and adaptnet/torch ratios. torch is optional; without it only
adaptnet is measured.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

MODELS = {
    # samples per domain, sample shape
    "mlp": (20000, (2,)),
    "conv": (1024, (3, 28, 28)),
}


def make_data(model, seed=0):
    n, shape = MODELS[model]
    rng = np.random.RandomState(seed)
    X_source = rng.rand(n, *shape).astype(np.float32)
    X_target = rng.rand(n, *shape).astype(np.float32)
    y_source = rng.randint(0, 2 if model == "mlp" else 10, n).astype(np.int32)
    return X_source, y_source, X_target


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_adaptnet(model, epochs, batch):
    from adaptnet import AdversarialNet, updates
    from adaptnet.layers import Conv2DLayer, DenseLayer, InputLayer, MaxPool2DLayer
    from adaptnet.nets import BatchIterator
    from adaptnet.nonlinearities import sigmoid, softmax

    if model == "mlp":
        layers = [(InputLayer, {"shape": (None, 2), "name": "input"}),
                  (DenseLayer, {"num_units": 15, "nonlinearity": sigmoid, "name": "hidden"}),
                  (DenseLayer, {"num_units": 2, "nonlinearity": softmax, "name": "output"})]
        domain_layers = [(DenseLayer, {"num_units": 1, "nonlinearity": sigmoid, "name": "domain_output"})]
        feature_layer = "hidden"
    else:
        layers = [(InputLayer, {"shape": (None, 3, 28, 28), "name": "input"}),
                  (Conv2DLayer, {"num_filters": 32, "filter_size": 5, "name": "conv1"}),
                  (MaxPool2DLayer, {"pool_size": 2, "name": "pool1"}),
                  (Conv2DLayer, {"num_filters": 48, "filter_size": 5, "name": "conv2"}),
                  (MaxPool2DLayer, {"pool_size": 2, "name": "pool2"}),
                  (DenseLayer, {"num_units": 100, "name": "dense1"}),
                  (DenseLayer, {"num_units": 100, "name": "dense2"}),
                  (DenseLayer, {"num_units": 10, "nonlinearity": softmax, "name": "output"})]
        domain_layers, feature_layer = None, "pool2"  # default head: dense 100 ReLU -> 1 sigmoid
    X_source, y_source, X_target = make_data(model)
    rss_before = peak_rss_mib()
    net = AdversarialNet(layers, domain_layers=domain_layers, feature_layer=feature_layer, hp_lambda=1.0,
                         update=updates.sgd, update_learning_rate=0.01, max_epochs=epochs,
                         batch_iterator_train=BatchIterator(batch_size=batch, shuffle=True),
                         train_split=None, random_state=0)
    start = time.perf_counter()
    net.fit(X_source, y_source, X_target)
    total = time.perf_counter() - start
    durations = list(net.train_history_[:, "dur"])
    return {"epoch_s": statistics.median(durations[1:]), "first_epoch_s": total - sum(durations[1:]),
            "images": 2 * len(X_source), "rss_before_mib": rss_before, "peak_rss_mib": peak_rss_mib()}


def run_torch(model, epochs, batch, threads):
    import torch
    from torch_peers import MlpDANN, MnistDANN, make_sgd_step

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    X_source, y_source, X_target = (torch.from_numpy(a) for a in make_data(model))
    y_source = y_source.long()
    rss_before = peak_rss_mib()
    step = make_sgd_step(MlpDANN() if model == "mlp" else MnistDANN(), learning_rate=0.01)
    domain = torch.cat([torch.zeros(batch), torch.ones(batch)])
    durations = []
    for _ in range(epochs):
        start = time.perf_counter()
        source_order, target_order = torch.randperm(len(X_source)), torch.randperm(len(X_target))
        for first in range(0, len(X_source), batch):
            si, ti = source_order[first:first + batch], target_order[first:first + batch]
            x = torch.cat([X_source[si], X_target[ti]])
            step(x, y_source[si], domain if len(si) == batch else
                 torch.cat([torch.zeros(len(si)), torch.ones(len(ti))]))
        durations.append(time.perf_counter() - start)
    return {"epoch_s": statistics.median(durations[1:]), "first_epoch_s": durations[0],
            "images": 2 * len(X_source), "rss_before_mib": rss_before, "peak_rss_mib": peak_rss_mib(),
            "torch": torch.__version__}


def measure(framework, model, epochs, batch, threads, keep_freed):
    """Run one measurement in a fresh interpreter; return its result dict."""
    command = [sys.executable, os.path.abspath(__file__), "--worker", framework, "--models", model,
               "--epochs", str(epochs), "--batch", str(batch), "--threads", str(threads)]
    command += ["--keep-freed-memory"] if keep_freed else []
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=sorted(MODELS), default=["mlp", "conv"])
    parser.add_argument("--epochs", type=int, default=3, help="epochs per run (the first is warm-up)")
    parser.add_argument("--batch", type=int, default=64, help="source samples per step (as many target)")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                        help="torch intra-op threads (default: the usable cores); adaptnet's "
                             "threads are left to its BLAS and Numba defaults")
    parser.add_argument("--keep-freed-memory", action="store_true",
                        help="call adaptnet.allocator.keep_freed_memory() in every worker (both "
                             "frameworks), as the adaptnet command does")
    parser.add_argument("--worker", choices=["adaptnet", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.epochs < 2:
        parser.error("--epochs must be at least 2 (the first epoch is warm-up)")
    if args.worker:
        if args.keep_freed_memory:
            from adaptnet.allocator import keep_freed_memory

            keep_freed_memory()
        model = args.models[0]
        result = run_adaptnet(model, args.epochs, args.batch) if args.worker == "adaptnet" else \
            run_torch(model, args.epochs, args.batch, args.threads)
        print(json.dumps(result))
        return

    try:
        import torch  # noqa: F401  (only probing whether the peer can run)
        frameworks = ["adaptnet", "torch"]
    except ImportError:
        frameworks = ["adaptnet"]
        print("torch is not installed: measuring adaptnet only")
    print(f"{os.cpu_count()} logical CPUs, {len(os.sched_getaffinity(0))} usable; batch {args.batch} + "
          f"{args.batch}, {args.epochs} epochs per run (first = warm-up), torch threads {args.threads}, "
          f"freed memory kept: {'yes' if args.keep_freed_memory else 'no (glibc defaults)'}\n")
    print("| network | framework | epoch (s) | images/s | first epoch (s) | peak RSS (MiB) |")
    print("|---|---|---|---|---|---|")
    results = {}
    for model in args.models:
        for framework in frameworks:
            r = results[model, framework] = measure(framework, model, args.epochs, args.batch, args.threads,
                                                       args.keep_freed_memory)
            print(f"| {model} | {framework} | {r['epoch_s']:.3f} | {r['images'] / r['epoch_s']:.0f} | "
                  f"{r['first_epoch_s']:.2f} | {r['peak_rss_mib']:.0f} |", flush=True)
    if "torch" in frameworks:
        print("\nratios adaptnet / torch")
        for model in args.models:
            a, t = results[model, "adaptnet"], results[model, "torch"]
            print(f"- {model}: epoch time {a['epoch_s'] / t['epoch_s']:.2f} (> 1: adaptnet slower), "
                  f"images/s {t['epoch_s'] / a['epoch_s']:.2f} (> 1: adaptnet faster), "
                  f"peak RSS {a['peak_rss_mib'] / t['peak_rss_mib']:.2f} (> 1: adaptnet larger)")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
