"""ImageClassifier: a network of the user's, by scikeras' model= convention,
with the presets' guarantees."""

import io
import pickle

import joblib
import keras
import numpy as np
import pytest
from _networks import image_network, residual_network, small_network
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skfashion import (
    ANNClassifier,
    EmbeddingTransformer,
    ImageClassifier,
    ImagePreprocessor,
)
from skfashion.io import dump, load, skops_trusted_types


@pytest.fixture(scope="module")
def data(digits):
    X, y, images = digits
    return X[:600], y[:600], images[:600, :, :, None]


def fitted(model, X, y, **params):
    params = {"epochs": 2, "random_state": 0, **params}
    return ImageClassifier(model, **params).fit(X, y)


# ------------------------------------------------------------ the convention


def test_builder_gets_the_arguments_it_names(data):
    X, y, _ = data
    seen = {}

    def build(meta, compile_kwargs, params, units):
        seen.update(meta=meta, compile_kwargs=compile_kwargs, params=params)
        return small_network(meta, units)

    clf = fitted(build, X, y, model__units=5)
    meta = seen["meta"]
    assert meta["n_features_in_"] == 64
    assert meta["X_shape_"] == (600, 64)
    assert meta["n_classes_"] == 10
    assert_array_equal(meta["classes_"], np.arange(10))
    assert meta["target_type_"] == "multiclass"
    assert meta["n_outputs_expected_"] == 1
    assert isinstance(seen["compile_kwargs"]["optimizer"], keras.optimizers.Adam)
    assert seen["params"]["model__units"] == 5
    assert clf.model_.layers[1].units == 5


def test_builder_taking_kwargs_gets_everything(data):
    X, y, _ = data
    seen = {}

    def build(**kwargs):
        seen.update(kwargs)
        return small_network(kwargs["meta"], kwargs["units"])

    fitted(build, X, y, model__units=3)
    assert set(seen) == {"meta", "compile_kwargs", "params", "units"}


def test_a_routed_setting_the_builder_does_not_take_is_an_error(data):
    X, y, _ = data
    with pytest.raises(ValueError, match="model__width is set, but the builder"):
        fitted(small_network, X, y, model__width=3)


def test_presets_refuse_model_settings():
    with pytest.raises(ValueError, match="ANNClassifier builds its network"):
        ANNClassifier(model__units=3).fit(np.zeros((4, 4)), [0, 1, 0, 1])


def test_grid_search_over_a_builder_argument_in_a_pipeline(data):
    X, y, _ = data
    pipe = make_pipeline(
        ImagePreprocessor(), ImageClassifier(small_network, epochs=2, random_state=0)
    )
    search = GridSearchCV(pipe, {"imageclassifier__model__units": [4, 16]}, cv=2)
    search.fit((X * 255).astype(np.uint8), y)
    assert search.best_params_["imageclassifier__model__units"] in (4, 16)
    assert (
        search.best_estimator_[-1].model_.layers[1].units
        == (search.best_params_["imageclassifier__model__units"])
    )


# ------------------------------------------------------------------ the head


def _ends_with(units, activation):
    def build(meta):
        inputs = keras.Input((meta["n_features_in_"],))
        return keras.Model(
            inputs, keras.layers.Dense(units, activation=activation)(inputs)
        )

    return build


def test_a_softmax_head_is_used_as_it_is(data):
    X, y, _ = data
    clf = fitted(_ends_with(10, "softmax"), X, y)
    assert [type(layer).__name__ for layer in clf.model_.layers] == [
        "InputLayer",
        "Dense",
    ]
    assert_allclose(clf.predict_proba(X).sum(axis=1), 1, rtol=1e-6)


def test_logits_get_a_softmax(data):
    X, y, _ = data
    clf = fitted(_ends_with(10, None), X, y)
    last = clf.model_.layers[-1]
    assert isinstance(last, keras.layers.Activation) and last.name == "probabilities"
    logits = keras.Model(clf.model_.inputs, clf.model_.layers[-2].output)
    expected = keras.ops.convert_to_numpy(
        keras.ops.softmax(logits.predict(X[:5], verbose=0))
    )
    assert_allclose(clf.predict_proba(X[:5]), expected, rtol=1e-5)


def test_features_get_a_dense_head(data):
    X, y, _ = data
    clf = fitted(_ends_with(7, "relu"), X, y)
    head = clf.model_.get_layer("probabilities")
    assert isinstance(head, keras.layers.Dense) and head.units == 10


