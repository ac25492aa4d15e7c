"""label_smoothing: the loss it trains on, saved and loaded, checked."""

import io

import keras
import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skfashion import ANNClassifier, CNNClassifier
from skfashion._keras.losses import SmoothedSparseCrossentropy, training_loss
from skfashion.io import dump, load

FAST = dict(hidden_layer_sizes=(32,), epochs=8, batch_size=64, random_state=0)


def test_the_loss_is_keras_categorical_crossentropy_with_smoothing():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(20, 5)).astype("float32")
    y_pred = keras.ops.softmax(logits)
    y = rng.integers(0, 5, size=20)
    expected = keras.losses.CategoricalCrossentropy(label_smoothing=0.2)(
        np.eye(5, dtype="float32")[y], y_pred
    )
    got = SmoothedSparseCrossentropy(0.2)(y, y_pred)
    np.testing.assert_allclose(float(got), float(expected), rtol=1e-6)
    # Without smoothing, Keras' own sparse cross-entropy.
    assert training_loss(0.0) == "sparse_categorical_crossentropy"
    plain = keras.losses.SparseCategoricalCrossentropy()(y, y_pred)
    np.testing.assert_allclose(
        float(SmoothedSparseCrossentropy(0.0)(y, y_pred)), float(plain), rtol=1e-6
    )


@pytest.mark.parametrize("estimator", [ANNClassifier, CNNClassifier])
def test_fit_trains_on_the_smoothed_loss(estimator, digits):
    X, y, _ = digits
    params = dict(FAST)
    if estimator is CNNClassifier:
        params.update(filters=(8,), hidden_layer_sizes=(16,), augmentation=None,
                      learning_rate_init=0.01)  # fmt: skip
    sharp = estimator(**params, label_smoothing=0.0).fit(X, y)
    smooth = estimator(**params, label_smoothing=0.3).fit(X, y)
    assert sharp.model_.loss == "sparse_categorical_crossentropy"
    assert smooth.model_.loss.label_smoothing == 0.3
    # Smoothed targets keep the probabilities away from 1: at its minimum,
    # the loss puts 0.7 + 0.3 / 10 on the true class.
    smooth_top = smooth.predict_proba(X).max(axis=1).mean()
    sharp_top = sharp.predict_proba(X).max(axis=1).mean()
    assert smooth_top < min(0.8, sharp_top - 0.1), (smooth_top, sharp_top)
    assert smooth.score(X, y) > 0.9
    # The loss is saved with the network, without pickle.
    buffer = io.BytesIO()
    dump(smooth, buffer)
    loaded = load(io.BytesIO(buffer.getvalue()))
    assert loaded.model_.loss.label_smoothing == 0.3
    np.testing.assert_array_equal(loaded.predict_proba(X), smooth.predict_proba(X))


def test_both_classifiers_smooth_by_default():
    assert ANNClassifier().label_smoothing == 0.1
    assert CNNClassifier().label_smoothing == 0.1


@pytest.mark.parametrize("value", [1.0, -0.1, "0.1"])
def test_invalid_label_smoothing(value, digits):
    X, y, _ = digits
    with pytest.raises(InvalidParameterError, match="label_smoothing"):
        ANNClassifier(**FAST, label_smoothing=value).fit(X, y)
