"""skfashion benchmarks: speed, accuracy and memory, measured side by side.

Every measurement runs in a fresh worker process (this script with
``--worker``), so peak RSS belongs to one model and no state leaks between
them. Repeats are interleaved, every other one in reverse order (A, B, C,
C, B, A, A, B, C, ...), so that a noisy neighbour or a drift of the
machine's speed slows all candidates alike and no candidate always runs
right after the same other one; each figure is reported with its ratio
to the baseline measured in the same run.

    python benchmarks/run.py --json out.json --markdown out.md
    python benchmarks/run.py --quick --json out.json      # smoke run, < 3 min
    python benchmarks/run.py --backend jax                 # another backend

Sections: (a) ANN wrapper vs plain Keras vs MLPClassifier, (b) CNN wrapper vs
plain Keras, (c) default ANNClassifier() and CNNClassifier() (each also
with the opt-in dtype_policy="mixed_bfloat16"), (d) GridSearchCV
with n_jobs=1 vs n_jobs=2 (workers cold and warm; a full run also times it
cold on the whole training set), (e) RSS after 1 and after
30 fits in one process, (f) the latency of predict for 1, 100 and 10,000
images against MLPClassifier, permutation_importance, and the fixed cost of
a small fit (stage by stage), all in one process.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone

# ----------------------------------------------------------------- the worker


def _rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _peak_rss_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _data(n_train, n_test):
    import numpy as np

    from skfashion import ImagePreprocessor
    from skfashion.datasets import fetch_fashion_mnist

    X, y = fetch_fashion_mnist(return_X_y=True)
    X_test, y_test = fetch_fashion_mnist(subset="test", return_X_y=True)
    rng = np.random.default_rng(0)
    if n_train < len(y):
        keep = rng.choice(len(y), n_train, replace=False)
        X, y = X[keep], y[keep]
    X_test, y_test = X_test[:n_test], y_test[:n_test]
    pre = ImagePreprocessor()
    return pre.fit_transform(X), y, pre.transform(X_test), y_test


CNN_HEAD = 256  # the dense head of CNNClassifier's default network


def _plain_keras(kind, epochs, batch_size, steps_per_execution=1):
    import keras

    layers = keras.layers
    if kind == "ann":
        body = [
            layers.Dense(512, activation="relu"),
            layers.Dense(256, activation="relu"),
        ]
    else:
        body = [
            layers.Reshape((28, 28, 1)),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Dropout(0.25),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(CNN_HEAD, activation="relu"),
            layers.Dropout(0.25),
        ]
    model = keras.Sequential(
        [keras.Input((784,)), *body, layers.Dense(10, activation="softmax")]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )

    class Fitted:
        def fit(self, X, y):
            model.fit(X, y, batch_size=batch_size, epochs=epochs, verbose=0)
            return self

        def predict(self, X):
            return model.predict(X, batch_size=1024, verbose=0).argmax(axis=1)

    return Fitted()


def _model(spec):
    from skfashion import ANNClassifier, CNNClassifier
    from skfashion._network import default_steps_per_execution

    name, epochs, batch = spec["model"], spec.get("epochs"), 200
    # The wrapped networks train exactly as the plain-Keras ones: no dropout,
    # no penalty, a constant learning rate.
    same = dict(alpha=0.0, batch_size=batch, epochs=epochs, learning_rate="constant")
    if name == "ann-skfashion":
        return ANNClassifier(hidden_layer_sizes=(512, 256), dropout=0.0, **same)
    if name == "ann-keras":
        return _plain_keras("ann", epochs, batch)
    if name == "ann-keras-spe":  # Keras with skfashion's compile settings
        return _plain_keras("ann", epochs, batch, default_steps_per_execution())
    if name == "ann-sklearn":
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(
            hidden_layer_sizes=(512, 256), batch_size=batch, max_iter=epochs,
            alpha=0.0, tol=0.0, n_iter_no_change=epochs + 1,
        )  # fmt: skip
    if name == "cnn-skfashion":
        return CNNClassifier(hidden_layer_sizes=(CNN_HEAD,), **same)
    if name == "cnn-keras":
        return _plain_keras("cnn", epochs, batch)
    if name == "cnn-keras-spe":
        return _plain_keras("cnn", epochs, batch, default_steps_per_execution())
    if name in ("ann-default", "cnn-default", "ann-default-bf16", "cnn-default-bf16"):
        cls = ANNClassifier if name.startswith("ann") else CNNClassifier
        params = {"epochs": epochs} if epochs else {}
        if name.endswith("-bf16"):  # the opt-in bfloat16 lever
            params["dtype_policy"] = "mixed_bfloat16"
        return cls(**params)
    raise ValueError(f"unknown model {name!r}")


def _timed(method, totals, key):
    """``method``, adding the seconds of each call to ``totals[key]``."""

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            totals[key] += time.perf_counter() - start

    return wrapper


def _time_inside_keras():
    """Count the seconds spent inside Keras' Model.fit and its predictions."""
    import keras

    inside = {"fit": 0.0, "predict": 0.0}
    keras.Model.fit = _timed(keras.Model.fit, inside, "fit")
    keras.Model.predict = _timed(keras.Model.predict, inside, "predict")
    # skfashion's forward pass runs the compiled function per chunk.
    keras.Model.predict_on_batch = _timed(
        keras.Model.predict_on_batch, inside, "predict"
    )
    return inside


