"""
=========================================
Your own images: a folder of files
=========================================

A classifier for pictures of your own, from a folder with one subfolder
per class, as Keras' ``image_dataset_from_directory`` reads it. To have
real files to load, this example first writes Fashion-MNIST test images to
a temporary folder, in four formats (PNG, JPEG, WebP, BMP) and three sizes;
point :func:`~skfashion.datasets.load_image_folder` at your own folder
instead.

The images are resized to one size and loaded as uint8 pixels;
``rescale=1/255`` scales them inside the network, so no float copy of the
images is made. A validation set of our own (``X_val``, ``y_val``) drives
early stopping in every candidate of a ``GridSearchCV``, through
scikit-learn's metadata routing. ``--quick`` uses fewer images and epochs.
"""

# %%
# A folder of image files
# -----------------------
import argparse
import shutil
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import sklearn
from PIL import Image
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import GridSearchCV, train_test_split

from skfashion import CNNClassifier
from skfashion.datasets import fetch_fashion_mnist, load_image_folder
from skfashion.reporting import CVResultsDisplay, PredictionGridDisplay

parser = argparse.ArgumentParser(description="Your own images")
parser.add_argument("--quick", action="store_true", help="few images and epochs")
parser.add_argument("--output-dir", type=Path, default=Path("skfashion-output"))
args, _ = parser.parse_known_args()  # leaves out what Jupyter adds
args.output_dir.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()

source = fetch_fashion_mnist(subset="test", n_samples=1500 if args.quick else 10000)
folder = Path(tempfile.mkdtemp(prefix="skfashion-images-"))
formats = [("png", {}), ("jpeg", {"quality": 90}), ("webp", {}), ("bmp", {})]
for i, (image, label) in enumerate(zip(source.images, source.target)):
    name = source.target_names[label].replace("/", "-")  # "T-shirt/top"
    fmt, options = formats[i % 4]
    side = (28, 32, 40)[i % 3]
    path = folder / name / f"{i:05d}.{fmt}"
    path.parent.mkdir(exist_ok=True)
    Image.fromarray(image).resize((side, side)).save(path, **options)
print(f"wrote {len(source.target)} files to {folder}")

# %%
# Loading
# -------
# ``image_size`` resizes every file to 32x32 (bilinear); the classes are
# the subfolders, in sorted order.
bunch = load_image_folder(folder, image_size=(32, 32), color_mode="grayscale")
print(bunch.DESCR)
X, y = bunch.images, bunch.target  # uint8, (n, 32, 32)
X_rest, X_test, y_rest, y_test = train_test_split(
    X, y, test_size=0.2, stratify=y, random_state=0
)
X_train, X_val, y_train, y_val = train_test_split(
    X_rest, y_rest, test_size=0.15, stratify=y_rest, random_state=0
)

# %%
# Tuning with a validation set of our own
# ---------------------------------------
# ``set_fit_request`` asks the search to pass ``X_val`` and ``y_val`` to the
# classifier's ``fit``: every candidate, on every fold, stops early on the
# same validation images, and none of them is split off the training folds.
sklearn.set_config(enable_metadata_routing=True)
cnn = CNNClassifier(
    filters=(16, 32),
    epochs=2 if args.quick else 12,
    rescale=1 / 255,
    early_stopping=True,
    n_iter_no_change=3,
    random_state=0,
).set_fit_request(X_val=True, y_val=True)
search = GridSearchCV(
    cnn, {"hidden_layer_sizes": [(64,), (128,)], "dropout": [0.0, 0.25]}, cv=3
)
search.fit(X_train, y_train, X_val=X_val, y_val=y_val)
sklearn.set_config(enable_metadata_routing=False)
print(f"best parameters: {search.best_params_}")
print(f"test accuracy: {search.score(X_test, y_test):.4f}")

CVResultsDisplay.from_cv_results(search, x="hidden_layer_sizes", hue="dropout")
plt.savefig(args.output_dir / "image_folder_cv_results.png", dpi=100)

# %%
# Evaluation
# ----------
names = bunch.target_names
fig, ax = plt.subplots(figsize=(7, 6))
ConfusionMatrixDisplay.from_estimator(
    search.best_estimator_,
    X_test,
    y_test,
    display_labels=names,
    xticks_rotation=45,
    ax=ax,
    colorbar=False,
)
fig.tight_layout()
fig.savefig(args.output_dir / "image_folder_confusion_matrix.png", dpi=100)

PredictionGridDisplay.from_estimator(
    search.best_estimator_, X_test[:12], y_test[:12], target_names=names
)
plt.savefig(args.output_dir / "image_folder_predictions.png", dpi=100)
shutil.rmtree(folder)  # the example's files; yours stay where they are
print(f"wall time: {time.perf_counter() - start:.0f} s")
