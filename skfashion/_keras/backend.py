# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""What skfashion asks of the Keras backend: the one place that names it.

Every backend-specific choice in skfashion goes through these questions, so
that supporting another backend, or a change in one, touches this module:
which backend runs (:func:`is_tensorflow`), whether TensorFlow sees a GPU
(:func:`has_gpu`), and how many training steps one call into the backend
may run (:func:`steps_per_execution`).
"""

import keras

__all__ = ["has_gpu", "is_tensorflow", "name", "steps_per_execution"]


def name():
    """The Keras backend's name: "tensorflow", "jax", "torch" or "numpy"."""
    return keras.backend.backend()


def is_tensorflow():
    """Whether the backend is TensorFlow: its tf.data input pipeline, its
    thread pools and its retracing warning are TensorFlow's own."""
    return name() == "tensorflow"


def has_gpu():
    """Whether TensorFlow sees a GPU (without starting its runtime)."""
    if not is_tensorflow():
        return False
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def steps_per_execution():
    """Training steps per call into the backend: 32, or 1 with PyTorch.

    Running several minibatches per call saves Python overhead on small
    networks (25-30% of a dense network's epoch on 2 CPU cores with
    TensorFlow). Batch-level callbacks are then called every 32 steps.
    PyTorch's trainer supports only 1.
    """
    return 1 if name() == "torch" else 32