def _fit_predict(spec):
    import warnings

    import numpy as np

    X, y, X_test, y_test = _data(spec["n_train"], spec["n_test"])
    model = _model(spec)
    inside = _time_inside_keras()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLPClassifier's ConvergenceWarning
        start, start_cpu = time.perf_counter(), time.process_time()
        model.fit(X, y)
        fit = time.perf_counter() - start
        # CPU seconds of all the process' threads, a second view of the same
        # work: this VM's noise moves it differently from wall time.
        fit_cpu = time.process_time() - start_cpu
    outside_fit = fit - inside["fit"]
    # The first call includes tracing the predict function; then nine warm
    # calls, whose median is steadier than a single 0.1-0.7 s measurement.
    predicts, outside_predict = [], []
    for _ in range(10):
        inside["predict"] = 0.0
        start = time.perf_counter()
        y_pred = model.predict(X_test)
        predicts.append(time.perf_counter() - start)
        outside_predict.append(predicts[-1] - inside["predict"])
    result = {
        "fit_s": fit,
        "fit_cpu_s": fit_cpu,
        "predict_first_s": predicts[0],
        "predict_s": statistics.median(predicts[1:]),
        "accuracy": float(np.mean(y_pred == y_test)),
        "peak_rss_mb": _peak_rss_mb(),
    }
    if spec["model"].endswith("-skfashion"):
        # Time the wrapper itself spends outside Keras (validation, encoding,
        # routing): the overhead without the noise of two separate trainings.
        result["outside_keras_fit_s"] = outside_fit
        result["outside_keras_predict_s"] = statistics.median(outside_predict[1:])
    if hasattr(model, "n_iter_"):
        result["epochs_run"] = model.n_iter_
    return result


def _median_ms(call, n):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def _interleaved_ms(calls, n):
    """Median ms of each call, the calls taking turns ``n`` times.

    Every other turn runs in reverse order, and each call runs once untimed
    before its timed run: the thread pools of one library (OpenBLAS' for
    MLPClassifier, TensorFlow's) keep spinning for a while after a call and
    slow down a different library's call that follows at once.
    """
    times = {name: [] for name in calls}
    for turn in range(n):
        for name in _order(list(calls), turn):
            calls[name]()
            start = time.perf_counter()
            calls[name]()
            times[name].append(time.perf_counter() - start)
    return {name: 1000 * statistics.median(t) for name, t in times.items()}


def _fit_stages(X, y):
    """Seconds of each stage of one small ANNClassifier fit."""
    import keras

    import skfashion._base as base
    from skfashion import ANNClassifier

    stages = {"validation": 0.0, "build_compile": 0.0, "keras_fit": 0.0}
    originals = {}

    def timed(owner, attr, stage):
        originals[(owner, attr)] = getattr(owner, attr)
        setattr(owner, attr, _timed(getattr(owner, attr), stages, stage))

    timed(base.BaseImageClassifier, "_check_training_data", "validation")
    timed(base, "build_network", "build_compile")
    timed(keras.Model, "fit", "keras_fit")
    try:
        start = time.perf_counter()
        est = ANNClassifier(hidden_layer_sizes=(32,), epochs=1)
        stages["construction"] = time.perf_counter() - start
        start = time.perf_counter()
        est.fit(X, y)
        total = time.perf_counter() - start
    finally:
        for (owner, attr), method in originals.items():
            setattr(owner, attr, method)
    stages["rest"] = total - sum(
        stages[k] for k in ("validation", "build_compile", "keras_fit")
    )
    return stages


