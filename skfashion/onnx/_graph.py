# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""A small writer of ONNX nodes and initializers into skl2onnx's container."""

import numpy as np
from onnx import TensorProto
from onnx.defs import onnx_opset_version
from onnx.helper import np_dtype_to_tensor_dtype

__all__ = ["Graph", "MIN_OPSET"]

# ReduceSum's axes as an input, Softmax over the last axis, Slice's steps.
MIN_OPSET = 13


class Graph:
    """Adds nodes and constants to one skl2onnx conversion.

    Parameters
    ----------
    scope : skl2onnx.common._topology.Scope
        Gives unique names.
    container : skl2onnx.common._container.ModelComponentContainer
        Receives the nodes and initializers.
    owner : str
        The estimator being converted, for error messages.
    """

    def __init__(self, scope, container, owner):
        self.scope = scope
        self.container = container
        self.owner = owner
        opset = container.target_opset
        if opset is not None and opset < MIN_OPSET:
            raise ValueError(
                f"{owner} converts to ONNX opset {MIN_OPSET} or newer; "
                f"target_opset is {opset}."
            )
        self.opset = opset if opset is not None else onnx_opset_version()

    def const(self, value, dtype=np.float32):
        """The name of a new initializer holding ``value``."""
        array = np.asarray(value)
        name = self.scope.get_unique_variable_name("const")
        if array.dtype.kind in "OUS":
            data = [str(v).encode("utf-8") for v in array.ravel()]
            self.container.add_initializer(name, TensorProto.STRING, array.shape, data)
            return name
        array = array.astype(dtype)
        self.container.add_initializer(
            name,
            np_dtype_to_tensor_dtype(array.dtype),
            array.shape,
            array.ravel().tolist(),
        )
        return name

    def op(self, op_type, *inputs, output=None, domain="", **attrs):
        """Add one node; return the name of its (only) output."""
        output = output or self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type,
            list(inputs),
            [output],
            op_domain=domain,
            name=self.scope.get_unique_operator_name(op_type),
            **attrs,
        )
        return output

    def reshape(self, x, shape):
        return self.op("Reshape", x, self.const(shape, np.int64))

    def mean_last_axis(self, x):
        """The mean over the last axis, kept (ReduceMean's axes moved from an
        attribute to an input in opset 18)."""
        if self.opset < 18:
            return self.op("ReduceMean", x, axes=[-1], keepdims=1)
        return self.op("ReduceMean", x, self.const([-1], np.int64), keepdims=1)

    def cast(self, x, dtype=np.float32):
        return self.op("Cast", x, to=np_dtype_to_tensor_dtype(np.dtype(dtype)))
