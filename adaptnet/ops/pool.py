"""2-D max and average pooling (Theano's ``pool_2d`` windows and modes) and its gradient.

Window ``(r, q)`` covers rows ``[r * sh - ph, r * sh - ph + wh)`` and the
matching columns of the input. Max pooling and ``average_exc_pad`` use only
the part of the window inside the image; ``average_inc_pad`` also counts the
zero padding (but not the area beyond it that ``ignore_border=False`` adds).
The max-pooling gradient of each window goes to one input: the first
maximum in row-major order within the window, as in Caffe, PyTorch and
TensorFlow. (Theano sent it to every input equal to the maximum. Where values
tie, as over the flat background of a digit after a ReLU, that is not a
subgradient: shifting a window of k equal values by e moves the maximum by e,
but Theano's gradient predicts k * e.) Dedicated kernels are used rather than
:class:`Im2Col`: a pooling window needs no GEMM, and one pass over the input
is several times cheaper than building a patch matrix first.
"""
import numbers

import numpy as np
import pytensor.tensor as pt
from pytensor.gradient import grad_not_implemented
from pytensor.graph.basic import Apply, Variable
from pytensor.graph.op import Op
from pytensor.link.numba.dispatch import basic as numba_basic
from pytensor.link.numba.dispatch.basic import register_funcify_default_op_cache_key

from .numba_cache import kernel_version

__all__ = ["Pool2D", "Pool2DGrad", "pool_2d", "pool_output_length", "POOL_MODES"]

POOL_MODES = ("max", "average_inc_pad", "average_exc_pad", "sum")


def pool_output_length(input_length, pool_size, stride, pad, ignore_border):
    """Number of pooling windows along one axis (Lasagne's ``pool_output_length``).

    Parameters
    ----------
    input_length : int, PyTensor scalar or None
        ``None`` gives ``None``.
    pool_size, stride, pad : int
    ignore_border : bool
        If False, a last partial window is kept when the windows do not tile
        the input (``pad`` must then be 0).

    Returns
    -------
    int, PyTensor scalar or None

    Examples
    --------
    >>> pool_output_length(5, 2, 2, 0, True), pool_output_length(5, 2, 2, 0, False)
    (2, 3)
    >>> pool_output_length(5, 3, 1, 1, True)
    5
    """
    if input_length is None or pool_size is None:
        return None
    if ignore_border:
        return (input_length + 2 * pad - pool_size) // stride + 1
    if stride >= pool_size:
        return (input_length + stride - 1) // stride
    maximum = pt.maximum if isinstance(input_length, Variable) else max
    return maximum(0, (input_length - pool_size + stride - 1) // stride) + 1


def check_pool_params(owner, ws, stride, pad, ignore_border, mode, ws_name="ws"):
    """Validate pooling parameters and return ``(ws, stride, pad)`` as int pairs.

    Parameters
    ----------
    owner : str
        Name used in error messages.
    ws, stride, pad : int or pair of int
        ``stride=None`` means ``ws``.
    ignore_border : bool
    mode : str
        One of :data:`POOL_MODES`.
    ws_name : str
        Name of the window argument in error messages.

    Returns
    -------
    tuple of (int, int)

    Raises
    ------
    ValueError
        On non-positive sizes, negative pads, pads not smaller than the
        window, padding with ``ignore_border=False`` or an unknown mode.

    Examples
    --------
    >>> check_pool_params("pool_2d", 2, None, 0, True, "max")
    ((2, 2), (2, 2), (0, 0))
    """
    def pair(value, name, low):
        p = (value, value) if isinstance(value, numbers.Integral) else value
        ok = (isinstance(p, (tuple, list)) and len(p) == 2
              and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= low
                      for v in p))
        if not ok:
            raise ValueError(f"{owner}: {name} must be an integer >= {low} or a pair of them, "
                             f"got {value!r}")
        return tuple(int(v) for v in p)

    ws = pair(ws, ws_name, 1)
    stride = ws if stride is None else pair(stride, "stride", 1)
    pad = pair(pad, "pad", 0)
    if mode not in POOL_MODES:
        raise ValueError(f"{owner}: mode must be one of {POOL_MODES}, got {mode!r}")
    if not isinstance(ignore_border, (bool, np.bool_)):
        raise ValueError(f"{owner}: ignore_border must be a bool, got {ignore_border!r}")
    if any(pad) and not ignore_border:
        raise ValueError(f"{owner}: padding requires ignore_border=True, got pad={pad}")
    if pad[0] >= ws[0] or pad[1] >= ws[1]:
        raise ValueError(f"{owner}: pad must be smaller than the pool size {ws}, got {pad}")
    return ws, stride, pad