def _latency(spec):
    """(f) Per-call cost: predictions and small fits, all in one process."""
    import warnings

    import numpy as np
    from sklearn.inspection import permutation_importance
    from sklearn.neural_network import MLPClassifier

    from skfashion import ANNClassifier

    quick = spec["quick"]
    n_calls = 10 if quick else 40
    n_train = 3000 if quick else 10000
    X, y, X_test, y_test = _data(n_train, 10000)
    warnings.simplefilter("ignore")  # MLPClassifier's ConvergenceWarning
    ann = ANNClassifier(epochs=1, random_state=0).fit(X, y)
    mlp = MLPClassifier((512, 256), max_iter=1, random_state=0).fit(X, y)
    result = {"n_train": n_train, "predict_ms": {}}
    for n in (1, 100, 10000):
        x = X_test[:n]
        calls = {
            "skfashion": lambda: ann.predict(x),
            "mlp": lambda: mlp.predict(x),
            "predict_on_batch": lambda: ann.model_.predict_on_batch(x),
        }
        if n in (1, 10000):  # the path predict took before: Model.predict
            calls["model_predict"] = lambda: ann.model_.predict(
                x, batch_size=1024, verbose=0
            )
        result["predict_ms"][str(n)] = _interleaved_ms(calls, n_calls)
    # permutation_importance: 3,920 calls for 784 pixels; 50 pixels here (the
    # networks see only those), 5 repeats, 2,000 test images.
    pixels = np.argsort(-X.var(axis=0))[:50]
    small = {
        "skfashion": ANNClassifier(epochs=1, random_state=0),
        "mlp": MLPClassifier((512, 256), max_iter=1, random_state=0),
    }
    result["permutation_importance_s"] = {}
    for name, est in small.items():
        est.fit(X[:, pixels], y)
        start = time.perf_counter()
        permutation_importance(
            est, X_test[:2000, pixels], y_test[:2000], n_repeats=5, random_state=0
        )
        result["permutation_importance_s"][name] = time.perf_counter() - start
    # The fixed cost of a fit: 200 images, 1 epoch, one hidden layer of 32.
    Xs, ys = X[:200], y[:200]
    ANNClassifier(hidden_layer_sizes=(32,), epochs=1).fit(Xs, ys)  # imports, warm-up
    fits = {
        "skfashion": lambda: ANNClassifier(hidden_layer_sizes=(32,), epochs=1).fit(
            Xs, ys
        ),
        # The lever: the same fit with the training step traced, as before.
        "skfashion_traced": lambda: ANNClassifier(
            hidden_layer_sizes=(32,), epochs=1, compile__run_eagerly=False
        ).fit(Xs, ys),
        "mlp": lambda: MLPClassifier((32,), max_iter=1).fit(Xs, ys),
    }
    result["small_fit_ms"] = _interleaved_ms(fits, 3 if quick else 7)
    stages = [_fit_stages(Xs, ys) for _ in range(3 if quick else 7)]
    result["small_fit_stages_ms"] = {
        k: 1000 * statistics.median(s[k] for s in stages) for k in stages[0]
    }
    return result


def _worker_ready():
    from skfashion import ANNClassifier  # noqa: F401  (imports Keras, its backend)

    ready = time.time()  # wall clock: comparable with the parent's
    time.sleep(0.5)  # hold this worker so that the next task goes to another
    return os.getpid(), ready


def _start_workers(n_jobs):
    """Start joblib's workers and import skfashion in each, as the parent has.

    GridSearchCV reuses them: joblib's loky executor outlives a search.
    Returns the seconds until the last worker had imported skfashion, which
    leaves out the time each is then held so that the tasks spread.
    """
    from joblib import Parallel, delayed

    start = time.time()
    for _ in range(5):
        done = Parallel(n_jobs=n_jobs)(delayed(_worker_ready)() for _ in range(n_jobs))
        if len({pid for pid, _ in done}) == n_jobs:
            return max(ready for _, ready in done) - start
    raise RuntimeError(f"could not start {n_jobs} distinct workers: {done}")


