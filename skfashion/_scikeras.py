# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The one module that imports scikeras.

skfashion's classifiers are ``scikeras.wrappers.KerasClassifier`` subclasses,
so code written for scikeras keeps working with them, but scikeras is
unmaintained and predates scikit-learn's 1.6 tags API.
:class:`KerasAdapter` keeps what skfashion relies on and switches off the
rest. The rest of the package uses only ``get_params`` and
:meth:`KerasAdapter.set_params`, with routed settings (``fit__shuffle``)
stored as attributes, as scikeras does; the training loop and the forward
pass, which replace scikeras' own, are in :mod:`skfashion._keras.training`.

``tests/test_scikeras_contract.py`` pins the scikeras internals used here.
"""

from scikeras._utils import accepts_kwargs, has_param, route_params
from scikeras.wrappers import KerasClassifier
from sklearn.base import BaseEstimator

__all__ = ["KerasAdapter"]


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

    - its ``model=`` convention: a builder is called with the arguments it
      names among ``meta``, ``compile_kwargs`` and ``params``, and with the
      routed ``model__`` settings (:meth:`_builder_arguments`, with
      scikeras' own routing helpers);
    - ``BaseWrapper._get_param_names``, which lists every public attribute,
      so that routed settings set in ``__init__`` or ``set_params`` appear in
      ``get_params`` and survive ``clone``;
    - pickling of Keras models: importing scikeras installs
      ``keras.Model.__reduce__``, which saves the model in Keras' format.
    """

    # Switched off, because skfashion does each of these itself:
    # - scikeras' model building (_build_keras_model, _check_model_param,
    #   _get_compile_kwargs, _ensure_compiled_model, build_fn/loss/metrics):
    #   it sets attributes on self; skfashion._keras.builder builds into a
    #   local from the arguments _builder_arguments gives, so that a failed
    #   build changes nothing, and compiles with the estimator's loss;
    # - its training loop (_fit, _fit_keras_model, _initialize,
    #   _initialize_callbacks, _check_model_compatibility): it sets model_,
    #   history_ and the encoders on self while training, so a failed or
    #   interrupted fit would leave a mixed state;
    #   skfashion._keras.training.fit_network trains a model handed to it and
    #   returns the history;
    # - its prediction (_predict_raw): Model.predict sets up a data adapter,
    #   callbacks and a progress bar on every call (tens of ms);
    #   skfashion._keras.training.forward runs the model's cached compiled
    #   function per chunk;
    # - its data checks and encoders (_validate_data, target_encoder,
    #   feature_encoder, scorer): scikit-learn's validate_data and
    #   np.unique do them in skfashion._base, which also records
    #   feature_names_in_;
    # - its seeding (_random_state): it switches on TensorFlow's op
    #   determinism and sets TF_DETERMINISTIC_OPS process-wide, which
    #   overlapping fits in threads can leave on; skfashion seeds each
    #   layer and each epoch's order from random_state;
    # - its set_params, which stores any prefixed name and advises passing
    #   misspelt names to the constructor: set_params checks every name
    #   against skfashion._routing first;
    # - its repr (every parameter): scikit-learn's (the changed ones only);
    # - its tags (_more_tags, pre-1.6): __sklearn_tags__ in skfashion._base;
    # - current_epoch, which raises KeyError before the first epoch: it is
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

    def _builder_arguments(self, builder, meta, compile_kwargs):
        """The keyword arguments of ``builder``, by scikeras' convention.

        ``meta``, ``compile_kwargs`` and ``params`` (``get_params()``) where
        the builder names them (or takes ``**kwargs``), and the routed
        ``model__`` settings, which it must take.
        """
        params = self.get_params()
        arguments = route_params(
            params, destination="model", pass_filter=set(), strict=True
        )
        takes_all = accepts_kwargs(builder)
        name = getattr(builder, "__name__", type(builder).__name__)
        for key in arguments:
            if not (takes_all or has_param(builder, key)):
                raise ValueError(
                    f"model__{key} is set, but the builder {name!r} has no "
                    f"parameter {key!r}."
                )
        given = {"meta": meta, "compile_kwargs": compile_kwargs, "params": params}
        for key, value in given.items():
            if takes_all or has_param(builder, key):
                arguments[key] = value
        return arguments

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
