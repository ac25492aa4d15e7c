"""ONNX export of networks users write: functional graphs (residual
additions, concatenations) and every layer kind of the table, with parity
within 1e-5 in float32; on scikit-learn's digits, which need no download."""

import keras
import numpy as np
import onnxruntime as ort
import pytest
from _networks import image_network, mobile_block, residual_network
from numpy.testing import assert_allclose, assert_array_equal
from skl2onnx import to_onnx

import skfashion.onnx  # noqa: F401
from skfashion import EmbeddingTransformer, ImageClassifier
from skfashion._keras.network import LAYER_KINDS, layer_kind


@pytest.fixture(scope="module")
def data(digits):
    _, y, images = digits
    return images[:400, :, :, None], y[:400]


def _outputs(model, X, **options):
    onx = to_onnx(model, X[:1], options=options or None)
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})


NETWORKS = {
    "residual": residual_network,
    "mobile": mobile_block,
    "conv_logits": image_network,
}


@pytest.fixture(scope="module", params=sorted(NETWORKS))
def fitted(request, data):
    images, y = data
    clf = ImageClassifier(NETWORKS[request.param], epochs=2, random_state=0)
    return clf.fit(images, y)


def test_classifier_parity(fitted, data):
    images, _ = data
    flat = images.reshape(len(images), -1)
    labels, proba = _outputs(fitted, flat, zipmap=False)
    assert_allclose(proba, fitted.predict_proba(flat), rtol=0, atol=1e-5)
    assert_array_equal(labels, fitted.predict(flat))


def test_embedding_parity(fitted, data):
    images, y = data
    from sklearn.frozen import FrozenEstimator

    embed = EmbeddingTransformer(FrozenEstimator(fitted)).fit(images, y)
    flat = images.reshape(len(images), -1)
    (out,) = _outputs(embed, flat)
    assert_allclose(out, embed.transform(flat), rtol=0, atol=1e-5)


def test_flips_export(data):
    images, y = data
    clf = ImageClassifier(
        residual_network, epochs=1, random_state=0, test_time_augmentation="flip"
    ).fit(images, y)
    flat = images.reshape(len(images), -1)
    _, proba = _outputs(clf, flat, zipmap=False)
    assert_allclose(proba, clf.predict_proba(flat), rtol=0, atol=1e-5)


def test_the_test_networks_cover_every_layer_kind(data):
    """Each kind of the table is in one of the networks above, so that the
    parity tests check its conversion."""
    images, y = data
    kinds = set()
    for build in NETWORKS.values():
        clf = ImageClassifier(build, epochs=1).initialize(images, y)
        kinds |= {layer_kind(layer) for layer in clf.model_.layers}
    presets = {"augmentation", "reshape"}  # tested with CNNClassifier
    assert kinds | presets == set(LAYER_KINDS)


def test_a_layer_outside_the_table_names_itself(data):
    images, y = data

    def build(meta):
        inputs = keras.Input(meta["image_shape_"])
        x = keras.layers.GlobalMaxPooling2D(name="peak")(inputs)
        return keras.Model(inputs, x)

    clf = ImageClassifier(build, epochs=1).fit(images, y)
    with pytest.raises(
        ValueError, match=r"layer 'peak' \(GlobalMaxPooling2D\) has no ONNX conversion"
    ):
        to_onnx(clf, images[:1].reshape(1, -1).astype(np.float32))
