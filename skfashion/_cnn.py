# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""CNNClassifier: convolution blocks followed by a dense head."""

from numbers import Integral

from sklearn.utils._param_validation import Interval, StrOptions

from skfashion._docs import fill_doc
from skfashion._image import resolve_image_shape
from skfashion._keras.augmentation import PRESETS, check_augmentation, flips_left_right
from skfashion._keras.network import layer_sizes
from skfashion._keras.presets import conv_network
from skfashion._preset import PresetClassifier

__all__ = ["CNNClassifier"]

# The presets transform images at least this many pixels high and wide; a
# smaller input (tabular features read as an image one pixel high, or 2x2)
# is not a picture to flip or shift.
MIN_PRESET_SIDE = 8


class CNNClassifier(PresetClassifier):
    """Convolutional neural network classifier for images.

    Each entry of ``filters`` adds a block of one or more convolutions
    ``Conv2D(n, kernel_size, padding) -> [BatchNormalization] -> activation``
    followed by ``MaxPooling2D(pool_size) -> [Dropout]``, where a pooling
    window is never larger than the feature map it pools (so a side never
    shrinks below one); then the feature maps are flattened and go through
    the dense head ``hidden_layer_sizes`` and a softmax layer.

    X can be flat, ``(n_samples, height * width * channels)``, as it comes out
    of a DataFrame or a scikit-learn transformer, or an image array
    ``(n_samples, height, width)`` or ``(n_samples, height, width, channels)``
    (channels last). Flat rows are reshaped inside the network, to
    ``image_shape`` or to a shape inferred from the number of features.

    Parameters
    ----------
    filters : array-like of int or of tuples of int, default=((32, 32), (64, 64))
        Number of filters of each convolution block: an int for a block of
        one convolution, a tuple for a block of several, e.g. ``((32, 32),
        (64, 64))`` for two blocks of two convolutions each (as in VGG).

    kernel_size : int, default=3
        Height and width of the convolution windows.

    pool_size : int, default=2
        Height and width of the max-pooling windows.

    padding : {"same", "valid"}, default="same"
        Keras' convolution padding. "same" pads the borders with zeros so that
        a convolution keeps the height and width of its input; "valid" does
        not pad, so each convolution trims ``kernel_size - 1`` rows and
        columns, which makes the later layers smaller and faster.

    dropout : float, default=0.0
        Fraction of units dropped after each convolution block and each dense
        hidden layer during training (0 disables dropout). Why none by
        default: :ref:`defaults`.

    hidden_layer_sizes : array-like of shape (n_layers,) or int, default=(256,)
        Sizes of the dense layers after the convolution blocks.

    batch_normalization : bool, default=False
        Whether each convolution is followed by batch normalization (momentum
        0.9). Off by default, as it costs more time than it gains on CPUs
        (see :doc:`/design`).

    image_shape : tuple of int or None, default=None
        ``(height, width)`` or ``(height, width, channels)`` of the images when
        X is flat; one entry may be -1 and is then inferred from the number of
        features, as in :func:`numpy.reshape` (``(1, -1)`` treats each row as
        a one-pixel-high image). None infers the shape: from X's shape when X
        holds images; for flat X with n features, a square ``(sqrt(n),
        sqrt(n), 1)`` grayscale image, else ``(sqrt(n/3), sqrt(n/3), 3)`` RGB,
        else (with a warning) an image one pixel high, ``(1, n, 1)``.

    augmentation : {"light", "standard"}, list of Keras layers or None, \
default="light"
        Random transformations of the training images, applied inside the
        network while training only (never in ``predict``, ``predict_proba``
        or ``score``; in a search, only to the training folds), and seeded by
        ``random_state``. "light" flips images left to right; "standard" also
        shifts them by up to 4% of their height and width (about a pixel of
        a 28x28 image), by whole pixels, filling with 0. Pass None for
        images whose mirror image means something else, such as digits or
        letters. The presets act on images at least 8 pixels high and
        wide; smaller inputs (such as tabular features read as an image) are
        left as they are.
        A list takes Keras' random image layers (``keras.layers.RandomFlip``,
        ``RandomTranslation``, ``RandomZoom``, ...), copied at each fit. The
        layers see the network's input: pixels in [0, 1] after
        :class:`ImagePreprocessor`, so pass ``value_range=(0, 1)`` to the
        layers that take one (Keras' default is (0, 255)).

    test_time_augmentation : {"auto", "flip"} or None, default="auto"
        "flip" makes :meth:`predict_proba` (and so ``predict`` and
        ``score``) average the network's probabilities for each image and
        its left-right mirror image: deterministic, at twice the arithmetic
        of a prediction (both views go through the network in one pass).
        "auto" means "flip" when ``augmentation`` flips the training images
        left to right (the presets, or a ``keras.layers.RandomFlip`` whose
        mode includes "horizontal"), and None otherwise: a network that
        never saw a mirror image is not asked about one, so digits and
        letters (``augmentation=None``) are predicted as they are. None
        predicts each image once. Like the augmentation presets, it acts on
        images at least 8 pixels high and wide and leaves smaller inputs as
        they are. The embeddings of :class:`EmbeddingTransformer` are those
        of the images as they are. Why "auto": :ref:`defaults`.

    %(activation_parameter)s

    %(rescale_parameter)s

    %(alpha_parameter)s

    %(training_parameters)s

    Attributes
    ----------
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
    ...                     batch_size=32, augmentation=None, random_state=0)
    >>> cnn.fit(X[:1000] / 16, y[:1000]).image_shape_
    (8, 8, 1)
    >>> cnn.score(X[1000:] / 16, y[1000:]) > 0.85
    True
    """

    _parameter_constraints = {
        **PresetClassifier._parameter_constraints,
        "filters": ["array-like", Interval(Integral, 1, None, closed="left")],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "pool_size": [Interval(Integral, 1, None, closed="left")],
        "padding": [StrOptions({"same", "valid"})],
        "batch_normalization": ["boolean"],
        "image_shape": ["array-like", None],
        "augmentation": [None, StrOptions(set(PRESETS)), list],
        "test_time_augmentation": [None, StrOptions({"auto", "flip"})],
    }

    def __init__(
        self,
        filters=((32, 32), (64, 64)),
        kernel_size=3,
        pool_size=2,
        *,
        padding="same",
        dropout=0.0,
        hidden_layer_sizes=(256,),
        batch_normalization=False,
        image_shape=None,
        augmentation="light",
        test_time_augmentation="auto",
        activation="relu",
        rescale=None,
        alpha=1e-4,
        label_smoothing=0.1,
        batch_size=128,
        learning_rate="cosine",
        learning_rate_init=2e-3,
        optimizer="adam",
        epochs=6,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        class_weight=None,
        callbacks=None,
        dtype_policy="auto",
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
        self.augmentation = augmentation
        self.test_time_augmentation = test_time_augmentation
        self.activation = activation
        self.rescale = rescale
        self.alpha = alpha
        self.label_smoothing = label_smoothing
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

    def _validate_params(self):
        super()._validate_params()
        self._blocks()
        check_augmentation(self.augmentation)

    def _image_shape_for(self, n_features, input_shape):
        shape = resolve_image_shape(
            n_features,
            image_shape=self.image_shape,
            input_shape=input_shape,
            fallback="row",
        )
        self._pool_sizes(shape)  # fails early for images too small
        return shape

    def _flips_at_prediction(self):
        """Whether predictions average each image with its mirror image."""
        tta = self.test_time_augmentation
        if tta == "auto":
            tta = "flip" if flips_left_right(self.augmentation) else None
        return tta is not None and min(self.image_shape_[:2]) >= MIN_PRESET_SIDE

    def _blocks(self):
        """The filters of each block's convolutions, as tuples."""
        entries = (
            (self.filters,) if isinstance(self.filters, Integral) else self.filters
        )
        blocks = []
        for entry in entries:
            try:
                blocks.append(layer_sizes(entry, "filters"))
            except (TypeError, ValueError):
                blocks.append(())
            if not blocks[-1]:
                raise ValueError(
                    "filters must contain positive integers or non-empty "
                    f"tuples of them (one per block), got {self.filters!r}."
                )
        return blocks

    def _pool_sizes(self, image_shape):
        """Each block's pooling window, never larger than its input."""
        blocks = self._blocks()
        trim = self.kernel_size - 1 if self.padding == "valid" else 0
        height, width = image_shape[:2]
        sizes = []
        for block in blocks:
            height, width = height - trim * len(block), width - trim * len(block)
            if min(height, width) < 1:
                raise ValueError(
                    f"Images of shape {image_shape} are too small for "
                    f"{len(blocks)} convolution blocks with "
                    f'kernel_size={self.kernel_size} and padding="valid": each '
                    f"convolution trims {trim} rows and columns. Use fewer "
                    'filters, a smaller kernel_size, or padding="same".'
                )
            pool = (min(self.pool_size, height), min(self.pool_size, width))
            height, width = height // pool[0], width // pool[1]
            sizes.append(pool)
        return sizes

    def _network_builder(self, meta, compile_kwargs, *, seed, policy, batch_size):
        image_shape = meta["image_shape_"]
        augmentation = self.augmentation
        if isinstance(augmentation, str) and min(image_shape[:2]) < MIN_PRESET_SIDE:
            augmentation = None  # not an image: tabular features, say
        arguments = {
            "meta": meta,
            "blocks": self._blocks(),
            "pool_sizes": self._pool_sizes(image_shape),
            "kernel_size": self.kernel_size,
            "padding": self.padding,
            "batch_normalization": self.batch_normalization,
            "augmentation": augmentation,
            **self._layer_arguments(seed=seed, policy=policy, batch_size=batch_size),
        }
        return conv_network, arguments


fill_doc(
    CNNClassifier,
    epochs=6,
    predict_batch_size=1024,
    batch_size=128,
    batch_size_note="Why: :ref:`defaults`.",
    label_smoothing=0.1,
    label_smoothing_note=" Why 0.1: :ref:`defaults`.",
    dtype_policy='"auto"',
)
