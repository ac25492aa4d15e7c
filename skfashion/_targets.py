# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""What a fit trains on: encoded labels, sample weights and the rows it holds
out."""

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import compute_sample_weight
from sklearn.utils.validation import _check_sample_weight

__all__ = [
    "encode_labels",
    "fit_classes",
    "sample_weights",
    "split_validation",
    "weighted_rows",
]


def fit_classes(y, *, known=None, classes=None, incremental=False):
    """The classes of a fit: ``known`` (a kept network's), else those passed to
    ``partial_fit``, else ``y``'s; at least two."""
    if known is not None:
        if classes is not None and not np.array_equal(known, np.unique(classes)):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} is not the same as on the "
                f"first call to partial_fit, {known.tolist()}."
            )
        return known
    if incremental and classes is None:
        raise ValueError("classes must be passed on the first call to partial_fit.")
    found = np.unique(classes if incremental else y)
    if len(found) < 2:
        raise ValueError(
            "The number of classes has to be greater than one; got "
            f"{len(found)} class: {found.tolist()}."
        )
    return found


def encode_labels(y, classes):
    """``y`` as indices into ``classes``; unseen labels raise a ValueError."""
    unseen = np.setdiff1d(np.unique(y), classes)
    if unseen.size:
        raise ValueError(
            f"y contains labels not seen in the first call: {unseen.tolist()}; "
            f"known classes are {classes.tolist()}."
        )
    return np.searchsorted(classes, y)


def sample_weights(sample_weight, class_weight, X, y, *, incremental):
    """``sample_weight`` times the weights of ``class_weight``, or None.

    The weights are float32, whatever X's dtype (uint8 pixels, say).
    """
    if sample_weight is not None:
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float32, ensure_non_negative=True
        )
    if class_weight is None:
        return sample_weight
    if incremental and class_weight == "balanced":
        raise ValueError(
            "class_weight='balanced' is not supported by partial_fit: the "
            "class frequencies of one batch are not those of the data. Pass "
            "a dict of class weights instead."
        )
    weights = compute_sample_weight(class_weight, y).astype(np.float32)
    return weights if sample_weight is None else sample_weight * weights


def weighted_rows(sample_weight, n_samples):
    """The rows of the samples of positive weight (all of them without weights).

    Keras would still put samples of weight zero in batches (where they
    change nothing but the batches' composition and count), so a weight of
    zero would not be the same as leaving the sample out.
    """
    rows = np.arange(n_samples)
    if sample_weight is None:
        return rows
    keep = sample_weight > 0
    if not keep.any():
        raise ValueError(
            "Every sample has weight zero (sample_weight times class_weight): "
            "there is nothing to train on."
        )
    return rows if keep.all() else rows[keep]


def split_validation(rows, y, *, fraction, seed):
    """Hold out a stratified, seeded ``fraction`` of ``rows`` for early stopping.

    Returns
    -------
    train_rows, validation_rows : ndarray of int
        Rows of X, in the order of scikit-learn's ``train_test_split``.
    """
    try:
        train, validation = train_test_split(
            rows, test_size=fraction, stratify=y[rows], random_state=seed
        )
    except ValueError as exc:
        raise ValueError(
            f"early_stopping=True holds out validation_fraction={fraction} of the "
            f"training data, stratified by class, but this failed: {exc}"
        ) from exc
    return train, validation
