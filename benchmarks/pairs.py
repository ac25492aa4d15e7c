"""Alternating pairs of two models of run.py, each fit in a fresh process.

A closer look at one ratio of ``run.py``'s sections (a) and (b): the two
models run as pairs, every other pair in reverse order (A B, B A, A B, ...),
each fit in its own worker process, by ``run.py``'s own ``compare``. It
prints each pair's ratios of wall time, CPU time and predict time (second
model over first), then the medians, so that a ratio that one run puts
above 1.05 can be told from this machine's noise: the wrapper's own cost
shows in every pair, noise does not.

    python benchmarks/pairs.py ann-keras-spe ann-skfashion --pairs 6
    python benchmarks/pairs.py cnn-keras-spe cnn-skfashion --epochs 3

The model names are those of ``run.py`` (``ann-keras-spe``,
``ann-skfashion``, ``cnn-keras-spe``, ``cnn-skfashion``, ...).
"""

import argparse
import json

from run import _order, compare

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

    # run.py's interleaved repeats, each a pair, every other one reversed.
    models = [args.first, args.second]
    spec = {"n_train": args.n_train, "n_test": 10000, "epochs": args.epochs}
    table = compare(models, args.first, spec, args.pairs)
    pairs = zip(table[args.first]["runs"], table[args.second]["runs"])
    for pair, (a, b) in enumerate(pairs):
        ratios = "  ".join(f"{key} {b[key] / a[key]:.2f}x" for key in KEYS)
        order = "".join("AB"[models.index(m)] for m in _order(models, pair))
        print(f"pair {pair + 1} ({order}): {ratios}")
    for model in models:
        medians = ", ".join(f"{key} {table[model][key]:.3f}" for key in KEYS)
        print(f"{model}: medians {medians}")
    for key in KEYS:
        print(f"{key}: {table[args.second][key + '_ratio']:.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(table, f, indent=1)


if __name__ == "__main__":
    main()
