# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Plots in scikit-learn's ``*Display`` style; matplotlib is imported lazily."""

import math

import numpy as np

from skfashion._image import display_images
from skfashion._unwrap import unwrap
from skfashion.reporting._names import class_names
from skfashion.reporting._tables import cv_results_to_frame

__all__ = [
    "CVResultsDisplay",
    "FeatureMapsDisplay",
    "PredictionGridDisplay",
    "TrainingHistoryDisplay",
]


def _new_axes(ax, **subplots):
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(**subplots)
        return fig, ax
    return ax.figure, ax


class CVResultsDisplay:
    """Mean cross-validation score against one or two parameters.

    Use :meth:`from_cv_results` to create one. With ``kind="line"``: the mean
    test score against parameter ``x``, one line per value of ``hue``, with a
    band of one standard deviation. With ``kind="heatmap"``: a grid of mean
    test scores over ``x`` and ``hue``. Where other parameters also varied,
    each point shows the best candidate among them.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`cv_results_to_frame`.
    x : str
        Parameter on the x axis (a column of ``frame``).
    hue : str or None
        Parameter giving one line (or heatmap row) per value.
    score : str
        Score column prefix, "test" or "train".

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
    >>> from skfashion.reporting import CVResultsDisplay
    >>> digits = load_digits()
    >>> X, y, images = digits.data / 16, digits.target, digits.images / 16
    >>> from sklearn.model_selection import GridSearchCV
    >>> search = GridSearchCV(
    ...     ANNClassifier(epochs=2, random_state=0),
    ...     {"hidden_layer_sizes": [(16,), (64,)]},
    ...     cv=2,
    ... ).fit(X, y)
    >>> display = CVResultsDisplay.from_cv_results(search, x="hidden_layer_sizes")
    >>> display.figure_
    <Figure size ...>
    """

    def __init__(self, frame, x, hue=None, score="test"):
        self.frame = frame
        self.x = x
        self.hue = hue
        self.score = score

    @classmethod
    def from_cv_results(
        cls, search, *, x, hue=None, kind="line", score="test", ax=None
    ):
        """Plot a fitted search's results.

        Parameters
        ----------
        search : fitted search, dict or DataFrame
            A fitted search, its ``cv_results_``, or a frame from
            :func:`cv_results_to_frame`.
        x : str
            Parameter on the x axis (short name, e.g. "epochs").
        hue : str, default=None
            Parameter with one line per value (required for "heatmap").
        kind : {"line", "heatmap"}, default="line"
            Kind of plot.
        score : {"test", "train"}, default="test"
            Which mean score to plot ("train" needs return_train_score=True).
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : CVResultsDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        import pandas as pd

        frame = (
            search if isinstance(search, pd.DataFrame) else cv_results_to_frame(search)
        )
        params = [
            c for c in frame.columns if not c.startswith(("mean_", "std_", "rank_"))
        ]
        for name in (x, hue):
            if name is not None and name not in params:
                raise ValueError(
                    f"{name!r} is not a parameter of these results; parameters: "
                    f"{params}."
                )
        if f"mean_{score}_score" not in frame.columns:
            raise ValueError(
                f"The results have no mean_{score}_score (use "
                "return_train_score=True for training scores)."
            )
        display = cls(frame, x, hue=hue, score=score)
        return display.plot(kind=kind, ax=ax)

    def _table(self, column):
        """Best ``column`` value per (hue, x) cell, as a hue x x table."""
        frame = self.frame.assign(
            _x=self.frame[self.x].map(str),
            _hue=self.frame[self.hue].map(str) if self.hue else "",
        )
        best = frame.loc[
            frame.groupby(["_hue", "_x"])[f"mean_{self.score}_score"].idxmax()
        ]
        x_order = list(dict.fromkeys(frame.sort_values(self.x, key=_sort_key)["_x"]))
        hue_order = list(dict.fromkeys(frame["_hue"]))
        table = best.pivot(index="_hue", columns="_x", values=column)
        return table.reindex(index=hue_order, columns=x_order)

    def plot(self, *, kind="line", ax=None):
        """Draw the plot.

        Parameters
        ----------
        kind : {"line", "heatmap"}, default="line"
            Kind of plot.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : CVResultsDisplay
            Self, with ``ax_`` and ``figure_`` set.
        """
        if kind not in ("line", "heatmap"):
            raise ValueError(f'kind must be "line" or "heatmap", got {kind!r}.')
        if kind == "heatmap" and self.hue is None:
            raise ValueError('kind="heatmap" needs a second parameter: pass hue=.')
        fig, ax = _new_axes(ax, figsize=(6.4, 4.2))
        means = self._table(f"mean_{self.score}_score")
        label = f"mean {self.score} score (CV)"
        if kind == "line":
            stds = self._table(f"std_{self.score}_score")
            positions = np.arange(means.shape[1])
            for hue_value in means.index:
                m, s = means.loc[hue_value].to_numpy(float), stds.loc[hue_value]
                line_label = hue_value if self.hue else None
                (line,) = ax.plot(positions, m, marker="o", label=line_label)
                ax.fill_between(
                    positions, m - s.to_numpy(float), m + s.to_numpy(float),
                    color=line.get_color(), alpha=0.2,
                )  # fmt: skip
            ax.set_xticks(positions, means.columns)
            ax.set_xlabel(self.x)
            ax.set_ylabel(label)
            if self.hue:
                ax.legend(title=self.hue)
            ax.grid(True, alpha=0.3)
        else:
            image = ax.imshow(means.to_numpy(float), cmap="viridis", aspect="auto")
            values = means.to_numpy(float)
            for (i, j), value in np.ndenumerate(values):
                if not np.isnan(value):
                    color = "white" if value < np.nanmean(values) else "black"
                    ax.text(j, i, f"{value:.3f}", ha="center", va="center", color=color)
            ax.set_xticks(range(means.shape[1]), means.columns)
            ax.set_yticks(range(means.shape[0]), means.index)
            ax.set_xlabel(self.x)
            ax.set_ylabel(self.hue)
            fig.colorbar(image, ax=ax, label=label)
        ax.set_title("Cross-validation results")
        self.ax_, self.figure_ = ax, fig
        return self


def _sort_key(series):
    """Sort numbers numerically and anything else (tuples, str) by its text."""
    try:
        return series.astype(float)
    except (TypeError, ValueError):
        return series.map(lambda v: (len(v) if isinstance(v, tuple) else 0, str(v)))


class TrainingHistoryDisplay:
    """Learning curves from a fitted network's ``history_``.

    Training (and, with early stopping, validation) loss and accuracy per
    epoch, on two axes side by side.

    Parameters
    ----------
    history : dict of str to list of float
        Keras metrics per epoch, as in ``estimator.history_``.
    name : str, default=None
        Name shown in the title.

    Attributes
    ----------
    ax_ : ndarray of matplotlib Axes
        The loss and the accuracy axes (``axes_`` is the same array).
    figure_ : matplotlib Figure
        Their figure.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skfashion import ANNClassifier
    >>> from skfashion.reporting import TrainingHistoryDisplay
    >>> digits = load_digits()
    >>> X, y, images = digits.data / 16, digits.target, digits.images / 16
    >>> ann = ANNClassifier(epochs=3, early_stopping=True, random_state=0)
    >>> display = TrainingHistoryDisplay.from_estimator(ann.fit(X, y))
    >>> display.figure_
    <Figure size ...>
    """

    def __init__(self, history, *, name=None):
        self.history = history
        self.name = name

    @classmethod
    def from_estimator(cls, estimator, *, axes=None):
        """Plot the curves of a fitted ANNClassifier or CNNClassifier.

        Parameters
        ----------
        estimator : fitted classifier or pipeline ending in one
            The network.
        axes : sequence of two matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : TrainingHistoryDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        final = unwrap(estimator)[1]
        if not hasattr(final, "history_"):
            raise ValueError(
                f"{type(final).__name__} has no history_: fit a skfashion "
                "classifier first."
            )
        return cls(dict(final.history_), name=type(final).__name__).plot(axes=axes)

    def plot(self, *, axes=None):
        """Draw the curves.

        Parameters
        ----------
        axes : sequence of two matplotlib Axes, default=None
            Where to draw; a new figure when None.

        Returns
        -------
        display : TrainingHistoryDisplay
            Self, with ``ax_`` and ``figure_`` set.
        """
        import matplotlib.pyplot as plt

        if axes is None:
            fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
        else:
            fig = axes[0].figure
        for ax, metric, title in zip(axes, ("loss", "accuracy"), ("Loss", "Accuracy")):
            for prefix, label in (("", "training"), ("val_", "validation")):
                values = self.history.get(prefix + metric)
                if values:
                    epochs = np.arange(1, len(values) + 1)
                    ax.plot(epochs, values, marker=".", label=label)
            ax.set_title(title)
            ax.set_xlabel("epoch")
            ax.set_ylabel(metric)
            ax.legend()
            ax.grid(True, alpha=0.3)
        if self.name:
            fig.suptitle(f"{self.name} training history")
        self.ax_ = self.axes_ = np.asarray(axes, dtype=object)
        self.figure_ = fig
        return self


