# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The scikit-learn contract of skfashion's networks.

:class:`BaseImageClassifier` checks parameters and data, encodes labels, runs
transactional fits (everything is computed into locals, and the fitted
attributes are set together once training has succeeded) and fast
predictions, and sets scikit-learn's tags. It speaks scikit-learn and Keras:
the networks come from :mod:`skfashion._network`, and training and the
forward pass from :mod:`skfashion._training`.
"""

import copy
from numbers import Integral, Real

import keras
import numpy as np
from sklearn.base import _fit_context
from sklearn.metrics import accuracy_score
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils._tags import ClassifierTags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from skfashion._callbacks import fit_callbacks
from skfashion._image import flatten_images, same_image
from skfashion._network import (
    ACTIVATIONS,
    OPTIMIZERS,
    build_network,
    initial_learning_rate,
    layer_sizes,
    resolve_dtype_policy,
)
from skfashion._persistence import network_from_bytes, network_to_bytes
from skfashion._retracing import expected_retracing
from skfashion._routing import check_param_names, init_param_names, routed
from skfashion._scikeras import KerasAdapter
from skfashion._seeding import fit_seeds
from skfashion._targets import (
    drop_unweighted,
    encode_labels,
    fit_classes,
    sample_weights,
    split_validation,
)
from skfashion._threads import follow_omp_num_threads
from skfashion._training import fit_network, forward

__all__ = ["BaseImageClassifier"]


class BaseImageClassifier(KerasAdapter):
    """Base class for skfashion's Keras classifiers. Not for direct use.

    Subclasses define ``__init__`` (storing each argument unchanged), extend
    ``_parameter_constraints`` and implement ``_build_body(inputs, layers,
    image_shape)``, which maps the flat input tensor to the last hidden tensor
    with layers from the :class:`~skfashion._network.LayerFactory` ``layers``,
    and ``_image_shape_for(n_features, input_shape)``.
    """

    # Rows per forward pass unless predict__batch_size says otherwise: large
    # chunks run the matrix products faster, but hold every layer's output
    # for that many rows at once.
    _predict_batch_size = 1024

    _parameter_constraints = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "cosine"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [
            StrOptions(set(OPTIMIZERS)),
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

    # ------------------------------------------------------------ parameters

    @classmethod
    def _get_param_names_from_signature(cls):
        return init_param_names(cls)[0]

    def _check_param_names(self, names):
        check_param_names(
            type(self).__name__, names, self._get_param_names_from_signature()
        )

    def _validate_params(self):
        self._check_param_names(getattr(self, "_user_params", ()))
        super()._validate_params()
        resolve_dtype_policy(self.dtype_policy)
        if self.learning_rate == "cosine":
            initial_learning_rate(self.optimizer, self.learning_rate_init)
        layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")

    # ------------------------------------------------------------------ data

    def _flatten_fitted(self, X):
        """Flat X; images must have the shape of the fit's (``image_shape_``)."""
        X, shape = flatten_images(X)
        expected = getattr(self, "image_shape_", None)
        if (
            shape is not None
            and expected is not None
            and not same_image(shape, expected)
        ):
            raise ValueError(
                f"X has images of shape {shape}, but {type(self).__name__} was "
                f"fitted on images of shape {expected}."
            )
        return X

    def _check_X(self, X):
        """Validated X for prediction."""
        return validate_data(
            self,
            self._flatten_fitted(X),
            reset=False,
            dtype=keras.backend.floatx(),
            accept_sparse=False,
        )

    def _check_training_data(self, X, y, reset):
        """Validated ``(X, y, input)``; ``self`` is left unchanged.

        ``input`` holds what a new fit records about X: ``n_features_in_``,
        ``feature_names_in_`` (None without names) and the images' shape (None
        for flat rows). When not resetting, X is checked against the fit.
        """
        if reset:
            X, shape = flatten_images(X)
            target = copy.copy(self)  # validate_data records on the copy
        else:
            X, shape, target = self._flatten_fitted(X), None, self
        X, y = validate_data(
            target, X, y, reset=reset, dtype=keras.backend.floatx(), accept_sparse=False
        )
        try:
            check_classification_targets(y)
        except TypeError as exc:  # np.unique cannot order mixed labels
            kinds = sorted({type(v).__name__ for v in np.asarray(y, dtype=object)})
            raise TypeError(
                f"y mixes labels of types {', '.join(kinds)}: the labels must be "
                f"all strings or all numbers ({exc})."
            ) from exc
        if not reset:
            return X, y, None
        found = {
            "n_features_in_": target.n_features_in_,
            "feature_names_in_": getattr(target, "feature_names_in_", None),
            "input_shape": shape,
        }
        return X, y, found

    # -------------------------------------------------------------- training

    def _train(self, X, y, sample_weight, *, mode, classes=None):
        """One transactional call: ``mode`` is "fit", "partial" or "init"."""
        follow_omp_num_threads()  # before the first Keras operation
        fitted = self.__sklearn_is_fitted__()
        incremental = mode == "partial"
        keep = fitted and (incremental or (mode == "fit" and self.warm_start))
        X, y, found = self._check_training_data(X, y, reset=not keep)
        classes_ = fit_classes(
            y,
            known=self.classes_ if keep else None,
            classes=classes,
            incremental=incremental,
        )
        y_encoded = encode_labels(y, classes_)
        sample_weight = sample_weights(
            sample_weight, self.class_weight, X, y, incremental=incremental
        )
        X, y_encoded, sample_weight = drop_unweighted(X, y_encoded, sample_weight)
        split_seed, network_seed, shuffle_seed = fit_seeds(self.random_state)
        validation = None
        if self.early_stopping and not incremental:
            X, y_encoded, sample_weight, validation = split_validation(
                X, y_encoded, sample_weight,
                fraction=self.validation_fraction, seed=split_seed,
            )  # fmt: skip
        batch_size = self._batch_size(len(X))
        if keep:
            model, image_shape = self.model_, self.image_shape_
        else:
            n_features = found["n_features_in_"]
            image_shape = self._image_shape_for(n_features, found["input_shape"])
            model = build_network(
                lambda inputs, layers: self._build_body(inputs, layers, image_shape),
                vars(self), name=type(self).__name__, n_features=n_features,
                n_classes=len(classes_), batch_size=batch_size, seed=network_seed,
            )  # fmt: skip
        epochs = {"fit": self.epochs, "partial": 1, "init": 0}[mode]
        initial_epoch = self.n_iter_ if keep else 0
        start = None
        if self.learning_rate == "cosine":
            start = initial_learning_rate(self.optimizer, self.learning_rate_init)
        callbacks = fit_callbacks(
            self.callbacks,
            validation=validation is not None,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            cosine_start=start,
            epochs=epochs,
            initial_epoch=initial_epoch,
        )
        with expected_retracing():
            history = fit_network(
                model, X, y_encoded,
                sample_weight=sample_weight, validation_data=validation,
                epochs=epochs, initial_epoch=initial_epoch, batch_size=batch_size,
                verbose=int(min(self.verbose, 2)), callbacks=callbacks,
                fit_options=routed(vars(self), "fit__"), shuffle_seed=shuffle_seed,
                run_eagerly=routed(vars(self), "compile__").get("run_eagerly"),
                undo=keep,
            )  # fmt: skip
        if keep:
            history = {
                key: self.history_.get(key, []) + history.get(key, [])
                for key in {**self.history_, **history}
            }
        self._set_fitted(found, classes_, model, history, image_shape)
        return self

    def _batch_size(self, n_samples):
        """MLPClassifier's rule: "auto" is ``min(200, n_samples)``."""
        return min(200 if self.batch_size == "auto" else self.batch_size, n_samples)

    def _image_shape_for(self, n_features, input_shape):
        """``image_shape_`` of a new fit (subclasses)."""
        return input_shape

    def _set_fitted(self, found, classes, model, history, image_shape):
        """Set every fitted attribute at once (``found``: None keeps X's)."""
        if found is not None:
            self.__dict__.pop("feature_names_in_", None)
            if found["feature_names_in_"] is not None:
                self.feature_names_in_ = found["feature_names_in_"]
            self.n_features_in_ = found["n_features_in_"]
        loss = list(history.get("loss", []))
        validation = history.get("val_accuracy") if self.early_stopping else None
        vars(self).update(
            classes_=classes,
            model_=model,
            image_shape_=image_shape,
            history_=history,
            loss_curve_=loss,
            n_iter_=len(loss),
            validation_scores_=list(validation) if validation else None,
            best_validation_score_=max(validation) if validation else None,
            best_loss_=min(loss) if loss and not validation else None,
            dtype_policy_=model.layers[1].dtype_policy.name,  # a hidden layer's
        )

    # ------------------------------------------------------------ public API

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the network to images ``X`` and labels ``y``.

        A call that raises, KeyboardInterrupt included, leaves the estimator
        as it was: the fitted attributes are set only when training ends.

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
            ``class_weight``. Samples of weight zero are left out of training.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._train(X, y, sample_weight, mode="fit")

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for exactly one epoch over ``(X, y)``, keeping the weights.

        A call that raises leaves the estimator, its weights included, as it
        was.

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
        return self._train(X, y, sample_weight, mode="partial", classes=classes)

    @_fit_context(prefer_skip_nested_validation=True)
    def initialize(self, X, y):
        """Build a new, untrained network for ``(X, y)``, as in scikeras.

        The estimator is then fitted with ``n_iter_ == 0``: it predicts with
        its initial weights, and ``warm_start`` or :meth:`partial_fit`
        train it from there.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or images
            Images, as in :meth:`fit`.

        y : array-like of shape (n_samples,)
            Class labels: they fix ``classes_``.

        Returns
        -------
        self : object
            The estimator.
        """
        return self._train(X, y, None, mode="init")

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
        X = self._check_X(X)
        batch_size = routed(vars(self), "predict__").get("batch_size")
        batch_size = batch_size or self._predict_batch_size
        views = self._test_time_views(X)
        # All views in one pass: one call for one image, not one per view.
        stacked = views[0] if len(views) == 1 else np.concatenate(views)
        with expected_retracing():
            out = forward(self.model_, stacked, batch_size)
        proba = out.reshape(len(views), len(X), -1).mean(axis=0, dtype=np.float64)
        # Rows of a float32 softmax sum to one only up to rounding.
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def _test_time_views(self, X):
        """The versions of X whose predictions are averaged (subclasses)."""
        return (X,)

    def _flips_at_prediction(self):
        """Whether :meth:`_test_time_views` adds mirror images (subclasses)."""
        return False

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
        proba = self.predict_proba(X)  # checks that the estimator is fitted
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

    # ------------------------------------------------------ sklearn protocol

    def __getstate__(self):
        # The network travels as the bytes of a .keras file, so that pickle,
        # copy.deepcopy and skops see arrays, builtins and bytes only, and
        # skops needs no Keras or TensorFlow type trusted.
        state = super().__getstate__()
        if "model_" in state:
            state = {**state, "model_": network_to_bytes(state["model_"])}
        return state

    def __setstate__(self, state):
        model = state.get("model_")
        if isinstance(model, bytes):
            where = f"{type(self).__name__}.model_"
            state = {**state, "model_": network_from_bytes(model, where)}
        super().__setstate__(state)

    def __copy__(self):
        # A shallow copy shares the network; __getstate__ would save it.
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        return new

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
