"""Accuracy per second of candidate default settings on Fashion-MNIST.

Trains each candidate once on the full training set and, after every epoch,
records the elapsed training time and the test accuracy, so one run gives the
whole accuracy-versus-time curve. Used to choose ANNClassifier's and
CNNClassifier's defaults (see docs/user_guide.rst).

    python benchmarks/defaults.py ann --json ann.json
    python benchmarks/defaults.py cnn --json cnn.json
"""

import argparse
import json
import time

import keras
import numpy as np

from skfashion import ANNClassifier, CNNClassifier, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist

CANDIDATES = {
    "ann": {
        "(512, 256), dropout 0.2": dict(hidden_layer_sizes=(512, 256), dropout=0.2),
        "(512, 256), no dropout": dict(hidden_layer_sizes=(512, 256), dropout=0.0),
        "(100,) MLP default, no dropout": dict(hidden_layer_sizes=(100,), dropout=0.0),
        "(512, 256), dropout 0.2, batch 128": dict(
            hidden_layer_sizes=(512, 256), dropout=0.2, batch_size=128
        ),
    },
    "cnn": {
        "(32, 64), batch norm, dropout 0.25": dict(batch_normalization=True),
        "(32, 64), no batch norm, dropout 0.25": dict(batch_normalization=False),
    },
}

# First-round defaults, with which these were measured, that later rounds
# changed (pass the epochs with --epochs; recipes.py covers rounds 2 to 4).
FIRST_ROUND = {
    "ann": {"learning_rate_init": 1e-3, "batch_size": 200},
    "cnn": {
        "learning_rate_init": 1e-3,
        "hidden_layer_sizes": (128,),
        "batch_size": 200,
    },
}


class EpochProbe(keras.callbacks.Callback):
    """Record elapsed training time and test accuracy at each epoch end."""

    def __init__(self, X_test, y_test):
        super().__init__()
        self.X_test, self.y_test = X_test, y_test
        self.rows = []

    def on_train_begin(self, logs=None):
        self.train_time = 0.0
        self.epoch_start = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.train_time += time.perf_counter() - self.epoch_start
        proba = self.model.predict(self.X_test, batch_size=1024, verbose=0)
        accuracy = float(np.mean(np.argmax(proba, axis=1) == self.y_test))
        self.rows.append(
            {"epoch": epoch + 1, "seconds": self.train_time, "test_accuracy": accuracy}
        )
        print(f"    epoch {epoch + 1:3d}  {self.train_time:7.1f} s  {accuracy:.4f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", choices=sorted(CANDIDATES))
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--only", default=None, help="run one candidate by name")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()

    scaler = ImagePreprocessor()
    X_train, y_train = fetch_fashion_mnist(return_X_y=True)
    X_test, y_test = fetch_fashion_mnist(subset="test", return_X_y=True)
    X_train, X_test = scaler.fit_transform(X_train), scaler.transform(X_test)

    cls = {"ann": ANNClassifier, "cnn": CNNClassifier}[args.model]
    results = {}
    for name, params in CANDIDATES[args.model].items():
        if args.only and name != args.only:
            continue
        print(name)
        probe = EpochProbe(X_test, y_test)
        if args.epochs:
            params = {**params, "epochs": args.epochs}
        # Per-epoch curves need a constant rate: a cosine schedule depends on
        # the number of epochs (benchmarks/schedule.py compares schedules).
        params = {"learning_rate": "constant", **FIRST_ROUND[args.model], **params}
        est = cls(random_state=0, callbacks=[probe], **params)
        est.fit(X_train, y_train)
        results[name] = {"params": repr(est), "epochs": probe.rows}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
