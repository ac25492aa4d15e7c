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
import matplotlib

matplotlib.use("Agg")
from _common import elapsed, load_fashion_mnist, parse_args, save, subsample
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from skfashion import CNNClassifier, EmbeddingTransformer, ImagePreprocessor
from skfashion.reporting import EmbeddingDisplay

args = parse_args(__doc__)
X, y, X_test, y_test, names = load_fashion_mnist(args, quick_train=2000)
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
X_show, y_show = subsample(X_test, y_test, 300 if args.quick else 2000)
for method in ("pca", "tsne"):
    display = EmbeddingDisplay.from_estimator(
        cnn, X_show, y_show, method=method, target_names=names
    )
    save(display.figure_, args, f"embeddings_{method}")

# %%
# Embeddings as features
# ----------------------
# The frozen network turns each image into its embedding; a linear model or
# a nearest-neighbour classifier is trained on those.
X_fit, y_fit = subsample(X, y, 2000 if args.quick else 20000)
for head in (LogisticRegression(max_iter=1000), KNeighborsClassifier(10)):
    model = make_pipeline(EmbeddingTransformer(FrozenEstimator(cnn)), head)
    model.fit(X_fit, y_fit)
    score = model.score(X_test, y_test)
    print(f"{type(head).__name__} on CNN embeddings: test accuracy {score:.4f}")
print(f"wall time: {elapsed(args)}")
