# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Parameter and attribute documentation shared by the classifiers (numpydoc,
in MLPClassifier's wording where the meaning is the same)."""

import re
import textwrap

__all__ = [
    "ACTIVATION_PARAMETER_DOC",
    "RESCALE_PARAMETER_DOC",
    "FITTED_ATTRIBUTES_DOC",
    "TRAINING_PARAMETERS_DOC",
    "fill_doc",
]

ACTIVATION_PARAMETER_DOC = """\
    activation : {"relu", "tanh", "logistic", "identity", "elu", "gelu", \
"selu", "swish"}, default="relu"
        Activation of the hidden layers, with MLPClassifier's names
        ("logistic" is Keras' "sigmoid", "identity" its "linear")."""

RESCALE_PARAMETER_DOC = """\
    rescale : float or None, default=None
        Multiplies the input by this factor inside the network (a
        ``keras.layers.Rescaling`` layer, exported to ONNX with the rest), so
        that raw pixels can be passed as they are: ``rescale=1/255`` takes
        uint8 images (a memory-mapped ``.npy`` file too) and trains on them
        in [0, 1] without the float32 copy of X that
        :class:`ImagePreprocessor` makes in front of the network. None
        leaves the input as it is. Not in MLPClassifier."""

ALPHA_PARAMETER_DOC = """\
    alpha : float, default=1e-4
        Strength of the L2 regularization term, with MLPClassifier's
        meaning: ``0.5 * alpha * ||W||^2 / batch_size`` is added to the mean
        loss of each batch (Keras' ``L2(l2)`` adds ``l2 * ||W||^2``, so
        ``l2 = 0.5 * alpha / batch_size``). Applies to every kernel."""

TRAINING_PARAMETERS_DOC = """\
    label_smoothing : float, default={label_smoothing}
        Smooths the targets of the cross-entropy loss: a sample of class k
        is trained towards ``1 - label_smoothing`` on k plus
        ``label_smoothing / n_classes`` on every class, which keeps the
        network from growing over-confident. In [0, 1); 0 is the plain
        cross-entropy, MLPClassifier's loss. The predicted probabilities
        are then less peaked: a trade of calibration (log-loss) for
        accuracy.{label_smoothing_note}

    batch_size : int or "auto", default={batch_size}
        Size of minibatches, at most ``n_samples``. "auto" means
        ``min(200, n_samples)``, MLPClassifier's default.
        {batch_size_note}

    learning_rate : {"cosine", "constant"}, default="cosine"
        Learning rate schedule, as MLPClassifier's parameter of the same name
        (whose default is "constant"). "cosine" anneals the rate over each call
        to ``fit`` from its initial value towards zero, epoch by epoch,
        following half a cosine: ``lr_e = lr * (1 + cos(pi * e / epochs)) /
        2``; a warm-started ``fit`` starts the cycle again, and ``partial_fit``
        trains its one epoch at the initial rate. The rate of each epoch is
        recorded in ``history_["learning_rate"]``. "constant" keeps it fixed
        (or leaves a Keras optimizer's own schedule alone). Why "cosine" is
        the default: :ref:`defaults`.

    learning_rate_init : float, default=2e-3
        Initial learning rate of the optimizer (ignored when ``optimizer`` is
        a Keras optimizer instance, which keeps its own). MLPClassifier's
        default is 1e-3; the default cosine schedule averages half the initial
        rate (see :ref:`defaults`).

    optimizer : {"adam", "sgd", "rmsprop", "adamw", "nadam"} or \
keras.optimizers.Optimizer, default="adam"
        Keras' name for MLPClassifier's ``solver``. An optimizer instance is
        copied through its config at each fit, never modified. Extra optimizer
        arguments can be routed with the ``optimizer__`` prefix, e.g.
        ``optimizer__momentum=0.9``.

    epochs : int, default={epochs}
        Number of passes over the training data (MLPClassifier's
        ``max_iter`` for stochastic solvers). Training may stop earlier, see
        ``tol`` and ``n_iter_no_change``.

    early_stopping : bool, default=False
        Whether to hold out ``validation_fraction`` of the training data,
        stratified by class and seeded by ``random_state``, and stop when the
        validation accuracy has not improved by ``tol`` for
        ``n_iter_no_change`` epochs. The weights of the best epoch are
        restored. Without early stopping, training stops when the training
        loss has not improved by ``tol`` for ``n_iter_no_change`` epochs.

    validation_fraction : float, default=0.1
        Proportion of training data held out for early stopping. Only used
        if ``early_stopping`` is True. Keras' ``validation_split`` is not
        supported (``fit__validation_split`` raises an error): this split is
        stratified and seeded, Keras' takes the last rows.

    n_iter_no_change : int, default=10
        Number of epochs without an improvement of at least ``tol`` before
        training stops.

    tol : float, default=1e-4
        Minimum improvement of the monitored quantity (validation accuracy
        with early stopping, training loss without).

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, as in scikit-learn's other classifiers,
        multiplied into ``sample_weight``.

    callbacks : list of keras.callbacks.Callback, default=None
        Extra Keras callbacks for ``fit`` (for example
        ``keras.callbacks.TensorBoard``).

    dtype_policy : "auto", str, keras.DTypePolicy or None, default={dtype_policy}
        Keras dtype policy of the network's layers. "mixed_bfloat16" computes
        the hidden layers in bfloat16 while the weights and the output
        softmax stay float32: faster on CPUs that compute bfloat16 natively
        (AMX or AVX512_BF16), slower on others. "auto" chooses it on such a
        CPU with the TensorFlow backend and no GPU, and Keras' global policy
        otherwise; ``dtype_policy_`` records the choice, and
        :ref:`mixed-precision` has the measurements behind it.
        "mixed_float16" (for GPUs) also scales the loss. None uses Keras'
        global policy (``keras.config.dtype_policy()``, float32 unless
        changed) at fit time; that setting belongs to the thread that made it,
        so joblib and dask workers (``n_jobs=2`` in a search) do not see it,
        while this parameter travels with the estimator.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialization, dropout, shuffling and the early
        stopping split. An int gives identical predictions for identical
        data on the same CPU machine with the same thread settings (see
        :ref:`threads` on ``OMP_NUM_THREADS``), across fits and processes.

    verbose : int, default=0
        0 prints nothing; 1 shows Keras' progress bar; 2 one line per epoch.

    warm_start : bool, default=False
        When True, ``fit`` continues training the previous network (same
        classes required) instead of building a new one; ``loss_curve_``
        and ``n_iter_`` then accumulate, as in MLPClassifier.

    **kwargs : dict
        Keras settings without a parameter of their own, routed by prefix:
        ``fit__`` to ``Model.fit`` (``shuffle``, ``validation_batch_size``,
        ``validation_freq``), ``compile__`` to ``Model.compile``
        (``metrics``, ``weighted_metrics``, ``run_eagerly``,
        ``steps_per_execution``, ``jit_compile``, ``auto_scale_loss``),
        ``optimizer__`` to the optimizer (e.g. ``optimizer__momentum=0.9``)
        and ``predict__batch_size``, the rows per forward pass of
        ``predict`` (default {predict_batch_size} rows of 784 values, and
        as many values for other images: fewer rows of larger ones). A key
        that duplicates a parameter
        (``fit__batch_size``, ``fit__epochs``, ``fit__verbose``,
        ``fit__validation_split``, ``optimizer__learning_rate``, ...) or a
        misspelt name raises a ValueError naming the one to use, at ``fit``
        or at once in ``set_params``."""

