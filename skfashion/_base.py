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
from sklearn.utils import check_array, check_consistent_length, column_or_1d
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils._tags import ClassifierTags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from skfashion._callbacks import fit_callbacks
from skfashion._image import flatten_images, same_image
from skfashion._input import Rows
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
    encode_labels,
    fit_classes,
    sample_weights,
    split_validation,
    weighted_rows,
)
from skfashion._threads import follow_omp_num_threads
from skfashion._training import fit_network, forward

__all__ = ["BaseImageClassifier"]


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
    ``_parameter_constraints`` and implement ``_build_body(inputs, layers,
    image_shape)``, which maps the flat input tensor to the last hidden tensor
    with layers from the :class:`~skfashion._network.LayerFactory` ``layers``,
    and ``_image_shape_for(n_features, input_shape)``.
    """

    # Rows of 28x28 images per forward pass unless predict__batch_size says
    # otherwise (as many values for other sizes): large chunks run the
    # matrix products faster, but hold every layer's output for that many
    # rows at once.
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
        "rescale": [Interval(Real, 0, None, closed="neither"), None],
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
        """The user's validation set as :class:`~skfashion._input.Rows`, or None."""
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

    def _train(self, X, y, sample_weight, *, mode, classes=None, validation=None):
        """One transactional call: ``mode`` is "fit", "partial" or "init".

        ``validation`` is ``(X_val, y_val, sample_weight_val)`` of ``fit``.
        Nothing is set on ``self`` until training has succeeded.
        """
        follow_omp_num_threads()  # before the first Keras operation
        fitted = self.__sklearn_is_fitted__()
        incremental = mode == "partial"
        keep = fitted and (incremental or (mode == "fit" and self.warm_start))
        # 1. The data: X in its own dtype, the classes, labels and weights.
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
        # 2. The network's input shape, and the rows to train and validate on.
        if keep:
            n_features, image_shape = self.n_features_in_, self.image_shape_
        else:
            n_features = found["n_features_in_"]
            image_shape = self._image_shape_for(n_features, found["input_shape"])
        split_seed, network_seed, shuffle_seed = fit_seeds(self.random_state)
        rows = weighted_rows(sample_weight, len(X))
        held_out = self._check_validation_set(
            *(validation or (None, None, None)),
            n_features=n_features,
            image_shape=image_shape,
            classes=classes_,
        )
        if held_out is None and self.early_stopping and not incremental:
            rows, held = split_validation(
                rows, y_encoded, fraction=self.validation_fraction, seed=split_seed
            )
            held_out = Rows(X, y_encoded, sample_weight, held)
        train = Rows(X, y_encoded, sample_weight, rows)
        batch_size = self._batch_size(len(train))
        # 3. The network: the one kept, or a new one.
        if keep:
            model, policy = self.model_, self.dtype_policy_
        else:
            policy = resolve_dtype_policy(self.dtype_policy).name
            model = build_network(
                lambda inputs, layers: self._build_body(inputs, layers, image_shape),
                vars(self), name=type(self).__name__, n_features=n_features,
                n_classes=len(classes_), batch_size=batch_size, seed=network_seed,
            )  # fmt: skip
        # 4. Training, undone on any error when the network outlives the call.
        epochs = {"fit": self.epochs, "partial": 1, "init": 0}[mode]
        initial_epoch = self.n_iter_ if keep else 0
        history = self._fit_network(
            model, train, held_out, epochs=epochs, initial_epoch=initial_epoch,
            batch_size=batch_size, shuffle_seed=shuffle_seed, undo=keep,
        )  # fmt: skip
        if keep:
            history = {
                key: self.history_.get(key, []) + history.get(key, [])
                for key in {**self.history_, **history}
            }
        # 5. Every fitted attribute at once.
        self._set_fitted(found, classes_, model, history, image_shape, policy)
        return self

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
            X, y, sample_weight, mode="fit",
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
