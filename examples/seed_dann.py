"""The "general DANN model" in a few lines of adaptnet.

A feature MLP, a label MLP and a domain MLP joined by a gradient reversal
layer, trained with SGD on labelled source data and unlabelled target data
(two moons; the target domain is the source rotated by 35 degrees).

Run: ``python examples/seed_dann.py``
"""
import numpy as np
from sklearn.datasets import make_moons

from adaptnet import AdversarialNet, BatchIterator, updates
from adaptnet.layers import DenseLayer, InputLayer
from adaptnet.nonlinearities import sigmoid, softmax, tanh


def rotated_moons(n=300, degrees=35.0, seed=0):
    X, y = make_moons(n, noise=0.1, random_state=seed)
    Xt, yt = make_moons(n, noise=0.1, random_state=seed + 1)
    a = np.deg2rad(degrees)
    rotation = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return X.astype("float32"), y, (Xt @ rotation.T).astype("float32"), yt


def main():
    X, y, X_target, y_target = rotated_moons()
    net = AdversarialNet(
        layers=[(InputLayer, {"shape": (None, 2)}),                       # feature MLP
                (DenseLayer, {"num_units": 32, "nonlinearity": tanh}),
                (DenseLayer, {"num_units": 32, "nonlinearity": tanh, "name": "features"}),
                (DenseLayer, {"num_units": 2, "nonlinearity": softmax})],  # label MLP
        domain_layers=[(DenseLayer, {"num_units": 32}),                     # domain MLP
                       (DenseLayer, {"num_units": 1, "nonlinearity": sigmoid})],
        feature_layer="features", hp_lambda=1.0,                            # reversal weight
        update=updates.nesterov_momentum, update_learning_rate=0.02, update_momentum=0.9, max_epochs=100,
        batch_iterator_train=BatchIterator(batch_size=32, shuffle=True), train_split=None, random_state=0)
    net.fit(X, y, X_target)
    print(f"source accuracy {net.score(X, y):.3f}, target accuracy {net.score(X_target, y_target):.3f}")


if __name__ == "__main__":
    main()
