"""Graph-level kernels PyTensor lacks: 2-D convolution and pooling, with their gradients.

Every Op here has a NumPy ``perform`` (used by the Python linker, e.g. under
``FAST_COMPILE``) and a Numba implementation for PyTensor's default linker.
"""
from .conv import border_mode_padding, conv2d
from .im2col import Col2Im, Im2Col, patch_output_length
from .pool import Pool2D, Pool2DGrad, pool_2d, pool_output_length

__all__ = [
    "conv2d", "border_mode_padding", "Im2Col", "Col2Im", "patch_output_length",
    "pool_2d", "Pool2D", "Pool2DGrad", "pool_output_length",
]
