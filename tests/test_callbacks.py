"""fit never changes the ``callbacks`` parameter: it trains fresh copies.

Keras binds a callback to the model it trains and leaves state on it (a
TensorBoard callback keeps its writers and a module), so training the user's
objects broke clone, pickle, cross-validation and searches after a fit. The
copies are shallow: what a callback was given (an Optuna trial, a list) is
shared, so that what it reports reaches the user.
"""

import pickle

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


class Uncopyable(keras.callbacks.Callback):
    def __copy__(self):
        raise TypeError("this callback is one of a kind")


def test_a_callback_that_cannot_be_copied_is_a_clear_error(digits):
    X, y, _ = digits
    est = ANNClassifier(hidden_layer_sizes=(8,), epochs=1, random_state=0)
    est.fit(X[:100], y[:100])
    model = est.model_
    est.set_params(callbacks=[keras.callbacks.History(), Uncopyable()])
    with pytest.raises(
        TypeError, match=r"callbacks\[1\] \(Uncopyable\) cannot be copied"
    ):
        est.fit(X[:100], y[:100])
    assert est.model_ is model  # the failed fit changed nothing


class Recorder(keras.callbacks.Callback):
    """A custom callback that reports to objects it was given."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(epoch)


def test_a_callback_reaches_the_objects_it_was_given(digits):
    X, y, _ = digits
    seen = []
    callback = Recorder(seen)
    est = ANNClassifier(
        hidden_layer_sizes=(8,), epochs=3, callbacks=[callback], random_state=0
    )
    est.fit(X[:200], y[:200])
    assert seen == [0, 1, 2]
    assert est.callbacks[0] is callback and callback.epochs is seen
    assert getattr(callback, "_model", None) is None  # Keras bound the copy
    pickle.dumps(est)
    assert clone(est).get_params()["callbacks"][0] is not callback


def test_optuna_pruning_reports_every_epoch_and_prunes(digits):
    """optuna-integration's KerasPruningCallback, used as Optuna documents
    it, with Optuna's default in-memory storage."""
    import optuna
    from optuna_integration import KerasPruningCallback

    X, y, _ = digits
    X, y = X[:400], y[:400]
    fitted = {}

    def objective(trial):
        est = ANNClassifier(
            hidden_layer_sizes=(16,),
            epochs=4,
            learning_rate_init=trial.suggest_float("lr", 1e-7, 1e-1, log=True),
            early_stopping=True,
            n_iter_no_change=10,
            callbacks=[KerasPruningCallback(trial, "val_loss")],
            random_state=0,
        )
        est.fit(X, y)
        fitted[trial.number] = est
        return est.history_["val_loss"][-1]

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        pruner=optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=0)
    )
    study.enqueue_trial({"lr": 1e-2})  # learns
    study.enqueue_trial({"lr": 1e-7})  # does not: pruned at its first epoch
    study.optimize(objective, n_trials=2)

    first, second = study.trials
    assert first.state == optuna.trial.TrialState.COMPLETE
    assert first.intermediate_values == dict(enumerate(fitted[0].history_["val_loss"]))
    assert len(first.intermediate_values) == 4
    assert second.state == optuna.trial.TrialState.PRUNED
    assert list(second.intermediate_values) == [0]
    assert 1 not in fitted  # the pruned fit raised, as Optuna expects
    # The fitted estimator still clones, pickles and cross-validates.
    est = fitted[0]
    assert clone(est).get_params()["callbacks"][0] is not est.callbacks[0]
    pickle.loads(pickle.dumps(est))
    assert cross_val_score(clone(est).set_params(callbacks=None), X, y, cv=2).shape == (
        2,
    )
