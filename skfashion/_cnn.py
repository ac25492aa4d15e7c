# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""CNNClassifier: convolution blocks followed by a dense head."""

import math
from numbers import Integral

import keras
from sklearn.utils._param_validation import Interval, StrOptions

from skfashion._base import BaseImageClassifier, _layer_sizes, fill_doc

__all__ = ["CNNClassifier"]


class CNNClassifier(BaseImageClassifier):
    """Convolutional neural network classifier for images.

    Each entry of ``filters`` adds a block ``Conv2D(filters, kernel_size,
    padding) -> [BatchNormalization] -> activation -> MaxPooling2D(pool_size)
    -> [Dropout]``; then the feature maps are flattened and go through the
    dense head ``hidden_layer_sizes`` and a softmax layer.

    X can be flat, ``(n_samples, height * width * channels)``, as it comes out
    of a DataFrame or a scikit-learn transformer, or an image array
    ``(n_samples, height, width)`` or ``(n_samples, height, width, channels)``
    (channels last). Flat rows are reshaped inside the network, to
    ``image_shape`` or to a shape inferred from the number of features.

    Parameters
    ----------
    filters : array-like of int, default=(32, 64)
        Number of filters of each convolution block.

    kernel_size : int, default=3
        Height and width of the convolution windows.

    pool_size : int, default=2
        Height and width of the max-pooling windows.

    padding : {"same", "valid"}, default="same"
        Keras' convolution padding. "same" pads the borders with zeros so that
        a convolution keeps the height and width of its input; "valid" does
        not pad, so each convolution trims ``kernel_size - 1`` rows and
        columns, which makes the later layers smaller and faster.

    dropout : float, default=0.25
        Fraction of units dropped after each convolution block and each dense
        hidden layer during training (0 disables dropout).

    hidden_layer_sizes : array-like of shape (n_layers,) or int, default=(256,)
        Sizes of the dense layers after the convolution blocks.

    batch_normalization : bool, default=False
        Whether each convolution is followed by batch normalization (momentum
        0.9). Off by default: on Fashion-MNIST it made epochs 35% slower and
        reached a lower test accuracy (see the user guide).

    image_shape : tuple of int or None, default=None
        ``(height, width)`` or ``(height, width, channels)`` of the images when
        X is flat; one entry may be -1 and is then inferred from the number of
        features, as in :func:`numpy.reshape` (``(1, -1)`` treats each row as
        a one-pixel-high image). None infers the shape: from X's shape when X
        holds images; for flat X with n features, a square ``(sqrt(n),
        sqrt(n), 1)`` grayscale image, else ``(sqrt(n/3), sqrt(n/3), 3)`` RGB.
        Other counts need ``image_shape``.

    %(training_parameters)s

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(height, width, channels)`` of the images the network sees.

    %(fitted_attributes)s

    See Also
    --------
    ANNClassifier : Dense network for images.
    ImagePreprocessor : Scales pixels to [0, 1] and reshapes.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skfashion import CNNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> cnn = CNNClassifier(filters=(8,), hidden_layer_sizes=(32,), epochs=15,
    ...                     batch_size=32, random_state=0)
    >>> cnn.fit(X[:1000] / 16, y[:1000]).image_shape_
    (8, 8, 1)
    >>> cnn.score(X[1000:] / 16, y[1000:]) > 0.85
    True
    """

    _parameter_constraints = {
        **BaseImageClassifier._parameter_constraints,
        "filters": ["array-like", Interval(Integral, 1, None, closed="left")],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "pool_size": [Interval(Integral, 1, None, closed="left")],
        "padding": [StrOptions({"same", "valid"})],
        "batch_normalization": ["boolean"],
        "image_shape": ["array-like", None],
    }

    def __init__(
        self,
        filters=(32, 64),
        kernel_size=3,
        pool_size=2,
        *,
        padding="same",
        dropout=0.25,
        hidden_layer_sizes=(256,),
        batch_normalization=False,
        image_shape=None,
        activation="relu",
        alpha=1e-4,
        batch_size=128,
        learning_rate="cosine",
        learning_rate_init=2e-3,
        optimizer="adam",
        epochs=11,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        class_weight=None,
        callbacks=None,
        dtype_policy=None,
        random_state=None,
        verbose=0,
        warm_start=False,
        **kwargs,
    ):
        self.filters = filters
        self.kernel_size = kernel_size
        self.pool_size = pool_size
        self.padding = padding
        self.dropout = dropout
        self.hidden_layer_sizes = hidden_layer_sizes
        self.batch_normalization = batch_normalization
        self.image_shape = image_shape
        self.activation = activation
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.optimizer = optimizer
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.class_weight = class_weight
        self.callbacks = callbacks
        self.dtype_policy = dtype_policy
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self._set_routed_params(kwargs)

    def _image_shape_hint(self):
        return getattr(self, "image_shape_", None)

    def _resolve_input_layout(self, X):
        n_features = self.n_features_in_
        if self.image_shape is not None:
            shape = _resolve_shape(self.image_shape, n_features)
            if self._input_shape is not None and _hwc(self._input_shape) != shape:
                raise ValueError(
                    f"image_shape={self.image_shape!r} does not match the shape "
                    f"of the images in X, {self._input_shape}."
                )
        elif self._input_shape is not None:
            shape = self._input_shape
        else:
            shape = _infer_image_shape(n_features)
        shape = _hwc(shape)
        if math.prod(shape) != n_features:
            raise ValueError(
                f"image_shape {shape} holds {math.prod(shape)} values, but X has "
                f"{n_features} features per sample."
            )
        n_blocks = len(_layer_sizes(self.filters, "filters"))
        trim = self.kernel_size - 1 if self.padding == "valid" else 0
        side = min(shape[:2])
        for _ in range(n_blocks):
            side = (side - trim) // self.pool_size
        if side < 1:
            raise ValueError(
                f"Images of shape {shape} are too small for {n_blocks} "
                f"convolution blocks with kernel_size={self.kernel_size}, "
                f"padding={self.padding!r} and pool_size={self.pool_size}: each "
                f"block trims {trim} rows and columns and then divides the "
                "height and width by pool_size. Use fewer filters, a smaller "
                'pool_size or kernel_size, or padding="same".'
            )
        self.image_shape_ = shape

    def _build_body(self, inputs):
        activation = self._keras_activation()
        x = keras.layers.Reshape(self.image_shape_, name="image", dtype=self._policy)(
            inputs
        )
        for i, n_filters in enumerate(_layer_sizes(self.filters, "filters")):
            x = keras.layers.Conv2D(
                n_filters,
                self.kernel_size,
                padding=self.padding,
                activation=None if self.batch_normalization else activation,
                use_bias=not self.batch_normalization,
                kernel_initializer=self._kernel_initializer(),
                kernel_regularizer=self._regularizer(),
                name=f"conv_{i}",
                dtype=self._policy,
            )(x)
            if self.batch_normalization:
                x = keras.layers.BatchNormalization(
                    momentum=0.9, name=f"batch_norm_{i}", dtype=self._policy
                )(x)
                x = keras.layers.Activation(
                    activation, name=f"conv_{i}_act", dtype=self._policy
                )(x)
            x = keras.layers.MaxPooling2D(
                self.pool_size, name=f"pool_{i}", dtype=self._policy
            )(x)
            if self.dropout:
                x = self._dropout_layer(f"conv_dropout_{i}")(x)
        x = keras.layers.Flatten(name="flatten", dtype=self._policy)(x)
        sizes = _layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")
        for i, units in enumerate(sizes):
            x = keras.layers.Dense(
                units,
                activation=activation,
                kernel_initializer=self._kernel_initializer(),
                kernel_regularizer=self._regularizer(),
                name=f"dense_{i}",
                dtype=self._policy,
            )(x)
            if self.dropout:
                x = self._dropout_layer(f"dropout_{i}")(x)
        return x


