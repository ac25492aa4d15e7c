"""The benchmarks' harness: data, reference networks, worker and compare.

``run.py`` holds the sections and ``report.py`` writes their report; this
module does the measuring. Every measurement runs in a fresh worker process
(this file, run with a JSON spec), so that peak RSS belongs to one model and
no state leaks between measurements. :func:`compare` interleaves the repeats
of several models, every other one in reverse order (A, B, C, C, B, A, ...),
so that a drift of the machine's speed slows all of them alike.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time


def _rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _peak_rss_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_data(n_train, n_test):
    """Fashion-MNIST scaled to [0, 1]: stratified subsets of the given sizes."""
    from skfashion import ImagePreprocessor
    from skfashion.datasets import fetch_fashion_mnist

    X, y = fetch_fashion_mnist(
        n_samples=None if n_train >= 60000 else n_train, return_X_y=True
    )
    X_test, y_test = fetch_fashion_mnist(
        subset="test", n_samples=None if n_test >= 10000 else n_test, return_X_y=True
    )
    pre = ImagePreprocessor()
    return pre.fit_transform(X), y, pre.transform(X_test), y_test


# CNNClassifier's default network: its blocks and its dense head.
CNN_BLOCKS = ((32, 32), (64, 64))
CNN_HEAD = 256
# Sections (a) and (b) train the wrapped and the plain networks alike: adam
# at this constant rate, no penalty.
LEARNING_RATE = 1e-3


def reference_network(kind, epochs, batch_size, steps_per_execution=1):
    """The plain-Keras ANN or CNN that the wrappers are timed against.

    The CNN is ``CNNClassifier()``'s default network, written out: two blocks
    of two 3x3 convolutions (32, then 64 filters), each block pooled, a
    dense head of 256, no dropout, left-right flips while training, and the
    dtype policy that ``dtype_policy="auto"`` picks on this machine (the
    softmax in float32).
    """
    import keras

    from skfashion._keras.network import auto_dtype_policy

    layers = keras.layers
    policy = auto_dtype_policy() if kind == "cnn" else keras.config.dtype_policy()
    if kind == "ann":
        body = [
            layers.Dense(512, activation="relu"),
            layers.Dense(256, activation="relu"),
        ]
    else:
        d = {"dtype": policy}
        body = [layers.Reshape((28, 28, 1), **d), layers.RandomFlip("horizontal", **d)]
        for filters in CNN_BLOCKS:
            body += [
                *(
                    layers.Conv2D(n, 3, padding="same", activation="relu", **d)
                    for n in filters
                ),  # fmt: skip
                layers.MaxPooling2D(2, **d),
            ]
        body += [
            layers.Flatten(**d),
            layers.Dense(CNN_HEAD, activation="relu", **d),
        ]
    model = keras.Sequential(
        [
            keras.Input((784,)),
            *body,
            layers.Dense(10, activation="softmax", dtype="float32"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution,
    )

    class Fitted:
        dtype_policy_ = policy.name

        def fit(self, X, y):
            model.fit(X, y, batch_size=batch_size, epochs=epochs, verbose=0)
            return self

        def predict(self, X):
            return model.predict(X, batch_size=1024, verbose=0).argmax(axis=1)

    return Fitted()


# The documented high-accuracy recipe (examples/plot_augmentation.py has the
# same; a test keeps them equal).
RECIPE = {
    "filters": ((32, 32), (64, 64)),
    "augmentation": "standard",
    "dropout": 0.1,
    "epochs": 40,
    "test_time_augmentation": "flip",
}


def make_model(spec):
    """The estimator or reference network that ``spec["model"]`` names."""
    from skfashion import ANNClassifier, CNNClassifier
    from skfashion._keras.backend import steps_per_execution

    name, epochs, batch = spec["model"], spec.get("epochs"), 200
    # The wrapped networks train exactly as the plain-Keras ones: no dropout,
    # no penalty, no label smoothing, a constant learning rate.
    same = dict(
        alpha=0.0,
        dropout=0.0,
        label_smoothing=0.0,
        batch_size=batch,
        epochs=epochs,
        learning_rate="constant",
        learning_rate_init=LEARNING_RATE,
    )
    if name == "ann-skfashion":
        return ANNClassifier(hidden_layer_sizes=(512, 256), **same)
    if name == "ann-keras":
        return reference_network("ann", epochs, batch)
    if name == "ann-keras-spe":  # Keras with skfashion's compile settings
        return reference_network("ann", epochs, batch, steps_per_execution())
    if name == "ann-sklearn":
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(
            hidden_layer_sizes=(512, 256), batch_size=batch, max_iter=epochs,
            alpha=0.0, tol=0.0, n_iter_no_change=epochs + 1,
        )  # fmt: skip
    if name == "cnn-skfashion":  # the default network, flips, dtype_policy "auto"
        return CNNClassifier(
            filters=CNN_BLOCKS,
            hidden_layer_sizes=(CNN_HEAD,),
            test_time_augmentation=None,  # Keras' predict has no flip TTA
            **same,
        )
    if name == "cnn-keras":
        return reference_network("cnn", epochs, batch)
    if name == "cnn-keras-spe":
        return reference_network("cnn", epochs, batch, steps_per_execution())
    # Section (c): the defaults, seeded by the repeat, and the recipe.
    params = {"random_state": spec.get("seed")}
    if epochs:  # quick runs train for one epoch
        params["epochs"] = epochs
    if name == "ann-default":
        return ANNClassifier(**params)
    if name == "cnn-default":
        return CNNClassifier(**params)
    if name == "cnn-default-float32":  # "auto" without native bfloat16
        return CNNClassifier(dtype_policy="float32", **params)
    if name == "cnn-recipe":
        return CNNClassifier(**{**RECIPE, **params})
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

    X, y, X_test, y_test = load_data(spec["n_train"], spec["n_test"])
    model = make_model(spec)
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
    if hasattr(model, "dtype_policy_"):
        result["dtype_policy"] = model.dtype_policy_
    if "seed" in spec:
        result["seed"] = spec["seed"]
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
        for name in order(list(calls), turn):
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
    X, y, X_test, y_test = load_data(n_train, 10000)
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


def _serving(spec):
    """(h) Predictions through onnxruntime (the float32 export and its int8
    copy) beside the estimator's own and MLPClassifier's (plain and exported
    with skl2onnx), in one process, with this run's matrix-multiply peak."""
    import gc
    import warnings

    import numpy as np
    import onnxruntime as ort
    from flops import forward_flops
    from skl2onnx import to_onnx
    from sklearn.neural_network import MLPClassifier

    from skfashion import ANNClassifier, CNNClassifier
    from skfashion.onnx import quantize  # also registers the converters

    quick = spec["quick"]
    # Calls of each size: 10,000 images take seconds through a CNN, so the
    # quick run's largest batch is 1,000.
    n_calls = {1: 10, 100: 10, 1000: 2} if quick else {1: 40, 100: 40, 10000: 7}
    # One image and 100 in one worker, the largest batch in another: after
    # calls of 10,000 images, one image through onnxruntime in the same
    # process ran up to 1.7x slower interleaved with Keras (not what a
    # process serving small batches sees; git show 22bce6e:docs/design_notes.md).
    largest = max(n_calls)
    n_calls = {
        n: calls for n, calls in n_calls.items()
        if (n == largest) == (spec["batches"] == "large")
    }  # fmt: skip
    n_train = 3000 if quick else 10000
    X, y, X_test, _ = load_data(n_train, 10000)
    warnings.simplefilter("ignore")  # MLPClassifier's ConvergenceWarning

    def session(onx):
        sess = ort.InferenceSession(
            onx.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        name = sess.get_inputs()[0].name
        return lambda x: sess.run(None, {name: x})

    def export(model):
        return to_onnx(model, X[:1], options={"zipmap": False})

    specs = {
        "ann": (ANNClassifier, {}),
        "cnn": (CNNClassifier, {}),
        # Keras' float32 throughput, where "auto" chose bfloat16 above.
        "cnn_float32": (CNNClassifier, {"dtype_policy": "float32"}),
    }
    mlp = MLPClassifier((512, 256), max_iter=1, random_state=0).fit(X, y)
    mlp_onnx = session(export(mlp))
    result = {"n_train": n_train, "n_test": len(X_test), "predict_ms": {}}
    result["max_abs_diff"] = {}
    result.update(int8_agreement={}, int8_max_abs_diff={}, gflop_per_image={})

    def measure(name, model):
        """Fill ``result`` for one fitted model; its sessions, which keep
        buffers for their largest batch, are freed on return."""
        onx = export(model)
        served = session(onx)
        # Calibrated on training rows; judged on the 10,000 test images.
        served_int8 = session(quantize(onx, X[:1000]))
        if spec["batches"] == "large":  # the test set is a large batch
            proba = model.predict_proba(X_test)
            diff = np.abs(served(X_test)[1] - proba).max()
            labels_int8, proba_int8 = served_int8(X_test)
            agree = np.mean(labels_int8 == model.classes_[proba.argmax(axis=1)])
            result["max_abs_diff"][name] = float(diff)
            result["int8_agreement"][name] = float(agree)
            result["int8_max_abs_diff"][name] = float(np.abs(proba_int8 - proba).max())
        result[f"{name}_dtype_policy"] = model.dtype_policy_
        flips = getattr(model, "_flips_at_prediction", lambda: False)()
        views = 2 if flips else 1
        result["gflop_per_image"][name] = views * forward_flops(model.model_) / 1e9
        rows = result["predict_ms"][name] = {}
        for n in n_calls:
            x = X_test[:n]
            calls = {
                "onnxruntime": lambda: served(x),
                "onnxruntime_int8": lambda: served_int8(x),
                "predict": lambda: model.predict(x),
            }
            if name == "ann":
                calls["mlp"] = lambda: mlp.predict(x)
                calls["mlp_onnxruntime"] = lambda: mlp_onnx(x)
            rows[str(n)] = _interleaved_ms(calls, n_calls[n])

    for name, (cls, params) in specs.items():
        measure(name, cls(epochs=1, random_state=0, **params).fit(X, y))
        gc.collect()
    if spec["batches"] == "large":
        # The machine's arithmetic peak, in this run, for the GFLOP/s.
        result["matmul_peak"] = _matmul_peak({"n": 2048 if quick else 4096})
    return result


def merge_serving(small, large):
    """One section (h) result from its two workers' (see ``_serving``)."""
    merged = dict(large)
    merged["predict_ms"] = {
        name: {**small["predict_ms"][name], **rows}
        for name, rows in large["predict_ms"].items()
    }
    return merged


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

    X, y, _, _ = load_data(spec["n_train"], 10)
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

    X, y, _, _ = load_data(spec["n_train"], 10)
    rss = []
    for _ in range(spec["n_fits"]):
        ANNClassifier(hidden_layer_sizes=(64,), epochs=1).fit(X, y).predict(X[:100])
        gc.collect()
        rss.append(_rss_mb())
    return {"rss_after_1_mb": rss[0], "rss_after_n_mb": rss[-1], "n_fits": len(rss)}


def _matmul_peak(spec):
    """The backend's best GFLOP/s on square matrix products, in float32 and
    bfloat16: the machine's arithmetic peak, measured in this run."""
    import keras

    n, repeats = spec.get("n", 4096), spec.get("repeats", 5)
    ops, peaks = keras.ops, {}
    for dtype in ("float32", "bfloat16"):
        a = ops.cast(keras.random.normal((n, n), seed=0), dtype)
        b = ops.cast(keras.random.normal((n, n), seed=1), dtype)
        ops.convert_to_numpy(ops.matmul(a, b))  # warm-up
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            ops.convert_to_numpy(ops.matmul(a, b))  # waits for the result
            best = min(best, time.perf_counter() - start)
        peaks[dtype] = 2 * n**3 / best / 1e9
    return peaks


# The matrix-multiply peaks (GFLOP/s, TensorFlow, 2 cores) of the machine
# that section (c)'s targets were set on: the Intel Xeon VM with AMX.
REFERENCE_PEAKS = {"float32": 263.0, "bfloat16": 614.0}

EFFICIENCY_MODELS = {  # section (g): name -> (estimator, dtype policy)
    "ann-float32": ("ann", "float32"),
    "ann-bfloat16": ("ann", "mixed_bfloat16"),
    "cnn-float32": ("cnn", "float32"),
    "cnn-bfloat16": ("cnn", "mixed_bfloat16"),
}


def _epochs(spec):
    """Per-epoch wall times of a default network, and its FLOPs per image."""
    import keras
    from flops import forward_flops, training_flops

    from skfashion import ANNClassifier, CNNClassifier

    class EpochTimes(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    times = []
    kind, policy = EFFICIENCY_MODELS[spec["model"]]
    estimator = {"ann": ANNClassifier, "cnn": CNNClassifier}[kind]
    X, y, _, _ = load_data(spec["n_train"], 10)
    model = estimator(
        epochs=spec["epochs"], dtype_policy=policy, random_state=0,
        callbacks=[EpochTimes()],
    ).fit(X, y)  # fmt: skip
    return {
        "epoch_s": times,
        "n_train": len(X),
        "dtype_policy": model.dtype_policy_,
        "forward_flops": forward_flops(model.model_),
        "training_flops": training_flops(model.model_),
    }


def _augmentation_from_json(params):
    """``params`` with an ``augmentation`` given in JSON as ``[[name, kwargs],
    ...]`` turned into those Keras layers (``--lever`` passes JSON)."""
    value = params.get("augmentation")
    if not isinstance(value, list):
        return params
    import keras

    layers = [getattr(keras.layers, name)(**kwargs) for name, kwargs in value]
    return {**params, "augmentation": layers}


def _shifted(X, shape, dy, dx):
    """The images of ``X`` moved by ``dy`` rows and ``dx`` columns, with the
    background (0) filled in."""
    from scipy import ndimage

    images = X.reshape(len(X), *shape)
    moved = ndimage.shift(images, (0, dy, dx, 0), order=0, mode="constant", cval=0)
    return moved.reshape(X.shape)


# Test-time views scored beside None and "flip": each shift is averaged with
# its mirror image (flip TTA of the shifted images).
SHIFT_VIEWS = {
    "flip_shift_x": ((0, 0), (0, 1), (0, -1)),
    "flip_shift_xy": ((0, 0), (0, 1), (0, -1), (1, 0), (-1, 0)),
}


def _lever(spec):
    """One fit of ``CNNClassifier(**spec["params"])`` on the training images,
    scored on the test images without and with flip test-time augmentation
    (a prediction setting: the same fitted network both times), and with the
    flips averaged over the one-pixel shifts of ``SHIFT_VIEWS``."""
    import copy

    import numpy as np

    from skfashion import CNNClassifier

    X, y, X_test, y_test = load_data(spec["n_train"], spec["n_test"])
    params = _augmentation_from_json(spec["params"])
    model = CNNClassifier(**{**params, "random_state": spec["seed"]})
    start = time.perf_counter()
    model.fit(X, y)
    fit = time.perf_counter() - start
    views = {
        tta: copy.deepcopy(model).set_params(test_time_augmentation=tta)
        for tta in (None, "flip")
    }
    scores = {tta: view.score(X_test, y_test) for tta, view in views.items()}
    for name, shifts in SHIFT_VIEWS.items():
        proba = sum(
            views["flip"].predict_proba(_shifted(X_test, model.image_shape_, dy, dx))
            for dy, dx in shifts
        )
        predicted = model.classes_[np.argmax(proba, axis=1)]
        scores[name] = float(np.mean(predicted == y_test))
    return {
        "fit_s": fit,
        "accuracy": scores[None],
        "accuracy_flip": scores["flip"],
        **{f"accuracy_{name}": scores[name] for name in SHIFT_VIEWS},
        "epochs_run": model.n_iter_,
        "dtype_policy": model.dtype_policy_,
        "seed": spec["seed"],
    }


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
        "peak": _matmul_peak,
        "epochs": _epochs,
        "lever": _lever,
        "serving": _serving,
    }[kind](spec)
    if spec.get("report_versions"):  # saves a process that only imports Keras
        result["versions"] = _versions(spec)
    print("RESULT " + json.dumps(result))


VERSIONS = {}  # filled in by the first worker


def run_worker(spec, env_extra=None):
    if not VERSIONS:
        spec = {**spec, "report_versions": True}
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env_extra or {})}
    proc = subprocess.run(
        [sys.executable, __file__, json.dumps(spec)],
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


# The first of these flags that a CPU has names its bfloat16 support.
_CPU_FEATURES = (("amx_bf16", "AMX bfloat16"), ("avx512_bf16", "AVX512_BF16"))


def machine(cpuinfo="/proc/cpuinfo"):
    """CPU model, its widest vector instructions and bfloat16 support, and
    cores, from ``cpuinfo``: "AMD EPYC" names CPUs of either kind."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        with open(cpuinfo) as f:
            for line in f:
                if line.startswith("model name") and ":" in line:
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags"):
                    flags = set(line.split())
    except OSError:
        pass
    notes = [name for flag, name in _CPU_FEATURES if flag in flags][:1]
    if flags and not notes:
        notes = ["no native bfloat16"]
    if "avx2" in flags and "avx512f" not in flags:
        notes.insert(0, "AVX2 only")
    note = "".join(f", {n}" for n in notes)
    return f"{model}{note}, {os.cpu_count()} cores, {platform.system()}"


def folder_mb(path):
    """Megabytes that the files under ``path`` take on disk."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_blocks * 512
            except OSError:
                pass
    return total / 2**20


def environment_sizes():
    """MB of this (training) environment and of a fresh virtual environment
    that holds only what serving an ONNX file needs: onnxruntime and NumPy,
    at this environment's versions."""
    import tempfile
    from importlib.metadata import version

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "venv", tmp], check=True)
        subprocess.run(
            [os.path.join(tmp, "bin", "python"), "-m", "pip", "install", "--quiet",
             f"onnxruntime=={version('onnxruntime')}", f"numpy=={version('numpy')}"],
            check=True,
        )  # fmt: skip
        serving = folder_mb(tmp)
    return {"training_mb": folder_mb(sys.prefix), "serving_mb": serving}


