"""Convolution and pooling Ops against independent references (scipy, NumPy loops, torch)."""
import itertools
import warnings

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
from scipy import signal

from adaptnet.ops import (Col2Im, Im2Col, Pool2D, Pool2DGrad, border_mode_padding, conv2d,
                          pool_2d, pool_output_length)

RNG = np.random.default_rng(1234)


# ---------------------------------------------------------------- references

def dilate(kernel, dilation):
    """Insert zeros between kernel taps along the last two axes."""
    dh, dw = dilation
    kh, kw = kernel.shape[-2:]
    out = np.zeros(kernel.shape[:-2] + ((kh - 1) * dh + 1, (kw - 1) * dw + 1), kernel.dtype)
    out[..., ::dh, ::dw] = kernel
    return out


def upsample(g, stride, size):
    """Spread ``g`` on a zero grid with the given stride, of spatial size ``size``."""
    out = np.zeros(g.shape[:-2] + size, g.dtype)
    out[..., :(g.shape[-2] - 1) * stride[0] + 1:stride[0],
        :(g.shape[-1] - 1) * stride[1] + 1:stride[1]] = g
    return out


def reference_conv(x, w, pad, stride, flip, dilation, groups, grad_out=None):
    """Forward (and, given ``grad_out``, input and filter gradients) with scipy.signal.

    Works in float64 on a zero-padded input, one 2-D correlation per
    (image, filter, channel); the gradients use the classical identities
    dx = full convolution of the stride-upsampled output gradient with the
    kernel, dW = valid correlation of the input with that gradient.
    """
    x, w = x.astype(np.float64), w.astype(np.float64)
    n, c, h, wd = x.shape
    f, cg = w.shape[:2]
    fg = f // groups
    kernel = dilate(w[:, :, ::-1, ::-1] if flip else w, dilation)
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    full = np.array([[sum(signal.correlate2d(xp[b, (k // fg) * cg + ch], kernel[k, ch], "valid")
                          for ch in range(cg)) for k in range(f)] for b in range(n)])
    out = full[:, :, ::stride[0], ::stride[1]]
    if grad_out is None:
        return out
    g_up = upsample(grad_out.astype(np.float64), stride, full.shape[-2:])
    kh, kw = kernel.shape[-2:]
    gxp = np.zeros_like(xp)
    gk = np.zeros_like(kernel)
    for b in range(n):
        for k in range(f):
            for ch in range(cg):
                src = (k // fg) * cg + ch
                conv = signal.convolve2d(g_up[b, k], kernel[k, ch], "full")
                gxp[b, src, :conv.shape[0], :conv.shape[1]] += conv
                gk[k, ch] += signal.correlate2d(xp[b, src], g_up[b, k], "valid")[:kh, :kw]
    gx = gxp[:, :, pad[0]:pad[0] + h, pad[1]:pad[1] + wd]
    gw = gk[:, :, ::dilation[0], ::dilation[1]]
    return out, gx, (gw[:, :, ::-1, ::-1] if flip else gw)


def reference_pool(x, ws, stride, pad, ignore_border, mode, grad_out=None):
    """Pool with explicit loops over windows, following Theano's definition; optional gradient.

    The max gradient of a window goes to its first maximum in row-major order (Caffe, PyTorch).
    """
    n, c, h, w = x.shape
    oh, ow = (pool_output_length(s, k, st, p, ignore_border)
              for s, k, st, p in zip((h, w), ws, stride, pad))
    out = np.zeros((n, c, oh, ow))
    gx = np.zeros(x.shape)
    for r in range(oh):
        for q in range(ow):
            r0, q0 = r * stride[0] - pad[0], q * stride[1] - pad[1]
            rows = slice(max(r0, 0), min(r0 + ws[0], h))
            cols = slice(max(q0, 0), min(q0 + ws[1], w))
            window = x[:, :, rows, cols].astype(np.float64)
            if mode == "average_inc_pad":
                count = ((min(r0 + ws[0], h + pad[0]) - max(r0, -pad[0]))
                         * (min(q0 + ws[1], w + pad[1]) - max(q0, -pad[1])))
            else:
                count = window.shape[2] * window.shape[3]
            if mode == "max":
                out[:, :, r, q] = window.max(axis=(2, 3))
                if grad_out is not None:
                    first = window.reshape(n, c, -1).argmax(axis=2)  # argmax: the first maximum
                    hit = np.zeros(window.shape).reshape(n, c, -1)
                    np.put_along_axis(hit, first[:, :, None], 1.0, axis=2)
                    gx[:, :, rows, cols] += hit.reshape(window.shape) * grad_out[:, :, r, q][:, :, None, None]
            else:
                scale = 1.0 if mode == "sum" else 1.0 / count
                out[:, :, r, q] = window.sum(axis=(2, 3)) * scale
                if grad_out is not None:
                    gx[:, :, rows, cols] += grad_out[:, :, r, q][:, :, None, None] * scale
    return out if grad_out is None else (out, gx)


def conv_function(x_shape, w_shape, **kwargs):
    """Compile ``(x, w, g) -> (conv2d(x, w), d<g, out>/dx, d<g, out>/dw)``."""
    x, w = pt.tensor4("x", dtype="float32"), pt.tensor4("w", dtype="float32")
    g = pt.tensor4("g", dtype="float32")
    out = conv2d(x, w, filter_shape=w_shape, **kwargs)
    gx, gw = pytensor.grad((out * g).sum(), [x, w])
    return pytensor.function([x, w, g], [out, gx, gw])


def pool_function(**kwargs):
    x, g = pt.tensor4("x", dtype="float32"), pt.tensor4("g", dtype="float32")
    out = pool_2d(x, **kwargs)
    return pytensor.function([x, g], [out, pytensor.grad((out * g).sum(), x)])


def distinct(shape):
    """Values with no ties (max-pooling gradients are then unambiguous)."""
    return (RNG.permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 3).astype(np.float32)


# ---------------------------------------------------------------- Im2Col / Col2Im

@pytest.mark.parametrize("flip", [False, True])
def test_im2col_matches_explicit_patches(flip):
    x = RNG.standard_normal((2, 3, 6, 5)).astype(np.float32)
    op = Im2Col((3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), flip=flip)
    cols = op(x).eval()
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (0, 0)))
    oh, ow = (6 + 2 - 3) // 2 + 1, (5 - 2 * 1 - 1) // 1 + 1
    assert cols.shape == (3 * 3 * 2, 2 * oh * ow)
    for b in range(2):
        for r in range(oh):
            for q in range(ow):
                patch = xp[b, :, r * 2:r * 2 + 3, q:q + 3:2]
                if flip:
                    patch = patch[:, ::-1, ::-1]
                np.testing.assert_array_equal(cols[:, (b * oh + r) * ow + q], patch.ravel())


def test_col2im_is_the_adjoint_of_im2col():
    x = RNG.standard_normal((2, 2, 7, 6))
    op = Im2Col((3, 3), stride=(2, 2), padding=(1, 2), dilation=(2, 1), flip=True)
    cols = op(x).eval()
    y = RNG.standard_normal(cols.shape)
    back = Col2Im(*op._props())(y, np.array(x.shape)).eval()
    np.testing.assert_allclose(np.sum(cols * y), np.sum(back * x), rtol=1e-10)


def test_patch_ops_verify_grad():
    rng = np.random.default_rng(0)
    props = ((2, 3), (2, 1), (1, 1), (1, 1), True)
    x = rng.standard_normal((2, 2, 5, 4))
    pytensor.gradient.verify_grad(Im2Col(*props), [x], rng=rng)
    cols = Im2Col(*props)(x).eval()
    pytensor.gradient.verify_grad(lambda c: Col2Im(*props)(c, np.array(x.shape)), [cols], rng=rng)


def test_patch_ops_reject_bad_arguments():
    with pytest.raises(ValueError, match="Im2Col: kernel_shape"):
        Im2Col((0, 2))
    with pytest.raises(ValueError, match="Col2Im: padding"):
        Col2Im((2, 2), padding=(-1, 0))
    with pytest.raises(ValueError, match="Im2Col: flip"):
        Im2Col((2, 2), flip="yes")
    with pytest.raises(ValueError, match="Im2Col: expected a 4-D"):
        Im2Col((2, 2))(pt.matrix())
    with pytest.raises(ValueError, match="larger than the input"):
        Im2Col((4, 4))(np.zeros((1, 1, 3, 3), np.float32)).eval()
    with pytest.raises(ValueError, match="Col2Im: cols must have shape"):
        Col2Im((2, 2))(np.zeros((4, 3), np.float32), np.array([1, 1, 3, 3])).eval()


# ---------------------------------------------------------------- conv2d

CONV_CASES = [
    # (x shape, w shape, kwargs)
    ((2, 3, 7, 6), (4, 3, 3, 2), dict(border_mode="valid")),
    ((2, 3, 7, 6), (4, 3, 3, 2), dict(border_mode="full")),
    ((2, 2, 7, 6), (3, 2, 3, 3), dict(border_mode="half")),
    ((2, 2, 7, 6), (3, 2, 3, 3), dict(border_mode=2, subsample=(2, 2))),
    ((1, 2, 8, 7), (3, 2, 2, 3), dict(border_mode=(1, 0), subsample=(3, 2))),
    ((2, 4, 6, 6), (6, 2, 3, 3), dict(border_mode="half", num_groups=2)),
    ((1, 2, 9, 8), (2, 2, 3, 2), dict(border_mode=(2, 1), filter_dilation=(2, 3))),
]


@pytest.mark.parametrize("flip", [True, False])
@pytest.mark.parametrize("x_shape, w_shape, kwargs", CONV_CASES)
def test_conv2d_forward_and_gradients_match_scipy(x_shape, w_shape, kwargs, flip):
    x = RNG.standard_normal(x_shape).astype(np.float32)
    w = RNG.standard_normal(w_shape).astype(np.float32)
    kernel = w_shape[2:]
    dilation = kwargs.get("filter_dilation", (1, 1))
    pad = border_mode_padding(kwargs["border_mode"], kernel, dilation)
    stride = kwargs.get("subsample", (1, 1))
    expected = reference_conv(x, w, pad, stride, flip, dilation, kwargs.get("num_groups", 1))
    g = RNG.standard_normal(expected.shape).astype(np.float32)
    out, gx, gw = conv_function(x_shape, w_shape, filter_flip=flip, **kwargs)(x, w, g)
    _, ref_gx, ref_gw = reference_conv(x, w, pad, stride, flip, dilation,
                                       kwargs.get("num_groups", 1), grad_out=g)
    assert out.dtype == gx.dtype == gw.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gx, ref_gx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gw, ref_gw, rtol=1e-4, atol=1e-4)


def test_conv2d_half_padding_keeps_the_size_and_full_is_the_transpose_of_valid():
    x = RNG.standard_normal((1, 1, 5, 5)).astype(np.float32)
    w = RNG.standard_normal((1, 1, 3, 3)).astype(np.float32)
    assert conv2d(x, w, border_mode="half").eval().shape == (1, 1, 5, 5)
    full = conv2d(x, w, border_mode="full").eval()[0, 0]
    np.testing.assert_allclose(full, signal.convolve2d(x[0, 0], w[0, 0], "full"), rtol=1e-5,
                               atol=1e-5)


def test_conv2d_verify_grad_float64():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 2, 5, 4))
    w = rng.standard_normal((4, 1, 2, 3))

    def conv(x, w):
        return conv2d(x, w, filter_shape=(4, 1, 2, 3), border_mode=(1, 1), subsample=(2, 1),
                      num_groups=2)

    pytensor.gradient.verify_grad(conv, [x, w], rng=rng)


