# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""ONNX nodes for each kind of layer of ``skfashion._keras.network.LAYER_KINDS``.

:func:`network` follows a network's functional graph from its output back to
its input, so residual connections and branches convert as chains do. Keras
computes channels-last (NHWC); ONNX's ``Conv`` and pooling take NCHW. The
image is transposed once where the flat row becomes an image (the network's
image input, or a ``reshape``), stays NCHW through the convolutions, and is
transposed back before ``flatten``, so the flattened order is Keras'.
Weights are read from the fitted layers (float32 variables, also under a
mixed policy), so the graph does not depend on the backend that trained the
network. Dropout and the random augmentation layers act only while
training, and are left out as at prediction.
"""

import math

import numpy as np

from skfashion._keras.network import LAYER_KINDS, layer_kind

__all__ = ["LAYER_CONVERTERS", "network"]

_CLASS_NAMES = {cls.__name__ for classes in LAYER_KINDS.values() for cls in classes}


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
    if _activation_name(layer.activation) == "softmax" and layout != "flat":
        raise ValueError(f"{where}: a softmax over images does not convert.")
    return _activate(g, layer.activation, x, where), layout


def _activation_name(activation):
    return getattr(activation, "__name__", str(activation))


def _relu(g, layer, x, layout, where):
    if float(layer.threshold) != 0.0:
        raise ValueError(f"{where}: a ReLU with a threshold does not convert.")
    slope = float(layer.negative_slope)
    y = g.op("LeakyRelu", x, alpha=slope) if slope else g.op("Relu", x)
    if layer.max_value is not None:
        y = g.op("Min", y, g.const(float(layer.max_value)))
    return y, layout


def _leaky_relu(g, layer, x, layout, where):
    return g.op("LeakyRelu", x, alpha=float(layer.negative_slope)), layout


def _elu(g, layer, x, layout, where):
    return g.op("Elu", x, alpha=float(layer.alpha)), layout


def _softmax(g, layer, x, layout, where):
    if layout != "flat" or layer.axis not in (-1, 1):
        raise ValueError(f"{where}: only a softmax over flat rows converts.")
    return g.op("Softmax", x, axis=-1), layout


def _depthwise_kernel(kernel):
    """A Keras depthwise kernel (h, w, c, m) as ONNX grouped-Conv weights
    (c * m, 1, h, w): output channel c * m + j is input channel c's j-th."""
    h, w, c, m = kernel.shape
    return kernel.reshape(h, w, c * m).transpose(2, 0, 1).reshape(c * m, 1, h, w)


def _depthwise_conv2d(g, layer, x, layout, where):
    kernel, *bias = _weights(layer)
    channels = kernel.shape[2]
    inputs = [x, g.const(_depthwise_kernel(kernel)), *(g.const(b) for b in bias)]
    window = _window(layer, layer.kernel_size, where)
    y = g.op("Conv", *inputs, group=channels, **window)
    return _activate(g, layer.activation, y, where), layout


def _separable_conv2d(g, layer, x, layout, where):
    depthwise, pointwise, *bias = _weights(layer)
    window = _window(layer, layer.kernel_size, where)
    y = g.op(
        "Conv", x, g.const(_depthwise_kernel(depthwise)),
        group=depthwise.shape[2], **window,
    )  # fmt: skip
    inputs = [y, g.const(pointwise.transpose(3, 2, 0, 1)), *(g.const(b) for b in bias)]
    y = g.op("Conv", *inputs, kernel_shape=[1, 1])
    return _activate(g, layer.activation, y, where), layout


def _layer_norm(g, layer, x, layout, where):
    axes = [layer.axis] if isinstance(layer.axis, int) else list(layer.axis)
    rank = len(layer.input.shape)
    if sorted(a % rank for a in axes) != [rank - 1] or getattr(
        layer, "rms_scaling", False
    ):
        raise ValueError(
            f"{where}: only a layer normalization over the last axis converts."
        )
    channels = int(layer.input.shape[-1])
    gamma = layer.gamma.numpy() if layer.scale else np.ones(channels, np.float32)
    beta = layer.beta.numpy() if layer.center else np.zeros(channels, np.float32)
    # Over the channels: the last axis of flat rows, axis 1 of NCHW images.
    if layout == "nchw":
        x = g.op("Transpose", x, perm=[0, 2, 3, 1])
    centred = g.op("Sub", x, g.mean_last_axis(x))
    variance = g.mean_last_axis(g.op("Mul", centred, centred))
    scale = g.op("Sqrt", g.op("Add", variance, g.const(float(layer.epsilon))))
    y = g.op("Div", centred, scale)
    y = g.op("Add", g.op("Mul", y, g.const(gamma)), g.const(beta))
    if layout == "nchw":
        y = g.op("Transpose", y, perm=[0, 3, 1, 2])
    return y, layout


