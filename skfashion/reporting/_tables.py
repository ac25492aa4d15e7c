# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Tidy tables of cross-validation results and per-class reports."""

import numpy as np
import pandas as pd
from sklearn.metrics import classification_report

__all__ = ["class_report", "cv_results_to_frame", "format_cv_results"]


def _cv_results(search_or_results):
    results = getattr(search_or_results, "cv_results_", search_or_results)
    if not isinstance(results, dict) or "params" not in results:
        raise TypeError(
            "Expected a fitted search (with cv_results_) or its cv_results_ dict, "
            f"got {type(search_or_results).__name__}."
        )
    return results


def _metric_name(results, scoring):
    if scoring is not None:
        if f"mean_test_{scoring}" not in results:
            available = sorted(
                k[len("mean_test_") :] for k in results if k.startswith("mean_test_")
            )
            raise ValueError(
                f"scoring={scoring!r} is not in these results; available: {available}."
            )
        return scoring
    if "mean_test_score" in results:
        return "score"
    metrics = sorted(
        k[len("mean_test_") :] for k in results if k.startswith("mean_test_")
    )
    raise ValueError(
        f"These results hold several metrics {metrics}: pass scoring=<name>."
    )


def _short_names(names):
    """Drop pipeline step prefixes ('step__param' -> 'param') when unambiguous."""
    short = [name.rsplit("__", 1)[-1] for name in names]
    if len(set(short)) < len(short):
        return list(names)
    return short


def cv_results_to_frame(search, *, scoring=None, short_names=True):
    """One row per candidate of a hyper-parameter search, sorted by rank.

    Parameters
    ----------
    search : fitted search estimator or dict
        A fitted :class:`~sklearn.model_selection.GridSearchCV` (or any search
        with ``cv_results_``), or the ``cv_results_`` dict itself.

    scoring : str, default=None
        Metric to report when the search used several; None for the usual
        single ``score``.

    short_names : bool, default=True
        Drop pipeline step prefixes from parameter names
        (``annclassifier__epochs`` -> ``epochs``) when that keeps them unique.

    Returns
    -------
    frame : pandas.DataFrame
        Indexed by candidate (its position in ``cv_results_``), with one
        column per parameter (values as given, e.g. ``(512, 256)``), then
        ``mean_test_score``, ``std_test_score``, ``mean_train_score`` and
        ``std_train_score`` (when the search recorded them), ``mean_fit_time``
        and ``rank_test_score``, sorted by rank. With ``scoring``, the score
        columns carry that metric's name instead of ``score``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skfashion.reporting import cv_results_to_frame
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(
    ...     LogisticRegression(max_iter=1000), {"C": [0.01, 1.0]}, cv=3
    ... )
    >>> frame = cv_results_to_frame(search.fit(X, y))
    >>> list(frame.columns)
    ['C', 'mean_test_score', 'std_test_score', 'mean_fit_time', 'rank_test_score']
    >>> frame["C"].tolist()
    [1.0, 0.01]
    """
    results = _cv_results(search)
    metric = _metric_name(results, scoring)
    names = sorted({name for params in results["params"] for name in params})
    columns = _short_names(names) if short_names else names
    data = {
        column: [params.get(name) for params in results["params"]]
        for column, name in zip(columns, names)
    }
    for key in (
        f"mean_test_{metric}",
        f"std_test_{metric}",
        f"mean_train_{metric}",
        f"std_train_{metric}",
        "mean_fit_time",
        f"rank_test_{metric}",
    ):
        if key in results:
            data[key] = np.asarray(results[key])
    frame = pd.DataFrame(data)
    frame.index.name = "candidate"
    return frame.sort_values(f"rank_test_{metric}", kind="stable")


def format_cv_results(search, *, scoring=None, digits=4, max_rows=None):
    """Render :func:`cv_results_to_frame` as a plain-text table for terminals.

    Parameters
    ----------
    search : fitted search estimator, dict or DataFrame
        A fitted search, its ``cv_results_``, or a frame from
        :func:`cv_results_to_frame`.

    scoring : str, default=None
        See :func:`cv_results_to_frame`.

    digits : int, default=4
        Digits after the decimal point for scores and times.

    max_rows : int, default=None
        Show only the best ``max_rows`` candidates.

    Returns
    -------
    text : str
        The table, best candidate first.
    """
    frame = (
        search
        if isinstance(search, pd.DataFrame)
        else cv_results_to_frame(search, scoring=scoring)
    )
    if max_rows is not None:
        frame = frame.head(max_rows)
    return frame.to_string(float_format=lambda v: f"{v:.{digits}f}")


def class_report(estimator, X, y, *, target_names=None, digits=3, output_dict=False):
    """Per-class precision, recall and F1 on a test set, with class names.

    A thin layer over :func:`sklearn.metrics.classification_report` that
    predicts with ``estimator`` and labels each row with a class name.

    Parameters
    ----------
    estimator : fitted classifier or pipeline
        Has ``predict`` and ``classes_``.

    X : array-like
        Test images.

    y : array-like of shape (n_samples,)
        True labels.

    target_names : sequence of str, default=None
        Names aligned with ``estimator.classes_`` (for the fetchers' integer
        labels, ``bunch.target_names``). Default: the labels themselves.

    digits : int, default=3
        Digits in the text report.

    output_dict : bool, default=False
        Return a dict instead of text, as ``classification_report`` does.

    Returns
    -------
    report : str or dict
        The report.
    """
    classes = estimator.classes_
    if target_names is not None and len(target_names) != len(classes):
        raise ValueError(
            f"target_names has {len(target_names)} names but the estimator has "
            f"{len(classes)} classes."
        )
    names = [str(c) for c in classes] if target_names is None else list(target_names)
    return classification_report(
        y,
        estimator.predict(X),
        labels=classes,
        target_names=names,
        digits=digits,
        output_dict=output_dict,
        zero_division=0,
    )
