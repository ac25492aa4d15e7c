# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The one module that imports scikeras.

skfashion's classifiers are ``scikeras.wrappers.KerasClassifier`` subclasses,
so code written for scikeras keeps working with them, but scikeras is
unmaintained and predates scikit-learn's 1.6 tags API.
:class:`KerasAdapter` keeps what skfashion relies on and switches off the
rest. The rest of the package calls only:

- :meth:`KerasAdapter._fit_network`: train a Keras model for some epochs;
- :meth:`KerasAdapter._forward`: its class probabilities for some rows;
- ``get_params``/:meth:`KerasAdapter.set_params`, with routed settings
  (``fit__shuffle``) stored as attributes, as scikeras does.

``tests/test_scikeras_contract.py`` pins the scikeras internals used here.
"""

import math

import keras
import numpy as np
from scikeras.wrappers import KerasClassifier
from sklearn.base import BaseEstimator

from skfashion._callbacks import StepProgbar
from skfashion._input import training_input

__all__ = ["KerasAdapter", "EAGER_MAX_STEPS"]

# A fit of at most this many steps runs eagerly. Tracing the training step
# costs about 0.3-0.4 s a model on 2 CPU cores and each traced step then
# about 0.5 ms, against about 12 ms an eager step for a small dense network:
# eager wins below about 30 steps (the Performance page has the figures).
EAGER_MAX_STEPS = 24


def _switched_off(name):
    def method(self, *args, **kwargs):
        raise NotImplementedError(
            f"{type(self).__name__}.{name} is scikeras' and is switched off in "
            "skfashion; use fit, partial_fit, predict_proba or predict."
        )

    method.__name__ = name
    return method


class KerasAdapter(KerasClassifier):
    """scikeras' ``KerasClassifier``, narrowed to what skfashion relies on.

    Kept from scikeras:

    - ``BaseWrapper._get_param_names``, which lists every public attribute,
      so that routed settings set in ``__init__`` or ``set_params`` appear in
      ``get_params`` and survive ``clone``;
    - pickling of Keras models: importing scikeras installs
      ``keras.Model.__reduce__``, which saves the model in Keras' format.
    """

    # Switched off, because skfashion does each of these itself:
    # - scikeras' model building (_build_keras_model, _check_model_param,
    #   _get_compile_kwargs, _ensure_compiled_model, model/build_fn/loss/
    #   metrics): networks are assembled by skfashion._network from the
    #   estimator's parameters, so that a failed build changes nothing;
    # - its training loop (_fit, _fit_keras_model, _initialize,
    #   _initialize_callbacks, _check_model_compatibility): it sets model_,
    #   history_ and the encoders on self while training, so a failed or
    #   interrupted fit left a mixed state; _fit_network trains a model
    #   handed to it and returns the history instead;
    # - its prediction (_predict_raw): Model.predict sets up a data adapter,
    #   callbacks and a progress bar on every call (tens of ms); _forward
    #   runs the model's cached compiled function per chunk;
    # - its data checks and encoders (_validate_data, target_encoder,
    #   feature_encoder, scorer): scikit-learn's validate_data and
    #   np.unique do them in skfashion._base, which also records
    #   feature_names_in_;
    # - its seeding (_random_state): it switched on TensorFlow's op
    #   determinism and set TF_DETERMINISTIC_OPS process-wide, which
    #   overlapping fits in threads could leave on; skfashion seeds each
    #   layer and each epoch's order from random_state instead;
    # - its set_params, which stored any prefixed name and advised passing
    #   misspelt names to the constructor: set_params checks every name
    #   against skfashion._routing first;
    # - its repr (every parameter): scikit-learn's (the changed ones only);
    # - its tags (_more_tags, pre-1.6): __sklearn_tags__ in skfashion._base;
    # - current_epoch, which raised KeyError before the first epoch: it is
    #   n_iter_ (0 after initialize).
    model = None
    build_fn = None
    loss = None
    metrics = None

    _build_keras_model = _switched_off("_build_keras_model")
    _check_model_param = _switched_off("_check_model_param")
    _get_compile_kwargs = _switched_off("_get_compile_kwargs")
    _ensure_compiled_model = _switched_off("_ensure_compiled_model")
    _fit = _switched_off("_fit")
    _fit_keras_model = _switched_off("_fit_keras_model")
    _initialize = _switched_off("_initialize")
    _initialize_callbacks = _switched_off("_initialize_callbacks")
    _check_model_compatibility = _switched_off("_check_model_compatibility")
    _predict_raw = _switched_off("_predict_raw")
    _validate_data = _switched_off("_validate_data")

    # AttributeError, not another error: hasattr() (so dir(), tab completion
    # and scikit-learn's HTML repr) swallows only AttributeError.
    @property
    def target_encoder(self):
        raise AttributeError(
            f"{type(self).__name__} has no target_encoder: scikeras' encoders "
            "are switched off in skfashion, which encodes labels itself "
            "(classes_)."
        )

    @property
    def feature_encoder(self):
        raise AttributeError(
            f"{type(self).__name__} has no feature_encoder: scikeras' encoders "
            "are switched off in skfashion, which validates features itself."
        )

    @property
    def _random_state(self):
        return None

    @_random_state.setter
    def _random_state(self, value):
        pass

    @property
    def current_epoch(self):
        return getattr(self, "n_iter_", 0)

    def __repr__(self, N_CHAR_MAX=700):
        return BaseEstimator.__repr__(self, N_CHAR_MAX=N_CHAR_MAX)

    # ------------------------------------------------------------ parameters

    def _set_routed_params(self, kwargs):
        """Store ``**kwargs`` of ``__init__`` as attributes, as scikeras does."""
        vars(self).update(kwargs)
        if kwargs:
            self._user_params = set(kwargs)

    def _check_param_names(self, names):
        """Raise a ValueError for a name that is not a parameter (subclasses)."""

    def set_params(self, **params):
        """Set the parameters of this estimator.

        A new name is checked as ``fit`` checks the constructor's: a
        misspelt name, or a routed key that collides with a first-class
        parameter, raises a ValueError that names the right one, and nothing
        is set.

        Parameters
        ----------
        **params : dict
            Estimator parameters, and routed Keras settings such as
            ``fit__shuffle`` or ``optimizer__momentum``.

        Returns
        -------
        self : object
            The estimator.
        """
        # Names the estimator already holds were given to the constructor,
        # which stores any name (fit reports it); the others are checked.
        self._check_param_names(set(params) - set(self.get_params(deep=False)))
        plain = {}
        for name, value in params.items():
            if name in self._get_param_names_from_signature():
                plain[name] = value
            else:
                setattr(self, name, value)
                self._user_params = getattr(self, "_user_params", set()) | {name}
        return BaseEstimator.set_params(self, **plain)

    # ---------------------------------------------------------- entry points

    @staticmethod
    def _fit_network(model, X, y, *, sample_weight, validation_data, epochs,
                     initial_epoch, batch_size, verbose, callbacks,
                     fit_options, shuffle_seed, run_eagerly=None,
                     undo=True):  # fmt: skip
        """Train ``model`` for ``epochs`` epochs; on any error, undo it.

        Each epoch's order of the rows is drawn from ``shuffle_seed`` and the
        epoch number alone (:func:`skfashion._input.training_input`). A fit
        of at most :data:`EAGER_MAX_STEPS` steps runs eagerly, unless
        ``run_eagerly`` (``compile__run_eagerly``) says otherwise. With
        ``undo`` (for a model that outlives a failed call), if training
        raises, KeyboardInterrupt included, the model's weights and optimizer
        state are put back as they were, and the error is raised again.

        Returns
        -------
        history : dict of str to list of float
            Keras' per-epoch logs of this call.
        """
        if epochs == 0:
            return {}
        if run_eagerly is None:
            steps = epochs * math.ceil(len(X) / batch_size)
            run_eagerly = steps <= EAGER_MAX_STEPS
        fit_kwargs, order = training_input(
            X, y, sample_weight, validation_data,
            batch_size=batch_size, options=fit_options, seed=shuffle_seed,
        )  # fmt: skip
        callbacks = [*order, *callbacks]
        if verbose == 1:
            callbacks = [*callbacks, StepProgbar()]
        saved = None
        if undo:
            if not model.optimizer.built:
                model.optimizer.build(model.trainable_variables)
            state = (*model.variables, *model.optimizer.variables)
            saved = [v.numpy() for v in state]
        was_eager = model.run_eagerly
        try:
            if run_eagerly != was_eager:
                model.run_eagerly = run_eagerly
                model.train_function = None
            history = model.fit(
                epochs=initial_epoch + epochs,
                initial_epoch=initial_epoch,
                verbose=verbose,
                callbacks=callbacks,
                **fit_kwargs,
            )
        except BaseException:
            if saved is not None:
                for variable, value in zip(state, saved):
                    variable.assign(value)
            raise
        finally:
            if model.run_eagerly != was_eager:
                model.run_eagerly = was_eager
                model.train_function = None
        return {name: [float(v) for v in values]
                for name, values in history.history.items()}  # fmt: skip

    @staticmethod
    def _forward(model, X, batch_size):
        """Class probabilities of the rows of ``X``, ``batch_size`` at a time.

        Runs the model's compiled prediction function (built by Keras on the
        first call and kept on the model) on each chunk, without
        ``Model.predict``'s per-call set-up.
        """
        chunks = [
            keras.ops.convert_to_numpy(model.predict_on_batch(X[i : i + batch_size]))
            for i in range(0, len(X), batch_size)
        ]
        return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
