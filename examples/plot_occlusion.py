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
import matplotlib

matplotlib.use("Agg")
import numpy as np
from _common import elapsed, load_fashion_mnist, parse_args, save
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline

from skfashion import CNNClassifier, ImagePreprocessor
from skfashion.reporting import OcclusionDisplay

args = parse_args(__doc__)
X, y, X_test, y_test, names = load_fashion_mnist(args, quick_train=2000)
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
    save(display.figure_, args, f"occlusion_{name}")
print(f"wall time: {elapsed(args)}")
