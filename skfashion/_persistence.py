# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""A Keras network to bytes and back: the one codec of every saved format.

:func:`network_to_bytes` writes a network in Keras' own ``.keras`` format,
with its optimizer state; :func:`network_from_bytes` reads it back with
``keras.saving.load_model(..., safe_mode=True)``, so a file whose network
holds a ``Lambda`` layer (arbitrary code) is refused. ``skfashion.io``,
pickle, ``copy.deepcopy`` and skops all save a fitted classifier's network
through them (the classifiers' ``__getstate__``/``__setstate__``).
"""

import tempfile
from pathlib import Path

__all__ = ["network_from_bytes", "network_to_bytes"]


def network_to_bytes(model):
    """``model`` in Keras' ``.keras`` format, optimizer state included.

    Parameters
    ----------
    model : keras.Model
        A built network.

    Returns
    -------
    data : bytes
        The contents of a ``.keras`` file.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "network.keras")
        model.save(path)
        return path.read_bytes()


def network_from_bytes(data, where="the network"):
    """The network that :func:`network_to_bytes` wrote, loaded in safe mode.

    Parameters
    ----------
    data : bytes
        The contents of a ``.keras`` file.
    where : str, default="the network"
        What to call it in an error message.

    Returns
    -------
    model : keras.Model
        The compiled network.

    Raises
    ------
    ValueError
        If ``data`` is not bytes, or Keras refuses to load it in safe mode
        (a ``Lambda`` layer, a class Keras does not know, a damaged file).
    """
    import keras

    if not isinstance(data, bytes):
        raise ValueError(
            f"{where} is a {type(data).__name__}, not the bytes of a .keras file."
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "network.keras")
        path.write_bytes(data)
        try:
            return keras.saving.load_model(path, compile=True, safe_mode=True)
        except Exception as exc:
            raise ValueError(
                f"{where}: Keras refused to load the network safely "
                f"({type(exc).__name__}: {exc})."
            ) from exc
