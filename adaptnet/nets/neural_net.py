"""``NeuralNet``: a nolearn-compatible, scikit-learn-style estimator over adaptnet layers."""
import copy
import functools
import inspect
import numbers
import time
import warnings
from collections import OrderedDict

import numpy as np
import pytensor
import pytensor.tensor as pt
from pytensor.compile import SharedVariable
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import ClassifierTags, RegressorTags

from .. import objectives, random as adaptnet_random, updates
from ..callbacks.base import Callback
from ..callbacks.print_log import PrintLog
from ..layers import InputLayer, count_params, get_all_params, get_output
from ..serialization import read_checkpoint, write_checkpoint
from ..utils import check_positive_int, shared_scalar
from .batch_iterator import BatchIterator
from .history import History
from .layer_specs import build_layers, layer_names
from .objective import objective as default_objective
from .train_split import TrainSplit

# Values used when the update rule's signature has no default (nesterov_momentum).
_HYPERPARAM_DEFAULTS = {"learning_rate": 0.01, "momentum": 0.9}

# Attributes rebuilt from the parameters rather than pickled.
_RUNTIME_ATTRS = ("layers_", "hyperparams_", "_graph", "_fns", "_iterators", "_samplers",
                  "_initialized", "_built_with")

# Parameters that do not enter the compiled functions: changing them never forces a recompile.
_NON_GRAPH_PARAMS = {"max_epochs", "random_state", "verbose", "callbacks", "warm_start", "train_split",
                     "batch_iterator_train", "batch_iterator_test", "custom_scores", "on_batch_finished",
                     "on_epoch_finished", "on_training_started", "on_training_finished"}


class _ClassOrInstanceMethod:
    """A method bound to the instance when called on one, else to the class."""

    def __init__(self, func):
        self.func = func
        functools.update_wrapper(self, func)

    def __get__(self, obj, cls=None):
        return functools.partial(self.func, cls if obj is None else obj)


def check_array(X, argname, owner):
    """Return ``X`` as a C-contiguous float32 array after checking it.

    Parameters
    ----------
    X : array_like
        Numeric samples, at least 2-D, non-empty, finite.
    argname, owner : str
        Argument and function name for error messages.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    TypeError
        If ``X`` is None.
    ValueError
        If ``X`` is not numeric, has fewer than 2 dimensions, no samples, or
        non-finite values.

    Examples
    --------
    >>> check_array([[1, 2]], "X", "NeuralNet.fit").dtype
    dtype('float32')
    """
    if X is None:
        raise TypeError(f"{owner}: {argname} is required, got None")
    arr = np.asarray(X)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{owner}: {argname} must be numeric, got an array of dtype {arr.dtype}")
    if arr.ndim < 2:
        raise ValueError(
            f"{owner}: {argname} must have at least 2 dimensions (samples, features...), "
            f"got shape {arr.shape}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{owner}: {argname} is empty (shape {arr.shape})")
    with np.errstate(over="ignore"):  # an overflow to inf is reported just below
        arr = np.ascontiguousarray(arr, dtype=np.float32)
    if not np.isfinite(arr).all():
        raise ValueError(f"{owner}: {argname} contains NaN or infinity (after conversion to float32)")
    return arr


