# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""What a network learned: its embeddings in 2-D, and occlusion maps."""

import numpy as np

from skfashion._image import display_images
from skfashion.reporting._names import class_names

__all__ = ["EmbeddingDisplay", "OcclusionDisplay"]


def _name(label, target_names):
    return class_names([label], target_names)[0]


class EmbeddingDisplay:
    """A classifier's last hidden layer projected to 2-D, coloured by class.

    The static counterpart of TensorBoard's embedding projector. Use
    :meth:`from_estimator` to create one.

    Parameters
    ----------
    embedding : ndarray of shape (n_samples, 2)
        The projected embeddings.
    y : ndarray of shape (n_samples,)
        The class of each sample.
    target_names : mapping or sequence, default=None
        Class names indexed by label.
    method : str, default="pca"
        The projection, for the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The axes drawn on.
    figure_ : matplotlib Figure
        Its figure.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skfashion import ANNClassifier
    >>> from skfashion.reporting import EmbeddingDisplay
    >>> digits = load_digits()
    >>> X, y, images = digits.data / 16, digits.target, digits.images / 16
    >>> ann = ANNClassifier(epochs=3, random_state=0).fit(X, y)
    >>> display = EmbeddingDisplay.from_estimator(ann, X, y, method="pca")
    >>> display.embedding.shape
    (1797, 2)
    """

    def __init__(self, embedding, y, *, target_names=None, method="pca"):
        self.embedding = embedding
        self.y = y
        self.target_names = target_names
        self.method = method

    @classmethod
    def from_estimator(cls, estimator, X, y, *, method="pca", target_names=None,
                       random_state=0, ax=None):  # fmt: skip
        """Embed ``X`` with a fitted skfashion classifier and project it.

        Parameters
        ----------
        estimator : fitted ANNClassifier, CNNClassifier or Pipeline ending in one
            The network (it is not refitted).
        X : array-like
            Input to the estimator.
        y : array-like of shape (n_samples,)
            Classes to colour by (usually the true labels).
        method : {"pca", "tsne"}, default="pca"
            scikit-learn's :class:`~sklearn.decomposition.PCA` or
            :class:`~sklearn.manifold.TSNE` (slower, keeps neighbourhoods).
        target_names : mapping or sequence, default=None
            Class names for the legend (e.g. ``bunch.target_names``).
        random_state : int, default=0
            Seed of the projection.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : EmbeddingDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        from sklearn.decomposition import PCA
        from sklearn.frozen import FrozenEstimator
        from sklearn.manifold import TSNE

        from skfashion._embedding import EmbeddingTransformer

        if method not in ("pca", "tsne"):
            raise ValueError(f'method must be "pca" or "tsne", got {method!r}.')
        y = np.asarray(y)
        features = EmbeddingTransformer(FrozenEstimator(estimator)).fit(X, y)
        features = features.transform(X)
        if method == "pca":
            projector = PCA(n_components=2, random_state=random_state)
        else:
            perplexity = min(30.0, (len(features) - 1) / 3)
            projector = TSNE(
                n_components=2, init="pca", perplexity=perplexity,
                random_state=random_state,
            )  # fmt: skip
        embedding = projector.fit_transform(features)
        display = cls(embedding, y, target_names=target_names, method=method)
        return display.plot(ax=ax)

    def plot(self, *, ax=None):
        """Draw the projection.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : EmbeddingDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 6))
        for label in np.unique(self.y):
            points = self.embedding[self.y == label]
            ax.scatter(points[:, 0], points[:, 1], s=8, alpha=0.7,
                       label=_name(label, self.target_names))  # fmt: skip
        ax.legend(markerscale=2, fontsize="small", loc="best")
        method = {"pca": "PCA", "tsne": "t-SNE"}.get(self.method, self.method)
        ax.set_title(f"Last hidden layer, {method} projection")
        ax.set_xticks([])
        ax.set_yticks([])
        self.ax_, self.figure_ = ax, ax.figure
        return self


