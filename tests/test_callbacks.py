"""fit never changes the ``callbacks`` parameter: it trains fresh copies.

Keras binds a callback to the model it trains and leaves state on it (a
TensorBoard callback keeps its writers and a module), so training the user's
objects broke clone, pickle, cross-validation and searches after a fit.
"""

import pickle
import threading

import joblib
import keras
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score

from skfashion import ANNClassifier, EmbeddingTransformer


class EpochLog(keras.callbacks.Callback):
    """A custom callback that keeps its record outside itself, in a file."""

    def __init__(self, path):
        super().__init__()
        self.path = str(path)

    def on_epoch_end(self, epoch, logs=None):
        with open(self.path, "a") as f:
            f.write(f"{epoch} {logs['loss']:.6f}\n")


CALLBACKS = {
    "TensorBoard": lambda d: keras.callbacks.TensorBoard(str(d / "logs")),
    "EarlyStopping": lambda d: keras.callbacks.EarlyStopping(
        monitor="loss", patience=1, restore_best_weights=True
    ),
    "ModelCheckpoint": lambda d: keras.callbacks.ModelCheckpoint(str(d / "best.keras")),
    "EpochLog": lambda d: EpochLog(d / "epochs.txt"),
}


def _written(name, folder):
    """What the callback left on disk: proof that its copy ran."""
    if name == "TensorBoard":
        return any((folder / "logs" / "train").glob("events.out.tfevents.*"))
    if name == "ModelCheckpoint":
        return (folder / "best.keras").is_file()
    if name == "EpochLog":
        return (folder / "epochs.txt").read_text().count("\n") >= 2
    return True


@pytest.mark.parametrize("name", sorted(CALLBACKS))
def test_fit_with_callback_leaves_the_parameter_as_it_was(name, digits, tmp_path):
    X, y, _ = digits
    X, y = X[:300], y[:300]
    callback = CALLBACKS[name](tmp_path)
    before = pickle.dumps(callback)
    est = ANNClassifier(
        hidden_layer_sizes=(8,), epochs=2, callbacks=[callback], random_state=0
    ).fit(X, y)
    assert est.callbacks[0] is callback
    assert pickle.dumps(callback) == before  # the user's object is untouched
    assert _written(name, tmp_path)

    assert clone(est).get_params()["callbacks"][0] is not callback
    restored = pickle.loads(pickle.dumps(est))
    assert_array_equal(restored.predict(X), est.predict(X))
    joblib.dump(est, tmp_path / "est.joblib")
    assert_array_equal(joblib.load(tmp_path / "est.joblib").predict(X), est.predict(X))
    scores = cross_val_score(est, X, y, cv=2)
    assert scores.shape == (2,) and np.isfinite(scores).all()
    search = GridSearchCV(est, {"alpha": [1e-4, 1e-3]}, cv=2).fit(X, y)
    pickle.dumps(search)
    clone(search)
    embed = EmbeddingTransformer(est).fit(X, y)
    assert embed.transform(X[:3]).shape == (3, 8)
    assert pickle.dumps(callback) == before


def test_each_fit_trains_a_fresh_copy(digits, tmp_path):
    X, y, _ = digits
    log = tmp_path / "epochs.txt"
    est = ANNClassifier(
        hidden_layer_sizes=(8,), epochs=2, callbacks=[EpochLog(log)], random_state=0
    )
    est.fit(X[:200], y[:200]).fit(X[:200], y[:200])
    # Two fits of two epochs, each numbered from 0 by its own copy.
    assert [line.split()[0] for line in log.read_text().splitlines()] == [
        "0",
        "1",
        "0",
        "1",
    ]


class Locked(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()


def test_a_callback_that_cannot_be_copied_is_a_clear_error(digits):
    X, y, _ = digits
    est = ANNClassifier(hidden_layer_sizes=(8,), epochs=1, random_state=0)
    est.fit(X[:100], y[:100])
    model = est.model_
    est.set_params(callbacks=[keras.callbacks.History(), Locked()])
    with pytest.raises(TypeError, match=r"callbacks\[1\] \(Locked\) cannot be copied"):
        est.fit(X[:100], y[:100])
    assert est.model_ is model  # the failed fit changed nothing
