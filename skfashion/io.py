# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Safe persistence: one zip file per estimator or pipeline, without pickle.

:func:`dump` writes a zip file that holds ``skfashion.json`` (the format
version, the versions that wrote it, and for each object its class, its
``get_params()`` and its fitted attributes, as typed JSON) and one ``.keras``
member per network, in Keras' own format with the optimizer state.
:func:`load` reads it back without pickle, joblib or ``eval``: it checks the
whole document against an allow-list of classes and value types, loads the
networks with ``keras.saving.load_model(..., safe_mode=True)``, and only then
builds the objects.

Pickle and joblib keep working for trusted files.
"""

import importlib
import inspect
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from skfashion._files import write_atomically
from skfashion._keras.persistence import network_from_bytes, network_to_bytes

__all__ = ["dump", "load", "register", "skops_trusted_types"]

FORMAT = "skfashion"
FORMAT_VERSION = 1
DOCUMENT = "skfashion.json"

# Attribute names a fitted object may carry: public ones ending in "_", and
# these private ones (scikit-learn's set_output configuration).
_PRIVATE_ATTRIBUTES = {"_sklearn_output_config"}
_PUBLIC_ATTRIBUTE = re.compile(r"[a-z][a-z0-9_]*_")
_MEMBER = re.compile(r"networks/[0-9]+\.keras")
_DTYPE_KINDS = set("biufUO")


@dataclass(frozen=True)
class _Entry:
    """How one allow-listed class is stored."""

    name: str
    module: str
    attr: str
    networks: tuple  # attributes holding a keras.Model

    def cls(self):
        return getattr(importlib.import_module(self.module), self.attr)


_REGISTRY = {}


def register(name, module, attr, *, networks=()):
    """Put a class on the allow-list of :func:`dump` and :func:`load`.

    Parameters
    ----------
    name : str
        The name the file records, e.g. "skfashion.CNNClassifier".
    module, attr : str
        Where the class lives (it is imported on first use).
    networks : tuple of str, default=()
        Fitted attributes that hold a ``keras.Model``, stored as ``.keras``
        members.
    """
    _REGISTRY[name] = _Entry(name, module, attr, tuple(networks))


register("skfashion.ANNClassifier", "skfashion._ann", "ANNClassifier",
         networks=("model_",))  # fmt: skip
register("skfashion.CNNClassifier", "skfashion._cnn", "CNNClassifier",
         networks=("model_",))  # fmt: skip
register("skfashion.ImageClassifier", "skfashion._classifier", "ImageClassifier",
         networks=("model_",))  # fmt: skip
register("skfashion.ImagePreprocessor", "skfashion._preprocessing", "ImagePreprocessor")
register("skfashion.EmbeddingTransformer", "skfashion._embedding",
         "EmbeddingTransformer")  # fmt: skip
register("sklearn.pipeline.Pipeline", "sklearn.pipeline", "Pipeline")


def skops_trusted_types():
    """List skfashion's classes as ``skops.io`` names them, to trust on loading.

    skops saves a skfashion estimator from its ``__getstate__``, which holds
    arrays, builtins and the network as the bytes of a ``.keras`` file, so
    these classes are all a skfashion object asks to trust: the network is
    read in Keras' safe mode, as :func:`load` reads it. Pass the list to
    ``skops.io.loads(..., trusted=...)`` or to MLflow's
    ``mlflow.sklearn.log_model(..., skops_trusted_types=...)``.

    Returns
    -------
    names : list of str
        ``module.Class`` of each skfashion estimator and transformer.

    Examples
    --------
    >>> from skfashion.io import skops_trusted_types
    >>> skops_trusted_types()
    ['skfashion._ann.ANNClassifier', 'skfashion._classifier.ImageClassifier', \
'skfashion._cnn.CNNClassifier', 'skfashion._embedding.EmbeddingTransformer', \
'skfashion._preprocessing.ImagePreprocessor']
    """
    return sorted(
        f"{entry.module}.{entry.attr}"
        for entry in _REGISTRY.values()
        if entry.module.startswith("skfashion.")
    )


def _entry_of(obj):
    for entry in _REGISTRY.values():
        if type(obj) is entry.cls():
            return entry
    return None


def _refuse(obj, where):
    raise TypeError(
        f"{where}: a {type(obj).__module__}.{type(obj).__qualname__} cannot be "
        "stored safely by skfashion.io, which stores skfashion's estimators "
        "and transformers and Pipelines of them, with parameters of plain "
        "types. For other objects use skops.io, or pickle/joblib for files "
        "you trust."
    )


# ------------------------------------------------------------------ writing


class _Writer:
    def __init__(self):
        self.networks = {}  # member name -> keras.Model

    def node(self, obj, where):
        entry = _entry_of(obj)
        if entry is None:
            _refuse(obj, where)
        params = obj.get_params(deep=False)
        state = {}
        for key, value in vars(obj).items():
            if key in params or key in entry.networks:
                continue
            if key in _PRIVATE_ATTRIBUTES or _PUBLIC_ATTRIBUTE.fullmatch(key):
                state[key] = value
        networks = {}
        for key in entry.networks:
            if key in vars(obj):
                member = f"networks/{len(self.networks)}.keras"
                self.networks[member] = vars(obj)[key]
                networks[key] = member
        return {
            "class": entry.name,
            "params": self.value(params, f"{where}.get_params()"),
            "attributes": self.value(state, f"{where} fitted attributes"),
            "networks": networks,
        }

    def value(self, v, where):
        if v is None or isinstance(v, (bool, str)):
            return v
        if isinstance(v, int) and not isinstance(v, np.integer):
            return v
        if isinstance(v, float) and not isinstance(v, np.floating):
            return v if math.isfinite(v) else {"__float__": repr(v)}
        if isinstance(v, (np.generic, np.ndarray)):
            return self.array(v, where)
        if isinstance(v, tuple):
            return {"__tuple__": [self.value(x, where) for x in v]}
        if isinstance(v, list):
            return [self.value(x, where) for x in v]
        if isinstance(v, dict):
            pairs = [
                [self.value(k, where), self.value(x, f"{where}[{k!r}]")]
                for k, x in v.items()
            ]
            return {"__dict__": pairs}
        if _entry_of(v) is not None:
            return {"__estimator__": self.node(v, where)}
        return self.keras_value(v, where)

    def array(self, v, where):
        array = np.asarray(v)
        if array.dtype.kind not in _DTYPE_KINDS:
            _refuse(v, where)
        items = array.reshape(-1).tolist()
        if array.dtype.kind == "O":
            for item in items:
                if not isinstance(item, (str, bool, int, float)):
                    _refuse(item, where)
        items = [self.value(x, where) for x in items]
        return {
            "__ndarray__" if isinstance(v, np.ndarray) else "__scalar__": {
                "dtype": array.dtype.str,
                "shape": list(array.shape),
                "data": items,
            }
        }

    def keras_value(self, v, where):
        import keras

        if type(v) is keras.DTypePolicy:
            return {"__dtype_policy__": v.name}
        if isinstance(v, keras.optimizers.Optimizer):
            cls = _builtin_optimizers().get(type(v).__name__)
            config = v.get_config()
            if cls is not type(v) or not isinstance(config.get("learning_rate"), float):
                raise TypeError(
                    f"{where}: the optimizer {type(v).__name__} cannot be stored "
                    "safely: only Keras' own optimizers with a float learning "
                    "rate are. Pass the optimizer by name (optimizer='sgd', "
                    "optimizer__momentum=0.9), or use pickle for trusted files."
                )
            return {"__optimizer__": {"class_name": type(v).__name__,
                                      "config": self.value(config, where)}}  # fmt: skip
        if isinstance(v, keras.Model):  # ImageClassifier's model parameter
            member = f"networks/{len(self.networks)}.keras"
            self.networks[member] = v
            return {"__network__": member}
        if inspect.isfunction(v):  # ImageClassifier's builder
            return {"__builder__": _registered_name(v, where)}
        if isinstance(v, keras.callbacks.Callback):
            raise TypeError(
                f"{where}: Keras callbacks cannot be stored safely (Keras does "
                "not serialise them). Set callbacks=None before dump(), or use "
                "pickle for trusted files."
            )
        _refuse(v, where)


def _registered_name(builder, where):
    """The name Keras' registry knows ``builder`` by, or a TypeError."""
    import keras

    name = keras.saving.get_registered_name(builder)
    if keras.saving.get_registered_object(name) is not builder:
        raise TypeError(
            f"{where}: the builder {name!r} cannot be stored safely: it is not "
            "registered with Keras. Decorate it with "
            "@keras.saving.register_keras_serializable(), so that load() finds "
            "it by name among the functions the loading program registered, "
            "without importing code; or pass the model itself (a keras.Model), "
            "or use pickle for trusted files."
        )
    return name


