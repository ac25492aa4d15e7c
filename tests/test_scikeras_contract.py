"""The scikeras internals skfashion relies on (skfashion/_scikeras.py).

scikeras is unmaintained; an upgrade that changes any of these breaks this
file and no other.
"""

import ast
import importlib.metadata
import pickle
from pathlib import Path

import keras
import numpy as np
import pytest
import scikeras
import scikeras._saving_utils
import scikeras.wrappers
from sklearn.base import ClassifierMixin, is_classifier

from skfashion import ANNClassifier
from skfashion._scikeras import KerasAdapter

PACKAGE = Path(__file__).resolve().parents[1] / "skfashion"


def test_tested_scikeras_version():
    assert importlib.metadata.version("scikeras").startswith("0.13.")


def test_only_the_adapter_imports_scikeras():
    importers = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] == "scikeras" for name in names):
                importers.append(path.relative_to(PACKAGE).as_posix())
    assert sorted(set(importers)) == ["_scikeras.py"]


def test_switched_off_hooks_exist_in_scikeras():
    """Each override in the adapter still overrides something."""
    switched_off = [
        "_build_keras_model", "_check_model_param", "_get_compile_kwargs",
        "_ensure_compiled_model", "_fit", "_fit_keras_model", "_initialize",
        "_initialize_callbacks", "_check_model_compatibility", "_predict_raw",
        "_validate_data", "target_encoder", "feature_encoder", "current_epoch",
        "set_params", "initialize", "_more_tags",
    ]  # fmt: skip
    base = scikeras.wrappers.KerasClassifier
    assert [name for name in switched_off if not hasattr(base, name)] == []
    est = ANNClassifier()
    with pytest.raises(NotImplementedError, match="switched off"):
        est._fit(None, None)
    assert est._random_state is None


def test_get_params_lists_public_attributes():
    """Routed settings are kept as attributes and listed by get_params."""
    assert "_get_param_names" in vars(scikeras.wrappers.BaseWrapper)
    est = ANNClassifier(fit__shuffle=False)
    assert "fit__shuffle" in set(est._get_param_names())
    assert est.get_params()["fit__shuffle"] is False


def test_import_installs_keras_model_pickling():
    assert keras.Model.__reduce__ is scikeras._saving_utils.pack_keras_model
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    restored = pickle.loads(pickle.dumps(model))
    x = np.ones((1, 3), dtype="float32")
    np.testing.assert_array_equal(
        restored.predict_on_batch(x), model.predict_on_batch(x)
    )


def test_why_two_checks_are_expected_to_fail():
    """KerasClassifier puts ClassifierMixin after BaseEstimator, and defines
    the pre-1.6 _more_tags (see tests/test_common.py)."""
    mro = scikeras.wrappers.KerasClassifier.__mro__
    assert mro.index(scikeras.wrappers.BaseWrapper) < mro.index(ClassifierMixin)
    assert "_more_tags" in vars(scikeras.wrappers.BaseWrapper)
    assert not is_classifier(scikeras.wrappers.KerasClassifier())
    assert is_classifier(ANNClassifier())


def test_scikeras_seeding_is_never_used(digits, monkeypatch):
    """scikeras' seeding switched TensorFlow's op determinism on process-wide."""

    def fail(seed):
        raise AssertionError("scikeras' process-wide seeding was used")

    monkeypatch.setattr(scikeras.wrappers, "tensorflow_random_state", fail)
    X, y, _ = digits
    ANNClassifier(hidden_layer_sizes=(8,), epochs=1, random_state=0).fit(X, y)


def test_adapter_is_a_keras_classifier():
    assert issubclass(KerasAdapter, scikeras.wrappers.KerasClassifier)


def test_the_routing_helpers_of_the_model_convention():
    """scikeras' helpers behind ImageClassifier's model= (_builder_arguments):
    model__ keys routed and trimmed, nested ones left out, and a builder's
    parameters and **kwargs read from its signature."""
    from scikeras._utils import accepts_kwargs, has_param, route_params

    params = {"model": None, "model__units": 3, "model__a__b": 1, "epochs": 2}
    assert route_params(
        params, destination="model", pass_filter=set(), strict=True
    ) == {"units": 3}

    def build(meta, units=1):
        return meta

    assert has_param(build, "meta") and not has_param(build, "params")
    assert accepts_kwargs(lambda **kwargs: None) and not accepts_kwargs(build)


def test_a_scikeras_builder_moves_over_unchanged(digits):
    """A builder written for scikeras' KerasClassifier (meta, compile_kwargs,
    model__ arguments, compiling itself) fits in ImageClassifier."""
    from skfashion import ImageClassifier

    def get_model(hidden_layer_dim, meta, compile_kwargs):
        model = keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(hidden_layer_dim, activation="relu"),
                keras.layers.Dense(meta["n_classes_"], activation="softmax"),
            ]
        )
        model.compile(**compile_kwargs)
        return model

    X, y, _ = digits
    clf = ImageClassifier(get_model, model__hidden_layer_dim=32, random_state=0)
    assert clf.fit(X, y).score(X, y) > 0.9