class _PoolOp(Op):
    __props__ = ("ws", "stride", "pad", "ignore_border", "mode")

    def __init__(self, ws, stride=None, pad=(0, 0), ignore_border=True, mode="max"):
        self.ws, self.stride, self.pad = check_pool_params(
            type(self).__name__, ws, stride, pad, ignore_border, mode)
        self.ignore_border = bool(ignore_border)
        self.mode = mode

    def output_size(self, height, width):
        """Number of windows along rows and columns for an input of that size."""
        return tuple(pool_output_length(size, w, s, p, self.ignore_border)
                     for size, w, s, p in zip((height, width), self.ws, self.stride, self.pad))

    def _numpy_setup(self, x):
        """Padded copy of ``x`` (``-inf`` around for max, 0 otherwise) and strided window views.

        Returns the buffer, the list of index tuples (one per window tap, each
        selecting an ``(N, C, OH, OW)`` view) and the ``(OH, OW)`` array of
        element counts per window (used by the average modes).
        """
        n, c, h, w = x.shape
        (out_h, out_w), (wh, ww), (sh, sw), (ph, pw) = (
            self.output_size(h, w), self.ws, self.stride, self.pad)
        rows = max(h + 2 * ph, (out_h - 1) * sh + wh)
        cols = max(w + 2 * pw, (out_w - 1) * sw + ww)
        fill = -np.inf if self.mode == "max" else 0
        buf = np.full((n, c, rows, cols), fill, dtype=x.dtype)
        buf[:, :, ph:ph + h, pw:pw + w] = x
        taps = [(slice(None), slice(None), slice(i, i + sh * (out_h - 1) + 1, sh),
                 slice(j, j + sw * (out_w - 1) + 1, sw)) for i in range(wh) for j in range(ww)]
        counts = np.outer(*(self._counts(o, size, k, s, p)
                            for o, size, k, s, p in zip((out_h, out_w), (h, w), self.ws,
                                                        self.stride, self.pad)))
        return buf, taps, counts.astype(x.dtype)

    def _counts(self, out_len, size, window, stride, pad):
        start = np.arange(out_len) * stride
        if self.mode == "average_inc_pad":
            lo, hi = 0, size + 2 * pad
        else:
            lo, hi = pad, pad + size
        return np.clip(np.minimum(start + window, hi) - np.maximum(start, lo), 0, None)

    def _crop(self, buf, shape):
        h, w = shape[2:]
        ph, pw = self.pad
        return np.ascontiguousarray(buf[:, :, ph:ph + h, pw:pw + w])


class Pool2D(_PoolOp):
    """Pool every ``ws`` window of an NCHW batch (max, average or sum).

    Parameters
    ----------
    ws : tuple of int
        Window ``(wh, ww)``.
    stride : tuple of int, optional
        Default ``ws`` (non-overlapping windows).
    pad : tuple of int
        Implicit padding on both sides; each must be smaller than ``ws``.
    ignore_border : bool
        Drop a last partial window (True) or keep it (False, needs ``pad=0``).
    mode : {'max', 'average_inc_pad', 'average_exc_pad', 'sum'}

    Raises
    ------
    ValueError
        If a parameter is invalid (see :func:`check_pool_params`).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16, dtype="float32").reshape(1, 1, 4, 4)
    >>> Pool2D((2, 2))(x).eval()[0, 0]
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
    """

    def make_node(self, x):
        x = pt.as_tensor_variable(x)
        if x.ndim != 4:
            raise ValueError(f"Pool2D: expected a 4-D (N, C, H, W) input, got {x.ndim} dimensions")
        return Apply(self, [x], [pt.tensor4(dtype=x.dtype)])

    def perform(self, node, inputs, output_storage):
        (x,) = inputs
        buf, taps, counts = self._numpy_setup(x)
        if self.mode == "max":
            out = np.max([buf[t] for t in taps], axis=0)
        else:
            out = np.sum([buf[t] for t in taps], axis=0)
            if self.mode != "sum":
                out /= counts
        output_storage[0][0] = out.astype(x.dtype, copy=False)

    def infer_shape(self, fgraph, node, shapes):
        n, c, h, w = shapes[0]
        return [(n, c, *self.output_size(h, w))]

    def pullback(self, inputs, outputs, output_grads):
        (x,), (out,), (gz,) = inputs, outputs, output_grads
        return [Pool2DGrad(*self._props())(x, out, gz)]


