"""Time per epoch of ANNClassifier or CNNClassifier for several batch sizes.

Each optimizer step has a cost that does not depend on the batch (the
optimizer's update of every weight, the step's many small operations), so
larger batches make an epoch cheaper until the matrix products dominate. This
fits one estimator per batch size in one process and then alternates one-epoch
warm-started fits between them, so that the machine's changing load falls on
all of them alike. It reports the median wall time and CPU time
(``time.process_time``, steadier on a shared machine) per epoch. Used to
choose the batch-size defaults (see docs/user_guide.rst).

    python benchmarks/epoch_cost.py ann --batches 128 200 256 400 800
    python benchmarks/epoch_cost.py cnn --batches 128 200 --n-train 20000
    python benchmarks/epoch_cost.py ann --batches 256 --mlp
    python benchmarks/epoch_cost.py ann --dtype-policies float32 mixed_bfloat16

``--mlp`` adds scikit-learn's ``MLPClassifier((512, 256))`` (batch 200, one
``partial_fit`` per epoch) to the rotation, for the ANN: the ratio of CPU to
wall time shows how busy each keeps the cores.

Accuracy is not measured here: recipes.py measures it for whole trainings.
"""

import argparse
import json
import statistics
import time

import numpy as np

from skfashion import ANNClassifier, CNNClassifier, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", choices=["ann", "cnn"])
    parser.add_argument("--batches", type=int, nargs="+", default=[200, 256])
    parser.add_argument("--repeats", type=int, default=6)
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--mlp", action="store_true", help="add MLPClassifier")
    parser.add_argument(
        "--dtype-policies", nargs="+", default=[None], metavar="POLICY",
        help="also time these dtype_policy values, e.g. float32 mixed_bfloat16",
    )  # fmt: skip
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    if args.mlp and args.model != "ann":
        parser.error("--mlp compares with the ANN only")

    X, y = fetch_fashion_mnist(return_X_y=True)
    X, y = ImagePreprocessor().fit_transform(X[: args.n_train]), y[: args.n_train]
    cls = {"ann": ANNClassifier, "cnn": CNNClassifier}[args.model]
    # name -> (batch size, a call that trains one more epoch). A constant rate
    # and warm starts: each fit() continues the same model, after a first fit
    # that builds it and traces the train step.
    runners = {}
    for batch in args.batches:
        for policy in args.dtype_policies:
            model = cls(
                batch_size=batch,
                epochs=1,
                learning_rate="constant",
                warm_start=True,
                random_state=0,
                dtype_policy=policy,
            ).fit(X, y)
            name = f"{args.model}, batch {batch}" + (f", {policy}" if policy else "")
            runners[name] = (batch, model.fit)
    if args.mlp:
        from sklearn.neural_network import MLPClassifier

        mlp = MLPClassifier((512, 256), batch_size=200, alpha=0.0, random_state=0)
        mlp.partial_fit(X, y, classes=np.unique(y))
        runners["MLPClassifier, batch 200"] = (200, mlp.partial_fit)
    times = {name: [] for name in runners}
    for _ in range(args.repeats):
        for name, (_, train_one_epoch) in runners.items():
            wall, cpu = time.perf_counter(), time.process_time()
            train_one_epoch(X, y)
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    rows = []
    for name, pairs in times.items():
        batch = runners[name][0]
        row = {
            "name": name,
            "batch_size": batch,
            "steps_per_epoch": -(-len(X) // batch),
            "wall_s": statistics.median(w for w, _ in pairs),
            "cpu_s": statistics.median(c for _, c in pairs),
            "runs": pairs,
        }
        rows.append(row)
        print(
            f"{name} ({row['steps_per_epoch']} steps): {row['wall_s']:.2f} s wall, "
            f"{row['cpu_s']:.2f} s CPU per epoch (median of {args.repeats})",
            flush=True,
        )
    if args.json:
        with open(args.json, "w") as f:
            result = {"model": args.model, "n_train": len(X), "rows": rows}
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
