"""Export to ONNX through skl2onnx, and predictions in onnxruntime.

After ``import skfashion.onnx``, skl2onnx's own ``to_onnx`` converts each
estimator alone and inside pipelines; onnxruntime's probabilities match
``predict_proba`` within 1e-5 (float32 networks) on real Fashion-MNIST
images, with the same labels.
"""

import subprocess
import sys
import textwrap

import keras
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from skl2onnx import convert_sklearn, to_onnx
from skl2onnx.common.data_types import FloatTensorType
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skfashion.onnx  # noqa: F401 (registers the converters)
from skfashion import (
    ANNClassifier,
    CNNClassifier,
    EmbeddingTransformer,
    ImagePreprocessor,
)
from skfashion._keras.network import ACTIVATIONS, LAYER_KINDS
from skfashion.onnx._layers import LAYER_CONVERTERS

pytestmark = pytest.mark.realdata

N_TRAIN, N_TEST = 600, 300


@pytest.fixture(scope="module")
def images(fashion_small):
    """Real Fashion-MNIST: uint8 rows for training and testing, and scaled."""
    X, y, X_test, _ = fashion_small
    X, y, X_test = X[:N_TRAIN], y[:N_TRAIN], X_test[:N_TEST]
    return X, y, X_test, (X / 255).astype(np.float32), (X_test / 255).astype(np.float32)


def _session(onx):
    return ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )


def _run(model, X, **options):
    """Labels and probabilities of ``model`` exported for ``X``'s type."""
    onx = to_onnx(model, X[:1], options={"zipmap": False, **options})
    session = _session(onx)
    return session.run(None, {session.get_inputs()[0].name: X})


def _check_parity(model, X):
    labels, proba = _run(model, X)
    # float32, or float64 where the input is (skl2onnx's classifier outputs
    # follow the input's type); the graph computes in float32 either way.
    assert proba.dtype == (np.float64 if X.dtype == np.float64 else np.float32)
    assert_allclose(proba, model.predict_proba(X), rtol=0, atol=1e-5)
    assert_array_equal(labels, model.predict(X))
    return labels, proba


def test_every_layer_kind_has_a_conversion():
    assert set(LAYER_CONVERTERS) == set(LAYER_KINDS)


F32 = {"dtype_policy": "float32", "random_state": 0, "epochs": 1}
SMALL_CNN = {**F32, "filters": (4,), "hidden_layer_sizes": (16,), "augmentation": None}


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_ann_activation(activation, images):
    _, y, _, X, X_test = images
    ann = ANNClassifier(hidden_layer_sizes=(32, 16), activation=activation, **F32)
    _check_parity(ann.fit(X, y), X_test)


CNN_OPTIONS = {
    "batch normalization": {"batch_normalization": True},
    "valid padding": {"padding": "valid", "kernel_size": 5},
    "two convolutions a block": {"filters": ((4, 4), 8)},
    "dropout": {"dropout": 0.25},
    "flip averaging": {"augmentation": "light"},
    "flip averaging off": {"augmentation": "light", "test_time_augmentation": None},
    "standard augmentation, explicit flips": {
        "augmentation": "standard",
        "test_time_augmentation": "flip",
    },
    "clamped pooling": {"filters": (4, 4, 4, 4), "padding": "same"},
}


@pytest.mark.parametrize("option", sorted(CNN_OPTIONS))
def test_cnn_option(option, images):
    _, y, _, X, X_test = images
    cnn = CNNClassifier(**{**SMALL_CNN, **CNN_OPTIONS[option]}).fit(X, y)
    flips = cnn._flips_at_prediction()
    assert flips == (option != "flip averaging off" and "flip" in option)
    _check_parity(cnn, X_test)


@pytest.mark.parametrize("layout", ["flat", "(n, h, w)", "(n, h, w, c)", "RGB"])
def test_cnn_input_layout(layout, images):
    _, y, _, X, X_test = images
    shape = {
        "flat": (784,),
        "(n, h, w)": (28, 28),
        "(n, h, w, c)": (28, 28, 1),
        "RGB": (28, 28, 3),
    }[layout]

    def shaped(A):
        if layout == "RGB":  # three different channels
            A = np.stack([A, 1 - A, A * A], axis=-1)
        return np.ascontiguousarray(A.reshape(len(A), *shape))

    cnn = CNNClassifier(**{**SMALL_CNN, "augmentation": "light"}).fit(shaped(X), y)
    _check_parity(cnn, shaped(X_test))


