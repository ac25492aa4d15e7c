# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Keras image classifiers as first-class scikit-learn estimators."""

import importlib

__version__ = "0.1.0.dev0"

# The estimators import Keras (and so TensorFlow), which takes seconds: load
# them on first use, so that ``import skfashion.datasets`` stays light.
_LAZY = {
    "ANNClassifier": "skfashion._ann",
    "CNNClassifier": "skfashion._cnn",
    "EmbeddingTransformer": "skfashion._embedding",
    "ImageClassifier": "skfashion._classifier",
    "ImagePreprocessor": "skfashion._preprocessing",
}

__all__ = [
    "ANNClassifier",
    "CNNClassifier",
    "EmbeddingTransformer",
    "ImageClassifier",
    "ImagePreprocessor",
    "__version__",
]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'skfashion' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
