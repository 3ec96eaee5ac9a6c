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