@pytest.mark.parametrize(
    "build, message",
    [
        (_ends_with(1, "sigmoid"), "ends with a sigmoid over 1 unit"),
        (_ends_with(3, "softmax"), "ends with a softmax over 3 unit"),
    ],
)
def test_a_head_for_other_classes_is_refused(data, build, message):
    X, y, _ = data
    with pytest.raises(ValueError, match=message):
        fitted(build, X, y)


def test_an_output_per_pixel_is_refused(data):
    _, y, images = data

    def build(meta):
        inputs = keras.Input(meta["image_shape_"])
        return keras.Model(inputs, keras.layers.Conv2D(10, 3)(inputs))

    with pytest.raises(ValueError, match="GlobalAveragePooling2D or Flatten"):
        fitted(build, images, y)


def test_a_builder_must_return_a_model(data):
    X, y, _ = data
    with pytest.raises(TypeError, match="returned a list, not a keras.Model"):
        fitted(lambda meta: [meta], X, y)


def test_the_input_must_hold_the_features(data):
    X, y, _ = data

    def build(meta):
        inputs = keras.Input((10,))
        return keras.Model(inputs, keras.layers.Dense(10)(inputs))

    with pytest.raises(ValueError, match=r"shape \(10,\) \(10 values\), but X has 64"):
        fitted(build, X, y)


def test_a_failed_build_leaves_the_fit_as_it_was(data):
    X, y, _ = data
    clf = fitted(small_network, X, y)
    before = clf.predict_proba(X)
    clf.set_params(model=_ends_with(2, "softmax"))
    with pytest.raises(ValueError, match="softmax over 2"):
        clf.fit(X, y)
    assert_array_equal(clf.predict_proba(X), before)


# ------------------------------------------------------------ images, models


def test_flat_rows_feed_an_image_input(data):
    X, y, images = data
    clf = fitted(image_network, images, y)
    assert clf.image_shape_ == (8, 8, 1)
    assert_allclose(clf.predict_proba(X), clf.predict_proba(images), rtol=1e-6)


def test_flips_average_the_mirror_images(data):
    _, y, images = data
    clf = fitted(image_network, images, y, test_time_augmentation="flip")
    plain = clone(clf).set_params(test_time_augmentation=None)
    vars(plain).update({k: v for k, v in vars(clf).items() if k.endswith("_")})
    expected = (
        plain.predict_proba(images) + plain.predict_proba(images[:, :, ::-1])
    ) / 2
    assert_allclose(clf.predict_proba(images), expected, rtol=1e-5, atol=1e-7)


def test_flips_need_images(data):
    X, y, _ = data
    with pytest.raises(ValueError, match="mirrors images"):
        fitted(small_network, X, y, test_time_augmentation="flip")


def test_a_model_object_is_copied_never_trained(data):
    X, y, _ = data
    model = small_network({"n_features_in_": 64}, units=6)
    weights = [w.copy() for w in model.get_weights()]
    clf = fitted(model, X, y)
    assert clf.model_ is not model
    for before, after in zip(weights, model.get_weights()):
        assert_array_equal(before, after)
    # Each fit starts from the object's weights: two fits agree.
    assert_array_equal(clf.predict_proba(X), fitted(model, X, y).predict_proba(X))
    copy = clone(clf)
    assert copy.model is not model and not hasattr(copy, "model_")


def test_random_state_seeds_the_builders_layers_serial_and_threaded(data):
    X, y, _ = data

    def fit(seed):
        return fitted(image_network, X.reshape(-1, 8, 8, 1), y, random_state=seed)

    serial = [fit(seed).predict_proba(X) for seed in (0, 1)]
    assert not np.allclose(serial[0], serial[1])
    with joblib.parallel_config(backend="threading", n_jobs=2):
        threaded = joblib.Parallel()(
            joblib.delayed(lambda s: fit(s).predict_proba(X))(s) for s in (0, 1)
        )
    for a, b in zip(serial, threaded):
        assert_array_equal(a, b)


def test_weights_partial_fit_warm_start_and_validation(data):
    X, y, _ = data
    plain = fitted(small_network, X, y)
    weighted = fitted(small_network, X, y, class_weight={3: 5.0})
    assert weighted.predict_proba(X)[:, 3].mean() > plain.predict_proba(X)[:, 3].mean()
    zero = clone(plain).fit(X, y, sample_weight=np.where(y == 3, 0.0, 1.0))
    assert zero.predict_proba(X)[:, 3].mean() < plain.predict_proba(X)[:, 3].mean()
    clf = plain
    n_iter = clf.n_iter_
    clf.partial_fit(X, y)
    assert clf.n_iter_ == n_iter + 1
    clf.set_params(warm_start=True).fit(X, y)
    assert clf.n_iter_ == n_iter + 3
    stopped = ImageClassifier(
        small_network, early_stopping=True, n_iter_no_change=1, epochs=12,
        random_state=0,
    ).fit(X[:500], y[:500], X_val=X[500:], y_val=y[500:])  # fmt: skip
    assert len(stopped.history_["val_accuracy"]) == stopped.n_iter_ < 12


