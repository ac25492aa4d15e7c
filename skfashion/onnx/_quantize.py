# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""An int8 copy of an exported graph, through onnxruntime's static
quantization, for bulk scoring where float32 is the bottleneck."""

import numbers
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx.helper import tensor_dtype_to_np_dtype
from onnxruntime.quantization import CalibrationDataReader, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process

__all__ = ["quantize"]


class _Batches(CalibrationDataReader):
    """onnxruntime's calibration reader: ``X`` in batches, once."""

    def __init__(self, name, X, batch_size):
        self._batches = iter(
            [{name: X[i : i + batch_size]} for i in range(0, len(X), batch_size)]
        )

    def get_next(self):
        return next(self._batches, None)


def _calibration_rows(model, X, max_rows, batch_size):
    """The first ``max_rows`` rows of ``X``, checked against the graph's input."""
    if not isinstance(model, onnx.ModelProto):
        raise TypeError(
            "quantize takes the onnx.ModelProto that skl2onnx's to_onnx or "
            f"convert_sklearn returns, not {type(model).__name__}."
        )
    if len(model.graph.input) != 1:
        raise ValueError(
            f"quantize takes a graph with one input; this one has "
            f"{len(model.graph.input)}."
        )
    tensor = model.graph.input[0].type.tensor_type
    dtype = np.dtype(tensor_dtype_to_np_dtype(tensor.elem_type))
    if dtype == np.float64:
        raise ValueError(
            "quantize needs a graph exported for float32 (or uint8) rows: "
            "onnxruntime quantizes float32 graphs. Convert with "
            "X[:1].astype(np.float32)."
        )
    X = np.asarray(X)
    if X.ndim == 0 or len(X) == 0:
        raise ValueError("quantize needs at least one calibration image in X.")
    if not np.can_cast(X.dtype, dtype, casting="same_kind"):
        raise ValueError(
            f"The graph takes {dtype} rows, and X holds {X.dtype}: pass the "
            "calibration images as the graph takes them."
        )
    expected = [d.dim_value or None for d in tensor.shape.dim[1:]]
    if len(expected) != X.ndim - 1 or any(
        e is not None and e != got for e, got in zip(expected, X.shape[1:])
    ):
        shape = ", ".join("?" if e is None else str(e) for e in expected)
        raise ValueError(
            f"The graph takes rows of shape (n, {shape}), and X has shape {X.shape}."
        )
    for name, value in (("max_rows", max_rows), ("batch_size", batch_size)):
        if not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return np.ascontiguousarray(X[:max_rows], dtype=dtype)


def quantize(model, X, *, max_rows=1000, batch_size=100):
    """An int8 copy of an exported graph, calibrated on ``X``.

    onnxruntime's static quantization (``onnxruntime.quantization``: QDQ
    format, int8 activations, per-channel int8 weights, min-max calibration)
    runs the graph on the first ``max_rows`` rows of ``X`` to fix each
    activation's range, then stores the convolutions and matrix products in
    int8. onnxruntime runs them with the CPU's int8 dot-product instructions
    where it has them (AVX512-VNNI, AVX-VNNI): on the AMD EPYC the
    benchmarks ran on, the int8 copy scored large batches faster than the
    float32 graph and than Keras in bfloat16 (the Performance page, section
    (h)). The float32 graph remains the one that computes what
    ``predict_proba`` computes. The int8 probabilities are close, not equal:
    check the labels' agreement on held-out images before serving it.

    Parameters
    ----------
    model : onnx.ModelProto
        A graph that skl2onnx's ``to_onnx`` or ``convert_sklearn`` returned
        for a skfashion estimator or pipeline, with float32 or uint8 input.
    X : array-like
        Calibration images, as the graph takes them: training rows, which
        span the range of the images it will score.
    max_rows : int, default=1000
        How many rows of ``X`` calibrate.
    batch_size : int, default=100
        Rows per calibration run.

    Returns
    -------
    onnx.ModelProto
        The quantized graph, with the same inputs and outputs.

    Raises
    ------
    TypeError
        If ``model`` is not an ``onnx.ModelProto``.
    ValueError
        If the graph does not have one float32 or uint8 input, or ``X`` does
        not fit it.
    """
    rows = _calibration_rows(model, X, max_rows, batch_size)
    name = model.graph.input[0].name
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "float32.onnx")
        prepared = Path(folder, "prepared.onnx")
        output = Path(folder, "int8.onnx")
        # onnxruntime's recommended first step: shape inference and graph
        # clean-up (symbolic shape inference needs sympy, and the shapes here
        # are concrete). It is given a file: from a ModelProto whose weights
        # are not raw bytes, as skl2onnx writes some, onnxruntime 1.32's
        # clean-up step fails and is skipped.
        onnx.save(model, source)
        quant_pre_process(source, prepared, skip_symbolic_shape=True)
        quantize_static(
            prepared, output, _Batches(name, rows, batch_size), per_channel=True
        )
        return onnx.load(output)
