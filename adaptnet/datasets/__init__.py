"""Datasets for domain adaptation: source and target domains as float32 arrays.

Images are ``(n, channels, rows, cols)`` float32 arrays in [0, 1] and labels
int32 arrays. Loaders of downloadable datasets take a ``path`` or a cache
folder and verify what they read; generators take a ``random_state``.
"""
from .digits_m import load_digits_m
from .fetch import KNOWN_DATASETS, get_data_home
from .idx import read_idx, write_idx
from .mnist import load_fashion_mnist, load_mnist
from .mnist_m import blend_with_photos, make_fashion_mnist_m, make_mnist_m
from .moons import make_moons_da
from .photos import load_background_photos

__all__ = ["KNOWN_DATASETS", "blend_with_photos", "get_data_home", "load_background_photos", "load_digits_m",
           "load_fashion_mnist", "load_mnist", "make_fashion_mnist_m", "make_mnist_m", "make_moons_da",
           "read_idx", "write_idx"]
