"""
==========================================================
Occlusion maps: which regions drive a prediction
==========================================================

Cover each small square of an image in turn and measure how much the
probability of the predicted class falls:
:class:`~skfashion.reporting.OcclusionDisplay` needs only ``predict_proba``,
so it explains a :class:`~skfashion.CNNClassifier` and scikit-learn's
:class:`~sklearn.neural_network.MLPClassifier` alike. Red regions support the
prediction; blue ones speak against it.
"""

# %%
# Train two classifiers
# ---------------------
import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline

from skfashion import CNNClassifier, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist
from skfashion.reporting import OcclusionDisplay

parser = argparse.ArgumentParser(
    description="Occlusion maps: which regions drive a prediction"
)
parser.add_argument("--quick", action="store_true", help="small data, few epochs")
parser.add_argument("--output-dir", type=Path, default=Path("skfashion-output"))
args, _ = parser.parse_known_args()  # leaves out what Jupyter adds
args.output_dir.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()
train = fetch_fashion_mnist(n_samples=2000 if args.quick else None)
test = fetch_fashion_mnist(subset="test", n_samples=1000 if args.quick else None)
X, y, X_test, y_test = train.data, train.target, test.data, test.target
names = train.target_names
models = {
    "cnn": make_pipeline(
        ImagePreprocessor(output="image"),
        CNNClassifier(epochs=1 if args.quick else 5, random_state=0),
    ),
    "mlp": make_pipeline(
        ImagePreprocessor(),
        MLPClassifier((256,), max_iter=5 if args.quick else 20, random_state=0),
    ),
}
for name, model in models.items():
    model.fit(X, y)
    print(f"{name} test accuracy: {model.score(X_test, y_test):.4f}")

# %%
# Occlusion maps
# --------------
# The images are raw pixels, as the pipelines take them; a covered patch is
# black (0), the background of Fashion-MNIST.
images = X_test[[int(np.flatnonzero(y_test == c)[0]) for c in (0, 1, 5, 7, 8, 9)]]
for name, model in models.items():
    display = OcclusionDisplay.from_estimator(
        model, images.reshape(-1, 28, 28), patch_size=4, stride=2,
        target_names=names,
    )  # fmt: skip
    display.figure_.suptitle(f"Occlusion maps, {name.upper()}")
    display.figure_.savefig(
        args.output_dir / f"occlusion_{name}.png", bbox_inches="tight"
    )
print(f"wall time: {time.perf_counter() - start:.0f} s")
