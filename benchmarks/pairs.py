"""Alternating pairs of two models of run.py, each fit in a fresh process.

A closer look at one ratio of ``run.py``'s sections (a) and (b): the two
models run as pairs, every other pair in reverse order (A B, B A, A B, ...),
each fit in its own worker process as in ``run.py``. It prints each pair's
ratios of wall time, CPU time and predict time (second model over first),
then the medians, so that a ratio that one run puts above 1.05 can be told
from this machine's noise: the wrapper's own cost shows in every pair, noise
does not.

    python benchmarks/pairs.py ann-keras-spe ann-skfashion --pairs 6
    python benchmarks/pairs.py cnn-keras-spe cnn-skfashion --epochs 3

The model names are those of ``run.py`` (``ann-keras-spe``,
``ann-skfashion``, ``cnn-keras-spe``, ``cnn-skfashion``, ...).
"""

import argparse
import json
import statistics

from run import run_worker

KEYS = ("fit_s", "fit_cpu_s", "predict_s")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", help="baseline model, e.g. ann-keras-spe")
    parser.add_argument("second", help="compared model, e.g. ann-skfashion")
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--n-train", type=int, default=60000)
    parser.add_argument("--json", default=None, help="write the runs here")
    args = parser.parse_args(argv)

    spec = {"kind": "fit", "n_train": args.n_train, "n_test": 10000,
            "epochs": args.epochs}  # fmt: skip
    runs = {args.first: [], args.second: []}
    for pair in range(args.pairs):
        order = [args.first, args.second]
        for model in order if pair % 2 == 0 else order[::-1]:
            runs[model].append(run_worker({**spec, "model": model}))
        a, b = runs[args.first][-1], runs[args.second][-1]
        ratios = "  ".join(f"{key} {b[key] / a[key]:.2f}x" for key in KEYS)
        print(f"pair {pair + 1} ({'AB' if pair % 2 == 0 else 'BA'}): {ratios}",
              flush=True)  # fmt: skip
    for model, rows in runs.items():
        medians = ", ".join(
            f"{key} {statistics.median(row[key] for row in rows):.3f}" for key in KEYS
        )
        print(f"{model}: medians {medians}")
    for key in KEYS:
        first = statistics.median(row[key] for row in runs[args.first])
        second = statistics.median(row[key] for row in runs[args.second])
        print(f"{key}: {second / first:.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(runs, f, indent=1)


if __name__ == "__main__":
    main()
