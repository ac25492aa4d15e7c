# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The training loop and the forward pass of skfashion's networks.

:func:`fit_network` trains a Keras model handed to it for some epochs, on
the shuffled input of :mod:`skfashion._keras.input`, eagerly when the fit is short,
and undoes a failed call; :func:`forward` runs a fitted model's compiled
prediction function on chunks of rows. They replace scikeras' own loop and
prediction (``skfashion._scikeras`` says why).
"""

import math

import keras
import numpy as np

from skfashion._keras.callbacks import StepProgbar
from skfashion._keras.input import training_input

__all__ = ["EAGER_MAX_STEPS", "fit_network", "forward"]

# A fit of at most this many steps runs eagerly. Tracing the training step
# costs most of a second a model on 2 CPU cores and each traced step then
# about 0.5 ms, against about 12 ms an eager step for a small dense network
# (section (f) of the Performance page times a small fit both ways).
EAGER_MAX_STEPS = 24


def _sample_shape(model):
    """The shape of one sample of ``model``'s input, or None when flat."""
    shape = tuple(model.inputs[0].shape[1:])
    return shape if len(shape) > 1 else None


def fit_network(model, train, validation, *, epochs, initial_epoch, batch_size,
                verbose, callbacks, fit_options, shuffle_seed, run_eagerly=None,
                undo=True):  # fmt: skip
    """Train ``model`` for ``epochs`` epochs; on any error, undo it.

    ``train`` and ``validation`` (or None) are :class:`skfashion._keras.input.Rows`,
    read a batch at a time. Each epoch's order of the rows is drawn from
    ``shuffle_seed`` and the epoch number alone
    (:func:`skfashion._keras.input.training_input`). A fit
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
        steps = epochs * math.ceil(len(train) / batch_size)
        run_eagerly = steps <= EAGER_MAX_STEPS
    fit_kwargs, order = training_input(
        train, validation,
        batch_size=batch_size, options=fit_options, seed=shuffle_seed,
        sample_shape=_sample_shape(model),
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


def forward(model, X, batch_size, views=None):
    """The outputs of ``model`` for the rows of ``X``, ``batch_size`` at a time.

    Runs the model's compiled prediction function (built by Keras on the
    first call and kept on the model) on each chunk, without
    ``Model.predict``'s per-call set-up. Each chunk is converted to the
    network's float dtype on its own, so ``X`` (any numeric dtype, a memmap
    too) is never copied whole.

    Parameters
    ----------
    model : keras.Model
    X : ndarray of shape (n_samples, n_features)
    batch_size : int
        Rows per chunk.
    views : callable, default=None
        ``views(chunk)`` returns the versions of a chunk whose outputs are
        averaged (test-time augmentation); they go through the network in
        one call. None runs the chunk as it is.

    Returns
    -------
    out : ndarray of shape (n_samples, n_outputs)
        float32 without ``views``, else the float64 mean over the views.
    """
    floatx = keras.backend.floatx()
    shape = _sample_shape(model)

    def run(rows):
        if shape is not None:
            rows = rows.reshape(len(rows), *shape)
        return keras.ops.convert_to_numpy(model.predict_on_batch(rows))

    chunks = []
    for start in range(0, len(X), batch_size):
        chunk = np.asarray(X[start : start + batch_size], dtype=floatx)
        if views is None:
            chunks.append(run(chunk))
            continue
        parts = views(chunk)
        out = run(parts[0] if len(parts) == 1 else np.concatenate(parts))
        chunks.append(
            out.reshape(len(parts), len(chunk), -1).mean(axis=0, dtype=np.float64)
        )
    if not chunks:
        raise ValueError("X has no rows.")
    return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