def test_float64_and_image_input_is_cast_and_reshaped(images):
    _, y, _, X, X_test = images
    ann = ANNClassifier(**F32).fit(X, y)
    for x in (X_test.astype(np.float64), X_test.reshape(-1, 28, 28)):
        _check_parity(ann, x)
    # ZipMap takes float32 only: float64 rows would give a graph that
    # onnxruntime refuses to load ("columns" gives one output per class).
    with pytest.raises(ValueError, match="ZipMap accepts float32 probabilities"):
        to_onnx(ann, X_test[:1].astype(np.float64))
    onx = to_onnx(ann, X_test[:1].astype(np.float64), options={"zipmap": "columns"})
    outputs = _session(onx).run(None, {"X": X_test[:3].astype(np.float64)})
    assert_allclose(
        np.column_stack(outputs[1:]), ann.predict_proba(X_test[:3]), atol=1e-5
    )


@pytest.mark.parametrize("labels", ["two classes", "strings", "bool", "floats"])
def test_labels_keep_their_type(labels, images):
    _, y, _, X, X_test = images
    y = {
        "two classes": (y >= 5).astype(np.int64) * 7,
        "strings": np.array(["top", "bottom", "shoes", "bags", "x"] * 2)[y],
        "bool": y >= 5,
        "floats": y * 10.0,
    }[labels]
    for est in (ANNClassifier(**F32), CNNClassifier(**SMALL_CNN)):
        est.fit(X, y)
        predicted, proba = _check_parity(est, X_test)
        assert proba.shape == (len(X_test), len(est.classes_))
        if labels == "strings":
            assert predicted.dtype == object
        else:
            assert predicted.dtype == np.int64


def test_zipmap_and_nocl_options(images):
    _, y, _, X, X_test = images
    y = np.array(["a", "b", "c", "d", "e"] * 2)[y]
    ann = ANNClassifier(**F32).fit(X, y)
    expected = ann.predict_proba(X_test[:5])
    labels, maps = _run(ann, X_test[:5], zipmap=True)
    assert [list(m) for m in maps] == [list(ann.classes_)] * 5
    assert_allclose([[m[c] for c in ann.classes_] for m in maps], expected, atol=1e-5)
    session = _session(to_onnx(ann, X_test[:1], options={"zipmap": "columns"}))
    names = [o.name for o in session.get_outputs()]
    assert names[:2] == ["output_label", "sa"] and len(names) == 6
    labels, proba = _run(ann, X_test[:5], nocl=True)
    assert_array_equal(labels, expected.argmax(axis=1))  # class indices
    assert_allclose(proba, expected, atol=1e-5)


def test_a_stateless_preprocessor_converts_unfitted(images):
    X_raw = images[2][:7].reshape(-1, 28, 28)
    prep = ImagePreprocessor(output="image", feature_range=(-1, 1))
    session = _session(to_onnx(prep, X_raw[:1]))
    (out,) = session.run(None, {session.get_inputs()[0].name: X_raw})
    assert_array_equal(out, prep.transform(X_raw))


def test_pipeline_on_uint8_pixels(images):
    """``to_onnx(pipe, X[:1])`` on the fetchers' uint8 arrays."""
    X_raw, y, X_test_raw, _, _ = images
    pipe = make_pipeline(
        ImagePreprocessor(output="image"),
        CNNClassifier(**{**SMALL_CNN, "augmentation": "light"}),
    ).fit(X_raw, y)
    onx = to_onnx(pipe, X_test_raw[:1], options={"zipmap": False})
    assert onx.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.UINT8
    _check_parity(pipe, X_test_raw)


def test_embeddings_in_a_pipeline_with_scikit_learn_steps(images):
    X_raw, y, X_test_raw, _, X_test = images
    ann = ANNClassifier(hidden_layer_sizes=(16,), **F32)
    pipe = make_pipeline(
        ImagePreprocessor(),
        EmbeddingTransformer(ann),
        StandardScaler(),
        LogisticRegression(max_iter=500),
    ).fit(X_raw, y)
    _check_parity(pipe, X_test_raw)
    # The transformer alone, around a fitted pipeline (frozen).
    inner = make_pipeline(ImagePreprocessor(), CNNClassifier(**SMALL_CNN)).fit(X_raw, y)
    embed = EmbeddingTransformer(FrozenEstimator(inner)).fit(X_raw, y)
    onx = to_onnx(embed, X_test_raw[:1])
    session = _session(onx)
    (out,) = session.run(None, {session.get_inputs()[0].name: X_test_raw})
    assert_allclose(out, embed.transform(X_test_raw), rtol=1e-5, atol=1e-5)