def test_conv2d_rejects_bad_arguments():
    x, w = pt.tensor4(dtype="float32"), pt.tensor4(dtype="float32")
    with pytest.raises(ValueError, match="conv2d: the filter size"):
        conv2d(x, w)
    with pytest.raises(ValueError, match="conv2d: input and filters must be 4-D"):
        conv2d(pt.matrix(), w, filter_shape=(1, 1, 2, 2))
    with pytest.raises(ValueError, match="conv2d: border_mode"):
        conv2d(x, w, filter_shape=(1, 1, 2, 2), border_mode="same")
    with pytest.raises(ValueError, match="conv2d: subsample"):
        conv2d(x, w, filter_shape=(1, 1, 2, 2), subsample=(0, 1))
    with pytest.raises(ValueError, match="not divisible by num_groups=2"):
        conv2d(x, w, input_shape=(None, 3, 5, 5), filter_shape=(4, 1, 2, 2), num_groups=2)
    with pytest.raises(ValueError, match="larger than the input"):
        conv2d(x, w, input_shape=(None, 1, 3, 3), filter_shape=(1, 1, 4, 2))
    with pytest.raises(ValueError, match="conv2d: input_shape"):
        conv2d(pt.tensor4(shape=(1, 2, 3, 3)), w, input_shape=(1, 3, 3, 3),
               filter_shape=(1, 3, 2, 2))


