"""The core's guarantees: transactional fits, the forward pass, eager short
fits and an honest progress bar."""

import copy
import re

import keras
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skfashion import ANNClassifier, CNNClassifier
from skfashion._keras.training import EAGER_MAX_STEPS

FAST = dict(hidden_layer_sizes=(16,), epochs=2, batch_size=64,
            learning_rate_init=0.01, random_state=0)  # fmt: skip


@pytest.fixture(scope="module")
def fitted(digits):
    """An ANN fitted on the 10 digit classes, and one that warm-starts."""
    X, y, _ = digits
    return {
        "fit": ANNClassifier(**FAST).fit(X, y),
        "warm": ANNClassifier(**FAST, warm_start=True).fit(X, y),
        "partial": ANNClassifier(**FAST).partial_fit(X, y, classes=np.arange(10)),
    }


def state(est, X):
    """Everything a failed call must leave as it was."""
    optimizer = est.model_.optimizer
    return {
        "classes_": est.classes_.copy(),
        "model_": est.model_,
        "history_": copy.deepcopy(est.history_),
        "n_iter_": est.n_iter_,
        "loss_curve_": list(est.loss_curve_),
        "n_features_in_": est.n_features_in_,
        "weights": [w.copy() for w in est.model_.get_weights()],
        "optimizer": [np.array(v) for v in optimizer.variables],
        "proba": est.predict_proba(X),
    }


def assert_same_state(est, before, X):
    after = state(est, X)
    assert after["model_"] is before["model_"]
    assert_array_equal(after["classes_"], before["classes_"])
    for key in ("history_", "n_iter_", "loss_curve_", "n_features_in_"):
        assert after[key] == before[key], key
    for key in ("weights", "optimizer"):
        for a, b in zip(after[key], before[key], strict=True):
            assert_array_equal(a, b, err_msg=key)
    assert_array_equal(after["proba"], before["proba"])  # bit-identical


class Raise(keras.callbacks.Callback):
    """Raise ``error`` at the end of training batch ``at`` (after an update)."""

    def __init__(self, error, at=0):
        super().__init__()
        self.error, self.at = error, at

    def on_train_batch_end(self, batch, logs=None):
        if batch >= self.at:
            raise self.error


def _call(kind, est, X, y):
    if kind == "partial":
        return est.partial_fit(X, y)
    return est.fit(X, y)


ERRORS = [
    pytest.param(RuntimeError("a Keras error mid-training"), id="error"),
    pytest.param(KeyboardInterrupt(), id="interrupt"),
]


@pytest.mark.parametrize("kind", ["fit", "warm", "partial"])
@pytest.mark.parametrize("error", ERRORS)
def test_failed_training_leaves_the_fit_as_it_was(kind, error, fitted, digits):
    X, y, _ = digits
    est = copy.deepcopy(fitted[kind])
    before = state(est, X)
    est.set_params(callbacks=[Raise(error, at=0)])
    with pytest.raises(type(error)):
        _call(kind, est, X, y)
    assert_same_state(est, before, X)
    # Training goes on from the same state afterwards.
    est.set_params(callbacks=None)
    _call(kind, est, X, y)
    n_iter = before["n_iter_"]
    assert est.n_iter_ == {"fit": 2, "warm": n_iter + 2, "partial": n_iter + 1}[kind]


