"""CNNClassifier(augmentation=...): training only, seeded, checked."""

import io

import keras
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.model_selection import cross_validate
from sklearn.utils._param_validation import InvalidParameterError

from skfashion import CNNClassifier
from skfashion.io import dump, load

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
    runs = {
        value: cross_validate(
            CNNClassifier(**FAST, augmentation=value),
            X,
            y,
            cv=3,
            return_estimator=True,
            return_indices=True,
        )  # fmt: skip
        for value in ("light", None)
    }
    augmented, plain = runs["light"], runs[None]
    for est, same_seed, test, score in zip(
        augmented["estimator"],
        plain["estimator"],
        augmented["indices"]["test"],
        augmented["test_score"],
    ):
        # Training saw flipped images: the same seed without them trains
        # another network.
        assert not np.array_equal(
            est.predict_proba(X[test]), same_seed.predict_proba(X[test])
        )
        # The fold was scored on the plain images: the score is that of the
        # deterministic predictions, however often taken.
        assert est.score(X[test], y[test]) == score
        assert_array_equal(est.predict_proba(X[test]), est.predict_proba(X[test]))


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


def test_presets_are_saved_but_layer_lists_are_refused(augmented, digits):
    X, _, _ = digits
    buffer = io.BytesIO()
    dump(augmented, buffer)
    loaded = load(io.BytesIO(buffer.getvalue()))
    assert loaded.augmentation == "standard"
    assert [layer.name for layer in loaded.model_.layers if "augment" in layer.name]
    assert_array_equal(loaded.predict_proba(X), augmented.predict_proba(X))
    with pytest.raises(TypeError, match="augmentation"):
        dump(CNNClassifier(augmentation=[keras.layers.RandomFlip()]), io.BytesIO())


def _augmented_batch(est, images):
    """The images after the augmentation layers, as in a training step."""
    model = est.model_
    names = [layer.name for layer in model.layers if "augment" in layer.name]
    probe = keras.Model(model.inputs, model.get_layer(names[-1]).output)
    flat = images.reshape(len(images), -1)
    return keras.ops.convert_to_numpy(probe(flat, training=True))[..., 0]


def _shifted(image, dy, dx):
    """``image`` moved by whole pixels, zeros filled in."""
    out = np.zeros_like(image)
    h, w = image.shape
    out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = image[
        max(-dy, 0) : h - max(dy, 0), max(-dx, 0) : w - max(dx, 0)
    ]
    return out


@pytest.fixture(scope="module")
def clothes():
    """28x28 images with a distinct left and right half, and no empty border."""
    rng = np.random.default_rng(0)
    images = rng.random((64, 28, 28)).astype(np.float32)
    return images, np.arange(64) % 2


@pytest.mark.parametrize("preset", ["light", "standard"])
def test_presets_flip_and_shift_by_at_most_four_percent(preset, clothes):
    images, y = clothes
    est = CNNClassifier(
        **{**FAST, "epochs": 1}, augmentation=preset, dtype_policy="float32"
    ).fit(images, y)
    out = _augmented_batch(est, images)
    limit = int(0.04 * 28)  # 1 pixel of 28
    flips = shifts = 0
    for original, seen in zip(images, out):
        candidates = {
            (flip, dy, dx): _shifted(original[:, ::-1] if flip else original, dy, dx)
            for flip in (False, True)
            for dy in range(-limit, limit + 1)
            for dx in range(-limit, limit + 1)
            if preset == "standard" or dy == dx == 0
        }
        matches = [
            key for key, image in candidates.items() if np.array_equal(seen, image)
        ]
        assert matches, "neither a flip nor a whole-pixel shift within 4%"
        flip, dy, dx = matches[0]
        flips += flip
        shifts += (dy, dx) != (0, 0)
    assert 0 < flips < len(images)  # some mirrored, some not
    assert (shifts > 0) == (preset == "standard")


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


# ------------------------------------------------- test-time augmentation


def test_flip_averages_each_image_and_its_mirror(augmented, digits):
    X, y, images = digits
    one_view = clone_fitted(augmented, test_time_augmentation=None)
    plain = one_view.predict_proba(X)
    tta = clone_fitted(augmented, test_time_augmentation="flip")
    mirrored = images[:, :, ::-1].reshape(len(X), -1)
    expected = (plain + one_view.predict_proba(mirrored)) / 2
    np.testing.assert_allclose(tta.predict_proba(X), expected, rtol=1e-6)
    # The same for image-shaped X; deterministic; predict and score follow.
    assert_array_equal(tta.predict_proba(images), tta.predict_proba(X))
    assert_array_equal(tta.predict(X), augmented.classes_[expected.argmax(1)])
    assert tta.score(X, y) == np.mean(tta.predict(X) == y)
    assert not np.allclose(tta.predict_proba(X), plain)
    # Embeddings are those of the images as they are.
    from skfashion import EmbeddingTransformer

    assert_array_equal(
        EmbeddingTransformer(tta).fit(X, y).transform(X[:20]),
        EmbeddingTransformer(augmented).fit(X, y).transform(X[:20]),
    )


def test_flip_runs_both_views_in_one_forward_pass(augmented, digits, monkeypatch):
    X, _, _ = digits
    tta = clone_fitted(augmented, test_time_augmentation="flip")
    sizes, real = [], tta.model_.predict_on_batch

    def spy(x):
        sizes.append(len(x))
        return real(x)

    monkeypatch.setattr(tta.model_, "predict_on_batch", spy)
    tta.predict(X[:1])
    assert sizes == [2]  # the image and its mirror image, one call


def clone_fitted(estimator, **params):
    """A copy of a fitted estimator with some prediction parameters changed."""
    import copy

    return copy.deepcopy(estimator).set_params(**params)


def test_flip_leaves_inputs_that_are_not_images_alone(digits):
    X, y, _ = digits
    flat = CNNClassifier(**FAST, image_shape=(1, -1)).fit(X[:200], y[:200])
    tta = clone_fitted(flat, test_time_augmentation="flip")
    assert_array_equal(tta.predict_proba(X), flat.predict_proba(X))


@pytest.mark.parametrize(
    "augmentation, flips",
    [
        ("light", True),
        ("standard", True),
        (None, False),
        ([keras.layers.RandomFlip("horizontal_and_vertical")], True),
        ([keras.layers.RandomFlip("vertical")], False),
        ([keras.layers.RandomZoom(0.1)], False),
    ],
)
def test_auto_flips_only_what_training_mirrored(augmentation, flips, digits):
    """The default, "auto", is "flip" exactly when the training flipped images
    left to right: never for digits or letters (augmentation=None)."""
    X, y, _ = digits
    auto = CNNClassifier(**FAST, augmentation=augmentation).fit(X[:300], y[:300])
    assert auto.test_time_augmentation == "auto"
    expected = clone_fitted(auto, test_time_augmentation="flip" if flips else None)
    other = clone_fitted(auto, test_time_augmentation=None if flips else "flip")
    assert_array_equal(auto.predict_proba(X), expected.predict_proba(X))
    assert not np.allclose(auto.predict_proba(X), other.predict_proba(X))


def test_invalid_test_time_augmentation(digits):
    X, y, _ = digits
    with pytest.raises(InvalidParameterError, match="test_time_augmentation"):
        CNNClassifier(**FAST, test_time_augmentation="mirror").fit(X, y)
