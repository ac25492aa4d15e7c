"""
=======================================================
TensorBoard: curves, weight histograms and projector
=======================================================

Train a :class:`~skfashion.CNNClassifier` on Fashion-MNIST with Keras'
``TensorBoard`` callback, which logs the learning curves of the training and
validation sets and a histogram of every layer's weights after each epoch.
Then write the last hidden layer of test images for TensorBoard's embedding
projector (:func:`~skfashion.reporting.write_projector`): each point is an
image, named by its class and drawn as its thumbnail, and the projector
clusters them with PCA, t-SNE or UMAP in the browser.

It needs the ``tensorboard`` extra: ``pip install -e ".[tensorboard]"`` from a
clone.
"""

# %%
# Train with the TensorBoard callback
# -----------------------------------
# ``fit`` trains a fresh copy of each callback, so the estimator keeps its
# parameters as given and still clones and pickles after training. The
# callback writes the runs ``train`` and ``validation`` (early stopping holds
# out 10% of the images) into the log folder.
import argparse
import shutil
import time
from pathlib import Path

import keras
import matplotlib

matplotlib.use("Agg")
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skfashion import CNNClassifier, ImagePreprocessor
from skfashion.datasets import fetch_fashion_mnist
from skfashion.reporting import TrainingHistoryDisplay, write_projector

parser = argparse.ArgumentParser(
    description="TensorBoard: curves, weight histograms and projector"
)
parser.add_argument("--quick", action="store_true", help="small data, few epochs")
parser.add_argument("--output-dir", type=Path, default=Path("skfashion-output"))
args, _ = parser.parse_known_args()  # leaves out what Jupyter adds
args.output_dir.mkdir(parents=True, exist_ok=True)
start = time.perf_counter()
log_dir = args.output_dir / "tensorboard"
shutil.rmtree(log_dir, ignore_errors=True)  # one run's logs, not several

train = fetch_fashion_mnist(n_samples=2000 if args.quick else None)
test = fetch_fashion_mnist(subset="test", n_samples=1000 if args.quick else None)
board = keras.callbacks.TensorBoard(log_dir=str(log_dir), histogram_freq=1)
cnn = make_pipeline(
    ImagePreprocessor(output="image"),
    CNNClassifier(
        epochs=2 if args.quick else 11,
        early_stopping=True,
        callbacks=[board],
        random_state=0,
    ),
).fit(train.data, train.target)
print(f"CNN test accuracy: {cnn.score(test.data, test.target):.4f}")

# %%
# The same curves, drawn here
# ---------------------------
# The fitted ``history_`` holds what the callback logged as scalars.
display = TrainingHistoryDisplay.from_estimator(cnn)
display.figure_.savefig(
    args.output_dir / "tensorboard_history.png", bbox_inches="tight"
)

# %%
# The last hidden layer in the projector
# --------------------------------------
# A stratified sample of test images: their activations, their true and
# predicted class names, and a sprite of their thumbnails.
X_show, _, y_show, _ = train_test_split(
    test.data,
    test.target,
    train_size=300 if args.quick else 2000,
    stratify=test.target,
    random_state=0,
)
config = write_projector(
    cnn, X_show, log_dir, y=y_show, target_names=train.target_names
)
print(f"projector files: {sorted(p.name for p in log_dir.iterdir() if p.is_file())}")
print(f"wall time: {time.perf_counter() - start:.0f} s")

# %%
# Open TensorBoard
# ----------------
# Run this command, then open the address it prints: the "Scalars", "Time
# Series" and "Histograms" tabs show the training, the "Projector" tab (in
# the drop-down menu) the embeddings.
print(f"tensorboard --logdir {log_dir.resolve()}")