def _builtin_optimizers():
    import keras

    return {
        name: cls
        for name in dir(keras.optimizers)
        if isinstance(cls := getattr(keras.optimizers, name), type)
        and issubclass(cls, keras.optimizers.Optimizer)
        and cls.__module__.startswith("keras.")
    }


def _versions():
    import keras
    import sklearn

    import skfashion
    from skfashion._keras.backend import name as backend_name

    return {
        "skfashion": skfashion.__version__,
        "keras": keras.__version__,
        "backend": backend_name(),
        "scikit-learn": sklearn.__version__,
    }


def dump(obj, file):
    """Save a skfashion estimator, or a Pipeline of them, to one safe file.

    Parameters
    ----------
    obj : estimator or Pipeline
        An ANNClassifier, CNNClassifier, ImageClassifier, ImagePreprocessor
        or EmbeddingTransformer, fitted or not, or a Pipeline of them. An
        ImageClassifier's ``model`` is stored as a network when it is a
        ``keras.Model``, and by its registered name when it is a builder
        (``keras.saving.register_keras_serializable``); the networks' custom
        layers must be registered the same way to load.
    file : str, path-like or binary file object
        Where to write. Nothing is written when the object cannot be stored.
        A path is written to a temporary file in the same folder, which then
        replaces it: if the write fails (a full disk) or is interrupted, a
        file already there is left as it was, and no partial file remains.

    Raises
    ------
    TypeError
        If ``obj``, one of its steps, or a parameter cannot be stored safely
        (a Keras callback, a custom optimizer, a step from another library).

    Examples
    --------
    >>> import io
    >>> from skfashion import ImagePreprocessor
    >>> from skfashion.io import dump, load
    >>> buffer = io.BytesIO()
    >>> dump(ImagePreprocessor(feature_range=(-1, 1)), buffer)
    >>> load(io.BytesIO(buffer.getvalue()))
    ImagePreprocessor(feature_range=(-1, 1))
    """
    writer = _Writer()
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": _versions(),
        "object": writer.node(obj, type(obj).__name__),
    }
    text = json.dumps(document, indent=1, allow_nan=False)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(DOCUMENT, text)
        for member, model in writer.networks.items():
            archive.writestr(
                member, network_to_bytes(model), compress_type=zipfile.ZIP_STORED
            )
    data = buffer.getvalue()  # all written before the target is touched
    if hasattr(file, "write"):
        file.write(data)
    else:
        write_atomically(file, data)


