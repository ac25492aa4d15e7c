# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Image shapes: one rule to flatten, infer and check them.

Images are ``(height, width, channels)``, channels last; ``(height, width)``
means one channel. A flat row of ``n`` values is read as a square grayscale
image when ``n`` is a square number, else as a square RGB image when ``n / 3``
is one. The classifiers, :class:`~skfashion.ImagePreprocessor` and the
displays all use this rule.
"""

import math
import warnings
from numbers import Integral

import numpy as np

__all__ = [
    "display_images",
    "flatten_images",
    "infer_image_shape",
    "resolve_image_shape",
    "same_image",
    "to_hwc",
]


def to_hwc(shape):
    """``(h, w)`` -> ``(h, w, 1)``; ``(h, w, c)`` unchanged, as ints."""
    shape = tuple(int(s) for s in shape)
    return shape + (1,) if len(shape) == 2 else shape


def same_image(shape, expected):
    """Whether two image shapes agree, ``(h, w)`` being ``(h, w, 1)``."""
    return to_hwc(shape) == to_hwc(expected)


def infer_image_shape(n_features):
    """The square grayscale or RGB image of ``n_features`` values, or None."""
    for channels in (1, 3):
        side = math.isqrt(n_features // channels)
        if n_features % channels == 0 and side * side * channels == n_features:
            return (side, side, channels)
    return None


def flatten_images(X):
    """Flatten ``(n, h, w)`` and ``(n, h, w, c)`` arrays (a view where possible).

    Returns
    -------
    X_flat : array-like
        ``X`` itself when it is not an image array (DataFrames, flat rows, or
        anything ``validate_data`` should report on), else ``(n, h * w * c)``.
    shape : tuple of int or None
        ``(h, w, c)`` of the images, or None for flat input.
    """
    if hasattr(X, "iloc"):
        return X, None
    ndim = getattr(X, "ndim", None)
    if ndim is None and isinstance(X, (list, tuple)):
        try:
            array = np.asarray(X)
        except ValueError:
            return X, None  # ragged: validate_data reports it
        if array.ndim > 2:
            X, ndim = array, array.ndim
    if ndim is None or ndim <= 2:
        return X, None
    if ndim > 4:
        raise ValueError(
            "Expected X of shape (n_samples, n_features), (n_samples, height, "
            f"width) or (n_samples, height, width, channels), got {X.shape}."
        )
    return X.reshape(X.shape[0], -1), to_hwc(X.shape[1:])


def display_images(X, estimator=None, *, what="X"):
    """``X`` as ``(n, height, width, channels)`` images, for drawing.

    Images are taken as they are. Flat rows take the shape that the fitted
    classifier at the end of ``estimator`` (a Pipeline or FrozenEstimator
    around one, too) recorded in ``image_shape_``, else the square grayscale
    or RGB shape of :func:`infer_image_shape`.

    Parameters
    ----------
    X : array-like of shape (n, n_features), (n, h, w) or (n, h, w, c)
        What to draw.
    estimator : estimator, default=None
        Where to look for ``image_shape_``.
    what : str, default="X"
        How to name ``X`` in an error message.

    Returns
    -------
    images : ndarray of shape (n, height, width, channels)
    """
    from skfashion._unwrap import unwrap

    images = np.asarray(X)
    if images.ndim == 3:
        return images[..., np.newaxis]
    if images.ndim == 4:
        return images
    if images.ndim != 2:
        raise ValueError(
            f"{what} must be flat rows or images (n, height, width[, channels]); "
            f"got shape {images.shape}."
        )
    shape = getattr(unwrap(estimator)[1], "image_shape_", None)
    if shape is None or math.prod(shape) != images.shape[1]:
        shape = infer_image_shape(images.shape[1])
    if shape is None:
        raise ValueError(
            f"Cannot draw rows of {images.shape[1]} values as images: the "
            "estimator records no image_shape_ of that size, and they are not "
            f"square grayscale or RGB images. Pass {what} as images of shape "
            "(n, height, width[, channels])."
        )
    return images.reshape(len(images), *to_hwc(shape))


def resolve_image_shape(n_features, *, image_shape=None, input_shape=None,
                        owner="image_shape", fallback="error"):  # fmt: skip
    """The ``(h, w, c)`` shape of images with ``n_features`` values.

    Parameters
    ----------
    n_features : int
        Values per sample.
    image_shape : tuple of int or None
        A shape given by the user; one entry may be -1, inferred as in
        :func:`numpy.reshape`. Checked against ``input_shape``.
    input_shape : tuple of int or None
        The shape of the images passed, when X held images.
    owner : str
        How to name ``image_shape`` in messages.
    fallback : {"error", "row"}
        What to do when nothing gives a shape and ``n_features`` is neither a
        square nor three times one: raise, or read each row as an image of
        one row, ``(1, n_features, 1)``, with a warning.

    Returns
    -------
    shape : tuple of int
        ``(height, width, channels)``.
    """
    if image_shape is not None:
        shape = _explicit_shape(image_shape, n_features, owner)
        if input_shape is not None and to_hwc(input_shape) != shape:
            raise ValueError(
                f"{owner}={tuple(image_shape)!r} does not match the shape of the "
                f"images in X, {tuple(input_shape)}."
            )
    elif input_shape is not None:
        shape = to_hwc(input_shape)
    else:
        shape = infer_image_shape(n_features)
        if shape is None and fallback == "row":
            shape = (1, n_features, 1)
            warnings.warn(
                f"X has {n_features} features per sample, neither a square number "
                "(grayscale) nor three times one (RGB), so each row is read as an "
                f"image one pixel high, of shape {shape}. Pass {owner}=(height, "
                "width[, channels]) to give the images' shape.",
                UserWarning,
                stacklevel=4,
            )
        elif shape is None:
            raise ValueError(
                f"Cannot infer the image shape from {n_features} features: it is "
                "neither a square number (grayscale) nor three times one (RGB). "
                f"Pass {owner}=(height, width) or (height, width, channels), or "
                "pass X as an (n_samples, height, width[, channels]) array."
            )
    if math.prod(shape) != n_features:
        raise ValueError(
            f"{owner} {shape} holds {math.prod(shape)} values, but X has "
            f"{n_features} features per sample."
        )
    return shape


def _explicit_shape(image_shape, n_features, owner):
    shape = tuple(image_shape)
    valid = all(
        isinstance(s, Integral) and not isinstance(s, bool) and (s > 0 or s == -1)
        for s in shape
    )
    if len(shape) not in (2, 3) or not valid or shape.count(-1) > 1:
        raise ValueError(
            f"{owner} must be (height, width) or (height, width, channels) of "
            f"positive integers, one of which may be -1; got {image_shape!r}."
        )
    if -1 in shape:
        known = -math.prod(shape)
        if n_features % known:
            raise ValueError(
                f"{owner}={image_shape!r} cannot hold {n_features} features: "
                f"{n_features} is not a multiple of {known}."
            )
        shape = tuple(n_features // known if s == -1 else s for s in shape)
    return to_hwc(shape)
