# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Which parameter names an estimator takes, and where routed ones go.

Keras settings without a first-class parameter can be passed with a prefix,
as in scikeras and skorch: ``fit__shuffle=False``, ``optimizer__momentum=0.9``.
:data:`ROUTES` is the one table that decides each such key: it is honoured,
or it is rejected with the first-class parameter (or the reason) it collides
with. :func:`check_param_names` applies it, and the rule for plain names, in
``fit`` and in ``set_params`` alike, so a search grid is checked exactly as a
constructor is.
"""

import difflib
import inspect
from dataclasses import dataclass, field

__all__ = ["ROUTES", "check_param_names", "init_param_names", "routed"]


def init_param_names(cls):
    """The named parameters of ``cls.__init__``, sorted, and whether it also
    takes ``**kwargs`` (the routed Keras settings of skfashion's classifiers).

    Returns
    -------
    names : list of str
    takes_kwargs : bool
    """
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    names = sorted(p.name for p in params if p.kind is not p.VAR_KEYWORD)
    return names, len(names) < len(params)


@dataclass(frozen=True)
class Route:
    """Where keys with one prefix go.

    Attributes
    ----------
    target : str
        What receives them, for messages.
    honoured : tuple of str or None
        The keys passed on; None passes on every key not in ``taken`` or
        ``refused``.
    taken : dict of str to str
        Keys that collide with a first-class parameter: key -> what to use.
    refused : dict of str to str
        Keys that nothing in skfashion takes: key -> why.
    reason : str or None
        Why every key of the prefix is refused, or None.
    """

    target: str
    honoured: tuple | None
    taken: dict = field(default_factory=dict)
    refused: dict = field(default_factory=dict)
    reason: str | None = None


_SPLIT = "early_stopping=True with validation_fraction (a stratified, seeded split)"

ROUTES = {
    "fit__": Route(
        "keras.Model.fit",
        honoured=("shuffle", "validation_batch_size", "validation_freq"),
        taken={
            "x": "the X argument of fit",
            "y": "the y argument of fit",
            "batch_size": "the batch_size parameter",
            "epochs": "the epochs parameter",
            "verbose": "the verbose parameter",
            "callbacks": "the callbacks parameter",
            "sample_weight": "the sample_weight argument of fit",
            "class_weight": "the class_weight parameter",
            "validation_split": _SPLIT,
            "validation_data": "the X_val and y_val arguments of fit (a "
            "validation set of your own)",
            "initial_epoch": "warm_start=True or partial_fit",
            "steps_per_epoch": "the epochs and batch_size parameters",
            "validation_steps": "validation_fraction",
        },
    ),
    "predict__": Route(
        "the forward pass of predict, predict_proba and score",
        honoured=("batch_size",),
        taken={"steps": "predict__batch_size"},
        refused={
            "verbose": "predictions run without a progress bar",
            "callbacks": "predictions run without callbacks",
        },
    ),
    "compile__": Route(
        "keras.Model.compile",
        honoured=(
            "metrics",
            "weighted_metrics",
            "run_eagerly",
            "steps_per_execution",
            "jit_compile",
            "auto_scale_loss",
        ),
        taken={
            "optimizer": "the optimizer parameter",
            "loss": "the label_smoothing parameter: the networks train on the "
            "cross-entropy of their softmax output",
        },
        refused={"loss_weights": "the networks have one output"},
    ),
    "optimizer__": Route(
        "the optimizer's constructor",
        honoured=None,
        taken={"learning_rate": "the learning_rate_init parameter"},
    ),
    "model__": Route(
        "the builder given as model=",
        honoured=None,
        taken={
            "meta": "the meta argument skfashion passes to the builder",
            "compile_kwargs": "the compile_kwargs argument skfashion passes",
            "params": "the params argument skfashion passes",
        },
    ),
    "callbacks__": Route(
        "callbacks",
        honoured=(),
        reason="callbacks are not configured by routed keys; pass configured "
        "keras.callbacks.Callback instances in the callbacks parameter",
    ),
}


def routed(params, prefix):
    """The settings of ``params`` with ``prefix``, without it."""
    return {
        name[len(prefix) :]: value
        for name, value in params.items()
        if name.startswith(prefix)
    }


def check_param_names(owner, names, valid):
    """Raise a ValueError for the first name that is neither valid nor routed.

    Parameters
    ----------
    owner : str
        The estimator's class name, for messages.
    names : iterable of str
        The names to check.
    valid : iterable of str
        The first-class parameter names.
    """
    valid = sorted(valid)
    for name in names:
        if name in valid:
            continue
        prefix = next((p for p in ROUTES if name.startswith(p)), None)
        if prefix is None:
            _unknown(owner, name, valid)
        if prefix == "model__" and "model" not in valid:
            raise ValueError(
                f"{name} is not accepted: {owner} builds its network from its "
                "own parameters; model__ settings go to the builder of "
                "ImageClassifier(model=...)."
            )
        _check_routed(name, prefix, ROUTES[prefix])


def _unknown(owner, name, valid):
    prefixes = [
        p
        for p, route in ROUTES.items()
        if route.reason is None and (p != "model__" or "model" in valid)
    ]
    candidates = valid + [p + "..." for p in prefixes]
    close = difflib.get_close_matches(name, candidates, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ValueError(
        f"{owner} got an unknown parameter {name!r}.{hint} Valid parameters: "
        f"{', '.join(valid)}. Keras settings can be passed with a prefix: "
        f"{', '.join(prefixes)} (for example fit__shuffle=False or "
        "optimizer__momentum=0.9)."
    )


def _check_routed(name, prefix, route):
    key = name[len(prefix) :]
    if route.reason is not None:
        raise ValueError(f"{name} is not accepted: {route.reason}.")
    if key in route.taken:
        raise ValueError(
            f"{name} collides with {route.taken[key]}; use that instead of the "
            "routed key."
        )
    if key in route.refused:
        raise ValueError(f"{name} is not accepted: {route.refused[key]}; leave it out.")
    if route.honoured is None or key in route.honoured:
        return
    close = difflib.get_close_matches(key, route.honoured, n=1)
    hint = f" Did you mean {prefix + close[0]!r}?" if close else ""
    raise ValueError(
        f"{name} is not routed: skfashion passes only "
        f"{', '.join(prefix + k for k in route.honoured)} to {route.target}.{hint}"
    )
