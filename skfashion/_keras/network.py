# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The parts networks are made of: the layer table, the layer factory, the
optimizer and the dtype policy.

:data:`LAYER_KINDS` is the one table of the layers that skfashion builds and
exports to ONNX. A :class:`LayerFactory` carries what every layer of one
preset network shares: the seed stream, the dtype policy, the L2 regularizer
and the activation (``skfashion._keras.presets`` builds with one).
"""

import functools
from numbers import Integral, Real

import keras

from skfashion._keras import backend
from skfashion._keras.augmentation import AUGMENTATION_LAYERS, augmentation_layers
from skfashion._keras.builder import HEAD
from skfashion._keras.seeds import SeedStream

__all__ = [
    "ACTIVATIONS",
    "LAYER_KINDS",
    "auto_dtype_policy",
    "OPTIMIZERS",
    "LayerFactory",
    "initial_learning_rate",
    "layer_kind",
    "layer_sizes",
    "make_optimizer",
    "resolve_dtype_policy",
]

# MLPClassifier's activation names, and the Keras activations they mean.
ACTIVATIONS = {
    "identity": "linear",
    "logistic": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "elu": "elu",
    "gelu": "gelu",
    "selu": "selu",
    "swish": "swish",
}

OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "nadam": keras.optimizers.Nadam,
    "rmsprop": keras.optimizers.RMSprop,
    "sgd": keras.optimizers.SGD,
}


# Every kind of layer that skfashion builds or exports, with the Keras classes
# of each. LayerFactory makes the presets' layers from this table, and
# skfashion.onnx converts each kind, in the presets and in users' networks
# (tests/test_onnx.py checks that every kind has its conversion), so a new
# kind cannot ship without its export.
LAYER_KINDS = {
    "input": (keras.layers.InputLayer,),
    "dense": (keras.layers.Dense,),
    "conv2d": (keras.layers.Conv2D,),
    "depthwise_conv2d": (keras.layers.DepthwiseConv2D,),
    "separable_conv2d": (keras.layers.SeparableConv2D,),
    "batch_norm": (keras.layers.BatchNormalization,),
    "layer_norm": (keras.layers.LayerNormalization,),
    "activation": (keras.layers.Activation,),
    "relu": (keras.layers.ReLU,),
    "leaky_relu": (keras.layers.LeakyReLU,),
    "elu": (keras.layers.ELU,),
    "softmax": (keras.layers.Softmax,),
    "pool": (keras.layers.MaxPooling2D,),
    "average_pool": (keras.layers.AveragePooling2D,),
    "global_average_pool": (keras.layers.GlobalAveragePooling2D,),
    "dropout": (keras.layers.Dropout,),
    # Keras' random image layers: they act only while training.
    "augmentation": AUGMENTATION_LAYERS,
    "reshape": (keras.layers.Reshape,),
    "rescaling": (keras.layers.Rescaling,),
    "flatten": (keras.layers.Flatten,),
    "add": (keras.layers.Add,),
    "concatenate": (keras.layers.Concatenate,),
}


def layer_kind(layer):
    """The :data:`LAYER_KINDS` key of ``layer``, or None for another layer."""
    for kind, classes in LAYER_KINDS.items():
        if type(layer) in classes:
            return kind
    return None


def _layer(kind, *args, **kwargs):
    """A new layer of ``kind``, of the table's (first) class for it."""
    return LAYER_KINDS[kind][0](*args, **kwargs)


def layer_sizes(value, name):
    """Normalise an int or a sequence of ints to a tuple of positive ints."""
    sizes = (value,) if isinstance(value, Integral) else tuple(value)
    if not all(isinstance(s, Integral) and s > 0 for s in sizes):
        raise ValueError(f"{name} must contain only positive integers, got {value!r}.")
    return tuple(int(s) for s in sizes)


@functools.cache
def _cpu_has_bfloat16():
    """Whether the CPU computes bfloat16 natively (AMX or AVX512_BF16).

    Read from ``/proc/cpuinfo``'s flags; False where there is none (not
    Linux), so "auto" then means float32.
    """
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return bool({"amx_bf16", "avx512_bf16"} & set(line.split()))
    except OSError:
        pass
    return False


def auto_dtype_policy():
    """The policy ``dtype_policy="auto"`` stands for on this machine.

    "mixed_bfloat16" with the TensorFlow backend on a CPU that computes
    bfloat16 natively (AMX or AVX512_BF16) and no GPU, where it trains
    CNNs faster at the same accuracy (the Performance page has the
    measurements); otherwise Keras' global policy (float32 unless changed),
    which is also what a global policy other than float32 keeps.
    """
    default = keras.config.dtype_policy()
    if (
        default.name == "float32"
        and backend.is_tensorflow()
        and _cpu_has_bfloat16()
        and not backend.has_gpu()
    ):
        return keras.dtype_policies.get("mixed_bfloat16")
    return default


def resolve_dtype_policy(value):
    """The Keras dtype policy for ``dtype_policy=value`` (None: the global
    one; "auto": :func:`auto_dtype_policy`).

    The parameter, unlike Keras' global policy (which belongs to the thread
    that set it), travels with the estimator to joblib and dask workers.
    """
    if value is None:
        return keras.config.dtype_policy()
    if isinstance(value, str) and value == "auto":
        return auto_dtype_policy()
    try:
        policy = keras.dtype_policies.get(value)
    except ValueError as exc:
        raise ValueError(
            f"dtype_policy={value!r} is not a Keras dtype policy: {exc}"
        ) from exc
    floating = ("float16", "bfloat16", "float32", "float64")
    if policy.quantization_mode is not None or policy.compute_dtype not in floating:
        raise ValueError(
            f"dtype_policy={value!r} cannot train a network: use a floating-point "
            "policy such as 'float32', 'mixed_bfloat16' or 'mixed_float16'."
        )
    return policy