@pytest.mark.torch
@pytest.mark.parametrize("stride, padding, dilation, groups", [
    ((1, 1), (0, 0), (1, 1), 1), ((2, 1), (1, 2), (1, 2), 1), ((1, 2), (2, 2), (1, 1), 3)])
def test_conv2d_matches_torch(stride, padding, dilation, groups):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, 6, 9, 8)).astype(np.float32)
    w = RNG.standard_normal((6, 6 // groups, 3, 3)).astype(np.float32)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    tout = torch.nn.functional.conv2d(tx, tw, stride=stride, padding=padding, dilation=dilation,
                                      groups=groups)
    g = RNG.standard_normal(tuple(tout.shape)).astype(np.float32)
    (tout * torch.tensor(g)).sum().backward()
    out, gx, gw = conv_function(x.shape, w.shape, border_mode=padding, subsample=stride,
                                filter_dilation=dilation, num_groups=groups,
                                filter_flip=False)(x, w, g)
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gw, tw.grad.numpy(), rtol=1e-4, atol=1e-4)


# ---------------------------------------------------------------- pooling

POOL_CASES = [
    # (ws, stride, pad, ignore_border)
    ((2, 2), None, (0, 0), True),
    ((3, 2), (1, 2), (0, 0), True),
    ((3, 3), (2, 2), (1, 2), True),
    ((2, 3), (3, 2), (0, 0), False),
    ((3, 2), (1, 1), (0, 0), False),
]


