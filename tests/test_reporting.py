"""Tests for skfashion.reporting: tables and headless plots."""

import warnings

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from numpy.testing import assert_allclose, assert_array_equal  # noqa: E402
from sklearn.metrics import ConfusionMatrixDisplay  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skfashion import ANNClassifier, CNNClassifier, ImagePreprocessor  # noqa: E402
from skfashion.reporting import (  # noqa: E402
    CVResultsDisplay,
    FeatureMapsDisplay,
    PredictionGridDisplay,
    TrainingHistoryDisplay,
    class_report,
    cv_results_to_frame,
    format_cv_results,
)

NAMES = np.array([f"digit {d}" for d in range(10)])


@pytest.fixture(scope="module")
def search(digits):
    X, y, _ = digits
    raw = (X * 16).round().astype(np.uint8)
    pipe = make_pipeline(
        ImagePreprocessor(input_range=(0, 16)),
        # At most 24 steps a fit: the fits run eagerly, without tracing.
        ANNClassifier(epochs=3, batch_size=256, random_state=0),
    )
    grid = {
        "annclassifier__hidden_layer_sizes": [(8,), (32, 16)],
        "annclassifier__optimizer": ["adam", "sgd"],
        "annclassifier__epochs": [2, 4],
    }
    return GridSearchCV(pipe, grid, cv=3, return_train_score=True).fit(raw, y)


@pytest.fixture(scope="module")
def cnn(digits):
    X, y, _ = digits
    # float32 on every machine: a test compares its activations with Keras'.
    cnn = CNNClassifier(
        filters=(4, 6), epochs=2, batch_size=64, random_state=0, dtype_policy="float32"
    )
    return cnn.fit(X, y)


def test_cv_results_to_frame(search):
    frame = cv_results_to_frame(search)
    results = search.cv_results_
    assert list(frame.columns) == [
        "epochs", "hidden_layer_sizes", "optimizer",
        "mean_test_score", "std_test_score", "mean_train_score",
        "std_train_score", "mean_fit_time", "rank_test_score",
    ]  # fmt: skip
    assert len(frame) == 8 and frame.index.name == "candidate"
    assert frame["rank_test_score"].is_monotonic_increasing
    for candidate, row in frame.iterrows():
        params = results["params"][candidate]
        assert row["hidden_layer_sizes"] == params["annclassifier__hidden_layer_sizes"]
        assert row["optimizer"] == params["annclassifier__optimizer"]
        for key in ("mean_test_score", "std_test_score", "mean_train_score"):
            assert row[key] == results[key][candidate]
    assert frame.index[0] == search.best_index_
    assert isinstance(frame["hidden_layer_sizes"].iloc[0], tuple)
    long = cv_results_to_frame(search.cv_results_, short_names=False)
    assert "annclassifier__optimizer" in long.columns


def test_cv_results_to_frame_errors_and_multimetric(digits):
    X, y, _ = digits
    with pytest.raises(TypeError, match="fitted search"):
        cv_results_to_frame(ANNClassifier())
    search = GridSearchCV(
        ANNClassifier(hidden_layer_sizes=(8,), epochs=1, random_state=0),
        {"optimizer": ["adam", "sgd"]},
        scoring=["accuracy", "f1_macro"],
        refit="accuracy",
        cv=2,
    ).fit(X, y)
    with pytest.raises(ValueError, match="pass scoring"):
        cv_results_to_frame(search)
    frame = cv_results_to_frame(search, scoring="f1_macro")
    assert "mean_test_f1_macro" in frame and "rank_test_f1_macro" in frame
    with pytest.raises(ValueError, match="available"):
        cv_results_to_frame(search, scoring="recall")


def test_format_cv_results(search):
    text = format_cv_results(search, max_rows=3)
    lines = text.splitlines()
    assert len(lines) == 1 + 1 + 3  # header, index name, three rows
    assert "hidden_layer_sizes" in lines[0] and "mean_test_score" in lines[0]
    best = cv_results_to_frame(search).iloc[0]
    assert f"{best['mean_test_score']:.4f}" in lines[2]
    assert str(best["hidden_layer_sizes"]) in lines[2]


