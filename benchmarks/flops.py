"""Arithmetic of a Keras network, counted from its layers.

Only the layers that multiply matrices are counted (``Conv2D`` and
``Dense``): a multiply-add is 2 FLOPs. One training step of an image costs
its forward pass, and a backward pass of twice that (the gradients of the
weights and of the layer's input), less the input gradient of the first
such layer, which nothing needs. Element-wise layers (activations, pooling,
dropout, augmentation) and the optimizer's update are left out: they are
what the ratio to the matrix-multiply peak shows as overhead.
"""

import math

__all__ = ["forward_flops", "training_flops"]


def _layer_macs(layer):
    """Multiply-adds of one image through ``layer`` (0 if it is not counted)."""
    kind = type(layer).__name__
    if kind == "Conv2D":
        out = layer.output.shape  # (None, height, width, filters)
        kernel = layer.kernel.shape  # (kh, kw, in, out)
        return math.prod(out[1:3]) * math.prod(kernel)
    if kind == "Dense":
        return math.prod(layer.kernel.shape)
    return 0


def _counted(model):
    return [m for m in (_layer_macs(layer) for layer in model.layers) if m]


def forward_flops(model):
    """FLOPs of one image's forward pass through ``model``."""
    return 2 * sum(_counted(model))


def training_flops(model):
    """FLOPs of one image's training step (forward and backward passes)."""
    macs = _counted(model)
    return 2 * (3 * sum(macs) - macs[0]) if macs else 0
