# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The base class that owns the scikit-learn contract for skfashion's networks.

scikeras (unmaintained) predates scikit-learn's 1.6 tags API and validates data
in its own way. ``BaseImageClassifier`` keeps it behind one class: scikit-learn
validates parameters and data, encodes labels and sets tags and fitted
attributes here; scikeras builds the Keras model from ``_keras_build_fn``,
routes ``fit__``/``predict__``/``optimizer__`` parameters and runs
``Model.fit``/``Model.predict``. Nothing public depends on scikeras directly.
"""

import difflib
import inspect
import math
import random
import re
import threading
from contextlib import contextmanager
from numbers import Integral, Real

import keras
import numpy as np
from scikeras.utils.random_state import tf_get_seed, tf_set_seed
from scikeras.wrappers import KerasClassifier
from sklearn.base import _fit_context
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import check_random_state, compute_sample_weight
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils._tags import ClassifierTags
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    check_classification_targets,
)
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from skfashion._retracing import expected_retracing
from skfashion._threads import follow_omp_num_threads

__all__ = ["BaseImageClassifier"]

# Prefixes of parameters routed to Keras (scikeras' escape hatch).
ROUTING_PREFIXES = ("fit__", "predict__", "optimizer__", "compile__", "callbacks__")

# MLPClassifier's activation names, and the Keras activations they mean.
_ACTIVATIONS = {
    "identity": "linear",
    "logistic": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "elu": "elu",
    "gelu": "gelu",
    "selu": "selu",
    "swish": "swish",
}

_OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "nadam": keras.optimizers.Nadam,
    "rmsprop": keras.optimizers.RMSprop,
    "sgd": keras.optimizers.SGD,
}


class _GlobalSeeds:
    """Seeds Keras for seeded fits, and puts the global random state back.

    ``keras.utils.set_random_seed`` seeds Python's, NumPy's and TensorFlow's
    global generators, which Keras' shuffling draws from. Those are
    process-wide, and seeded fits can overlap in threads of one process
    (joblib's threading backend, a dask worker with several threads). The
    first fit to start saves the global state and the last one to finish
    restores it, so overlapping fits cannot leave one another's seeds behind.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._active = 0
        self._saved = None

    @contextmanager
    def __call__(self, seed):
        if seed is None:
            yield
            return
        with self._lock:
            if self._active == 0:
                self._saved = (random.getstate(), np.random.get_state(), tf_get_seed())
            self._active += 1
            keras.utils.set_random_seed(int(seed))
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                if self._active == 0:
                    py_state, np_state, tf_seed = self._saved
                    random.setstate(py_state)
                    np.random.set_state(np_state)
                    tf_set_seed(tf_seed)
                    self._saved = None


_keras_seed = _GlobalSeeds()


def _layer_sizes(value, name):
    """Normalise an int or a sequence of ints to a tuple of positive ints."""
    sizes = (value,) if isinstance(value, Integral) else tuple(value)
    if not all(isinstance(s, Integral) and s > 0 for s in sizes):
        raise ValueError(f"{name} must contain only positive integers, got {value!r}.")
    return tuple(int(s) for s in sizes)


class BaseImageClassifier(KerasClassifier):
    """Base class for skfashion's Keras classifiers. Not for direct use.

    Subclasses define ``__init__`` (storing each argument unchanged), extend
    ``_parameter_constraints`` and implement ``_build_body(inputs)``, which maps
    the flat ``(n_features_in_,)`` input tensor to the last hidden tensor.
    Layers with random weights or dropout come from ``_kernel_initializer()``
    and ``_dropout_layer(name)`` (or take ``_next_seed()``), so that
    ``random_state`` alone decides the network.
    """

    _parameter_constraints = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(_ACTIVATIONS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "cosine"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [
            StrOptions(set(_OPTIMIZERS)),
            HasMethods(["get_config", "apply_gradients"]),
        ],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "callbacks": [list, None],
        "dtype_policy": [str, keras.DTypePolicy, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    # scikeras reads these; skfashion builds and compiles the model itself.
    model = None
    build_fn = None
    loss = None
    metrics = None

    def _set_routed_params(self, kwargs):
        """Store prefixed Keras settings (``fit__shuffle=...``) as parameters."""
        vars(self).update(kwargs)
        if kwargs:
            self._user_params = set(kwargs)

    # ------------------------------------------------------------ scikeras hooks

    @property
    def target_encoder(self):
        # Labels are encoded to 0..n_classes-1 before scikeras sees them.
        return FunctionTransformer()

    def _validate_data(self, X=None, y=None, reset=False, y_numeric=False):
        # Data is validated by scikit-learn in fit/predict before scikeras is
        # called; scikeras' own checks would duplicate the work.
        return X, y

    # scikeras wraps the build and Model.fit of a seeded estimator in its own
    # seeding, which also switches on TensorFlow's op determinism and sets
    # TF_DETERMINISTIC_OPS in os.environ, then restores them. That is not
    # thread-safe: overlapping fits left them on for the whole process, and
    # later unseeded fits then failed ("Random ops require a seed ...").
    # skfashion seeds every layer itself and Keras' shuffling in _train, so
    # scikeras never sees the seed.
    @property
    def _random_state(self):
        return None

    @_random_state.setter
    def _random_state(self, value):
        pass

    def _keras_build_fn(self, meta):
        # Every initializer and dropout layer gets an explicit seed drawn from
        # random_state. Unseeded, Keras draws them from Python's global
        # `random` module, which other threads of the process (a dask
        # worker's event loop, a notebook's) also draw from: the same
        # random_state could then give different networks.
        seed = getattr(self, "_build_seed", None)
        self._seed_rng = None if seed is None else np.random.RandomState(seed)
        self._policy = self._resolve_dtype_policy()
        try:
            return self._build_model(meta)
        finally:
            del self._seed_rng, self._policy

    def _next_seed(self):
        """A seed for one layer, or None when random_state is None."""
        if self._seed_rng is None:
            return None
        return int(self._seed_rng.randint(1, np.iinfo(np.int32).max))

    def _resolve_dtype_policy(self):
        """The Keras dtype policy of this fit: ``dtype_policy`` or the global one.

        The parameter, unlike Keras' global policy (which belongs to the thread
        that set it), travels with the estimator to joblib and dask workers.
        """
        if self.dtype_policy is None:
            return keras.config.dtype_policy()
        try:
            policy = keras.dtype_policies.get(self.dtype_policy)
        except ValueError as exc:
            raise ValueError(
                f"dtype_policy={self.dtype_policy!r} is not a Keras dtype policy: {exc}"
            ) from exc
        floating = ("float16", "bfloat16", "float32", "float64")
        if policy.quantization_mode is not None or (
            policy.compute_dtype not in floating
        ):
            raise ValueError(
                f"dtype_policy={self.dtype_policy!r} cannot train a network: use "
                "a floating-point policy such as 'float32', 'mixed_bfloat16' or "
                "'mixed_float16'."
            )
        return policy

    def _kernel_initializer(self):
        """Keras' default kernel initializer, seeded from random_state."""
        return keras.initializers.GlorotUniform(seed=self._next_seed())

    def _dropout_layer(self, name):
        """A Dropout layer of rate ``dropout``, seeded from random_state."""
        return keras.layers.Dropout(
            self.dropout, seed=self._next_seed(), name=name, dtype=self._policy
        )

    def _build_model(self, meta):
        n_features = meta["n_features_in_"]
        n_classes = len(meta["classes_"])
        inputs = keras.Input(shape=(n_features,), name="pixels")
        hidden = self._build_body(inputs)
        outputs = keras.layers.Dense(
            n_classes,
            activation="softmax",
            kernel_initializer=self._kernel_initializer(),
            kernel_regularizer=self._regularizer(),
            # Under a mixed-precision policy ("mixed_bfloat16") the softmax
            # still runs in float32.
            dtype=self._policy.variable_dtype,
            name="probabilities",
        )(hidden)
        model = keras.Model(inputs, outputs, name=type(self).__name__)
        optimizer = self._make_optimizer()
        if self._policy.name == "mixed_float16" and not isinstance(
            optimizer, keras.optimizers.LossScaleOptimizer
        ):
            # Keras scales the loss only under the global policy; float16
            # gradients underflow without it.
            optimizer = keras.optimizers.LossScaleOptimizer(optimizer)
        compile_kwargs = {
            "optimizer": optimizer,
            "loss": "sparse_categorical_crossentropy",
            "metrics": ["accuracy"],
            "steps_per_execution": _default_steps_per_execution(),
        }
        compile_kwargs.update(self._routed("compile__"))
        model.compile(**compile_kwargs)
        return model

    def _fit_keras_model(self, X, y, sample_weight, warm_start, epochs, initial_epoch,
                         **kwargs):  # fmt: skip
        # Add this fit's own callbacks (stopping rule) next to the user's.
        user_callbacks = self._fit_callbacks
        own = [self._stopping_callback()]
        if self.learning_rate == "cosine":
            own.append(self._cosine_callback(initial_epoch, epochs))
        self._fit_callbacks = [*user_callbacks, *own]
        try:
            super()._fit_keras_model(
                X, y, sample_weight, warm_start, epochs, initial_epoch, **kwargs
            )
        finally:
            self._fit_callbacks = user_callbacks

    # -------------------------------------------------------------- translation

    def _routed(self, prefix):
        return {
            key[len(prefix) :]: value
            for key, value in self.get_params(deep=False).items()
            if key.startswith(prefix)
        }

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(200, n_samples)
        return min(self.batch_size, n_samples)

    def _keras_activation(self):
        return _ACTIVATIONS[self.activation]

    def _regularizer(self):
        # MLPClassifier adds 0.5 * alpha * ||W||^2 / batch_size to the mean
        # batch loss; Keras' L2(l2) adds l2 * ||W||^2. Same penalty:
        if self.alpha == 0:
            return None
        return keras.regularizers.L2(0.5 * self.alpha / self._fit_batch_size)

    def _make_optimizer(self):
        extra = self._routed("optimizer__")
        if isinstance(self.optimizer, str):
            return _OPTIMIZERS[self.optimizer](
                learning_rate=self.learning_rate_init, **extra
            )
        # An optimizer instance: a fresh copy, so that refits start anew and
        # the user's object is never bound to a model.
        config = self.optimizer.get_config()
        config.update(extra)
        return type(self.optimizer).from_config(config)

    def _initial_learning_rate(self):
        if isinstance(self.optimizer, str):
            return float(self.learning_rate_init)
        rate = self.optimizer.get_config().get("learning_rate")
        if isinstance(rate, bool) or not isinstance(rate, Real):
            raise ValueError(
                "learning_rate='cosine' anneals a float learning rate, but the "
                f"optimizer {type(self.optimizer).__name__} has learning_rate="
                f"{rate!r}. Pass learning_rate='constant' to keep the "
                "optimizer's own schedule."
            )
        return float(rate)

    def _cosine_callback(self, initial_epoch, epochs):
        """Anneal the learning rate over this call's epochs (half a cosine)."""
        start = self._initial_learning_rate()
        return keras.callbacks.LearningRateScheduler(
            lambda epoch, _: cosine_learning_rate(start, epoch - initial_epoch, epochs)
        )

    def _stopping_callback(self):
        """MLPClassifier's stopping rule as a Keras callback."""
        if self.early_stopping:
            return keras.callbacks.EarlyStopping(
                monitor="val_accuracy",
                mode="max",
                min_delta=self.tol,
                patience=self.n_iter_no_change,
                restore_best_weights=True,
            )
        return keras.callbacks.EarlyStopping(
            monitor="loss", mode="min", min_delta=self.tol,
            patience=self.n_iter_no_change,
        )  # fmt: skip

    # --------------------------------------------------------------- validation

    def _validate_params(self):
        for name in getattr(self, "_user_params", ()):
            if name.startswith(ROUTING_PREFIXES):
                continue
            valid = sorted(self._get_param_names_from_signature())
            close = difflib.get_close_matches(name, valid, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"{type(self).__name__} got an unknown parameter {name!r}.{hint} "
                f"Valid parameters: {', '.join(valid)}. Keras settings can be "
                f"passed with a prefix: {', '.join(ROUTING_PREFIXES)} (for "
                "example fit__shuffle=False or optimizer__momentum=0.9)."
            )
        for name in ("fit__validation_split", "fit__validation_data"):
            if name in getattr(self, "_user_params", ()):
                raise ValueError(
                    f"{name} is not supported: use early_stopping=True with "
                    "validation_fraction, which holds out a stratified split."
                )
        super()._validate_params()
        self._resolve_dtype_policy()  # fails early for an unknown policy
        if self.learning_rate == "cosine":
            self._initial_learning_rate()  # fails early for a schedule

    @classmethod
    def _get_param_names_from_signature(cls):
        return [
            p.name
            for p in inspect.signature(cls.__init__).parameters.values()
            if p.name != "self" and p.kind != p.VAR_KEYWORD
        ]

    def _flatten(self, X, reset):
        """Accept (n, h, w) and (n, h, w, c) arrays by flattening them (a view)."""
        ndim = getattr(X, "ndim", None)
        if ndim is None and isinstance(X, (list, tuple)):
            try:
                array = np.asarray(X)
            except ValueError:
                return X  # ragged: let validate_data report it
            if array.ndim > 2:
                X, ndim = array, array.ndim
        if ndim is None or ndim <= 2:
            if reset:
                self._input_shape = None
            return X
        if ndim > 4:
            raise ValueError(
                f"Expected X of shape (n_samples, n_features), (n_samples, height, "
                f"width) or (n_samples, height, width, channels), got {X.shape}."
            )
        if reset:
            self._input_shape = tuple(X.shape[1:])
        else:
            expected = getattr(self, "_input_shape", None) or self._image_shape_hint()
            if expected is not None and not _same_image(X.shape[1:], expected):
                raise ValueError(
                    f"X has images of shape {X.shape[1:]}, but "
                    f"{type(self).__name__} was fitted on images of shape "
                    f"{expected}."
                )
        return X.reshape(X.shape[0], -1)

    def _image_shape_hint(self):
        return None

    def _validate_X(self, X, reset):
        X = self._flatten(X, reset)
        return validate_data(
            self, X, reset=reset, dtype=keras.backend.floatx(), accept_sparse=False
        )

    def _validate_Xy(self, X, y, reset):
        X = self._flatten(X, reset)
        X, y = validate_data(
            self, X, y, reset=reset, dtype=keras.backend.floatx(), accept_sparse=False
        )
        check_classification_targets(y)
        return X, y

    def _resolve_input_layout(self, X):
        """Hook for subclasses, called in fit once n_features_in_ is known."""

    # ---------------------------------------------------------------- training

    def _seeds(self):
        """(split seed, Keras seed) derived from random_state."""
        if self.random_state is None:
            return None, None
        rng = check_random_state(self.random_state)
        return rng.randint(np.iinfo(np.int32).max, size=2)

    def _encode(self, y):
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels not seen in the first call: {unseen.tolist()}; "
                f"known classes are {self.classes_.tolist()}."
            )
        return np.searchsorted(self.classes_, y)

    def _train(self, X, y, sample_weight, *, classes=None, incremental=False):
        follow_omp_num_threads()  # before the first Keras operation
        fitted = self.__sklearn_is_fitted__()
        keep_model = fitted and (incremental or self.warm_start)
        if incremental:
            first = _check_partial_fit_first_call(self, classes)
            keep_model = not first
        X, y = self._validate_Xy(X, y, reset=not keep_model)
        if not keep_model and not incremental:
            self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(
                "The number of classes has to be greater than one; got "
                f"{len(self.classes_)} class: {self.classes_.tolist()}."
            )
        y_encoded = self._encode(y)
        if not keep_model:
            self._resolve_input_layout(X)

        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
        if self.class_weight is not None:
            if incremental and self.class_weight == "balanced":
                raise ValueError(
                    "class_weight='balanced' is not supported by partial_fit: "
                    "the class frequencies of one batch are not those of the "
                    "data. Pass a dict of class weights instead."
                )
            weights = compute_sample_weight(self.class_weight, y).astype(X.dtype)
            sample_weight = (
                weights if sample_weight is None else sample_weight * weights
            )

        split_seed, keras_seed = self._seeds()
        self._build_seed = None if keras_seed is None else int(keras_seed)
        fit_kwargs = {}
        if self.early_stopping and not incremental:
            X, y_encoded, sample_weight, validation = self._split(
                X, y_encoded, sample_weight, split_seed
            )
            fit_kwargs["validation_data"] = validation
        self._fit_batch_size = self._batch_size(X.shape[0])
        if not keep_model:
            self.__dict__.pop("history_", None)
        initial_epoch = self.current_epoch if keep_model else 0
        epochs = 1 if incremental else self.epochs
        with _keras_seed(keras_seed), expected_retracing():
            self._fit(
                X,
                y_encoded,
                sample_weight=sample_weight,
                warm_start=keep_model,
                epochs=epochs,
                initial_epoch=initial_epoch,
                batch_size=self._fit_batch_size,
                verbose=int(min(self.verbose, 2)),
                **fit_kwargs,
            )
        self._set_training_attributes()
        return self

    def _split(self, X, y, sample_weight, seed):
        arrays = [X, y] + ([sample_weight] if sample_weight is not None else [])
        try:
            parts = train_test_split(
                *arrays,
                test_size=self.validation_fraction,
                stratify=y,
                random_state=seed,
            )
        except ValueError as exc:
            raise ValueError(
                f"early_stopping=True holds out validation_fraction="
                f"{self.validation_fraction} of the training data, stratified by "
                f"class, but this failed: {exc}"
            ) from exc
        X_train, X_val, y_train, y_val = parts[:4]
        if sample_weight is None:
            return X_train, y_train, None, (X_val, y_val)
        sw_train, sw_val = parts[4:]
        return X_train, y_train, sw_train, (X_val, y_val, sw_val)

    def _set_training_attributes(self):
        history = self.history_
        self.loss_curve_ = list(history["loss"])
        self.n_iter_ = len(self.loss_curve_)
        if self.early_stopping and "val_accuracy" in history:
            self.validation_scores_ = list(history["val_accuracy"])
            self.best_validation_score_ = max(self.validation_scores_)
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = min(self.loss_curve_)

    # ---------------------------------------------------------------- public API

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to images ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, height, \
width) or (n_samples, height, width, channels)
            Training images, flat or not. DataFrames are accepted (their column
            names are recorded in ``feature_names_in_``).

        y : array-like of shape (n_samples,)
            Class labels of any type (ints, strings, ...).

        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights, multiplied by the weights from
            ``class_weight``. Samples of weight zero are left out.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._train(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for exactly one epoch over ``(X, y)``, keeping the weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or images
            Training images, as in :meth:`fit`.

        y : array-like of shape (n_samples,)
            Class labels.

        classes : array-like of shape (n_classes,), default=None
            All classes that can appear across calls. Required on the first
            call, ignored (but checked) afterwards.

        sample_weight : array-like of shape (n_samples,), default=None
            Per-sample weights.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._train(X, y, sample_weight, classes=classes, incremental=True)

    def predict_proba(self, X):
        """Probability of each class for each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or images
            Images, in the same layout as in :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``; rows sum to one.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        predict_kwargs = {"batch_size": 1024, "verbose": 0}
        predict_kwargs.update(self._routed("predict__"))
        with expected_retracing():
            raw = self._predict_raw(X, **predict_kwargs)
        proba = np.asarray(raw, dtype=np.float64)
        # Rows of a float32 softmax sum to one only up to rounding.
        return proba / proba.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or images
            Images.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Natural logarithm of the class probabilities.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """Predict the class of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or images
            Images.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels, taken from ``classes_``.
        """
        proba = self.predict_proba(X)  # checks fitting first
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy on ``(X, y)``, as :meth:`sklearn.base.ClassifierMixin.score`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or images
            Test images.

        y : array-like of shape (n_samples,)
            True labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Accuracy of ``self.predict(X)``.
        """
        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)

    # ---------------------------------------------------------- sklearn protocol

    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_") and hasattr(self, "classes_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # KerasClassifier puts ClassifierMixin after BaseEstimator in its MRO,
        # so scikit-learn >= 1.6 would not see a classifier without this.
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags(multi_class=True, multi_label=False)
        tags.target_tags.required = True
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = False
        tags.input_tags.two_d_array = True
        tags.input_tags.three_d_array = True
        tags.non_deterministic = self.random_state is None
        return tags

    def __repr__(self, N_CHAR_MAX=700):
        # scikit-learn's repr (only the parameters that differ from defaults)
        # instead of scikeras' dump of every parameter.
        from sklearn.base import BaseEstimator

        return BaseEstimator.__repr__(self, N_CHAR_MAX=N_CHAR_MAX)


def cosine_learning_rate(start, epoch, epochs):
    """Learning rate of ``epoch`` (0-based) of ``epochs`` under half a cosine."""
    return start * 0.5 * (1.0 + math.cos(math.pi * epoch / epochs))


def _default_steps_per_execution():
    """Training steps per call into the backend: 32, or 1 with PyTorch.

    Running several minibatches per call saves Python overhead on small
    networks (25-30% of a dense network's epoch on 2 CPU cores with
    TensorFlow). Batch-level callbacks are then called every 32 steps.
    PyTorch's trainer supports only 1.
    """
    return 1 if keras.backend.backend() == "torch" else 32


def _same_image(shape, expected):
    """Compare image shapes, treating (h, w) and (h, w, 1) as the same."""
    shape, expected = tuple(shape), tuple(expected)
    if len(shape) == 2:
        shape += (1,)
    if len(expected) == 2:
        expected += (1,)
    return shape == expected


# Parameter documentation shared by the classifiers (numpydoc, scikit-learn's
# MLPClassifier wording where the meaning is the same).
TRAINING_PARAMETERS_DOC = """\
    activation : {"relu", "tanh", "logistic", "identity", "elu", "gelu", \
"selu", "swish"}, default="relu"
        Activation of the hidden layers, with MLPClassifier's names
        ("logistic" is Keras' "sigmoid", "identity" its "linear").

    alpha : float, default=1e-4
        Strength of the L2 regularization term, with MLPClassifier's
        meaning: ``0.5 * alpha * ||W||^2 / batch_size`` is added to the mean
        loss of each batch (Keras' ``L2(l2)`` adds ``l2 * ||W||^2``, so
        ``l2 = 0.5 * alpha / batch_size``). Applies to every kernel.

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
        (or leaves a Keras optimizer's own schedule alone). On Fashion-MNIST,
        "cosine" gains about one point of test accuracy for the same epochs
        (see the Performance page).

    learning_rate_init : float, default=2e-3
        Initial learning rate of the optimizer (ignored when ``optimizer`` is
        a Keras optimizer instance, which keeps its own). MLPClassifier's
        default is 1e-3; with the default cosine schedule, which averages half
        the initial rate, 2e-3 trained both networks to a higher accuracy on
        Fashion-MNIST (see the user guide).

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

    dtype_policy : str, keras.DTypePolicy or None, default=None
        Keras dtype policy of the network's layers. "mixed_bfloat16" computes
        the hidden layers in bfloat16 while the weights and the output
        softmax stay float32: faster on CPUs with bfloat16 instructions (see
        the Performance page), slower on others. "mixed_float16" (for GPUs)
        also scales the loss. None uses Keras' global policy
        (``keras.config.dtype_policy()``, float32 unless changed) at fit
        time; that setting belongs to the thread that made it, so joblib and
        dask workers (``n_jobs=2`` in a search) do not see it, while this
        parameter travels with the estimator.

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialization, dropout, shuffling and the early
        stopping split. An int gives identical predictions for identical
        data on the same CPU machine with the same thread settings (see the
        Performance page on ``OMP_NUM_THREADS``), across fits and processes.

    verbose : int, default=0
        0 prints nothing; 1 shows Keras' progress bar; 2 one line per epoch.

    warm_start : bool, default=False
        When True, ``fit`` continues training the previous network (same
        classes required) instead of building a new one; ``loss_curve_``
        and ``n_iter_`` then accumulate, as in MLPClassifier.

    **kwargs : dict
        Keras settings routed by prefix: ``fit__`` (``Model.fit``),
        ``predict__`` (``Model.predict``), ``optimizer__``, ``compile__``
        (``Model.compile``, e.g. ``compile__jit_compile=False``) and
        ``callbacks__``. Any other name raises a ValueError at fit, with a
        suggestion."""

FITTED_ATTRIBUTES_DOC = """\
    classes_ : ndarray of shape (n_classes,)
        Class labels.

    n_features_in_ : int
        Number of features (pixels times channels) seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit; only when X was a DataFrame with
        string column names.

    model_ : keras.Model
        The trained network. Its input is a flat vector of
        ``n_features_in_`` values; its output the class probabilities.

    history_ : dict of str to list of float
        Per-epoch Keras metrics: "loss", "accuracy" and, with early stopping,
        "val_loss" and "val_accuracy".

    loss_curve_ : list of float
        Training loss at the end of each epoch (``history_["loss"]``).

    validation_scores_ : list of float or None
        Validation accuracy at each epoch, or None without early stopping.

    best_validation_score_ : float or None
        Best validation accuracy, or None without early stopping.

    best_loss_ : float or None
        Lowest training loss, or None with early stopping (as in
        MLPClassifier).

    n_iter_ : int
        Number of epochs run (accumulated over ``partial_fit`` and warm
        starts)."""


def fill_doc(cls, **values):
    """Insert the shared parameter and attribute docs into ``cls.__doc__``."""
    doc = cls.__doc__
    for name, text in (
        ("training_parameters", TRAINING_PARAMETERS_DOC),
        ("fitted_attributes", FITTED_ATTRIBUTES_DOC),
    ):
        # The whole placeholder line, whatever its indentation.
        doc = re.sub(rf"^[ \t]*%\({name}\)s$", lambda _: text, doc, flags=re.M)
    for key, value in values.items():
        doc = doc.replace("{" + key + "}", str(value))
    cls.__doc__ = doc
    return cls
