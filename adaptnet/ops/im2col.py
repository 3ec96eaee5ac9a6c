"""Patch extraction (``Im2Col``) and its adjoint (``Col2Im``), the kernels behind :func:`conv2d`.

A 2-D convolution becomes one matrix product once every receptive field of
the input is laid out as a column. ``Im2Col`` does that layout and
``Col2Im`` scatter-adds columns back into an image; each is the other's
gradient, so PyTensor derives both convolution gradients (with respect to
the input and to the filters) from a graph of ``Im2Col``, ``dot`` and
reshapes.

Column layout (Caffe's): ``cols[(c * kh + i) * kw + j, (n * OH + oh) * OW + ow]``
is the input value seen by kernel tap ``(i, j)`` of channel ``c`` at output
position ``(oh, ow)`` of image ``n`` (zero where the tap falls in the
padding). Each row of ``cols`` is then filled by contiguous copies of input
rows, which is what makes the Numba kernels memory-bound rather than
gather-bound, and the filter matrix ``(F, C * kh * kw)`` multiplies ``cols``
from the left in one GEMM. With ``flip=True`` tap ``(i, j)`` goes to row
``(c * kh + kh - 1 - i) * kw + kw - 1 - j`` instead, so the same GEMM computes
a true convolution without a flipped copy of the filters in the graph.
"""
import numpy as np
import pytensor.tensor as pt
from pytensor.graph.basic import Apply
from pytensor.graph.op import Op
from pytensor.gradient import disconnected_type
from pytensor.link.numba.dispatch import basic as numba_basic
from pytensor.link.numba.dispatch.basic import register_funcify_default_op_cache_key

from .numba_cache import kernel_version

__all__ = ["Im2Col", "Col2Im", "patch_output_length"]


def patch_output_length(input_length, kernel, stride, pad, dilation=1):
    """Number of kernel positions along one axis of a padded input.

    Parameters
    ----------
    input_length : int or PyTensor scalar
        Length of the input axis (before padding).
    kernel : int
        Kernel length (before dilation).
    stride : int
    pad : int
        Zero padding added at both ends.
    dilation : int
        Spacing between kernel taps.

    Returns
    -------
    int or PyTensor scalar
        ``(input_length + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1``;
        zero or negative when the dilated kernel is larger than the padded input.

    Examples
    --------
    >>> patch_output_length(28, 5, 1, 0), patch_output_length(28, 5, 2, 2)
    (24, 14)
    """
    return (input_length + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


def _check_pairs(owner, **pairs):
    checked = []
    for name, (value, low) in pairs.items():
        ok = (isinstance(value, tuple) and len(value) == 2
              and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= low
                      for v in value))
        if not ok:
            raise ValueError(f"{owner}: {name} must be a pair of integers >= {low}, got {value!r}")
        checked.append(tuple(int(v) for v in value))
    return checked


