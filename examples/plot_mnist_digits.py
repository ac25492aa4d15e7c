"""
=========================================
The same estimators on MNIST digits
=========================================

skfashion's estimators are not specific to Fashion-MNIST: here the default
:class:`~skfashion.ANNClassifier` and a shortened
:class:`~skfashion.CNNClassifier` learn handwritten digits, with a per-class
report, confusion matrices and the most confidently misclassified digits.
"""

# %%
# Data
# ----
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from _common import elapsed, parse_args, save, subsample
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.pipeline import make_pipeline

from skfashion import ANNClassifier, CNNClassifier, ImagePreprocessor
from skfashion.datasets import fetch_mnist
from skfashion.reporting import PredictionGridDisplay, class_report

args = parse_args(__doc__)
train, test = fetch_mnist(), fetch_mnist(subset="test")
X, y, X_test, y_test = train.data, train.target, test.data, test.target
if args.quick:
    X, y = subsample(X, y, 3000)
    X_test, y_test = subsample(X_test, y_test, 1000)

# %%
# Two models
# ----------
models = {
    "ann": make_pipeline(
        ImagePreprocessor(),
        ANNClassifier(epochs=2 if args.quick else 15, random_state=0),
    ),
    "cnn": make_pipeline(
        ImagePreprocessor(output="image"),
        CNNClassifier(epochs=1 if args.quick else 4, random_state=0),
    ),
}
fig, axes = plt.subplots(1, 2, figsize=(12, 5.5))
for ax, (name, model) in zip(axes, models.items()):
    model.fit(X, y)
    print(f"\n{name.upper()}: test accuracy {model.score(X_test, y_test):.4f}")
    print(class_report(model, X_test, y_test, target_names=train.target_names))
    ConfusionMatrixDisplay.from_estimator(
        model, X_test, y_test, display_labels=train.target_names, ax=ax,
        colorbar=False,
    )  # fmt: skip
    ax.set_title(f"{name.upper()} confusion matrix")
save(fig, args, "mnist_confusion_matrices")

# %%
# The CNN's most confident mistakes
# ---------------------------------
errors = PredictionGridDisplay.from_estimator(
    models["cnn"], X_test, y_test, target_names=train.target_names,
    n_images=12, n_cols=6, select="confident_errors",
)  # fmt: skip
save(errors.figure_, args, "mnist_confident_errors")
print(f"wall time: {elapsed(args)}")
