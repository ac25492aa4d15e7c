# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""What the two preset classifiers share: the parameters of their layers.

``ANNClassifier`` and ``CNNClassifier`` build their networks with the
builders of :mod:`skfashion._keras.presets`, handed explicit arguments from
the estimator's parameters, as ``ImageClassifier`` hands a user's builder
its own.
"""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from skfashion._base import BaseImageClassifier
from skfashion._keras.network import ACTIVATIONS, layer_sizes

__all__ = ["PresetClassifier"]


class PresetClassifier(BaseImageClassifier):
    """Base class of the preset classifiers. Not for direct use.

    Subclasses implement ``_network_builder`` with
    :meth:`_layer_arguments`.
    """

    _parameter_constraints = {
        **BaseImageClassifier._parameter_constraints,
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "rescale": [Interval(Real, 0, None, closed="neither"), None],
    }

    def _validate_params(self):
        super()._validate_params()
        layer_sizes(self.hidden_layer_sizes, "hidden_layer_sizes")

    def _layer_arguments(self, *, seed, policy, batch_size):
        """The builder arguments that both presets take."""
        return {
            "hidden_layer_sizes": layer_sizes(
                self.hidden_layer_sizes, "hidden_layer_sizes"
            ),
            "activation": ACTIVATIONS[self.activation],
            "dropout": self.dropout,
            "rescale": self.rescale,
            # MLPClassifier adds 0.5 * alpha * ||W||^2 / batch_size to the
            # mean batch loss; Keras' L2(l2) adds l2 * ||W||^2.
            "l2": 0.5 * self.alpha / batch_size,
            "seed": seed,
            "dtype_policy": policy,
            "name": type(self).__name__,
        }
