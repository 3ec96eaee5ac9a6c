"""``AdversarialNet``: domain-adversarial training (DANN, Ganin & Lempitsky 2015)."""
import numbers
from collections import OrderedDict

import numpy as np
import pytensor.tensor as pt

from .. import objectives
from ..layers import DenseLayer, GradientReversalLayer, Layer, get_all_params, get_output
from ..nonlinearities import sigmoid
from .domain_batches import CyclicSampler
from .layer_specs import build_layers, layer_names
from .neural_net import NeuralNet, check_array

#: The domain classifier used when ``domain_layers`` is None: dense 100 ReLU, dense 1 sigmoid.
DEFAULT_DOMAIN_LAYERS = [
    (DenseLayer, {"name": "domain_hidden", "num_units": 100}),
    (DenseLayer, {"name": "domain_output", "num_units": 1, "nonlinearity": sigmoid}),
]


class AdversarialNet(NeuralNet):
    """A domain-adversarial neural network (DANN) with the :class:`NeuralNet` API.

    The label network (``layers``) is trained on labelled source samples. A
    domain classifier (``domain_layers``) is attached to the representation at
    ``feature_layer`` through a :class:`~adaptnet.layers.GradientReversalLayer`
    named ``"reversal"``, and learns to tell source (0) from target (1)
    samples, while the reversed gradient pushes the features to make the
    domains indistinguishable (Ganin et al., JMLR 2016).

    Each training step takes a source batch, its labels and a target batch of
    the same size; both go through the feature extractor together
    (concatenated). The label loss uses the source half only, the domain loss
    (binary cross-entropy) both halves, and the objective is
    ``label_loss + domain_loss_weight * domain_loss``. An epoch is one pass
    over the larger domain; the smaller one is cycled, reshuffled on each
    pass. Target labels are never used for training.

    All domain-head parameters are trained with the same update rule and
    learning rate as the rest of the network; ``domain_loss_weight`` scales the
    domain gradient reaching both the head and (with ``hp_lambda``) the features.

    Parameters
    ----------
    layers : list or Layer
        The label network, as in :class:`NeuralNet`.
    domain_layers : list, optional
        The domain classifier as a list spec (``(LayerClass, {kwargs})`` or
        ``('name', LayerClass)`` items), without an input layer, ending in one
        sigmoid unit; default :data:`DEFAULT_DOMAIN_LAYERS` (layers
        ``domain_hidden`` and ``domain_output``, so
        ``domain_hidden_num_units=15`` resizes it). Unnamed layers are named
        ``domain_<type><index>``.
    feature_layer : str, optional
        Name of the layer whose output is the shared representation; default:
        the input of the label output layer.
    hp_lambda : float
        Initial gradient reversal weight (``net.hyperparams_["hp_lambda"]``,
        which schedules such as
        :class:`~adaptnet.callbacks.lambda_scheduler.LambdaScheduler` change).
    domain_loss_weight : float
        Weight of the domain loss in the objective.
    adversarial : bool
        ``False`` trains the same network source-only: ``hp_lambda`` is held at
        0, so the domain head still learns (``domain_accuracy``) but no
        gradient from it reaches the features.
    **kwargs
        Everything :class:`NeuralNet` accepts.

    Raises
    ------
    TypeError
        On malformed layer specs or unknown keyword arguments.

    Examples
    --------
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> from adaptnet.nonlinearities import softmax
    >>> net = AdversarialNet(
    ...     layers=[("input", InputLayer), ("hidden", DenseLayer), ("output", DenseLayer)],
    ...     input_shape=(None, 2), hidden_num_units=4, output_num_units=2,
    ...     output_nonlinearity=softmax, domain_hidden_num_units=3, random_state=0)
    >>> list(net.initialize().layers_)
    ['input', 'hidden', 'output', 'reversal', 'domain_hidden', 'domain_output']
    >>> sorted(net.hyperparams_)
    ['hp_lambda', 'learning_rate', 'momentum']
    """

    # hp_lambda and adversarial only set the reversal weight's value, not the graph
    _non_graph_params = NeuralNet._non_graph_params | {"hp_lambda", "adversarial"}

    def __init__(self, layers, domain_layers=None, feature_layer=None, hp_lambda=1.0,
                 domain_loss_weight=1.0, adversarial=True, **kwargs):
        self.domain_layers = domain_layers
        self.feature_layer = feature_layer
        self.hp_lambda = hp_lambda
        self.domain_loss_weight = domain_loss_weight
        self.adversarial = adversarial
        super().__init__(layers, **kwargs)

    # ------------------------------------------------------------------ building

    def _domain_spec(self):
        spec = DEFAULT_DOMAIN_LAYERS if self.domain_layers is None else self.domain_layers
        if isinstance(spec, Layer):
            raise TypeError(
                f"{type(self).__name__}: domain_layers must be a list of (LayerClass, {{kwargs}}) or "
                "('name', LayerClass) items, not a Layer instance"
            )
        return spec

    def _layer_names(self):
        return super()._layer_names() + ["reversal"] + layer_names(
            self._domain_spec(), type(self).__name__, "domain_layers", prefix="domain_")

    def _feature_name(self, label):
        owner = type(self).__name__
        if self.feature_layer is not None:
            if self.feature_layer not in label:
                raise ValueError(
                    f"{owner}: feature_layer {self.feature_layer!r} is not a layer of the label "
                    f"network; layers: {list(label)}"
                )
            return self.feature_layer
        parent = getattr(list(label.values())[-1], "input_layer", None)
        for name, layer in label.items():
            if layer is parent:
                return name
        raise ValueError(f"{owner}: cannot infer the feature layer; pass feature_layer (one of {list(label)})")

    def _build_layer_graph(self):
        owner = type(self).__name__
        for name in ("hp_lambda", "domain_loss_weight"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) \
                    or value < 0:
                raise ValueError(f"{owner}: {name} must be a finite number >= 0, got {value!r}")
        label = super()._build_layer_graph()
        reversal = GradientReversalLayer(label[self._feature_name(label)],
                                         hp_lambda=self.hp_lambda if self.adversarial else 0.0,
                                         name="reversal")
        domain = build_layers(self._domain_spec(), self._params_for, owner, "domain_layers",
                              incoming=reversal, prefix="domain_")
        clash = sorted(set(label) & (set(domain) | {"reversal"}))
        if clash:
            raise ValueError(f"{owner}: layer names {clash} are used by both the label network and the domain head")
        shape = list(domain.values())[-1].output_shape
        if tuple(shape[1:]) != (1,):
            raise ValueError(
                f"{owner}: the domain classifier must end in one (sigmoid) unit, its output shape is {shape}"
            )
        layers = OrderedDict(label)
        layers["reversal"] = reversal
        layers.update(domain)
        return layers

    def _label_layers(self, layers):
        names = list(layers)
        return OrderedDict((name, layers[name]) for name in names[:names.index("reversal")])

    def _make_hyperparams(self, layers):
        hyper = super()._make_hyperparams(layers)
        hyper["hp_lambda"] = layers["reversal"].hp_lambda
        return hyper

    def _train_graph(self, layers, hyperparams):
        label = self._label_layers(layers)
        feature = label[self._feature_name(label)]
        domain_output = list(layers.values())[-1]
        X_source = self._input_layer(layers).input_var
        X_target = X_source.type("X_target")
        y = self._y_var()
        n_source, n_target = X_source.shape[0], X_target.shape[0]
        features = get_output(feature, pt.concatenate([X_source, X_target], axis=0))
        source_only = {"inputs": {feature: features[:n_source]}}
        label_loss = self.objective(label, target=y, get_output_kw=source_only, **self._objective_kwargs())
        domain_prob = get_output(domain_output, inputs={feature: features})
        domain_target = pt.concatenate([pt.zeros((n_source, 1), dtype="float32"),
                                        pt.ones((n_target, 1), dtype="float32")], axis=0)
        domain_loss = objectives.aggregate(objectives.binary_crossentropy(domain_prob, domain_target))
        domain_accuracy = pt.cast(objectives.binary_accuracy(domain_prob, domain_target).mean(), "float32")
        loss = label_loss + np.float32(self.domain_loss_weight) * domain_loss
        scores = []
        if self.scores_train:
            output = get_output(self._output_layer(layers), **source_only)
            scores = [f(output, y) for _, f in self.scores_train]
        params = get_all_params(list(layers.values()), trainable=True)
        step = self.update(loss, params, **self._update_kwargs(
            {k: v for k, v in hyperparams.items() if k in ("learning_rate", "momentum")}))
        names = ["loss", "label_loss", "domain_loss", "domain_accuracy"] + [n for n, _ in self.scores_train or []]
        return {"train": ([X_source, y, X_target], [loss, label_loss, domain_loss, domain_accuracy] + scores, step),
                "train_names": names, "params": params}

    def _forward_outputs(self, layers):
        label = self._label_layers(layers)
        return get_output([self._output_layer(layers), list(layers.values())[-1],
                           label[self._feature_name(label)]], deterministic=True)

    # ------------------------------------------------------------------ data

    def _prepare_extra(self, extra, X, fitted, owner):
        if extra["X_target"] is None:
            raise TypeError(f"{owner}: X_target (unlabelled target-domain samples) is required")
        X_target = check_array(extra["X_target"], "X_target", owner)
        if X_target.shape[1:] != X.shape[1:]:
            raise ValueError(
                f"{owner}: X_target has samples of shape {X_target.shape[1:]}, X has {X.shape[1:]}"
            )
        X_valid, y_valid = extra["X_valid_target"], extra["y_valid_target"]
        if (X_valid is None) != (y_valid is None):
            raise ValueError(f"{owner}: give both X_valid_target and y_valid_target, or neither")
        if X_valid is not None:
            X_valid = check_array(X_valid, "X_valid_target", owner)
            if X_valid.shape[1:] != X.shape[1:]:
                raise ValueError(
                    f"{owner}: X_valid_target has samples of shape {X_valid.shape[1:]}, X has {X.shape[1:]}"
                )
            y_valid = self._check_y(y_valid, len(X_valid), "y_valid_target", owner)
            if self.regression:
                y_valid = y_valid.reshape(len(y_valid), -1)
            else:
                self._check_labels_known(y_valid, fitted["classes_"], "y_valid_target", owner)
                y_valid = self._encode(y_valid, fitted["classes_"])
        return {"X_target": X_target, "X_valid_target": X_valid, "y_valid_target": y_valid}

    def fit(self, X, y, X_target=None, X_valid_target=None, y_valid_target=None, epochs=None):
        """Train on labelled source data and unlabelled target data.

        Parameters
        ----------
        X : array_like
            Source samples.
        y : array_like
            Source labels (or regression targets).
        X_target : array_like
            Unlabelled target samples, same sample shape as ``X``.
        X_valid_target, y_valid_target : array_like, optional
            Labelled target data scored after each epoch
            (``target_valid_loss``, ``target_valid_accuracy``); never trained on.
        epochs : int, optional
            Default ``max_epochs``.

        Returns
        -------
        AdversarialNet
            ``self``.

        Raises
        ------
        ValueError, TypeError
            On invalid input, before anything changes.

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> from adaptnet.nonlinearities import softmax
        >>> X = np.array([[0.0], [1.0]] * 4, dtype="float32"); y = np.array([0, 1] * 4)
        >>> net = AdversarialNet([(InputLayer, {"shape": (None, 1)}), (DenseLayer, {"num_units": 4}),
        ...                       (DenseLayer, {"num_units": 2, "nonlinearity": softmax})],
        ...                      domain_hidden_num_units=4, max_epochs=2, train_split=None, random_state=0)
        >>> sorted(net.fit(X, y, X_target=X + 0.5).train_history_[-1])[:4]
        ['domain_accuracy', 'domain_loss', 'dur', 'epoch']
        """
        extra = {"X_target": X_target, "X_valid_target": X_valid_target, "y_valid_target": y_valid_target}
        return self._fit(X, y, extra, epochs, self.warm_start, None, "fit")

    def partial_fit(self, X, y, X_target=None, X_valid_target=None, y_valid_target=None, classes=None,
                    epochs=1):
        """Continue training from the current state (initializing on the first call).

        Parameters
        ----------
        X, y, X_target, X_valid_target, y_valid_target
            As in :meth:`fit`.
        classes : array_like, optional
            All class labels, when the first call does not see them all.
        epochs : int

        Returns
        -------
        AdversarialNet
            ``self``.
        """
        extra = {"X_target": X_target, "X_valid_target": X_valid_target, "y_valid_target": y_valid_target}
        return self._fit(X, y, extra, epochs, True, classes, "partial_fit")

    # ------------------------------------------------------------------ training

    def _batches_per_epoch(self, data):
        n = max(len(data["X_train"]), len(data["X_target"]))
        return -(-n // self._iterators["train"].batch_size)

    def _sampler(self, key, n, shuffle):
        sampler = self._samplers.get(key)
        if sampler is None or sampler.n != n:
            seeds = self._seeds()
            seed = self._iterators["train"].random.randint(2 ** 31 - 1) if seeds is None \
                else seeds[2] + (key == "target")
            sampler = self._samplers[key] = CyclicSampler(n, shuffle, seed)
        return sampler

    def _train_batches(self, data):
        iterator = self._iterators["train"]
        X_source, y_source, X_target = data["X_train"], data["y_train"], data["X_target"]
        source = self._sampler("source", len(X_source), iterator.shuffle)
        target = self._sampler("target", len(X_target), iterator.shuffle)
        n = max(len(X_source), len(X_target))
        for start in range(0, n, iterator.batch_size):
            k = min(iterator.batch_size, n - start)
            si, ti = source.take(k), target.take(k)
            Xb, yb = iterator.transform(X_source[si], y_source[si])
            Xtb, _ = iterator.transform(X_target[ti], None)
            yield (np.ascontiguousarray(Xb, dtype=np.float32), yb,
                   np.ascontiguousarray(Xtb, dtype=np.float32)), len(Xb)

    def _train_step(self, inputs):
        if not self.adversarial:
            self.hyperparams_["hp_lambda"].set_value(np.float32(0.0))
        return super()._train_step(inputs)

    def _train_row(self, means):
        row = super()._train_row(means)
        row["hp_lambda"] = self.get_hyperparam("hp_lambda")
        if "learning_rate" in self.hyperparams_:
            row["learning_rate"] = self.get_hyperparam("learning_rate")
        return row

    def _validation_row(self, data):
        row = super()._validation_row(data)
        if data.get("X_valid_target") is not None:
            row.update(self._evaluate(data["X_valid_target"], data["y_valid_target"], "target_valid",
                                      custom=False))
        return row

    # ------------------------------------------------------------------ prediction

    def predict_domain(self, X):
        """Return the domain classifier's probability that each sample is from the target domain.

        Parameters
        ----------
        X : array_like

        Returns
        -------
        numpy.ndarray
            Shape ``(n,)``, float32.

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> from adaptnet.nonlinearities import softmax
        >>> net = AdversarialNet([(InputLayer, {"shape": (None, 2)}), (DenseLayer, {"num_units": 3}),
        ...                       (DenseLayer, {"num_units": 2, "nonlinearity": softmax})]).initialize()
        >>> net.predict_domain(np.zeros((4, 2))).shape
        (4,)
        """
        return self._forward(X, f"{type(self).__name__}.predict_domain", index=1)[:, 0]

    def transform(self, X):
        """Return the representation at ``feature_layer`` for ``X``.

        Parameters
        ----------
        X : array_like

        Returns
        -------
        numpy.ndarray

        Examples
        --------
        >>> from adaptnet.layers import InputLayer, DenseLayer
        >>> from adaptnet.nonlinearities import softmax
        >>> net = AdversarialNet([(InputLayer, {"shape": (None, 2)}), (DenseLayer, {"num_units": 3}),
        ...                       (DenseLayer, {"num_units": 2, "nonlinearity": softmax})]).initialize()
        >>> net.transform(np.zeros((4, 2))).shape
        (4, 3)
        """
        return self._forward(X, f"{type(self).__name__}.transform", index=2)