class Pool2DGrad(_PoolOp):
    """Gradient of :class:`Pool2D` with respect to its input.

    Parameters
    ----------
    ws, stride, pad, ignore_border, mode
        As in :class:`Pool2D`.

    Notes
    -----
    Applied to ``(x, out, gz)`` (the pooling input, its output and the
    gradient of the output), returns the gradient with respect to ``x``:
    ``gz`` of each window goes to the window's first maximum in row-major
    order (max; ties are common after a ReLU), or is spread evenly over the
    counted elements (average), or is copied to every element (sum).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[[[1, 3], [2, 0]]]], dtype="float32")
    >>> out = np.array([[[[3]]]], dtype="float32")
    >>> Pool2DGrad((2, 2))(x, out, np.ones_like(out)).eval()[0, 0]
    array([[0., 1.],
           [0., 0.]], dtype=float32)
    >>> tied = np.full((1, 1, 2, 2), 3, dtype="float32")  # four equal maxima: the first gets it
    >>> Pool2DGrad((2, 2))(tied, out, np.ones_like(out)).eval()[0, 0]
    array([[1., 0.],
           [0., 0.]], dtype=float32)
    """

    def make_node(self, x, out, gz):
        x, out, gz = (pt.as_tensor_variable(v) for v in (x, out, gz))
        if not x.ndim == out.ndim == gz.ndim == 4:
            raise ValueError("Pool2DGrad: x, out and gz must be 4-D")
        return Apply(self, [x, out, gz], [pt.tensor4(dtype=gz.dtype)])

    def perform(self, node, inputs, output_storage):
        x, out, gz = inputs
        buf, taps, counts = self._numpy_setup(x)
        grad = np.zeros(buf.shape, dtype=gz.dtype)
        if self.mode == "max":
            routed = np.zeros(out.shape, dtype=bool)
            for t in taps:  # row-major order within the window
                first = (buf[t] == out) & ~routed
                grad[t] += np.where(first, gz, 0)
                routed |= first
        else:
            share = gz if self.mode == "sum" else gz / counts
            for t in taps:
                grad[t] += share
        output_storage[0][0] = self._crop(grad, x.shape)

    def infer_shape(self, fgraph, node, shapes):
        return [shapes[0]]

    def pullback(self, inputs, outputs, output_grads):
        x, out, gz = inputs
        (ggx,) = output_grads
        if self.mode == "max":
            # the routing is piecewise constant in x; only the gz term is missing
            gg_gz = grad_not_implemented(self, 2, gz)
        else:
            gg_gz = Pool2D(*self._props())(ggx)
        return [pt.zeros_like(x), pt.zeros_like(out), gg_gz]


def pool_2d(input, ws, ignore_border=True, stride=None, pad=(0, 0), mode="max"):
    """Pool every ``ws`` window of the last two axes (Theano's ``pool_2d``).

    Parameters
    ----------
    input : tensor with at least 2 dimensions
        Leading axes are treated as batch axes.
    ws : int or tuple of int
        Window ``(wh, ww)``.
    ignore_border : bool
        If True (default), partial windows at the bottom/right are dropped.
    stride : int or tuple of int, optional
        Default ``ws``.
    pad : int or tuple of int
        Implicit padding (zeros for the average modes, ignored by max).
    mode : {'max', 'average_inc_pad', 'average_exc_pad', 'sum'}

    Returns
    -------
    tensor
        Output size along each pooled axis: :func:`pool_output_length`.

    Raises
    ------
    ValueError
        If ``input`` has fewer than 2 dimensions or a parameter is invalid.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16, dtype="float32").reshape(1, 1, 4, 4)
    >>> pool_2d(x, (2, 2), mode='average_inc_pad').eval()[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]], dtype=float32)
    >>> pool_2d(x, (3, 3), ignore_border=False, stride=(2, 2)).eval()[0, 0]
    array([[10., 11.],
           [14., 15.]], dtype=float32)
    """
    input = pt.as_tensor_variable(input)
    if input.ndim < 2:
        raise ValueError(f"pool_2d: input must have at least 2 dimensions, got {input.ndim}")
    ws, stride, pad = check_pool_params("pool_2d", ws, stride, pad, ignore_border, mode)
    op = Pool2D(ws, stride, pad, ignore_border, mode)
    if input.ndim == 4:
        return op(input)
    lead = input.shape[:-2]
    batch = pt.prod(lead) if input.ndim > 2 else 1
    flat = input.reshape((batch, 1, input.shape[-2], input.shape[-1]))
    out = op(flat)
    return out.reshape((*[lead[i] for i in range(input.ndim - 2)], out.shape[2], out.shape[3]))


