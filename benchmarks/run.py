"""skfashion benchmarks: speed, accuracy and memory, measured side by side.

Each section compares skfashion with its baseline in the same run: every
figure is reported with its ratio to the baseline measured beside it
(``harness.py`` does the measuring, ``report.py`` writes the report).

    python benchmarks/run.py --json out.json --markdown out.md
    python benchmarks/run.py --quick --json out.json      # smoke run, < 3 min
    python benchmarks/run.py --sections c                  # one or more sections
    python benchmarks/run.py --backend jax                 # another backend
    python benchmarks/run.py --pairs ann-keras-spe ann-skfashion --repeats 6
    python benchmarks/run.py --lever '{"epochs": 7}' --repeats 3  # a CNN lever

Sections: (a) ANN wrapper vs plain Keras vs MLPClassifier, (b) CNN wrapper vs
plain Keras, (c) ANNClassifier() and CNNClassifier() at their defaults and
the documented CNN recipe, one seed per repeat (and the CNN in float32, to
show what ``dtype_policy="auto"`` chose), (d) GridSearchCV with n_jobs=1 vs
n_jobs=2 (workers cold and warm; a full run also times it cold on the whole
training set), (e) RSS after 1 and after 30 fits in one process, (f) the
latency of predict for 1, 100 and 10,000 images against MLPClassifier,
permutation_importance, and the fixed cost of a small fit, in one process,
(g) the FLOPs of a training epoch of the default ANN and CNN, in float32 and
bfloat16, against the matrix-multiply peak measured in the same run, (h)
serving: predictions through onnxruntime of the exported default ANN and
CNN (float32, and an int8 copy) beside their own predict and MLPClassifier's,
and the installed size of a serving environment beside the training one.
Sections (c) and (g) measure that peak before and after their fits, (h)
after its calls.
"""

import argparse
import json
import os
import time
from datetime import datetime, timezone

import report
from harness import (
    EFFICIENCY_MODELS,
    SHIFT_VIEWS,
    VERSIONS,
    compare,
    environment_sizes,
    machine,
    merge_serving,
    order,
    run_worker,
    search_scaling,
)

PAIR_KEYS = ("fit_s", "fit_cpu_s", "predict_s")
# Section (c)'s rows, in the order it fits them.
SECTION_C_MODELS = ("ann-default", "cnn-default", "cnn-recipe", "cnn-default-float32")


def pairs(first, second, *, repeats, epochs):
    """Two models as alternating pairs (A B, B A, ...), each fit in its own
    worker process: a ratio that one run puts above 1.05 can be told from the
    machine's noise, since the wrapper's own cost shows in every pair."""
    models = [first, second]
    spec = {"n_train": 60000, "n_test": 10000, "epochs": epochs}
    table = compare(models, first, spec, repeats)
    for pair, (a, b) in enumerate(zip(table[first]["runs"], table[second]["runs"])):
        ratios = "  ".join(f"{key} {b[key] / a[key]:.2f}x" for key in PAIR_KEYS)
        sequence = "".join("AB"[models.index(m)] for m in order(models, pair))
        print(f"pair {pair + 1} ({sequence}): {ratios}")
    for key in PAIR_KEYS:
        print(f"{key}: {table[second][key + '_ratio']:.2f}x")


