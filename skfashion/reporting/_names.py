# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Class labels as the names the reports show."""

import numpy as np

__all__ = ["class_names"]


def class_names(labels, target_names, what="the labels"):
    """Each label as text: its entry in ``target_names``, or ``str(label)``.

    Parameters
    ----------
    labels : array-like
        Class labels.
    target_names : sequence of str or None
        Names of the classes 0 to ``len(target_names) - 1`` (a fetcher's
        ``target_names``); None shows the labels as they are.
    what : str, default="the labels"
        How to name ``labels`` in an error message.

    Returns
    -------
    names : list of str

    Raises
    ------
    ValueError
        If ``target_names`` is given and a label is not an integer from 0 to
        ``len(target_names) - 1``.
    """
    labels = np.asarray(labels).ravel()
    if target_names is None:
        return [str(label) for label in labels]
    names = [str(name) for name in np.asarray(target_names).ravel()]
    valid = len(labels) == 0 or (
        np.issubdtype(labels.dtype, np.integer)
        and labels.min() >= 0
        and labels.max() < len(names)
    )
    if not valid:
        raise ValueError(
            f"target_names names {len(names)} classes by the labels 0 to "
            f"{len(names) - 1}, but {what} holds "
            f"{np.unique(labels)[:10].tolist()}; pass integer labels, or "
            "target_names=None."
        )
    return [names[label] for label in labels]