@pytest.mark.parametrize("mode", ["max", "average_inc_pad", "average_exc_pad", "sum"])
@pytest.mark.parametrize("ws, stride, pad, ignore_border", POOL_CASES)
def test_pool_2d_forward_and_gradient_match_loops(ws, stride, pad, ignore_border, mode):
    x = distinct((2, 3, 7, 8))
    expected = reference_pool(x, ws, stride or ws, pad, ignore_border, mode)
    g = RNG.standard_normal(expected.shape).astype(np.float32)
    _, ref_gx = reference_pool(x, ws, stride or ws, pad, ignore_border, mode, grad_out=g)
    out, gx = pool_function(ws=ws, stride=stride, pad=pad, ignore_border=ignore_border,
                            mode=mode)(x, g)
    assert out.dtype == gx.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gx, ref_gx, rtol=1e-5, atol=1e-5)


def test_max_pool_gradient_goes_to_the_first_tied_maximum():
    x = np.array([[[[0, 1, 1, 1], [1, 1, 0, 1]]]], dtype=np.float32)
    out, gx = pool_function(ws=(2, 2))(x, np.full((1, 1, 1, 2), 2, np.float32))
    np.testing.assert_array_equal(gx[0, 0], [[0, 2, 2, 0], [0, 0, 0, 0]])


