"""
=========================================================
Embeddings: how the classes cluster in the last layer
=========================================================

Train a :class:`~skfashion.CNNClassifier` on Fashion-MNIST, project the
activations of its last hidden layer to two dimensions with PCA and t-SNE
(:class:`~skfashion.reporting.EmbeddingDisplay`, the static counterpart of
TensorBoard's projector), then use them as features for other scikit-learn
classifiers (:class:`~skfashion.EmbeddingTransformer`).
"""

# %%
# Train the network
# -----------------
import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from skfashion import CNNClassifier, EmbeddingTransformer, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist
from skfashion.reporting import EmbeddingDisplay

parser = argparse.ArgumentParser(
    description="Embeddings: how the classes cluster in the last layer"
)
parser.add_argument("--quick", action="store_true", help="small data, few epochs")
parser.add_argument("--output-dir", type=Path, default=Path("skfashion-output"))
args, _ = parser.parse_known_args()  # leaves out what Jupyter adds
args.output_dir.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()
train = fetch_fashion_mnist(n_samples=2000 if args.quick else None)
test = fetch_fashion_mnist(subset="test", n_samples=1000 if args.quick else None)
X, y, X_test, y_test = train.data, train.target, test.data, test.target
names = train.target_names
cnn = make_pipeline(
    ImagePreprocessor(output="image"),
    CNNClassifier(epochs=1 if args.quick else 5, random_state=0),
).fit(X, y)
print(f"CNN test accuracy: {cnn.score(X_test, y_test):.4f}")

# %%
# The last hidden layer in two dimensions
# ---------------------------------------
# Each point is a test image, placed by the activations of the dense layer
# before the softmax and coloured by its true class.
X_show, _, y_show, _ = train_test_split(
    X_test,
    y_test,
    train_size=300 if args.quick else 2000,
    stratify=y_test,
    random_state=0,
)
for method in ("pca", "tsne"):
    display = EmbeddingDisplay.from_estimator(
        cnn, X_show, y_show, method=method, target_names=names
    )
    display.figure_.savefig(
        args.output_dir / f"embeddings_{method}.png", bbox_inches="tight"
    )

# %%
# Embeddings as features
# ----------------------
# The frozen network turns each image into its embedding; a linear model or
# a nearest-neighbour classifier is trained on those.
X_fit, y_fit = (X, y) if args.quick else (X[:20000], y[:20000])
for head in (LogisticRegression(max_iter=1000), KNeighborsClassifier(10)):
    model = make_pipeline(EmbeddingTransformer(FrozenEstimator(cnn)), head)
    model.fit(X_fit, y_fit)
    score = model.score(X_test, y_test)
    print(f"{type(head).__name__} on CNN embeddings: test accuracy {score:.4f}")
print(f"wall time: {time.perf_counter() - start:.0f} s")
