"""``skfashion.onnx.quantize``: int8 copies of exported graphs.

onnxruntime's static quantization, calibrated on real Fashion-MNIST
training images: the int8 graph keeps the float32 graph's inputs and
outputs, stores its convolutions and matrix products in int8, and its labels
agree with ``predict`` on held-out images.
"""

import logging

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from skl2onnx import to_onnx
from sklearn.pipeline import make_pipeline

from skfashion import ANNClassifier, CNNClassifier, ImagePreprocessor
from skfashion.onnx import quantize

pytestmark = pytest.mark.realdata

N_TRAIN, N_TEST = 2000, 500
F32 = {"dtype_policy": "float32", "random_state": 0}


@pytest.fixture(scope="module")
def images(fashion_small):
    """Real Fashion-MNIST, uint8: training and held-out rows."""
    X, y, X_test, y_test = fashion_small
    return X[:N_TRAIN], y[:N_TRAIN], X_test[:N_TEST]


def _session(onx):
    return ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )


def _int8_initializers(onx):
    return [
        init.name
        for init in onx.graph.initializer
        if init.data_type == onnx.TensorProto.INT8 and len(init.dims) > 1
    ]


def _agreement(model, onx, X):
    session = _session(onx)
    labels = session.run(None, {session.get_inputs()[0].name: X})[0]
    return np.mean(labels == model.predict(X))


@pytest.mark.parametrize(
    "estimator",
    [
        ANNClassifier(hidden_layer_sizes=(128, 64), epochs=3, **F32),
        CNNClassifier(filters=(8, 16), hidden_layer_sizes=(32,), epochs=3, **F32),
    ],
    ids=["ann", "cnn"],
)
def test_int8_labels_agree_with_predict(estimator, images):
    X_raw, y, X_test_raw = images
    pipe = make_pipeline(ImagePreprocessor(), estimator).fit(X_raw, y)
    onx = to_onnx(pipe, X_test_raw[:1], options={"zipmap": False})
    int8 = quantize(onx, X_raw)
    # Every weight matrix and kernel is stored in int8, and the graph keeps
    # its interface: uint8 rows in, labels and probabilities out.
    n_weights = sum(
        type(layer).__name__ in ("Dense", "Conv2D") for layer in estimator.model_.layers
    )
    assert len(_int8_initializers(int8)) == n_weights
    assert [(i.name, i.type) for i in int8.graph.input] == [
        (i.name, i.type) for i in onx.graph.input
    ]
    assert [o.name for o in int8.graph.output] == [o.name for o in onx.graph.output]
    assert _agreement(pipe, int8, X_test_raw) >= 0.97
    # The float32 graph it came from is left as it was.
    assert _int8_initializers(onx) == []


def test_zipmap_output_and_flat_float32_rows(images, caplog):
    X_raw, y, X_test_raw = images
    X, X_test = X_raw / np.float32(255), X_test_raw / np.float32(255)
    ann = ANNClassifier(hidden_layer_sizes=(64,), epochs=3, **F32).fit(X, y)
    with caplog.at_level(logging.WARNING):
        int8 = quantize(to_onnx(ann, X_test[:1]), X, max_rows=300, batch_size=64)
    # onnxruntime's pre-processing ran (it logs an error when its clean-up
    # step fails, and a warning when quantizing without it).
    assert [r.getMessage()[:80] for r in caplog.records] == []
    labels, maps = _session(int8).run(None, {"X": X_test})
    assert sorted(maps[0]) == list(ann.classes_)
    assert np.mean(labels == ann.predict(X_test)) >= 0.97


def test_calibration_matters(images):
    """Calibrated on blank images, the activations' ranges are wrong: the
    agreement the tests above see comes from calibrating on ``X``."""
    X_raw, y, X_test_raw = images
    pipe = make_pipeline(
        ImagePreprocessor(), ANNClassifier(hidden_layer_sizes=(64,), epochs=3, **F32)
    ).fit(X_raw, y)
    onx = to_onnx(pipe, X_test_raw[:1], options={"zipmap": False})
    blank = quantize(onx, np.zeros_like(X_raw[:100]))
    assert _agreement(pipe, blank, X_test_raw) < 0.9


def test_bad_input_is_a_clear_error(images):
    X_raw, y, X_test_raw = images
    X = X_raw / np.float32(255)
    ann = ANNClassifier(hidden_layer_sizes=(8,), epochs=1, **F32).fit(X, y)
    onx = to_onnx(ann, X[:1], options={"zipmap": False})
    with pytest.raises(TypeError, match="takes the onnx.ModelProto"):
        quantize(onx.SerializeToString(), X)
    with pytest.raises(ValueError, match=r"rows of shape \(n, 784\).*\(5, 28, 28\)"):
        quantize(onx, X[:5].reshape(-1, 28, 28))
    with pytest.raises(ValueError, match="at least one calibration image"):
        quantize(onx, X[:0])
    with pytest.raises(ValueError, match="max_rows must be a positive integer"):
        quantize(onx, X, max_rows=0)
    as_float64 = to_onnx(ann, X[:1].astype(np.float64), options={"zipmap": False})
    with pytest.raises(ValueError, match="exported for float32"):
        quantize(as_float64, X.astype(np.float64))
    pipe = make_pipeline(ImagePreprocessor(), ann)
    pipe.fit(X_raw, y)
    on_uint8 = to_onnx(pipe, X_raw[:1], options={"zipmap": False})
    with pytest.raises(ValueError, match="takes uint8 rows, and X holds float32"):
        quantize(on_uint8, X)