# ------------------------------------------------------------------ reading


def _corrupt(why):
    return ValueError(f"This is not a readable skfashion file: {why}.")


def _read_archive(file):
    data = file.read() if hasattr(file, "read") else Path(file).read_bytes()
    if not isinstance(data, bytes):
        raise TypeError("load() needs a path or a binary file object.")
    if data[:1] == b"\x80" or data[:2] in (b"(d", b"(l", b"}q", b"]q"):
        raise _corrupt("it looks like a pickle, which skfashion.io never loads")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _corrupt("it is not a zip file (truncated, or another format)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if DOCUMENT not in names:
                raise _corrupt(f"it has no {DOCUMENT}")
            extra = [n for n in names if n != DOCUMENT and not _MEMBER.fullmatch(n)]
            if extra or len(set(names)) != len(names):
                raise _corrupt(f"unexpected members {sorted(set(extra or names))}")
            # Reading checks each member's CRC.
            return {name: archive.read(name) for name in names}
    except ValueError:
        raise
    except Exception as exc:  # zipfile, zlib and struct errors of a damaged file
        raise _corrupt(f"{type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True)
class _Object:
    entry: _Entry
    params: dict
    attributes: dict
    networks: dict


@dataclass(frozen=True)
class _Policy:
    name: str


@dataclass(frozen=True)
class _Network:
    member: str


@dataclass(frozen=True)
class _Optimizer:
    class_name: str
    config: dict


class _Reader:
    """Checks a document completely and turns it into a plan; builds nothing."""

    def __init__(self, members):
        self.members = members
        self.used = set()

    def node(self, node, where):
        if not isinstance(node, dict) or set(node) != {
            "class",
            "params",
            "attributes",
            "networks",
        }:
            raise _corrupt(f"{where} is not an object record")  # fmt: skip
        name = node["class"]
        if name not in _REGISTRY:
            raise ValueError(
                f"{where}: class {name!r} is not on skfashion.io's allow-list "
                f"({', '.join(sorted(_REGISTRY))}); refusing to load it."
            )
        entry = _REGISTRY[name]
        cls = entry.cls()
        params = self.value(node["params"], f"{where}.params")
        attributes = self.value(node["attributes"], f"{where}.attributes")
        if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
            raise _corrupt(f"{where}.params is not a dict of names")
        _check_param_names(cls, params, where)
        if not isinstance(attributes, dict):
            raise _corrupt(f"{where}.attributes is not a dict")
        for key in attributes:
            if (
                not isinstance(key, str)
                or not (key in _PRIVATE_ATTRIBUTES or _PUBLIC_ATTRIBUTE.fullmatch(key))
                or hasattr(cls, key)  # would shadow a method or property
            ):
                raise _corrupt(f"{where} has an attribute named {key!r}")
        networks = node["networks"]
        if not isinstance(networks, dict):
            raise _corrupt(f"{where}.networks is not a dict")
        for key, member in networks.items():
            if key not in entry.networks or not isinstance(member, str):
                raise _corrupt(f"{where} has a network {key!r}")
            if member not in self.members or member in self.used:
                raise _corrupt(f"{where}'s network {member!r} is missing")
            self.used.add(member)
        return _Object(entry, params, attributes, dict(networks))

    def value(self, v, where):
        if v is None or isinstance(v, (bool, str, int, float)):
            return v
        if isinstance(v, list):
            return [self.value(x, where) for x in v]
        if not isinstance(v, dict) or len(v) != 1:
            raise _corrupt(f"{where} holds an unknown value")
        ((tag, body),) = v.items()
        if tag == "__float__" and body in ("nan", "inf", "-inf"):
            return float(body)
        if tag == "__tuple__" and isinstance(body, list):
            return tuple(self.value(x, where) for x in body)
        if tag == "__dict__" and isinstance(body, list):
            pairs = []
            for pair in body:
                if not isinstance(pair, list) or len(pair) != 2:
                    raise _corrupt(f"{where} holds a bad dict")
                key = self.value(pair[0], where)
                if not isinstance(key, (str, int, float, bool, type(None), tuple)):
                    raise _corrupt(f"{where} holds a bad dict key")
                pairs.append((key, self.value(pair[1], where)))
            return dict(pairs)
        if tag in ("__ndarray__", "__scalar__"):
            return self.array(tag, body, where)
        if tag == "__estimator__":
            return self.node(body, where)
        if tag == "__dtype_policy__" and isinstance(body, str):
            if not re.fullmatch(r"[a-z0-9_]+", body):
                raise _corrupt(f"{where} holds a bad dtype policy")
            return _Policy(body)
        if tag == "__network__" and isinstance(body, str):
            if body not in self.members or body in self.used:
                raise _corrupt(f"{where}'s network {body!r} is missing")
            self.used.add(body)
            return _Network(body)
        if tag == "__builder__" and isinstance(body, str):
            import keras

            builder = keras.saving.get_registered_object(body)
            if builder is None or not callable(builder):
                raise ValueError(
                    f"{where}: the builder {body!r} is not registered in this "
                    "program: import the module that registers it (with "
                    "keras.saving.register_keras_serializable) before load(). "
                    "Nothing was loaded."
                )
            return builder
        if tag == "__optimizer__" and isinstance(body, dict):
            name, config = body.get("class_name"), body.get("config")
            if set(body) != {"class_name", "config"} or not isinstance(name, str):
                raise _corrupt(f"{where} holds a bad optimizer")
            if name not in _builtin_optimizers():
                raise ValueError(f"{where}: {name!r} is not one of Keras' optimizers.")
            config = self.value(config, where)
            if not isinstance(config, dict) or not isinstance(
                config.get("learning_rate"), float
            ):
                raise _corrupt(f"{where} holds a bad optimizer config")
            return _Optimizer(name, config)
        raise _corrupt(f"{where} holds an unknown value tagged {tag!r}")

    def array(self, tag, body, where):
        if not isinstance(body, dict) or set(body) != {"dtype", "shape", "data"}:
            raise _corrupt(f"{where} holds a bad array")
        try:
            dtype = np.dtype(body["dtype"])
        except (TypeError, ValueError) as exc:
            raise _corrupt(f"{where} holds a bad dtype") from exc
        shape, data = body["shape"], body["data"]
        if dtype.kind not in _DTYPE_KINDS or not isinstance(data, list):
            raise _corrupt(f"{where} holds an array of dtype {dtype}")
        if not isinstance(shape, list) or not all(
            isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape
        ):
            raise _corrupt(f"{where} holds a bad shape")
        if math.prod(shape) != len(data) or (tag == "__scalar__" and shape):
            raise _corrupt(f"{where} holds an array of the wrong size")
        items = [self.value(x, where) for x in data]
        if not all(isinstance(x, (str, bool, int, float)) for x in items):
            raise _corrupt(f"{where} holds an array of other values")
        try:
            if dtype.kind == "O":
                array = np.empty(len(items), dtype=object)
                array[:] = items
                array = array.reshape(shape)
            else:
                array = np.array(items, dtype=dtype).reshape(shape)
        except (TypeError, ValueError, OverflowError) as exc:
            raise _corrupt(f"{where} holds values that do not fit {dtype}") from exc
        return array if tag == "__ndarray__" else array[()]


def _check_param_names(cls, params, where):
    """Only the class's own parameters (and, for skfashion's classifiers,
    the routed Keras settings that their routing table honours)."""
    from skfashion._routing import check_param_names, init_param_names

    valid, takes_kwargs = init_param_names(cls)
    unknown = [k for k in params if k not in valid]
    if not unknown:
        return
    if not (hasattr(cls, "_check_param_names") and takes_kwargs):
        raise _corrupt(f"{where} has unknown parameters {unknown}")
    try:
        check_param_names(cls.__name__, unknown, valid)
    except ValueError as exc:
        raise _corrupt(f"{where} has a bad parameter: {exc}") from exc


def _check_document(document):
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise _corrupt(f"{DOCUMENT} is not skfashion's")
    version = document.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _corrupt("its format version is missing")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"The file has format version {version}, newer than the version "
            f"this skfashion reads ({FORMAT_VERSION}); upgrade skfashion to "
            "load it."
        )
    if set(document) != {"format", "format_version", "versions", "object"}:
        raise _corrupt(f"{DOCUMENT} has unexpected fields")


class _Builder:
    def __init__(self, networks):
        self.networks = networks

    def value(self, v):
        if isinstance(v, list):
            return [self.value(x) for x in v]
        if isinstance(v, tuple):
            return tuple(self.value(x) for x in v)
        if isinstance(v, dict):
            return {self.value(k): self.value(x) for k, x in v.items()}
        if isinstance(v, _Object):
            return self.build(v)
        if isinstance(v, _Policy):
            import keras

            return keras.DTypePolicy(v.name)
        if isinstance(v, _Network):
            return self.networks[v.member]
        if isinstance(v, _Optimizer):
            cls = _builtin_optimizers()[v.class_name]
            return cls.from_config(self.value(v.config))
        return v

    def build(self, plan):
        obj = plan.entry.cls()(**self.value(plan.params))
        vars(obj).update(self.value(plan.attributes))
        for key, member in plan.networks.items():
            setattr(obj, key, self.networks[member])
        return obj


def load(file):
    """Load what :func:`dump` saved.

    Parameters
    ----------
    file : str, path-like or binary file object
        A file written by :func:`dump`.

    Returns
    -------
    obj : estimator or Pipeline
        The object, fitted if it was.

    Raises
    ------
    ValueError
        If the file is not skfashion's (a pickle, say), is truncated or
        corrupted, names a class that is not on the allow-list, holds a
        network that Keras will not load in safe mode (a ``Lambda`` layer),
        or has a newer format version. Nothing is built in that case.
    """
    members = _read_archive(file)
    try:
        document = json.loads(members[DOCUMENT].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _corrupt(f"{DOCUMENT} is not valid JSON") from exc
    _check_document(document)
    reader = _Reader(members)
    plan = reader.node(document["object"], "object")
    if reader.used != set(members) - {DOCUMENT}:
        raise _corrupt("it holds networks that no object uses")
    networks = {m: network_from_bytes(members[m], m) for m in sorted(reader.used)}
    return _Builder(networks).build(plan)
