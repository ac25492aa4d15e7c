"""
=============================================
Deploying without TensorFlow: export to ONNX
=============================================

A tuned ``Pipeline(ImagePreprocessor(), CNNClassifier())`` is exported with
skl2onnx, after ``import skfashion.onnx`` has registered skfashion's
converters, and served with onnxruntime, which needs neither TensorFlow nor
scikit-learn: a virtual environment with onnxruntime and NumPy took 178 MB,
against 3224 MB for the training one (benchmark section (h), on the
Performance page). The example checks
that onnxruntime predicts what the pipeline predicts, makes an int8 copy for
bulk scoring with ``skfashion.onnx.quantize``, and times the three.

It needs the ``onnx`` extra: ``pip install -e ".[onnx]"`` from a clone.
"""

# %%
# Setup
# -----
import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
from skl2onnx import to_onnx
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skfashion import CNNClassifier, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist
from skfashion.onnx import quantize  # importing registers the converters

parser = argparse.ArgumentParser(description="Export a tuned pipeline to ONNX")
parser.add_argument("--quick", action="store_true", help="small data, few epochs")
parser.add_argument("--output-dir", type=Path, default=Path("skfashion-output"))
args, _ = parser.parse_known_args()  # leaves out what Jupyter adds
args.output_dir.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()

X, y = fetch_fashion_mnist(n_samples=1500 if args.quick else 10000, return_X_y=True)
X_test, y_test = fetch_fashion_mnist(
    subset="test", n_samples=500 if args.quick else 10000, return_X_y=True
)

# %%
# Tune a pipeline
# ---------------
# The search picks the dense head; the images stay uint8 until the
# pipeline's first step scales them.
pipe = Pipeline(
    [
        ("pixels", ImagePreprocessor()),
        ("cnn", CNNClassifier(epochs=1 if args.quick else 4, random_state=0)),
    ]
)
search = GridSearchCV(pipe, {"cnn__hidden_layer_sizes": [(64,), (256,)]}, cv=2)
search.fit(X, y)
model = search.best_estimator_
print(f"best: {search.best_params_}, CV accuracy {search.best_score_:.4f}")

# %%
# Export it
# ---------
# skl2onnx's own ``to_onnx`` converts the whole pipeline from one sample of
# the input (uint8 rows of 784 pixels). ``zipmap=False`` gives the
# probabilities as one array rather than a list of dicts.
onx = to_onnx(model, X[:1], options={"zipmap": False})
path = args.output_dir / "fashion_cnn.onnx"
path.write_bytes(onx.SerializeToString())
print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB")

# %%
# Predict with onnxruntime
# ------------------------
# A serving process needs only these lines, onnxruntime and NumPy.
session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
input_name = session.get_inputs()[0].name
labels, proba = session.run(None, {input_name: X_test})

gap = np.abs(proba - model.predict_proba(X_test)).max()
agree = np.mean(labels == model.predict(X_test))
print(f"largest probability difference: {gap:.1e}; same labels: {agree:.2%}")
print(f"test accuracy through onnxruntime: {np.mean(labels == y_test):.4f}")
# The CNN computes in bfloat16 where the CPU does so natively (dtype_policy
# "auto"), and the ONNX graph in float32: then they differ in the third
# decimal, and a few borderline labels may differ.
print(f"the pipeline's network computed in {model[-1].dtype_policy_}")

# %%
# An int8 copy for bulk scoring
# -----------------------------
# ``quantize`` runs onnxruntime's static quantization, calibrated on training
# images (the same uint8 rows the graph takes). Its labels are checked
# against the pipeline's on the test images before it is trusted.
int8_path = args.output_dir / "fashion_cnn_int8.onnx"
int8_path.write_bytes(quantize(onx, X).SerializeToString())
int8_session = ort.InferenceSession(str(int8_path), providers=["CPUExecutionProvider"])
int8_labels, int8_proba = int8_session.run(None, {input_name: X_test})
int8_agree = np.mean(int8_labels == model.predict(X_test))
print(
    f"int8: {int8_path.stat().st_size / 1e6:.1f} MB, same labels {int8_agree:.2%}, "
    f"largest probability difference "
    f"{np.abs(int8_proba - model.predict_proba(X_test)).max():.1e}, "
    f"test accuracy {np.mean(int8_labels == y_test):.4f}"
)

# %%
# Compare the times
# -----------------
# One image, and the whole test set, each the best of a few calls.


def best_ms(call, repeats):
    call()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return 1000 * min(times)


rows = {}
for n in (1, len(X_test)):
    x = X_test[:n]
    repeats = 20 if n == 1 else 3
    rows[n] = (
        best_ms(lambda: session.run(None, {input_name: x}), repeats),
        best_ms(lambda: int8_session.run(None, {input_name: x}), repeats),
        best_ms(lambda: model.predict(x), repeats),
    )
    print(
        f"{n:,} image{'s' if n > 1 else ''}: onnxruntime {rows[n][0]:.2f} ms, "
        f"int8 {rows[n][1]:.2f} ms, the pipeline's predict {rows[n][2]:.2f} ms"
    )

fig, ax = plt.subplots(figsize=(6, 3))
names = [f"{n:,} image{'s' if n > 1 else ''}" for n in rows]
width = 0.27
positions = np.arange(len(rows))
for i, label in enumerate(["onnxruntime", "onnxruntime int8", "predict"]):
    heights = [r[i] for r in rows.values()]
    ax.bar(positions + (i - 1) * width, heights, width, label=label)
ax.set_xticks(positions, names)
ax.set_yscale("log")
ax.set_ylabel("ms (best of several calls)")
ax.legend()
fig.savefig(args.output_dir / "onnx_latency.png", bbox_inches="tight")
print(f"wall time: {time.perf_counter() - start:.0f} s")
