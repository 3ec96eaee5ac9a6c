"""Snapshots of a net's parameter values, for callbacks that roll weights back."""
import numpy as np


def snapshot_params(net):
    """Return a deep copy of the net's parameter values.

    Parameters
    ----------
    net : NeuralNet
        A net with ``get_all_params_values()``.

    Returns
    -------
    dict
        Layer name -> list of arrays, as accepted by ``net.load_params_from``;
        the arrays are copies, so later training does not change them.

    Examples
    --------
    >>> class TinyNet:
    ...     def get_all_params_values(self):
    ...         return {"dense": [np.ones(2, np.float32)]}
    >>> snapshot_params(TinyNet())
    {'dense': [array([1., 1.], dtype=float32)]}
    """
    return {name: [np.array(v, copy=True) for v in values]
            for name, values in net.get_all_params_values().items()}

