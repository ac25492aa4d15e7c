# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The Keras callbacks of each fit: fresh copies of the user's, then the
learning-rate schedule, the stopping rule, and a progress bar whose counts
stay within their total."""

import copy
import math

import keras

__all__ = [
    "CosineAnnealing",
    "MLPStopping",
    "StepProgbar",
    "cosine_learning_rate",
    "fit_callbacks",
    "fresh_copies",
]


def fit_callbacks(user, *, validation, tol, n_iter_no_change, cosine_start,
                  epochs, initial_epoch):  # fmt: skip
    """The callbacks of one fit: the user's, the stopping rule, the schedule.

    The user's callbacks are copies (:func:`fresh_copies`), so ``fit``
    leaves the ``callbacks`` parameter as it was. ``cosine_start`` is the
    initial rate of a cosine schedule, or None for a constant rate.
    """
    callbacks = [
        *fresh_copies(user),
        MLPStopping(validation=validation, tol=tol, n_iter_no_change=n_iter_no_change),
    ]
    if cosine_start is not None:
        callbacks.append(CosineAnnealing(cosine_start, epochs, initial_epoch))
    return callbacks


def fresh_copies(callbacks):
    """New callback objects for one fit, sharing what the given ones refer to.

    Keras binds a callback to the model it trains and keeps its per-fit state
    on it (a ``TensorBoard`` its summary writers, which cannot be pickled;
    ``EarlyStopping`` its best weights): training the user's objects would
    change the estimator's parameter, and break ``clone`` and pickling, after
    every fit. So each fit trains a copy of each callback, but a shallow one:
    the objects the callback was given (an Optuna trial, a list to append to,
    a file name) are shared, so that what it reports reaches them.
    """
    copies = []
    for i, callback in enumerate(callbacks or []):
        try:
            copies.append(copy.copy(callback))
        except Exception as exc:
            raise TypeError(
                f"callbacks[{i}] ({type(callback).__name__}) cannot be copied "
                f"({type(exc).__name__}: {exc}). Each fit trains a new copy "
                "of every callback, so that the parameter stays as it was "
                "given; give the callback a __copy__ method, or pass one "
                "that copy.copy can copy."
            ) from exc
    return copies


def cosine_learning_rate(start, epoch, epochs):
    """Learning rate of ``epoch`` (0-based) of ``epochs`` under half a cosine."""
    return start * 0.5 * (1.0 + math.cos(math.pi * epoch / epochs))


class CosineAnnealing(keras.callbacks.LearningRateScheduler):
    """Anneal the learning rate from ``start`` over one call's ``epochs``.

    Parameters
    ----------
    start : float
        Rate of the call's first epoch.
    epochs : int
        Epochs of this call; the rate approaches zero at the last one.
    initial_epoch : int, default=0
        Keras' number of the call's first epoch (a warm start continues the
        count, and the cycle starts again there).
    """

    def __init__(self, start, epochs, initial_epoch=0):
        self.start = float(start)
        self.epochs = int(epochs)
        self.initial_epoch = int(initial_epoch)
        super().__init__(self._rate)

    def _rate(self, epoch, _current):
        return cosine_learning_rate(self.start, epoch - self.initial_epoch, self.epochs)


class MLPStopping(keras.callbacks.EarlyStopping):
    """MLPClassifier's stopping rule.

    With a validation set, stop when the validation accuracy has not improved
    by ``tol`` for ``n_iter_no_change`` epochs and restore the best epoch's
    weights; without one, stop when the training loss has not improved by
    ``tol`` for as long.

    Parameters
    ----------
    validation : bool
        Whether the fit holds out a validation set.
    tol : float
        Minimum improvement.
    n_iter_no_change : int
        Epochs without improvement before stopping.
    """

    def __init__(self, *, validation, tol, n_iter_no_change):
        if validation:
            super().__init__(
                monitor="val_accuracy",
                mode="max",
                min_delta=tol,
                patience=n_iter_no_change,
                restore_best_weights=True,
            )
        else:
            super().__init__(
                monitor="loss", mode="min", min_delta=tol, patience=n_iter_no_change
            )


class StepProgbar(keras.callbacks.ProgbarLogger):
    """Keras' progress bar, with step counts that never pass the total.

    With ``steps_per_execution=k``, Keras reports the last step of each
    group of ``k`` steps, ``k - 1`` past the epoch's end for the last group,
    so the bar shows ``32/25`` before settling on ``25/25``.
    """

    def _update_progbar(self, batch, logs=None):
        if self.target is not None:
            batch = min(batch, self.target - 1)
        super()._update_progbar(batch, logs)
