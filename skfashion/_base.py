# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The scikit-learn contract of skfashion's networks.

:class:`BaseImageClassifier` checks parameters and data, encodes labels, runs
transactional fits (everything is computed into locals, and the fitted
attributes are set together once training has succeeded) and fast
predictions, and sets scikit-learn's tags. It speaks scikit-learn and Keras:
the networks come from :mod:`skfashion._keras.network`, and training and the
forward pass from :mod:`skfashion._keras.training`.
"""

import copy
from dataclasses import dataclass
from numbers import Integral, Real

import keras
import numpy as np
from sklearn.base import _fit_context
from sklearn.metrics import accuracy_score
from sklearn.utils import check_array, check_consistent_length, column_or_1d
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils._tags import ClassifierTags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from skfashion._image import flatten_images, same_image
from skfashion._keras.backend import steps_per_execution
from skfashion._keras.builder import build_network, input_shape
from skfashion._keras.callbacks import fit_callbacks
from skfashion._keras.input import Rows
from skfashion._keras.losses import training_loss
from skfashion._keras.network import (
    OPTIMIZERS,
    initial_learning_rate,
    make_optimizer,
    resolve_dtype_policy,
)
from skfashion._keras.persistence import network_from_bytes, network_to_bytes
from skfashion._keras.retracing import expected_retracing
from skfashion._keras.threads import follow_omp_num_threads
from skfashion._keras.training import fit_network, forward
from skfashion._routing import check_param_names, init_param_names, routed
from skfashion._scikeras import KerasAdapter
from skfashion._seeding import fit_seeds
from skfashion._targets import (
    encode_labels,
    fit_classes,
    sample_weights,
    split_validation,
    weighted_rows,
)

__all__ = ["BaseImageClassifier"]


@dataclass(frozen=True)
class _TrainingSet:
    """The checked data of one fit.

    ``X`` in its own dtype, ``y`` as given and encoded, the weights (or
    None), the classes, what a new fit records about X (``found``, None
    when the fit keeps the network) and the network's input.
    """

    X: object
    y: np.ndarray
    y_encoded: np.ndarray
    weight: np.ndarray | None
    classes: np.ndarray
    found: dict | None
    n_features: int
    image_shape: tuple | None


def _check_labels(y, name):
    """Classification labels, all strings or all numbers."""
    try:
        check_classification_targets(y)
    except TypeError as exc:  # np.unique cannot order mixed labels
        kinds = sorted({type(v).__name__ for v in np.asarray(y, dtype=object)})
        raise TypeError(
            f"{name} mixes labels of types {', '.join(kinds)}: the labels must be "
            f"all strings or all numbers ({exc})."
        ) from exc


class BaseImageClassifier(KerasAdapter):
    """Base class for skfashion's Keras classifiers. Not for direct use.

    Subclasses define ``__init__`` (storing each argument unchanged), extend
    ``_parameter_constraints`` and implement ``_network_builder(meta,
    compile_kwargs, *, seed, policy, batch_size)``, which returns the model
    or builder of a new fit and the builder's keyword arguments; every
    network then goes through :func:`skfashion._keras.builder.build_network`.
    """

    # Rows of 28x28 images per forward pass unless predict__batch_size says
    # otherwise (as many values for other sizes): large chunks run the
    # matrix products faster, but hold every layer's output for that many
    # rows at once.
    _predict_batch_size = 1024

    _parameter_constraints = {
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
        """Validated X for prediction, in its own numeric dtype (not copied)."""
        return validate_data(
            self,
            self._flatten_fitted(X),
            reset=False,
            dtype="numeric",
            accept_sparse=False,
        )

    def _check_training_data(self, X, y, reset):
        """Validated ``(X, y, input)``; ``self`` is left unchanged.

        X keeps its numeric dtype (uint8 pixels stay uint8, a memmap is not
        read): the fit converts it a batch at a time. ``input`` holds what a
        new fit records about X: ``n_features_in_``, ``feature_names_in_``
        (None without names) and the images' shape (None for flat rows).
        When not resetting, X is checked against the fit.
        """
        if reset:
            X, shape = flatten_images(X)
            target = copy.copy(self)  # validate_data records on the copy
        else:
            X, shape, target = self._flatten_fitted(X), None, self
        X, y = validate_data(
            target, X, y, reset=reset, dtype="numeric", accept_sparse=False
        )
        _check_labels(y, "y")
        if not reset:
            return X, y, None
        found = {
            "n_features_in_": target.n_features_in_,
            "feature_names_in_": getattr(target, "feature_names_in_", None),
            "input_shape": shape,
        }
        return X, y, found

    def _check_validation_set(self, X_val, y_val, sample_weight_val, *,
                              n_features, image_shape, classes):  # fmt: skip
        """The user's validation set as :class:`~skfashion._keras.input.Rows`,
        or None."""
        if X_val is None and y_val is None:
            if sample_weight_val is not None:
                raise ValueError("sample_weight_val is given without X_val and y_val.")
            return None
        if X_val is None or y_val is None:
            given, missing = ("X_val", "y_val") if y_val is None else ("y_val", "X_val")
            raise ValueError(
                f"{given} is given without {missing}: pass both, or neither."
            )
        X_val, shape = flatten_images(X_val)
        if (
            shape is not None
            and image_shape is not None
            and not same_image(shape, image_shape)
        ):
            raise ValueError(
                f"X_val has images of shape {shape}, but X has images of shape "
                f"{image_shape}."
            )
        X_val = check_array(
            X_val, dtype="numeric", accept_sparse=False, input_name="X_val"
        )
        if X_val.shape[1] != n_features:
            raise ValueError(
                f"X_val has {X_val.shape[1]} features per sample, but X has "
                f"{n_features}."
            )
        y_val = column_or_1d(y_val, warn=True)
        check_consistent_length(X_val, y_val)
        _check_labels(y_val, "y_val")
        unseen = np.setdiff1d(np.unique(y_val), classes)
        if unseen.size:
            raise ValueError(
                f"y_val contains labels that are not among the classes of the "
                f"fit: {unseen.tolist()}; the classes are {classes.tolist()}."
            )
        weight = None
        if sample_weight_val is not None:
            weight = _check_sample_weight(
                sample_weight_val, X_val, dtype=np.float32, ensure_non_negative=True
            )
        return Rows(X_val, encode_labels(y_val, classes), weight, np.arange(len(X_val)))

    # -------------------------------------------------------------- training

    def _train(self, X, y, sample_weight, *, epochs, incremental=False,
               classes=None, validation=None):  # fmt: skip
        """One transactional call: train for ``epochs`` epochs (0 builds the
        network only), one batch's classes at a time when ``incremental``.

        ``validation`` is ``(X_val, y_val, sample_weight_val)`` of ``fit``.
        Nothing is set on ``self`` until training has succeeded.
        """
        follow_omp_num_threads()  # before the first Keras operation
        keep = self.__sklearn_is_fitted__() and (
            incremental or (self.warm_start and epochs > 0)
        )
        split_seed, network_seed, shuffle_seed = fit_seeds(self.random_state)
        data = self._training_set(
            X, y, sample_weight, keep=keep, classes=classes, incremental=incremental
        )
        train, held_out = self._training_rows(
            data, validation, split=self.early_stopping and not incremental,
            seed=split_seed,
        )  # fmt: skip
        batch_size = self._batch_size(len(train))
        if keep:
            model, image_shape, policy = (
                self.model_, self.image_shape_, self.dtype_policy_,
            )  # fmt: skip
        else:
            model, image_shape, policy = self._new_network(
                data, seed=network_seed, batch_size=batch_size
            )
        # Undone on any error when the network outlives the call.
        history = self._fit_network(
            model, train, held_out, epochs=epochs,
            initial_epoch=self.n_iter_ if keep else 0, batch_size=batch_size,
            shuffle_seed=shuffle_seed, undo=keep,
        )  # fmt: skip
        if keep:
            history = {
                key: self.history_.get(key, []) + history.get(key, [])
                for key in {**self.history_, **history}
            }
        self._set_fitted(data.found, data.classes, model, history, image_shape, policy)
        return self

    def _training_set(self, X, y, sample_weight, *, keep, classes, incremental):
        """The checked data of a fit, as a :class:`_TrainingSet`."""
        X, y, found = self._check_training_data(X, y, reset=not keep)
        classes_ = fit_classes(
            y,
            known=self.classes_ if keep else None,
            classes=classes,
            incremental=incremental,
        )
        weight = sample_weights(
            sample_weight, self.class_weight, X, y, incremental=incremental
        )
        if keep:
            n_features, image_shape = self.n_features_in_, self.image_shape_
        else:
            n_features = found["n_features_in_"]
            image_shape = self._image_shape_for(n_features, found["input_shape"])
        return _TrainingSet(
            X, y, encode_labels(y, classes_), weight, classes_, found,
            n_features, image_shape,
        )  # fmt: skip

    def _training_rows(self, data, validation, *, split, seed):
        """``(train, held_out)`` :class:`~skfashion._keras.input.Rows`: the
        user's validation set, else with ``split`` a stratified split of X,
        else no held-out rows (None)."""
        rows = weighted_rows(data.weight, len(data.X))
        held_out = self._check_validation_set(
            *(validation or (None, None, None)),
            n_features=data.n_features,
            image_shape=data.image_shape,
            classes=data.classes,
        )
        if held_out is None and split:
            rows, held = split_validation(
                rows, data.y_encoded, fraction=self.validation_fraction, seed=seed
            )
            held_out = Rows(data.X, data.y_encoded, data.weight, held)
        return Rows(data.X, data.y_encoded, data.weight, rows), held_out

    def _new_network(self, data, *, seed, batch_size):
        """``(network, image_shape_, policy name)`` of a new fit."""
        policy = resolve_dtype_policy(self.dtype_policy)
        X, y, found, classes = data.X, data.y, data.found, data.classes
        n_features, image_shape = data.n_features, data.image_shape
        # scikeras' metadata, as a builder's ``meta`` argument gets it.
        meta = {
            "n_features_in_": n_features,
            "X_shape_": (len(X), *(found["input_shape"] or (n_features,))),
            "X_dtype_": X.dtype,
            "y_dtype_": np.asarray(y).dtype,
            "classes_": classes,
            "n_classes_": len(classes),
            "target_type_": "binary" if len(classes) == 2 else "multiclass",
            "n_outputs_": 1,
            "n_outputs_expected_": 1,
            "image_shape_": image_shape,
        }
        compile_kwargs = {
            "optimizer": make_optimizer(
                self.optimizer,
                self.learning_rate_init,
                routed(vars(self), "optimizer__"),
                policy,
            ),
            "loss": training_loss(self.label_smoothing),
            "metrics": ["accuracy"],
            "steps_per_execution": steps_per_execution(),
            **routed(vars(self), "compile__"),
        }
        builder, arguments = self._network_builder(
            meta, compile_kwargs, seed=seed, policy=policy, batch_size=batch_size
        )
        model = build_network(
            builder, arguments, n_classes=len(classes), seed=seed, policy=policy,
            compile_kwargs=compile_kwargs,
        )  # fmt: skip
        image_shape = self._network_image_shape(model, n_features, image_shape)
        return model, image_shape, policy.name

    def _network_image_shape(self, model, n_features, image_shape):
        """``image_shape_``: X's images, else the network's input if an image.

        The network's input must hold ``n_features`` values, laid out as
        X's images when X has images.
        """
        shape = input_shape(model)
        if int(np.prod(shape)) != n_features:
            raise ValueError(
                f"model: the network {model.name!r} takes samples of shape "
                f"{shape} ({int(np.prod(shape))} values), but X has {n_features} "
                "features per sample."
            )
        if len(shape) == 1:
            return image_shape
        if image_shape is not None and not same_image(shape, image_shape):
            raise ValueError(
                f"model: the network {model.name!r} takes images of shape "
                f"{shape}, but X has images of shape {image_shape}."
            )
        return image_shape if image_shape is not None else shape

    def _network_builder(self, meta, compile_kwargs, *, seed, policy, batch_size):
        """The model or builder of a new fit, and the builder's arguments
        (subclasses)."""
        raise NotImplementedError

    def _fit_network(self, model, train, validation, *, epochs, initial_epoch,
                     batch_size, shuffle_seed, undo):  # fmt: skip
        """Train ``model`` with the estimator's callbacks and routed settings."""
        start = None
        if self.learning_rate == "cosine":
            start = initial_learning_rate(self.optimizer, self.learning_rate_init)
        callbacks = fit_callbacks(
            self.callbacks,
            validation=self.early_stopping and validation is not None,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            cosine_start=start,
            epochs=epochs,
            initial_epoch=initial_epoch,
        )
        with expected_retracing():
            return fit_network(
                model, train, validation,
                epochs=epochs, initial_epoch=initial_epoch, batch_size=batch_size,
                verbose=int(min(self.verbose, 2)), callbacks=callbacks,
                fit_options=routed(vars(self), "fit__"), shuffle_seed=shuffle_seed,
                run_eagerly=routed(vars(self), "compile__").get("run_eagerly"),
                undo=undo,
            )  # fmt: skip

    def _batch_size(self, n_samples):
        """MLPClassifier's rule: "auto" is ``min(200, n_samples)``."""
        return min(200 if self.batch_size == "auto" else self.batch_size, n_samples)

    def _image_shape_for(self, n_features, input_shape):
        """``image_shape_`` of a new fit (subclasses)."""
        return input_shape

    def _set_fitted(self, found, classes, model, history, image_shape, policy):
        """Set every fitted attribute at once (``found``: None keeps X's)."""
        if found is not None:
            self.__dict__.pop("feature_names_in_", None)
            if found["feature_names_in_"] is not None:
                self.feature_names_in_ = found["feature_names_in_"]
            self.n_features_in_ = found["n_features_in_"]
        loss = list(history.get("loss", []))
        validation = history.get("val_accuracy")
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
            dtype_policy_=policy,
        )

    # ------------------------------------------------------------ public API

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, X_val=None, y_val=None,
            sample_weight_val=None):  # fmt: skip
        """Fit the network to images ``X`` and labels ``y``.

        A call that raises, KeyboardInterrupt included, leaves the estimator
        as it was: the fitted attributes are set only when training ends.

        X is read a batch at a time and each batch converted to float32 on
        its own, so a uint8 array or a memory-mapped ``.npy`` file is never
        copied whole (pass ``rescale=1/255`` to scale uint8 pixels inside
        the network).

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

        X_val : array-like of shape (n_val, n_features) or images, default=None
            A validation set of your own, in the layout of ``X``, as in
            :class:`~sklearn.ensemble.HistGradientBoostingClassifier`. With
            ``early_stopping=True`` it is what early stopping monitors, in
            place of the ``validation_fraction`` split of X; either way,
            ``history_`` records the loss and accuracy on it each epoch
            (``val_loss``, ``val_accuracy``) and ``validation_scores_`` the
            accuracy. Its labels must be among those of ``y``.

        y_val : array-like of shape (n_val,), default=None
            Labels of ``X_val``; required with it.

        sample_weight_val : array-like of shape (n_val,), default=None
            Weights of the validation samples.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._train(
            X, y, sample_weight, epochs=self.epochs,
            validation=(X_val, y_val, sample_weight_val),
        )  # fmt: skip

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
        return self._train(
            X, y, sample_weight, epochs=1, incremental=True, classes=classes
        )

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
        return self._train(X, y, None, epochs=0)

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
        batch_size = self._forward_batch_size()
        # Each chunk of X goes through the network with its other views (if
        # any) in one call, converted to float on its own.
        with expected_retracing():
            proba = forward(
                self.model_, X, batch_size, views=self._test_time_views
            ).astype(np.float64, copy=False)
        # Rows of a float32 softmax sum to one only up to rounding.
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def _forward_batch_size(self):
        """Rows per forward pass: ``predict__batch_size``, else as many values
        as ``_predict_batch_size`` rows of 28x28 pixels hold."""
        routed_size = routed(vars(self), "predict__").get("batch_size")
        if routed_size:
            return routed_size
        rows = self._predict_batch_size * 784 // self.n_features_in_
        return max(1, min(self._predict_batch_size, rows))

    def _test_time_views(self, X):
        """The versions of X whose predictions are averaged: X, and its
        mirror images when :meth:`_flips_at_prediction`."""
        if not self._flips_at_prediction():
            return (X,)
        mirrored = X.reshape(len(X), *self.image_shape_)[:, :, ::-1].reshape(X.shape)
        return (X, np.ascontiguousarray(mirrored))

    def _flips_at_prediction(self):
        """Whether predictions average each image with its mirror image
        (subclasses)."""
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

    # The attributes that may hold a network: the fitted one, and
    # ImageClassifier's model parameter when it is a keras.Model.
    _NETWORKS = ("model_", "model")

    def __getstate__(self):
        # A network travels as the bytes of a .keras file, so that pickle,
        # copy.deepcopy and skops see arrays, builtins and bytes only, and
        # skops needs no Keras or TensorFlow type trusted.
        state = super().__getstate__()
        for key in self._NETWORKS:
            if isinstance(state.get(key), keras.Model):
                state = {**state, key: network_to_bytes(state[key])}
        return state

    def __setstate__(self, state):
        for key in self._NETWORKS:
            if isinstance(state.get(key), bytes):
                where = f"{type(self).__name__}.{key}"
                state = {**state, key: network_from_bytes(state[key], where)}
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