class OcclusionDisplay:
    """Which regions of an image drive its predicted class (occlusion maps).

    Each square patch of the image is covered in turn with ``fill_value``,
    and the map shows how much that lowers the probability of the class
    predicted for the whole image, averaged over the patches covering each
    pixel. It needs only ``predict_proba`` on flat rows, so it works with any
    classifier and backend, scikit-learn's ``MLPClassifier`` included. Use
    :meth:`from_estimator` to create one.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width[, 3])
        The images, grayscale or RGB.
    heatmaps : ndarray of shape (n_images, height, width)
        The drop in probability caused by covering each pixel.
    labels : ndarray of shape (n_images,)
        The predicted class of each image.
    probabilities : ndarray of shape (n_images,)
        Its probability.
    target_names : mapping or sequence, default=None
        Class names indexed by label.

    Attributes
    ----------
    ax_ : ndarray of matplotlib Axes
        One axes per image; ``axes_`` is the same array.
    figure_ : matplotlib Figure
        Their figure.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skfashion import ANNClassifier
    >>> from skfashion.reporting import OcclusionDisplay
    >>> digits = load_digits()
    >>> X, y, images = digits.data / 16, digits.target, digits.images / 16
    >>> ann = ANNClassifier(epochs=3, random_state=0).fit(X, y)
    >>> display = OcclusionDisplay.from_estimator(ann, images[:3], patch_size=2)
    >>> display.figure_
    <Figure size ...>
    """

    def __init__(self, images, heatmaps, labels, probabilities, *,
                 target_names=None):  # fmt: skip
        self.images = images
        self.heatmaps = heatmaps
        self.labels = labels
        self.probabilities = probabilities
        self.target_names = target_names

    @classmethod
    def from_estimator(cls, estimator, images, *, patch_size=4, stride=2,
                       fill_value=0.0, target_names=None, axes=None):  # fmt: skip
        """Compute and draw occlusion maps of a fitted classifier.

        Parameters
        ----------
        estimator : fitted classifier or pipeline
            Has ``predict_proba`` on flat rows and ``classes_``.
        images : array-like of shape (n_images, height, width[, channels]) \
or (n_images, n_features)
            Images in the estimator's input units (raw pixels for a pipeline
            that scales them). Flat rows take the fitted classifier's
            ``image_shape_`` (RGB and non-square images too), else a square
            grayscale or RGB shape. A patch covers every channel.
        patch_size : int, default=4
            Side of the square patch, in pixels.
        stride : int, default=2
            Step between patches, in pixels.
        fill_value : float, default=0.0
            What covers a patch (0: black, in raw or scaled pixels).
        target_names : mapping or sequence, default=None
            Class names for the titles.
        axes : array-like of matplotlib Axes, default=None
            One per image; a new figure when None.

        Returns
        -------
        display : OcclusionDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        images = display_images(
            np.asarray(images, dtype=np.float64), estimator, what="images"
        )
        if not len(images):
            raise ValueError("images holds no image.")
        height, width = images.shape[1:3]
        if not 1 <= patch_size <= min(height, width) or stride < 1:
            raise ValueError(
                f"patch_size must be between 1 and {min(height, width)} and "
                f"stride at least 1; got patch_size={patch_size}, stride={stride}."
            )
        starts = [_starts(n, patch_size, stride) for n in (height, width)]
        corners = [(i, j) for i in starts[0] for j in starts[1]]
        proba = estimator.predict_proba(images.reshape(len(images), -1))
        predicted = proba.argmax(axis=1)
        heatmaps = np.zeros(images.shape[:3])
        for k, image in enumerate(images):
            batch = np.repeat(image[None], len(corners), axis=0)
            for n, (i, j) in enumerate(corners):  # every channel of the patch
                batch[n, i : i + patch_size, j : j + patch_size] = fill_value
            covered = estimator.predict_proba(batch.reshape(len(batch), -1))
            drops = proba[k, predicted[k]] - covered[:, predicted[k]]
            total, count = np.zeros((height, width)), np.zeros((height, width))
            for drop, (i, j) in zip(drops, corners):
                total[i : i + patch_size, j : j + patch_size] += drop
                count[i : i + patch_size, j : j + patch_size] += 1
            heatmaps[k] = total / np.maximum(count, 1)
        if images.shape[-1] == 1:
            images = images[..., 0]
        display = cls(
            images, heatmaps, np.asarray(estimator.classes_)[predicted],
            proba[np.arange(len(images)), predicted], target_names=target_names,
        )  # fmt: skip
        return display.plot(axes=axes)

    def plot(self, *, axes=None):
        """Draw each image with its map over it.

        Parameters
        ----------
        axes : array-like of matplotlib Axes, default=None
            One per image; a new figure when None.

        Returns
        -------
        display : OcclusionDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        import matplotlib.pyplot as plt

        n = len(self.images)
        if axes is None:
            _, axes = plt.subplots(1, n, figsize=(2.6 * n, 2.9), squeeze=False)
        axes = np.asarray(axes, dtype=object).reshape(-1)
        if len(axes) != n:
            raise ValueError(f"Expected {n} axes, one per image; got {len(axes)}.")
        limit = max(float(np.abs(self.heatmaps).max()), 1e-12)
        for ax, image, heat, label, p in zip(
            axes, self.images, self.heatmaps, self.labels, self.probabilities
        ):
            if image.ndim == 2:
                ax.imshow(image, cmap="gray_r")
            else:  # RGB, scaled to [0, 1] for drawing
                low, high = image.min(), image.max()
                ax.imshow((image - low) / (high - low) if high > low else image * 0)
            ax.imshow(heat, cmap="RdBu_r", alpha=0.55, vmin=-limit, vmax=limit)
            ax.set_title(f"{_name(label, self.target_names)} ({p:.2f})", fontsize=9)
            ax.axis("off")
        self.ax_ = self.axes_ = axes
        self.figure_ = axes[0].figure
        return self


def _starts(n, patch_size, stride):
    """Patch positions along a side of n pixels, the last one flush with it."""
    starts = list(range(0, n - patch_size + 1, stride))
    if starts[-1] != n - patch_size:
        starts.append(n - patch_size)
    return starts
