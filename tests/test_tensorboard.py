"""TensorBoard reads what skfashion writes: a real server on 127.0.0.1.

One log folder holds what a user writes: the Keras TensorBoard callback's
runs ("train", "validation") and, at its root, the projector files of
:func:`skfashion.reporting.write_projector`. The tests read them back
through the server's plugin routes, as TensorBoard's own pages do.
"""

import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import keras
import numpy as np
import pytest
from matplotlib.image import imread
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skfashion import (
    ANNClassifier,
    CNNClassifier,
    EmbeddingTransformer,
    ImagePreprocessor,
)
from skfashion.reporting import write_projector

pytest.importorskip("tensorboard")

NAMES = [f"digit {i}" for i in range(10)]
N_PROJECTED = 150
EPOCHS = 2


@pytest.fixture(scope="module")
def logs(digits, tmp_path_factory):
    """A CNN trained with histograms on, its projector written beside them."""
    X, y, images = digits
    log_dir = tmp_path_factory.mktemp("tensorboard")
    board = keras.callbacks.TensorBoard(str(log_dir), histogram_freq=1)
    cnn = CNNClassifier(
        filters=(4,),
        hidden_layer_sizes=(16,),
        epochs=EPOCHS,
        early_stopping=True,
        callbacks=[board],
        random_state=0,
    ).fit(images, y)
    write_projector(
        cnn, images[:N_PROJECTED], log_dir, y=y[:N_PROJECTED], target_names=NAMES
    )
    expected = EmbeddingTransformer(FrozenEstimator(cnn)).fit(X, y)
    return log_dir, cnn, expected.transform(images[:N_PROJECTED])


@pytest.fixture(scope="module")
def server(logs, tmp_path_factory):
    """The base URL of ``tensorboard --logdir`` on a free local port."""
    log_dir = logs[0]
    err = tmp_path_factory.mktemp("server") / "stderr.txt"
    with open(err, "w") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tensorboard.main",
                "--logdir",
                str(log_dir),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
    try:
        deadline = time.monotonic() + 180
        url = None
        while url is None:
            found = re.search(
                r"TensorBoard \S+ at (http://127\.0\.0\.1:\d+/)", err.read_text()
            )
            if found:
                url = found.group(1)
            elif process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("TensorBoard did not start:\n" + err.read_text()[-3000:])
            else:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def _get(server, route, **query):
    url = (
        server
        + route.lstrip("/")
        + ("?" + urllib.parse.urlencode(query) if query else "")
    )
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def _json(server, route, **query):
    return json.loads(_get(server, route, **query))


PROJECTOR = "data/plugin/projector"


def test_projector_tensor_is_the_last_hidden_layer(server, logs):
    _, _, expected = logs
    assert "." in _json(server, f"{PROJECTOR}/runs")
    (info,) = _json(server, f"{PROJECTOR}/info", run=".")["embeddings"]
    assert info["tensorShape"] == [N_PROJECTED, 16]
    raw = _get(server, f"{PROJECTOR}/tensor", run=".", name=info["tensorName"])
    tensor = np.frombuffer(raw, dtype=np.float32).reshape(N_PROJECTED, 16)
    np.testing.assert_array_equal(tensor, expected)


def test_projector_metadata_names_each_class(server, logs, digits):
    _, cnn, _ = logs
    _, y, images = digits
    (info,) = _json(server, f"{PROJECTOR}/info", run=".")["embeddings"]
    text = _get(server, f"{PROJECTOR}/metadata", run=".", name=info["tensorName"])
    header, *rows = text.decode().splitlines()
    assert header.split("\t") == ["class", "predicted"]
    assert len(rows) == N_PROJECTED
    assert [row.split("\t")[0] for row in rows] == [NAMES[c] for c in y[:N_PROJECTED]]
    predicted = cnn.predict(images[:N_PROJECTED])
    assert [row.split("\t")[1] for row in rows] == [NAMES[c] for c in predicted]