def _pool(g, layer, x, layout, where):
    return g.op("MaxPool", x, **_window(layer, layer.pool_size, where)), layout


def _average_pool(g, layer, x, layout, where):
    # TensorFlow's "same" average leaves the padding out of the count.
    window = _window(layer, layer.pool_size, where)
    return g.op("AveragePool", x, count_include_pad=0, **window), layout


def _global_average_pool(g, layer, x, layout, where):
    if layout != "nchw" or getattr(layer, "data_format", None) == "channels_first":
        raise ValueError(f"{where}: only channels_last images convert.")
    y = g.op("GlobalAveragePool", x)  # (n, c, 1, 1)
    if layer.keepdims:
        return y, layout
    return g.reshape(y, [0, -1]), "flat"


def _merge_layout(layouts, where):
    if len(set(layouts)) != 1:
        raise ValueError(f"{where}: its inputs differ in layout: {layouts}.")
    return layouts[0]


def _add(g, layer, xs, layouts, where):
    y = xs[0]
    for x in xs[1:]:
        y = g.op("Add", y, x)
    return y, _merge_layout(layouts, where)


def _concatenate(g, layer, xs, layouts, where):
    layout = _merge_layout(layouts, where)
    rank = len(layer.output.shape)
    axis = layer.axis % rank
    if layout == "nchw":
        axis = {1: 2, 2: 3, 3: 1}[axis]  # NHWC's axis in NCHW
    return g.op("Concat", *xs, axis=axis), layout


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


# One conversion for each kind of skfashion._keras.network.LAYER_KINDS.
LAYER_CONVERTERS = {
    "input": _identity,
    "dense": _dense,
    "conv2d": _conv2d,
    "depthwise_conv2d": _depthwise_conv2d,
    "separable_conv2d": _separable_conv2d,
    "batch_norm": _batch_norm,
    "layer_norm": _layer_norm,
    "activation": _activation,
    "relu": _relu,
    "leaky_relu": _leaky_relu,
    "elu": _elu,
    "softmax": _softmax,
    "pool": _pool,
    "average_pool": _average_pool,
    "global_average_pool": _global_average_pool,
    "dropout": _identity,
    "augmentation": _identity,
    "reshape": _reshape,
    "rescaling": _rescaling,
    "flatten": _flatten,
    "add": _add,
    "concatenate": _concatenate,
}

# Kinds whose layers take several inputs: their conversion gets the lists.
_MERGES = {"add", "concatenate"}


def _image_input(g, x, shape, where):
    """Flat rows ``x`` as the NCHW images of a network's (h, w, c) input."""
    if len(shape) != 3:
        raise ValueError(
            f"{where}: an input of shape {shape} does not convert; flat rows "
            "and (height, width, channels) images do."
        )
    return g.op("Transpose", g.reshape(x, [-1, *shape]), perm=[0, 3, 1, 2])


def network(g, model, x, *, output=None):
    """The nodes of ``model``'s graph applied to flat rows ``x``.

    Parameters
    ----------
    g : Graph
    model : keras.Model
        A fitted network of one input and one output.
    x : str
        Name of the flat float32 input, of shape (n, n_features).
    output : KerasTensor, default=None
        The tensor of ``model``'s graph to compute (the embeddings are the
        head's input); None computes the model's output.

    Returns
    -------
    y : str
        Name of the output.
    """
    source = model.inputs[0]
    shape = tuple(int(d) for d in source.shape[1:])
    where = f"{g.owner}: the input of {model.name!r}"
    start = (
        (x, "flat") if len(shape) == 1 else (_image_input(g, x, shape, where), "nchw")
    )
    done = {id(source): start}

    def emit(tensor):
        key = id(tensor)
        if key not in done:
            layer, node_index, _ = tensor._keras_history
            where = f"{g.owner}: layer {layer.name!r} ({type(layer).__name__})"
            kind = layer_kind(layer)
            if kind is None:
                raise ValueError(
                    f"{where} has no ONNX conversion: skfashion converts "
                    f"the layers {', '.join(sorted(_CLASS_NAMES))}."
                )
            inputs = [emit(t) for t in layer._inbound_nodes[node_index].input_tensors]
            names, layouts = [n for n, _ in inputs], [lay for _, lay in inputs]
            if kind in _MERGES:
                done[key] = LAYER_CONVERTERS[kind](g, layer, names, layouts, where)
            else:
                done[key] = LAYER_CONVERTERS[kind](
                    g, layer, names[0], layouts[0], where
                )
        return done[key]

    return emit(model.outputs[0] if output is None else output)[0]
