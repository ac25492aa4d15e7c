"""EmbeddingTransformer: the last hidden layer as features."""

import io

import keras
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline

from skfashion import (
    ANNClassifier,
    CNNClassifier,
    EmbeddingTransformer,
    ImagePreprocessor,
)
from skfashion.io import dump, load

ANN = dict(hidden_layer_sizes=(24, 12), epochs=3, random_state=0)
# Dropout 0.25 (not the default, 0): with it, two epochs of this small
# network give embeddings that the held-out bars below were set from.
CNN = dict(
    filters=(4,), hidden_layer_sizes=(16,), dropout=0.25, epochs=2, random_state=0
)


@pytest.fixture(scope="module")
def ann(digits):
    X, y, _ = digits
    return ANNClassifier(**ANN).fit(X, y)


def test_shapes_and_feature_names(ann, digits):
    X, y, _ = digits
    embed = EmbeddingTransformer(FrozenEstimator(ann)).fit(X, y)
    out = embed.transform(X[:7])
    assert out.shape == (7, 12) and out.dtype == np.float32
    assert (out >= 0).all()  # after a ReLU
    names = embed.get_feature_names_out()
    assert list(names) == [f"embeddingtransformer{i}" for i in range(12)]
    assert embed.n_features_in_ == 64


def test_transform_is_the_last_hidden_layer(ann, digits):
    """The activations of the dense layer before the softmax, by hand."""
    X, y, _ = digits
    out = EmbeddingTransformer(FrozenEstimator(ann)).fit(X, y).transform(X[:50])
    hidden = [
        layer
        for layer in ann.model_.layers
        if isinstance(layer, keras.layers.Dense) and layer.name != "probabilities"
    ]
    a = X[:50].astype(np.float64)
    for layer in hidden:  # relu(a @ W + b), layer by layer
        kernel, bias = layer.get_weights()
        a = np.maximum(a @ kernel + bias, 0)
    np.testing.assert_allclose(out, a, rtol=1e-4, atol=1e-5)
    softmax = ann.model_.get_layer("probabilities").get_weights()
    logits = a @ softmax[0] + softmax[1]
    assert_array_equal(ann.classes_[logits.argmax(1)], ann.predict(X[:50]))


def test_a_frozen_estimator_is_used_as_it_is(ann, digits):
    X, y, _ = digits
    model, n_iter = ann.model_, ann.n_iter_
    embed = EmbeddingTransformer(FrozenEstimator(ann)).fit(X[:50], y[:50])
    assert embed.estimator_.estimator is ann
    assert ann.model_ is model and ann.n_iter_ == n_iter


def test_fit_trains_a_clone(digits):
    X, y, _ = digits
    inner = ANNClassifier(**ANN)
    embed = EmbeddingTransformer(inner).fit(X, y)
    assert not hasattr(inner, "model_")
    assert embed.estimator_.n_iter_ == 3
    assert clone(embed).get_params()["estimator"].get_params() == inner.get_params()


@pytest.mark.parametrize(
    "head", [LogisticRegression(max_iter=500), KNeighborsClassifier(5)]
)
def test_cnn_embeddings_as_features_in_a_pipeline(head, digits):
    X, y, images = digits
    raw = (images * 255).astype(np.uint8)
    cnn = make_pipeline(ImagePreprocessor(output="image"), CNNClassifier(**CNN))
    model = make_pipeline(EmbeddingTransformer(cnn), head).fit(raw[:1200], y[:1200])
    # Held-out accuracy 0.682 (logistic) and 0.688 (5 neighbours), seed 0.
    assert model.score(raw[1200:], y[1200:]) > 0.62
    assert model[0].transform(raw[:3]).shape == (3, 16)


def test_errors(ann, digits):
    X, y, _ = digits
    with pytest.raises(TypeError, match="skfashion classifier"):
        EmbeddingTransformer(MLPClassifier()).fit(X, y)
    with pytest.raises(NotFittedError):
        EmbeddingTransformer(ann).transform(X)
    embed = EmbeddingTransformer(FrozenEstimator(ann)).fit(X, y)
    with pytest.raises(ValueError, match="64 features"):
        embed.transform(X[:, :10])


def test_saved_and_loaded(digits):
    X, y, _ = digits
    embed = EmbeddingTransformer(ANNClassifier(**ANN)).fit(X, y)
    buffer = io.BytesIO()
    dump(embed, buffer)
    restored = load(io.BytesIO(buffer.getvalue()))
    assert_array_equal(restored.transform(X), embed.transform(X))
