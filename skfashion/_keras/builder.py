# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""A network from a builder or a model, made ready for a fit.

Every classifier's network comes through :func:`build_network`: the
presets' builders (``skfashion._keras.presets``) and a user's ``model=``
alike. It calls the builder (or copies the model it is given, which a fit
never trains in place) under the network's seed and dtype policy, checks
the network's input and output, adds a softmax head where the network has
none, and compiles it.

The output rule, for ``n_classes`` classes:

- a softmax over ``n_classes`` units: used as it is;
- ``n_classes`` units without activation (logits): a softmax is added;
- any other one-dimensional output (features): a ``Dense(n_classes,
  softmax)`` head is added;
- a softmax or sigmoid over another number of units, or an output of more
  than one dimension per sample, is refused.
"""

import keras

from skfashion._keras.seeds import SeedStream, seeded_build

__all__ = [
    "HEAD",
    "build_network",
    "copy_network",
    "embedding_model",
    "embedding_units",
    "input_shape",
]

# The name of the output layer that skfashion adds to a network (and that
# the presets build).
HEAD = "probabilities"

_PROBABILITIES = {"softmax", "sigmoid", "log_softmax"}


def copy_network(model):
    """A new model with ``model``'s architecture and weights, not compiled.

    Parameters
    ----------
    model : keras.Model

    Returns
    -------
    copy : keras.Model
    """
    try:
        copy = keras.models.clone_model(model)
    except Exception as exc:
        raise ValueError(
            f"model: the network {model.name!r} ({type(model).__name__}) cannot "
            f"be copied with keras.models.clone_model ({type(exc).__name__}: "
            f"{exc}). skfashion trains a copy of a model it is given; pass a "
            "function that builds the network instead."
        ) from exc
    copy.set_weights(model.get_weights())
    return copy


def _activation_name(layer):
    """The activation a layer ends with, or None for a layer without one."""
    if isinstance(layer, keras.layers.Softmax):
        return "softmax"
    activation = getattr(layer, "activation", None)
    if activation is None:
        return None
    return getattr(activation, "__name__", str(activation))


def input_shape(model):
    """The shape of one sample of ``model``'s input, without the batch axis."""
    if len(model.inputs) != 1:
        raise ValueError(
            f"model: the network {model.name!r} has {len(model.inputs)} inputs; "
            "skfashion feeds a network one input, the images."
        )
    shape = tuple(model.inputs[0].shape[1:])
    if any(d is None for d in shape):
        raise ValueError(
            f"model: the network {model.name!r} has an input of shape {shape}: "
            "every dimension but the batch must be known."
        )
    return shape


def _with_head(model, n_classes, seed, policy):
    """``model`` ending in a softmax over ``n_classes`` (see the module)."""
    if len(model.outputs) != 1:
        raise ValueError(
            f"model: the network {model.name!r} has {len(model.outputs)} "
            "outputs; a classifier's network has one."
        )
    output = model.outputs[0]
    where = f"model: the network {model.name!r}"
    if len(output.shape) != 2:
        raise ValueError(
            f"{where} has an output of shape {tuple(output.shape[1:])} per "
            "sample; skfashion expects one vector per sample: end the network "
            "with a softmax over the classes, logits, or features (add "
            "keras.layers.GlobalAveragePooling2D or Flatten)."
        )
    units = int(output.shape[-1])
    last = output._keras_history.operation
    activation = _activation_name(last)
    if activation == "softmax" and units == n_classes:
        return model
    if activation in _PROBABILITIES:
        raise ValueError(
            f"{where} ends with a {activation} over {units} unit(s) (layer "
            f"{last.name!r}), but y has {n_classes} classes. skfashion expects "
            f"a softmax over {n_classes} units, {n_classes} logits (no "
            "activation), or no head at all (skfashion adds one)."
        )
    names = {layer.name for layer in model.layers}
    name = HEAD if HEAD not in names else f"{HEAD}_{len(names)}"
    # Under a mixed policy the softmax runs in float32.
    if units == n_classes and activation in (None, "linear"):
        head = keras.layers.Activation(
            "softmax", name=name, dtype=policy.variable_dtype
        )
    else:
        head = keras.layers.Dense(
            n_classes,
            activation="softmax",
            name=name,
            dtype=policy.variable_dtype,
            kernel_initializer=keras.initializers.GlorotUniform(
                seed=SeedStream(seed)()
            ),
        )
    return keras.Model(model.inputs, head(output), name=model.name)


def build_network(model, arguments, *, n_classes, seed, policy, compile_kwargs):
    """The compiled network of one fit.

    Parameters
    ----------
    model : keras.Model or callable
        A model (copied, never trained in place) or a builder, called with
        ``arguments``.
    arguments : dict
        The builder's keyword arguments.
    n_classes : int
        Number of classes.
    seed : int or None
        The network's seed: the builder's unseeded layers draw from it.
    policy : keras.DTypePolicy
        Keras' dtype policy while the builder runs (layers that name no
        dtype take it).
    compile_kwargs : dict
        What ``Model.compile`` gets.

    Returns
    -------
    network : keras.Model
        One input, a softmax output over ``n_classes``, compiled.
    """
    previous = keras.config.dtype_policy()
    with seeded_build(seed):
        # Keras' global policy belongs to this thread.
        keras.config.set_dtype_policy(policy)
        try:
            if isinstance(model, keras.Model):
                network = copy_network(model)
            else:
                network = model(**arguments)
        finally:
            keras.config.set_dtype_policy(previous)
    if not isinstance(network, keras.Model):
        raise TypeError(
            f"model: the builder {getattr(model, '__name__', model)!r} returned "
            f"a {type(network).__name__}, not a keras.Model."
        )
    if not network.built or not network.inputs:
        raise ValueError(
            f"model: the network {network.name!r} has no input shape yet: "
            "start it with keras.Input(shape=...), as a Sequential or "
            "functional model."
        )
    input_shape(network)
    network = _with_head(network, n_classes, seed, policy)
    network.compile(**compile_kwargs)
    return network


def _head_input(model):
    """The input tensor of ``model``'s head: of the last Dense layer before
    the output, past any activation layers."""
    layer = model.outputs[0]._keras_history.operation
    while not isinstance(layer, keras.layers.Dense):
        if not isinstance(layer, (keras.layers.Activation, keras.layers.Softmax)):
            raise ValueError(
                f"The network {model.name!r} does not end in a Dense layer "
                f"(its last layer before the output is {layer.name!r}, "
                f"{type(layer).__name__}): name the layer whose output to use "
                "(EmbeddingTransformer's layer=...)."
            )
        layer = layer.input._keras_history.operation
    return layer.input


def embedding_model(model, layer=None):
    """A model sharing ``model``'s layers whose output is the embedding.

    Parameters
    ----------
    model : keras.Model
        A fitted network.
    layer : str, default=None
        The layer whose output is the embedding (flattened); None takes the
        input of the head, the last hidden layer's activations.

    Returns
    -------
    probe : keras.Model
    """
    if layer is None:
        output = _head_input(model)
    else:
        try:
            output = model.get_layer(layer).output
        except ValueError as exc:
            names = [found.name for found in model.layers]
            raise ValueError(
                f"The network {model.name!r} has no layer {layer!r}; its layers "
                f"are {names}."
            ) from exc
        if len(output.shape) > 2:
            output = keras.layers.Flatten(name="embedding_flat")(output)
    return keras.Model(model.inputs, output, name="embeddings")


def embedding_units(model, layer=None):
    """The number of columns of :func:`embedding_model`'s output."""
    return int(embedding_model(model, layer).outputs[0].shape[-1])
