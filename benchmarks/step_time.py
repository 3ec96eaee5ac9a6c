"""Time one SGD step of the DANN MNIST network: adaptnet (PyTensor + Numba) vs PyTorch.

Usage::

    python benchmarks/step_time.py [--steps 20] [--batch 128] [--threads N] [--no-compile-time]
                                   [--keep-freed-memory]

``--threads`` limits both libraries: torch's intra-op threads and, through
threadpoolctl, the OpenBLAS threads of adaptnet's matrix products (adaptnet's
own Numba kernels are single-threaded).

A step is forward, backward and parameter update of the label loss (first
half of the batch, the source) plus the domain loss (whole batch) on
``batch`` float32 images of 3x28x28. Reported: the median step time of
both libraries after warm-up, their ratio, and adaptnet's compile time
(building the graph, compiling and the first call), measured in
subprocesses with a fresh PyTensor cache (cold) and again with that cache
filled (warm). PyTensor keeps its Numba cache under ``base_compiledir``, so
that is the flag set for the cold run.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from threadpoolctl import threadpool_limits


def build_mnist_dann(in_channels=3, hp_lambda=1.0):
    """The DANN MNIST network with adaptnet layers: returns ``(l_in, l_label, l_domain)``."""
    from adaptnet import nonlinearities
    from adaptnet.layers import (Conv2DLayer, DenseLayer, GradientReversalLayer, InputLayer,
                                 MaxPool2DLayer)

    l_in = InputLayer((None, in_channels, 28, 28))
    l_feat = MaxPool2DLayer(Conv2DLayer(l_in, 32, 5), 2)
    l_feat = MaxPool2DLayer(Conv2DLayer(l_feat, 48, 5), 2)
    l_label = DenseLayer(DenseLayer(l_feat, 100), 100)
    l_label = DenseLayer(l_label, 10, nonlinearity=nonlinearities.softmax)
    l_domain = DenseLayer(GradientReversalLayer(l_feat, hp_lambda=hp_lambda), 100)
    l_domain = DenseLayer(l_domain, 1, nonlinearity=nonlinearities.sigmoid)
    return l_in, l_label, l_domain


def compile_adaptnet_step(learning_rate=0.01):
    """Compile ``step(x, y_source, domain) -> loss`` for the adaptnet network."""
    import pytensor
    import pytensor.tensor as pt

    from adaptnet.layers import get_all_params, get_output
    from adaptnet.objectives import binary_crossentropy, categorical_crossentropy
    from adaptnet.updates import sgd

    l_in, l_label, l_domain = build_mnist_dann()
    y_source = pt.ivector("y_source")
    domain = pt.vector("domain", dtype="float32")
    class_probs, domain_probs = get_output([l_label, l_domain])
    label_loss = categorical_crossentropy(class_probs[:y_source.shape[0]], y_source).mean()
    domain_loss = binary_crossentropy(domain_probs[:, 0], domain).mean()
    loss = label_loss + domain_loss
    params = get_all_params([l_label, l_domain], trainable=True)
    return pytensor.function([l_in.input_var, y_source, domain], loss,
                             updates=sgd(loss, params, learning_rate))


def make_batch(batch, rng):
    x = rng.standard_normal((batch, 3, 28, 28)).astype(np.float32)
    y_source = rng.integers(0, 10, batch // 2).astype(np.int32)
    domain = np.repeat(np.float32([0, 1]), [batch // 2, batch - batch // 2])
    return x, y_source, domain


def median_step_time(step, args, steps, warmup=3):
    for _ in range(warmup):
        step(*args)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compile_time(batch):
    """Seconds to build, compile and call the adaptnet step once (in this process)."""
    start = time.perf_counter()
    step = compile_adaptnet_step()
    step(*make_batch(batch, np.random.default_rng(0)))
    return time.perf_counter() - start


def compile_times_in_subprocesses(batch):
    """``(cold, warm)`` compile times, from two runs sharing a fresh PyTensor cache directory."""
    with tempfile.TemporaryDirectory(prefix="adaptnet-bench-") as cache:
        env = dict(os.environ, PYTENSOR_FLAGS=f"base_compiledir={cache}")
        command = [sys.executable, __file__, "--compile-only", "--batch", str(batch)]
        return tuple(float(subprocess.run(command, env=env, check=True, capture_output=True,
                                          text=True).stdout.split()[-1]) for _ in range(2))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed steps (median reported)")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                        help="threads of both libraries: torch's intra-op threads and the BLAS "
                             "threads of adaptnet's matrix products (default: the usable cores)")
    parser.add_argument("--no-compile-time", action="store_true",
                        help="skip the cold/warm compile measurements")
    parser.add_argument("--keep-freed-memory", action="store_true",
                        help="call adaptnet.allocator.keep_freed_memory() first (process-wide, so "
                             "for both libraries), as the adaptnet command does")
    parser.add_argument("--compile-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.keep_freed_memory:
        from adaptnet.allocator import keep_freed_memory

        print(f"glibc keeps freed memory: {keep_freed_memory()}")
    if args.compile_only:
        print(compile_time(args.batch))
        return

    rng = np.random.default_rng(0)
    x, y_source, domain = make_batch(args.batch, rng)
    step = compile_adaptnet_step()
    with threadpool_limits(args.threads, user_api="blas"):
        ours = median_step_time(step, (x, y_source, domain), args.steps)
    print(f"adaptnet step: {ours * 1e3:8.1f} ms (batch {args.batch}, median of {args.steps}, "
          f"{args.threads} BLAS threads)")
    try:
        import torch
    except ImportError:
        print("torch not installed: no peer timing")
    else:
        from torch_peers import MnistDANN, make_sgd_step

        torch.set_num_threads(args.threads)
        torch.manual_seed(0)
        step = make_sgd_step(MnistDANN())
        theirs = median_step_time(
            step, (torch.from_numpy(x), torch.from_numpy(y_source).long(),
                   torch.from_numpy(domain)), args.steps)
        print(f"torch step:    {theirs * 1e3:8.1f} ms ({args.threads} threads, torch "
              f"{torch.__version__})")
        print(f"ratio adaptnet/torch: {ours / theirs:.2f}x")
    if not args.no_compile_time:
        cold, warm = compile_times_in_subprocesses(args.batch)
        print(f"adaptnet compile + first call: cold {cold:.1f} s, warm {warm:.1f} s")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
