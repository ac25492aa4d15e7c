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


def _check_registered(model):
    """Raise a ValueError for a layer of a class Keras cannot find by name.

    Keras' safe mode loads a layer of another package only when its class
    is registered (``keras.saving.register_keras_serializable``); a network
    with an unregistered one would save, and then not load.
    """
    import keras

    for layer in model._flatten_layers(include_self=False):
        cls = type(layer)
        if cls.__module__.split(".")[0] == "keras":
            continue
        name = keras.saving.get_registered_name(cls)
        if keras.saving.get_registered_object(name) is not cls:
            raise ValueError(
                f"The network {model.name!r} has the layer {layer.name!r} of "
                f"class {cls.__module__}.{cls.__qualname__}, which is not "
                "registered with Keras: decorate the class with "
                "@keras.saving.register_keras_serializable(package=...) (and "
                "give it a get_config), so that Keras can load it by name in "
                "safe mode."
            )


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

    Raises
    ------
    ValueError
        If a layer's class is not registered with Keras (it would not load).
    """
    _check_registered(model)
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
                f"({type(exc).__name__}: {exc}). A layer of your own loads when "
                "its class is registered with "
                "keras.saving.register_keras_serializable in the loading "
                "program; a Lambda layer never does."
            ) from exc
