"""adaptnet: domain-adversarial neural networks (DANN) on PyTensor.

Layers follow Lasagne's API (:mod:`adaptnet.layers`), the estimators follow
nolearn and scikit-learn (:class:`NeuralNet`, :class:`AdversarialNet`), and
callbacks follow Keras (:mod:`adaptnet.callbacks`).
"""
__version__ = "0.1.0"

# The estimators pull in PyTensor; load them on first use so ``import adaptnet`` stays light.
_LAZY = {"NeuralNet": "nets", "AdversarialNet": "nets", "BatchIterator": "nets", "TrainSplit": "nets"}

__all__ = ["NeuralNet", "AdversarialNet", "BatchIterator", "TrainSplit", "__version__"]


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'adaptnet' has no attribute {name!r}")
