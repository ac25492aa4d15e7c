# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The training input of a Keras fit: batches read from X, in a seeded order.

A fit never copies X. :class:`Rows` names the rows of arrays that a fit
trains (or validates) on, and each batch is read from them and converted to
the network's float dtype on its own (:meth:`Rows.batch`), so that X can be a
uint8 array or a memory-mapped ``.npy`` file larger than memory: a fit holds a
few batches, never a float copy of X.

Each epoch's order of the training rows is a function of the fit's shuffle
seed and the epoch number alone (:func:`epoch_order`), as scikit-learn's
estimators draw from their own ``random_state``: Keras' own shuffling draws
from process-wide generators, which fits that overlap in threads of one
process (joblib's threading backend, a dask worker with several threads)
share. The :class:`EpochOrder` callback sets the order at the start of each
epoch, before Keras reads its batches.

Under TensorFlow the batches come from a tf.data pipeline without
autotuning. Given arrays, Keras' TensorFlow trainer builds a pipeline that
prefetches with ``tf.data.AUTOTUNE``, so every epoch's iterator starts
tf.data's autotuning thread, which sleeps between rounds for a period that
doubles from 10 ms; destroying the iterator at the next epoch waits for that
sleep to end, with both cores idle (the Design page). Under the
other backends they come from a ``keras.utils.PyDataset`` read in the
training thread.
"""

import math
from dataclasses import dataclass

import keras
import numpy as np

from skfashion._keras import backend

__all__ = ["EpochOrder", "Rows", "epoch_order", "training_input"]


def epoch_order(seed, epoch, n_samples, chunk=None):
    """The order of the training rows in ``epoch``: a function of its arguments.

    Parameters
    ----------
    seed : int
        The fit's shuffle seed.
    epoch : int
        Keras' epoch number (a warm start continues the count).
    n_samples : int
        Number of training rows.
    chunk : int or None, default=None
        None shuffles the rows. An int shuffles the whole chunks of
        ``chunk`` consecutive rows (a short last chunk stays last), and the
        rows within each chunk (Keras' ``shuffle="batch"``): each batch of
        ``chunk`` rows then reads one stretch of X, which suits a
        memory-mapped file on a slow disk.

    Returns
    -------
    order : ndarray of shape (n_samples,), int64
        A permutation of ``range(n_samples)``.
    """
    rng = np.random.default_rng((seed, epoch))
    if chunk is None:
        return rng.permutation(n_samples)
    # Whole chunks in a random order, the short one (if any) last, so that
    # each batch of ``chunk`` rows is one chunk.
    starts = rng.permutation(n_samples // chunk) * chunk
    if n_samples % chunk:
        starts = np.append(starts, n_samples - n_samples % chunk)
    return np.concatenate(
        [s + rng.permutation(min(chunk, n_samples - s)) for s in starts]
    )


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
    chunk : int or None, default=None
        As in :func:`epoch_order`.
    """

    def __init__(self, seed, n_samples, put, chunk=None):
        super().__init__()
        self.seed = seed
        self.n_samples = n_samples
        self.put = put
        self.chunk = chunk

    def on_epoch_begin(self, epoch, logs=None):
        self.put(epoch_order(self.seed, epoch, self.n_samples, self.chunk))


@dataclass(frozen=True)
class Rows:
    """Rows ``rows`` of ``X`` (flat, any numeric dtype), ``y`` and ``weight``.

    Attributes
    ----------
    X : ndarray or numpy.memmap of shape (n, n_features)
        Read a batch at a time, never copied whole.
    y : ndarray of shape (n,)
        Encoded labels.
    weight : ndarray of shape (n,) or None
        Sample weights.
    rows : ndarray of int
        The rows of the arrays that belong to this part, in this order.
    """

    X: object
    y: np.ndarray
    weight: np.ndarray | None
    rows: np.ndarray

    def __len__(self):
        return len(self.rows)

    def batch(self, positions):
        """The arrays at ``rows[positions]``, X as the network's float dtype."""
        rows = self.rows[positions]
        x = np.asarray(self.X[rows], dtype=keras.backend.floatx())
        out = (x, self.y[rows])
        return out if self.weight is None else (*out, self.weight[rows])


def _tf_pipeline(part, batch_size, order=None, sample_shape=None):
    """Batches of ``part`` in ``order`` (a variable read once an epoch), each
    row of X shaped as ``sample_shape`` (None: flat)."""
    import tensorflow as tf

    n_samples = len(part)
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
    floatx = tf.as_dtype(keras.backend.floatx())
    types = (floatx, tf.as_dtype(part.y.dtype))
    if part.weight is not None:
        types = (*types, tf.as_dtype(part.weight.dtype))
    n_features = part.X.shape[1]

    def read(positions):
        arrays = tf.numpy_function(part.batch, [positions], types, stateful=False)
        x, *rest = arrays
        x = tf.ensure_shape(x, (None, n_features))
        if sample_shape is not None:
            x = tf.reshape(x, (-1, *sample_shape))
        return (x, *(tf.ensure_shape(a, (None,)) for a in rest))

    dataset = indices.batch(batch_size).map(read).prefetch(2)
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


class _Batches(keras.utils.PyDataset):
    """Batches of ``part`` in the order last given to :meth:`put`."""

    def __init__(self, part, batch_size, sample_shape=None):
        super().__init__()
        self.part = part
        self.batch_size = batch_size
        self.sample_shape = sample_shape
        self.order = np.arange(len(part))

    def put(self, order):
        self.order = order

    def __len__(self):
        return math.ceil(len(self.order) / self.batch_size)

    def __getitem__(self, index):
        step = self.batch_size
        x, *rest = self.part.batch(self.order[index * step : (index + 1) * step])
        if self.sample_shape is not None:
            x = x.reshape(len(x), *self.sample_shape)
        return (x, *rest)


def training_input(train, validation, *, batch_size, options, seed,
                   sample_shape=None):  # fmt: skip
    """What to pass to ``Model.fit`` for these rows, and the order's callback.

    Parameters
    ----------
    train : Rows
        The training rows.
    validation : Rows or None
        The validation rows.
    batch_size : int
        Rows per training step.
    options : dict
        The routed ``fit__`` settings (``skfashion._routing``): ``shuffle``
        (True, False or "batch"), ``validation_batch_size`` and
        ``validation_freq``.
    seed : int
        The shuffle seed: the order of epoch ``e`` is
        ``epoch_order(seed, e, len(train))``.
    sample_shape : tuple of int, default=None
        The shape the network takes each row of X in (an image), or None
        for flat rows.

    Returns
    -------
    fit_kwargs : dict
        What ``Model.fit`` takes: the training and validation batches (a
        tf.data pipeline under TensorFlow, a PyDataset otherwise), with
        Keras' own ``shuffle`` off, and ``validation_freq``.
    callbacks : list of keras.callbacks.Callback
        The :class:`EpochOrder` to train with, or none.
    """
    shuffle = options.get("shuffle", True)
    if shuffle not in (True, False, "batch"):
        raise ValueError(
            f'fit__shuffle must be True, False or "batch", got {shuffle!r}.'
        )
    chunk = batch_size if shuffle == "batch" else None
    validation_batch_size = options.get("validation_batch_size") or batch_size
    extra = {k: v for k, v in options.items() if k == "validation_freq"}
    if backend.is_tensorflow():
        import tensorflow as tf

        order = None
        callbacks = []
        if shuffle:
            order = tf.Variable(np.arange(len(train)), trainable=False, dtype=tf.int64)
            callbacks = [EpochOrder(seed, len(train), order.assign, chunk)]
        kwargs = {"x": _tf_pipeline(train, batch_size, order, sample_shape)}
        if validation is not None:
            kwargs["validation_data"] = _tf_pipeline(
                validation, validation_batch_size, sample_shape=sample_shape
            )
    else:
        batches = _Batches(train, batch_size, sample_shape)
        callbacks = (
            [EpochOrder(seed, len(train), batches.put, chunk)] if shuffle else []
        )
        kwargs = {"x": batches}
        if validation is not None:
            kwargs["validation_data"] = _Batches(
                validation, validation_batch_size, sample_shape
            )
    return {**kwargs, **extra, "shuffle": False}, callbacks
