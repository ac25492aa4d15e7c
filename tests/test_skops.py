"""skops and MLflow: fitted estimators saved in skops' format, without pickle.

skops saves an object from its ``__getstate__``; skfashion's classifiers put
their network there as the bytes of a ``.keras`` file, so nothing from Keras,
TensorFlow or builtins has to be trusted, and the network is read back in
Keras' safe mode, as ``skfashion.io`` reads it.
"""

import keras
import numpy as np
import pytest
import skops.io as sio
from numpy.testing import assert_array_equal
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skfashion import (
    ANNClassifier,
    CNNClassifier,
    EmbeddingTransformer,
    ImagePreprocessor,
)
from skfashion.io import skops_trusted_types


@pytest.fixture(scope="module")
def raw_digits(digits):
    X, y, _ = digits
    return (X * 255).round().astype(np.uint8), y


def _fitted(name, X, y):
    ann = ANNClassifier(hidden_layer_sizes=(8,), epochs=2, random_state=0)
    cnn = CNNClassifier(filters=(4,), epochs=1, random_state=0)
    made = {
        "ANNClassifier": lambda: ann,
        "CNNClassifier": lambda: cnn,
        "ImagePreprocessor": lambda: ImagePreprocessor(),
        "EmbeddingTransformer": lambda: EmbeddingTransformer(ann),
        "Pipeline": lambda: make_pipeline(ImagePreprocessor(), cnn),
        "embedding pipeline": lambda: make_pipeline(
            ImagePreprocessor(), EmbeddingTransformer(ann), LogisticRegression()
        ),
        "string labels": lambda: ann,
    }[name]()
    if name == "string labels":
        y = np.array(["even", "odd"])[y % 2]
    return made.fit(X, y), y


def _outputs(est, X):
    if hasattr(est, "predict_proba"):
        return est.predict_proba(X), est.predict(X)
    return (est.transform(X),)


NAMES = [
    "ANNClassifier",
    "CNNClassifier",
    "ImagePreprocessor",
    "EmbeddingTransformer",
    "Pipeline",
    "embedding pipeline",
    "string labels",
]


@pytest.mark.parametrize("name", NAMES)
def test_skops_round_trip_trusts_only_skfashion(name, raw_digits):
    X, y = raw_digits
    est, _ = _fitted(name, X[:300], y[:300])
    data = sio.dumps(est)
    untrusted = sio.get_untrusted_types(data=data)
    assert untrusted and set(untrusted) <= set(skops_trusted_types())
    loaded = sio.loads(data, trusted=untrusted)
    assert type(loaded) is type(est)
    for got, expected in zip(_outputs(loaded, X), _outputs(est, X)):
        assert_array_equal(got, expected)


def test_skops_round_trip_of_a_search(raw_digits):
    X, y = raw_digits
    search = GridSearchCV(
        make_pipeline(
            ImagePreprocessor(), ANNClassifier(hidden_layer_sizes=(8,), epochs=1)
        ),
        {"annclassifier__alpha": [1e-4, 1e-3]},
        cv=2,
    ).fit(X[:200], y[:200])
    data = sio.dumps(search)
    untrusted = sio.get_untrusted_types(data=data)
    # scikit-learn's scorer and splitter are on skops' own list to review;
    # nothing from Keras, TensorFlow or builtins is.
    assert all(t.startswith(("skfashion.", "sklearn.")) for t in untrusted), untrusted
    loaded = sio.loads(data, trusted=untrusted)
    assert_array_equal(loaded.predict_proba(X), search.predict_proba(X))


def test_untrusted_skfashion_classes_are_refused(raw_digits):
    X, y = raw_digits
    data = sio.dumps(_fitted("ANNClassifier", X[:100], y[:100])[0])
    with pytest.raises(Exception, match="[Uu]ntrusted"):
        sio.loads(data)


def test_a_network_with_a_lambda_layer_is_refused(raw_digits):
    """Trusting skfashion's classes does not trust the code of a network."""
    X, y = raw_digits
    ann = _fitted("ANNClassifier", X[:100], y[:100])[0]
    inputs = keras.Input((X.shape[1],))
    outputs = keras.layers.Lambda(lambda t: t * 2)(inputs)
    ann.model_ = keras.Model(inputs, keras.layers.Dense(10)(outputs))
    data = sio.dumps(ann)
    with pytest.raises(ValueError, match="refused to load the network safely"):
        sio.loads(data, trusted=sio.get_untrusted_types(data=data))


def test_pickle_and_deepcopy_save_the_network_as_bytes(raw_digits):
    import copy
    import pickle

    X, y = raw_digits
    ann = _fitted("ANNClassifier", X[:100], y[:100])[0]
    state = ann.__getstate__()
    assert isinstance(state["model_"], bytes)
    assert isinstance(ann.model_, keras.Model)  # the estimator is unchanged
    for restored in (pickle.loads(pickle.dumps(ann)), copy.deepcopy(ann)):
        assert restored.model_ is not ann.model_
        assert_array_equal(restored.predict_proba(X), ann.predict_proba(X))
    assert copy.copy(ann).model_ is ann.model_  # a shallow copy shares it