@pytest.mark.parametrize("kind", ["fit", "warm", "partial"])
def test_failed_build_or_data_leaves_the_fit_as_it_was(kind, fitted, digits):
    X, y, _ = digits
    est = copy.deepcopy(fitted[kind])
    before = state(est, X)
    three = y < 3
    if kind != "partial":  # partial_fit checks parameters on its first call
        # A 3-class refit whose network cannot be built.
        est.set_params(hidden_layer_sizes=(0,))
        with pytest.raises(ValueError, match="positive integers"):
            _call(kind, est, X[three], y[three])
        est.set_params(hidden_layer_sizes=(16,))
    if kind == "fit":  # building fails after the data was validated
        other = copy.deepcopy(est).set_params(optimizer__nonsense=1)
        other_before = state(other, X)
        with pytest.raises(ValueError, match="optimizer__ settings"):
            other.fit(X[three], y[three])
        assert_same_state(other, other_before, X)
    # Bad data: NaN; for a kept network, other features or unseen labels.
    bad = [(np.full_like(X, np.nan), y), (X[:, :10], y), (X, y + 20)]
    for X_bad, y_bad in bad[: 1 if kind == "fit" else 3]:
        with pytest.raises(ValueError):
            _call(kind, est, X_bad, y_bad)
    assert_same_state(est, before, X)


def test_refit_that_fails_keeps_feature_names(digits):
    import pandas as pd

    X, y, _ = digits
    frame = pd.DataFrame(X, columns=[f"p{i}" for i in range(64)])
    est = ANNClassifier(**FAST).fit(frame, y)
    est.set_params(callbacks=[Raise(RuntimeError("stop"))])
    with pytest.raises(RuntimeError):
        est.fit(X[:, :32], y)  # no names, fewer features
    assert est.n_features_in_ == 64
    assert list(est.feature_names_in_) == list(frame.columns)


def test_forward_pass_matches_keras_and_honours_batch_size(fitted, digits, monkeypatch):
    X, _, _ = digits
    est = copy.deepcopy(fitted["fit"])
    expected = est.model_.predict(X, verbose=0)
    assert_allclose(est.predict_proba(X), expected, rtol=1e-5, atol=1e-7)
    sizes = []
    real = est.model_.predict_on_batch

    def spy(x):
        sizes.append(len(x))
        return real(x)

    monkeypatch.setattr(est.model_, "predict_on_batch", spy)
    est.set_params(predict__batch_size=500)
    assert_allclose(est.predict_proba(X), expected, rtol=1e-5, atol=1e-7)
    assert sizes == [500, 500, 500, 297]
    sizes.clear()
    est.set_params(predict__batch_size=None)
    est.predict(X[:1])
    assert sizes == [1]


class RecordMode(keras.callbacks.Callback):
    """Records into a class-level list: each fit trains a copy of it."""

    seen = []

    def on_train_begin(self, logs=None):
        RecordMode.seen.append(self.model.run_eagerly)


@pytest.mark.parametrize(
    "n, epochs, options, eager",
    [
        (200, 1, {}, True),  # one step
        (64 * EAGER_MAX_STEPS, 1, {}, True),  # exactly the limit
        (64 * EAGER_MAX_STEPS + 1, 1, {}, False),
        (200, 1, {"compile__run_eagerly": False}, False),
    ],
)
def test_short_fits_run_eagerly(n, epochs, options, eager):
    rng = np.random.default_rng(0)
    X = rng.random((n, 8), dtype=np.float32)
    y = np.arange(n) % 3
    RecordMode.seen.clear()
    est = ANNClassifier(
        **{**FAST, "epochs": epochs}, callbacks=[RecordMode()], **options
    ).fit(X, y)
    assert RecordMode.seen == [eager]
    assert est.model_.run_eagerly is False  # predictions are compiled


def _counts(text):
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # colours
    return [tuple(map(int, m)) for m in re.findall(r"(\d+)/(\d+) ", text)]


@pytest.mark.parametrize("n", [200, 1797])  # one eager step; 29 compiled
def test_progress_bar_never_passes_its_total(n, digits, capfd):
    X, y, _ = digits
    CNNClassifier(
        filters=(2,), hidden_layer_sizes=(4,), epochs=2, batch_size=64, verbose=1
    ).fit(X[:n], y[:n])
    counts = _counts(capfd.readouterr().out)
    total = -(-n // 64)
    assert counts and all(done <= of == total for done, of in counts)
    assert counts[-1] == (total, total)