def _search(spec):
    from sklearn.model_selection import GridSearchCV

    from skfashion import ANNClassifier

    X, y, _, _ = _data(spec["n_train"], 10)
    result = {}
    if spec.get("warm") and spec["n_jobs"] != 1:
        result["start_workers_s"] = _start_workers(spec["n_jobs"])
    grid = {"hidden_layer_sizes": [(128,), (256,)], "optimizer": ["adam", "rmsprop"]}
    if spec["quick"]:
        grid["optimizer"] = ["adam"]
    search = GridSearchCV(
        ANNClassifier(epochs=spec["epochs"], random_state=0),
        grid,
        cv=spec["cv"],
        n_jobs=spec["n_jobs"],
    )
    start = time.perf_counter()
    search.fit(X, y)
    result["wall_s"] = time.perf_counter() - start
    result["best_score"] = search.best_score_
    result["n_candidates"] = len(search.cv_results_["params"])
    # Where the time went, as timed inside the processes that did the work:
    # all the cross-validation fits, all their scoring, and the refit.
    cv = search.cv_results_
    for key in ("fit", "score"):
        result[f"cv_{key}_s"] = float(sum(cv[f"mean_{key}_time"]) * spec["cv"])
    result["refit_s"] = search.refit_time_
    # The rest of the wall time, with the fits and scoring perfectly split
    # between the workers: starting them, sending them the data, an uneven
    # split, GridSearchCV's own work.
    work = (result["cv_fit_s"] + result["cv_score_s"]) / spec["n_jobs"]
    result["rest_s"] = result["wall_s"] - work - result["refit_s"]
    return result


def _memory(spec):
    import gc

    from skfashion import ANNClassifier

    X, y, _, _ = _data(spec["n_train"], 10)
    rss = []
    for _ in range(spec["n_fits"]):
        ANNClassifier(hidden_layer_sizes=(64,), epochs=1).fit(X, y).predict(X[:100])
        gc.collect()
        rss.append(_rss_mb())
    return {"rss_after_1_mb": rss[0], "rss_after_n_mb": rss[-1], "n_fits": len(rss)}


def _versions(spec):
    import keras
    import numpy
    import sklearn

    backend = keras.backend.backend()  # also the name of its Python package
    return {
        "keras": keras.__version__,
        "backend": backend,
        "backend_version": __import__(backend).__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
    }


def worker(spec):
    kind = spec["kind"]
    result = {
        "fit": _fit_predict,
        "search": _search,
        "memory": _memory,
        "latency": _latency,
        "versions": _versions,
    }[kind](spec)
    if spec.get("report_versions"):  # saves a process that only imports Keras
        result["versions"] = _versions(spec)
    print("RESULT " + json.dumps(result))


# ----------------------------------------------------------------- the parent


VERSIONS = {}  # filled in by the first worker


def run_worker(spec, env_extra=None):
    if not VERSIONS:
        spec = {**spec, "report_versions": True}
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env_extra or {})}
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", json.dumps(spec)],
        capture_output=True,
        text=True,
        env=env,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT ") :])
            VERSIONS.update(result.pop("versions", {}))
            return result
    raise RuntimeError(f"worker {spec} failed:\n{proc.stderr[-3000:]}")


def _machine():
    """CPU model, cores and whether it has AMX bfloat16, from /proc/cpuinfo."""
    model, amx = platform.processor() or platform.machine(), False
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name") and ":" in line:
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags"):
                    amx = "amx_bf16" in line.split()
    except OSError:
        pass
    amx_note = ", AMX bfloat16" if amx else ""
    return f"{model}{amx_note}, {os.cpu_count()} cores, {platform.system()}"


def _median(rows, key):
    return statistics.median(row[key] for row in rows)


def _order(names, repeat):
    """The order of one repeat: forwards, then backwards, and so on."""
    return names if repeat % 2 == 0 else names[::-1]


def compare(models, base, spec, repeats):
    """Interleaved repeats of several models; medians and ratios to ``base``."""
    runs = {m: [] for m in models}
    for repeat in range(repeats):
        for m in _order(models, repeat):
            runs[m].append(run_worker({**spec, "kind": "fit", "model": m}))
            print(f"  {m}: {runs[m][-1]}", flush=True)
    table = {}
    for m in models:
        row = {k: _median(runs[m], k) for k in runs[m][0]}
        row["runs"] = runs[m]
        table[m] = row
    if base is not None:
        for m in models:
            for key in ("fit_s", "fit_cpu_s", "predict_s"):
                table[m][key + "_ratio"] = table[m][key] / table[base][key]
    return table


PARTS = ("cv_fit_s", "cv_score_s", "refit_s", "rest_s")  # of a search's wall time