def lever(params, *, repeats):
    """``CNNClassifier(**params)``, seeds 0 to repeats - 1, on all images: each
    fit's time as measured and scaled by the peaks measured before and after
    the fits, and its accuracy without and with flip test-time augmentation."""
    peak_spec = {"kind": "peak", "n": 4096}
    spec = {"kind": "lever", "params": params, "n_train": 60000, "n_test": 10000}
    peaks = [run_worker(peak_spec)]
    runs = [run_worker({**spec, "seed": seed}) for seed in range(repeats)]
    peaks.append(run_worker(peak_spec))
    print(f"CNNClassifier(**{params}) on {machine()}")
    print(report._peak_line(peaks, "before and after the fits"))
    for run in runs:
        scaled = report.scaled_s(
            run["fit_s"], run["dtype_policy"], report.mean_peaks(peaks)
        )
        print(
            f"seed {run['seed']}: {run['dtype_policy']}, {run['epochs_run']} epochs, "
            f"fit {run['fit_s']:.0f} s ({scaled:.0f} s scaled), accuracy "
            f"{run['accuracy']:.4f}, with flip TTA {run['accuracy_flip']:.4f}"
            + "".join(f", {name} {run['accuracy_' + name]:.4f}" for name in SHIFT_VIEWS)
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--json", default=None, help="write results as JSON")
    parser.add_argument("--markdown", default=None, help="write the table here")
    parser.add_argument("--backend", default=None, help="KERAS_BACKEND to use")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument(
        "--sections", default="abcdefgh", help="any of a, b, c, d, e, f, g, h"
    )
    parser.add_argument(
        "--no-cnn", action="store_true", help="leave out the CNNs (section b and "
        "CNNClassifier() in c), e.g. for a backend slow on convolutions",
    )  # fmt: skip
    parser.add_argument(
        "--pairs", nargs=2, metavar=("FIRST", "SECOND"), default=None,
        help="instead of the sections: two models of (a) or (b) as alternating "
        "pairs (with --repeats, default 6), each pair's ratios printed",
    )  # fmt: skip
    parser.add_argument("--epochs", type=int, default=10, help="for --pairs")
    parser.add_argument(
        "--lever", type=json.loads, default=None, metavar="JSON",
        help="instead of the sections: CNNClassifier(**JSON) on all images, "
        "seeds 0 to --repeats - 1 (default 1), timed and scaled as in (c)",
    )  # fmt: skip
    parser.add_argument(
        "--models", nargs="+", default=None, choices=SECTION_C_MODELS,
        help="section (c): only these rows, e.g. to re-measure the defaults "
        "without the recipe's 40 epochs",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend
    if args.pairs:
        return pairs(*args.pairs, repeats=args.repeats or 6, epochs=args.epochs)
    if args.lever is not None:
        return lever(args.lever, repeats=args.repeats or 1)

    quick = args.quick
    repeats = args.repeats or (1 if quick else 3)
    n_train, n_test = (3000, 2000) if quick else (60000, 10000)
    start = time.perf_counter()
    results = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "quick": quick,
        "repeats": repeats,
        "n_train": n_train,
        "n_test": n_test,
    }
    sections = args.sections
    fit_spec = {"n_train": n_train, "n_test": n_test}
    section_s = results["section_s"] = {}
    clock = time.perf_counter()

    def section_done(name):
        nonlocal clock
        section_s[name] = time.perf_counter() - clock
        clock = time.perf_counter()

    if "a" in sections:
        print("(a) ANN: skfashion vs plain Keras vs MLPClassifier", flush=True)
        results["ann"] = compare(
            # Quick leaves out plain Keras with its default compile settings:
            # the same code as ann-keras-spe, one worker process less.
            ["ann-keras-spe", "ann-skfashion", "ann-sklearn"]
            if quick
            else ["ann-keras", "ann-keras-spe", "ann-skfashion", "ann-sklearn"],
            "ann-keras-spe", {**fit_spec, "epochs": 1 if quick else 10}, repeats,
        )  # fmt: skip
        section_done("a")
    if "b" in sections and not args.no_cnn:
        print("(b) CNN: skfashion vs plain Keras", flush=True)
        results["cnn"] = compare(
            ["cnn-keras-spe", "cnn-skfashion"], "cnn-keras-spe",
            {**fit_spec, "epochs": 1 if quick else 3}, repeats,
        )  # fmt: skip
        section_done("b")
    peak_spec = {"kind": "peak", "n": 2048 if quick else 4096}
    if "c" in sections:
        print("(c) the defaults and the recipe, seeded by the repeat", flush=True)
        # The machine's matrix-multiply peaks, before and after the fits:
        # their mean scales the fit times to the reference machine's.
        peaks = [run_worker(peak_spec)]
        # Quick trains each for one epoch, without the float32 CNN (the
        # tests cover that code): one worker less in its 3 minutes.
        left_out = {"cnn-default-float32"} if quick else set()
        if args.no_cnn:
            left_out |= {name for name in SECTION_C_MODELS if name.startswith("cnn")}
        wanted = set(args.models or SECTION_C_MODELS)
        models = [m for m in SECTION_C_MODELS if m in wanted and m not in left_out]
        results["defaults"] = compare(
            models,
            None,
            {**fit_spec, "epochs": 1 if quick else None, "seeded": True},
            repeats,
        )
        results["defaults_peaks"] = peaks + [run_worker(peak_spec)]
        section_done("c")
    if "d" in sections:
        print("(d) GridSearchCV n_jobs=1 vs n_jobs=2", flush=True)
        # Quick: 2 candidates x 2 folds, a smoke check of the same code,
        # without the one-thread n_jobs=1 run (a worker less in 3 minutes).
        results["search"] = search_scaling(
            {"kind": "search", "n_train": 1500 if quick else 20000,
             "epochs": 1 if quick else 5, "quick": quick,
             "cv": 2 if quick else 3}, repeats,
            only=("n_jobs_1", "n_jobs_2", "n_jobs_2_warm", "n_jobs_2_unsized")
            if quick else None,
        )  # fmt: skip
        if not quick:
            # The same search on three times the images, cold only: the
            # workers' start-up is fixed, so it weighs less in a longer search.
            print("(d) the same on the full training set, cold", flush=True)
            results["search_full"] = search_scaling(
                {"kind": "search", "n_train": 60000, "epochs": 5,
                 "quick": False, "cv": 3}, repeats, only=("n_jobs_1", "n_jobs_2"),
                # Starting the workers costs the same whatever the search's size.
                start_workers_s=results["search"]["start_workers_s"],
            )  # fmt: skip
        section_done("d")
    if "e" in sections:
        print("(e) memory over repeated fits", flush=True)
        results["memory"] = run_worker(
            {
                "kind": "memory",
                "n_train": 1000 if quick else 5000,
                "n_fits": 10 if quick else 30,
            }
        )
        section_done("e")
    if "f" in sections:
        print("(f) call latency and the fixed cost of a fit", flush=True)
        results["latency"] = run_worker({"kind": "latency", "quick": quick})
        section_done("f")
    if "g" in sections:
        print("(g) the arithmetic of an epoch against the matmul peak", flush=True)
        efficiency = {"peaks": [run_worker(peak_spec)], "models": {}}
        for name in EFFICIENCY_MODELS:
            if name.startswith("cnn") and args.no_cnn:
                continue
            efficiency["models"][name] = run_worker(
                {"kind": "epochs", "model": name, "n_train": n_train,
                 "epochs": 2 if quick else 3}
            )  # fmt: skip
            print(f"  {name}: {efficiency['models'][name]}", flush=True)
        efficiency["peaks"].append(run_worker(peak_spec))
        results["efficiency"] = efficiency
        section_done("g")
    if "h" in sections:
        print("(h) serving through onnxruntime", flush=True)
        small, large = (
            run_worker({"kind": "serving", "quick": quick, "batches": batches})
            for batches in ("small", "large")
        )
        results["serving"] = merge_serving(small, large)
        if not quick:  # installs onnxruntime and NumPy from the package index
            results["serving"]["environments"] = environment_sizes()
        section_done("h")
    versions = VERSIONS or run_worker({"kind": "versions"})
    results["backend"], results["versions"] = versions["backend"], versions
    results["total_s"] = time.perf_counter() - start
    text = report.markdown(results)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
