"""adaptnet: domain-adversarial neural networks (DANN) on PyTensor.

Layers follow Lasagne's API (:mod:`adaptnet.layers`), the estimators follow
nolearn and scikit-learn (:class:`NeuralNet`, :class:`AdversarialNet`), and
callbacks follow Keras (:mod:`adaptnet.callbacks`).
"""
__version__ = "0.1.0"