def search_scaling(spec, repeats, only=None, start_workers_s=None):
    """GridSearchCV wall time: n_jobs=1, n_jobs=2, n_jobs=2 warm and unsized.

    ``only`` names the variants to run (all by default). ``start_workers_s``,
    the workers' start-up measured by another search, gives the cold bound
    when the warm variant (which measures it) is not run.
    """
    cores = str(os.cpu_count())
    variants = {
        "n_jobs_1": ({"n_jobs": 1}, {}),
        # skfashion sizes TensorFlow's pools from joblib's OMP_NUM_THREADS.
        # Cold: the timing includes starting the workers and importing
        # TensorFlow in each, which the n_jobs=1 run did before its timing.
        "n_jobs_2": ({"n_jobs": 2}, {}),
        # Warm: workers started before the timing, as for a second search in
        # a session; the like-for-like comparison with n_jobs=1.
        "n_jobs_2_warm": ({"n_jobs": 2, "warm": True}, {}),
        # n_jobs=1 with TensorFlow on one thread: how much its second thread
        # gives a search in one process, which two workers cannot also have.
        "n_jobs_1_one_thread": ({"n_jobs": 1}, {"OMP_NUM_THREADS": "1"}),
        # The same with TensorFlow's pools forced to one thread per core in
        # each worker, as without skfashion's sizing.
        "n_jobs_2_unsized": (
            {"n_jobs": 2},
            {"TF_NUM_INTRAOP_THREADS": cores, "TF_NUM_INTEROP_THREADS": cores},
        ),
    }
    variants = {k: v for k, v in variants.items() if only is None or k in only}
    runs = {name: [] for name in variants}
    for repeat in range(repeats):
        for name in _order(list(variants), repeat):
            extra, env = variants[name]
            runs[name].append(run_worker({**spec, **extra}, env))
            print(f"  {name}: {runs[name][-1]}", flush=True)
    result = {name + "_s": _median(rows, "wall_s") for name, rows in runs.items()}
    for name, suffix in (("n_jobs_2", ""), ("n_jobs_2_unsized", "_unsized"),
                         ("n_jobs_2_warm", "_warm")):  # fmt: skip
        if name in runs:
            result["speedup" + suffix] = result["n_jobs_1_s"] / result[name + "_s"]
    if "n_jobs_1_one_thread" in runs:
        # Two one-thread workers are at most twice as fast as one thread.
        result["ceiling"] = 2 * result["n_jobs_1_s"] / result["n_jobs_1_one_thread_s"]
    if "n_jobs_2_warm" in runs:
        result["start_workers_s"] = _median(runs["n_jobs_2_warm"], "start_workers_s")
    result["parts"] = {
        name: {key: _median(rows, key) for key in PARTS} for name, rows in runs.items()
    }
    result["runs"] = runs
    result["n_candidates"] = runs["n_jobs_1"][0]["n_candidates"]
    for key in ("n_train", "epochs", "cv"):
        result[key] = spec[key]
    start_workers_s = result.get("start_workers_s", start_workers_s)
    if start_workers_s is not None:
        result["cold_bound"] = cold_bound(result, start_workers_s)
    return result


def _refit_share(s):
    """GridSearchCV's refit's share of a search's training (images x epochs).

    The folds train ``n_candidates * (cv - 1)`` times on all the images, the
    refit once.
    """
    return 1 / (1 + s["n_candidates"] * (s["cv"] - 1))


def cold_bound(s, start_workers_s):
    """The best speed-up a cold n_jobs=2 search can have over n_jobs=1.

    Two workers halve the cross-validation fits at best, but not starting them
    (``start_workers_s``) nor GridSearchCV's refit of the best candidate on all
    the images, which runs in the main process after the search.
    """
    refit = _refit_share(s)
    n_jobs_1 = s["n_jobs_1_s"]
    return n_jobs_1 / (start_workers_s + n_jobs_1 * (refit + (1 - refit) / 2))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--json", default=None, help="write results as JSON")
    parser.add_argument("--markdown", default=None, help="write the table here")
    parser.add_argument("--backend", default=None, help="KERAS_BACKEND to use")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--sections", default="abcdef", help="any of a, b, c, d, e, f")
    parser.add_argument(
        "--no-cnn", action="store_true", help="leave out the CNNs (section b and "
        "CNNClassifier() in c), e.g. for a backend slow on convolutions",
    )  # fmt: skip
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(json.loads(args.worker))
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend

    quick = args.quick
    repeats = args.repeats or (1 if quick else 3)
    n_train, n_test = (3000, 2000) if quick else (60000, 10000)
    start = time.perf_counter()
    results = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": _machine(),
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
    if "c" in sections:
        print("(c) defaults", flush=True)
        models = ["ann-default", "ann-default-bf16"]
        if not args.no_cnn:
            # Quick leaves out the CNN in bfloat16 (the tests cover its code):
            # one worker process less in its 3-minute budget.
            models += ["cnn-default"] + ([] if quick else ["cnn-default-bf16"])
        results["defaults"] = compare(
            models, None, {**fit_spec, "epochs": 1 if quick else None}, repeats
        )
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
    versions = VERSIONS or run_worker({"kind": "versions"})
    results["backend"], results["versions"] = versions["backend"], versions
    results["total_s"] = time.perf_counter() - start
    text = markdown(results)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)


