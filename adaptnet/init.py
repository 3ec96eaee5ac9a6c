"""Parameter initializers, compatible with ``lasagne.init``.

Each initializer is a callable ``init(shape) -> numpy.ndarray`` (float32).
Randomness comes from :func:`adaptnet.random.get_rng`, which estimators reseed from their
``random_state`` so that weight initialization is reproducible.
"""
import numpy as np

from .random import get_rng
from .utils import floatX

class Initializer:
    """Base class of initializers: subclasses implement :meth:`sample`.

    Examples
    --------
    >>> class Ones(Initializer):
    ...     def sample(self, shape):
    ...         return floatX(np.ones(shape))
    >>> Ones()((2,))
    array([1., 1.], dtype=float32)
    """

    def __call__(self, shape):
        return self.sample(shape)

    def sample(self, shape):
        """Return a float32 array of the given shape (abstract)."""
        raise NotImplementedError("abstract: Initializer subclasses implement sample()")

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Constant(Initializer):
    """Fill with a constant value.

    Parameters
    ----------
    val : float
        The value (default 0).

    Examples
    --------
    >>> Constant(0.1)((2,))
    array([0.1, 0.1], dtype=float32)
    """

    def __init__(self, val=0.0):
        self.val = val

    def sample(self, shape):
        return floatX(np.full(shape, self.val))


class Normal(Initializer):
    """Sample from a normal distribution N(mean, std**2).

    Parameters
    ----------
    std : float
        Standard deviation (default 0.01).
    mean : float
        Mean (default 0).

    Examples
    --------
    >>> Normal(0.01)((3, 2)).shape
    (3, 2)
    """

    def __init__(self, std=0.01, mean=0.0):
        self.std = std
        self.mean = mean

    def sample(self, shape):
        return floatX(get_rng().normal(self.mean, self.std, size=shape))


class Uniform(Initializer):
    """Sample uniformly from ``range`` or from ``mean +- sqrt(3) * std``.

    Parameters
    ----------
    range : float or (float, float)
        ``a`` means ``(-a, a)``; a pair gives the bounds (default 0.01).
    std, mean : float, optional
        Alternative parametrization by standard deviation and mean.

    Examples
    --------
    >>> w = Uniform((0, 1))((100,))
    >>> bool(w.min() >= 0 and w.max() <= 1)
    True
    """

    def __init__(self, range=0.01, std=None, mean=0.0):
        self.range = range
        self.std = std
        self.mean = mean

    def _bounds(self):
        if self.std is not None:
            a = self.mean - np.sqrt(3) * self.std
            return a, self.mean + np.sqrt(3) * self.std
        try:
            low, high = self.range
        except TypeError:
            low, high = -self.range, self.range
        return low, high

    def sample(self, shape):
        low, high = self._bounds()
        return floatX(get_rng().uniform(low=low, high=high, size=shape))


def _fans(shape):
    """Fan-in and fan-out of a weight shape, Lasagne's convention.

    Dense weights are ``(n_in, n_out)``; convolution filters are
    ``(num_filters, channels, rows, cols)``, so fan-in is
    ``channels * rows * cols`` and fan-out ``num_filters * rows * cols``.
    """
    if len(shape) < 2:
        raise ValueError(f"this initializer only works with shapes of length >= 2, got {shape}")
    receptive = int(np.prod(shape[2:]))
    if len(shape) == 2:
        return shape[0], shape[1]
    return shape[1] * receptive, shape[0] * receptive


class Glorot(Initializer):
    """Glorot/Xavier weight initialization (base of the uniform/normal variants).

    Parameters
    ----------
    initializer : class
        :class:`Normal` or :class:`Uniform`.
    gain : float or 'relu'
        Scaling factor; ``'relu'`` means ``sqrt(2)``.
    c01b : bool
        Not supported (cuda-convnet layout); kept for signature compatibility.

    Examples
    --------
    >>> Glorot(Uniform)((4, 5)).shape
    (4, 5)
    """

    def __init__(self, initializer, gain=1.0, c01b=False):
        if gain == "relu":
            gain = np.sqrt(2)
        if c01b:
            raise ValueError("Glorot: c01b=True (cuda-convnet layout) is not supported")
        self.initializer = initializer
        self.gain = gain
        self.c01b = c01b

    def sample(self, shape):
        n_in, n_out = _fans(shape)
        std = self.gain * np.sqrt(2.0 / (n_in + n_out))
        return self.initializer(std=std).sample(shape)


class GlorotNormal(Glorot):
    """Glorot initialization with a normal distribution: ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Examples
    --------
    >>> GlorotNormal()((100, 100)).std().round(2)
    np.float32(0.1)
    """

    def __init__(self, gain=1.0, c01b=False):
        super().__init__(Normal, gain, c01b)


class GlorotUniform(Glorot):
    """Glorot initialization with a uniform distribution of the same variance (Lasagne's default for weights).

    Examples
    --------
    >>> w = GlorotUniform()((100, 100))
    >>> bool(np.abs(w).max() <= np.sqrt(6 / 200))
    True
    """

    def __init__(self, gain=1.0, c01b=False):
        super().__init__(Uniform, gain, c01b)


class He(Initializer):
    """He initialization (base of the uniform/normal variants): ``std = gain * sqrt(1 / fan_in)``.

    Parameters
    ----------
    initializer : class
        :class:`Normal` or :class:`Uniform`.
    gain : float or 'relu'
        ``'relu'`` means ``sqrt(2)``.
    c01b : bool
        Not supported; kept for signature compatibility.

    Examples
    --------
    >>> He(Normal, gain="relu")((50, 10)).shape
    (50, 10)
    """

    def __init__(self, initializer, gain=1.0, c01b=False):
        if gain == "relu":
            gain = np.sqrt(2)
        if c01b:
            raise ValueError("He: c01b=True (cuda-convnet layout) is not supported")
        self.initializer = initializer
        self.gain = gain
        self.c01b = c01b

    def sample(self, shape):
        n_in, _ = _fans(shape)
        return self.initializer(std=self.gain * np.sqrt(1.0 / n_in)).sample(shape)


class HeNormal(He):
    """He initialization with a normal distribution.

    Examples
    --------
    >>> HeNormal("relu")((400, 400)).std().round(2)
    np.float32(0.07)
    """

    def __init__(self, gain=1.0, c01b=False):
        super().__init__(Normal, gain, c01b)


class HeUniform(He):
    """He initialization with a uniform distribution.

    Examples
    --------
    >>> HeUniform()((10, 3)).shape
    (10, 3)
    """

    def __init__(self, gain=1.0, c01b=False):
        super().__init__(Uniform, gain, c01b)


class Orthogonal(Initializer):
    """Orthogonal matrix initialization (Saxe et al., 2013).

    The shape is flattened to ``(shape[0], prod(shape[1:]))``; the result has
    orthonormal rows or columns, scaled by ``gain``.

    Parameters
    ----------
    gain : float or 'relu'

    Examples
    --------
    >>> W = Orthogonal()((4, 4))
    >>> np.allclose(W @ W.T, np.eye(4), atol=1e-5)
    True
    """

    def __init__(self, gain=1.0):
        if gain == "relu":
            gain = np.sqrt(2)
        self.gain = gain

    def sample(self, shape):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal only works with shapes of length >= 2, got {shape}")
        flat = (shape[0], int(np.prod(shape[1:])))
        a = get_rng().normal(0.0, 1.0, flat)
        u, _, v = np.linalg.svd(a, full_matrices=False)
        q = u if u.shape == flat else v
        return floatX(self.gain * q.reshape(shape))
