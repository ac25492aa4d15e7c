"""
==========================================
A first look at Fashion-MNIST and MNIST
==========================================

Load both datasets with skfashion's fetchers, print a summary of their
shapes, class balance and pixel statistics, and save a grid of sample images.
"""

# %%
# Load the data
# -------------
# The fetchers look in ``SKFASHION_DATA`` (or ``~/skfashion_data``) and
# download the official files, checksum-verified, when they are missing.
import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from skfashion.datasets import fetch_fashion_mnist, fetch_mnist

parser = argparse.ArgumentParser(description="A first look at Fashion-MNIST and MNIST")
parser.add_argument(
    "--quick", action="store_true", help="a subset of each dataset (it trains nothing)"
)
parser.add_argument("--output-dir", type=Path, default=Path("skfashion-output"))
args, _ = parser.parse_known_args()  # leaves out what Jupyter adds
args.output_dir.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()
# --quick summarises stratified subsets (5,000 training and 1,000 test
# images of each dataset) instead of all 70,000 images of each.
n_train, n_test = (5000, 1000) if args.quick else (None, None)
datasets = {
    name: (fetch(n_samples=n_train), fetch(subset="test", n_samples=n_test))
    for name, fetch in (("Fashion-MNIST", fetch_fashion_mnist), ("MNIST", fetch_mnist))
}

# %%
# Summary
# -------
for name, (train, test) in datasets.items():
    print(f"{name}")
    print(f"  train: {train.data.shape} {train.data.dtype}, test: {test.data.shape}")
    print(
        f"  pixel range {train.data.min()}-{train.data.max()}, "
        f"mean {train.data.mean():.1f}"
    )
    counts = np.bincount(train.target, minlength=len(train.target_names))
    for label, (class_name, count) in enumerate(zip(train.target_names, counts)):
        print(f"    {label} {class_name:<12} {count:>6} train")
print(f"loaded in {time.perf_counter() - start:.1f} s")

# %%
# Sample images
# -------------
# One row per class: the first eight training images of that class.
train = datasets["Fashion-MNIST"][0]
fig, axes = plt.subplots(10, 8, figsize=(8, 10.5))
for label, row in enumerate(axes):
    for ax, index in zip(row, np.flatnonzero(train.target == label)[:8]):
        ax.imshow(train.images[index], cmap="gray_r")
        ax.set_xticks([])
        ax.set_yticks([])
    row[0].set_ylabel(train.target_names[label], rotation=0, ha="right", va="center")
fig.suptitle("Fashion-MNIST training images by class")
fig.tight_layout()
path = args.output_dir / "fashion_mnist_samples.png"
fig.savefig(path, dpi=80)
print(f"wrote {path}")