FITTED_ATTRIBUTES_DOC = """\
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    n_features_in_ : int
        Number of features (pixels times channels) seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit; only when X was a DataFrame with
        string column names.

    image_shape_ : tuple of int or None
        ``(height, width, channels)`` of the images. For CNNClassifier, the
        shape each flat row is reshaped to in the network; for ANNClassifier,
        the shape of the images passed to ``fit``, or None when X was flat;
        for ImageClassifier, that of the images passed to ``fit``, else the
        network's input when it is an image. Images passed to ``predict``
        must have this shape.

    model_ : keras.Model
        The trained network. Its input is a flat vector of
        ``n_features_in_`` values (ANNClassifier, CNNClassifier) or the
        input of your network (ImageClassifier); its output the class
        probabilities.

    history_ : dict of str to list of float
        Per-epoch Keras metrics: "loss", "accuracy" and, with early stopping,
        "val_loss" and "val_accuracy".

    loss_curve_ : list of float
        Training loss at the end of each epoch (``history_["loss"]``).

    validation_scores_ : list of float or None
        Validation accuracy at each epoch, or None without a validation set
        (``early_stopping``'s split, or ``X_val`` of ``fit``).

    best_validation_score_ : float or None
        Best validation accuracy, or None without a validation set.

    best_loss_ : float or None
        Lowest training loss, or None with early stopping (as in
        MLPClassifier).

    n_iter_ : int
        Number of epochs run (accumulated over ``partial_fit`` and warm
        starts).

    dtype_policy_ : str
        Name of the dtype policy the network computes in, such as "float32"
        or "mixed_bfloat16": what ``dtype_policy`` stood for at fit time."""


def fill_doc(cls, **values):
    """Insert the shared parameter and attribute docs into ``cls.__doc__``."""
    doc = cls.__doc__
    for name, text in (
        ("activation_parameter", ACTIVATION_PARAMETER_DOC),
        ("rescale_parameter", RESCALE_PARAMETER_DOC),
        ("alpha_parameter", ALPHA_PARAMETER_DOC),
        ("training_parameters", TRAINING_PARAMETERS_DOC),
        ("fitted_attributes", FITTED_ATTRIBUTES_DOC),
    ):
        # The whole placeholder line, the text indented as it is: Python 3.13
        # strips docstrings' common indentation, earlier versions keep it.
        doc = re.sub(
            rf"^([ \t]*)%\({name}\)s$",
            lambda m: textwrap.indent(textwrap.dedent(text), m.group(1)),
            doc,
            flags=re.M,
        )
    for key, value in values.items():
        doc = doc.replace("{" + key + "}", str(value))
    cls.__doc__ = doc
    return cls