class _PatchOp(Op):
    """Shared parameters and checks of :class:`Im2Col` and :class:`Col2Im`."""

    __props__ = ("kernel_shape", "stride", "padding", "dilation", "flip")

    def __init__(self, kernel_shape, stride=(1, 1), padding=(0, 0), dilation=(1, 1), flip=False):
        self.kernel_shape, self.stride, self.dilation, self.padding = _check_pairs(
            type(self).__name__, kernel_shape=(kernel_shape, 1), stride=(stride, 1),
            dilation=(dilation, 1), padding=(padding, 0))
        if not isinstance(flip, (bool, np.bool_)):
            raise ValueError(f"{type(self).__name__}: flip must be a bool, got {flip!r}")
        self.flip = bool(flip)

    def output_size(self, height, width):
        """Output rows and columns (number of kernel positions) for an input of that size."""
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = (
            self.kernel_shape, self.stride, self.padding, self.dilation)
        return (patch_output_length(height, kh, sh, ph, dh),
                patch_output_length(width, kw, sw, pw, dw))

    def _strided_views(self, out_h, out_w):
        """Yield ``(i, j, index)``: the padded-image index of the tap stored at ``(i, j)``."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_shape, self.stride, self.dilation
        for i in range(kh):
            for j in range(kw):
                index = (slice(None), slice(None),
                         slice(i * dh, i * dh + sh * (out_h - 1) + 1, sh),
                         slice(j * dw, j * dw + sw * (out_w - 1) + 1, sw))
                yield (kh - 1 - i, kw - 1 - j, index) if self.flip else (i, j, index)

    def _empty_output_error(self, height, width):
        return ValueError(
            f"{type(self).__name__}: the kernel {self.kernel_shape} (dilation {self.dilation}) "
            f"is larger than the input {(height, width)} padded by {self.padding}")


class Im2Col(_PatchOp):
    """Lay out every receptive field of an NCHW batch as a column of a matrix.

    Parameters
    ----------
    kernel_shape : tuple of int
        ``(kh, kw)``.
    stride : tuple of int
        ``(sh, sw)``, default ``(1, 1)``.
    padding : tuple of int
        Zero padding ``(ph, pw)`` on both sides, default ``(0, 0)``.
    dilation : tuple of int
        Spacing between kernel taps, default ``(1, 1)``.
    flip : bool
        Store the taps of each patch in reverse order (for true convolution).

    Notes
    -----
    Applied to a ``(N, C, H, W)`` tensor, returns a ``(C * kh * kw, N * OH * OW)``
    matrix (see the module docstring for the layout), with ``OH`` and ``OW``
    given by :func:`patch_output_length`. The gradient is :class:`Col2Im`.

    Raises
    ------
    ValueError
        At construction, if a parameter is not a pair of integers of the
        right range; at run time, if the kernel does not fit the padded input.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(9, dtype="float32").reshape(1, 1, 3, 3)
    >>> Im2Col((2, 2))(x).eval()
    array([[0., 1., 3., 4.],
           [1., 2., 4., 5.],
           [3., 4., 6., 7.],
           [4., 5., 7., 8.]], dtype=float32)
    """

    def make_node(self, x):
        x = pt.as_tensor_variable(x)
        if x.ndim != 4:
            raise ValueError(f"Im2Col: expected a 4-D (N, C, H, W) input, got {x.ndim} dimensions")
        return Apply(self, [x], [pt.matrix(dtype=x.dtype)])

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        n, c, h, w = x.shape
        out_h, out_w = self.output_size(h, w)
        if out_h <= 0 or out_w <= 0:
            raise self._empty_output_error(h, w)
        (kh, kw), (ph, pw) = self.kernel_shape, self.padding
        padded = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x
        cols = np.empty((c, kh, kw, n, out_h, out_w), dtype=x.dtype)
        for i, j, index in self._strided_views(out_h, out_w):
            cols[:, i, j] = padded[index].transpose(1, 0, 2, 3)
        output_storage[0][0] = cols.reshape(c * kh * kw, n * out_h * out_w)

    def infer_shape(self, fgraph, node, shapes):
        n, c, h, w = shapes[0]
        out_h, out_w = self.output_size(h, w)
        kh, kw = self.kernel_shape
        return [(c * kh * kw, n * out_h * out_w)]

    def pullback(self, inputs, outputs, output_grads):
        (x,) = inputs
        return [Col2Im(*self._props())(output_grads[0], x.shape)]


class Col2Im(_PatchOp):
    """Scatter-add the columns of a patch matrix back into an NCHW batch (adjoint of :class:`Im2Col`).

    Parameters
    ----------
    kernel_shape, stride, padding, dilation, flip
        As in :class:`Im2Col`.

    Notes
    -----
    Applied to ``(cols, image_shape)``, where ``cols`` is a
    ``(C * kh * kw, N * OH * OW)`` matrix and ``image_shape`` the integer
    vector ``(N, C, H, W)``, returns the ``(N, C, H, W)`` tensor in which every
    input position holds the sum of the column entries that ``Im2Col`` copied
    from it (entries that fall in the padding are dropped). The gradient with
    respect to ``cols`` is :class:`Im2Col`.

    Raises
    ------
    ValueError
        At construction, as :class:`Im2Col`; at run time, if ``cols`` does not
        have the shape ``Im2Col`` gives for ``image_shape``.

    Examples
    --------
    >>> import numpy as np
    >>> cols = np.ones((4, 4), dtype="float32")
    >>> Col2Im((2, 2))(cols, np.array([1, 1, 3, 3])).eval()[0, 0]
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]], dtype=float32)
    """

    def make_node(self, cols, image_shape):
        cols = pt.as_tensor_variable(cols)
        image_shape = pt.as_tensor_variable(image_shape)
        if cols.ndim != 2:
            raise ValueError(f"Col2Im: expected a 2-D patch matrix, got {cols.ndim} dimensions")
        if image_shape.ndim != 1 or not image_shape.dtype.startswith(("int", "uint")):
            raise TypeError(f"Col2Im: image_shape must be an integer vector, got {image_shape.type}")
        image_shape = pt.cast(image_shape, "int64")
        return Apply(self, [cols, image_shape], [pt.tensor4(dtype=cols.dtype)])

    def _check_cols(self, cols, n, c, h, w):
        out_h, out_w = self.output_size(h, w)
        if out_h <= 0 or out_w <= 0:
            raise self._empty_output_error(h, w)
        kh, kw = self.kernel_shape
        expected = (c * kh * kw, n * out_h * out_w)
        if cols.shape != expected:
            raise ValueError(
                f"Col2Im: cols must have shape {expected} for image shape {(n, c, h, w)}, "
                f"got {cols.shape}")
        return out_h, out_w

    def perform(self, node, inputs, output_storage):
        cols, image_shape = inputs
        n, c, h, w = (int(v) for v in image_shape)
        out_h, out_w = self._check_cols(cols, n, c, h, w)
        (kh, kw), (ph, pw) = self.kernel_shape, self.padding
        padded = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
        taps = cols.reshape(c, kh, kw, n, out_h, out_w)
        for i, j, index in self._strided_views(out_h, out_w):
            padded[index] += taps[:, i, j].transpose(1, 0, 2, 3)
        output_storage[0][0] = np.ascontiguousarray(padded[:, :, ph:ph + h, pw:pw + w])

    def infer_shape(self, fgraph, node, shapes):
        image_shape = node.inputs[1]
        return [tuple(image_shape[k] for k in range(4))]

    def pullback(self, inputs, outputs, output_grads):
        return [Im2Col(*self._props())(output_grads[0]), disconnected_type()]

    def connection_pattern(self, node):
        return [[True], [False]]


def _tap_range(out_len, in_len, offset, stride):
    """Output positions ``o`` in ``[lo, hi)`` for which ``o * stride + offset`` lies in the input."""
    lo = 0
    if offset < 0:
        lo = (-offset + stride - 1) // stride
    hi = 0
    if in_len - offset > 0:
        hi = min(out_len, (in_len - offset + stride - 1) // stride)
    return lo, max(lo, hi)


_tap_range_jit = numba_basic.numba_njit(_tap_range)


@register_funcify_default_op_cache_key(Im2Col)
def numba_funcify_Im2Col(op, **kwargs):
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = op.kernel_shape, op.stride, op.padding, op.dilation
    flip = op.flip

    @numba_basic.numba_njit
    def im2col(x):
        x = np.ascontiguousarray(x)  # a known unit stride lets LLVM vectorize the row copies
        n, c, h, w = x.shape
        out_h = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        out_w = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        if out_h <= 0 or out_w <= 0:
            raise ValueError("Im2Col: the kernel is larger than the padded input")
        plane = out_h * out_w
        cols = np.empty((c * kh * kw, n * plane), dtype=x.dtype)
        # The copies index views with range() counters that start at 0, so Numba knows the
        # indices are non-negative and drops its negative-index wraparound; with the shifted
        # indices of the taps it could not, and that check cost 5-10x the copy itself and kept
        # LLVM from vectorizing it.
        for r in range(c * kh * kw):
            ch = r // (kh * kw)
            i = (r // kw) % kh
            j = r % kw
            if flip:
                i, j = kh - 1 - i, kw - 1 - j
            row = cols[r]
            col_lo, col_hi = _tap_range_jit(out_w, w, j * dw - pw, sw)
            first = col_lo * sw + j * dw - pw  # input column of output column col_lo, >= 0
            for b in range(n):
                for oh in range(out_h):
                    ih = oh * sh + i * dh - ph
                    target = row[b * plane + oh * out_w:b * plane + (oh + 1) * out_w]
                    if ih < 0 or ih >= h:  # the whole row of taps is in the padding
                        target[:] = 0
                        continue
                    target[:col_lo] = 0
                    target[col_hi:] = 0
                    copied, source = target[col_lo:col_hi], x[b, ch, ih, first:]
                    for k in range(col_hi - col_lo):
                        copied[k] = source[k * sw]
        return cols

    return im2col, kernel_version(_tap_range, numba_funcify_Im2Col)


@register_funcify_default_op_cache_key(Col2Im)
def numba_funcify_Col2Im(op, **kwargs):
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = op.kernel_shape, op.stride, op.padding, op.dilation
    flip = op.flip

    @numba_basic.numba_njit
    def col2im(cols, image_shape):
        n, c, h, w = image_shape[0], image_shape[1], image_shape[2], image_shape[3]
        out_h = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        out_w = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        if out_h <= 0 or out_w <= 0:
            raise ValueError("Col2Im: the kernel is larger than the padded input")
        plane = out_h * out_w
        if cols.shape[0] != c * kh * kw or cols.shape[1] != n * plane:
            raise ValueError("Col2Im: cols does not have the shape Im2Col gives for image_shape")
        cols = np.ascontiguousarray(cols)
        image = np.zeros((n, c, h, w), dtype=cols.dtype)
        # Channel-major order: each channel's kh * kw rows of cols are streamed in order while
        # its n image planes stay in cache. Views indexed from 0, as in Im2Col.
        for ch in range(c):
            for i in range(kh):
                for j in range(kw):
                    if flip:
                        row = cols[(ch * kh + kh - 1 - i) * kw + kw - 1 - j]
                    else:
                        row = cols[(ch * kh + i) * kw + j]
                    col_lo, col_hi = _tap_range_jit(out_w, w, j * dw - pw, sw)
                    first = col_lo * sw + j * dw - pw
                    for b in range(n):
                        for oh in range(out_h):
                            ih = oh * sh + i * dh - ph
                            if ih < 0 or ih >= h:
                                continue
                            start = b * plane + oh * out_w
                            added = row[start + col_lo:start + col_hi]
                            target = image[b, ch, ih, first:]
                            for k in range(col_hi - col_lo):
                                target[k * sw] += added[k]
        return image

    return col2im, kernel_version(_tap_range, numba_funcify_Col2Im)
