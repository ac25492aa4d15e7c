"""
===========================================
Your own network: a small residual network
===========================================

A network written with Keras' functional API, handed to
:class:`~skfashion.ImageClassifier` as a builder, as scikeras'
``KerasClassifier(model=...)`` takes one: skfashion calls it at each fit
with the fit's ``meta`` and the ``model__`` settings, adds the softmax
(the builder returns logits), and trains it with the presets' seeded,
transactional fit. The example tunes the number of filters with
``GridSearchCV`` in a ``Pipeline``, compares the result with
:class:`~skfashion.CNNClassifier` on the same images and epochs, saves it
with :mod:`skfashion.io`, exports it to ONNX and serves the ONNX graph over
HTTP on 127.0.0.1 with onnxruntime. ``--quick`` uses fewer images and
epochs.

It needs the ``onnx`` extra: ``pip install -e ".[onnx]"`` from a clone.
"""

# %%
# The network
# -----------
# A builder is a function returning a new ``keras.Model``. It names the
# arguments it wants: ``meta`` (here ``image_shape_``, the images' shape,
# and ``n_classes_``) and its own ``filters``, set from the estimator as
# ``model__filters``. Registering it with Keras lets :mod:`skfashion.io` store
# it by name, so that a saved model loads without running unknown code.
import argparse
import io
import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import keras
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
from skl2onnx import to_onnx
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

import skfashion.onnx  # noqa: F401  (registers the ONNX converters)
from skfashion import CNNClassifier, ImageClassifier, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist
from skfashion.io import dump, load
from skfashion.reporting import CVResultsDisplay

parser = argparse.ArgumentParser(description="Your own network")
parser.add_argument("--quick", action="store_true", help="few images and epochs")
parser.add_argument("--output-dir", type=Path, default=Path("skfashion-output"))
args, _ = parser.parse_known_args()  # leaves out what Jupyter adds
args.output_dir.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()


@keras.saving.register_keras_serializable(package="examples")
def residual_network(meta, filters=16):
    """A convolution, a residual block (two convolutions and a shortcut
    around them), a dense layer, and logits: skfashion adds the softmax."""
    layers = keras.layers
    inputs = keras.Input(meta["image_shape_"])
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    shortcut = x
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(filters, 3, padding="same")(x)
    x = layers.ReLU()(layers.Add()([x, shortcut]))
    x = layers.MaxPooling2D(2)(x)
    x = layers.Dense(128, activation="relu")(layers.Flatten()(x))
    return keras.Model(inputs, layers.Dense(meta["n_classes_"])(x))


# %%
# Tuning in a pipeline
# --------------------
# ``ImagePreprocessor(output="image")`` scales the uint8 pixels and hands the
# network ``(n, 28, 28, 1)`` images, so ``meta["image_shape_"]`` is known.
train = fetch_fashion_mnist(n_samples=3000 if args.quick else 20000)
test = fetch_fashion_mnist(subset="test", n_samples=1000 if args.quick else 10000)
epochs = 2 if args.quick else 8
pipe = make_pipeline(
    ImagePreprocessor(output="image"),
    ImageClassifier(residual_network, epochs=epochs, batch_size=128, random_state=0),
)
search = GridSearchCV(pipe, {"imageclassifier__model__filters": [16, 32]}, cv=3)
search.fit(train.data, train.target)
best = search.best_estimator_
print(f"best parameters: {search.best_params_}")
CVResultsDisplay.from_cv_results(search, x="filters")
plt.savefig(args.output_dir / "custom_network_cv_results.png", dpi=100)

# %%
# Against the preset CNN
# ----------------------
# The same images, epochs and batch size; each fit timed on this machine.
cnn = make_pipeline(
    ImagePreprocessor(),
    CNNClassifier(epochs=epochs, batch_size=128, random_state=0),
)
scores, seconds = {}, {}
for name, model in {"residual (yours)": best, "CNNClassifier": cnn}.items():
    tic = time.perf_counter()
    model.fit(train.data, train.target)
    seconds[name] = time.perf_counter() - tic
    scores[name] = model.score(test.data, test.target)
    print(f"{name}: test accuracy {scores[name]:.4f}, fit {seconds[name]:.0f} s")
fig, ax = plt.subplots(figsize=(6, 3))
ax.barh(list(scores), list(scores.values()))
for i, (name, score) in enumerate(scores.items()):
    ax.text(score, i, f" {score:.3f} ({seconds[name]:.0f} s)", va="center")
ax.set(xlabel="test accuracy", xlim=(0, 1.15))
fig.tight_layout()
fig.savefig(args.output_dir / "custom_network_comparison.png", dpi=100)

# %%
# Saving, exporting and serving
# -----------------------------
# :func:`skfashion.io.dump` stores the builder by its registered name and
# the trained network in Keras' format; ``load`` reads it back in Keras'
# safe mode. skl2onnx converts the whole pipeline, and onnxruntime answers
# HTTP requests with it: the service needs neither TensorFlow nor
# scikit-learn.
buffer = io.BytesIO()
dump(best, buffer)
loaded = load(io.BytesIO(buffer.getvalue()))
assert np.array_equal(loaded.predict(test.data[:100]), best.predict(test.data[:100]))

onx = to_onnx(best, test.data[:1], options={"zipmap": False})
(args.output_dir / "residual_network.onnx").write_bytes(onx.SerializeToString())
session = ort.InferenceSession(
    onx.SerializeToString(), providers=["CPUExecutionProvider"]
)


class Predict(BaseHTTPRequestHandler):
    """POST a JSON list of flat uint8 images; get their labels back."""

    def do_POST(self):
        images = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        X = np.asarray(images, dtype=np.uint8)
        labels, _ = session.run(None, {session.get_inputs()[0].name: X})
        body = json.dumps({"labels": labels.tolist()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


server = HTTPServer(("127.0.0.1", 0), Predict)
threading.Thread(target=server.serve_forever, daemon=True).start()
request = urllib.request.Request(
    f"http://127.0.0.1:{server.server_port}/",
    data=json.dumps(test.data[:20].tolist()).encode(),
    headers={"Content-Type": "application/json"},
)
with urllib.request.urlopen(request) as response:
    served = json.loads(response.read())["labels"]
server.shutdown()
assert served == best.predict(test.data[:20]).tolist()
print(f"served over HTTP: {served[:10]} ...")
print(f"wall time: {time.perf_counter() - start:.0f} s")
