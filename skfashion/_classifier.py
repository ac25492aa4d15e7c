# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""ImageClassifier: a network of the user's, with skfashion's fit."""

from sklearn.utils._param_validation import StrOptions

from skfashion._base import BaseImageClassifier
from skfashion._docs import fill_doc

__all__ = ["ImageClassifier"]


class ImageClassifier(BaseImageClassifier):
    """A Keras network of your own as a scikit-learn classifier.

    ``model`` is a ``keras.Model``, or a function that builds one, as in
    scikeras' ``KerasClassifier(model=...)``: the function is called at each
    new fit with the keyword arguments it names among ``meta`` (scikeras'
    metadata of the fit: ``n_features_in_``, ``X_shape_``, ``X_dtype_``,
    ``y_dtype_``, ``classes_``, ``n_classes_``, ``target_type_``,
    ``n_outputs_``, ``n_outputs_expected_``, and skfashion's
    ``image_shape_``), ``compile_kwargs`` and ``params`` (``get_params()``),
    and with every routed ``model__*`` setting (``model__units=64`` passes
    ``units=64``). A model given as an object is copied with its weights at
    each fit and the copy is trained: the object is never changed.

    The network takes one input: flat rows of ``n_features_in_`` values, or
    images, which skfashion reshapes each batch of X to. Its output is a
    softmax over the classes (used as it is), logits over the classes (a
    softmax is added), or features (a ``Dense(n_classes, softmax)`` head is
    added); any other output is refused with an error saying which it
    expected. skfashion compiles the network with its ``optimizer``,
    ``learning_rate_init``, cross-entropy loss and ``compile__`` settings
    (the ``compile_kwargs`` a builder receives): a network the builder
    compiled is compiled again with them.

    Everything else is the presets': the transactional ``fit``, the seeded
    epoch order (unseeded layers of the builder draw their seeds from
    ``random_state``), ``class_weight``, ``partial_fit``, ``warm_start``,
    early stopping, ``X_val``, streaming of uint8 and memory-mapped X,
    :class:`EmbeddingTransformer`, :mod:`skfashion.io`, skops and
    :mod:`skfashion.onnx` (for the layers it converts).

    Read more in :ref:`own-network`.

    Parameters
    ----------
    model : keras.Model or callable
        The network, or a function returning a new ``keras.Model`` (see
        above). The network's first layer must fix its input shape
        (``keras.Input(shape=...)``).

    test_time_augmentation : {"flip"} or None, default=None
        "flip" averages each image's probabilities with those of its mirror
        image (flipped left to right) in ``predict_proba``; it needs images
        (X of shape ``(n, height, width[, channels])``, or a network whose
        input is one).

    %(training_parameters)s

    Attributes
    ----------
    %(fitted_attributes)s

    See Also
    --------
    ANNClassifier : A dense network built from its parameters.
    CNNClassifier : A convolutional network built from its parameters.

    Examples
    --------
    >>> import keras
    >>> from sklearn.datasets import load_digits
    >>> from skfashion import ImageClassifier
    >>> def build(meta, units=32):
    ...     inputs = keras.Input(meta["image_shape_"])
    ...     x = keras.layers.Flatten()(inputs)
    ...     x = keras.layers.Dense(units, activation="relu")(x)
    ...     return keras.Model(inputs, x)  # no head: skfashion adds one
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = ImageClassifier(build, model__units=16, epochs=5, random_state=0)
    >>> clf.fit(X.reshape(-1, 8, 8) / 16, y).score(X.reshape(-1, 8, 8) / 16, y) > 0.8
    True
    """

    _parameter_constraints = {
        **BaseImageClassifier._parameter_constraints,
        "model": [callable],
        "test_time_augmentation": [None, StrOptions({"flip"})],
    }

    def __init__(
        self,
        model,
        *,
        test_time_augmentation=None,
        label_smoothing=0.0,
        batch_size=32,
        learning_rate="cosine",
        learning_rate_init=2e-3,
        optimizer="adam",
        epochs=10,
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
        self.model = model
        self.test_time_augmentation = test_time_augmentation
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

    def _network_builder(self, meta, compile_kwargs, *, seed, policy, batch_size):
        return self.model, self._builder_arguments(self.model, meta, compile_kwargs)

    def _network_image_shape(self, model, n_features, image_shape):
        shape = super()._network_image_shape(model, n_features, image_shape)
        if self.test_time_augmentation == "flip" and (shape is None or len(shape) < 2):
            raise ValueError(
                'test_time_augmentation="flip" mirrors images, but X has flat '
                "rows and the network's input is flat: pass X as images, of "
                "shape (n_samples, height, width[, channels])."
            )
        return shape

    def _flips_at_prediction(self):
        return self.test_time_augmentation == "flip"


fill_doc(
    ImageClassifier,
    epochs=10,
    predict_batch_size=1024,
    batch_size=32,
    batch_size_note="32 is Keras' default (``Model.fit``), and scikeras'.",
    label_smoothing=0.0,
    label_smoothing_note="",
    dtype_policy="None",
)
