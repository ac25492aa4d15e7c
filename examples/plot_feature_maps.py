"""
===============================================
What a CNN sees: feature maps and first filters
===============================================

Train a :class:`~skfashion.CNNClassifier` on Fashion-MNIST, then look inside:
the activations of each convolution layer for a few test images
(:class:`~skfashion.reporting.FeatureMapsDisplay`) and the learned 3x3
filters of the first layer.
"""

# %%
# Train
# -----
import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.pipeline import make_pipeline

from skfashion import CNNClassifier, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist
from skfashion.reporting import FeatureMapsDisplay

parser = argparse.ArgumentParser(
    description="What a CNN sees: feature maps and first filters"
)
parser.add_argument("--quick", action="store_true", help="small data, few epochs")
parser.add_argument("--output-dir", type=Path, default=Path("skfashion-output"))
args, _ = parser.parse_known_args()  # leaves out what Jupyter adds
args.output_dir.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()
train = fetch_fashion_mnist(n_samples=2000 if args.quick else None)
test = fetch_fashion_mnist(subset="test")
X, y = train.data, train.target
model = make_pipeline(
    ImagePreprocessor(output="image"),
    CNNClassifier(epochs=1 if args.quick else 5, random_state=0),
).fit(X, y)
print(f"test accuracy: {model.score(test.data, test.target):.4f}")

# %%
# Feature maps
# ------------
# One figure per image: each row is a convolution layer, each panel a channel.
for label in (0, 7, 9):  # a T-shirt, a sneaker, an ankle boot
    index = int(np.flatnonzero(test.target == label)[0])
    display = FeatureMapsDisplay.from_estimator(model, test.images[index])
    display.figure_.suptitle(f"Feature maps: {test.target_names[label]}")
    display.figure_.savefig(
        args.output_dir / f"feature_maps_{label}.png", bbox_inches="tight"
    )

# %%
# First-layer filters
# -------------------
kernel = np.asarray(model[-1].model_.get_layer("conv_0").kernel)  # (3, 3, 1, 32)
n = kernel.shape[-1]
fig, axes = plt.subplots(4, int(np.ceil(n / 4)), figsize=(10, 5))
for channel, ax in enumerate(axes.flat):
    ax.set_xticks([])
    ax.set_yticks([])
    if channel < n:
        weights = kernel[:, :, 0, channel]
        limit = np.abs(kernel).max()
        ax.imshow(weights, cmap="RdBu_r", vmin=-limit, vmax=limit)
fig.suptitle("Learned 3x3 filters of the first convolution layer")
fig.savefig(args.output_dir / "first_layer_filters.png", bbox_inches="tight")
print(f"wall time: {time.perf_counter() - start:.0f} s")
