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
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from _common import elapsed, parse_args, save, subsample
from sklearn.pipeline import make_pipeline

from skfashion import CNNClassifier, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist
from skfashion.reporting import FeatureMapsDisplay

args = parse_args(__doc__)
train, test = fetch_fashion_mnist(), fetch_fashion_mnist(subset="test")
X, y = train.data, train.target
if args.quick:
    X, y = subsample(X, y, 2000)
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
    save(display.figure_, args, f"feature_maps_{label}")

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
save(fig, args, "first_layer_filters")
print(f"wall time: {elapsed(args)}")
