# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Keras image classifiers as first-class scikit-learn estimators."""

from skfashion._ann import ANNClassifier
from skfashion._cnn import CNNClassifier
from skfashion._preprocessing import ImagePreprocessor

__version__ = "0.1.0.dev0"

__all__ = ["ANNClassifier", "CNNClassifier", "ImagePreprocessor", "__version__"]