def test_convert_sklearn_with_declared_types(images):
    _, y, _, X, X_test = images
    pipe = make_pipeline(StandardScaler(), ANNClassifier(**F32)).fit(X, y)
    onx = convert_sklearn(
        pipe, initial_types=[("X", FloatTensorType([None, 784]))], options={
            id(pipe[-1]): {"zipmap": False}
        },
    )  # fmt: skip
    labels, proba = _session(onx).run(None, {"X": X_test})
    assert_allclose(proba, pipe.predict_proba(X_test), atol=1e-5)
    assert_array_equal(labels, pipe.predict(X_test))


def test_a_bfloat16_network_exports_its_float32_weights(images):
    _, y, _, X, X_test = images
    ann = ANNClassifier(**{**F32, "dtype_policy": "mixed_bfloat16"}).fit(X, y)
    onx = to_onnx(ann, X_test[:1], options={"zipmap": False})
    kinds = {init.data_type for init in onx.graph.initializer}
    assert onnx.TensorProto.BFLOAT16 not in kinds
    assert onnx.TensorProto.FLOAT in kinds
    _, proba = _run(ann, X_test)
    # bfloat16 keeps 8 bits of mantissa: the float32 graph is close, not equal.
    assert_allclose(proba, ann.predict_proba(X_test), atol=0.05)


def test_unfitted_or_unconvertible_estimators_are_clear_errors(images):
    _, y, _, X, X_test = images
    for est in (ANNClassifier(), EmbeddingTransformer(ANNClassifier())):
        with pytest.raises(
            NotFittedError, match=f"This {type(est).__name__} is not fitted"
        ):
            to_onnx(est, X_test[:1])
    embed = EmbeddingTransformer(
        make_pipeline(StandardScaler(), ANNClassifier(**F32))
    ).fit(X, y)
    with pytest.raises(ValueError, match="has a StandardScaler step"):
        to_onnx(embed, X_test[:1])
    with pytest.raises(ValueError, match="opset 13 or newer"):
        to_onnx(ANNClassifier(**F32).fit(X, y), X_test[:1], target_opset=12)


def test_an_unknown_layer_is_a_clear_error(images):
    _, y, _, X, X_test = images
    ann = ANNClassifier(**F32).fit(X, y)
    inputs = keras.Input((784,))
    hidden = keras.layers.UnitNormalization(name="norm")(inputs)
    outputs = keras.layers.Dense(10, activation="softmax", name="probabilities")(hidden)
    ann.model_ = keras.Model(inputs, outputs)
    with pytest.raises(
        ValueError, match="'norm' \\(UnitNormalization\\) has no ONNX conversion"
    ):
        to_onnx(ann, X_test[:1])


SERVE = """
import sys
import numpy as np
import onnxruntime as ort
session = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
X = np.load(sys.argv[2])
labels, proba = session.run(None, {session.get_inputs()[0].name: X})
np.save(sys.argv[3], proba)
np.save(sys.argv[4], labels)
heavy = ["tensorflow", "keras", "sklearn", "skfashion", "jax", "torch"]
print(",".join(m for m in heavy if m in sys.modules) or "none")
"""


def test_the_file_predicts_in_a_process_without_tensorflow(images, tmp_path):
    X_raw, y, X_test_raw, _, _ = images
    pipe = make_pipeline(
        ImagePreprocessor(), CNNClassifier(**{**SMALL_CNN, "augmentation": "light"})
    ).fit(X_raw, y)
    path = tmp_path / "model.onnx"
    path.write_bytes(
        to_onnx(pipe, X_test_raw[:1], options={"zipmap": False}).SerializeToString()
    )
    np.save(tmp_path / "X.npy", X_test_raw)
    names = [str(tmp_path / n) for n in ("X.npy", "proba.npy", "labels.npy")]
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SERVE), str(path), *names],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    assert result.stdout.strip() == "none"
    assert_allclose(np.load(names[1]), pipe.predict_proba(X_test_raw), atol=1e-5)
    assert_array_equal(np.load(names[2]), pipe.predict(X_test_raw))
