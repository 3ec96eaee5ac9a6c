"""Ready-made DANN architectures, used by ``adaptnet demo`` and ``adaptnet train``.

A preset is a function ``preset(input_shape, n_classes, **options)`` returning
the architecture arguments of :class:`~adaptnet.AdversarialNet`: a dict with
``layers`` (the label network), ``domain_layers`` (the domain classifier) and
``feature_layer`` (where the two meet). Pass it on with
``AdversarialNet(**preset(...), max_epochs=..., ...)``.
"""
import importlib
import inspect
import numbers

from . import nonlinearities

__all__ = ["PresetError", "PRESETS", "mlp", "paper_mnist", "build"]


class PresetError(ValueError):
    """An unknown preset name, or a ``module:function`` that cannot be imported.

    Examples
    --------
    >>> isinstance(PresetError("x"), ValueError)
    True
    """


def _units(value, name, owner, allow_empty=False):
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, (list, tuple)) or not (value or allow_empty) or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v > 0 for v in value):
        raise ValueError(f"{owner}: {name} must be a positive integer or a non-empty list of "
                         f"them, got {value!r}")
    return [int(v) for v in value]


def _nonlinearity(name, owner, argument="nonlinearity"):
    function = getattr(nonlinearities, name, None) if isinstance(name, str) else None
    if not callable(function):
        raise ValueError(f"{owner}: {argument} must be the name of a function of "
                         f"adaptnet.nonlinearities (e.g. 'rectify', 'sigmoid'), got {name!r}")
    return function


def _input_layer(input_shape, owner):
    from .layers import InputLayer

    if not isinstance(input_shape, (tuple, list)) or not input_shape or not all(
            isinstance(d, numbers.Integral) and d > 0 for d in input_shape):
        raise ValueError(f"{owner}: input_shape must be the shape of one sample (positive "
                         f"integers), got {input_shape!r}")
    return (InputLayer, {"name": "input", "shape": (None, *input_shape)})


def _check_classes(n_classes, owner):
    if isinstance(n_classes, bool) or not isinstance(n_classes, numbers.Integral) or n_classes < 2:
        raise ValueError(f"{owner}: n_classes must be an integer >= 2, got {n_classes!r}")


def _domain_head(units, nonlinearity):
    from .layers import DenseLayer

    hidden = [(DenseLayer, {"name": f"domain_hidden{i}", "num_units": n,
                            "nonlinearity": nonlinearity}) for i, n in enumerate(units)]
    return hidden + [(DenseLayer, {"name": "domain_output", "num_units": 1,
                                   "nonlinearity": nonlinearities.sigmoid})]


def mlp(input_shape, n_classes, hidden_units=(100,), domain_hidden_units=(100,),
        nonlinearity="rectify", dropout=0.0, domain_nonlinearity=None):
    """A fully connected DANN: dense feature layers, a softmax classifier, a dense domain head.

    The feature extractor is ``len(hidden_units)`` dense layers (inputs of
    more than one dimension are flattened); the label predictor is one
    softmax layer on the last of them, the domain classifier
    ``domain_hidden_units`` dense layers and a sigmoid unit. With
    ``hidden_units=15``, ``domain_hidden_units=15`` and sigmoid units it is
    the shallow network of the paper's two-moons experiment.

    Parameters
    ----------
    input_shape : tuple of int
        Shape of one sample.
    n_classes : int
        Number of classes (>= 2).
    hidden_units : int or list of int
        Widths of the feature layers.
    domain_hidden_units : int or list of int
        Widths of the domain classifier's hidden layers; ``[]`` makes it a
        logistic regression on the features, as in the paper's shallow DANN.
    nonlinearity : str
        Name of a function of :mod:`adaptnet.nonlinearities` for hidden units.
    dropout : float
        Dropout probability before the label classifier, in [0, 1).
    domain_nonlinearity : str, optional
        Name of the domain classifier's hidden nonlinearity; by default the
        same as ``nonlinearity``.

    Returns
    -------
    dict
        ``layers``, ``domain_layers`` and ``feature_layer``.

    Raises
    ------
    ValueError
        On a bad shape, class count, width, nonlinearity or dropout.

    Examples
    --------
    >>> arch = mlp((2,), 2, hidden_units=[8, 8], domain_hidden_units=4)
    >>> [kw["name"] for _, kw in arch["layers"]], arch["feature_layer"]
    (['input', 'hidden0', 'hidden1', 'output'], 'hidden1')
    >>> from adaptnet import AdversarialNet
    >>> list(AdversarialNet(**arch).initialize().layers_)[-3:]
    ['reversal', 'domain_hidden0', 'domain_output']
    """
    from .layers import DenseLayer, DropoutLayer

    owner = "mlp"
    layers = [_input_layer(input_shape, owner)]
    _check_classes(n_classes, owner)
    units = _units(hidden_units, "hidden_units", owner)
    domain_units = _units(domain_hidden_units, "domain_hidden_units", owner, allow_empty=True)
    function = _nonlinearity(nonlinearity, owner)
    domain_function = function if domain_nonlinearity is None else _nonlinearity(
        domain_nonlinearity, owner, "domain_nonlinearity")
    if isinstance(dropout, bool) or not isinstance(dropout, numbers.Real) or not 0 <= dropout < 1:
        raise ValueError(f"{owner}: dropout must be a number in [0, 1), got {dropout!r}")
    layers += [(DenseLayer, {"name": f"hidden{i}", "num_units": n, "nonlinearity": function})
               for i, n in enumerate(units)]
    feature = layers[-1][1]["name"]
    if dropout:
        layers.append((DropoutLayer, {"name": "dropout", "p": float(dropout)}))
    layers.append((DenseLayer, {"name": "output", "num_units": n_classes,
                                "nonlinearity": nonlinearities.softmax}))
    return {"layers": layers, "domain_layers": _domain_head(domain_units, domain_function),
            "feature_layer": feature}


