"""CNNClassifier(augmentation=...): training only, seeded, checked."""

import io

import keras
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.model_selection import cross_validate
from sklearn.utils._param_validation import InvalidParameterError

from skfashion import CNNClassifier
from skfashion.io import dump

FAST = dict(filters=(4,), hidden_layer_sizes=(16,), epochs=2, batch_size=128,
            learning_rate_init=0.01, random_state=0)  # fmt: skip


@pytest.fixture(scope="module")
def augmented(digits):
    X, y, _ = digits
    return CNNClassifier(**FAST, augmentation="standard").fit(X, y)


def test_augmentation_acts_only_while_training(augmented, digits):
    X, _, images = digits
    model = augmented.model_
    last = model.get_layer("augment_1")  # flip, then translation
    probe = keras.Model(model.inputs, last.output)
    x = X[:64]
    assert_array_equal(probe.predict_on_batch(x), images[:64, :, :, None])
    trained = keras.ops.convert_to_numpy(probe(x, training=True))
    assert not np.array_equal(trained, images[:64, :, :, None])
    # Predictions are deterministic: nothing random runs in them.
    assert_array_equal(augmented.predict_proba(X), augmented.predict_proba(X))


def test_augmentation_is_seeded(augmented, digits):
    X, y, _ = digits
    again = CNNClassifier(**FAST, augmentation="standard").fit(X, y)
    assert_array_equal(again.predict_proba(X), augmented.predict_proba(X))
    other = CNNClassifier(**{**FAST, "random_state": 1}, augmentation="standard")
    assert not np.array_equal(other.fit(X, y).predict_proba(X),
                              augmented.predict_proba(X))  # fmt: skip
    plain = CNNClassifier(**FAST, augmentation=None).fit(X, y)
    assert not np.array_equal(plain.predict_proba(X), augmented.predict_proba(X))


def test_only_training_folds_are_augmented(digits):
    X, y, _ = digits
    result = cross_validate(
        CNNClassifier(**FAST, augmentation="light"), X, y, cv=3,
        return_estimator=True, return_indices=True,
    )  # fmt: skip
    for est, test, score in zip(
        result["estimator"], result["indices"]["test"], result["test_score"]
    ):
        # The fold's score is that of the plain images, however often taken.
        assert est.score(X[test], y[test]) == score


def test_a_list_of_layers_is_copied(digits):
    X, y, _ = digits
    zoom = keras.layers.RandomZoom(0.1, fill_mode="constant", seed=5)
    est = CNNClassifier(**FAST, augmentation=[zoom]).fit(X[:300], y[:300])
    used = est.model_.get_layer("augment_0")
    assert isinstance(used, keras.layers.RandomZoom) and used is not zoom
    assert used.height_factor == zoom.height_factor
    assert not zoom.built


@pytest.mark.parametrize(
    "value, error, match",
    [
        ("heavy", InvalidParameterError, "'augmentation' parameter"),
        ([keras.layers.Rescaling(2.0)], ValueError, "got Rescaling"),
        ([keras.layers.RandomCrop(4, 4)], ValueError, "got RandomCrop"),
        (["light"], ValueError, "got str"),
    ],
)
def test_invalid_augmentation(value, error, match, digits):
    X, y, _ = digits
    est = CNNClassifier(**FAST, augmentation=value)
    with pytest.raises(error, match=match):
        est.fit(X[:100], y[:100])
    assert not hasattr(est, "model_")


def test_presets_are_saved_but_layer_lists_are_refused(augmented):
    dump(augmented, io.BytesIO())
    with pytest.raises(TypeError, match="augmentation"):
        dump(CNNClassifier(augmentation=[keras.layers.RandomFlip()]), io.BytesIO())


def test_presets_leave_inputs_that_are_not_images_alone(digits):
    """Tabular features read as an image one pixel high are not flipped."""
    X, y, _ = digits
    rows = CNNClassifier(**FAST)  # augmentation="light", the default
    with pytest.warns(UserWarning, match="image_shape"):
        rows.fit(X[:, :5], y)
    assert rows.image_shape_ == (1, 5, 1)
    assert not [layer for layer in rows.model_.layers if "augment" in layer.name]
    images = CNNClassifier(**FAST).fit(X, y)  # 8x8 digits: flipped
    assert [layer.name for layer in images.model_.layers if "augment" in layer.name]
    # A list of layers is the user's explicit choice: applied on any shape.
    listed = CNNClassifier(**FAST, augmentation=[keras.layers.RandomFlip()])
    with pytest.warns(UserWarning, match="image_shape"):
        listed.fit(X[:, :5], y)
    assert listed.model_.get_layer("augment_0")
