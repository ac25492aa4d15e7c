# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""ONNX nodes for each kind of layer of ``skfashion._network.LAYER_KINDS``.

Keras computes channels-last (NHWC); ONNX's ``Conv`` and ``MaxPool`` take
NCHW. The image is transposed once where the flat row becomes an image
(``reshape``), stays NCHW through the convolutions, and is transposed back
before ``flatten``, so the flattened order is Keras'. Weights are read from
the fitted layers (float32 variables, also under a mixed policy), so the
graph does not depend on the backend that trained the network. Dropout and
the random augmentation layers act only while training, and are left out as
at prediction.
"""

import math

import numpy as np

from skfashion._network import layer_kind

__all__ = ["LAYER_CONVERTERS", "network"]


def _weights(layer):
    return [np.asarray(w, dtype=np.float32) for w in layer.get_weights()]


def _activate(g, activation, x, where):
    """The nodes of a Keras activation function."""
    name = getattr(activation, "__name__", str(activation))
    if name == "linear":
        return x
    simple = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "selu": "Selu"}
    if name in simple:
        # ONNX Selu's default alpha and gamma are Keras' constants.
        return g.op(simple[name], x)
    if name == "elu":
        return g.op("Elu", x, alpha=1.0)
    if name in ("silu", "swish"):  # x * sigmoid(x)
        return g.op("Mul", x, g.op("Sigmoid", x))
    if name == "gelu":  # Keras' exact form: x / 2 * (1 + erf(x / sqrt(2)))
        erf = g.op("Erf", g.op("Div", x, g.const(math.sqrt(2.0))))
        return g.op("Mul", g.op("Mul", x, g.const(0.5)), g.op("Add", erf, g.const(1.0)))
    if name == "softmax":
        return g.op("Softmax", x, axis=-1)
    raise ValueError(f"{where}: the activation {name!r} has no ONNX conversion.")


def _same_pads(in_size, kernel, strides):
    """TensorFlow's "same" padding as ONNX pads (begins, then ends)."""
    begins, ends = [], []
    for n, k, s in zip(in_size, kernel, strides):
        total = max((math.ceil(n / s) - 1) * s + k - n, 0)
        begins.append(total // 2)
        ends.append(total - total // 2)
    return begins + ends


def _window(layer, kernel, where):
    """``kernel_shape``, ``strides`` and ``pads`` of a conv or pool layer."""
    if getattr(layer, "data_format", "channels_last") != "channels_last":
        raise ValueError(f"{where}: only channels_last layers convert.")
    if tuple(getattr(layer, "dilation_rate", (1, 1))) != (1, 1):
        raise ValueError(f"{where}: dilated convolutions do not convert.")
    strides = list(layer.strides)
    if layer.padding == "valid":
        pads = [0, 0, 0, 0]
    else:
        pads = _same_pads(layer.input.shape[1:3], kernel, strides)
    return {"kernel_shape": list(kernel), "strides": strides, "pads": pads}


def _identity(g, layer, x, layout, where):
    return x, layout


def _dense(g, layer, x, layout, where):
    if layout != "flat":
        raise ValueError(f"{where}: a Dense layer on images does not convert.")
    kernel, *bias = _weights(layer)
    y = g.op("MatMul", x, g.const(kernel))
    if bias:
        y = g.op("Add", y, g.const(bias[0]))
    return _activate(g, layer.activation, y, where), "flat"


def _conv2d(g, layer, x, layout, where):
    if getattr(layer, "groups", 1) != 1:
        raise ValueError(f"{where}: grouped convolutions do not convert.")
    kernel, *bias = _weights(layer)
    inputs = [x, g.const(kernel.transpose(3, 2, 0, 1))]  # (out, in, h, w)
    if bias:
        inputs.append(g.const(bias[0]))
    y = g.op("Conv", *inputs, **_window(layer, layer.kernel_size, where))
    return _activate(g, layer.activation, y, where), layout


def _batch_norm(g, layer, x, layout, where):
    # Inference mode: the moving statistics. The channels are axis 1 of
    # NCHW images and of flat rows, as ONNX's BatchNormalization takes them.
    mean, variance = layer.moving_mean.numpy(), layer.moving_variance.numpy()
    gamma = layer.gamma.numpy() if layer.scale else np.ones_like(mean)
    beta = layer.beta.numpy() if layer.center else np.zeros_like(mean)
    y = g.op(
        "BatchNormalization",
        x,
        *(g.const(v) for v in (gamma, beta, mean, variance)),
        epsilon=float(layer.epsilon),
    )
    return y, layout


def _activation(g, layer, x, layout, where):
    return _activate(g, layer.activation, x, where), layout


def _pool(g, layer, x, layout, where):
    return g.op("MaxPool", x, **_window(layer, layer.pool_size, where)), layout


def _reshape(g, layer, x, layout, where):
    shape = tuple(layer.target_shape)
    if layout != "flat" or len(shape) != 3:
        raise ValueError(f"{where}: only flat rows to (h, w, c) images convert.")
    image = g.reshape(x, [-1, *shape])
    return g.op("Transpose", image, perm=[0, 3, 1, 2]), "nchw"


def _rescaling(g, layer, x, layout, where):
    scale = np.asarray(layer.scale, dtype=np.float32)
    offset = np.asarray(layer.offset, dtype=np.float32)
    y = g.op("Mul", x, g.const(scale))
    return (y if not offset.any() else g.op("Add", y, g.const(offset))), layout


def _flatten(g, layer, x, layout, where):
    if layout == "flat":
        return x, layout
    nhwc = g.op("Transpose", x, perm=[0, 2, 3, 1])  # Keras' flatten order
    return g.reshape(nhwc, [-1, int(np.prod(layer.output.shape[1:]))]), "flat"


# One conversion for each kind of skfashion._network.LAYER_KINDS.
LAYER_CONVERTERS = {
    "input": _identity,
    "dense": _dense,
    "conv2d": _conv2d,
    "batch_norm": _batch_norm,
    "activation": _activation,
    "pool": _pool,
    "dropout": _identity,
    "augmentation": _identity,
    "reshape": _reshape,
    "rescaling": _rescaling,
    "flatten": _flatten,
}


def network(g, model, x, *, until=None):
    """The nodes of ``model`` (a chain of layers) applied to flat rows ``x``.

    Parameters
    ----------
    g : Graph
    model : keras.Model
        A network built by ``skfashion._network.build_network``.
    x : str
        Name of the flat float32 input, of shape (n, n_features).
    until : str, default=None
        Stop before the layer of this name (the embeddings stop before
        "probabilities").

    Returns
    -------
    y : str
        Name of the output.
    """
    layout = "flat"
    for layer in model.layers:
        if layer.name == until:
            break
        where = f"{g.owner}: layer {layer.name!r} ({type(layer).__name__})"
        kind = layer_kind(layer)
        if kind is None:
            raise ValueError(f"{where} is not a layer skfashion builds or converts.")
        x, layout = LAYER_CONVERTERS[kind](g, layer, x, layout, where)
    return x
