"""Fit time and test accuracy of the default ANNClassifier and CNNClassifier.

Each default model is trained on the full Fashion-MNIST training set (60,000
images, scaled by ImagePreprocessor) and scored on the test set (10,000).

    python benchmarks/fit_defaults.py [--json PATH]
"""

import argparse
import json
import os
import platform
import time

import keras
import numpy as np
import sklearn

from skfashion import ANNClassifier, CNNClassifier, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    pre = ImagePreprocessor()
    X, y = fetch_fashion_mnist(return_X_y=True)
    X_test, y_test = fetch_fashion_mnist(subset="test", return_X_y=True)
    X, X_test = pre.fit_transform(X), pre.transform(X_test)

    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "versions": {
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
            "scikit-learn": sklearn.__version__,
        },
    }
    for est in (
        ANNClassifier(random_state=args.seed),
        CNNClassifier(random_state=args.seed),
    ):
        start = time.perf_counter()
        est.fit(X, y)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        accuracy = float(np.mean(est.predict(X_test) == y_test))
        predict_seconds = time.perf_counter() - start
        name = type(est).__name__
        results[name] = {
            "fit_seconds": round(fit_seconds, 1),
            "predict_seconds_10000": round(predict_seconds, 2),
            "test_accuracy": accuracy,
            "epochs_run": est.n_iter_,
        }
        print(
            f"{name}(): fit {fit_seconds:.1f} s ({est.n_iter_} epochs), "
            f"test accuracy {accuracy:.4f}, predict {predict_seconds:.2f} s"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