def _verdict(r, ok):
    return "n/a (quick)" if r["quick"] else ("yes" if ok else "no")


def _ceiling(s):
    """What the one-thread n_jobs=1 search says about n_jobs=2's best case."""
    if "ceiling" not in s:
        return ""
    return (
        f" With TensorFlow on one thread, n_jobs=1 took "
        f"{s['n_jobs_1_one_thread_s']:.1f} s (on two: {s['n_jobs_1_s']:.1f} s), "
        f"so two one-thread workers can be at most {s['ceiling']:.2f}x faster "
        "than n_jobs=1, before their start-up."
    )


def _parts(s):
    """Where the n_jobs=1 and the cold n_jobs=2 search spent their time."""
    if "parts" not in s:  # runs written before the ninth round
        return ""
    one, two = s["parts"]["n_jobs_1"], s["parts"]["n_jobs_2"]
    work_1 = one["cv_fit_s"] + one["cv_score_s"]
    work_2 = two["cv_fit_s"] + two["cv_score_s"]
    return (
        f" Timed inside the processes, the {s['n_candidates'] * s['cv']} "
        f"cross-validation fits and their scoring took {work_1:.1f} s with "
        f"n_jobs=1 (one process, TensorFlow on two threads) and {work_2:.1f} s "
        f"with n_jobs=2 (two workers on one thread each, added up: "
        f"{work_2 / work_1:.2f}x), the refit in the main process "
        f"{one['refit_s']:.1f} s and {two['refit_s']:.1f} s. Less its half of "
        f"that work and its refit, the cold n_jobs=2 search spent "
        f"{two['rest_s']:.1f} s on starting the workers, sending them the data "
        f"and an uneven split (n_jobs=1: {one['rest_s']:.1f} s outside fits, "
        "scoring and refit)."
    )


def _bound(s):
    """The cold speed-up's upper bound, for runs that measured it."""
    if "cold_bound" not in s:
        return ""
    refit = _refit_share(s)
    return (
        f" Even with the cross-validation fits split perfectly between the two "
        f"workers, starting them and the refit on all the images in the main "
        f"process ({refit:.0%} of the training, serial) limit a cold n_jobs=2 "
        f"search to about {s['cold_bound']:.2f}x here."
    )


