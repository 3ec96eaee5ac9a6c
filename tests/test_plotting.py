"""Tests of adaptnet.plotting: curves drawn from the history, embeddings of transformed features."""
import matplotlib.image
import numpy as np
import pytest

from adaptnet.plotting import plot_embedding, plot_history

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

HISTORY = [
    {"epoch": 1, "label_loss": 1.0, "domain_loss": 0.7, "hp_lambda": 0.0, "learning_rate": 0.01,
     "target_valid_accuracy": 0.5, "note": "text is skipped"},
    {"epoch": 2, "label_loss": 0.6, "domain_loss": 0.69, "hp_lambda": 0.46, "learning_rate": 0.008,
     "target_valid_accuracy": 0.6},
    {"epoch": 3, "label_loss": 0.4, "domain_loss": 0.68, "hp_lambda": 0.76, "learning_rate": 0.007},
]


@pytest.fixture(autouse=True)
def _close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


class FakeNet:
    """A net stand-in: history plus a linear ``transform``."""

    def __init__(self, weights):
        self.train_history_ = HISTORY
        self.weights = weights
        self.calls = []

    def transform(self, X):
        self.calls.append(len(X))
        return np.asarray(X).reshape(len(X), -1) @ self.weights


def _line_data(axis):
    (line,) = axis.get_lines()
    return [list(v) for v in line.get_data()]


def test_plot_history_panels_follow_history_values():
    fig = plot_history(HISTORY)
    titles = [a.get_title() for a in fig.axes if a.get_visible()]
    assert titles == ["label loss", "domain loss", "lambda (gradient reversal)", "learning rate",
                      "target accuracy"]
    by_title = {a.get_title(): a for a in fig.axes}
    assert _line_data(by_title["label loss"]) == [[1, 2, 3], [1.0, 0.6, 0.4]]
    # an epoch without the key is left out rather than drawn as zero
    assert _line_data(by_title["target accuracy"]) == [[1, 2], [0.5, 0.6]]


def test_plot_history_accepts_a_net_and_explicit_keys_on_one_axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    returned = plot_history(FakeNet(np.eye(2)), keys=["label_loss", "domain_loss"], ax=ax)
    assert returned is fig
    assert [line.get_label() for line in ax.get_lines()] == ["label loss", "domain loss"]
    assert list(ax.get_lines()[1].get_ydata()) == [0.7, 0.69, 0.68]


def test_plot_history_overlays_runs_on_a_sequence_of_axes():
    keys = ["label_loss", "hp_lambda"]
    fig = plot_history(HISTORY, keys=keys)
    second = [dict(row, label_loss=row["label_loss"] / 2) for row in HISTORY]
    plot_history(second, keys=keys, ax=fig.axes, label="halved")
    first_panel = fig.axes[0]
    assert [list(line.get_ydata()) for line in first_panel.get_lines()] == [[1.0, 0.6, 0.4],
                                                                           [0.5, 0.3, 0.2]]
    assert [t.get_text() for t in first_panel.get_legend().get_texts()] == ["halved"]
    with pytest.raises(ValueError, match="plot_history: ax holds 2 axes for 1 keys"):
        plot_history(HISTORY, keys=["label_loss"], ax=fig.axes)


def test_plot_history_saves_a_readable_png(tmp_path):
    path = tmp_path / "curves.png"
    plot_history(HISTORY, path=path)
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = matplotlib.image.imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100


@pytest.mark.parametrize("bad, error, match", [
    ("history", TypeError, "list of per-epoch dicts"),
    ([1, 2], TypeError, "must be a dict"),
    ([], ValueError, "empty"),
    ([{"epoch": 1, "note": "x"}], ValueError, "none of the default keys"),
])
def test_plot_history_rejects_bad_histories(bad, error, match):
    with pytest.raises(error, match=f"plot_history: .*{match}"):
        plot_history(bad)


def test_plot_history_rejects_unknown_keys():
    with pytest.raises(ValueError, match=r"plot_history: keys \['nope'\].*available"):
        plot_history(HISTORY, keys=["nope"])
    with pytest.raises(TypeError, match="plot_history: keys must be a list of str"):
        plot_history(HISTORY, keys="label_loss")


def test_plot_embedding_pca_matches_a_numpy_svd(tmp_path):
    rng = np.random.RandomState(0)
    X_s, X_t = rng.randn(30, 2, 3), rng.randn(25, 2, 3) + 2.0
    weights = rng.randn(6, 4)
    net = FakeNet(weights)
    path = tmp_path / "embedding.png"
    fig = plot_embedding(net, X_s, X_t, path=path, title="before")
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    axis = fig.axes[0]
    assert axis.get_title() == "before"
    source, target = (c.get_offsets() for c in axis.collections)
    assert [t.get_text() for t in axis.get_legend().get_texts()] == ["source", "target"]
    features = np.concatenate([X_s.reshape(30, -1), X_t.reshape(25, -1)]) @ weights
    centered = features - features.mean(axis=0)
    _, _, vt = np.linalg.svd(centered, full_matrices=False)
    expected = centered @ vt[:2].T
    got = np.concatenate([source, target])
    # principal axes are defined up to sign
    signs = np.sign((got * expected).sum(axis=0))
    np.testing.assert_allclose(got * signs, expected, rtol=1e-5, atol=1e-6)


def test_plot_embedding_subsamples_each_domain_and_runs_tsne():
    rng = np.random.RandomState(1)
    net = FakeNet(rng.randn(3, 3))
    fig = plot_embedding(net, rng.randn(40, 3), rng.randn(12, 3), method="tsne", max_points=20)
    assert net.calls == [20, 12]
    assert [len(c.get_offsets()) for c in fig.axes[0].collections] == [20, 12]
    assert fig.axes[0].get_title() == "t-SNE of the learned features"


@pytest.mark.parametrize("kwargs, error, match", [
    ({"net": object()}, TypeError, "transform"),
    ({"method": "umap"}, ValueError, "method must be 'pca' or 'tsne'"),
    ({"max_points": 1}, ValueError, "max_points"),
    ({"X_target": np.zeros((1, 3))}, ValueError, "X_target needs at least 2 samples"),
])
def test_plot_embedding_rejects_bad_arguments(kwargs, error, match):
    arguments = {"net": FakeNet(np.eye(3)), "X_source": np.zeros((5, 3)),
                 "X_target": np.ones((5, 3))}
    arguments.update(kwargs)
    with pytest.raises(error, match=f"plot_embedding: .*{match}"):
        plot_embedding(**arguments)
