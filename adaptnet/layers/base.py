"""Base classes of all layers, compatible with ``lasagne.layers.base``."""
from collections import OrderedDict

from ..utils import create_param


class Layer:
    """Base class of layers with a single input.

    Parameters
    ----------
    incoming : Layer or tuple of int
        The layer feeding into this one, or the expected input shape
        (``None`` for a free dimension, usually the batch).
    name : str, optional
        A name for the layer, used in parameter names and error messages.

    Attributes
    ----------
    input_layer : Layer or None
    input_shape : tuple
    params : OrderedDict
        Maps each parameter (a shared variable) to its set of tags.

    Notes
    -----
    Subclasses override :meth:`get_output_shape_for` and
    :meth:`get_output_for`, and register parameters with :meth:`add_param`.

    Examples
    --------
    >>> import numpy as np
    >>> import pytensor.tensor as pt
    >>> from adaptnet.layers import InputLayer, Layer, get_output
    >>> class DoubleLayer(Layer):
    ...     def get_output_for(self, input, **kwargs):
    ...         return 2 * input
    >>> l_in = InputLayer((None, 3))
    >>> l_out = DoubleLayer(l_in)
    >>> x = np.ones((1, 3), dtype="float32")
    >>> get_output(l_out, x).eval()
    array([[2., 2., 2.]], dtype=float32)
    """

    def __init__(self, incoming, name=None):
        if isinstance(incoming, tuple):
            self.input_shape = incoming
            self.input_layer = None
        elif isinstance(incoming, Layer):
            self.input_shape = incoming.output_shape
            self.input_layer = incoming
        else:
            raise TypeError(
                f"{type(self).__name__}: incoming must be a Layer or a shape tuple, got {incoming!r}"
            )
        self.name = name
        self.params = OrderedDict()
        self.get_output_kwargs = []
        if any(d is not None and d <= 0 for d in self.input_shape):
            raise ValueError(
                f"{self._label()}: cannot create a layer with a non-positive input_shape "
                f"dimension, got input_shape={self.input_shape}"
            )

    def _label(self):
        return f"{type(self).__name__}" + (f" {self.name!r}" if self.name else "")

    @property
    def output_shape(self):
        """The shape of this layer's output (``None`` for free dimensions)."""
        return self.get_output_shape_for(self.input_shape)

    def get_params(self, unwrap_shared=True, **tags):
        """Return this layer's parameters, optionally filtered by tags.

        Parameters
        ----------
        unwrap_shared : bool
            Kept for Lasagne compatibility; parameters are shared variables.
        **tags
            ``trainable=True`` keeps only trainable parameters,
            ``regularizable=False`` only those without the tag, and so on.

        Returns
        -------
        list of shared variables
        """
        result = list(self.params.keys())
        only = {tag for tag, value in tags.items() if value}
        exclude = {tag for tag, value in tags.items() if not value}
        if only:
            result = [p for p in result if not (only - self.params[p])]
        if exclude:
            result = [p for p in result if not (self.params[p] & exclude)]
        return result

    def get_output_shape_for(self, input_shape):
        """Compute the output shape for a given input shape (identity by default).

        Parameters
        ----------
        input_shape : tuple

        Returns
        -------
        tuple
        """
        return input_shape

    def get_output_for(self, input, **kwargs):
        """Build this layer's symbolic output (abstract).

        Parameters
        ----------
        input : PyTensor expression
        **kwargs
            Flags passed down from :func:`get_output`, such as ``deterministic``.
        """
        raise NotImplementedError("abstract: Layer subclasses implement get_output_for()")

    def add_param(self, spec, shape, name=None, **tags):
        """Create a parameter and register it with its tags.

        Parameters
        ----------
        spec : initializer, numpy.ndarray or shared variable
            See :func:`adaptnet.utils.create_param`.
        shape : tuple of int
        name : str, optional
            Prefixed with the layer name when the layer has one (``"dense.W"``).
        **tags
            ``trainable`` and ``regularizable`` default to True.

        Returns
        -------
        shared variable
        """
        if name is not None and self.name is not None:
            name = f"{self.name}.{name}"
        param = create_param(spec, shape, name)
        tags.setdefault("trainable", True)
        tags.setdefault("regularizable", True)
        self.params[param] = {tag for tag, value in tags.items() if value}
        return param


class MergeLayer(Layer):
    """Base class of layers with several inputs.

    Parameters
    ----------
    incomings : list of Layer or tuple
        The layers (or input shapes) feeding into this layer.
    name : str, optional

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, MergeLayer
    >>> class SumLayer(MergeLayer):
    ...     def get_output_shape_for(self, input_shapes):
    ...         return input_shapes[0]
    ...     def get_output_for(self, inputs, **kwargs):
    ...         return inputs[0] + inputs[1]
    >>> SumLayer([InputLayer((None, 2)), InputLayer((None, 2))]).output_shape
    (None, 2)
    """

    def __init__(self, incomings, name=None):
        incomings = list(incomings)
        if not incomings:
            raise ValueError(f"{type(self).__name__}: incomings must hold at least one layer")
        self.input_shapes = []
        self.input_layers = []
        for incoming in incomings:
            if isinstance(incoming, tuple):
                self.input_shapes.append(incoming)
                self.input_layers.append(None)
            elif isinstance(incoming, Layer):
                self.input_shapes.append(incoming.output_shape)
                self.input_layers.append(incoming)
            else:
                raise TypeError(
                    f"{type(self).__name__}: every element of incomings must be a Layer "
                    f"or a shape tuple, got {incoming!r}"
                )
        self.name = name
        self.params = OrderedDict()
        self.get_output_kwargs = []

    @property
    def output_shape(self):
        """The shape of this layer's output."""
        return self.get_output_shape_for(self.input_shapes)

    def get_output_shape_for(self, input_shapes):
        """Compute the output shape from the list of input shapes (abstract)."""
        raise NotImplementedError("abstract: MergeLayer subclasses implement get_output_shape_for()")

    def get_output_for(self, inputs, **kwargs):
        """Build the symbolic output from the list of inputs (abstract)."""
        raise NotImplementedError("abstract: MergeLayer subclasses implement get_output_for()")
