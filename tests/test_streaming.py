"""Fits and predictions read X a batch at a time, never a float copy of X.

A forward pass holds ``predict__batch_size`` rows at a time (set below the
size of X here, so that a whole copy would show).

NumPy reports its allocations to tracemalloc, so the largest array a call
allocates shows in tracemalloc's peak; a float32 copy of X (what
``validate_data(dtype=float32)`` made before) would be 4 times X's uint8 size.
"""

import tracemalloc

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skfashion import ANNClassifier, CNNClassifier, EmbeddingTransformer

N, SIDE = 12_000, 28  # a float32 copy: 37.6 MB


@pytest.fixture(scope="module")
def pixels():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, N)
    # Three classes told apart by their mean brightness.
    X = rng.integers(0, 120, (N, SIDE * SIDE)) + 60 * y[:, None]
    return X.astype(np.uint8), y


def _peak_mb(call):
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


SMALL = {
    ANNClassifier: {"hidden_layer_sizes": (8,)},
    CNNClassifier: {"filters": (2,), "hidden_layer_sizes": (4,)},
}


@pytest.mark.parametrize("cls", [ANNClassifier, CNNClassifier])
def test_fit_and_predict_hold_no_float_copy_of_x(cls, pixels, tmp_path):
    X, y = pixels
    path = tmp_path / "X.npy"
    np.save(path, X)
    X_map = np.load(path, mmap_mode="r")  # a read-only memmap, as a user has
    float_copy_mb = X.size * 4 / 1e6
    est = cls(
        epochs=1, batch_size=256, rescale=1 / 255, random_state=0,
        predict__batch_size=500, **SMALL[cls],
    )  # fmt: skip
    fit_mb = _peak_mb(lambda: est.fit(X_map, y))
    proba = []
    predict_mb = _peak_mb(lambda: proba.append(est.predict_proba(X_map)))
    assert fit_mb < float_copy_mb / 2, (fit_mb, float_copy_mb)
    assert predict_mb < float_copy_mb / 2, (predict_mb, float_copy_mb)
    assert est.n_iter_ == 1 and proba[0].shape == (N, 3)
    # The same bytes in memory give the same network.
    in_memory = cls(**est.get_params()).fit(X, y)
    assert_array_equal(in_memory.predict_proba(X), proba[0])


def test_images_with_flip_averaging_stream_too(pixels):
    X, y = pixels
    images = X.reshape(N, SIDE, SIDE)
    cnn = CNNClassifier(
        epochs=1,
        rescale=1 / 255,
        random_state=0,
        predict__batch_size=500,
        **SMALL[CNNClassifier],
    ).fit(images[:2000], y[:2000])
    assert cnn._flips_at_prediction()
    assert _peak_mb(lambda: cnn.predict_proba(images)) < X.size * 4 / 1e6 / 2


def test_embeddings_stream(pixels):
    X, y = pixels
    ann = ANNClassifier(
        epochs=1,
        rescale=1 / 255,
        random_state=0,
        predict__batch_size=1000,
        **SMALL[ANNClassifier],
    )
    ann.fit(X[:2000], y[:2000])
    emb = EmbeddingTransformer(ann)
    emb.fit(X[:10], y[:10])
    out = []
    assert _peak_mb(lambda: out.append(emb.transform(X))) < X.size * 4 / 1e6 / 2
    assert out[0].shape == (N, 8)


@pytest.mark.parametrize("cls", [ANNClassifier, CNNClassifier])
def test_rescale_inside_the_network_is_the_scaled_input(cls, pixels):
    X, y = pixels
    X, y = X[:1500], y[:1500]
    params = {"epochs": 2, "random_state": 0, **SMALL[cls]}
    inside = cls(rescale=1 / 255, **params).fit(X, y)
    outside = cls(**params).fit((X / 255).astype(np.float32), y)
    assert inside.model_.get_layer("rescale") is not None
    assert_allclose(
        inside.predict_proba(X),
        outside.predict_proba((X / 255).astype(np.float32)),
        atol=1e-4,
    )


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float16, np.float64])
def test_any_numeric_dtype_is_converted_a_batch_at_a_time(dtype, pixels):
    X, y = pixels
    X, y = X[:600].astype(dtype), y[:600]
    params = {"epochs": 1, "random_state": 0, **SMALL[ANNClassifier]}
    a = ANNClassifier(rescale=1 / 255, **params).fit(X, y)
    b = ANNClassifier(rescale=1 / 255, **params).fit(X.astype(np.float32), y)
    assert_array_equal(a.predict_proba(X), b.predict_proba(X.astype(np.float32)))
