"""scikit-learn contract: params, clone, Pipeline, GridSearchCV, label types, pickling."""
import pickle

import numpy as np
import pytest
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from adaptnet import AdversarialNet, BatchIterator, NeuralNet
from adaptnet.layers import DenseLayer, InputLayer
from adaptnet.nonlinearities import sigmoid, softmax

LAYERS = [("input", InputLayer), ("hidden", DenseLayer), ("output", DenseLayer)]


def make_net(cls=NeuralNet, **kwargs):
    params = dict(input_shape=(None, 2), hidden_num_units=4, output_num_units=2, output_nonlinearity=softmax,
                  update_learning_rate=0.1, max_epochs=3, train_split=None,
                  batch_iterator_train=BatchIterator(batch_size=16, shuffle=True), random_state=0)
    params.update(kwargs)
    return cls(LAYERS, **params)


def blobs(n=40, seed=0, shift=0.0):
    rng = np.random.RandomState(seed)
    y = np.arange(n) % 2
    X = rng.normal(size=(n, 2)) + 2.0 * y[:, None] + shift
    return X.astype(np.float32), y


def test_get_set_params_and_clone():
    net = make_net(AdversarialNet, domain_hidden_num_units=3, hp_lambda=0.5)
    params = net.get_params()
    assert params["hidden_num_units"] == 4 and params["update_learning_rate"] == 0.1
    assert params["domain_hidden_num_units"] == 3 and params["hp_lambda"] == 0.5
    assert params["max_epochs"] == 3 and "layers" in params and "domain_layers" in params
    net.set_params(hidden_num_units=7, update_momentum=0.5, domain_output_nonlinearity=sigmoid)
    assert net.hidden_num_units == 7 and net.get_params()["update_momentum"] == 0.5
    twin = clone(net)
    assert twin is not net and twin.get_params()["hidden_num_units"] == 7
    assert not hasattr(twin, "layers_")
    net.initialize()
    assert net.layers_["hidden"].num_units == 7 and net.get_hyperparam("momentum") == 0.5
    with pytest.raises(ValueError, match="invalid parameter 'hiddn_num_units'"):
        net.set_params(hiddn_num_units=3)
    assert is_classifier(make_net()) and is_regressor(make_net(regression=True))


@pytest.mark.numba
def test_fit_returns_self_and_string_labels():
    X, y = blobs()
    labels = np.array(["cat", "dog"])[y]
    net = make_net(max_epochs=10)
    assert net.fit(X, labels) is net
    assert net.classes_.tolist() == ["cat", "dog"]
    assert set(net.predict(X)) <= {"cat", "dog"}
    assert net.score(X, labels) == pytest.approx(np.mean(net.predict(X) == labels))
    with pytest.raises(ValueError, match=r"labels \['bird'\] not seen"):
        net.score(X[:2], ["cat", "bird"])
    with pytest.raises(ValueError, match=r"labels \['bird'\] not seen"):
        net.partial_fit(X[:2], ["cat", "bird"])

    # pickling a fitted net: identical predictions, training continues
    restored = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(restored.predict_proba(X), net.predict_proba(X))
    assert restored.train_history_ == net.train_history_
    restored.partial_fit(X, labels)
    net.partial_fit(X, labels)
    np.testing.assert_array_equal(restored.predict_proba(X), net.predict_proba(X))
    unfitted = pickle.loads(pickle.dumps(make_net()))
    assert not hasattr(unfitted, "layers_") and unfitted.hidden_num_units == 4


@pytest.mark.numba
def test_pipeline():
    X, y = blobs()
    pipe = make_pipeline(StandardScaler(), make_net(max_epochs=10))
    pipe.fit(X * 100 + 5, y)
    assert pipe.score(X * 100 + 5, y) > 0.8
    assert pipe.predict(X[:5] * 100 + 5).shape == (5,)


@pytest.mark.numba
def test_grid_search_adversarial_with_target_fit_param():
    X, y = blobs(n=40)
    Xt, _ = blobs(n=30, seed=1, shift=0.5)
    grid = GridSearchCV(make_net(AdversarialNet, domain_hidden_num_units=3),
                        {"hp_lambda": [0.1, 1.0], "hidden_num_units": [3, 5]}, cv=2, n_jobs=2)
    grid.fit(X, y, X_target=Xt)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_params_["hp_lambda"] in (0.1, 1.0)
    assert grid.best_estimator_.layers_["hidden"].num_units == grid.best_params_["hidden_num_units"]
    assert 0 <= grid.score(X, y) <= 1
