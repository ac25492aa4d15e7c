"""Final test accuracy of candidate training recipes, per seed.

Fits ANNClassifier or CNNClassifier with each candidate's parameters on the
full Fashion-MNIST training set and reports the test accuracy after the last
epoch and the fit time. Unlike ``defaults.py``, which records a whole
accuracy-versus-epoch curve at a constant learning rate, this measures what a
cosine schedule reaches at a given number of epochs (the schedule depends on
it). Used to choose the defaults of the second to fourth rounds (see
docs/user_guide.rst).

    python benchmarks/recipes.py ann --seeds 0 1 2 --json ann.json
    python benchmarks/recipes.py cnn --only "lr 2e-3, head 256, 12 epochs" --seeds 0 1

Accuracy is what this is for: run candidates side by side in separate
processes with ``OMP_NUM_THREADS=1`` to use both cores; fit times are then
only comparable within one run.
"""

import argparse
import json
import time

from skfashion import ANNClassifier, CNNClassifier, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist


def _recipe(lr, epochs, batch_size=200, **params):
    # The batch is explicit: round 4 changed the CNN's default from "auto"
    # (200) to 128 (the ANN's stayed "auto").
    return dict(learning_rate_init=lr, epochs=epochs, batch_size=batch_size, **params)


HEAD_128 = {"hidden_layer_sizes": (128,)}
HEAD_256 = {"hidden_layer_sizes": (256,)}

# fmt: off
CANDIDATES = {
    "ann": {
        "lr 1e-3, dropout 0.2, 12 epochs (round 1)": _recipe(1e-3, 12, dropout=0.2),
        "lr 1e-3, dropout 0.2, 10 epochs": _recipe(1e-3, 10, dropout=0.2),
        "lr 1e-3, dropout 0.1, 10 epochs": _recipe(1e-3, 10, dropout=0.1),
        "lr 1e-3, no dropout, 10 epochs": _recipe(1e-3, 10, dropout=0.0),
        "lr 2e-3, dropout 0.2, 10 epochs": _recipe(2e-3, 10, dropout=0.2),
        "lr 2e-3, dropout 0.2, 9 epochs": _recipe(2e-3, 9, dropout=0.2),
        "lr 2e-3, dropout 0.2, alpha 0, 10 epochs":
            _recipe(2e-3, 10, dropout=0.2, alpha=0.0),
        "lr 3e-3, dropout 0.2, 10 epochs": _recipe(3e-3, 10, dropout=0.2),
        "lr 1e-3, dropout 0.2, batch 128, 10 epochs":
            _recipe(1e-3, 10, dropout=0.2, batch_size=128),
        "lr 2e-3, dropout 0.1, 10 epochs": _recipe(2e-3, 10, dropout=0.1),
        "lr 2e-3, dropout 0.1, batch 128, 10 epochs":
            _recipe(2e-3, 10, dropout=0.1, batch_size=128),
        "lr 2e-3, no dropout, 10 epochs": _recipe(2e-3, 10, dropout=0.0),
        "lr 2e-3, no dropout, 9 epochs": _recipe(2e-3, 9, dropout=0.0),
        # Round 4: larger batches, fewer optimizer steps per epoch.
        **{
            f"lr {lr}, no dropout, batch {batch}, {epochs} epochs":
                _recipe(float(lr), epochs, dropout=0.0, batch_size=batch)
            for lr, batch, epochs in [
                ("2e-3", 256, 10), ("3e-3", 256, 10), ("3e-3", 400, 10),
                ("4e-3", 400, 10), ("3e-3", 400, 12), ("4e-3", 800, 12),
            ]
        },
        # Round 5: the default recipe with the opt-in bfloat16 policy.
        "lr 2e-3, no dropout, 10 epochs, mixed_bfloat16":
            _recipe(2e-3, 10, dropout=0.0, dtype_policy="mixed_bfloat16"),
    },
    # The head is explicit: the default changed from 128 to 256 in round 3.
    "cnn": {
        "lr 1e-3, head 128, 14 epochs (round 1)": _recipe(1e-3, 14, **HEAD_128),
        "lr 2e-3, head 128, 14 epochs": _recipe(2e-3, 14, **HEAD_128),
        "lr 2e-3, head 256, 14 epochs": _recipe(2e-3, 14, **HEAD_256),
        "lr 2e-3, head 128, 13 epochs": _recipe(2e-3, 13, **HEAD_128),
        "lr 2e-3, head 128, 12 epochs": _recipe(2e-3, 12, **HEAD_128),
        "lr 2e-3, head 256, 12 epochs": _recipe(2e-3, 12, **HEAD_256),
        "lr 2e-3, head 128, dropout 0.15, 12 epochs":
            _recipe(2e-3, 12, dropout=0.15, **HEAD_128),
        "lr 3e-3, head 128, 12 epochs": _recipe(3e-3, 12, **HEAD_128),
        'lr 2e-3, head 128, padding "valid", 16 epochs':
            _recipe(2e-3, 16, padding="valid", **HEAD_128),
        'lr 2e-3, head 256, padding "valid", 15 epochs':
            _recipe(2e-3, 15, padding="valid", **HEAD_256),
        "lr 2e-3, head 256, batch 128, 12 epochs":
            _recipe(2e-3, 12, batch_size=128, **HEAD_256),
        "lr 2e-3, head 256, batch 128, 11 epochs":
            _recipe(2e-3, 11, batch_size=128, **HEAD_256),
        "lr 2e-3, head 256, batch 128, 11 epochs, mixed_bfloat16":
            _recipe(2e-3, 11, batch_size=128, dtype_policy="mixed_bfloat16",
                    **HEAD_256),
    },
}
# fmt: on


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=sorted(CANDIDATES))
    parser.add_argument("--only", default=None, help="run one candidate by name")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    if args.only and args.only not in CANDIDATES[args.model]:
        parser.error(
            f"no {args.model} candidate {args.only!r}; "
            f"choose from {sorted(CANDIDATES[args.model])}"
        )

    scaler = ImagePreprocessor()
    X_train, y_train = fetch_fashion_mnist(return_X_y=True)
    X_test, y_test = fetch_fashion_mnist(subset="test", return_X_y=True)
    X_train, X_test = scaler.fit_transform(X_train), scaler.transform(X_test)

    cls = {"ann": ANNClassifier, "cnn": CNNClassifier}[args.model]
    rows = []
    for name, params in CANDIDATES[args.model].items():
        if args.only and name != args.only:
            continue
        for seed in args.seeds:
            est = cls(random_state=seed, **params)
            start = time.perf_counter()
            est.fit(X_train, y_train)
            fit_s = time.perf_counter() - start
            row = {
                "candidate": name,
                "seed": seed,
                "test_accuracy": est.score(X_test, y_test),
                "fit_s": fit_s,
            }
            rows.append(row)
            print(f"{name}  seed {seed}: {row['test_accuracy']:.4f}, {fit_s:.0f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