def test_class_report(search, digits):
    X, y, _ = digits
    raw = (X * 16).round().astype(np.uint8)
    text = class_report(search.best_estimator_, raw, y, target_names=NAMES)
    assert "digit 7" in text and "macro avg" in text
    report = class_report(search.best_estimator_, raw, y, output_dict=True)
    assert set(report) >= {str(d) for d in range(10)}
    assert report["accuracy"] == pytest.approx(search.best_estimator_.score(raw, y))
    with pytest.raises(ValueError, match="target_names has 3 names"):
        class_report(search.best_estimator_, raw, y, target_names=NAMES[:3])


def test_cv_results_display_line(search):
    display = CVResultsDisplay.from_cv_results(
        search, x="hidden_layer_sizes", hue="optimizer"
    )
    ax = display.ax_
    assert display.figure_ is ax.figure
    assert ax.get_xlabel() == "hidden_layer_sizes"
    assert ax.get_ylabel() == "mean test score (CV)"
    assert ax.get_title() == "Cross-validation results"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["(8,)", "(32, 16)"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["adam", "sgd"]
    assert ax.get_legend().get_title().get_text() == "optimizer"
    # Each point is the best candidate over the other parameter (epochs).
    frame = cv_results_to_frame(search)
    best = frame[(frame.optimizer == "adam") & (frame.hidden_layer_sizes == (8,))]
    assert_allclose(ax.lines[0].get_ydata()[0], best["mean_test_score"].max())
    train = CVResultsDisplay.from_cv_results(search, x="epochs", score="train")
    assert train.ax_.get_ylabel() == "mean train score (CV)"


def test_cv_results_display_heatmap(search):
    display = CVResultsDisplay.from_cv_results(
        search, x="epochs", hue="hidden_layer_sizes", kind="heatmap"
    )
    ax = display.ax_
    assert ax.get_xlabel() == "epochs" and ax.get_ylabel() == "hidden_layer_sizes"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2", "4"]
    assert len(ax.texts) == 4  # one annotation per cell
    assert len(display.figure_.axes) == 2  # with a colorbar


def test_cv_results_display_errors(search):
    with pytest.raises(ValueError, match="not a parameter"):
        CVResultsDisplay.from_cv_results(search, x="learning_rate")
    with pytest.raises(ValueError, match="needs a second parameter"):
        CVResultsDisplay.from_cv_results(search, x="epochs", kind="heatmap")
    frame = cv_results_to_frame(search).drop(columns="mean_train_score")
    with pytest.raises(ValueError, match="return_train_score"):
        CVResultsDisplay.from_cv_results(frame, x="epochs", score="train")


def test_training_history_display(digits):
    X, y, _ = digits
    est = ANNClassifier(
        hidden_layer_sizes=(8,), epochs=4, early_stopping=True, random_state=0
    ).fit(X, y)
    display = TrainingHistoryDisplay.from_estimator(est)
    loss_ax, acc_ax = display.axes_
    assert loss_ax.get_title() == "Loss" and acc_ax.get_title() == "Accuracy"
    assert loss_ax.get_xlabel() == "epoch"
    assert [line.get_label() for line in loss_ax.lines] == ["training", "validation"]
    assert_allclose(loss_ax.lines[0].get_ydata(), est.loss_curve_)
    assert_allclose(acc_ax.lines[1].get_ydata(), est.validation_scores_)
    assert display.figure_._suptitle.get_text() == "ANNClassifier training history"
    with pytest.raises(ValueError, match="has no history_"):
        TrainingHistoryDisplay.from_estimator(ImagePreprocessor())


@pytest.mark.parametrize("select", ["first", "errors", "confident_errors"])
def test_prediction_grid_display(search, digits, select):
    X, y, images = digits
    raw = (X * 16).round().astype(np.uint8)
    model = search.best_estimator_
    display = PredictionGridDisplay.from_estimator(
        model, raw, y, images=images, target_names=NAMES, n_images=6, select=select
    )
    assert display.axes_.shape == (2, 3)
    y_pred = model.predict(raw)
    wrong = np.flatnonzero(y_pred != y)
    titles = [ax.get_title() for ax in display.axes_.flat]
    if select == "first":
        assert titles[0].endswith(f"true: digit {y[0]}")
        assert titles[0].startswith(f"digit {y_pred[0]} (")
    else:
        assert all(np.asarray(display.y_pred) != np.asarray(display.y_true))
        assert display.axes_.flat[0].title.get_color() == "tab:red"
        if select == "errors":
            assert_array_equal(display.y_true, y[wrong[:6]])
        else:
            assert np.all(np.diff(display.confidence) <= 0)
            proba = model.predict_proba(raw)[wrong].max(axis=1)
            assert display.confidence[0] == pytest.approx(proba.max())


def test_prediction_grid_from_flat_rows(fitted_cnn_small):
    X, y, est = fitted_cnn_small
    display = PredictionGridDisplay.from_estimator(est, X, y, n_images=4)
    assert display.images.shape == (4, 8, 8)
    with pytest.raises(ValueError, match="select must be"):
        PredictionGridDisplay.from_estimator(est, X, y, select="worst")


@pytest.fixture(scope="module")
def fitted_cnn_small(digits, cnn):
    X, y, _ = digits
    return X, y, cnn


def test_feature_maps_display(cnn, digits):
    X, _, images = digits
    with warnings.catch_warnings():  # e.g. Keras' warning on an input's structure
        warnings.simplefilter("error", UserWarning)
        display = FeatureMapsDisplay.from_estimator(cnn, X[0], max_maps=5)
    assert display.axes_.shape == (2, 6)  # two conv layers, input + 5 maps
    (name0, maps0), (name1, maps1) = display.activations
    assert (name0, name1) == ("conv_0", "conv_1")
    assert maps0.shape == (8, 8, 4) and maps1.shape == (4, 4, 6)
    assert display.axes_[0, 0].get_ylabel() == "conv_0"
    assert not display.axes_[0, 5].axison or maps0.shape[-1] > 4
    same = FeatureMapsDisplay.from_estimator(cnn, images[0])
    assert_allclose(same.activations[0][1], maps0, rtol=1e-5)
    # The same activations as Keras' own predict through the fitted network.
    model = cnn.model_
    probe = keras.Model(model.inputs, model.get_layer("conv_1").output)
    assert_allclose(maps1, probe.predict(X[:1], verbose=0)[0], rtol=1e-5, atol=1e-6)


def test_feature_maps_of_a_bfloat16_network(digits):
    X, y, _ = digits
    cnn = CNNClassifier(
        filters=(3,), epochs=1, random_state=0, dtype_policy="mixed_bfloat16"
    ).fit(X, y)
    display = FeatureMapsDisplay.from_estimator(cnn, X[0])
    ((name, maps),) = display.activations
    assert maps.dtype == np.float32 and maps.shape == (8, 8, 3)
    assert np.isfinite(maps).all()


def test_feature_maps_through_pipeline(digits):
    X, y, _ = digits
    raw = (X * 16).round().astype(np.uint8)
    pipe = make_pipeline(
        ImagePreprocessor(input_range=(0, 16), output="image"),
        CNNClassifier(filters=(3,), epochs=1, random_state=0),
    ).fit(raw, y)
    display = FeatureMapsDisplay.from_estimator(pipe, raw[3])
    assert display.activations[0][1].shape == (8, 8, 3)
    assert_allclose(display.image[..., 0], X[3].reshape(8, 8), atol=1e-6)
    with pytest.raises(ValueError, match="needs a fitted CNNClassifier"):
        FeatureMapsDisplay.from_estimator(ANNClassifier(), raw[0])
    with pytest.raises(ValueError, match="one sample"):
        FeatureMapsDisplay.from_estimator(pipe, raw[:2])


def test_confusion_matrix_with_class_names(search, digits):
    """Confusion matrices reuse scikit-learn's display with our classifiers."""
    X, y, _ = digits
    raw = (X * 16).round().astype(np.uint8)
    display = ConfusionMatrixDisplay.from_estimator(
        search.best_estimator_, raw, y, display_labels=NAMES, xticks_rotation=45
    )
    assert [t.get_text() for t in display.ax_.get_xticklabels()] == list(NAMES)
    assert display.confusion_matrix.sum() == len(y)


def test_frames_are_dataframes(search):
    assert isinstance(cv_results_to_frame(search), pd.DataFrame)


def test_tensorboard_logs_from_an_estimator(digits, tmp_path):
    """Keras' TensorBoard callback writes scalars and weight histograms."""
    import keras
    import tensorflow as tf

    X, y, _ = digits
    board = keras.callbacks.TensorBoard(log_dir=str(tmp_path), histogram_freq=1)
    ANNClassifier(
        hidden_layer_sizes=(8,), epochs=2, early_stopping=True, callbacks=[board],
        random_state=0,
    ).fit(X, y)  # fmt: skip
    tags = {}
    for run in ("train", "validation"):
        files = list((tmp_path / run).glob("events.out.tfevents.*"))
        assert files, f"no {run} event file"
        for record in tf.data.TFRecordDataset([str(f) for f in files]):
            event = tf.compat.v1.Event.FromString(record.numpy())
            for value in event.summary.value:
                kind = value.metadata.plugin_data.plugin_name
                tags.setdefault(run, set()).add((value.tag, kind))
    assert ("epoch_loss", "scalars") in tags["train"]
    assert ("epoch_accuracy", "scalars") in tags["validation"]
    assert any(kind == "histograms" for _, kind in tags["train"])


def test_every_display_draws_on_the_axes_it_is_given(search, cnn, digits):
    X, y, images = digits
    raw = (X * 16).round().astype(np.uint8)
    fig, ax = plt.subplots()
    d = CVResultsDisplay.from_cv_results(search, x="epochs", hue="optimizer", ax=ax)
    assert d.ax_ is ax and d.figure_ is fig
    fig, axes = plt.subplots(1, 2)
    d = TrainingHistoryDisplay.from_estimator(search.best_estimator_, axes=axes)
    assert list(d.ax_) == list(axes) and d.figure_ is fig
    fig, axes = plt.subplots(2, 3)
    d = PredictionGridDisplay.from_estimator(
        search.best_estimator_, raw, y, images=images, n_images=6, axes=axes
    )
    assert d.ax_ is not None and d.figure_ is fig
    assert [a.get_title() != "" for a in axes.flat] == [True] * 6
    with pytest.raises(ValueError, match="at least 6 axes"):
        PredictionGridDisplay.from_estimator(
            search.best_estimator_, raw, y, images=images, n_images=6,
            axes=axes.flat[:2],
        )  # fmt: skip
    fig, axes = plt.subplots(2, 4)
    d = FeatureMapsDisplay.from_estimator(cnn, X[0], max_maps=3, axes=axes)
    assert d.figure_ is fig and d.ax_.shape == (2, 4)
    assert d.ax_[0, 0] is axes[0, 0]


def test_displays_draw_flat_rows_in_the_fitted_image_shape(digits, tmp_path):
    """Flat rows of RGB, non-square images take the classifier's image_shape_:
    every display reads them by one rule (skfashion._image.display_images)."""
    from skfashion.reporting import OcclusionDisplay, write_projector

    X, y, _ = digits
    rng = np.random.default_rng(0)
    images = np.stack([X[:, :60].reshape(-1, 6, 10)] * 3, axis=-1)
    images = images * rng.uniform(0.5, 1.0, size=(1, 1, 1, 3))  # three channels
    cnn = CNNClassifier(
        filters=(4,), hidden_layer_sizes=(8,), epochs=1, augmentation=None,
        random_state=0,
    ).fit(images, y)  # fmt: skip
    assert cnn.image_shape_ == (6, 10, 3)
    flat = images.reshape(len(images), -1)
    grid = PredictionGridDisplay.from_estimator(cnn, flat, y, n_images=4)
    assert grid.images.shape == (4, 6, 10, 3)
    occlusion = OcclusionDisplay.from_estimator(cnn, flat[:2], patch_size=2)
    assert occlusion.images.shape == (2, 6, 10, 3)
    assert occlusion.heatmaps.shape == (2, 6, 10)
    write_projector(cnn, flat[:9], tmp_path, y=y[:9])
    from matplotlib.image import imread

    sprite = imread(tmp_path / "sprite.png")
    assert sprite.shape[:2] == (3 * 6, 3 * 10)  # a 3x3 grid of 6x10 images
