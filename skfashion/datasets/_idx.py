# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Reader for the IDX file format used by MNIST and Fashion-MNIST."""

import gzip
import os
import struct
import zlib

import numpy as np

__all__ = ["IDXFormatError", "read_idx"]

# IDX type codes (third byte of the magic number) -> big-endian NumPy dtypes.
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class IDXFormatError(ValueError):
    """Raised when a file is not a well-formed IDX file.

    It subclasses :class:`ValueError`, so ``except ValueError`` also catches it.
    """


def _read_bytes(path):
    """Return the (decompressed) bytes of ``path``; gzip is detected by content."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] != b"\x1f\x8b":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as exc:
        raise IDXFormatError(
            f"{os.fspath(path)!r} is a truncated or corrupt gzip file ({exc}). "
            "Delete it and download it again."
        ) from exc


def read_idx(path, *, expected_shape=None):
    """Read an IDX file (optionally gzip-compressed) into a NumPy array.

    The IDX format stores a 4-byte magic number (two zero bytes, a type code
    and the number of dimensions), one big-endian ``uint32`` size per
    dimension, then the values in C order.

    Parameters
    ----------
    path : str or path-like
        File to read. Gzip compression is detected from the file content, not
        from the file name.

    expected_shape : tuple of int, default=None
        If given, the array must have exactly this shape.

    Returns
    -------
    array : ndarray
        The values, in native byte order, with the shape stored in the file.

    Raises
    ------
    IDXFormatError
        If the gzip stream is truncated or corrupt, the magic number or the type
        code is invalid, the payload length does not match the header, or the
        shape differs from ``expected_shape``.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from skfashion.datasets import read_idx
    >>> header = bytes([0, 0, 0x08, 1]) + (3).to_bytes(4, "big")
    >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(header + bytes([7, 2, 1]))
    >>> read_idx(path)
    array([7, 2, 1], dtype=uint8)
    """
    data = _read_bytes(path)
    name = os.fspath(path)
    if len(data) < 4:
        raise IDXFormatError(
            f"{name!r} is too short to be an IDX file: {len(data)} bytes, "
            "but the magic number alone takes 4."
        )
    zero0, zero1, type_code, ndim = struct.unpack(">BBBB", data[:4])
    if zero0 != 0 or zero1 != 0:
        raise IDXFormatError(
            f"{name!r} has an invalid IDX magic number 0x{data[:4].hex()}: "
            "the first two bytes must be zero."
        )
    if type_code not in _IDX_DTYPES:
        known = ", ".join(f"0x{code:02X}" for code in _IDX_DTYPES)
        raise IDXFormatError(
            f"{name!r} has an unknown IDX type code 0x{type_code:02X} "
            f"(known codes: {known})."
        )
    if ndim == 0:
        raise IDXFormatError(f"{name!r} declares 0 dimensions.")
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise IDXFormatError(
            f"{name!r} is truncated: its header declares {ndim} dimensions "
            f"({header_len} header bytes) but the file has {len(data)} bytes."
        )
    shape = struct.unpack(f">{ndim}I", data[4:header_len])
    dtype = _IDX_DTYPES[type_code]
    expected_len = header_len + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected_len:
        raise IDXFormatError(
            f"{name!r} has {len(data)} bytes, but its header (shape {shape}, "
            f"dtype {dtype.name}) requires {expected_len}: the file is "
            f"{'truncated' if len(data) < expected_len else 'followed by extra data'}."
        )
    if expected_shape is not None and tuple(shape) != tuple(expected_shape):
        raise IDXFormatError(
            f"{name!r} has shape {shape}, expected {tuple(expected_shape)}."
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_len).reshape(shape)
    # Native byte order, writeable, owning its memory.
    return array.astype(dtype.newbyteorder("="), copy=True)
