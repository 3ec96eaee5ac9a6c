"""Train a DANN on the two-moons problem with every adaptnet callback.

The source domain is scikit-learn's two moons, the target the same moons
rotated by 35 degrees (Ganin et al., JMLR 2016, section 5.1). The run:

* anneals the gradient reversal weight (``LambdaScheduler``) and the learning
  rate (``LearningRateScheduler``) with the paper's formulas, every batch;
* scores every epoch without target labels by reverse validation and by
  Deep Embedded Validation, and with the held-out target labels;
* stops early on the target validation accuracy and restores the best epoch;
* halves the learning rate if the target loss plateaus;
* logs curves, histograms, the feature embedding and hparams for TensorBoard,
  the history to CSV, and checkpoints every 10 epochs; guards against NaN.

Usage::

    python examples/dann_callbacks.py [OUTPUT_FOLDER]   # default: runs/
    tensorboard --logdir runs
"""
import os
import sys

from adaptnet import AdversarialNet
from adaptnet.callbacks import (CSVLogger, DomainEmbeddedValidation, EarlyStopping, LambdaScheduler,
                                LearningRateScheduler, ModelCheckpoint, ProgressBar, ReduceLROnPlateau,
                                ReverseValidation, TensorBoard, TerminateOnNaN)
from adaptnet.datasets import make_moons_da
from adaptnet.layers import DenseLayer, InputLayer
from adaptnet.nets import BatchIterator
from adaptnet.nonlinearities import softmax


def main(out="runs"):
    X_source, y_source, X_target, y_target = make_moons_da(n_samples=300, random_state=0)
    # Half of the labelled target sample scores the epochs; the other half is the final test.
    X_valid_target, y_valid_target = X_target[::2], y_target[::2]
    X_test, y_test = X_target[1::2], y_target[1::2]
    log_dir = os.path.join(out, "dann-moons")
    net = AdversarialNet(
        layers=[("input", InputLayer), ("hidden", DenseLayer), ("output", DenseLayer)],
        input_shape=(None, 2), hidden_num_units=15, output_num_units=2, output_nonlinearity=softmax,
        domain_hidden_num_units=15, update_learning_rate=0.2, max_epochs=100, random_state=0,
        batch_iterator_train=BatchIterator(batch_size=32, shuffle=True),
        callbacks=[
            LambdaScheduler(lambda_max=1.0, gamma=10.0),
            LearningRateScheduler("dann", alpha=10.0, beta=0.75),
            TerminateOnNaN(),
            ReverseValidation(every_n_epochs=5),
            DomainEmbeddedValidation(every_n_epochs=5),
            ReduceLROnPlateau(monitor="target_valid_loss", factor=0.5, patience=10),
            EarlyStopping(monitor="target_valid_accuracy", patience=25, start_from_epoch=10,
                          restore_best_weights=True),
            TensorBoard(log_dir=log_dir, histogram_freq=10, embeddings_freq=20, write_batch_scalars=True),
            CSVLogger(os.path.join(log_dir, "history.csv")),
            ProgressBar(leave=False),
            ModelCheckpoint(os.path.join(log_dir, "checkpoints", "epoch{epoch:03d}.ckpt"),
                            every_n_epochs=10),
        ],
    )
    net.fit(X_source, y_source, X_target, X_valid_target=X_valid_target, y_valid_target=y_valid_target)

    last = net.train_history_[-1]
    print(f"trained {last['epoch']} epochs; last epoch: reverse validation accuracy "
          f"{last['reverse_valid_accuracy']:.3f}, DEV risk {last['dev_risk']:.3f}, "
          f"lambda {last['hp_lambda']:.3f}, learning rate {last['learning_rate']:.4f}")
    print(f"source accuracy {net.score(X_source, y_source):.3f}, "
          f"target test accuracy {net.score(X_test, y_test):.3f}")
    print(f"history: {os.path.join(log_dir, 'history.csv')}")
    print(f"open TensorBoard with:  tensorboard --logdir {out}")
    return net


if __name__ == "__main__":
    main(*sys.argv[1:2])
