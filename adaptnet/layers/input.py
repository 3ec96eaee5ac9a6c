"""The input layer, compatible with ``lasagne.layers.InputLayer``."""
import pytensor.tensor as pt

from ..utils import FLOATX
from .base import Layer


class InputLayer(Layer):
    """A placeholder for network input.

    Parameters
    ----------
    shape : tuple of int or None
        Shape of the input; ``None`` marks a free dimension (the batch).
    input_var : PyTensor tensor, optional
        The symbolic variable this layer stands for; by default a float32
        tensor of the right number of dimensions is created.
    name : str, optional

    Raises
    ------
    ValueError
        If a dimension is not a positive integer or ``None``, or if
        ``input_var`` has a different number of dimensions than ``shape``.

    Examples
    --------
    >>> l_in = InputLayer((None, 1, 28, 28))
    >>> l_in.input_var.ndim, l_in.input_var.dtype
    (4, 'float32')
    """

    def __init__(self, shape, input_var=None, name=None, **kwargs):
        self.shape = tuple(shape)
        if any(d is not None and (not isinstance(d, int) or isinstance(d, bool) or d <= 0) for d in self.shape):
            raise ValueError(
                f"InputLayer: shape must hold positive integers or None, got shape={shape!r}"
            )
        ndim = len(self.shape)
        if input_var is None:
            input_var = pt.tensor(
                dtype=FLOATX, shape=(None,) * ndim, name=f"{name}.input" if name else "input"
            )
        elif input_var.ndim != ndim:
            raise ValueError(
                f"InputLayer: input_var has {input_var.ndim} dimensions but shape={self.shape} "
                f"has {ndim}"
            )
        self.input_var = input_var
        self.name = name
        self.params = {}
        self.input_layer = None
        self.input_shape = self.shape
        self.get_output_kwargs = []

    @property
    def output_shape(self):
        """The input shape given at construction."""
        return self.shape
