# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The final estimator of a pipeline, through FrozenEstimator wrappers."""

from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import Pipeline

__all__ = ["unwrap"]


def _unfrozen(estimator):
    return estimator.estimator if isinstance(estimator, FrozenEstimator) else estimator


def unwrap(estimator):
    """``(preprocessing, final)`` of an estimator, a Pipeline, or either
    wrapped in a FrozenEstimator.

    Parameters
    ----------
    estimator : estimator
        What a display, the embeddings or the ONNX export were given.

    Returns
    -------
    preprocessing : Pipeline or None
        The pipeline without its last step, or None for a single estimator.
    final : estimator
        The last step, itself unwrapped from a FrozenEstimator.
    """
    estimator = _unfrozen(estimator)
    if isinstance(estimator, Pipeline):
        return estimator[:-1], _unfrozen(estimator[-1])
    return None, estimator
