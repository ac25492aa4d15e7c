# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""skl2onnx's parser, shape calculator and converter for each estimator.

The classifiers' graphs compute what ``predict_proba`` computes: the rows
reshaped to the fitted input, the network, the left-right flip averaging
where ``predict_proba`` uses it, and the renormalisation of the
probabilities; then skl2onnx's standard classifier outputs, the label (in
the type of ``classes_``) and the probabilities.
"""

import numpy as np
from onnx import TensorProto
from skl2onnx._parse import _parse_sklearn_classifier
from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType
from skl2onnx.common.shape_calculator import calculate_linear_classifier_output_shapes
from skl2onnx.common.utils_classifier import get_label_classes
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from skfashion._embedding import final_classifier
from skfashion._image import to_hwc
from skfashion._keras.builder import embedding_model, embedding_units
from skfashion.onnx._graph import Graph
from skfashion.onnx._layers import network

__all__ = [
    "classifier_parser",
    "classifier_shapes",
    "convert_classifier",
    "convert_embedding",
    "convert_preprocessor",
    "embedding_shapes",
    "preprocessor_shapes",
]

_INT64_MIN = np.iinfo(np.int64).min


def _check_fitted(estimator):
    name = type(estimator).__name__
    try:
        check_is_fitted(estimator)
    except NotFittedError as exc:
        raise NotFittedError(
            f"This {name} is not fitted, so it cannot be converted to ONNX: "
            f"call fit first. ({exc})"
        ) from exc


def _flat_input(g, x, n_features, *, float32, shape):
    """Float32 rows of ``n_features`` from flat rows or images of any dtype.

    ``float32`` and ``shape`` describe ``x``: float32 rows of the right width
    go on as they are (a cast or reshape would copy every pixel).
    """
    if not float32:
        x = g.cast(x)
    if list(shape[1:]) != [n_features]:
        x = g.reshape(x, [-1, n_features])
    return x


# ------------------------------------------------------------- classifiers


def classifier_parser(scope, model, inputs, custom_parsers=None):
    """skl2onnx's classifier parser (label and probabilities, ZipMap
    unless ``zipmap=False``), for fitted classifiers only.

    ONNX's ZipMap takes float32 probabilities only, and skl2onnx's outputs
    follow the input's type, so float64 rows with ``zipmap=True`` would give
    a graph onnxruntime refuses to load: that is refused here, by name.
    """
    _check_fitted(model)
    zipmap = scope.get_options(model, {"zipmap": True})["zipmap"]
    if zipmap is True and any(isinstance(i.type, DoubleTensorType) for i in inputs):
        raise ValueError(
            f"{type(model).__name__}: ONNX's ZipMap accepts float32 "
            "probabilities only, and float64 rows give float64 probabilities. "
            "Convert with float32 rows (X[:1].astype(np.float32)), or pass "
            "options={'zipmap': False} (or 'columns')."
        )
    return _parse_sklearn_classifier(scope, model, inputs, custom_parsers)


def classifier_shapes(operator):
    calculate_linear_classifier_output_shapes(operator)


def _probabilities(g, clf, x):
    """What ``predict_proba`` computes for the float32 rows ``x``."""
    if clf._flips_at_prediction():
        h, w, c = to_hwc(clf.image_shape_)
        image = g.reshape(x, [-1, h, w, c])
        mirrored = g.op(
            "Slice",
            image,
            g.const([-1], np.int64),
            g.const([_INT64_MIN], np.int64),
            g.const([2], np.int64),
            g.const([-1], np.int64),
        )
        both = g.op("Concat", x, g.reshape(mirrored, [-1, h * w * c]), axis=0)
        views = g.reshape(network(g, clf.model_, both), [2, -1, len(clf.classes_)])
        first = g.op("Gather", views, g.const(0, np.int64), axis=0)
        second = g.op("Gather", views, g.const(1, np.int64), axis=0)
        proba = g.op("Mul", g.op("Add", first, second), g.const(0.5))
    else:
        proba = network(g, clf.model_, x)
    # Rows of a float32 softmax sum to one only up to rounding.
    total = g.op("ReduceSum", proba, g.const([1], np.int64), keepdims=1)
    return g.op("Div", proba, total)


def _labels(classes):
    """``classes`` as an ONNX label tensor: strings, or int64.

    Numeric labels are integers, booleans or integral floats (scikit-learn
    fits no classifier on other floats), so int64 keeps their values.
    """
    classes = np.asarray(classes)
    if all(isinstance(c, str) for c in classes.tolist()):
        return classes.astype(object)
    return classes.astype(np.int64)


def convert_classifier(scope, operator, container):
    clf = operator.raw_operator
    owner = type(clf).__name__
    g = Graph(scope, container, owner)
    source = operator.inputs[0]
    x = _flat_input(
        g,
        source.full_name,
        clf.n_features_in_,
        float32=isinstance(source.type, FloatTensorType),
        shape=source.type.shape,
    )
    proba = _probabilities(g, clf, x)
    out = operator.outputs[1]
    if isinstance(out.type, DoubleTensorType):  # skl2onnx follows a double input
        g.op("Cast", proba, to=TensorProto.DOUBLE, output=out.full_name)
    else:
        g.op("Identity", proba, output=out.full_name)
    labels = _labels(get_label_classes(scope, clf))
    index = g.op("ArgMax", proba, axis=1, keepdims=0)
    constant = g.const(labels, labels.dtype)
    g.op("Gather", constant, index, axis=0, output=operator.outputs[0].full_name)


# ------------------------------------------------------------ transformers


def _float_type(dtype):
    return DoubleTensorType if np.dtype(dtype) == np.float64 else FloatTensorType


def _n_features(prep, input_shape):
    """The values per sample: ``n_features_in_``, or the input's (a stateless
    ImagePreprocessor transforms without being fitted)."""
    if hasattr(prep, "n_features_in_"):
        return prep.n_features_in_
    dims = input_shape[1:]
    if not dims or not all(isinstance(d, int) and d > 0 for d in dims):
        raise ValueError(
            f"An unfitted ImagePreprocessor converts for inputs of a known "
            f"shape; the input's is {input_shape}. Fit it first, or give "
            "to_onnx a sample of the input."
        )
    return int(np.prod(dims))


def _preprocessor_shape(prep, input_shape):
    """The output shape of ``prep`` (without the sample axis)."""
    n = _n_features(prep, input_shape)
    if prep.output == "flat":
        return [n]
    image = input_shape[1:] if len(input_shape) > 2 else None
    return list(prep._image_shape(n, tuple(image) if image else None))


def preprocessor_shapes(operator):
    prep = operator.raw_operator
    shape = operator.inputs[0].type.shape
    out = _preprocessor_shape(prep, shape)
    operator.outputs[0].type = _float_type(prep.dtype)([shape[0], *out])


def _preprocess(g, prep, x, input_shape):
    """ImagePreprocessor.transform: cast, scale, and give the output layout."""
    dtype = np.dtype(prep.dtype)
    y = g.reshape(g.cast(x, dtype), [-1, _n_features(prep, input_shape)])
    (a, b), (c, d) = prep.input_range, prep.feature_range
    factor = (d - c) / (b - a)
    if a != 0:
        y = g.op("Sub", y, g.const(a, dtype))
    if factor != 1:
        y = g.op("Mul", y, g.const(factor, dtype))
    if c != 0:
        y = g.op("Add", y, g.const(c, dtype))
    if prep.output == "image":
        y = g.reshape(y, [-1, *_preprocessor_shape(prep, input_shape)])
    return y


def convert_preprocessor(scope, operator, container):
    prep = operator.raw_operator
    g = Graph(scope, container, type(prep).__name__)
    y = _preprocess(
        g, prep, operator.inputs[0].full_name, operator.inputs[0].type.shape
    )
    g.op("Identity", y, output=operator.outputs[0].full_name)


def _embedded(transformer):
    """``(preprocessing steps, classifier)`` of a fitted EmbeddingTransformer."""
    from skfashion._preprocessing import ImagePreprocessor

    _check_fitted(transformer)
    steps, clf = final_classifier(transformer.estimator_)
    steps = [] if steps is None else [step for _, step in steps.steps]
    for step in steps:
        if not isinstance(step, ImagePreprocessor) and step != "passthrough":
            raise ValueError(
                "EmbeddingTransformer converts a pipeline of ImagePreprocessor "
                f"steps and a classifier; its estimator has a "
                f"{type(step).__name__} step. Put that step before the "
                "EmbeddingTransformer in the outer pipeline instead."
            )
    return [s for s in steps if s != "passthrough"], clf


def embedding_shapes(operator):
    _, clf = _embedded(operator.raw_operator)
    units = embedding_units(clf.model_, operator.raw_operator.layer)
    operator.outputs[0].type = FloatTensorType(
        [operator.inputs[0].type.shape[0], units]
    )


def convert_embedding(scope, operator, container):
    transformer = operator.raw_operator
    g = Graph(scope, container, type(transformer).__name__)
    steps, clf = _embedded(transformer)
    source = operator.inputs[0]
    x, shape = source.full_name, source.type.shape
    float32 = isinstance(source.type, FloatTensorType)
    for step in steps:
        x = _preprocess(g, step, x, shape)
        shape = [shape[0], *_preprocessor_shape(step, shape)]
        float32 = np.dtype(step.dtype) == np.float32
    x = _flat_input(g, x, clf.n_features_in_, float32=float32, shape=shape)
    probe = embedding_model(clf.model_, transformer.layer)
    y = network(g, probe, x)
    g.op("Identity", y, output=operator.outputs[0].full_name)
