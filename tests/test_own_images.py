"""Images of any size and colour, end to end: real images that need no
download (scikit-learn's 8x8 digits, and folders of them that Pillow writes
in several formats and sizes), loaded, fitted on uint8 pixels with
``rescale``, averaged with their mirror images, embedded, drawn, saved
(skfashion.io, skops) and exported to ONNX with parity."""

import numpy as np
import onnxruntime as ort
import pytest
import skops.io as sio
from numpy.testing import assert_allclose, assert_array_equal
from PIL import Image
from skl2onnx import to_onnx
from sklearn.datasets import load_digits

import skfashion.onnx  # noqa: F401 (registers the converters)
from skfashion import CNNClassifier, EmbeddingTransformer
from skfashion.datasets import load_image_folder
from skfashion.io import dump, load, skops_trusted_types
from skfashion.reporting import FeatureMapsDisplay, OcclusionDisplay

FORMATS = [("png", {}), ("jpeg", {"quality": 95}), ("bmp", {}), ("webp", {})]
N = 240


def _digits():
    bunch = load_digits()
    pixels = (bunch.images[:N] * 16).clip(0, 255).astype(np.uint8)
    return pixels, bunch.target[:N]


def _write_folder(root, size, colour):
    """The digits, upscaled to ``size`` (w, h) and tinted, in four formats; a
    few files twice as large, which image_size brings back to ``size``."""
    pixels, target = _digits()
    tint = np.array([1.0, 0.6, 0.3])
    for i, (array, label) in enumerate(zip(pixels, target)):
        image = Image.fromarray(array).resize(
            size if i % 7 else (2 * size[0], 2 * size[1])
        )
        if colour:
            rgb = np.asarray(image)[..., None] * tint
            image = Image.fromarray(rgb.astype(np.uint8))
        fmt, options = FORMATS[i % len(FORMATS)]
        path = root / f"class_{label}" / f"{i:03d}.{fmt}"
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, **options)
    return root


CASES = {
    # name: (how to get (images, target), CNN parameters)
    "digits 8x8 grayscale": ("digits", {"filters": (8,)}),
    "folder 40x24 RGB": (((40, 24), True), {"filters": (6, 8)}),
    "folder 96x96 grayscale": (((96, 96), False), {"filters": (4, 4, 4)}),
}


@pytest.fixture(scope="module", params=sorted(CASES))
def case(request, tmp_path_factory):
    source, params = CASES[request.param]
    if source == "digits":
        images, target = _digits()
        names = np.asarray([str(c) for c in range(10)])
    else:
        size, colour = source
        root = _write_folder(tmp_path_factory.mktemp("images"), size, colour)
        bunch = load_image_folder(
            root,
            image_size=(size[1], size[0]),
            color_mode="rgb" if colour else "grayscale",
        )
        assert bunch.images.shape[1:3] == (size[1], size[0])
        # The files come class by class: shuffle before splitting.
        order = np.random.default_rng(0).permutation(len(bunch.target))
        images, target = bunch.images[order], bunch.target[order]
        names = bunch.target_names
    cnn = CNNClassifier(
        **params, hidden_layer_sizes=(16,), epochs=4, batch_size=32,
        learning_rate_init=0.005, rescale=1 / 255, random_state=0,
    )  # fmt: skip
    cnn.fit(images[:200], target[:200])
    return request.param, images, target, names, cnn


def test_fit_predict_and_flip_averaging(case):
    _, images, target, names, cnn = case
    assert images.dtype == np.uint8
    assert cnn.image_shape_ == (*images.shape[1:3], 1 if images.ndim == 3 else 3)
    assert cnn._flips_at_prediction()  # the "light" preset flips
    proba = cnn.predict_proba(images[200:])
    assert proba.shape == (40, 10)
    assert_allclose(proba.sum(axis=1), 1)
    # The flip averaging is the mean of the image's and its mirror's.
    single = cnn.set_params(test_time_augmentation=None).predict_proba(images[200:])
    mirror = cnn.predict_proba(np.ascontiguousarray(images[200:, :, ::-1]))
    cnn.set_params(test_time_augmentation="auto")
    expected = (single + mirror) / 2
    assert_allclose(proba, expected / expected.sum(axis=1, keepdims=True), atol=1e-6)
    # A fitted model refuses images of another size, by name.
    other = np.zeros((2, images.shape[1] + 1, *images.shape[2:]), np.uint8)
    with pytest.raises(ValueError, match="fitted on images of shape"):
        cnn.predict(other)


def test_embeddings_and_displays(case):
    _, images, target, _, cnn = case
    emb = EmbeddingTransformer(cnn).fit(images[:10], target[:10])
    assert emb.transform(images[:5]).shape == (5, 16)
    patch = max(2, images.shape[1] // 8)
    OcclusionDisplay.from_estimator(cnn, images[:2], patch_size=patch, stride=patch)
    display = FeatureMapsDisplay.from_estimator(cnn, images[0], max_maps=2)
    assert display.figure_ is not None


def test_saving_and_export(case, tmp_path):
    name, images, _, _, cnn = case
    X = images[200:]
    dump(cnn, tmp_path / "cnn.skf")
    assert_array_equal(
        load(tmp_path / "cnn.skf").predict_proba(X), cnn.predict_proba(X)
    )
    data = sio.dumps(cnn)
    untrusted = sio.get_untrusted_types(data=data)
    assert set(untrusted) <= set(skops_trusted_types())
    loaded = sio.loads(data, trusted=untrusted)
    assert_array_equal(loaded.predict_proba(X), cnn.predict_proba(X))
    # ONNX takes float32 pixels (0-255: the graph scales them as rescale does).
    rows = X.reshape(len(X), -1).astype(np.float32)
    onx = to_onnx(cnn, rows[:1], options={"zipmap": False})
    session = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    labels, proba = session.run(None, {session.get_inputs()[0].name: rows})
    assert_allclose(proba, cnn.predict_proba(X), rtol=0, atol=1e-5)
    assert_array_equal(labels, cnn.predict(X))