def rectified_with_ties(shape):
    """Like a ReLU's output over a flat background: many zeros and repeated values."""
    return np.maximum(RNG.integers(-4, 3, size=shape), 0).astype(np.float32)


@pytest.mark.parametrize("ws, stride, pad, ignore_border", [
    ((2, 2), None, (0, 0), True), ((3, 2), (2, 1), (1, 1), True), ((3, 3), (1, 2), (0, 0), False)])
def test_max_pool_gradient_is_a_directional_derivative_under_ties(ws, stride, pad, ignore_border):
    # Shifting every input by e shifts every window maximum by e, whatever ties there are, so
    # <grad, ones> must equal the finite difference of <g, pool(x)> along ones: sum(g).
    # Sending the gradient to every tied maximum (Theano) fails this.
    x = rectified_with_ties((2, 3, 8, 7))
    f = pool_function(ws=ws, stride=stride, pad=pad, ignore_border=ignore_border)
    shape = pool_2d(x, ws, ignore_border=ignore_border, stride=stride, pad=pad).eval().shape
    g = RNG.standard_normal(shape).astype(np.float32)
    out, gx = f(x, g)
    eps = np.float32(0.25)
    finite = ((f(x + eps, g)[0] * g).sum() - (f(x - eps, g)[0] * g).sum()) / (2 * eps)
    np.testing.assert_allclose(gx.sum(), finite, rtol=1e-4)
    _, ref_gx = reference_pool(x, ws, stride or ws, pad, ignore_border, "max", grad_out=g)
    np.testing.assert_allclose(gx, ref_gx, rtol=1e-5, atol=1e-5)


def test_pool_output_length_matches_lasagne_formula_by_hand():
    assert pool_output_length(7, 3, 2, 1, True) == 4  # (7 + 2 - 3) // 2 + 1
    assert pool_output_length(7, 2, 3, 0, False) == 3  # ceil(7 / 3)
    assert pool_output_length(6, 3, 2, 0, True) == 2  # windows at 0, 2
    assert pool_output_length(6, 3, 2, 0, False) == 3  # and a partial one at 4
    assert pool_output_length(2, 3, 1, 0, False) == 1  # a single partial window
    assert pool_output_length(None, 3, 1, 0, False) is None


def test_pool_2d_on_lower_and_higher_rank_inputs():
    x = distinct((2, 3, 4, 6))
    expected = reference_pool(x, (2, 3), (2, 3), (0, 0), True, "max")
    np.testing.assert_allclose(pool_2d(x[0, 0], (2, 3)).eval(), expected[0, 0])
    np.testing.assert_allclose(pool_2d(x[0], (2, 3)).eval(), expected[0])
    five = pool_2d(x[None], (2, 3)).eval()
    assert five.shape == (1,) + expected.shape
    np.testing.assert_allclose(five[0], expected)


@pytest.mark.parametrize("mode", ["max", "average_inc_pad", "average_exc_pad"])
def test_pool_verify_grad(mode):
    rng = np.random.default_rng(2)
    x = distinct((1, 2, 5, 5)).astype(np.float64)
    pytensor.gradient.verify_grad(Pool2D((3, 2), (2, 1), (1, 1), True, mode), [x], rng=rng)


def test_average_pool_second_derivative_verify_grad():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 2, 5, 4))
    op = Pool2D((2, 2), (1, 2), (1, 0), True, "average_inc_pad")
    out = op(x).eval()
    gz = rng.standard_normal(out.shape)
    grad_op = Pool2DGrad(*op._props())
    pytensor.gradient.verify_grad(lambda g: grad_op(x, out, g), [gz], rng=rng)