# ---------------------------------------------------------------- embeddings


def test_embeddings_are_the_heads_input_or_a_named_layer(data):
    _, y, images = data
    net = FrozenEstimator(
        ImageClassifier(residual_network, epochs=1, random_state=0).fit(images, y)
    )
    default = EmbeddingTransformer(net).fit(images, y)
    assert default.transform(images).shape == (600, 16)
    named = EmbeddingTransformer(net, layer="features").fit(images, y)
    assert_allclose(named.transform(images), default.transform(images))
    conv = EmbeddingTransformer(net, layer="conv").fit(images, y)
    assert conv.transform(images).shape == (600, 8 * 8 * 8)
    with pytest.raises(ValueError, match="has no layer 'nope'"):
        EmbeddingTransformer(net, layer="nope").fit(images, y)


# -------------------------------------------------------------------- saving


@keras.saving.register_keras_serializable(package="skfashion_tests")
class Doubling(keras.layers.Layer):
    """A custom layer, registered as Keras' safe mode requires."""

    def call(self, x):
        return 2 * x


class Unregistered(keras.layers.Layer):
    def call(self, x):
        return 2 * x


@keras.saving.register_keras_serializable(package="skfashion_tests")
def doubling_network(meta, units=8):
    inputs = keras.Input((meta["n_features_in_"],))
    x = keras.layers.Dense(units, activation="relu")(Doubling()(inputs))
    return keras.Model(inputs, x)


def unregistered_network(meta):
    inputs = keras.Input((meta["n_features_in_"],))
    return keras.Model(inputs, keras.layers.Dense(8)(Unregistered()(inputs)))


def test_registered_custom_layers_save_through_io_skops_and_pickle(data):
    import skops.io as sio

    X, y, _ = data
    clf = fitted(doubling_network, X, y, model__units=4)
    buffer = io.BytesIO()
    dump(clf, buffer)
    loaded = load(io.BytesIO(buffer.getvalue()))
    assert loaded.model is doubling_network
    assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    trusted = [*skops_trusted_types(), "test_own_network.doubling_network"]
    again = sio.loads(sio.dumps(clf), trusted=trusted)
    assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    assert_array_equal(
        pickle.loads(pickle.dumps(clf)).predict_proba(X), clf.predict_proba(X)
    )


def test_a_model_object_saves_as_a_network(data):
    X, y, _ = data
    clf = fitted(small_network({"n_features_in_": 64}, units=6), X, y)
    buffer = io.BytesIO()
    dump(clf, buffer)
    loaded = load(io.BytesIO(buffer.getvalue()))
    assert isinstance(loaded.model, keras.Model)
    assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))


def test_an_unregistered_builder_or_layer_is_refused(data):
    X, y, _ = data
    clf = fitted(small_network, X, y)
    with pytest.raises(TypeError, match="register_keras_serializable"):
        dump(clf, io.BytesIO())
    clf = fitted(unregistered_network, X, y)
    with pytest.raises(
        ValueError, match="'Unregistered'.*not registered|not registered"
    ):
        pickle.dumps(clf)


def test_loading_needs_the_builder_registered(data, monkeypatch):
    X, y, _ = data
    clf = fitted(doubling_network, X, y)
    buffer = io.BytesIO()
    dump(clf, buffer)
    real = keras.saving.get_registered_object

    def without_builder(name, *args, **kwargs):
        if name == "skfashion_tests>doubling_network":
            return None
        return real(name, *args, **kwargs)

    monkeypatch.setattr(keras.saving, "get_registered_object", without_builder)
    with pytest.raises(ValueError, match="is not registered in this program"):
        load(io.BytesIO(buffer.getvalue()))


def test_a_layer_unknown_to_keras_does_not_load(data):
    from skfashion._keras.persistence import network_from_bytes, network_to_bytes

    X, y, _ = data
    clf = fitted(doubling_network, X, y)
    data_ = network_to_bytes(clf.model_)
    with keras.saving.custom_object_scope({}):
        name = "skfashion_tests>Doubling"
        registry = keras.saving.get_custom_objects()
        saved = registry.pop(name)
        try:
            with pytest.raises(ValueError, match="register_keras_serializable"):
                network_from_bytes(data_)
        finally:
            registry[name] = saved
