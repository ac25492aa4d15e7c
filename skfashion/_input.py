# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The training input of a Keras fit, shuffled from the fit's own seed.

Each epoch's order of the training rows is a function of the fit's shuffle
seed and the epoch number alone (:func:`epoch_order`), as scikit-learn's
estimators draw from their own ``random_state``: Keras' own shuffling draws
from process-wide generators, which fits that overlap in threads of one
process (joblib's threading backend, a dask worker with several threads)
share, so the same ``random_state`` gave other networks there. The
:class:`EpochOrder` callback sets the order at the start of each epoch,
before Keras reads its batches.

Under TensorFlow the batches come from a tf.data pipeline without
autotuning. Given arrays, Keras' TensorFlow trainer builds a pipeline that
prefetches with ``tf.data.AUTOTUNE``, so every epoch's iterator starts
tf.data's autotuning thread, which sleeps between rounds for a period that
doubles from 10 ms. When the next epoch replaces the iterator, destroying it
waits for that sleep to end, with both cores idle: measured on 2 cores, up
to one epoch in two began with a 9-10 s wait once the period had grown that
long (``docs/design_notes.md``). Under the other backends they come from a
``keras.utils.PyDataset`` read in the training thread.
"""

import math

import keras
import numpy as np

from skfashion import _backend as backend

__all__ = ["EpochOrder", "epoch_order", "training_input"]

# Model.fit options that work unchanged with the shuffled input; any other
# (say fit__validation_split or fit__shuffle="batch") falls back to Keras'
# own input pipeline for arrays, and to its process-wide shuffling.
_INPUT_OPTIONS = {"shuffle", "validation_freq"}


def epoch_order(seed, epoch, n_samples):
    """The order of the training rows in ``epoch``: a function of its arguments.

    Parameters
    ----------
    seed : int
        The fit's shuffle seed.
    epoch : int
        Keras' epoch number (a warm start continues the count).
    n_samples : int
        Number of training rows.

    Returns
    -------
    order : ndarray of shape (n_samples,), int64
        A permutation of ``range(n_samples)``.
    """
    return np.random.default_rng((seed, epoch)).permutation(n_samples)


class EpochOrder(keras.callbacks.Callback):
    """Puts each epoch's row order in place before Keras reads the epoch.

    Parameters
    ----------
    seed : int
        The fit's shuffle seed.
    n_samples : int
        Number of training rows.
    put : callable
        ``put(order)`` stores the order where the input reads it.
    """

    def __init__(self, seed, n_samples, put):
        super().__init__()
        self.seed = seed
        self.n_samples = n_samples
        self.put = put

    def on_epoch_begin(self, epoch, logs=None):
        self.put(epoch_order(self.seed, epoch, self.n_samples))


def _tf_pipeline(arrays, batch_size, order=None):
    """Batches of ``arrays`` in ``order`` (a variable read once an epoch)."""
    import tensorflow as tf

    tensors = tuple(tf.convert_to_tensor(a) for a in arrays)
    n_samples = int(tensors[0].shape[0])
    if order is None:
        indices = tf.data.Dataset.range(n_samples)
    else:
        # The function runs when an epoch's iterator starts, after
        # EpochOrder.on_epoch_begin has assigned that epoch's order; the
        # cardinality tells Keras the epoch's length beforehand.
        indices = (
            tf.data.Dataset.range(1)
            .flat_map(lambda _: tf.data.Dataset.from_tensor_slices(order.read_value()))
            .apply(tf.data.experimental.assert_cardinality(n_samples))
        )
    dataset = (
        indices.batch(batch_size)
        .map(lambda rows: tuple(tf.gather(t, rows) for t in tensors))
        .prefetch(2)
    )
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


class _Batches(keras.utils.PyDataset):
    """Batches of ``arrays`` in the order last given to :meth:`put`."""

    def __init__(self, arrays, batch_size):
        super().__init__()
        self.arrays = arrays
        self.batch_size = batch_size
        self.order = np.arange(len(arrays[0]))

    def put(self, order):
        self.order = order

    def __len__(self):
        return math.ceil(len(self.order) / self.batch_size)

    def __getitem__(self, index):
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        return tuple(a[rows] for a in self.arrays)


def training_input(X, y, sample_weight, validation_data, *, batch_size, options,
                   seed):  # fmt: skip
    """What to pass to ``Model.fit`` for these arrays, and the order's callback.

    Parameters
    ----------
    X, y, sample_weight : ndarray (sample_weight may be None)
        The training rows, their encoded labels and weights.
    validation_data : tuple of ndarray or None
        ``(X_val, y_val)`` or ``(X_val, y_val, w_val)``.
    batch_size : int
        Rows per training step.
    options : dict
        The routed ``fit__`` settings.
    seed : int
        The shuffle seed: the order of epoch ``e`` is
        ``epoch_order(seed, e, len(X))``.

    Returns
    -------
    fit_kwargs : dict
        What ``Model.fit`` takes: the shuffled input as ``x`` (a tf.data
        pipeline under TensorFlow, a PyDataset otherwise), with Keras' own
        ``shuffle`` off, the validation data and the options; or, when an
        option needs them, the arrays themselves, shuffled by Keras.
    callbacks : list of keras.callbacks.Callback
        The :class:`EpochOrder` to train with, or none.
    """
    arrays = {
        "x": X,
        "y": y,
        "sample_weight": sample_weight,
        "validation_data": validation_data,
        "batch_size": batch_size,
        **options,
    }
    shuffle = options.get("shuffle", True)
    if not set(options) <= _INPUT_OPTIONS or shuffle not in (True, False):
        return arrays, []
    train = (X, y) if sample_weight is None else (X, y, sample_weight)
    if backend.is_tensorflow():
        import tensorflow as tf

        order = None
        callbacks = []
        if shuffle:
            order = tf.Variable(np.arange(len(X)), trainable=False, dtype=tf.int64)
            callbacks = [EpochOrder(seed, len(X), order.assign)]
        kwargs = {
            "x": _tf_pipeline(train, batch_size, order),
            "validation_data": None
            if validation_data is None
            else _tf_pipeline(validation_data, batch_size),
        }
    else:
        batches = _Batches(train, batch_size)
        callbacks = [EpochOrder(seed, len(X), batches.put)] if shuffle else []
        kwargs = {
            "x": batches,
            "validation_data": validation_data,
            "validation_batch_size": batch_size,
        }
    return {**kwargs, **options, "shuffle": False}, callbacks
