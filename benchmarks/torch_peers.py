"""PyTorch versions of the DANN networks, used as peers by the benchmarks.

``MnistDANN`` is the MNIST architecture of Ganin et al. (JMLR 2016): two
5x5 convolutions (32 and 48 filters, ReLU, 2x2 max-pooling), a label head of
dense 100 - dense 100 - softmax 10, and a domain head of gradient reversal -
dense 100 ReLU - dense 1 sigmoid on the flattened features. ``MlpDANN`` is
the shallow network of the paper's toy experiment (one sigmoid hidden layer
shared by a softmax label head and a logistic domain head).

Heads return logits; the losses apply softmax/sigmoid. Only the benchmarks
import this module: the library never imports torch.
"""
import math

import numpy as np
import torch
from torch import nn


class _ReverseGradient(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, hp_lambda):
        ctx.hp_lambda = hp_lambda
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.hp_lambda * grad, None


class GradientReversal(nn.Module):
    """Identity forward; multiplies the gradient by ``-hp_lambda`` backward."""

    def __init__(self, hp_lambda=1.0):
        super().__init__()
        self.hp_lambda = hp_lambda

    def forward(self, x):
        return _ReverseGradient.apply(x, self.hp_lambda)


class MnistDANN(nn.Module):
    """The DANN MNIST network: ``forward(x) -> (class logits, domain logit)``."""

    def __init__(self, in_channels=3, num_classes=10, hp_lambda=1.0):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 48, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten())
        self.label_head = nn.Sequential(
            nn.Linear(48 * 4 * 4, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
            nn.Linear(100, num_classes))
        self.domain_head = nn.Sequential(
            GradientReversal(hp_lambda), nn.Linear(48 * 4 * 4, 100), nn.ReLU(), nn.Linear(100, 1))

    def forward(self, x):
        features = self.features(x)
        return self.label_head(features), self.domain_head(features).squeeze(1)


class MlpDANN(nn.Module):
    """The shallow DANN: ``forward(x) -> (class logits, domain logit)``."""

    def __init__(self, num_inputs=2, num_hidden=15, num_classes=2, hp_lambda=1.0):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(num_inputs, num_hidden), nn.Sigmoid())
        self.label_head = nn.Linear(num_hidden, num_classes)
        self.domain_head = nn.Sequential(GradientReversal(hp_lambda), nn.Linear(num_hidden, 1))

    def forward(self, x):
        features = self.features(x)
        return self.label_head(features), self.domain_head(features).squeeze(1)


def dann_loss(model, x, y_source, domain):
    """Label cross-entropy on the first ``len(y_source)`` rows plus domain BCE on all rows."""
    class_logits, domain_logit = model(x)
    label_loss = nn.functional.cross_entropy(class_logits[:len(y_source)], y_source)
    domain_loss = nn.functional.binary_cross_entropy_with_logits(domain_logit, domain)
    return label_loss + domain_loss


def make_sgd_step(model, learning_rate=0.01):
    """Return ``step(x, y_source, domain)``: one SGD step (forward, backward, update)."""
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

    def step(x, y_source, domain):
        optimizer.zero_grad(set_to_none=True)
        loss = dann_loss(model, x, y_source, domain)
        loss.backward()
        optimizer.step()
        return loss

    return step


def glorot_init(model, seed=0):
    """Give ``model`` adaptnet's (and Lasagne's) default initialisation; return it.

    Glorot-uniform weights and zero biases in every convolution and dense
    layer, drawn from torch's generator seeded with ``seed``.
    """
    torch.manual_seed(seed)
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)
    return model


def fit_paper_schedule(model, X, y, X_target=None, batch_size=32, max_epochs=1, learning_rate=0.01, seed=0):
    """Train ``model`` with the paper's optimiser and schedules; return it.

    SGD with momentum 0.9; before every batch the learning rate is set to
    mu_p = learning_rate / (1 + 10 p) ** 0.75 and the reversal weight to
    lambda_p = 2 / (1 + exp(-10 p)) - 1, where p is the fraction of batches
    done. Without ``X_target`` only the label loss is trained (source only or
    train on target). With it, each step takes ``batch_size`` labelled images
    and as many images of ``X_target`` (cycled, reshuffled on each pass) and
    adds the domain loss, as ``adaptnet.AdversarialNet`` does. An epoch is
    one pass over ``X``; ``seed`` seeds the shuffling.
    """
    rng = np.random.RandomState(seed)
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9)
    reversal = next((m for m in model.modules() if isinstance(m, GradientReversal)), None)
    n_batches = -(-len(X) // batch_size)
    total, done = max_epochs * n_batches, 0
    target_order = np.empty(0, dtype=np.intp)
    for _ in range(max_epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            p = done / total
            for group in optimizer.param_groups:
                group["lr"] = learning_rate / (1 + 10 * p) ** 0.75
            idx = order[start:start + batch_size]
            x, labels = torch.from_numpy(X[idx]), torch.from_numpy(np.asarray(y[idx], dtype=np.int64))
            optimizer.zero_grad(set_to_none=True)
            if X_target is None:
                loss = nn.functional.cross_entropy(model(x)[0], labels)
            else:
                reversal.hp_lambda = 2 / (1 + math.exp(-10 * p)) - 1
                while len(target_order) < len(idx):
                    target_order = np.concatenate([target_order, rng.permutation(len(X_target))])
                x_target = torch.from_numpy(X_target[target_order[:len(idx)]])
                target_order = target_order[len(idx):]
                domain = torch.cat([torch.zeros(len(idx)), torch.ones(len(idx))])
                loss = dann_loss(model, torch.cat([x, x_target]), labels, domain)
            loss.backward()
            optimizer.step()
            done += 1
    return model


def predict_classes(model, X, batch_size=500):
    """Class predictions of ``model`` for the rows of ``X``, in batches, without gradients."""
    with torch.no_grad():
        return np.concatenate([model(torch.from_numpy(X[i:i + batch_size]))[0].argmax(1).numpy()
                               for i in range(0, len(X), batch_size)])
