# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The training loss: cross-entropy of the softmax output, with optional
label smoothing."""

import keras

__all__ = ["SmoothedSparseCrossentropy", "training_loss"]


@keras.saving.register_keras_serializable(package="skfashion")
class SmoothedSparseCrossentropy(keras.losses.Loss):
    """Cross-entropy of integer labels against targets smoothed towards uniform.

    The target of a sample of class k is ``1 - label_smoothing`` on k plus
    ``label_smoothing / n_classes`` on every class, as Keras'
    ``CategoricalCrossentropy(label_smoothing=...)`` does for one-hot labels
    (Keras' sparse cross-entropy has no smoothing).

    Parameters
    ----------
    label_smoothing : float
        Weight of the uniform distribution in the targets, in [0, 1).
    name : str, default="smoothed_sparse_crossentropy"
        Name of the loss.
    **kwargs : dict
        Passed on to :class:`keras.losses.Loss` (``reduction``, ``dtype``).
    """

    def __init__(self, label_smoothing, name="smoothed_sparse_crossentropy",
                 **kwargs):  # fmt: skip
        super().__init__(name=name, **kwargs)
        self.label_smoothing = float(label_smoothing)

    def call(self, y_true, y_pred):
        ops = keras.ops
        labels = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        one_hot = ops.one_hot(labels, ops.shape(y_pred)[-1], dtype=y_pred.dtype)
        return keras.losses.categorical_crossentropy(
            one_hot, y_pred, label_smoothing=self.label_smoothing
        )

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


def training_loss(label_smoothing):
    """The loss ``Model.compile`` gets: Keras' own without smoothing."""
    if not label_smoothing:
        return "sparse_categorical_crossentropy"
    return SmoothedSparseCrossentropy(label_smoothing)
