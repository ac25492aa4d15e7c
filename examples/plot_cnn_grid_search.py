"""
=================================================
Tuning a CNN on Fashion-MNIST with GridSearchCV
=================================================

The same workflow as the ANN example, for
:class:`~skfashion.CNNClassifier`: the pipeline scales the pixels and shapes
them as 28x28 images; the search tunes the convolution filters, dropout, the
optimizer and the number of epochs with stratified 3-fold cross-validation
on a 6,000-image subset, and the best configuration is trained on all 60,000
training images. ``--quick`` shrinks everything.
"""

# %%
# Data and grid
# -------------
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from _common import elapsed, load_fashion_mnist, parse_args, save, subsample
from sklearn.base import clone
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skfashion import CNNClassifier, ImagePreprocessor
from skfashion.reporting import (
    CVResultsDisplay,
    PredictionGridDisplay,
    TrainingHistoryDisplay,
    class_report,
    format_cv_results,
)

args = parse_args(__doc__)
X, y, X_test, y_test, names = load_fashion_mnist(args, quick_train=3000)
X_search, y_search = subsample(X, y, 900 if args.quick else 6000)

pipe = Pipeline(
    [
        ("pixels", ImagePreprocessor(output="image")),
        ("cnn", CNNClassifier(random_state=0)),
    ]
)
if args.quick:
    grid = {
        "cnn__filters": [(4,), (8, 16)],
        "cnn__dropout": [0.25],
        "cnn__optimizer": ["adam", "rmsprop"],
        "cnn__epochs": [1, 2],
    }
else:
    grid = {
        "cnn__filters": [(16, 32), (32, 64)],
        "cnn__dropout": [0.25, 0.4],
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
save(heatmap.figure_, args, "cnn_cv_heatmap")
lines = CVResultsDisplay.from_cv_results(search, x="epochs", hue="optimizer")
save(lines.figure_, args, "cnn_cv_results")

# %%
# Final model on the full training set
# ------------------------------------
final = clone(search.best_estimator_).set_params(
    cnn__early_stopping=True, cnn__n_iter_no_change=3
)
final.fit(X, y)
print(f"\ntest accuracy: {final.score(X_test, y_test):.4f}")
print(class_report(final, X_test, y_test, target_names=names))
save(TrainingHistoryDisplay.from_estimator(final).figure_, args, "cnn_learning_curves")
fig, ax = plt.subplots(figsize=(8, 7))
ConfusionMatrixDisplay.from_estimator(
    final, X_test, y_test, display_labels=names, xticks_rotation=45, ax=ax,
    colorbar=False,
)  # fmt: skip
save(fig, args, "cnn_confusion_matrix")
predictions = PredictionGridDisplay.from_estimator(
    final, X_test, y_test, target_names=names, n_images=20, n_cols=5
)
save(predictions.figure_, args, "cnn_predictions")
print(f"wall time: {elapsed(args)}")