class PredictionGridDisplay:
    """A grid of images with predicted class, probability and true class.

    Mistakes have red titles and frames.

    Parameters
    ----------
    images : ndarray of shape (n_images, height, width[, channels])
        Images to show.
    y_true, y_pred : ndarray of shape (n_images,)
        True and predicted labels.
    confidence : ndarray of shape (n_images,)
        Predicted probability of ``y_pred``.
    target_names : mapping or sequence, default=None
        Names for labels (``target_names[label]``); labels shown as they are
        when None.

    Attributes
    ----------
    ax_ : ndarray of matplotlib Axes
        One per image (a 2-D grid unless ``axes`` were given); ``axes_`` is
        the same array.
    figure_ : matplotlib Figure
        Their figure.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skfashion import ANNClassifier
    >>> from skfashion.reporting import PredictionGridDisplay
    >>> digits = load_digits()
    >>> X, y, images = digits.data / 16, digits.target, digits.images / 16
    >>> ann = ANNClassifier(epochs=3, random_state=0).fit(X, y)
    >>> display = PredictionGridDisplay.from_estimator(
    ...     ann, X, y, n_images=8, select="errors"
    ... )
    >>> display.figure_
    <Figure size ...>
    """

    def __init__(self, images, y_true, y_pred, confidence, *, target_names=None):
        self.images = images
        self.y_true = y_true
        self.y_pred = y_pred
        self.confidence = confidence
        self.target_names = target_names

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        images=None,
        target_names=None,
        n_images=16,
        select="first",
        n_cols=None,
        axes=None,
    ):
        """Predict on ``X`` and show ``n_images`` of them.

        Parameters
        ----------
        estimator : fitted classifier or pipeline
            Has ``predict_proba`` and ``classes_``.
        X : array-like
            Input to the estimator.
        y : array-like of shape (n_samples,)
            True labels.
        images : ndarray, default=None
            What to draw for each sample; by default ``X`` itself, reshaped to
            square grayscale or RGB images when flat.
        target_names : mapping or sequence, default=None
            Class names indexed by label (e.g. ``bunch.target_names``).
        n_images : int, default=16
            Number of images.
        select : {"first", "errors", "confident_errors"}, default="first"
            Which samples: the first ones, the first mistakes, or the mistakes
            made with the highest predicted probability.
        n_cols : int, default=None
            Columns of the grid; about square when None.
        axes : array-like of matplotlib Axes, default=None
            At least one per image, drawn in order; a new figure when None.

        Returns
        -------
        display : PredictionGridDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        if select not in ("first", "errors", "confident_errors"):
            raise ValueError(
                'select must be "first", "errors" or "confident_errors", got '
                f"{select!r}."
            )
        y = np.asarray(y)
        proba = estimator.predict_proba(X)
        classes = unwrap(estimator)[1].classes_
        y_pred = classes[proba.argmax(axis=1)]
        confidence = proba.max(axis=1)
        if select == "first":
            chosen = np.arange(min(n_images, len(y)))
        else:
            errors = np.flatnonzero(y_pred != y)
            if select == "confident_errors":
                errors = errors[np.argsort(-confidence[errors], kind="stable")]
            chosen = errors[:n_images]
        if images is None:
            images = display_images(X, estimator)
            if images.shape[-1] == 1:
                images = images[..., 0]
        images = np.asarray(images)[chosen]
        display = cls(
            images, y[chosen], y_pred[chosen], confidence[chosen],
            target_names=target_names,
        )  # fmt: skip
        return display.plot(n_cols=n_cols, axes=axes)

    def _name(self, label):
        return class_names([label], self.target_names)[0]

    def plot(self, *, n_cols=None, axes=None):
        """Draw the grid.

        Parameters
        ----------
        n_cols : int, default=None
            Columns of the grid; about square when None.
        axes : array-like of matplotlib Axes, default=None
            At least one per image, drawn in order; a new figure when None.

        Returns
        -------
        display : PredictionGridDisplay
            Self, with ``ax_`` and ``figure_`` set.
        """
        import matplotlib.pyplot as plt

        n = max(len(self.images), 1)
        created = axes is None
        if created:
            n_cols = n_cols or math.ceil(math.sqrt(n))
            n_rows = math.ceil(n / n_cols)
            fig, axes = plt.subplots(
                n_rows, n_cols, figsize=(1.9 * n_cols, 2.2 * n_rows), squeeze=False
            )
        else:
            axes = np.asarray(axes, dtype=object)
            if axes.size < n:
                raise ValueError(f"Expected at least {n} axes, got {axes.size}.")
            fig = axes.flat[0].figure
        for ax in axes.flat:
            ax.set_xticks([])
            ax.set_yticks([])
            ax.axis("off")
        for ax, image, true, pred, conf in zip(
            axes.flat, self.images, self.y_true, self.y_pred, self.confidence
        ):
            ax.axis("on")
            image = np.squeeze(image)
            ax.imshow(image, cmap=None if image.ndim == 3 else "gray_r")
            wrong = pred != true
            color = "tab:red" if wrong else "black"
            ax.set_title(
                f"{self._name(pred)} ({conf:.0%})\ntrue: {self._name(true)}",
                color=color,
                fontsize=8,
            )
            for spine in ax.spines.values():
                spine.set_color(color if wrong else "lightgray")
                spine.set_linewidth(2 if wrong else 0.5)
        if len(self.images) == 0:
            axes.flat[0].set_title("no images to show")
        if created:
            fig.tight_layout()
        self.ax_ = self.axes_ = axes
        self.figure_ = fig
        return self


class FeatureMapsDisplay:
    """Activations of each convolution layer of a CNN for one image.

    One row per convolution layer, one panel per channel (the first
    ``max_maps``), with the input image on the left.

    Parameters
    ----------
    image : ndarray of shape (height, width[, channels])
        The input image as the network sees it.
    activations : list of (str, ndarray of shape (h, w, channels))
        Layer name and its output.

    Attributes
    ----------
    ax_ : ndarray of matplotlib Axes
        Grid of axes, one row per layer; ``axes_`` is the same array.
    figure_ : matplotlib Figure
        Their figure.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skfashion import CNNClassifier
    >>> from skfashion.reporting import FeatureMapsDisplay
    >>> digits = load_digits()
    >>> X, y, images = digits.data / 16, digits.target, digits.images / 16
    >>> cnn = CNNClassifier(filters=(8,), epochs=2, random_state=0)
    >>> display = FeatureMapsDisplay.from_estimator(cnn.fit(images, y), images[0])
    >>> display.figure_
    <Figure size ...>
    """

    def __init__(self, image, activations):
        self.image = image
        self.activations = activations

    @classmethod
    def from_estimator(cls, estimator, x, *, max_maps=8, axes=None):
        """Compute and plot the feature maps of a fitted CNNClassifier.

        Parameters
        ----------
        estimator : fitted CNNClassifier or pipeline ending in one
            The network. The steps before it transform ``x`` first.
        x : array-like
            One sample (flat row or image) or a batch of one.
        max_maps : int, default=8
            Channels shown per layer.
        axes : array-like of matplotlib Axes, default=None
            A grid of one row per convolution layer and ``1 + max_maps``
            columns; a new figure when None.

        Returns
        -------
        display : FeatureMapsDisplay
            The display, with ``ax_`` and ``figure_``.
        """
        import keras

        steps, final = unwrap(estimator)
        model = getattr(final, "model_", None)
        if model is None or not hasattr(final, "image_shape_"):
            raise ValueError(
                "FeatureMapsDisplay needs a fitted CNNClassifier (or a pipeline "
                f"ending in one), got {type(final).__name__}."
            )
        x = np.asarray(x)
        single = x.ndim == 1 or x.shape in (final.image_shape_, final.image_shape_[:2])
        batch = x[None] if single else x
        if len(batch) != 1:
            raise ValueError(
                f"Expected one sample (a flat row or an image), got shape {x.shape}."
            )
        if steps is not None:
            batch = steps.transform(batch)
        batch = np.asarray(batch, dtype=keras.backend.floatx()).reshape(1, -1)
        conv_layers = [
            layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)
        ]
        probe = keras.Model(model.inputs, [layer.output for layer in conv_layers])
        # One image: an eager call, without tracing a predict function for
        # this throwaway model (as Model.predict would, each time).
        outputs = probe([batch], training=False)  # model.inputs is a list
        if not isinstance(outputs, (list, tuple)):
            outputs = [outputs]
        activations = [
            (layer.name, keras.ops.convert_to_numpy(out[0]).astype(np.float32))
            for layer, out in zip(conv_layers, outputs)
        ]
        image = batch.reshape(final.image_shape_)
        return cls(image, activations).plot(max_maps=max_maps, axes=axes)

    def plot(self, *, max_maps=8, axes=None):
        """Draw the maps.

        Parameters
        ----------
        max_maps : int, default=8
            Channels shown per layer.
        axes : array-like of matplotlib Axes, default=None
            A grid of one row per convolution layer and ``1 + max_maps``
            columns; a new figure when None.

        Returns
        -------
        display : FeatureMapsDisplay
            Self, with ``ax_`` and ``figure_`` set.
        """
        import matplotlib.pyplot as plt

        n_rows = len(self.activations)
        n_cols = 1 + max_maps
        created = axes is None
        if created:
            fig, axes = plt.subplots(
                n_rows, n_cols, figsize=(1.3 * n_cols, 1.5 * n_rows + 0.4),
                squeeze=False,
            )  # fmt: skip
        else:
            axes = np.asarray(axes, dtype=object)
            if axes.size != n_rows * n_cols:
                raise ValueError(
                    f"Expected {n_rows} x {n_cols} axes (a row per convolution "
                    f"layer, the input and {max_maps} maps), got {axes.shape}."
                )
            axes = axes.reshape(n_rows, n_cols)
            fig = axes[0, 0].figure
        for ax in axes.flat:
            ax.set_xticks([])
            ax.set_yticks([])
        image = np.squeeze(self.image)
        for row, (name, maps) in zip(axes, self.activations):
            row[0].imshow(image, cmap=None if image.ndim == 3 else "gray_r")
            row[0].set_ylabel(name, rotation=0, ha="right", va="center")
            for channel, ax in enumerate(row[1:]):
                if channel < maps.shape[-1]:
                    ax.imshow(maps[..., channel], cmap="viridis")
                    ax.set_title(f"map {channel}", fontsize=7)
                else:
                    ax.axis("off")
        axes[0, 0].set_title("input", fontsize=7)
        if created:
            fig.suptitle("Convolution feature maps")
            fig.tight_layout()
        self.ax_ = self.axes_ = axes
        self.figure_ = fig
        return self