def paper_mnist(input_shape=(1, 28, 28), n_classes=10):
    """The convolutional DANN of the paper's MNIST -> MNIST-M experiment.

    Feature extractor: 5x5 convolution with 32 maps, ReLU, 2x2 max-pooling,
    5x5 convolution with 48 maps, ReLU, 2x2 max-pooling. Label predictor:
    dense 100, dense 100 (ReLU), softmax. Domain classifier: dense 100
    (ReLU), sigmoid unit (Ganin et al., JMLR 2016, figure 4).

    Parameters
    ----------
    input_shape : tuple of int
        ``(channels, rows, cols)``; 28x28 images in the paper (rows and cols
        must be at least 16).
    n_classes : int
        Number of classes.

    Returns
    -------
    dict
        ``layers``, ``domain_layers`` and ``feature_layer``.

    Raises
    ------
    ValueError
        If ``input_shape`` is not a 3-tuple of image dimensions of at least
        16x16, or ``n_classes`` < 2.

    Examples
    --------
    >>> arch = paper_mnist((3, 28, 28), 10)
    >>> arch["feature_layer"], [kw["name"] for _, kw in arch["domain_layers"]]
    ('pool2', ['domain_hidden0', 'domain_output'])
    """
    from .layers import Conv2DLayer, DenseLayer, MaxPool2DLayer

    owner = "paper_mnist"
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3 or \
            min(input_shape[1:], default=0) < 16:
        raise ValueError(f"{owner}: input_shape must be (channels, rows, cols) with rows and cols "
                         f">= 16, got {input_shape!r}")
    layers = [_input_layer(input_shape, owner)]
    _check_classes(n_classes, owner)
    relu = nonlinearities.rectify
    layers += [
        (Conv2DLayer, {"name": "conv1", "num_filters": 32, "filter_size": 5, "nonlinearity": relu}),
        (MaxPool2DLayer, {"name": "pool1", "pool_size": 2}),
        (Conv2DLayer, {"name": "conv2", "num_filters": 48, "filter_size": 5, "nonlinearity": relu}),
        (MaxPool2DLayer, {"name": "pool2", "pool_size": 2}),
        (DenseLayer, {"name": "hidden0", "num_units": 100, "nonlinearity": relu}),
        (DenseLayer, {"name": "hidden1", "num_units": 100, "nonlinearity": relu}),
        (DenseLayer, {"name": "output", "num_units": n_classes,
                      "nonlinearity": nonlinearities.softmax}),
    ]
    return {"layers": layers, "domain_layers": _domain_head([100], relu), "feature_layer": "pool2"}


#: Presets by name, as ``adaptnet train`` accepts them in ``network.preset``.
PRESETS = {"mlp": mlp, "paper-mnist": paper_mnist}


def _resolve(name):
    if name in PRESETS:
        return PRESETS[name]
    if not isinstance(name, str) or name.count(":") != 1:
        raise PresetError(f"expected one of {', '.join(map(repr, PRESETS))} or "
                          f"'package.module:function', got {name!r}")
    module_name, function_name = name.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise PresetError(f"cannot import module {module_name!r} of {name!r} ({exc})") from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise PresetError(f"module {module_name!r} has no function {function_name!r}")
    return function


def build(name, input_shape, n_classes, **options):
    """Return the architecture arguments of a preset or of a user function.

    Parameters
    ----------
    name : str
        A key of :data:`PRESETS`, or ``"package.module:function"`` naming a
        function ``f(input_shape, n_classes, **options)`` that returns a
        layer list (the ``layers`` argument) or a dict of
        :class:`~adaptnet.AdversarialNet` arguments with at least ``layers``.
    input_shape : tuple of int
        Shape of one sample.
    n_classes : int
    **options
        Keyword arguments of the preset.

    Returns
    -------
    dict
        Keyword arguments for :class:`~adaptnet.AdversarialNet`.

    Raises
    ------
    PresetError
        If the name is unknown or cannot be imported, or the function returns
        something else than a list or a dict with ``layers``.
    TypeError
        If ``options`` do not fit the function's signature.

    Examples
    --------
    >>> sorted(build("mlp", (4,), 3, hidden_units=10))
    ['domain_layers', 'feature_layer', 'layers']
    >>> build("mlp", (4,), 3, width=10)
    Traceback (most recent call last):
    ...
    TypeError: mlp() got an unexpected keyword argument 'width'; it accepts hidden_units, domain_hidden_units, nonlinearity, dropout, domain_nonlinearity
    """
    function = _resolve(name)
    try:
        inspect.signature(function).bind(input_shape, n_classes, **options)
    except TypeError as exc:
        accepted = [p for p in inspect.signature(function).parameters
                    if p not in ("input_shape", "n_classes")]
        raise TypeError(f"{getattr(function, '__name__', name)}() {exc}; "
                        f"it accepts {', '.join(accepted) or 'no options'}") from None
    result = function(input_shape, n_classes, **options)
    if isinstance(result, list):
        return {"layers": result}
    if isinstance(result, dict) and "layers" in result:
        return dict(result)
    raise PresetError(f"{name!r} returned {type(result).__name__}; expected a layer list or a "
                      f"dict of AdversarialNet arguments with 'layers'")
