"""Tests for ImagePreprocessor."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.utils._param_validation import InvalidParameterError

from skfashion import ImagePreprocessor

RAW = np.arange(2 * 16, dtype=np.uint8).reshape(2, 16) * 8


def test_default_scales_to_unit_float32():
    out = ImagePreprocessor().fit_transform(RAW)
    assert out.dtype == np.float32 and out.shape == RAW.shape
    assert_allclose(out, RAW / 255.0, rtol=1e-6)
    assert RAW.dtype == np.uint8  # input untouched


def test_stateless_transform_without_fit():
    assert_allclose(ImagePreprocessor().transform(RAW), RAW / 255.0, rtol=1e-6)


@pytest.mark.parametrize(
    "input_range, feature_range, dtype",
    [((0, 255), (-1.0, 1.0), "float32"), ((0, 16), (0.0, 1.0), "float64")],
)
def test_configurable_ranges_and_inverse(input_range, feature_range, dtype):
    (a, b), (c, d) = input_range, feature_range
    pre = ImagePreprocessor(
        input_range=input_range, feature_range=feature_range, dtype=dtype
    )
    out = pre.fit_transform(RAW)
    assert out.dtype == np.dtype(dtype)
    assert_allclose(out, (RAW - a) / (b - a) * (d - c) + c, rtol=1e-6, atol=1e-6)
    assert_allclose(pre.inverse_transform(out), RAW, rtol=1e-5, atol=1e-4)


def test_flat_to_image_and_back():
    pre = ImagePreprocessor(output="image").fit(RAW)
    images = pre.transform(RAW)
    assert images.shape == (2, 4, 4, 1)
    assert_allclose(images[1, 0, :, 0], RAW[1, :4] / 255.0, rtol=1e-6)
    back = pre.inverse_transform(images)
    assert back.shape == RAW.shape
    assert_allclose(back, RAW, atol=1e-4)
    rect = ImagePreprocessor(output="image", image_shape=(2, 8)).fit_transform(RAW)
    assert rect.shape == (2, 2, 8, 1)


def test_images_in_flat_out():
    images = RAW.reshape(2, 4, 4)
    pre = ImagePreprocessor()
    out = pre.fit_transform(images)
    assert out.shape == (2, 16)
    assert pre.n_features_in_ == 16
    assert ImagePreprocessor(output="image").fit_transform(images).shape == (
        2,
        4,
        4,
        1,
    )
    rgb = np.zeros((3, 5, 5, 3), dtype=np.uint8)
    assert ImagePreprocessor(output="image").fit_transform(rgb).shape == rgb.shape


def test_feature_names_and_set_output():
    columns = [f"p{i}" for i in range(16)]
    df = pd.DataFrame(RAW, columns=columns)
    pre = ImagePreprocessor().fit(df)
    assert_array_equal(pre.get_feature_names_out(), columns)
    out = pre.set_output(transform="pandas").transform(df)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == columns
    assert_array_equal(
        ImagePreprocessor().fit(RAW).get_feature_names_out()[:2], ["x0", "x1"]
    )
    image_pre = ImagePreprocessor(output="image").fit(RAW)
    with pytest.raises(ValueError, match='only defined for output="flat"'):
        image_pre.get_feature_names_out()
    with pytest.raises(ValueError, match="set_output needs 2-D output"):
        image_pre.set_output(transform="pandas").transform(RAW)


@pytest.mark.parametrize(
    "params, X, error, match",
    [
        ({"input_range": (255, 0)}, RAW, ValueError, "min < max"),
        ({"output": "picture"}, RAW, InvalidParameterError, "'output'"),
        ({"output": "image"}, RAW[:, :15], ValueError, "image shape from 15"),
        ({"output": "image", "image_shape": (3, 3)}, RAW, ValueError, "holds 9 values"),
        ({}, np.full((2, 4), np.nan), ValueError, "NaN"),
    ],
)
def test_errors(params, X, error, match):
    with pytest.raises(error, match=match):
        ImagePreprocessor(**params).fit(X).transform(X)


def test_in_pipeline_and_clone():
    pre = ImagePreprocessor(feature_range=(-1.0, 1.0))
    assert clone(pre).get_params() == pre.get_params()
    pipe = make_pipeline(pre, ImagePreprocessor(input_range=(-1, 1)))
    assert_allclose(pipe.fit_transform(RAW), RAW / 255.0, rtol=1e-5, atol=1e-6)
