"""Estimators: :class:`NeuralNet` (nolearn-compatible) and :class:`AdversarialNet` (DANN)."""
from .adversarial import AdversarialNet
from .batch_iterator import BatchIterator
from .history import History
from .neural_net import NeuralNet
from .objective import objective
from .train_split import TrainSplit

__all__ = ["NeuralNet", "AdversarialNet", "BatchIterator", "TrainSplit", "History", "objective"]
