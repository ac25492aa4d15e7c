"""
================================================
Tuning an ANN on Fashion-MNIST with GridSearchCV
================================================

The flagship workflow: a :class:`~sklearn.pipeline.Pipeline` that scales the
pixels (:class:`~skfashion.ImagePreprocessor`) and trains a dense network
(:class:`~skfashion.ANNClassifier`), tuned by
:class:`~sklearn.model_selection.GridSearchCV` over hidden layer sizes,
optimizers and epochs with stratified 3-fold cross-validation. The best
configuration is then trained on the whole training set and evaluated on the
test set.

To keep the search to a few minutes on a laptop CPU it runs on a stratified
subset of 20,000 training images; the final model uses all 60,000. ``--quick``
shrinks everything further.
"""

# %%
# Data
# ----
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from _common import elapsed, load_fashion_mnist, parse_args, save, subsample
from sklearn.base import clone
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

from skfashion import ANNClassifier, ImagePreprocessor
from skfashion.reporting import (
    CVResultsDisplay,
    PredictionGridDisplay,
    TrainingHistoryDisplay,
    class_report,
    format_cv_results,
)

args = parse_args(__doc__)
X, y, X_test, y_test, names = load_fashion_mnist(args, quick_train=4000)
X_search, y_search = subsample(X, y, 1500 if args.quick else 20000)
print(f"search on {len(y_search)} images, final fit on {len(y)}, test on {len(y_test)}")

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
save(display.figure_, args, "cv_results")

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

save(TrainingHistoryDisplay.from_estimator(final).figure_, args, "learning_curves")

fig, ax = plt.subplots(figsize=(8, 7))
ConfusionMatrixDisplay.from_estimator(
    final, X_test, y_test, display_labels=names, xticks_rotation=45, ax=ax,
    colorbar=False,
)  # fmt: skip
ax.set_title("Confusion matrix (test set)")
save(fig, args, "confusion_matrix")

grid_display = PredictionGridDisplay.from_estimator(
    final, X_test, y_test, target_names=names, n_images=20, n_cols=5
)
save(grid_display.figure_, args, "predictions")
errors = PredictionGridDisplay.from_estimator(
    final, X_test, y_test, target_names=names, n_images=10, n_cols=5,
    select="confident_errors",
)  # fmt: skip
save(errors.figure_, args, "confident_errors")
print(f"wall time: {elapsed(args)}")
