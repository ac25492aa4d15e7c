"""
=================================================
Tuning a CNN on Fashion-MNIST with GridSearchCV
=================================================

The same workflow as the ANN example, for
:class:`~skfashion.CNNClassifier`: the pipeline scales the pixels and shapes
them as 28x28 images; the search tunes the convolution filters, dropout, the
optimizer and the number of epochs with stratified 3-fold cross-validation
on a 6,000-image subset, and the best configuration is trained on the 60,000
training images, of which early stopping holds out 10% (6,000) to keep the
best epoch. ``--quick`` shrinks everything.
"""

# %%
# Data and grid
# -------------
import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.base import clone
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline

from skfashion import CNNClassifier, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist
from skfashion.reporting import (
    CVResultsDisplay,
    PredictionGridDisplay,
    TrainingHistoryDisplay,
    class_report,
    format_cv_results,
)

parser = argparse.ArgumentParser(
    description="Tuning a CNN on Fashion-MNIST with GridSearchCV"
)
parser.add_argument("--quick", action="store_true", help="small data, few epochs")
parser.add_argument("--output-dir", type=Path, default=Path("skfashion-output"))
args, _ = parser.parse_known_args()  # leaves out what Jupyter adds
args.output_dir.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()
train = fetch_fashion_mnist(n_samples=3000 if args.quick else None)
test = fetch_fashion_mnist(subset="test", n_samples=1000 if args.quick else None)
X, y, X_test, y_test = train.data, train.target, test.data, test.target
names = train.target_names
X_search, _, y_search, _ = train_test_split(
    X, y, train_size=900 if args.quick else 6000, stratify=y, random_state=0
)

pipe = Pipeline(
    [
        ("pixels", ImagePreprocessor(output="image")),
        ("cnn", CNNClassifier(random_state=0)),
    ]
)
if args.quick:
    grid = {
        "cnn__filters": [(4,), (8, 16)],
        "cnn__dropout": [0.0],
        "cnn__optimizer": ["adam", "rmsprop"],
        "cnn__epochs": [1, 2],
    }
else:
    grid = {
        "cnn__filters": [(16, 32), (32, 64)],
        "cnn__dropout": [0.0, 0.25],
        "cnn__optimizer": ["adam", "rmsprop"],
        "cnn__epochs": [3, 6],
    }
print(f"search on {len(y_search)} images over {len(grid)} parameters")
search = GridSearchCV(pipe, grid, cv=3).fit(X_search, y_search)

# %%
# Cross-validation report
# -----------------------
print(format_cv_results(search))
print(f"\nbest parameters: {search.best_params_}")
print(f"best mean CV accuracy: {search.best_score_:.4f}")
heatmap = CVResultsDisplay.from_cv_results(
    search, x="filters", hue="dropout", kind="heatmap"
)
heatmap.figure_.savefig(args.output_dir / "cnn_cv_heatmap.png", bbox_inches="tight")
lines = CVResultsDisplay.from_cv_results(search, x="epochs", hue="optimizer")
lines.figure_.savefig(args.output_dir / "cnn_cv_results.png", bbox_inches="tight")

# %%
# Final model on the full training set
# ------------------------------------
final = clone(search.best_estimator_).set_params(
    cnn__early_stopping=True, cnn__n_iter_no_change=3
)
final.fit(X, y)
print(f"\ntest accuracy: {final.score(X_test, y_test):.4f}")
print(class_report(final, X_test, y_test, target_names=names))
TrainingHistoryDisplay.from_estimator(final).figure_.savefig(
    args.output_dir / "cnn_learning_curves.png", bbox_inches="tight"
)
fig, ax = plt.subplots(figsize=(8, 7))
ConfusionMatrixDisplay.from_estimator(
    final, X_test, y_test, display_labels=names, xticks_rotation=45, ax=ax,
    colorbar=False,
)  # fmt: skip
fig.savefig(args.output_dir / "cnn_confusion_matrix.png", bbox_inches="tight")
predictions = PredictionGridDisplay.from_estimator(
    final, X_test, y_test, target_names=names, n_images=20, n_cols=5
)
predictions.figure_.savefig(
    args.output_dir / "cnn_predictions.png", bbox_inches="tight"
)
print(f"wall time: {time.perf_counter() - start:.0f} s")