class LayerFactory:
    """Makes the layers of one network.

    Parameters
    ----------
    seed : int or None
        Seeds every initializer and dropout layer, in the order they are made.
    policy : keras.DTypePolicy
        Dtype policy of the hidden layers.
    l2 : float
        Keras L2 factor of every kernel (0 for none).
    activation : str
        Keras activation of the hidden layers.
    """

    def __init__(self, *, seed, policy, l2, activation):
        self._seeds = SeedStream(seed)
        self.policy = policy
        self.l2 = l2
        self.activation = activation

    def _kernel(self):
        return {
            "kernel_initializer": keras.initializers.GlorotUniform(seed=self._seeds()),
            "kernel_regularizer": keras.regularizers.L2(self.l2) if self.l2 else None,
        }

    def dense(self, units, *, name, activation=True):
        """A Dense layer with the network's activation (or none)."""
        return _layer(
            "dense",
            units,
            activation=self.activation if activation else None,
            name=name,
            dtype=self.policy,
            **self._kernel(),
        )

    def conv2d(self, filters, kernel_size, *, padding, name, activation=True):
        """A Conv2D layer; without activation it has no bias either (for BN)."""
        return _layer(
            "conv2d",
            filters,
            kernel_size,
            padding=padding,
            activation=self.activation if activation else None,
            use_bias=activation,
            name=name,
            dtype=self.policy,
            **self._kernel(),
        )

    def dense_head(self, x, hidden_layer_sizes, dropout):
        """``x`` through the hidden Dense layers ``dense_0``, ``dense_1``, ...,
        each followed by Dropout(``dropout``) when it is not 0."""
        for i, units in enumerate(
            layer_sizes(hidden_layer_sizes, "hidden_layer_sizes")
        ):
            x = self.dense(units, name=f"dense_{i}")(x)
            if dropout:
                x = self.dropout(dropout, name=f"dropout_{i}")(x)
        return x

    def dropout(self, rate, *, name):
        """A seeded Dropout layer."""
        return _layer("dropout", rate, seed=self._seeds(), name=name, dtype=self.policy)

    def batch_norm(self, *, name):
        return _layer("batch_norm", momentum=0.9, name=name, dtype=self.policy)

    def activate(self, *, name):
        return _layer("activation", self.activation, name=name, dtype=self.policy)

    def pool(self, pool_size, *, name):
        return _layer("pool", pool_size, name=name, dtype=self.policy)

    def augmentation(self, value):
        """The seeded training-time augmentation layers of ``value``."""
        return augmentation_layers(value, seeds=self._seeds, policy=self.policy)

    def rescaling(self, scale, *, name):
        """Multiplies the input by ``scale``, in the variables' dtype (float32
        under a mixed policy), so that uint8 pixels are scaled exactly."""
        return _layer("rescaling", scale, name=name, dtype=self.policy.variable_dtype)

    def reshape(self, shape, *, name):
        return _layer("reshape", shape, name=name, dtype=self.policy)

    def flatten(self, *, name):
        return _layer("flatten", name=name, dtype=self.policy)

    def softmax(self, n_classes):
        """The output layer; under a mixed policy its softmax runs in float32."""
        return _layer(
            "dense",
            n_classes,
            activation="softmax",
            name=HEAD,
            dtype=self.policy.variable_dtype,
            **self._kernel(),
        )


def initial_learning_rate(optimizer, learning_rate_init):
    """The float rate a cosine schedule starts from."""
    if isinstance(optimizer, str):
        return float(learning_rate_init)
    rate = optimizer.get_config().get("learning_rate")
    if isinstance(rate, bool) or not isinstance(rate, Real):
        raise ValueError(
            "learning_rate='cosine' anneals a float learning rate, but the "
            f"optimizer {type(optimizer).__name__} has learning_rate={rate!r}. "
            "Pass learning_rate='constant' to keep the optimizer's own schedule."
        )
    return float(rate)


def make_optimizer(optimizer, learning_rate_init, options, policy):
    """A new Keras optimizer for one fit.

    A name gives that optimizer at ``learning_rate_init``; an instance is
    copied through its config, so the user's object is never bound to a
    model. ``options`` (the ``optimizer__`` settings) are passed on. Under
    ``mixed_float16`` the loss is scaled, as Keras does only under the global
    policy: float16 gradients underflow without it.
    """
    try:
        if isinstance(optimizer, str):
            made = OPTIMIZERS[optimizer](learning_rate=learning_rate_init, **options)
        else:
            config = {**optimizer.get_config(), **options}
            made = type(optimizer).from_config(config)
    except (TypeError, ValueError) as exc:
        name = optimizer if isinstance(optimizer, str) else type(optimizer).__name__
        raise ValueError(
            f"The optimizer {name!r} rejected the optimizer__ settings "
            f"{sorted(options)}: {exc}"
        ) from exc
    if policy.name == "mixed_float16" and not isinstance(
        made, keras.optimizers.LossScaleOptimizer
    ):
        made = keras.optimizers.LossScaleOptimizer(made)
    return made
