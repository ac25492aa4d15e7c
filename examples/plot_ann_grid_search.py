"""
================================================
Tuning an ANN on Fashion-MNIST with GridSearchCV
================================================

The flagship workflow: a :class:`~sklearn.pipeline.Pipeline` that scales the
pixels (:class:`~skfashion.ImagePreprocessor`) and trains a dense network
(:class:`~skfashion.ANNClassifier`), tuned by
:class:`~sklearn.model_selection.GridSearchCV` over hidden layer sizes,
optimizers and epochs with stratified 3-fold cross-validation. The best
configuration is then trained on the whole training set, of which early
stopping holds out 10% to keep the best epoch, and evaluated on the test set.

To keep the search to a few minutes on a laptop CPU it runs on a stratified
subset of 20,000 training images; the final model trains on 54,000 of the
60,000 and validates on the other 6,000. ``--quick`` shrinks everything
further.
"""

# %%
# Data
# ----
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

from skfashion import ANNClassifier, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist
from skfashion.reporting import (
    CVResultsDisplay,
    PredictionGridDisplay,
    TrainingHistoryDisplay,
    class_report,
    format_cv_results,
)

parser = argparse.ArgumentParser(
    description="Tuning an ANN on Fashion-MNIST with GridSearchCV"
)
parser.add_argument("--quick", action="store_true", help="small data, few epochs")
parser.add_argument("--output-dir", type=Path, default=Path("skfashion-output"))
args, _ = parser.parse_known_args()  # leaves out what Jupyter adds
args.output_dir.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()
train = fetch_fashion_mnist(n_samples=4000 if args.quick else None)
test = fetch_fashion_mnist(subset="test", n_samples=1000 if args.quick else None)
X, y, X_test, y_test = train.data, train.target, test.data, test.target
names = train.target_names
X_search, _, y_search, _ = train_test_split(
    X, y, train_size=1500 if args.quick else 20000, stratify=y, random_state=0
)
print(
    f"search on {len(y_search)} images, final fit on {len(y)} (10% of them held "
    f"out for early stopping), test on {len(y_test)}"
)

# %%
# The grid
# --------
# Parameters of a pipeline step are addressed as ``step__parameter``.
pipe = Pipeline(
    [("pixels", ImagePreprocessor()), ("ann", ANNClassifier(random_state=0))]
)
if args.quick:
    grid = {
        "ann__hidden_layer_sizes": [(32,), (64, 32)],
        "ann__optimizer": ["adam", "sgd"],
        "ann__epochs": [1, 3],
    }
else:
    grid = {
        "ann__hidden_layer_sizes": [(256,), (512, 256)],
        "ann__optimizer": ["adam", "rmsprop"],
        "ann__epochs": [5, 15],
    }
search = GridSearchCV(pipe, grid, cv=3, return_train_score=True)
search.fit(X_search, y_search)

# %%
# Cross-validation report
# -----------------------
print("\nCross-validation results (best first):")
print(format_cv_results(search))
print(f"\nbest parameters: {search.best_params_}")
print(f"best mean CV accuracy: {search.best_score_:.4f}")

display = CVResultsDisplay.from_cv_results(search, x="epochs", hue="hidden_layer_sizes")
display.figure_.savefig(args.output_dir / "cv_results.png", bbox_inches="tight")

# %%
# Final model
# -----------
# The best configuration, trained on the whole training set. Early stopping
# holds out 10% of it to draw validation curves and keep the best epoch.
final = clone(search.best_estimator_).set_params(
    ann__early_stopping=True, ann__n_iter_no_change=5
)
final.fit(X, y)
accuracy = final.score(X_test, y_test)
print(f"\ntest accuracy: {accuracy:.4f} ({final[-1].n_iter_} epochs)")
print(class_report(final, X_test, y_test, target_names=names))

TrainingHistoryDisplay.from_estimator(final).figure_.savefig(
    args.output_dir / "learning_curves.png", bbox_inches="tight"
)

fig, ax = plt.subplots(figsize=(8, 7))
ConfusionMatrixDisplay.from_estimator(
    final, X_test, y_test, display_labels=names, xticks_rotation=45, ax=ax,
    colorbar=False,
)  # fmt: skip
ax.set_title("Confusion matrix (test set)")
fig.savefig(args.output_dir / "confusion_matrix.png", bbox_inches="tight")

grid_display = PredictionGridDisplay.from_estimator(
    final, X_test, y_test, target_names=names, n_images=20, n_cols=5
)
grid_display.figure_.savefig(args.output_dir / "predictions.png", bbox_inches="tight")
errors = PredictionGridDisplay.from_estimator(
    final, X_test, y_test, target_names=names, n_images=10, n_cols=5,
    select="confident_errors",
)  # fmt: skip
errors.figure_.savefig(args.output_dir / "confident_errors.png", bbox_inches="tight")
print(f"wall time: {time.perf_counter() - start:.0f} s")
