"""The paper's conv DANN trained by adaptnet against the same training written in PyTorch.

Optional (skipped without torch). Both start from the same weights and take the same batches
with the lambda and learning-rate schedules running, and must stay together step for step.
The source images are blobs on a flat background, as mean-subtracted digits are, so max-pooling
windows hold tied values: the case where Theano's pooling gradient went wrong.
"""
import numpy as np
import pytest

from adaptnet import AdversarialNet, BatchIterator, presets, updates
from adaptnet.callbacks import LambdaScheduler, LearningRateScheduler

pytestmark = pytest.mark.torch

N, BATCH, LR0, MOMENTUM = 24, 8, 0.01, 0.9


def data():
    rng = np.random.RandomState(0)
    X_source = np.full((N, 1, 28, 28), -0.3, dtype=np.float32)  # flat background
    X_source[:, :, 6:22, 9:19] += rng.rand(N, 1, 16, 10).astype(np.float32)
    X_target = (rng.rand(N, 1, 28, 28) - 0.5).astype(np.float32)
    return X_source, rng.randint(10, size=N).astype(np.int32), X_target


def torch_dann_steps(torch, params, X_source, y, X_target, n_steps):
    """SGD with Lasagne's momentum (velocity accumulates -lr * grad), the paper's schedules."""
    F = torch.nn.functional
    w = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    velocity = {k: torch.zeros_like(v) for k, v in w.items()}
    for step in range(n_steps):
        p = step / n_steps
        lam, lr = 2 / (1 + np.exp(-10 * p)) - 1, LR0 / (1 + 10 * p) ** 0.75
        batch = slice(step * BATCH, (step + 1) * BATCH)
        x = torch.tensor(np.concatenate([X_source[batch], X_target[batch]]))
        # adaptnet's convolutions flip the filters (Lasagne's default); torch correlates
        h = F.max_pool2d(F.relu(F.conv2d(x, w["conv1.W"].flip(2, 3)) + w["conv1.b"][:, None, None]), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, w["conv2.W"].flip(2, 3)) + w["conv2.b"][:, None, None]), 2)
        features = h.flatten(1)
        out = features[:BATCH]
        for name in ("hidden0", "hidden1"):
            out = F.relu(out @ w[f"{name}.W"] + w[f"{name}.b"])
        logits = out @ w["output.W"] + w["output.b"]
        reversed_ = features * -lam + (features * (1 + lam)).detach()  # identity; gradient * -lam
        d = F.relu(reversed_ @ w["domain_hidden0.W"] + w["domain_hidden0.b"])
        domain_logit = (d @ w["domain_output.W"] + w["domain_output.b"])[:, 0]
        domain = torch.cat([torch.zeros(BATCH), torch.ones(BATCH)])
        loss = (F.cross_entropy(logits, torch.tensor(y[batch], dtype=torch.int64))
                + F.binary_cross_entropy_with_logits(domain_logit, domain))
        grads = torch.autograd.grad(loss, list(w.values()))
        with torch.no_grad():
            for (k, v), g in zip(w.items(), grads):
                velocity[k] = MOMENTUM * velocity[k] - lr * g
                v += velocity[k]
    return {k: v.detach().numpy() for k, v in w.items()}


def flat_params(net):
    return {f"{layer}.{name}": value for layer, values in net.get_all_params_values().items()
            for name, value in zip("Wb", values)}


def test_paper_dann_training_matches_torch_step_for_step():
    torch = pytest.importorskip("torch")
    X_source, y, X_target = data()
    net = AdversarialNet(
        **presets.paper_mnist((1, 28, 28), 10), update=updates.momentum, update_learning_rate=LR0,
        update_momentum=MOMENTUM, batch_iterator_train=BatchIterator(BATCH, shuffle=False),
        callbacks=[LambdaScheduler(gamma=10.0),
                   LearningRateScheduler("dann", initial=LR0, alpha=10.0, beta=0.75, per_batch=True)],
        max_epochs=1, train_split=None, warm_start=True, random_state=0, verbose=0)
    start = flat_params(net.initialize())
    net.fit(X_source, y, X_target)
    expected = torch_dann_steps(torch, start, X_source, y, X_target, N // BATCH)
    trained = flat_params(net)
    assert trained.keys() == expected.keys()
    for name, value in trained.items():
        assert np.abs(value - start[name]).max() > 1e-5, f"{name} did not train"
        np.testing.assert_allclose(value, expected[name], rtol=1e-4, atol=2e-6, err_msg=name)