def _median(rows, key):
    return statistics.median(row[key] for row in rows)


def order(names, repeat):
    """The order of one repeat: forwards, then backwards, and so on."""
    return names if repeat % 2 == 0 else names[::-1]


def compare(models, base, spec, repeats):
    """Interleaved repeats of several models; medians and ratios to ``base``."""
    runs = {m: [] for m in models}
    for repeat in range(repeats):
        for m in order(models, repeat):
            spec_m = {**spec, "kind": "fit", "model": m}
            if spec.get("seeded"):  # section (c): the repeat is the seed
                spec_m["seed"] = repeat
            runs[m].append(run_worker(spec_m))
            print(f"  {m}: {runs[m][-1]}", flush=True)
    table = {}
    for m in models:
        numeric = [
            k for k, v in runs[m][0].items()
            if isinstance(v, (int, float)) and k != "seed"
        ]  # fmt: skip
        row = {k: _median(runs[m], k) for k in numeric}
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
        for name in order(list(variants), repeat):
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


def refit_share(s):
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
    refit = refit_share(s)
    n_jobs_1 = s["n_jobs_1_s"]
    return n_jobs_1 / (start_workers_s + n_jobs_1 * (refit + (1 - refit) / 2))


if __name__ == "__main__":
    worker(json.loads(sys.argv[1]))
