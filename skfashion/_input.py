# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The training input of a Keras fit: a tf.data pipeline without autotuning
under TensorFlow, the arrays themselves under the other backends.

Given arrays, Keras' TensorFlow trainer builds a tf.data pipeline that
prefetches with ``tf.data.AUTOTUNE``, so every epoch's iterator starts
tf.data's autotuning thread, which sleeps between rounds for a period that
doubles from 10 ms. When the next epoch replaces the iterator, destroying it
waits for that sleep to end, with both cores idle: measured on 2 cores, up to one
epoch in two began with a 9-10 s wait once the period had grown that long
(``docs/design_notes.md``). :func:`training_input` gives Keras a pipeline of
the same batches (the rows shuffled each epoch, as Keras does; the last batch
may be smaller) with autotuning switched off, so there is no such thread.
"""

import keras

__all__ = ["training_input"]

# Model.fit options that work unchanged with a dataset; any other (say
# fit__validation_split or fit__shuffle="batch") falls back to Keras' own
# pipeline for arrays.
_DATASET_OPTIONS = {"shuffle", "validation_freq"}


def _pipeline(arrays, batch_size, shuffle):
    import tensorflow as tf

    tensors = tuple(tf.convert_to_tensor(a) for a in arrays)
    n_samples = int(tensors[0].shape[0])
    indices = tf.data.Dataset.range(n_samples)
    if shuffle:
        # Seeded by the global seed that the fit sets from random_state.
        indices = indices.shuffle(n_samples, reshuffle_each_iteration=True)
    dataset = (
        indices.batch(batch_size)
        .map(lambda rows: tuple(tf.gather(t, rows) for t in tensors))
        .prefetch(2)
    )
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def training_input(X, y, sample_weight, validation_data, *, batch_size, options):
    """What to pass to ``Model.fit`` for these arrays.

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

    Returns
    -------
    fit_kwargs : dict
        ``x``, ``y``, ``sample_weight``, ``validation_data``, ``batch_size``
        and the options, as ``Model.fit`` takes them: under TensorFlow
        (unless an option needs arrays) ``x`` and ``validation_data`` as
        datasets, with ``shuffle=False`` since the pipeline shuffles; else
        the arrays.
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
    if (
        keras.backend.backend() != "tensorflow"
        or not set(options) <= _DATASET_OPTIONS
        or shuffle not in (True, False)
    ):
        return arrays
    train = (X, y) if sample_weight is None else (X, y, sample_weight)
    datasets = {
        "x": _pipeline(train, batch_size, shuffle),
        "validation_data": None
        if validation_data is None
        else _pipeline(validation_data, batch_size, shuffle=False),
    }
    # The pipeline shuffles; Keras' own shuffle=True would only warn.
    return {**datasets, **options, "shuffle": False}
