"""skfashion.io: one safe file per estimator or pipeline."""

import io
import json
import pickle
import subprocess
import sys
import textwrap
import zipfile

import keras
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skfashion import ANNClassifier, CNNClassifier, ImagePreprocessor
from skfashion.io import dump, load

ANN = dict(hidden_layer_sizes=(8,), epochs=2, random_state=0)
CNN = dict(filters=(2,), hidden_layer_sizes=(4,), epochs=1, random_state=0)


@pytest.fixture(scope="module")
def data(digits):
    X, y, _ = digits
    return X[:300], y[:300]


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    raw = (X * 255).astype(np.uint8)
    return {
        "ann": ANNClassifier(**ANN, fit__shuffle=True).fit(X, y),
        "cnn": CNNClassifier(**CNN, dtype_policy="mixed_bfloat16").fit(X, y),
        "pipeline": make_pipeline(ImagePreprocessor(), ANNClassifier(**ANN)).fit(
            raw, y
        ),
        "preprocessor": ImagePreprocessor().set_output(transform="pandas").fit(raw),
    }


def _saved(obj):
    buffer = io.BytesIO()
    dump(obj, buffer)
    return buffer.getvalue()


def _round_trip(obj):
    return load(io.BytesIO(_saved(obj)))


def _final(obj):
    return obj[-1] if hasattr(obj, "steps") else obj


def assert_same_fit(a, b, X):
    assert type(a) is type(b)
    assert a.get_params(deep=False).keys() == b.get_params(deep=False).keys()
    if hasattr(a, "steps"):
        for (na, sa), (nb, sb) in zip(a.steps, b.steps, strict=True):
            assert na == nb
            assert_same_fit(sa, sb, X)
        return
    assert repr(a.get_params()) == repr(b.get_params())
    public = {k for k in vars(a) if k.endswith("_") and not k.startswith("_")}
    assert public == {k for k in vars(b) if k.endswith("_") and not k.startswith("_")}
    for key in public - {"model_"}:
        va, vb = getattr(a, key), getattr(b, key)
        if isinstance(va, np.ndarray):
            assert va.dtype == vb.dtype
            assert_array_equal(va, vb)
        else:
            assert va == vb, key


@pytest.mark.parametrize("kind", ["ann", "cnn", "pipeline"])
def test_round_trip_of_fitted_models(kind, fitted, data, tmp_path):
    X, _ = data
    obj = fitted[kind]
    X_in = (X * 255).astype(np.uint8) if kind == "pipeline" else X
    path = tmp_path / "model.skf"
    dump(obj, path)
    restored = load(path)
    assert_same_fit(obj, restored, X_in)
    assert_array_equal(restored.predict_proba(X_in), obj.predict_proba(X_in))
    assert _final(restored).model_ is not _final(obj).model_


def test_round_trip_of_a_preprocessor_with_set_output(fitted, data):
    X, _ = data
    raw = (X * 255).astype(np.uint8)
    restored = _round_trip(fitted["preprocessor"])
    out = restored.transform(raw)
    assert isinstance(out, pd.DataFrame)
    assert_array_equal(out.to_numpy(), fitted["preprocessor"].transform(raw))


@pytest.mark.parametrize(
    "obj",
    [ANNClassifier(), CNNClassifier(image_shape=(8, 8), optimizer__momentum=0.9),
     ImagePreprocessor(feature_range=(-1, 1)),
     ANNClassifier(optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.5),
                   class_weight={0: 2.0, 1: 1.0}, dtype_policy=keras.DTypePolicy(
                       "mixed_bfloat16"))],
    ids=["ann", "cnn", "preprocessor", "keras-objects"],
)  # fmt: skip
def test_round_trip_of_unfitted(obj):
    restored = _round_trip(obj)
    assert type(restored) is type(obj)
    params, back = obj.get_params(), restored.get_params()
    assert params.keys() == back.keys()
    for key, value in params.items():
        if isinstance(value, keras.optimizers.Optimizer):
            assert back[key].get_config() == value.get_config()
        elif isinstance(value, keras.DTypePolicy):
            assert back[key].name == value.name
        else:
            assert back[key] == value
    assert not hasattr(restored, "model_")