def test_pool_rejects_bad_arguments():
    x = pt.tensor4(dtype="float32")
    with pytest.raises(ValueError, match="pool_2d: ws"):
        pool_2d(x, (0, 2))
    with pytest.raises(ValueError, match="pool_2d: mode"):
        pool_2d(x, 2, mode="median")
    with pytest.raises(ValueError, match="pool_2d: padding requires ignore_border=True"):
        pool_2d(x, 2, ignore_border=False, pad=1)
    with pytest.raises(ValueError, match="pool_2d: pad must be smaller"):
        pool_2d(x, 2, pad=(2, 0))
    with pytest.raises(ValueError, match="pool_2d: input must have at least 2"):
        pool_2d(pt.vector(), 2)


@pytest.mark.torch
@pytest.mark.parametrize("mode", ["max", "average_inc_pad", "average_exc_pad"])
def test_pool_matches_torch(mode):
    torch = pytest.importorskip("torch")
    x = distinct((2, 3, 9, 8))
    tx = torch.tensor(x, requires_grad=True)
    kwargs = dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1))
    if mode == "max":
        tout = torch.nn.functional.max_pool2d(tx, **kwargs)
    else:
        tout = torch.nn.functional.avg_pool2d(
            tx, count_include_pad=mode == "average_inc_pad", **kwargs)
    g = RNG.standard_normal(tuple(tout.shape)).astype(np.float32)
    (tout * torch.tensor(g)).sum().backward()
    out, gx = pool_function(ws=(3, 2), stride=(2, 1), pad=(1, 1), mode=mode)(x, g)
    np.testing.assert_allclose(out, tout.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.torch
def test_max_pool_gradient_matches_torch_under_ties():
    torch = pytest.importorskip("torch")
    x = rectified_with_ties((2, 3, 9, 8))
    tx = torch.tensor(x, requires_grad=True)
    tout = torch.nn.functional.max_pool2d(tx, kernel_size=(3, 2), stride=(2, 1), padding=(1, 1))
    g = RNG.standard_normal(tuple(tout.shape)).astype(np.float32)
    (tout * torch.tensor(g)).sum().backward()
    out, gx = pool_function(ws=(3, 2), stride=(2, 1), pad=(1, 1))(x, g)
    np.testing.assert_array_equal(out, tout.detach().numpy())
    np.testing.assert_allclose(gx, tx.grad.numpy(), rtol=1e-5, atol=1e-5)


# ---------------------------------------------------------------- Numba linker

@pytest.fixture(scope="module")
def numba_functions():
    """One conv graph and one pooling graph, compiled once with the default linker."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an object-mode fallback warns; make it fail here
        conv = conv_function((2, 4, 9, 8), (4, 2, 3, 2), border_mode=(1, 2), subsample=(2, 1),
                             filter_dilation=(2, 1), num_groups=2, filter_flip=True)
        x, g_max, g_avg = (pt.tensor4(dtype="float32") for _ in range(3))
        outs = [pool_2d(x, (3, 2), ignore_border=False, stride=(1, 2)),
                pool_2d(x, (3, 3), stride=(2, 1), pad=(1, 2), mode="average_inc_pad")]
        loss = (outs[0] * g_max).sum() + (outs[1] * g_avg).sum()
        pool = pytensor.function([x, g_max, g_avg], outs + [pytensor.grad(loss, x)])
    return conv, pool


@pytest.mark.numba
def test_numba_kernels_are_compiled_not_object_mode(numba_functions):
    linkers = {type(f.maker.linker).__name__ for f in numba_functions}
    assert linkers == {"NumbaLinker"}
    for f in numba_functions:
        ops = {type(node.op).__name__ for node in f.maker.fgraph.apply_nodes}
        assert ops & {"Im2Col", "Col2Im", "Pool2D", "Pool2DGrad"}


@pytest.mark.numba
def test_numba_conv_matches_reference(numba_functions):
    conv, _ = numba_functions
    x = RNG.standard_normal((2, 4, 9, 8)).astype(np.float32)
    w = RNG.standard_normal((4, 2, 3, 2)).astype(np.float32)
    ref = reference_conv(x, w, (1, 2), (2, 1), True, (2, 1), 2)
    g = RNG.standard_normal(ref.shape).astype(np.float32)
    _, ref_gx, ref_gw = reference_conv(x, w, (1, 2), (2, 1), True, (2, 1), 2, grad_out=g)
    out, gx, gw = conv(x, w, g)
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gx, ref_gx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(gw, ref_gw, rtol=1e-4, atol=1e-4)


@pytest.mark.numba
def test_numba_pool_matches_reference(numba_functions):
    _, pool = numba_functions
    x = rectified_with_ties((2, 3, 8, 7))
    ref_max = reference_pool(x, (3, 2), (1, 2), (0, 0), False, "max")
    ref_avg = reference_pool(x, (3, 3), (2, 1), (1, 2), True, "average_inc_pad")
    g_max = RNG.standard_normal(ref_max.shape).astype(np.float32)
    g_avg = RNG.standard_normal(ref_avg.shape).astype(np.float32)
    out_max, out_avg, gx = pool(x, g_max, g_avg)
    ref_gx = (reference_pool(x, (3, 2), (1, 2), (0, 0), False, "max", grad_out=g_max)[1]
              + reference_pool(x, (3, 3), (2, 1), (1, 2), True, "average_inc_pad",
                               grad_out=g_avg)[1])
    np.testing.assert_allclose(out_max, ref_max, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out_avg, ref_avg, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gx, ref_gx, rtol=1e-5, atol=1e-5)


def option_graphs():
    """``(name, outputs of x)`` for Op instances that together take every option path."""
    x = pt.tensor4(dtype="float32")
    for stride, pad, dilation, flip in [((1, 1), (0, 0), (1, 1), False), ((2, 3), (4, 5), (2, 1), True)]:
        op = Im2Col((3, 2), stride, pad, dilation, flip)
        cols = op(x)
        yield f"Im2Col/Col2Im{op._props()}", x, [cols, Col2Im(*op._props())(cols * 1.5, x.shape)]
    pool_options = [((3, 2), None, (0, 0), True), ((3, 2), (1, 2), (0, 0), False), ((2, 2), (1, 2), (1, 1), True)]
    for (ws, stride, pad, ignore_border), mode in itertools.product(
            pool_options, ["max", "average_inc_pad", "average_exc_pad", "sum"]):
        op = Pool2D(ws, stride, pad, ignore_border, mode)
        out = op(x)
        yield f"Pool2D/Pool2DGrad{op._props()}", x, [out, Pool2DGrad(*op._props())(x, out, out * 0.5 + 1)]


@pytest.mark.numba
def test_numba_kernels_match_python_kernels_across_options():
    """Every option path of the four Numba kernels against the Ops' own NumPy ``perform``.

    One small function per Op instance (a single function with all of them as outputs takes
    LLVM many minutes), with contiguous and strided inputs, and inputs with tied maxima.
    """
    python_mode = pytensor.compile.mode.Mode(linker="py", optimizer=None)
    values = []
    for shape in [(2, 3, 9, 8), (1, 2, 7, 11)]:
        xv = distinct(shape)
        values += [xv, np.concatenate([xv, xv], axis=3)[:, :, :, ::2],  # the second is not contiguous
                   rectified_with_ties(shape)]
    for name, x, outs in option_graphs():
        numba_f, python_f = pytensor.function([x], outs), pytensor.function([x], outs, mode=python_mode)
        for value in values:
            for a, b in zip(numba_f(value), python_f(value)):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5, err_msg=name)
