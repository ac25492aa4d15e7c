"""EmbeddingDisplay and OcclusionDisplay draw where they are told."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from skfashion import ANNClassifier  # noqa: E402
from skfashion.reporting import EmbeddingDisplay, OcclusionDisplay  # noqa: E402

NAMES = [f"digit {d}" for d in range(10)]


@pytest.fixture(scope="module")
def ann(digits):
    X, y, _ = digits
    return ANNClassifier(hidden_layer_sizes=(16,), epochs=5, random_state=0).fit(X, y)


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_embedding_display(method, ann, digits):
    X, y, _ = digits
    fig, ax = plt.subplots()
    display = EmbeddingDisplay.from_estimator(
        ann, X[:150], y[:150], method=method, target_names=NAMES, ax=ax
    )
    assert display.ax_ is ax and display.figure_ is fig
    assert display.embedding.shape == (150, 2)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [NAMES[c] for c in np.unique(y[:150])]
    with pytest.raises(ValueError, match='"pca" or "tsne"'):
        EmbeddingDisplay.from_estimator(ann, X, y, method="umap")


def test_occlusion_display_with_any_classifier(ann, digits):
    X, y, images = digits
    mlp = MLPClassifier((16,), max_iter=200, random_state=0).fit(X, y)
    for estimator in (ann, mlp):
        fig, axes = plt.subplots(1, 2)
        display = OcclusionDisplay.from_estimator(
            estimator, images[:2], patch_size=2, stride=1, target_names=NAMES,
            axes=axes,
        )  # fmt: skip
        assert display.figure_ is fig and list(display.ax_) == list(axes)
        assert display.heatmaps.shape == (2, 8, 8)
        proba = estimator.predict_proba(X[:2])
        assert np.allclose(display.probabilities, proba.max(axis=1))
        title = axes[0].get_title()
        assert title.startswith(NAMES[proba[0].argmax()]) and "(" in title
        # Covering every pixel with the background changes the prediction
        # somewhere: the map is not flat.
        assert np.ptp(display.heatmaps[0]) > 0


def test_occlusion_of_a_drawn_region_matters(digits):
    # A classifier that looks only at the top-left pixel: covering any
    # patch that holds it lowers the probability; the others change nothing.
    _, _, images = digits

    class TopLeft:
        classes_ = np.array([0, 1])

        def predict_proba(self, X):
            p = np.where(np.asarray(X)[:, 0] > 0, 0.9, 0.1)
            return np.column_stack([1 - p, p])

    bright = images[:1].copy()
    bright[0, 0, 0] = 1.0
    display = OcclusionDisplay.from_estimator(TopLeft(), bright, patch_size=2)
    heat = display.heatmaps[0]
    assert heat[0, 0] > 0 and heat[7, 7] == 0
    assert display.labels[0] == 1


def test_occlusion_errors(ann, digits):
    X, _, images = digits
    with pytest.raises(ValueError, match="patch_size"):
        OcclusionDisplay.from_estimator(ann, images[:1], patch_size=9)
    with pytest.raises(ValueError, match="square grayscale"):
        OcclusionDisplay.from_estimator(ann, X[:1, :10])
    with pytest.raises(ValueError, match="one per image"):
        OcclusionDisplay.from_estimator(ann, images[:2], axes=[plt.gca()])