def markdown(r):
    v = r["versions"]
    sections = ", ".join(f"{n} {sec:.0f} s" for n, sec in r["section_s"].items())
    lines = [
        f"Benchmark of {r['date']} on {r['machine']}; Keras {v['keras']} with "
        f"backend {r['backend']} {v['backend_version']}, scikit-learn "
        f"{v['scikit-learn']}, NumPy {v['numpy']}; {r['n_train']} training / "
        f"{r['n_test']} test images; median of {r['repeats']} interleaved runs "
        f"(quick: {r['quick']}); total {r['total_s']:.0f} s, sections: "
        f"{sections}.",
        "",
    ]
    targets = []
    for section in ("ann", "cnn"):
        if section not in r:
            continue
        lines += [
            f"| {section.upper()} | fit s | ratio | fit CPU s | ratio | predict s "
            "| ratio | first predict s | accuracy | peak RSS MB |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, row in r[section].items():
            cpu = (  # runs written before the eighth round have no CPU time
                f"{row['fit_cpu_s']:.1f} | {row['fit_cpu_s_ratio']:.2f}"
                if "fit_cpu_s_ratio" in row
                else "- | -"
            )
            lines.append(
                f"| {name} | {row['fit_s']:.1f} | {row['fit_s_ratio']:.2f} | {cpu} "
                f"| {row['predict_s']:.3f} | {row['predict_s_ratio']:.2f} "
                f"| {row['predict_first_s']:.3f} | {row['accuracy']:.4f} "
                f"| {row['peak_rss_mb']:.0f} |"
            )
        wrapped = r[section][f"{section}-skfashion"]
        lines += [
            "",
            f"{section}-skfashion spends {wrapped['outside_keras_fit_s']:.3f} s of "
            "its fit and "
            f"{1000 * wrapped['outside_keras_predict_s']:.1f} ms of a predict "
            "outside Keras' Model.fit and its prediction calls (validation, label "
            "encoding, routing).",
            "",
        ]
        for key, label in (("fit_s_ratio", "fit"), ("predict_s_ratio", "predict")):
            value = wrapped[key]
            targets.append(
                (f"{section.upper()} wrapper {label} time <= 1.05x plain Keras "
                 "(same compile settings)", f"{value:.2f}x", value <= 1.05)
            )  # fmt: skip
    if "defaults" in r:
        lines += [
            "| defaults | fit s | accuracy | epochs | runs: fit s / accuracy |",
            "| --- | ---: | ---: | ---: | --- |",
        ]
        for name, row in r["defaults"].items():
            each = ", ".join(
                f"{run['fit_s']:.0f} / {run['accuracy']:.4f}" for run in row["runs"]
            )
            lines.append(
                f"| {name} | {row['fit_s']:.1f} | {row['accuracy']:.4f} "
                f"| {row['epochs_run']:.0f} | {each} |"
            )
        lines.append("")
        ann = r["defaults"]["ann-default"]
        for kind in ("ann", "cnn"):
            default = r["defaults"].get(f"{kind}-default")
            bf16 = r["defaults"].get(f"{kind}-default-bf16")
            if default is None or bf16 is None:
                continue
            versus = ""
            if kind == "ann" and "ann" in r:
                mlp = r["ann"]["ann-sklearn"]["fit_s"]
                versus = f" ({bf16['fit_s'] / mlp:.2f}x MLPClassifier's fit)"
            lines += [
                f"{kind}-default-bf16 is {kind.upper()}Classifier(dtype_policy="
                '"mixed_bfloat16"), an opt-in lever, not the default: fit '
                f"{bf16['fit_s'] / default['fit_s']:.2f}x the default's{versus}, "
                f"accuracy {bf16['accuracy'] - default['accuracy']:+.4f}.",
                "",
            ]
        targets.append(
            ("ANNClassifier() accuracy >= 0.895", f"{ann['accuracy']:.4f}",
             ann["accuracy"] >= 0.895)
        )  # fmt: skip
        if "ann" in r:
            mlp = r["ann"]["ann-sklearn"]["fit_s"]
            targets.append(
                ("ANNClassifier() fit <= MLPClassifier((512, 256)) fit at 10 epochs",
                 f"{ann['fit_s']:.1f} s vs {mlp:.1f} s", ann["fit_s"] <= mlp)
            )  # fmt: skip
        if "cnn-default" in r["defaults"]:
            cnn = r["defaults"]["cnn-default"]
            targets.append(
                ("CNNClassifier() accuracy >= 0.925", f"{cnn['accuracy']:.4f}",
                 cnn["accuracy"] >= 0.925)
            )  # fmt: skip
            targets.append(
                ("CNNClassifier() fit <= 240 s", f"{cnn['fit_s']:.0f} s",
                 cnn["fit_s"] <= 240)
            )  # fmt: skip
    if "search" in r:
        s = r["search"]
        lines += [
            f"GridSearchCV ({s['n_candidates']} candidates x {s['cv']} folds, "
            f"{s['n_train']} images, "
            f"{s['epochs']} epochs): n_jobs=1 {s['n_jobs_1_s']:.1f} s; n_jobs=2 "
            f"{s['n_jobs_2_s']:.1f} s, speed-up {s['speedup']:.2f}x; n_jobs=2 "
            f"with TensorFlow's pools not sized {s['n_jobs_2_unsized_s']:.1f} s, "
            f"speed-up {s['speedup_unsized']:.2f}x. These n_jobs=2 timings "
            "include starting the two workers and importing TensorFlow in "
            "each (cold); the n_jobs=1 run imported it before its timing. With "
            f"the workers started beforehand (warm; starting them took "
            f"{s['start_workers_s']:.1f} s): n_jobs=2 "
            f"{s['n_jobs_2_warm_s']:.1f} s, speed-up {s['speedup_warm']:.2f}x."
            + _ceiling(s)
            + _parts(s)
            + _bound(s),
            "",
        ]
        targets.append(
            ("GridSearchCV n_jobs=2 >= 1.4x faster than n_jobs=1, workers warm, "
             f"{s['n_train']} images",
             f"{s['speedup_warm']:.2f}x", s["speedup_warm"] >= 1.4)
        )  # fmt: skip
        targets.append(
            ("GridSearchCV n_jobs=2 >= 1.4x faster than n_jobs=1, cold start, "
             f"{s['n_train']} images",
             f"{s['speedup']:.2f}x", s["speedup"] >= 1.4)
        )  # fmt: skip
    if "search_full" in r:
        s = r["search_full"]
        lines += [
            f"The same grid on all {s['n_train']} training images "
            f"({s['epochs']} epochs, cold): n_jobs=1 {s['n_jobs_1_s']:.1f} s; "
            f"n_jobs=2 {s['n_jobs_2_s']:.1f} s, speed-up {s['speedup']:.2f}x."
            + _parts(s)
            + _bound(s),
            "",
        ]
        targets.append(
            ("GridSearchCV n_jobs=2 >= 1.4x faster than n_jobs=1, cold start, "
             f"{s['n_train']} images", f"{s['speedup']:.2f}x", s["speedup"] >= 1.4)
        )  # fmt: skip
    if "memory" in r:
        m = r["memory"]
        growth = m["rss_after_n_mb"] - m["rss_after_1_mb"]
        lines += [
            f"RSS after 1 fit {m['rss_after_1_mb']:.0f} MB, after {m['n_fits']} fits "
            f"{m['rss_after_n_mb']:.0f} MB (+{growth:.0f} MB).",
            "",
        ]
        targets.append(
            (f"RSS growth over {m['n_fits']} fits <= 300 MB", f"{growth:.0f} MB",
             growth <= 300)
        )  # fmt: skip
    if "latency" in r:
        lat = r["latency"]
        lines += [
            "Section (f) trains its networks for one epoch on "
            f"{lat['n_train']:,} images "
            "(predictions need trained weights, not accuracy) and times every "
            "call in one process, the candidates taking turns.",
            "",
            "| predict, median ms | skfashion | MLPClassifier | ratio "
            "| model_.predict_on_batch | model_.predict (before) |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for n, row in lat["predict_ms"].items():
            before = row.get("model_predict")
            lines.append(
                f"| {int(n):,} images | {row['skfashion']:.2f} | {row['mlp']:.2f} "
                f"| {row['skfashion'] / row['mlp']:.2f} "
                f"| {row['predict_on_batch']:.2f} "
                f"| {'-' if before is None else f'{before:.2f}'} |"
            )
        perm = lat["permutation_importance_s"]
        fit = lat["small_fit_ms"]
        stages = ", ".join(
            f"{k} {v:.0f} ms" for k, v in lat["small_fit_stages_ms"].items()
        )
        lines += [
            "",
            "permutation_importance (50 pixels, 5 repeats, 2,000 images): "
            f"skfashion {perm['skfashion']:.2f} s, MLPClassifier {perm['mlp']:.2f} "
            f"s ({perm['skfashion'] / perm['mlp']:.2f}x).",
            "",
            "Fit on 200 images, 1 epoch, hidden_layer_sizes=(32,): skfashion "
            f"{fit['skfashion']:.0f} ms (traced training step instead of eager: "
            f"{fit['skfashion_traced']:.0f} ms), MLPClassifier {fit['mlp']:.1f} "
            f"ms. Where skfashion's goes: {stages}.",
            "",
        ]
        one, hundred, many = (lat["predict_ms"][k] for k in ("1", "100", "10000"))
        targets += [
            ("predict 1 image <= 3x MLPClassifier and <= 2 ms",
             f"{one['skfashion']:.2f} ms, {one['skfashion'] / one['mlp']:.2f}x",
             one["skfashion"] <= 2 and one["skfashion"] <= 3 * one["mlp"]),
            ("predict 100 images <= 3 ms", f"{hundred['skfashion']:.2f} ms",
             hundred["skfashion"] <= 3),
            ("predict 10,000 images <= 1.0x MLPClassifier",
             f"{many['skfashion'] / many['mlp']:.2f}x",
             many["skfashion"] <= many["mlp"]),
            ("fit on 200 images, 1 epoch, (32,) <= 0.25 s",
             f"{fit['skfashion'] / 1000:.3f} s", fit["skfashion"] <= 250),
        ]  # fmt: skip
    if targets:
        if r["quick"]:
            lines += ["Quick run: a smoke check on small data; the targets apply to "
                      "the full run only.", ""]  # fmt: skip
        lines += ["| target | measured | met |", "| --- | --- | --- |"]
        for target, value, ok in targets:
            lines.append(f"| {target} | {value} | {_verdict(r, ok)} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