def test_projector_sprite_is_a_png_of_thumbnails(server, logs):
    (info,) = _json(server, f"{PROJECTOR}/info", run=".")["embeddings"]
    assert info["sprite"]["singleImageDim"] == [8, 8]
    png = _get(server, f"{PROJECTOR}/sprite_image", run=".", name=info["tensorName"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    side = int(np.ceil(np.sqrt(N_PROJECTED)))
    assert imread(io.BytesIO(png)).shape[:2] == (side * 8, side * 8)


def test_weight_histograms_of_every_epoch(server, logs):
    _, cnn, _ = logs
    tags = _json(server, "data/plugin/histograms/tags")
    assert set(tags) == {"train"}  # Keras writes weights with the training run
    kernels = [
        layer.name
        for layer in cnn.model_.layers
        if any(w.name == "kernel" for w in layer.weights)
    ]
    assert kernels  # the convolution and the dense layers
    for name in kernels:
        tag = f"{name}/kernel/histogram"
        assert tag in tags["train"], sorted(tags["train"])
        series = _json(
            server, "data/plugin/histograms/histograms", run="train", tag=tag
        )
        assert [step for _, step, _ in series] == list(range(EPOCHS))
        buckets = series[-1][2]
        counts = sum(count for _, _, count in buckets)
        assert counts == np.prod(cnn.model_.get_layer(name).kernel.shape)


# ------------------------------------------------------------ write_projector


@pytest.fixture(scope="module")
def ann(digits):
    X, y, _ = digits
    return ANNClassifier(hidden_layer_sizes=(8,), epochs=1, random_state=0).fit(X, y)


def test_write_projector_takes_pipelines_and_flat_rows(digits, tmp_path):
    X, y, _ = digits
    raw = (X * 255).astype(np.uint8)
    pipe = make_pipeline(
        ImagePreprocessor(),
        ANNClassifier(hidden_layer_sizes=(8,), epochs=1, random_state=0),
    ).fit(raw, y)
    config = write_projector(pipe, raw[:20], tmp_path / "new")
    assert config == tmp_path / "new" / "projector_config.pbtxt"
    tensor = np.loadtxt(tmp_path / "new" / "embeddings.tsv", dtype=np.float32)
    expected = (
        EmbeddingTransformer(FrozenEstimator(pipe)).fit(raw, y).transform(raw[:20])
    )
    np.testing.assert_array_equal(tensor, expected)
    # Without y, one column of predicted classes, with no header.
    rows = (tmp_path / "new" / "metadata.tsv").read_text().splitlines()
    assert rows == [str(c) for c in pipe.predict(raw[:20])]
    assert (tmp_path / "new" / "sprite.png").is_file()


def test_write_projector_without_sprite_removes_a_stale_one(ann, digits, tmp_path):
    X, y, _ = digits
    write_projector(ann, X[:10], tmp_path, y=y[:10])
    write_projector(ann, X[:10], tmp_path, y=y[:10], sprite=False)
    assert not (tmp_path / "sprite.png").exists()
    assert "sprite" not in (tmp_path / "projector_config.pbtxt").read_text()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(y=np.zeros(3)), ValueError, r"one label per sample of X \(10\)"),
        (
            dict(y=np.array(["a"] * 10), target_names=NAMES),
            ValueError,
            "integer labels",
        ),
        (dict(y=np.full(10, 12), target_names=NAMES), ValueError, "0 to 9"),
        (dict(y=np.zeros(10, int), target_names=["a\tb"] * 10), ValueError, "tabs"),
        (dict(sprite="yes"), ValueError, "sprite"),
    ],
)
def test_write_projector_rejects_bad_input(ann, digits, tmp_path, kwargs, error, match):
    X, _, _ = digits
    with pytest.raises(error, match=match):
        write_projector(ann, X[:10], tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()  # nothing written


def test_write_projector_needs_a_fitted_skfashion_network(digits, tmp_path):
    X, y, _ = digits
    with pytest.raises(NotFittedError):
        write_projector(ANNClassifier(), X[:10], tmp_path)
    with pytest.raises(TypeError, match="skfashion classifier"):
        write_projector(LogisticRegression().fit(X, y), X[:10], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_write_projector_sprite_needs_images(digits, tmp_path):
    X, y, _ = digits
    ann = ANNClassifier(hidden_layer_sizes=(4,), epochs=1, random_state=0)
    ann.fit(X[:, :10], y)  # 10 features: not a square image
    with pytest.raises(ValueError, match="sprite=False"):
        write_projector(ann, X[:5, :10], tmp_path)
    assert not (tmp_path / "embeddings.tsv").exists()
    write_projector(ann, X[:5, :10], tmp_path, sprite=False)
    assert (tmp_path / "embeddings.tsv").is_file()


def test_learning_curves_of_both_runs(server):
    tags = _json(server, "data/plugin/scalars/tags")
    for run in ("train", "validation"):
        assert "epoch_loss" in tags[run], tags
        series = _json(
            server, "data/plugin/scalars/scalars", run=run, tag="epoch_accuracy"
        )
        assert [step for _, step, _ in series] == list(range(EPOCHS))


def test_write_projector_without_tensorboard_says_what_to_install(
    ann, digits, tmp_path, monkeypatch
):
    X, _, _ = digits
    monkeypatch.setitem(sys.modules, "tensorboard.plugins.projector", None)
    with pytest.raises(ImportError, match=r"pip install tensorboard"):
        write_projector(ann, X[:5], tmp_path)
    assert list(tmp_path.iterdir()) == []
