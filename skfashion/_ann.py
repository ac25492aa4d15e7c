# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""ANNClassifier: a dense (multi-layer perceptron) network."""

from skfashion._docs import fill_doc
from skfashion._keras.presets import dense_network
from skfashion._preset import PresetClassifier

__all__ = ["ANNClassifier"]


class ANNClassifier(PresetClassifier):
    """Dense neural network classifier (a Keras MLP) for images.

    The network is ``Dense(hidden_layer_sizes[0]) -> [Dropout] -> ... ->
    Dense(n_classes, softmax)``, trained on the cross-entropy loss. Images can
    be passed flat, ``(n_samples, n_features)``, or as ``(n_samples, height,
    width[, channels])`` arrays, which are flattened.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers,) or int, default=(512, 256)
        The i-th element is the number of neurons in the i-th hidden layer, as
        in MLPClassifier (whose default is ``(100,)``; see Notes).

    %(activation_parameter)s

    dropout : float, default=0.0
        Fraction of units dropped after each hidden layer during training
        (0 disables dropout). Not in MLPClassifier. Off by default: at the
        default 13 epochs, and at 20, dropout costs accuracy on Fashion-MNIST
        (see :doc:`/design`).

    %(rescale_parameter)s

    %(alpha_parameter)s

    %(training_parameters)s

    Attributes
    ----------
    %(fitted_attributes)s

    See Also
    --------
    CNNClassifier : Convolutional network for images.
    ImagePreprocessor : Scales pixels to [0, 1] and reshapes.
    sklearn.neural_network.MLPClassifier : The multi-layer perceptron of
        scikit-learn.

    Notes
    -----
    The defaults were chosen for accuracy per second on Fashion-MNIST (pixels
    scaled to [0, 1], 2 CPU cores): :ref:`defaults` gives what they reach,
    and :doc:`/design` why.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.pipeline import make_pipeline
    >>> from skfashion import ANNClassifier, ImagePreprocessor
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = make_pipeline(
    ...     ImagePreprocessor(input_range=(0, 16)),
    ...     ANNClassifier(
    ...         hidden_layer_sizes=(64,),
    ...         batch_size=32,
    ...         learning_rate_init=0.01,
    ...         random_state=0,
    ...     ),
    ... )
    >>> clf.fit(X[:1000], y[:1000]).score(X[1000:], y[1000:]) > 0.9
    True
    >>> clf.predict_proba(X[:2]).shape
    (2, 10)
    """

    _parameter_constraints = {**PresetClassifier._parameter_constraints}
    # A dense network's layers hold little per row (768 values by default):
    # big chunks, where the matrix products run fastest.
    _predict_batch_size = 16384

    def __init__(
        self,
        hidden_layer_sizes=(512, 256),
        activation="relu",
        *,
        dropout=0.0,
        rescale=None,
        alpha=1e-4,
        label_smoothing=0.1,
        batch_size="auto",
        learning_rate="cosine",
        learning_rate_init=2e-3,
        optimizer="adam",
        epochs=13,
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
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

    def _network_builder(self, meta, compile_kwargs, *, seed, policy, batch_size):
        arguments = self._layer_arguments(
            seed=seed, policy=policy, batch_size=batch_size
        )
        return dense_network, {"meta": meta, **arguments}


fill_doc(
    ANNClassifier,
    epochs=13,
    predict_batch_size=16384,
    batch_size='"auto"',
    batch_size_note="Why: :ref:`defaults`.",
    label_smoothing=0.1,
    label_smoothing_note=" Why 0.1: :ref:`defaults`.",
    dtype_policy="None",
)
