"""The default training objective of the estimators (nolearn's ``objective``)."""
import numpy as np

from .. import objectives, regularization
from ..layers import get_output


def objective(layers, loss_function, target, aggregate=objectives.aggregate, deterministic=False,
              l1=0, l2=0, get_output_kw=None):
    """Aggregated loss of the last layer plus optional L1/L2 weight penalties.

    Computes ``aggregate(loss_function(output, target)) + l1 * sum|W| + l2 * sum W**2``
    where the sums run over the regularizable parameters (weights, not
    biases) of the network below the output layer. Estimators route their
    ``objective_*`` keyword arguments here (``objective_l2=1e-4``).

    Parameters
    ----------
    layers : OrderedDict of Layer or list of Layer
        The network; the last entry is the output layer.
    loss_function : callable
        ``loss_function(predictions, targets)`` returning per-sample losses.
    target : PyTensor expression
    aggregate : callable
        Reduces the per-sample losses (default :func:`adaptnet.objectives.aggregate`).
    deterministic : bool
        Build the output without noise (validation and prediction).
    l1, l2 : float
        Penalty weights.
    get_output_kw : dict, optional
        Extra keyword arguments of :func:`adaptnet.layers.get_output`,
        e.g. ``{"inputs": {layer: expression}}``.

    Returns
    -------
    PyTensor scalar

    Examples
    --------
    >>> import numpy as np
    >>> import pytensor.tensor as pt
    >>> from adaptnet import init
    >>> from adaptnet.layers import InputLayer, DenseLayer
    >>> from adaptnet.objectives import squared_error
    >>> l_in = InputLayer((None, 1))
    >>> l_out = DenseLayer(l_in, 1, W=init.Constant(2.0), nonlinearity=None)
    >>> y = pt.matrix(dtype="float32")
    >>> loss = objective([l_in, l_out], squared_error, y, l2=0.5)
    >>> float(loss.eval({l_in.input_var: np.ones((1, 1), "float32"), y: np.zeros((1, 1), "float32")}))
    6.0
    """
    layers = list(layers.values()) if hasattr(layers, "values") else list(layers)
    output_layer = layers[-1]
    output = get_output(output_layer, deterministic=deterministic, **(get_output_kw or {}))
    loss = aggregate(loss_function(output, target))
    if l1:
        loss = loss + np.float32(l1) * regularization.regularize_network_params(output_layer, regularization.l1)
    if l2:
        loss = loss + np.float32(l2) * regularization.regularize_network_params(output_layer, regularization.l2)
    return loss
