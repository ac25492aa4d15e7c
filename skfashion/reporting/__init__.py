# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Cross-validation reports and plots for skfashion's classifiers.

:func:`write_projector` writes the last hidden layer for TensorBoard's
embedding projector. Confusion matrices use scikit-learn's own
:class:`~sklearn.metrics.ConfusionMatrixDisplay` (pass
``display_labels=bunch.target_names``).
"""

from skfashion.reporting._displays import (
    CVResultsDisplay,
    FeatureMapsDisplay,
    PredictionGridDisplay,
    TrainingHistoryDisplay,
)
from skfashion.reporting._inspection import EmbeddingDisplay, OcclusionDisplay
from skfashion.reporting._projector import write_projector
from skfashion.reporting._tables import (
    class_report,
    cv_results_to_frame,
    format_cv_results,
)

__all__ = [
    "CVResultsDisplay",
    "EmbeddingDisplay",
    "FeatureMapsDisplay",
    "OcclusionDisplay",
    "PredictionGridDisplay",
    "TrainingHistoryDisplay",
    "class_report",
    "cv_results_to_frame",
    "format_cv_results",
    "write_projector",
]