def _hwc(shape):
    """(h, w) -> (h, w, 1); (h, w, c) unchanged."""
    shape = tuple(int(s) for s in shape)
    return shape + (1,) if len(shape) == 2 else shape


def _resolve_shape(image_shape, n_features):
    """Validate ``image_shape``; one entry may be -1, inferred as in NumPy."""
    shape = tuple(image_shape)
    valid = all(isinstance(s, Integral) and (s > 0 or s == -1) for s in shape)
    if len(shape) not in (2, 3) or not valid or shape.count(-1) > 1:
        raise ValueError(
            "image_shape must be (height, width) or (height, width, channels) of "
            f"positive integers, one of which may be -1; got {image_shape!r}."
        )
    if -1 in shape:
        known = -math.prod(shape)
        if n_features % known:
            raise ValueError(
                f"image_shape={image_shape!r} cannot hold {n_features} features: "
                f"{n_features} is not a multiple of {known}."
            )
        shape = tuple(n_features // known if s == -1 else s for s in shape)
    return _hwc(shape)


def _infer_image_shape(n_features):
    for channels in (1, 3):
        side = math.isqrt(n_features // channels)
        if n_features % channels == 0 and side * side * channels == n_features:
            return (side, side, channels)
    raise ValueError(
        f"Cannot infer the image shape from {n_features} features: it is neither "
        "a square number (grayscale) nor three times one (RGB). Pass "
        "image_shape=(height, width) or (height, width, channels), or pass X as "
        "an (n_samples, height, width[, channels]) array."
    )


fill_doc(
    CNNClassifier,
    epochs=11,
    batch_size=128,
    batch_size_note=(
        "128 took about 4% more time per epoch than 200 on Fashion-MNIST\n"
        "        but reached the same accuracy in one epoch fewer (see the user\n"
        "        guide)."
    ),
)