class NeuralNet(BaseEstimator):
    """A neural network estimator compatible with ``nolearn.lasagne.NeuralNet``.

    Layers are given as a specification (see below) and built at
    :meth:`initialize`; the training and evaluation functions are compiled
    lazily on first use and cached on the net. Arguments are stored
    unchanged, so :func:`sklearn.base.clone`, ``Pipeline`` and
    ``GridSearchCV`` work.

    Parameters
    ----------
    layers : list or Layer
        Either a list of ``(LayerClass, {kwargs})`` items, a list of
        ``('name', LayerClass)`` items whose arguments come from
        ``name_param`` keyword arguments of the net (``hidden_num_units=100``),
        a mix of both, or a Layer instance (the output layer of a graph built
        by hand; it is used as is, so re-fitting does not reset its weights).
        Unnamed layers are named like nolearn (``dense1``). An ``incoming``
        argument may name an earlier layer. The network has one input layer.
    update : callable
        Update rule of :mod:`adaptnet.updates` (default
        :func:`~adaptnet.updates.nesterov_momentum`); ``update_*`` keyword
        arguments are routed to it (``update_learning_rate=0.01``).
    objective : callable
        ``objective(layers, loss_function, target, deterministic=False, ...)``
        (default :func:`adaptnet.nets.objective`); ``objective_*`` keyword
        arguments are routed to it (``objective_l2=1e-4``).
    objective_loss_function : callable, optional
        Default categorical cross-entropy, or squared error for regression.
    batch_iterator_train, batch_iterator_test : BatchIterator
        Mini-batching of training and evaluation data.
    regression : bool
        Regression (squared error, R^2 score) instead of classification.
    max_epochs : int
        Number of epochs of :meth:`fit`.
    train_split : TrainSplit or None
        Holds out validation data (default 20 %, stratified); ``None`` or
        ``TrainSplit(eval_size=None)`` trains on everything.
    custom_scores : list of (name, func), optional
        ``func(y_true, y_proba)`` evaluated on the validation predictions
        every epoch (``y_true`` encoded as class indices).
    scores_train, scores_valid : list of (name, func), optional
        ``func(output_expression, target_expression)`` returning a symbolic
        scalar, averaged over the training (validation) batches.
    y_tensor_type : callable, optional
        Creates the target variable (default ``pt.ivector``, or a float32
        matrix for regression).
    use_label_encoder : bool
        With ``False`` integer labels are class indices as they are
        (``classes_ = arange(n_outputs)``); with ``True`` every label set is
        encoded (``classes_ = unique(y)``). Non-integer labels (strings,
        floats) are always encoded.
    on_batch_finished, on_epoch_finished, on_training_started, on_training_finished : list of callable
        nolearn hooks ``func(net, train_history)``; raising ``StopIteration``
        stops training.
    more_params : dict, optional
        Extra ``name_param`` values.
    verbose : int
        ``>= 1`` prints the parameter count and nolearn's epoch table
        (:class:`~adaptnet.callbacks.print_log.PrintLog`).
    callbacks : list, optional
        :class:`~adaptnet.callbacks.base.Callback` instances or
        ``(name, callback)`` pairs, called in order.
    random_state : int, optional
        Seeds weight initialization, noise layers, shuffling and splits.
    warm_start : bool
        :meth:`fit` continues from the current weights instead of re-initializing.
    **kwargs
        ``name_param`` arguments for named layers, ``update_*`` and
        ``objective_*`` arguments.

    Attributes
    ----------
    layers_ : OrderedDict
        Name -> layer.
    train_history_ : History
        One dict per epoch.
    hyperparams_ : dict
        Name -> float32 shared scalar (``learning_rate``, ``momentum``).
    classes_ : numpy.ndarray
        The class labels (classification).
    n_features_in_ : int
        Number of features (2-D inputs only).
    stop_training : bool
        Set by callbacks to stop after the current batch.

    Raises
    ------
    TypeError
        If ``layers`` is malformed or a keyword argument matches no layer name
        and no ``update_``/``objective_`` prefix.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> from adaptnet.nonlinearities import softmax
    >>> net = NeuralNet(
    ...     layers=[("input", InputLayer), ("hidden", DenseLayer), ("output", DenseLayer)],
    ...     input_shape=(None, 2), hidden_num_units=8,
    ...     output_num_units=2, output_nonlinearity=softmax,
    ...     update_learning_rate=0.1, max_epochs=2, random_state=0)
    >>> net.get_params()["hidden_num_units"]
    8
    >>> list(net.initialize().layers_)
    ['input', 'hidden', 'output']
    """

    _non_graph_params = _NON_GRAPH_PARAMS

    def __init__(self, layers, update=updates.nesterov_momentum, objective=default_objective,
                 objective_loss_function=None,
                 batch_iterator_train=BatchIterator(batch_size=128, shuffle=True),
                 batch_iterator_test=BatchIterator(batch_size=128), regression=False,
                 max_epochs=100, train_split=TrainSplit(eval_size=0.2), custom_scores=None,
                 scores_train=None, scores_valid=None, y_tensor_type=None,
                 use_label_encoder=False, on_batch_finished=None, on_epoch_finished=None,
                 on_training_started=None, on_training_finished=None, more_params=None,
                 verbose=0, callbacks=None, random_state=None, warm_start=False, **kwargs):
        self.layers = layers
        self.update = update
        self.objective = objective
        self.objective_loss_function = objective_loss_function
        self.batch_iterator_train = batch_iterator_train
        self.batch_iterator_test = batch_iterator_test
        self.regression = regression
        self.max_epochs = max_epochs
        self.train_split = train_split
        self.custom_scores = custom_scores
        self.scores_train = scores_train
        self.scores_valid = scores_valid
        self.y_tensor_type = y_tensor_type
        self.use_label_encoder = use_label_encoder
        self.on_batch_finished = on_batch_finished
        self.on_epoch_finished = on_epoch_finished
        self.on_training_started = on_training_started
        self.on_training_finished = on_training_finished
        self.more_params = more_params
        self.verbose = verbose
        self.callbacks = callbacks
        self.random_state = random_state
        self.warm_start = warm_start
        names = set(self._get_param_names())
        for key in kwargs:
            if key in names or hasattr(type(self), key):
                raise TypeError(f"{type(self).__name__}: keyword argument {key!r} clashes with an attribute")
        self._check_routable(kwargs)
        self._kwarg_keys = sorted(kwargs)
        vars(self).update(kwargs)

    # ------------------------------------------------------------------ parameters

    @classmethod
    def _get_param_names(cls):
        names = set()
        for klass in cls.__mro__:
            if "__init__" in vars(klass) and issubclass(klass, NeuralNet):
                for p in inspect.signature(klass.__init__).parameters.values():
                    if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
                        names.add(p.name)
        return sorted(names)

    def _layer_names(self):
        return layer_names(self.layers, type(self).__name__)

    def _prefixes(self):
        return ["update", "objective"] + self._layer_names()

    def _route(self, key, prefixes):
        """The longest prefix ``p`` with ``key.startswith(p + '_')``, or None."""
        matches = [p for p in prefixes if key.startswith(p + "_")]
        return max(matches, key=len) if matches else None

    def _check_routable(self, keys):
        prefixes = self._prefixes()
        unknown = [k for k in keys if self._route(k, prefixes) is None]
        if unknown:
            raise TypeError(
                f"{type(self).__name__}: unexpected keyword argument {unknown[0]!r}; extra "
                f"arguments must start with a layer name or a known prefix followed by '_', "
                f"one of {[p + '_' for p in prefixes]}"
            )

    def get_params(self, deep=True):
        """Return the estimator's parameters, including ``name_param``/``update_*`` arguments.

        Parameters
        ----------
        deep : bool
            Also return parameters of nested estimators.

        Returns
        -------
        dict

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> net = NeuralNet([("input", InputLayer), ("out", DenseLayer)], input_shape=(None, 2),
        ...                 out_num_units=2, update_learning_rate=0.1)
        >>> net.get_params()["update_learning_rate"]
        0.1
        """
        params = super().get_params(deep=deep)
        for key in self._kwarg_keys:
            params[key] = getattr(self, key)
        return params

    def set_params(self, **params):
        """Set parameters, including new ``name_param``/``update_*``/``objective_*`` ones.

        Parameters
        ----------
        **params
            Estimator parameters; ``layers``/``domain_layers`` are applied first,
            so routed keys are checked against the new layer names.

        Returns
        -------
        NeuralNet
            ``self``.

        Raises
        ------
        ValueError
            If a key is neither a parameter nor routable to a layer or prefix.

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> net = NeuralNet([("input", InputLayer), ("hidden", DenseLayer)], input_shape=(None, 2))
        >>> net.set_params(hidden_num_units=50).hidden_num_units
        50
        """
        names = set(self._get_param_names())
        old_layers = {key: getattr(self, key) for key in ("layers", "domain_layers") if key in names}
        for key in old_layers:
            if key in params:
                setattr(self, key, params.pop(key))
        nested = {k: v for k, v in params.items() if "__" in k}
        prefixes = self._prefixes()
        # check every key before setting any, so a typo leaves the net unchanged
        for key in params:
            if key not in nested and key not in names and self._route(key, prefixes) is None:
                vars(self).update(old_layers)
                raise ValueError(
                    f"{type(self).__name__}.set_params: invalid parameter {key!r}; valid are "
                    f"{sorted(names)} and keys starting with {[p + '_' for p in prefixes]}"
                )
        for key, value in params.items():
            if key in nested:
                continue
            setattr(self, key, value)
            if key not in names and key not in self._kwarg_keys:
                self._kwarg_keys = sorted(self._kwarg_keys + [key])
        if nested:
            super().set_params(**nested)
        return self

    def _params_for(self, prefix):
        """The routed keyword arguments for a layer name or prefix, nolearn's ``_get_params_for``."""
        items = dict(self.more_params or {})
        items.update((k, getattr(self, k)) for k in self._kwarg_keys)
        prefixes = self._prefixes()
        return {k[len(prefix) + 1:]: v for k, v in items.items() if self._route(k, prefixes) == prefix}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.regression:
            tags.estimator_type, tags.regressor_tags = "regressor", RegressorTags()
        else:
            tags.estimator_type, tags.classifier_tags = "classifier", ClassifierTags()
        return tags

    @property
    def _estimator_type(self):
        return "regressor" if self.regression else "classifier"

    # ------------------------------------------------------------------ building

    def _seeds(self):
        """Seeds for weights, shuffling and target sampling, derived from ``random_state``."""
        if self.random_state is None:
            return None
        return np.random.RandomState(self.random_state).randint(0, 2 ** 31 - 1, size=3)

    def _build_layer_graph(self):
        return build_layers(self.layers, self._params_for, type(self).__name__)

    def _build_network(self):
        """Build fresh layers (seeded) without touching the net's state."""
        seeds = self._seeds()
        previous = adaptnet_random.get_rng()
        if seeds is not None:
            adaptnet_random.set_rng(np.random.RandomState(seeds[0]))
        try:
            layers = self._build_layer_graph()
        finally:
            adaptnet_random.set_rng(previous)
        inputs = [name for name, l in layers.items() if isinstance(l, InputLayer)]
        if len(inputs) != 1:
            raise ValueError(
                f"{type(self).__name__}: the network must have exactly one InputLayer, got {inputs}"
            )
        return layers

    def _label_layers(self, layers):
        return layers

    def _input_layer(self, layers):
        return next(l for l in layers.values() if isinstance(l, InputLayer))

    def _output_layer(self, layers):
        return list(self._label_layers(layers).values())[-1]

    def _make_hyperparams(self, layers):
        signature = inspect.signature(self.update).parameters
        routed = self._params_for("update")
        hyper = OrderedDict()
        for name in ("learning_rate", "momentum"):
            if name not in signature:
                continue
            value = routed.get(name, signature[name].default)
            if value is inspect.Parameter.empty:
                value = _HYPERPARAM_DEFAULTS[name]
            # a zero or negative step (or momentum >= 1) never converges: reject it up front
            low, high, expect = (0, np.inf, "> 0") if name == "learning_rate" else (0, 1, "in [0, 1)")
            if isinstance(value, SharedVariable):
                hyper[name] = value
            elif isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value) \
                    and (low < value if name == "learning_rate" else low <= value) and value < high:
                hyper[name] = shared_scalar(value, name=name)
            else:
                raise ValueError(
                    f"{type(self).__name__}: update_{name} must be a finite number {expect} or a "
                    f"shared scalar, got {value!r}"
                )
        return hyper

    def _objective_kwargs(self):
        kwargs = self._params_for("objective")
        loss = self.objective_loss_function
        if loss is None:
            loss = objectives.squared_error if self.regression else objectives.categorical_crossentropy
        kwargs["loss_function"] = loss
        return kwargs

    def _y_var(self):
        if self.y_tensor_type is not None:
            return self.y_tensor_type("y")
        return pt.matrix("y", dtype="float32") if self.regression else pt.ivector("y")

    def _build_graph(self, layers, hyperparams):
        """Symbolic train/eval/forward graphs; optimizer slots are created here."""
        graph = self._train_graph(layers, hyperparams)
        label = self._label_layers(layers)
        X = self._input_layer(layers).input_var
        y = self._y_var()
        output = get_output(self._output_layer(layers), deterministic=True)
        loss = self.objective(label, target=y, deterministic=True, **self._objective_kwargs())
        graph["eval"] = ([X, y], [loss, output] + [f(output, y) for _, f in self.scores_valid or []])
        graph["forward"] = ([X], self._forward_outputs(layers))
        params = set(graph["params"])
        graph["slots"] = [v for v in graph["train"][2] if v not in params]
        return graph

    def _update_kwargs(self, hyperparams):
        kwargs = self._params_for("update")
        kwargs.update(hyperparams)
        return kwargs

    def _train_graph(self, layers, hyperparams):
        X = self._input_layer(layers).input_var
        y = self._y_var()
        output_layer = self._output_layer(layers)
        loss = self.objective(layers, target=y, **self._objective_kwargs())
        scores = [f(get_output(output_layer), y) for _, f in self.scores_train or []]
        params = get_all_params(output_layer, trainable=True)
        step = self.update(loss, params, **self._update_kwargs(
            {k: v for k, v in hyperparams.items() if k in ("learning_rate", "momentum")}))
        names = ["loss"] + [name for name, _ in self.scores_train or []]
        return {"train": ([X, y], [loss] + scores, step), "train_names": names, "params": params}

    def _forward_outputs(self, layers):
        return [get_output(self._output_layer(layers), deterministic=True)]

    def _graph_key(self):
        """The parameters the compiled graphs depend on."""
        return {k: v for k, v in self.get_params(deep=False).items() if k not in self._non_graph_params}

    def _can_reuse_graph(self, layers):
        if not getattr(self, "_initialized", False) or list(layers) != list(self.layers_):
            return False
        for name, layer in layers.items():
            old = self.layers_[name]
            if type(old) is not type(layer) or [p.get_value().shape for p in old.get_params()] != \
                    [p.get_value().shape for p in layer.get_params()]:
                return False
        key = self._graph_key()
        if key.keys() != self._built_with.keys():
            return False
        for name, value in key.items():
            old = self._built_with[name]
            if value is old:
                continue
            try:
                if type(value) is not type(old) or not bool(value == old):
                    return False
            except (TypeError, ValueError):
                return False
        return True

    def _commit(self, layers, reset_history=True):
        """Make ``layers`` the net's network: hyperparameters, graphs, samplers.

        Re-initializing a net whose graph-defining parameters did not change
        copies the fresh initial values into the existing variables instead,
        so the compiled functions stay valid and nothing is recompiled.
        """
        hyperparams = self._make_hyperparams(layers)
        if self._can_reuse_graph(layers):
            for name, layer in layers.items():
                for old, new in zip(self.layers_[name].get_params(), layer.get_params()):
                    old.set_value(new.get_value())
            for name, layer in layers.items():
                stream, fresh = getattr(self.layers_[name], "_srng", None), getattr(layer, "_srng", None)
                if stream is not None and fresh is not None:
                    # reseeding recreates every generator exactly as the fresh stream would draw them
                    stream.default_instance_seed = fresh.default_instance_seed
                    stream.seed(fresh.default_instance_seed)
            for slot, value in zip(self._graph["slots"], self._graph["slot_init"]):
                slot.set_value(value.copy())
            for name, shared in hyperparams.items():
                if shared is not self.hyperparams_[name]:
                    self.hyperparams_[name].set_value(shared.get_value())
        else:
            graph = self._build_graph(layers, hyperparams)
            graph["slot_init"] = [s.get_value() for s in graph["slots"]]
            self.layers_ = layers
            self.hyperparams_ = hyperparams
            self._graph = graph
            self._fns = {}
            self._built_with = self._graph_key()
        seeds = self._seeds()
        self._iterators = {"train": copy.deepcopy(self.batch_iterator_train),
                           "test": copy.deepcopy(self.batch_iterator_test)}
        if seeds is not None:
            self._iterators["train"].random = np.random.RandomState(seeds[1])
        self._samplers = {}
        self._initialized = True
        if reset_history:
            self.train_history_ = History()
        if self.verbose:
            print(f"# Neural Network with {count_params(list(layers.values()), trainable=True)} "
                  "learnable parameters")

    def initialize(self):
        """Build the layers (seeded by ``random_state``) unless already done.

        Compilation happens lazily, on the first training or prediction call.

        Returns
        -------
        NeuralNet
            ``self``.

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> net = NeuralNet([(InputLayer, {"shape": (None, 3)}), (DenseLayer, {"num_units": 2})])
        >>> list(net.initialize().layers_), sorted(net.hyperparams_)
        (['input0', 'dense1'], ['learning_rate', 'momentum'])
        """
        if not getattr(self, "_initialized", False):
            self._commit(self._build_network())
        return self

    def _function(self, kind):
        if kind not in self._fns:
            inputs, outputs, *step = self._graph[kind]
            self._fns[kind] = pytensor.function(inputs, outputs, updates=step[0] if step else None,
                                                name=f"{type(self).__name__}.{kind}")
        return self._fns[kind]

    def _check_initialized(self, owner):
        if not getattr(self, "_initialized", False):
            raise NotFittedError(f"{owner}: this {type(self).__name__} is not fitted yet; call fit first")

    # ------------------------------------------------------------------ hyperparameters, params

    def get_hyperparam(self, name):
        """Return the current value of a hyperparameter.

        Parameters
        ----------
        name : str
            A key of ``hyperparams_``.

        Returns
        -------
        float

        Raises
        ------
        KeyError
            If there is no such hyperparameter (the message lists them).

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> net = NeuralNet([(InputLayer, {"shape": (None, 3)}), (DenseLayer, {"num_units": 2})],
        ...                 update_learning_rate=0.5).initialize()
        >>> net.get_hyperparam("learning_rate")
        0.5
        """
        self._check_initialized(f"{type(self).__name__}.get_hyperparam")
        if name not in self.hyperparams_:
            raise KeyError(f"{type(self).__name__}: no hyperparameter {name!r}; available: {sorted(self.hyperparams_)}")
        return float(self.hyperparams_[name].get_value())

    def set_hyperparam(self, name, value):
        """Set a hyperparameter (a shared scalar; nothing is recompiled).

        Parameters
        ----------
        name : str
        value : float

        Raises
        ------
        KeyError
            If there is no such hyperparameter.
        ValueError
            If ``value`` is not a finite number.

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> net = NeuralNet([(InputLayer, {"shape": (None, 3)}), (DenseLayer, {"num_units": 2})]).initialize()
        >>> net.set_hyperparam("momentum", 0.5); net.get_hyperparam("momentum")
        0.5
        """
        self.get_hyperparam(name)
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
            raise ValueError(f"{type(self).__name__}.set_hyperparam: {name} must be a finite number, got {value!r}")
        shared = self.hyperparams_[name]
        shared.set_value(np.asarray(value, dtype=shared.dtype))

    def get_all_params_values(self):
        """Return copies of all parameter values by layer.

        Returns
        -------
        OrderedDict
            Layer name -> list of arrays (in the layer's parameter order).

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> net = NeuralNet([(InputLayer, {"shape": (None, 3)}), (DenseLayer, {"num_units": 2})]).initialize()
        >>> [(k, [v.shape for v in vals]) for k, vals in net.get_all_params_values().items()]
        [('input0', []), ('dense1', [(3, 2), (2,)])]
        """
        self._check_initialized(f"{type(self).__name__}.get_all_params_values")
        return OrderedDict((name, [p.get_value() for p in layer.get_params()])
                           for name, layer in self.layers_.items())

    def load_params_from(self, source):
        """Copy parameter values from another net, a dict or a file, matching layers by name and shape.

        Layers or parameters whose shapes differ are skipped and reported, as in
        nolearn (printed when something is skipped or ``verbose`` is set).

        Parameters
        ----------
        source : NeuralNet, dict or path
            A net, a dict layer name -> list of arrays, or a file written by
            :meth:`save_params_to` or :meth:`save_checkpoint`.

        Raises
        ------
        TypeError
            If ``source`` is of another kind.
        ValueError
            If the file is not an adaptnet parameter file or checkpoint.

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> spec = [(InputLayer, {"shape": (None, 3)}), (DenseLayer, {"num_units": 2})]
        >>> a = NeuralNet(spec, random_state=0).initialize()
        >>> b = NeuralNet(spec, random_state=1).initialize()
        >>> b.load_params_from(a)
        >>> bool((b.layers_["dense1"].W.get_value() == a.layers_["dense1"].W.get_value()).all())
        True
        """
        owner = f"{type(self).__name__}.load_params_from"
        if isinstance(source, NeuralNet):
            values = source.get_all_params_values()
        elif isinstance(source, dict):
            values = source
        elif isinstance(source, (str, bytes)) or hasattr(source, "__fspath__"):
            payload = read_checkpoint(source)
            if isinstance(payload, dict) and "params" in payload:
                values = payload["params"]
            elif isinstance(payload, dict) and isinstance(payload.get("net"), NeuralNet):
                values = payload["net"].get_all_params_values()
            else:
                raise ValueError(f"{owner}: {source!r} holds neither parameters nor a net")
        else:
            raise TypeError(f"{owner}: source must be a NeuralNet, a dict or a file path, got {type(source).__name__}")
        self.initialize()
        messages, skipped = [], False
        for name, layer in self.layers_.items():
            params = layer.get_params()
            if not params:
                continue
            if name not in values:
                messages.append(f"Layer {name!r}: not in the source, skipped.")
                skipped = True
                continue
            for param, value in zip(params, values[name]):
                value = np.asarray(value)
                if value.shape != param.get_value().shape:
                    messages.append(f"Could not load {param.name or name!r}: shapes differ, "
                                    f"{value.shape} (source) vs {param.get_value().shape} (net).")
                    skipped = True
                else:
                    param.set_value(value.astype(param.dtype))
                    messages.append(f"Loaded {param.name or name!r} {value.shape}.")
        if skipped or self.verbose:
            print("\n".join(messages))

    def save_params_to(self, path):
        """Write all parameter values to ``path`` (atomically, checksummed).

        Parameters
        ----------
        path : str or os.PathLike

        Examples
        --------
        >>> import os, tempfile
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> net = NeuralNet([(InputLayer, {"shape": (None, 3)}), (DenseLayer, {"num_units": 2})]).initialize()
        >>> path = os.path.join(tempfile.mkdtemp(), "params")
        >>> net.save_params_to(path); net.load_params_from(path)
        """
        write_checkpoint(path, {"params": self.get_all_params_values()})

    # ------------------------------------------------------------------ training state

    def _stream_vars(self, layers=None):
        """Shared random-generator variables of the layers' PyTensor streams, in layer order."""
        out = []
        for layer in (self.layers_ if layers is None else layers).values():
            stream = getattr(layer, "_srng", None)
            if stream is not None:
                out.extend(shared for shared, _ in stream.state_updates)
        return out

    def _get_training_state(self):
        return {
            "layers": self.get_all_params_values(),
            "slots": [s.get_value() for s in self._graph["slots"]],
            "hyperparams": {k: float(v.get_value()) for k, v in self.hyperparams_.items()},
            "iterators": {k: it.random.get_state() for k, it in self._iterators.items()
                          if isinstance(getattr(it, "random", None), np.random.RandomState)},
            "samplers": copy.deepcopy(self._samplers),
            "streams": [v.get_value(borrow=False) for v in self._stream_vars()],
        }

    def _set_training_state(self, state):
        for name, values in state["layers"].items():
            for param, value in zip(self.layers_[name].get_params(), values):
                param.set_value(np.asarray(value, dtype=param.dtype))
        for slot, value in zip(self._graph["slots"], state["slots"]):
            slot.set_value(np.asarray(value, dtype=slot.dtype))
        for name, value in state["hyperparams"].items():
            self.hyperparams_[name].set_value(np.asarray(value, dtype=self.hyperparams_[name].dtype))
        for name, value in state["iterators"].items():
            self._iterators[name].random.set_state(value)
        self._samplers = copy.deepcopy(state["samplers"])
        for var, value in zip(self._stream_vars(), state["streams"]):
            var.set_value(copy.deepcopy(value))

    def _architecture(self):
        return OrderedDict((name, [v.shape for v in values])
                           for name, values in self.get_all_params_values().items())

    def __getstate__(self):
        state = {k: v for k, v in self.__dict__.items() if k not in _RUNTIME_ATTRS}
        if getattr(self, "_initialized", False):
            state["_training_state"] = self._get_training_state()
        return state

    def __setstate__(self, state):
        state = dict(state)
        training = state.pop("_training_state", None)
        self.__dict__.update(state)
        if training is not None:
            self._commit(self._build_network(), reset_history=False)
            self._set_training_state(training)

    def save_checkpoint(self, path):
        """Save everything needed to resume training exactly, atomically.

        The file holds the constructor parameters, parameter values, optimizer
        slots, hyperparameter values, random generator states (NumPy and
        PyTensor streams), callback states, fitted attributes and history.

        Parameters
        ----------
        path : str or os.PathLike

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the net has not been initialized.

        Examples
        --------
        >>> import os, tempfile
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> net = NeuralNet([(InputLayer, {"shape": (None, 3)}), (DenseLayer, {"num_units": 2})]).initialize()
        >>> path = os.path.join(tempfile.mkdtemp(), "net.ckpt")
        >>> net.save_checkpoint(path)
        >>> list(NeuralNet.load_checkpoint(path).layers_)
        ['input0', 'dense1']
        """
        self._check_initialized(f"{type(self).__name__}.save_checkpoint")
        write_checkpoint(path, {
            "class": f"{type(self).__module__}.{type(self).__qualname__}",
            "net": self,
            "callback_states": [cb.get_state() for _, cb in self._resolve_callbacks()],
        })

    @_ClassOrInstanceMethod
    def load_checkpoint(self_or_cls, path):
        """Load a checkpoint written by :meth:`save_checkpoint`.

        Called on the class (``NeuralNet.load_checkpoint(path)``), returns the
        saved net. Called on a net, restores the saved training state (weights,
        optimizer slots, hyperparameters, random states, callback states,
        history, fitted attributes) into it, keeping its own parameters; the
        architectures must match and nothing changes otherwise.

        Parameters
        ----------
        path : str or os.PathLike

        Returns
        -------
        NeuralNet

        Raises
        ------
        ValueError
            If the file is not a net checkpoint, or (on a net) a layer's
            parameter shapes differ (the message names the layer and shapes).
        TypeError
            If the checkpoint holds another class of net.
        """
        payload = read_checkpoint(path)
        if not isinstance(payload, dict) or not isinstance(payload.get("net"), NeuralNet):
            raise ValueError(f"load_checkpoint: {path!r} is not a net checkpoint")
        loaded = payload["net"]
        cls = self_or_cls if isinstance(self_or_cls, type) else type(self_or_cls)
        if not isinstance(loaded, cls) or (not isinstance(self_or_cls, type) and type(loaded) is not cls):
            raise TypeError(
                f"{cls.__name__}.load_checkpoint: {path!r} holds a {type(loaded).__name__}, "
                f"expected a {cls.__name__}"
            )
        net = loaded if isinstance(self_or_cls, type) else self_or_cls
        callbacks = net._resolve_callbacks()
        if len(callbacks) != len(payload["callback_states"]):
            raise ValueError(
                f"{cls.__name__}.load_checkpoint: the checkpoint holds {len(payload['callback_states'])} "
                f"callback states, the net has {len(callbacks)} callbacks"
            )
        if net is not loaded:
            net._adopt_training_state(loaded, path)
        for (_, cb), state in zip(callbacks, payload["callback_states"]):
            cb.set_state(state)
        return net

    def _adopt_training_state(self, other, path):
        """Copy ``other``'s training state into this net after checking compatibility."""
        owner = f"{type(self).__name__}.load_checkpoint"
        layers = self.layers_ if getattr(self, "_initialized", False) else self._build_network()
        mine = OrderedDict((name, [p.get_value().shape for p in layer.get_params()])
                           for name, layer in layers.items())
        theirs = other._architecture()
        for name in list(mine) + [n for n in theirs if n not in mine]:
            if mine.get(name) != theirs.get(name):
                raise ValueError(
                    f"{owner}: {path!r} does not fit this net: layer {name!r} has parameter shapes "
                    f"{mine.get(name, 'absent')} here and {theirs.get(name, 'absent')} in the checkpoint"
                )
        if not getattr(self, "_initialized", False):
            self._commit(layers)
        state = other._get_training_state()
        if len(state["slots"]) != len(self._graph["slots"]):
            raise ValueError(
                f"{owner}: {path!r} has {len(state['slots'])} optimizer slots, this net's update "
                f"rule has {len(self._graph['slots'])}"
            )
        self._set_training_state(state)
        for key, value in other.__dict__.items():
            if key.endswith("_") and key not in _RUNTIME_ATTRS:
                setattr(self, key, copy.deepcopy(value))

    # ------------------------------------------------------------------ data checks

    def _check_features(self, X, layers, argname, owner):
        expected = self._input_layer(layers).shape[1:]
        if len(expected) != X.ndim - 1 or any(e is not None and e != d for e, d in zip(expected, X.shape[1:])):
            raise ValueError(
                f"{owner}: {argname} has samples of shape {X.shape[1:]}, the input layer expects "
                f"{tuple(expected)}"
            )

    def _check_labels_known(self, y, classes, argname, owner):
        unseen = np.setdiff1d(np.unique(y), classes)
        if unseen.size:
            raise ValueError(
                f"{owner}: {argname} has labels {unseen.tolist()[:5]} not seen in training; "
                f"known classes: {classes.tolist()}"
            )

    def _check_y(self, y, n, argname, owner):
        if y is None:
            raise TypeError(f"{owner}: {argname} is required, got None")
        y = np.asarray(y)
        if y.ndim == 0 or len(y) != n:
            raise ValueError(f"{owner}: {argname} must have one entry per sample ({n}), got shape {y.shape}")
        if self.regression:
            if y.dtype.kind not in "biuf":
                raise ValueError(f"{owner}: regression targets {argname} must be numeric, got dtype {y.dtype}")
            y = np.asarray(y, dtype=np.float32)
            if not np.isfinite(y).all():
                raise ValueError(f"{owner}: {argname} contains NaN or infinity")
            return y
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        if y.ndim != 1:
            raise ValueError(f"{owner}: class labels {argname} must be 1-D, got shape {y.shape}")
        if y.dtype.kind == "f" and np.isnan(y).any() or y.dtype.kind == "O" and any(
                v is None or isinstance(v, float) and np.isnan(v) for v in y):
            raise ValueError(f"{owner}: {argname} contains missing labels (NaN or None)")
        return y

    def _encode(self, y, classes):
        return np.searchsorted(classes, y).astype(np.int32)

    def _prepare_y(self, y, n, layers, owner, resume, classes):
        """Check and encode ``y``; return it with the fitted attributes it implies."""
        y = self._check_y(y, n, "y", owner)
        n_out = self._output_layer(layers).output_shape[-1]
        if self.regression:
            ndim = y.ndim
            y = y.reshape(len(y), -1)
            if y.shape[1] != n_out:
                raise ValueError(f"{owner}: y has {y.shape[1]} target columns, the output layer has {n_out} units")
            return y, {"_y_ndim_": ndim}
        try:
            labels = np.unique(y)
        except TypeError as err:
            raise ValueError(f"{owner}: the labels in y cannot be sorted (mixed types?): {err}") from err
        if resume and hasattr(self, "classes_"):
            known = self.classes_
        elif classes is not None:
            known = np.unique(np.asarray(classes))
        elif not self.use_label_encoder and labels.dtype.kind in "iu":
            known = np.arange(n_out)
        else:
            known = labels
        if not resume and len(labels) < 2 and classes is None:
            raise ValueError(f"{owner}: y has a single class {labels.tolist()}; classification needs at least 2")
        self._check_labels_known(labels, known, "y", owner)
        if len(known) != n_out:
            raise ValueError(
                f"{owner}: y has {len(known)} classes {known.tolist()[:10]}, but the output layer has "
                f"{n_out} units"
            )
        return self._encode(y, known), {"classes_": known}

    def _prepare_extra(self, extra, X, fitted, owner):
        return {}

    def _check_epochs(self, epochs, owner):
        if epochs is None:
            return check_positive_int(self.max_epochs, "max_epochs", owner)
        return check_positive_int(epochs, "epochs", owner)

    def _resolve_callbacks(self):
        resolved = []
        for item in self.callbacks or []:
            name, cb = item if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) \
                else (type(item).__name__, item)
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"{type(self).__name__}: callbacks must hold Callback instances or (name, "
                    f"Callback) pairs, got {item!r}"
                )
            resolved.append((name, cb))
        return resolved

    # ------------------------------------------------------------------ fitting

    def fit(self, X, y, epochs=None):
        """Train the net (re-initializing the weights unless ``warm_start``).

        Parameters
        ----------
        X : array_like
            Samples, shape ``(n, ...)`` matching the input layer.
        y : array_like
            Class labels of any sortable type, or regression targets.
        epochs : int, optional
            Number of epochs (default ``max_epochs``).

        Returns
        -------
        NeuralNet
            ``self``.

        Raises
        ------
        ValueError, TypeError
            On invalid input, before anything changes.

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> from adaptnet.nonlinearities import softmax
        >>> X = np.array([[0.0], [1.0]] * 4, dtype="float32"); y = np.array(["a", "b"] * 4)
        >>> net = NeuralNet([(InputLayer, {"shape": (None, 1)}),
        ...                  (DenseLayer, {"num_units": 2, "nonlinearity": softmax})],
        ...                 update_learning_rate=0.5, max_epochs=3, train_split=None, random_state=0)
        >>> len(net.fit(X, y).train_history_), net.classes_.tolist()
        (3, ['a', 'b'])
        """
        return self._fit(X, y, {}, epochs, self.warm_start, None, "fit")

    def partial_fit(self, X, y, classes=None, epochs=1):
        """Continue training from the current state (initializing on the first call).

        Parameters
        ----------
        X, y : array_like
        classes : array_like, optional
            All class labels, when the first call does not see them all.
        epochs : int

        Returns
        -------
        NeuralNet
            ``self``.

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> from adaptnet.nonlinearities import softmax
        >>> X = np.array([[0.0], [1.0]] * 4, dtype="float32"); y = np.array([0, 1] * 4)
        >>> net = NeuralNet([(InputLayer, {"shape": (None, 1)}),
        ...                  (DenseLayer, {"num_units": 2, "nonlinearity": softmax})],
        ...                 train_split=None, random_state=0)
        >>> len(net.partial_fit(X, y).partial_fit(X, y).train_history_)
        2
        """
        return self._fit(X, y, {}, epochs, True, classes, "partial_fit")

    def _fit(self, X, y, extra, epochs, resume, classes, method):
        owner = f"{type(self).__name__}.{method}"
        epochs = self._check_epochs(epochs, owner)
        X = check_array(X, "X", owner)
        resume = resume and getattr(self, "_initialized", False)
        layers = self.layers_ if resume else self._build_network()
        self._check_features(X, layers, "X", owner)
        y, fitted = self._prepare_y(y, len(X), layers, owner, resume, classes)
        extra = self._prepare_extra(extra, X, fitted, owner)
        callbacks = self._resolve_callbacks()
        # the input is valid: from here on the net changes
        if not resume:
            self._commit(layers)
        vars(self).update(fitted)
        if X.ndim == 2:
            self.n_features_in_ = X.shape[1]
        X_train, X_valid, y_train, y_valid = self.train_split(X, y, self) if self.train_split \
            else (X, X[:0], y, y[:0])
        data = {"X_train": X_train, "y_train": y_train,
                "X_valid": X_valid if len(X_valid) else None, "y_valid": y_valid if len(y_valid) else None}
        data.update(extra)
        self._train_loop(data, epochs, callbacks)
        return self

    def _batches_per_epoch(self, data):
        return -(-len(data["X_train"]) // self._iterators["train"].batch_size)

    def _train_batches(self, data):
        for Xb, yb in self._iterators["train"](data["X_train"], data["y_train"]):
            yield (np.ascontiguousarray(Xb, dtype=np.float32), yb), len(Xb)

    def _train_step(self, inputs):
        outputs = self._function("train")(*inputs)
        return {name: float(v) for name, v in zip(self._graph["train_names"], outputs)}

    def _train_row(self, means):
        row = {"train_loss": means.pop("loss")}
        row.update(means)
        return row

    def _evaluate(self, X, y, prefix, custom=True):
        """Loss, accuracy and scores of the eval function over batches of ``X``."""
        fn = self._function("eval")
        sums, n, probas = None, 0, []
        for Xb, yb in self._iterators["test"](X, y):
            loss, proba, *scores = fn(np.ascontiguousarray(Xb, dtype=np.float32), yb)
            values = np.array([loss] + scores, dtype=np.float64) * len(Xb)
            sums = values if sums is None else sums + values
            n += len(Xb)
            probas.append(proba)
        proba = np.concatenate(probas)
        row = {f"{prefix}_loss": float(sums[0] / n)}
        if not self.regression:
            row[f"{prefix}_accuracy"] = float(np.mean(proba.argmax(axis=1) == y))
        if custom:
            for (name, _), total in zip(self.scores_valid or [], sums[1:]):
                row[name] = float(total / n)
            for name, func in self.custom_scores or []:
                row[name] = float(func(y, proba))
        return row

    def _validation_row(self, data):
        if data["X_valid"] is None:
            return {}
        return self._evaluate(data["X_valid"], data["y_valid"], "valid")

    def _hyper_values(self):
        return {name: float(v.get_value()) for name, v in self.hyperparams_.items()}

    @staticmethod
    def _call_hooks(funcs, net, history):
        """Run nolearn ``on_*`` functions; True when one raised ``StopIteration``."""
        for func in [funcs] if callable(funcs) else funcs or []:
            try:
                func(net, history)
            except StopIteration:
                return True
        return False

    def _mark_bests(self, row):
        history = self.train_history_
        for key in ("train_loss", "valid_loss"):
            if key in row:
                previous = [r[key] for r in history if key in r]
                row[f"{key}_best"] = bool(all(row[key] <= v for v in previous)) and bool(np.isfinite(row[key]))

    def _run_epoch(self, epoch, data, n_batches, callbacks):
        start = time.time()
        for _, cb in callbacks:
            cb.on_epoch_begin(self, {"epoch": epoch, "n_batches": n_batches})
        total = max(self.max_epochs, 1) * n_batches
        done = (epoch - 1) * n_batches
        sums, count, stop = {}, 0, False
        for batch, (inputs, size) in enumerate(self._train_batches(data)):
            logs = {"epoch": epoch, "batch": batch, "n_batches": n_batches, "batch_size": size,
                    "p": min(1.0, (done + batch) / total)}
            logs.update(self._hyper_values())
            for _, cb in callbacks:
                cb.on_batch_begin(self, logs)
            results = self._train_step(inputs)
            logs.update(results)
            for key, value in results.items():
                sums[key] = sums.get(key, 0.0) + value * size
            count += size
            for _, cb in callbacks:
                cb.on_batch_end(self, logs)
            stop = self._call_hooks(self.on_batch_finished, self, self.train_history_)
            if stop or self.stop_training:
                break
        row = {"epoch": epoch}
        row.update(self._train_row({k: v / count for k, v in sums.items()}))
        row.update(self._validation_row(data))
        row["dur"] = time.time() - start
        self._mark_bests(row)
        self.train_history_.append(row)
        for _, cb in callbacks:
            cb.on_epoch_end(self, row)
        return self._call_hooks(self.on_epoch_finished, self, self.train_history_) or stop

    def _train_loop(self, data, epochs, callbacks):
        if self.verbose:
            callbacks = callbacks + [("print_log", PrintLog())]
        self.stop_training = False
        n_batches = self._batches_per_epoch(data)
        first = len(self.train_history_) + 1
        try:
            for _, cb in callbacks:
                cb.on_train_begin(self, dict(data))
            if self._call_hooks(self.on_training_started, self, self.train_history_):
                return
            for epoch in range(first, first + epochs):
                snapshot = None
                try:
                    # taken inside the try: a Ctrl-C while copying the state is handled like one
                    # during the epoch (nothing has changed yet), not raised out of fit
                    snapshot = self._get_training_state()
                    stop = self._run_epoch(epoch, data, n_batches, callbacks)
                except KeyboardInterrupt:
                    if snapshot is not None and len(self.train_history_) < epoch:
                        self._set_training_state(snapshot)
                    warnings.warn(
                        f"{type(self).__name__}: training interrupted (KeyboardInterrupt); kept the "
                        f"state after epoch {len(self.train_history_)}",
                        RuntimeWarning, stacklevel=3)
                    return
                if stop or self.stop_training:
                    return
        finally:
            logs = {"epoch": len(self.train_history_)}
            for _, cb in callbacks:
                cb.on_train_end(self, logs)
            self._call_hooks(self.on_training_finished, self, self.train_history_)

    # ------------------------------------------------------------------ prediction

    def _forward(self, X, owner, index=0):
        self._check_initialized(owner)
        X = check_array(X, "X", owner)
        self._check_features(X, self.layers_, "X", owner)
        fn = self._function("forward")
        return np.concatenate([fn(np.ascontiguousarray(Xb, dtype=np.float32))[index]
                               for Xb, _ in self._iterators["test"](X)])

    def predict_proba(self, X):
        """Return the output layer's values (class probabilities) for ``X``.

        Parameters
        ----------
        X : array_like

        Returns
        -------
        numpy.ndarray
            Shape ``(n, n_outputs)``, float32.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the net has not been fitted or initialized.

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> from adaptnet.nonlinearities import softmax
        >>> net = NeuralNet([(InputLayer, {"shape": (None, 3)}),
        ...                  (DenseLayer, {"num_units": 2, "nonlinearity": softmax})]).initialize()
        >>> net.predict_proba(np.zeros((4, 3))).sum(axis=1)
        array([1., 1., 1., 1.], dtype=float32)
        """
        return self._forward(X, f"{type(self).__name__}.predict_proba")

    def predict(self, X):
        """Predict class labels (classification) or targets (regression).

        Parameters
        ----------
        X : array_like

        Returns
        -------
        numpy.ndarray

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> net = NeuralNet([(InputLayer, {"shape": (None, 3)}), (DenseLayer, {"num_units": 1, "nonlinearity": None})],
        ...                 regression=True).initialize()
        >>> net.predict(np.zeros((2, 3))).shape
        (2, 1)
        """
        output = self._forward(X, f"{type(self).__name__}.predict")
        if self.regression:
            return output.ravel() if getattr(self, "_y_ndim_", 2) == 1 else output
        classes = getattr(self, "classes_", None)
        indices = output.argmax(axis=1)
        return indices if classes is None else classes[indices]

    def score(self, X, y):
        """Accuracy (classification) or R^2 (regression) on ``X, y``.

        Parameters
        ----------
        X, y : array_like

        Returns
        -------
        float

        Raises
        ------
        ValueError
            If ``y`` holds labels not seen during training.

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> from adaptnet.nonlinearities import softmax
        >>> X = np.array([[0.0], [1.0]] * 4, dtype="float32"); y = np.array([0, 1] * 4)
        >>> net = NeuralNet([(InputLayer, {"shape": (None, 1)}),
        ...                  (DenseLayer, {"num_units": 2, "nonlinearity": softmax})],
        ...                 update_learning_rate=0.5, max_epochs=20, train_split=None, random_state=0)
        >>> net.fit(X, y).score(X, y)
        1.0
        """
        owner = f"{type(self).__name__}.score"
        self._check_initialized(owner)
        X = check_array(X, "X", owner)
        y = self._check_y(y, len(X), "y", owner)
        if self.regression:
            return float(r2_score(y, np.asarray(self.predict(X)).reshape(y.shape)))
        if hasattr(self, "classes_"):
            self._check_labels_known(y, self.classes_, "y", owner)
        return float(accuracy_score(y, self.predict(X)))
