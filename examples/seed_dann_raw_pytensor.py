"""The same DANN in raw PyTensor, using only ``adaptnet.layers.reverse_gradient``.

Feature MLP -> label MLP on the source half of each batch, and feature MLP ->
gradient reversal -> domain MLP on both halves; plain SGD.

Run: ``python examples/seed_dann_raw_pytensor.py``
"""
import numpy as np
import pytensor
import pytensor.tensor as pt

from adaptnet.layers import reverse_gradient
from seed_dann import rotated_moons


def dense(rng, n_in, n_out):
    limit = np.sqrt(6.0 / (n_in + n_out))
    W = pytensor.shared(rng.uniform(-limit, limit, (n_in, n_out)).astype("float32"))
    return W, pytensor.shared(np.zeros(n_out, dtype="float32"))


def main(epochs=60, batch_size=32, learning_rate=np.float32(0.1), hp_lambda=np.float32(1.0)):
    X, y, X_target, y_target = rotated_moons()
    rng = np.random.RandomState(0)
    feature = [dense(rng, 2, 32), dense(rng, 32, 32)]
    label, domain = [dense(rng, 32, 2)], [dense(rng, 32, 32), dense(rng, 32, 1)]

    def features(x):
        for W, b in feature:
            x = pt.tanh(x @ W + b)
        return x

    xs, xt, ys = pt.matrix(dtype="float32"), pt.matrix(dtype="float32"), pt.ivector()
    f = features(pt.concatenate([xs, xt]))
    probs = pt.special.softmax(f[:xs.shape[0]] @ label[0][0] + label[0][1], axis=-1)
    label_loss = -pt.mean(pt.log(probs[pt.arange(ys.shape[0]), ys]))
    h = pt.maximum(reverse_gradient(f, hp_lambda) @ domain[0][0] + domain[0][1], 0)
    d = pt.sigmoid(h @ domain[1][0] + domain[1][1])[:, 0]
    is_target = pt.concatenate([pt.zeros(xs.shape[0], dtype="float32"), pt.ones(xt.shape[0], dtype="float32")])
    d = pt.clip(d, np.float32(1e-7), np.float32(1 - 1e-7))  # keeps log() finite
    domain_loss = -pt.mean(is_target * pt.log(d) + (1 - is_target) * pt.log(1 - d))
    params = [p for layer in feature + label + domain for p in layer]
    grads = pytensor.grad(label_loss + domain_loss, params)
    train = pytensor.function([xs, ys, xt], [label_loss, domain_loss],
                              updates=[(p, p - learning_rate * g) for p, g in zip(params, grads)])
    predict = pytensor.function([xs], probs.argmax(axis=1), givens={xt: xs[:0]})

    for epoch in range(epochs):
        order, target_order = rng.permutation(len(X)), rng.permutation(len(X_target))
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            train(X[batch], y[batch].astype("int32"), X_target[target_order[start:start + len(batch)]])
    print(f"source accuracy {np.mean(predict(X) == y):.3f}, "
          f"target accuracy {np.mean(predict(X_target) == y_target):.3f}")


if __name__ == "__main__":
    main()
