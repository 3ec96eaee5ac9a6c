"""2-D convolution as patch extraction plus one matrix product (Theano's ``conv2d`` interface)."""
import numbers

import numpy as np
import pytensor.tensor as pt

from .im2col import Im2Col, patch_output_length

__all__ = ["conv2d", "border_mode_padding"]


def _int_pair(value, name, low):
    pair = (value, value) if isinstance(value, numbers.Integral) else value
    ok = (isinstance(pair, (tuple, list)) and len(pair) == 2
          and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) and v >= low
                  for v in pair))
    if not ok:
        raise ValueError(f"conv2d: {name} must be an integer >= {low} or a pair of them, got {value!r}")
    return tuple(int(v) for v in pair)


def border_mode_padding(border_mode, kernel_shape, dilation=(1, 1)):
    """Zero padding ``(ph, pw)`` that a Theano ``border_mode`` adds on each side.

    Parameters
    ----------
    border_mode : {'valid', 'full', 'half'}, int or tuple of int
        ``'valid'`` pads nothing, ``'full'`` pads ``k - 1`` (every partial
        overlap), ``'half'`` pads ``k // 2`` (same size for odd ``k`` and
        unit stride); an int or pair pads by that amount. ``k`` is the
        dilated kernel size ``dilation * (kernel - 1) + 1``.
    kernel_shape : tuple of int
        ``(kh, kw)``.
    dilation : tuple of int

    Returns
    -------
    tuple of int

    Raises
    ------
    ValueError
        If ``border_mode`` is none of the above.

    Examples
    --------
    >>> border_mode_padding('full', (5, 3)), border_mode_padding('half', (5, 3))
    ((4, 2), (2, 1))
    >>> border_mode_padding((1, 0), (3, 3))
    (1, 0)
    """
    dilated = [d * (k - 1) + 1 for k, d in zip(kernel_shape, dilation)]
    if isinstance(border_mode, str):
        if border_mode == "valid":
            return (0, 0)
        if border_mode == "full":
            return tuple(k - 1 for k in dilated)
        if border_mode == "half":
            return tuple(k // 2 for k in dilated)
        raise ValueError(
            f"conv2d: border_mode must be 'valid', 'full', 'half', an int or a pair of ints, "
            f"got {border_mode!r}")
    return _int_pair(border_mode, "border_mode", 0)


def _static_shape(var, given, name):
    """Merge a user-given shape hint with the variable's static shape, checking they agree."""
    static = tuple(var.type.shape)
    if given is None:
        return static
    given = tuple(given)
    if len(given) != 4:
        raise ValueError(f"conv2d: {name} must have 4 entries, got {given!r}")
    merged = []
    for g, s in zip(given, static):
        if g is not None and s is not None and g != s:
            raise ValueError(f"conv2d: {name}={given!r} contradicts the static shape {static!r}")
        merged.append(g if g is not None else s)
    return tuple(merged)


def conv2d(input, filters, input_shape=None, filter_shape=None, border_mode="valid",
           subsample=(1, 1), filter_flip=True, filter_dilation=(1, 1), num_groups=1):
    """Build the 2-D convolution of a batch of images with a bank of filters.

    Same interface and semantics as Theano's ``conv2d``: the result is
    ``out[n, f] = sum_c input[n, c] * filters[f, c]`` where ``*`` is a true
    convolution (``filter_flip=True``) or a cross-correlation
    (``filter_flip=False``, the deep learning convention). It is computed as
    :class:`~adaptnet.ops.Im2Col` followed by one GEMM (grouped convolutions
    use a block-diagonal filter matrix, so they cost as much as an ungrouped
    one), and both gradients are GEMMs too (the input gradient adds a
    :class:`~adaptnet.ops.Col2Im`).

    Parameters
    ----------
    input : 4-D tensor
        Images ``(batch, channels, rows, cols)``.
    filters : 4-D tensor
        Filters ``(num_filters, channels // num_groups, kh, kw)``.
    input_shape : tuple, optional
        Known input shape (``None`` for unknown entries), checked at run time.
    filter_shape : tuple, optional
        Known filter shape. The spatial size ``(kh, kw)`` must be known, from
        here or from the static shape of ``filters``.
    border_mode : {'valid', 'full', 'half'}, int or tuple of int
        Zero padding, see :func:`border_mode_padding`.
    subsample : tuple of int
        Strides ``(sh, sw)``.
    filter_flip : bool
        Flip the filters spatially (true convolution, Theano's default).
    filter_dilation : tuple of int
        Spacing between filter taps.
    num_groups : int
        Split channels and filters into that many independent groups.

    Returns
    -------
    4-D tensor
        ``(batch, num_filters, out_rows, out_cols)`` with
        ``out_rows = (rows + 2 * ph - dh * (kh - 1) - 1) // sh + 1``.

    Raises
    ------
    ValueError
        If an input is not 4-D, the filter size is unknown, a size or mode
        is invalid, the dilated filter does not fit the padded input, or the
        channels or filters are not divisible by ``num_groups``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(16, dtype="float32").reshape(1, 1, 4, 4)
    >>> w = np.ones((1, 1, 2, 2), dtype="float32")
    >>> conv2d(x, w).eval()[0, 0]
    array([[10., 14., 18.],
           [26., 30., 34.],
           [42., 46., 50.]], dtype=float32)
    >>> conv2d(x, w, border_mode='full', subsample=(2, 2)).eval().shape
    (1, 1, 3, 3)
    """
    input = pt.as_tensor_variable(input)
    filters = pt.as_tensor_variable(filters)
    if input.ndim != 4 or filters.ndim != 4:
        raise ValueError(
            f"conv2d: input and filters must be 4-D, got input.ndim={input.ndim}, "
            f"filters.ndim={filters.ndim}")
    in_shape = _static_shape(input, input_shape, "input_shape")
    f_shape = _static_shape(filters, filter_shape, "filter_shape")
    if f_shape[2] is None or f_shape[3] is None:
        raise ValueError(
            f"conv2d: the filter size (kh, kw) must be known; pass filter_shape, got {f_shape!r}")
    kernel = (int(f_shape[2]), int(f_shape[3]))
    stride = _int_pair(subsample, "subsample", 1)
    dilation = _int_pair(filter_dilation, "filter_dilation", 1)
    padding = border_mode_padding(border_mode, kernel, dilation)
    if isinstance(num_groups, bool) or not isinstance(num_groups, numbers.Integral) or num_groups < 1:
        raise ValueError(f"conv2d: num_groups must be a positive integer, got {num_groups!r}")
    for size, k, p, d, axis in zip(in_shape[2:], kernel, padding, dilation, ("rows", "cols")):
        if size is not None and patch_output_length(size, k, 1, p, d) <= 0:
            raise ValueError(
                f"conv2d: the filter ({k} {axis}, dilation {d}) is larger than the input "
                f"({size} {axis}) padded by {p}")
    for size, name in ((in_shape[1], "input channels"), (f_shape[0], "filters")):
        if size is not None and size % num_groups:
            raise ValueError(f"conv2d: the number of {name} ({size}) is not divisible by "
                             f"num_groups={num_groups}")
    if in_shape[1] is not None and f_shape[1] is not None and in_shape[1] != f_shape[1] * num_groups:
        raise ValueError(
            f"conv2d: input has {in_shape[1]} channels but filters expect "
            f"{f_shape[1]} x num_groups={num_groups}")

    if input_shape is not None or filter_shape is not None:
        input = pt.specify_shape(input, in_shape)
        filters = pt.specify_shape(filters, f_shape)
    batch = input.shape[0]
    out_h, out_w = (patch_output_length(input.shape[a], k, s, p, d)
                    for a, k, s, p, d in zip((2, 3), kernel, stride, padding, dilation))
    cols = Im2Col(kernel, stride, padding, dilation, flip=bool(filter_flip))(input)
    num_filters = filters.shape[0]
    # Filters as a (taps, F) matrix on the right of the product: the filter gradient that
    # PyTensor derives is then dot(cols, grad), a (taps, F) GEMM over the long axis, which
    # OpenBLAS runs ~10x faster than the (F, taps) orientation dot(grad, cols.T) that
    # dot(filters_matrix, cols) would give.
    w_cols = filters.dimshuffle(1, 2, 3, 0).reshape((-1, num_filters))
    if num_groups > 1:
        # Block-diagonal filter matrix: group g's filters see only the rows of cols from its
        # channels (cols rows are ordered by channel). One GEMM does G times the work of G
        # small ones, but compiles in seconds where a batched matmul takes half a minute.
        eye = np.eye(num_groups, dtype=filters.dtype)[:, None, :, None]
        w_cols = (w_cols.reshape((1, -1, num_groups, num_filters // num_groups)) * eye
                  ).reshape((-1, num_filters))
    out = pt.dot(cols.T, w_cols).T
    # (F, N * OH * OW) -> (N, F, OH, OW): a view; the next elementwise op makes it contiguous
    return out.reshape((num_filters, batch, out_h, out_w)).dimshuffle(1, 0, 2, 3)