@pytest.mark.parametrize(
    "labels",
    [np.array([3, 7]), np.array(["cat", "dog"]), np.array([True, False]),
     np.array([1.0, 2.0]), np.array(["a", "b"], dtype=object)],
    ids=["int", "str", "bool", "float", "object"],
)  # fmt: skip
def test_any_label_type(labels, data):
    X, y = data
    frame = pd.DataFrame(X, columns=[f"pixel{i}" for i in range(64)])
    est = ANNClassifier(**ANN).fit(frame, labels[y % 2])
    restored = _round_trip(est)
    assert restored.classes_.dtype == est.classes_.dtype
    assert_array_equal(restored.classes_, est.classes_)
    assert_array_equal(restored.feature_names_in_, est.feature_names_in_)
    assert_array_equal(restored.predict(frame), est.predict(frame))


def test_training_goes_on_after_loading(fitted, data):
    X, y = data
    original = fitted["ann"]
    for continued in (
        lambda e: e.partial_fit(X, y),
        lambda e: e.set_params(warm_start=True).fit(X, y),
    ):
        a, b = _round_trip(original), _round_trip(original)
        before = int(a.model_.optimizer.iterations)
        assert before == int(original.model_.optimizer.iterations) > 0
        continued(a)
        assert a.n_iter_ > original.n_iter_
        assert int(a.model_.optimizer.iterations) > before
        continued(b)  # the same continuation gives the same network
        assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_identical_predictions_in_a_fresh_process(fitted, data, tmp_path):
    X, _ = data
    path = tmp_path / "cnn.skf"
    dump(fitted["cnn"], path)
    np.save(tmp_path / "X.npy", X)
    script = textwrap.dedent(
        f"""
        import numpy as np
        from skfashion.io import load
        est = load({str(path)!r})
        np.save({str(tmp_path / "p.npy")!r},
                est.predict_proba(np.load({str(tmp_path / "X.npy")!r})))
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=300)
    assert_array_equal(np.load(tmp_path / "p.npy"), fitted["cnn"].predict_proba(X))


# ------------------------------------------------------------- what dump refuses


@pytest.mark.parametrize(
    "obj, match",
    [
        (make_pipeline(ImagePreprocessor(), LogisticRegression()), "skops.io"),
        (LogisticRegression(), "skops.io"),
        (ANNClassifier(callbacks=[keras.callbacks.TerminateOnNaN()]), "callbacks"),
        (ANNClassifier(optimizer=keras.optimizers.SGD(
            keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9))),
         "float learning"),
        (ANNClassifier(random_state=np.random.RandomState(0)), "RandomState"),
        (ANNClassifier(fit__shuffle=object()), "fit__shuffle"),
    ],
)  # fmt: skip
def test_dump_refuses_what_it_cannot_store_safely(obj, match, tmp_path):
    path = tmp_path / "x.skf"
    with pytest.raises(TypeError, match=match):
        dump(obj, path)
    assert not path.exists()


def test_pickle_still_works(fitted, data):
    X, _ = data
    restored = pickle.loads(pickle.dumps(fitted["pipeline"]))
    raw = (X * 255).astype(np.uint8)
    assert_array_equal(restored.predict(raw), fitted["pipeline"].predict(raw))


# --------------------------------------------------------------- what load refuses


def _members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _edited(data, edit):
    members = _members(data)
    document = json.loads(members["skfashion.json"])
    edit(document)
    members["skfashion.json"] = json.dumps(document)
    return _zip(members)


class _CreatesAFile:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def _lambda_network():
    inputs = keras.Input((64,))
    x = keras.layers.Lambda(lambda t: t * 2.0)(inputs)
    model = keras.Model(inputs, keras.layers.Dense(10, activation="softmax")(x))
    model.compile("adam", "sparse_categorical_crossentropy")
    return model


def _tampered(fitted, tmp_path):
    saved = _saved(fitted["ann"])
    members = _members(saved)
    lambda_path = tmp_path / "lambda.keras"
    _lambda_network().save(lambda_path)
    bad_network = dict(members, **{"networks/0.keras": lambda_path.read_bytes()})
    middle = len(saved) // 2
    flipped = bytearray(saved)
    flipped[middle] ^= 0xFF
    set_class = lambda name: lambda d: d["object"].update({"class": name})  # noqa: E731
    return {
        "pickle": pickle.dumps(_CreatesAFile(str(tmp_path / "pwned"))),
        "truncated": saved[:middle],
        "corrupted": bytes(flipped),
        "empty": b"",
        "unknown class": _edited(saved, set_class("os.system")),
        "class not allowed": _edited(
            saved, set_class("sklearn.linear_model.LogisticRegression")
        ),
        "lambda layer": _zip(bad_network),
        "newer format": _edited(saved, lambda d: d.update(format_version=2)),
        "unknown parameter": _edited(
            saved,
            lambda d: d["object"]["params"]["__dict__"].append(["predict_proba", 1]),
        ),
        "not skfashion's": _zip({"skfashion.json": json.dumps({"format": "x"})}),
        "extra member": _zip(dict(members, **{"evil.pkl": b"\x80\x04."})),
    }


TAMPER_MESSAGES = {
    "pickle": "looks like a pickle",
    "truncated": "not a zip file|readable",
    "corrupted": "readable skfashion file",
    "empty": "not a zip file",
    "unknown class": "'os.system' is not on skfashion.io's allow-list",
    "class not allowed": "LogisticRegression' is not on skfashion.io's allow-list",
    "lambda layer": "Keras refused to load the network safely.*Lambda",
    "newer format": "format version 2, newer",
    "unknown parameter": "bad parameter.*'predict_proba'",
    "not skfashion's": "is not skfashion's",
    "extra member": "unexpected members",
}


@pytest.mark.parametrize("case", sorted(TAMPER_MESSAGES))
def test_load_refuses_tampered_files(case, fitted, tmp_path):
    data = _tampered(fitted, tmp_path)[case]
    with pytest.raises(ValueError, match=TAMPER_MESSAGES[case]):
        load(io.BytesIO(data))
    assert not (tmp_path / "pwned").exists()


@settings(
    max_examples=40, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)  # fmt: skip
@given(st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)),
                min_size=1, max_size=3))  # fmt: skip
def test_flipped_bytes_give_a_clear_error_or_the_same_model(fitted, data, flips):
    X, _ = data
    saved = bytearray(_saved(fitted["ann"]))
    for where, mask in flips:
        saved[int(where * len(saved))] ^= mask
    try:
        restored = load(io.BytesIO(bytes(saved)))
    except (ValueError, TypeError):
        return
    assert_same_fit(fitted["ann"], restored, X)
    assert_array_equal(restored.predict_proba(X), fitted["ann"].predict_proba(X))


# ------------------------------------------------ saving never destroys a file

_FAIL_PARTWAY = """
import io, resource, signal, sys
from skfashion import ANNClassifier
from skfashion.io import dump

est = ANNClassifier(hidden_layer_sizes=(8,))
buffer = io.BytesIO()
dump(est, buffer)
size = len(buffer.getvalue())
# A real short write: the kernel stops every file at size // 2 bytes, and
# write() then fails with EFBIG, as it fails with ENOSPC on a full disk.
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (size // 2, resource.RLIM_INFINITY))
try:
    dump(est, sys.argv[1])
except OSError as exc:
    print("errno", exc.errno)
"""


def _folder_state(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_write_that_fails_partway_leaves_the_old_file(fitted, data, tmp_path):
    path = tmp_path / "model.skf"
    dump(fitted["ann"], path)
    before = _folder_state(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", _FAIL_PARTWAY, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.stdout.split() == ["errno", "27"], result.stderr[-2000:]
    assert _folder_state(tmp_path) == before  # no partial file, no leftovers
    assert_array_equal(load(path).predict(data[0]), fitted["ann"].predict(data[0]))


def test_an_interrupted_write_leaves_the_old_file(fitted, tmp_path, monkeypatch):
    path = tmp_path / "model.skf"
    dump(fitted["ann"], path)
    before = _folder_state(tmp_path)

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr("skfashion._files.os.fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        dump(fitted["cnn"], path)
    monkeypatch.undo()
    assert _folder_state(tmp_path) == before
    assert type(load(path)) is ANNClassifier


def test_dump_gives_the_permissions_write_bytes_gives(fitted, tmp_path):
    reference = tmp_path / "reference"
    reference.write_bytes(b"")
    dump(fitted["ann"], tmp_path / "new.skf")
    assert (tmp_path / "new.skf").stat().st_mode == reference.stat().st_mode
    private = tmp_path / "private.skf"
    private.write_bytes(b"")
    private.chmod(0o600)
    dump(fitted["ann"], private)
    assert private.stat().st_mode & 0o777 == 0o600
