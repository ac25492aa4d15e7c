# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""ImagePreprocessor: stateless pixel scaling and flat <-> image reshaping."""

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils._param_validation import StrOptions
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import check_is_fitted, validate_data

from skfashion._image import flatten_images, resolve_image_shape

__all__ = ["ImagePreprocessor"]


class ImagePreprocessor(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Scale pixel values and convert between flat rows and images.

    A stateless transformer: each value ``v`` becomes ``(v - input_range[0]) /
    (input_range[1] - input_range[0])``, mapped linearly onto
    ``feature_range`` and cast to ``dtype``, so by default 0-255 pixels become
    float32 values in [0, 1]. Input can be flat ``(n_samples, n_features)``
    (arrays or DataFrames) or images ``(n_samples, height, width[,
    channels])``; the output is flat or images according to ``output``.

    Parameters
    ----------
    input_range : tuple (min, max), default=(0, 255)
        Range of the raw pixel values.

    feature_range : tuple (min, max), default=(0.0, 1.0)
        Range the pixel values are mapped onto, as in
        :class:`~sklearn.preprocessing.MinMaxScaler`. Values are not clipped.

    output : {"flat", "image"}, default="flat"
        "flat" returns ``(n_samples, n_features)`` (works with ``set_output``);
        "image" returns ``(n_samples, height, width, channels)``.

    image_shape : tuple of int or None, default=None
        ``(height, width)`` or ``(height, width, channels)`` used to reshape
        flat input when ``output="image"``; one entry may be -1. None takes
        the shape of image input, and for flat input with n features infers
        a square grayscale image, else a square RGB one.

    dtype : {"float32", "float64"}, default="float32"
        Output dtype. float32 is what Keras computes in.

    Attributes
    ----------
    n_features_in_ : int
        Number of values per sample seen during :meth:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen during :meth:`fit`, when X was a DataFrame.

    See Also
    --------
    sklearn.preprocessing.MinMaxScaler : Learns the input range from data.
    sklearn.preprocessing.FunctionTransformer : Any stateless function.

    Examples
    --------
    >>> import numpy as np
    >>> from skfashion import ImagePreprocessor
    >>> X = np.array([[0, 51, 255, 102]], dtype=np.uint8)
    >>> ImagePreprocessor().fit_transform(X).round(3)
    array([[0. , 0.2, 1. , 0.4]], dtype=float32)
    >>> images = ImagePreprocessor(output="image").fit_transform(X)
    >>> images.shape
    (1, 2, 2, 1)
    >>> ImagePreprocessor(output="image").inverse_transform(images).round(3)
    array([[  0.,  51., 255., 102.]], dtype=float32)
    """

    _parameter_constraints = {
        "input_range": [tuple, list],
        "feature_range": [tuple, list],
        "output": [StrOptions({"flat", "image"})],
        "image_shape": [tuple, list, None],
        "dtype": [StrOptions({"float32", "float64"})],
    }

    def __init__(
        self,
        *,
        input_range=(0, 255),
        feature_range=(0.0, 1.0),
        output="flat",
        image_shape=None,
        dtype="float32",
    ):
        self.input_range = input_range
        self.feature_range = feature_range
        self.output = output
        self.image_shape = image_shape
        self.dtype = dtype

    def fit(self, X, y=None):
        """Check the parameters and record the number of features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or images
            Input data.

        y : None
            Ignored.

        Returns
        -------
        self : object
            The transformer.
        """
        self._validate_params()
        self._check_ranges()
        self._validate(X, reset=True)
        return self

    def transform(self, X):
        """Scale X and give it the ``output`` layout.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or images
            Input data.

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features) or (n_samples, \
height, width, channels)
            Scaled data, of dtype ``dtype``.
        """
        X, shape = self._validate(X, reset=False)
        X = self._affine(X, self.input_range, self.feature_range)
        if self.output == "flat":
            return X
        if _get_output_config("transform", self)["dense"] != "default":
            raise ValueError(
                'set_output needs 2-D output; use output="flat" with '
                'ImagePreprocessor, or set_output(transform="default").'
            )
        return X.reshape((X.shape[0],) + self._image_shape(X.shape[1], shape))

    def inverse_transform(self, X):
        """Undo the scaling and return flat rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or images
            Transformed data.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Values back in ``input_range`` (not rounded), one row per sample.
        """
        X = np.asarray(X)
        if X.ndim > 2:
            X = X.reshape(X.shape[0], -1)
        X = validate_data(self, X, reset=False, dtype=("float32", "float64"))
        return self._affine(X, self.feature_range, self.input_range)

    def get_feature_names_out(self, input_features=None):
        """Output feature names (the input ones): only for ``output="flat"``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; by default ``feature_names_in_`` or
            ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str
            The same names: scaling is one-to-one.
        """
        if self.output != "flat":
            raise ValueError(
                'get_feature_names_out is only defined for output="flat": '
                "images have no feature names."
            )
        check_is_fitted(self, "n_features_in_")
        return super().get_feature_names_out(input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = [self.dtype]
        return tags

    # ----------------------------------------------------------------- helpers

    def _check_ranges(self):
        for name in ("input_range", "feature_range"):
            low, high = getattr(self, name)
            if not low < high:
                raise ValueError(f"{name} must be (min, max) with min < max, got "
                                 f"{getattr(self, name)!r}.")  # fmt: skip

    def _validate(self, X, reset):
        """Flatten images (a view), validate; return (X_flat, image shape or None)."""
        X, shape = flatten_images(X)
        X = validate_data(self, X, reset=reset, dtype="numeric", copy=False)
        return X, shape

    def _affine(self, X, source, target):
        (a, b), (c, d) = source, target
        out = X.astype(self.dtype, copy=True)  # never modify the input
        factor = (d - c) / (b - a)
        if a != 0:
            out -= a
        if factor != 1:
            out *= factor
        if c != 0:
            out += c
        return out

    def _image_shape(self, n_features, input_shape):
        return resolve_image_shape(
            n_features, image_shape=self.image_shape, input_shape=input_shape
        )
