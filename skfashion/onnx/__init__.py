# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Export to ONNX through skl2onnx: importing this module registers the
converters of ANNClassifier, CNNClassifier, ImageClassifier, ImagePreprocessor
and EmbeddingTransformer.

After ``import skfashion.onnx``, skl2onnx's own ``to_onnx`` and
``convert_sklearn`` convert each of them, alone or inside a ``Pipeline`` with
scikit-learn steps that skl2onnx converts, and onnxruntime predicts with the
result without TensorFlow, Keras, scikit-learn or skfashion::

    import skfashion.onnx  # noqa: F401
    from skl2onnx import to_onnx

    onx = to_onnx(pipe, X[:1], options={"zipmap": False})

The classifiers take skl2onnx's classifier options ``zipmap`` (True, False
or "columns") and ``nocl``, as ``MLPClassifier``'s converter does. The
graphs compute in float32; the ``onnx`` extra installs what exporting needs.
A network of the user's converts when each of its layers is of a kind in
``skfashion._keras.network.LAYER_KINDS``, in a chain or a functional graph
(residual additions, concatenations); another layer is an error that names
it.
``quantize`` makes an int8 copy of an exported graph for bulk scoring
(onnxruntime's static quantization, calibrated on training images).
"""

from skl2onnx import update_registered_converter

from skfashion._ann import ANNClassifier
from skfashion._classifier import ImageClassifier
from skfashion._cnn import CNNClassifier
from skfashion._embedding import EmbeddingTransformer
from skfashion._preprocessing import ImagePreprocessor
from skfashion.onnx._estimators import (
    classifier_parser,
    classifier_shapes,
    convert_classifier,
    convert_embedding,
    convert_preprocessor,
    embedding_shapes,
    preprocessor_shapes,
)
from skfashion.onnx._quantize import quantize

__all__ = ["CLASSIFIER_OPTIONS", "quantize", "register_converters"]

CLASSIFIER_OPTIONS = {"zipmap": [True, False, "columns"], "nocl": [True, False]}


def register_converters():
    """Register skfashion's converters with skl2onnx (done on import)."""
    for cls in (ANNClassifier, CNNClassifier, ImageClassifier):
        update_registered_converter(
            cls,
            f"Skfashion{cls.__name__}",
            classifier_shapes,
            convert_classifier,
            parser=classifier_parser,
            options=CLASSIFIER_OPTIONS,
        )
    update_registered_converter(
        ImagePreprocessor,
        "SkfashionImagePreprocessor",
        preprocessor_shapes,
        convert_preprocessor,
    )
    update_registered_converter(
        EmbeddingTransformer,
        "SkfashionEmbeddingTransformer",
        embedding_shapes,
        convert_embedding,
    )


register_converters()
