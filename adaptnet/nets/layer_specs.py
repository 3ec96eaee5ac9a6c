"""Building layer graphs from nolearn-style layer specifications.

A specification is a list whose items are either ``(LayerClass, {kwargs})``
or ``('name', LayerClass)``, possibly mixed, or a Layer instance (the output
layer of a ready-made graph). Unnamed layers get nolearn's names: the class
name in lower case without ``"layer"`` plus the item's index (``dense1``).
"""
from collections import OrderedDict

from ..layers import InputLayer, Layer, get_all_layers


def _auto_name(cls_or_layer, index, prefix):
    cls = cls_or_layer if isinstance(cls_or_layer, type) else type(cls_or_layer)
    return f"{prefix}{cls.__name__.lower().replace('layer', '')}{index}"


def _parse_item(item, index, owner, argname):
    """Return ``(name or None, factory, kwargs)`` for one list item."""
    if isinstance(item, (tuple, list)) and len(item) == 2:
        first, second = item
        if isinstance(second, dict) and callable(first):
            kwargs = dict(second)
            return kwargs.pop("name", None), first, kwargs
        if isinstance(first, str) and callable(second):
            return first, second, {}
    raise TypeError(
        f"{owner}: {argname}[{index}] must be (LayerClass, {{kwargs}}) or ('name', LayerClass), "
        f"got {item!r}"
    )


def layer_names(spec, owner, argname="layers", prefix=""):
    """Return the layer names a specification will produce, without building it.

    Parameters
    ----------
    spec : list or Layer
    owner : str
        Class name for error messages.
    argname : str
        Argument name for error messages.
    prefix : str
        Prepended to automatic names.

    Returns
    -------
    list of str

    Raises
    ------
    TypeError
        If ``spec`` is in none of the accepted formats.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> layer_names([(InputLayer, {"shape": (None, 2)}), ("hidden", DenseLayer),
    ...              (DenseLayer, {"num_units": 2})], "NeuralNet")
    ['input0', 'hidden', 'dense2']
    """
    if isinstance(spec, Layer):
        return [l.name or _auto_name(l, i, prefix) for i, l in enumerate(get_all_layers(spec))]
    if not isinstance(spec, (list, tuple)) or not spec:
        raise TypeError(
            f"{owner}: {argname} must be a non-empty list of (LayerClass, {{kwargs}}) or "
            f"('name', LayerClass) items, or a Layer instance; got {spec!r}"
        )
    names = []
    for index, item in enumerate(spec):
        name, factory, _ = _parse_item(item, index, owner, argname)
        names.append(name or _auto_name(factory, index, prefix))
    return names


def build_layers(spec, params_for, owner, argname="layers", incoming=None, prefix=""):
    """Build the layers of a specification.

    Parameters
    ----------
    spec : list or Layer
        A Layer instance is used as is (its graph is not rebuilt).
    params_for : callable
        ``params_for(name) -> dict`` of extra keyword arguments for the layer
        called ``name`` (the estimator's ``name_param`` arguments).
    owner, argname : str
        For error messages.
    incoming : Layer, optional
        Input of the first layer when it is not an :class:`InputLayer`.
    prefix : str
        Prepended to automatic names.

    Returns
    -------
    OrderedDict
        Name -> layer, in order; the last one is the output layer.

    Raises
    ------
    TypeError
        If a layer cannot be built from its arguments.
    ValueError
        If two layers share a name or ``incoming`` names an unknown layer.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> spec = [(InputLayer, {"shape": (None, 2)}), ("hidden", DenseLayer)]
    >>> layers = build_layers(spec, lambda name: {"num_units": 3} if name == "hidden" else {}, "NeuralNet")
    >>> list(layers), layers["hidden"].output_shape
    (['input0', 'hidden'], (None, 3))
    """
    names = layer_names(spec, owner, argname, prefix)
    if isinstance(spec, Layer):
        return OrderedDict(zip(names, get_all_layers(spec)))
    layers = OrderedDict()
    previous = incoming
    for index, (item, name) in enumerate(zip(spec, names)):
        _, factory, kwargs = _parse_item(item, index, owner, argname)
        kwargs.update(params_for(name))
        kwargs["name"] = name
        if name in layers:
            raise ValueError(f"{owner}: two layers in {argname} are named {name!r}")
        if not (isinstance(factory, type) and issubclass(factory, InputLayer)):
            for key in ("incoming", "incomings"):
                ref = kwargs.get(key)
                refs = [ref] if isinstance(ref, str) else ref if key == "incomings" else []
                unknown = [r for r in refs or [] if isinstance(r, str) and r not in layers]
                if unknown:
                    raise ValueError(
                        f"{owner}: layer {name!r} refers to unknown layer {unknown[0]!r}; "
                        f"layers so far: {list(layers)}"
                    )
            if isinstance(kwargs.get("incoming"), str):
                kwargs["incoming"] = layers[kwargs["incoming"]]
            elif "incomings" in kwargs:
                kwargs["incomings"] = [layers[r] if isinstance(r, str) else r for r in kwargs["incomings"]]
            elif "incoming" not in kwargs:
                if previous is None:
                    raise ValueError(
                        f"{owner}: layer {name!r} has no input; start {argname} with an InputLayer"
                    )
                kwargs["incoming"] = previous
        try:
            layer = factory(**kwargs)
        except TypeError as err:
            raise TypeError(f"{owner}: cannot build layer {name!r} ({getattr(factory, '__name__', factory)}): {err}") from err
        layers[name] = layer
        previous = layer
    return layers