def _numba_pool_kernels(op):
    """Numba kernels ``(pool, pool_grad)`` specialized to ``op``'s parameters."""
    (wh, ww), (sh, sw), (ph, pw) = op.ws, op.stride, op.pad
    ignore_border, mode = op.ignore_border, op.mode
    is_max, inc_pad, is_sum = mode == "max", mode == "average_inc_pad", mode == "sum"

    @numba_basic.numba_njit
    def out_len(size, window, stride, pad):
        if ignore_border:
            return (size + 2 * pad - window) // stride + 1
        if stride >= window:
            return (size + stride - 1) // stride
        return max(0, (size - window + stride - 1) // stride) + 1

    @numba_basic.numba_njit
    def windows(count, size, window, stride, pad):
        """Per window along one axis: image range ``[lo, hi)`` and the count averages divide by."""
        lo = np.empty(count, dtype=np.int64)
        hi = np.empty(count, dtype=np.int64)
        divisor = np.empty(count, dtype=np.int64)
        for k in range(count):
            start = k * stride - pad
            lo[k], hi[k] = max(start, 0), min(start + window, size)
            if inc_pad:
                divisor[k] = min(start + window, size + pad) - max(start, -pad)
            else:
                divisor[k] = hi[k] - lo[k]
        return lo, hi, divisor

    @numba_basic.numba_njit
    def pool(x):
        x = np.ascontiguousarray(x)
        n, c, h, w = x.shape
        out_h, out_w = out_len(h, wh, sh, ph), out_len(w, ww, sw, pw)
        r_lo, r_hi, r_count = windows(out_h, h, wh, sh, ph)
        q_lo, q_hi, q_count = windows(out_w, w, ww, sw, pw)
        out = np.empty((n, c, out_h, out_w), dtype=x.dtype)
        # Windows are rectangles, so the reduction is separable: first the window's image rows
        # are reduced into one row ``acc`` by unit-stride loops over whole rows (which LLVM
        # vectorizes), then each window's columns of ``acc``. A window-by-window loop spends
        # most of its time on loop control for windows as small as 2x2.
        acc = np.empty(w, dtype=x.dtype if is_max else np.float64)
        for b in range(n):
            for ch in range(c):
                source, target = x[b, ch], out[b, ch]
                for r in range(out_h):
                    line = source[r_lo[r]]
                    for j in range(w):
                        acc[j] = line[j]
                    for i in range(r_lo[r] + 1, r_hi[r]):
                        line = source[i]
                        for j in range(w):
                            if is_max:
                                acc[j] = line[j] if line[j] > acc[j] else acc[j]
                            else:
                                acc[j] += line[j]
                    row = target[r]
                    for q in range(out_w):
                        total = acc[q_lo[q]]
                        for j in range(q_lo[q] + 1, q_hi[q]):
                            if is_max:
                                total = acc[j] if acc[j] > total else total
                            else:
                                total += acc[j]
                        if not (is_max or is_sum):
                            total /= r_count[r] * q_count[q]
                        row[q] = total
        return out

    @numba_basic.numba_njit
    def pool_grad(x, out, gz):
        x = np.ascontiguousarray(x)
        n, c, h, w = x.shape
        out_h, out_w = out_len(h, wh, sh, ph), out_len(w, ww, sw, pw)
        if out.shape != (n, c, out_h, out_w) or gz.shape != out.shape:
            raise ValueError("Pool2DGrad: out and gz do not have the pooled shape of x")
        r_lo, r_hi, r_count = windows(out_h, h, wh, sh, ph)
        q_lo, q_hi, q_count = windows(out_w, w, ww, sw, pw)
        grad = np.zeros((n, c, h, w), dtype=gz.dtype)
        for b in range(n):
            for ch in range(c):
                source, top, g_out, target = x[b, ch], out[b, ch], gz[b, ch], grad[b, ch]
                if is_max:
                    for r in range(out_h):
                        for q in range(out_w):
                            # the window's first maximum in row-major order: scanned backwards
                            # with selects, so the last hit kept is the first, without branches
                            m = top[r, q]
                            hit_i, hit_j = -1, -1
                            for i in range(r_hi[r] - 1, r_lo[r] - 1, -1):
                                line = source[i]
                                for j in range(q_hi[q] - 1, q_lo[q] - 1, -1):
                                    found = line[j] == m
                                    hit_i = i if found else hit_i
                                    hit_j = j if found else hit_j
                            if hit_i >= 0:
                                target[hit_i, hit_j] += g_out[r, q]
                else:
                    for r in range(out_h):
                        # one image row at a time, so source and target rows are read in order
                        for i in range(r_lo[r], r_hi[r]):
                            t_line = target[i]
                            for q in range(out_w):
                                g = g_out[r, q]
                                if not is_sum:
                                    g = g / (r_count[r] * q_count[q])
                                for j in range(q_lo[q], q_hi[q]):
                                    t_line[j] += g
        return grad

    return pool, pool_grad


@register_funcify_default_op_cache_key(Pool2D)
def numba_funcify_Pool2D(op, **kwargs):
    return _numba_pool_kernels(op)[0], kernel_version(_numba_pool_kernels)


@register_funcify_default_op_cache_key(Pool2DGrad)
def numba_funcify_Pool2DGrad(op, **kwargs):
    return _numba_pool_kernels(op)[1], kernel_version(_numba_pool_kernels)
