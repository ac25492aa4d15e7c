# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""The last hidden layer in TensorBoard's embedding projector."""

import io
import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
from sklearn.utils._param_validation import HasMethods, validate_params

from skfashion._files import write_atomically
from skfashion._image import display_images
from skfashion.reporting._names import class_names

__all__ = ["write_projector"]

TENSOR_NAME = "last_hidden_layer"
TENSOR_FILE = "embeddings.tsv"
METADATA_FILE = "metadata.tsv"
SPRITE_FILE = "sprite.png"
# The projector reads sprites of at most 8192 x 8192 pixels.
MAX_SPRITE_SIDE = 8192


@validate_params(
    {
        "estimator": [HasMethods(["predict"])],
        "X": ["array-like"],
        "log_dir": [str, os.PathLike],
        "y": ["array-like", None],
        "target_names": ["array-like", None],
        "sprite": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def write_projector(estimator, X, log_dir, *, y=None, target_names=None, sprite=True):
    """Write the last hidden layer of ``X`` for TensorBoard's projector.

    The projector shows the embeddings in 3-D (PCA, t-SNE or UMAP, computed
    in the browser), each point named by its class and drawn as its image.
    Run ``tensorboard --logdir LOG_DIR`` and open its "Projector" tab. Needs
    the ``tensorboard`` package (``pip install -e ".[tensorboard]"`` from a clone).

    Parameters
    ----------
    estimator : fitted ANNClassifier, CNNClassifier or Pipeline ending in one
        The network, as :class:`~skfashion.EmbeddingTransformer` takes it
        (optionally wrapped in :class:`~sklearn.frozen.FrozenEstimator`). It
        is not refitted.
    X : array-like of shape (n_samples, n_features) or images
        Input to the estimator; also the images of the sprite.
    log_dir : str or path-like
        The folder to write to, created if missing: a folder of its own, or
        the ``log_dir`` of a ``keras.callbacks.TensorBoard``. Files of an
        earlier call there are replaced.
    y : array-like of shape (n_samples,), default=None
        The class of each sample (usually the true labels), written to the
        metadata beside the predicted class.
    target_names : array-like of str, default=None
        Class names indexed by label (``bunch.target_names``): the metadata
        then names the classes. ``y`` and the estimator's classes must be
        integers from 0 to ``len(target_names) - 1``.
    sprite : bool, default=True
        Whether to write a sprite: the images' thumbnails, one per point.
        Flat rows are drawn as square grayscale or RGB images.

    Returns
    -------
    config : pathlib.Path
        The ``projector_config.pbtxt`` written in ``log_dir``.

    Notes
    -----
    Writes ``embeddings.tsv`` (one row of float32 activations per sample),
    ``metadata.tsv`` (columns "class", when ``y`` is given, and "predicted"),
    ``sprite.png`` and ``projector_config.pbtxt``. Every file is written in
    a temporary folder first and moved into place when all are complete, the
    configuration last.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn.datasets import load_digits
    >>> from skfashion import ANNClassifier
    >>> from skfashion.reporting import write_projector
    >>> X, y = load_digits(return_X_y=True)
    >>> ann = ANNClassifier(hidden_layer_sizes=(16,), epochs=2, random_state=0)
    >>> ann = ann.fit(X / 16, y)
    >>> log_dir = tempfile.mkdtemp()
    >>> write_projector(ann, X[:100] / 16, log_dir, y=y[:100]).name
    'projector_config.pbtxt'
    """
    try:
        from google.protobuf import text_format
        from tensorboard.plugins.projector import ProjectorConfig
    except ImportError as exc:
        raise ImportError(
            "write_projector needs the tensorboard package, which TensorFlow "
            "does not install: pip install tensorboard (or, from a clone, "
            "pip install -e '.[tensorboard]')."
        ) from exc

    from skfashion._embedding import final_classifier, last_hidden_layer

    _, classifier = final_classifier(estimator)
    if getattr(X, "iloc", None) is not None:
        X = X.to_numpy()
    images = np.asarray(X)
    if len(images) == 0:
        raise ValueError("X is empty: the projector needs at least one sample.")
    embeddings = last_hidden_layer(estimator, X)  # checks X and the fit
    predicted = np.asarray(estimator.predict(X))
    columns = {}
    if y is not None:
        y = np.asarray(y)
        if y.ndim != 1 or len(y) != len(images):
            raise ValueError(
                f"y must hold one label per sample of X ({len(images)}); got "
                f"shape {y.shape}."
            )
        columns["class"] = _names(y, target_names, "y")
    columns["predicted"] = _names(predicted, target_names, "the estimator's classes")
    thumbnails = _sprite(images, classifier) if sprite else None

    config = ProjectorConfig()
    embedding = config.embeddings.add()
    embedding.tensor_name = TENSOR_NAME
    embedding.tensor_path = TENSOR_FILE
    embedding.tensor_shape.extend(embeddings.shape)
    embedding.metadata_path = METADATA_FILE
    # 9 significant digits give back every float32 exactly.
    values = ("\t".join(f"{v:.9g}" for v in row) for row in embeddings)
    files = {
        TENSOR_FILE: _tsv_rows(values),
        METADATA_FILE: _metadata(columns),
    }
    if thumbnails is not None:
        png, (height, width) = thumbnails
        embedding.sprite.image_path = SPRITE_FILE
        embedding.sprite.single_image_dim.extend([width, height])
        files[SPRITE_FILE] = png
    files["projector_config.pbtxt"] = text_format.MessageToString(config).encode()
    return _move_into_place(files, Path(log_dir))


def _names(labels, target_names, what):
    """:func:`class_names`, without the tabs and line breaks that would break
    the projector's tab-separated lines."""
    names = class_names(labels, target_names, what)
    bad = [name for name in names if "\t" in name or "\n" in name or "\r" in name]
    if bad:
        raise ValueError(
            f"Class names cannot hold tabs or line breaks (the projector reads "
            f"tab-separated lines); got {bad[0]!r}."
        )
    return names


def _metadata(columns):
    """TSV rows; with several columns, a header line first, as the projector
    expects (a single column has none)."""
    rows = list(zip(*columns.values()))
    header = ["\t".join(columns)] if len(columns) > 1 else []
    return _tsv_rows([*header, *("\t".join(row) for row in rows)])


def _tsv_rows(lines):
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def _sprite(images, classifier):
    """``(png bytes, (height, width))`` of a grid of the images, dark on white."""
    from matplotlib.image import imsave

    try:
        images = display_images(images, classifier, what="X")
    except ValueError as exc:
        raise ValueError(f"{exc} Or pass sprite=False.") from exc
    n, height, width, channels = images.shape
    if channels not in (1, 3):
        raise ValueError(
            f"The sprite draws grayscale or RGB images; X has {channels} channels."
        )
    side = math.ceil(math.sqrt(n))
    if side * max(height, width) > MAX_SPRITE_SIDE:
        most = (MAX_SPRITE_SIDE // max(height, width)) ** 2
        raise ValueError(
            f"The projector's sprite holds at most {most} images of {height}x"
            f"{width} pixels ({MAX_SPRITE_SIDE} pixels a side); X has {n}. Pass "
            "fewer samples, or sprite=False."
        )
    pixels = images.astype(np.float64)
    low, high = np.nanmin(pixels), np.nanmax(pixels)
    pixels = (pixels - low) / (high - low) if high > low else np.zeros_like(pixels)
    if channels == 1:
        pixels = 1.0 - pixels  # dark on white, as the displays draw them
    grid = np.ones((side * height, side * width, channels))
    for i, image in enumerate(pixels):
        row, col = divmod(i, side)
        grid[row * height : (row + 1) * height, col * width : (col + 1) * width] = image
    buffer = io.BytesIO()
    if channels == 1:
        imsave(buffer, grid[..., 0], cmap="gray", vmin=0, vmax=1, format="png")
    else:
        imsave(buffer, grid, format="png")
    return buffer.getvalue(), (height, width)


def _move_into_place(files, log_dir):
    """Write ``files`` (name -> bytes) into ``log_dir``, the last one last."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stale = [SPRITE_FILE] if SPRITE_FILE not in files else []
    staging = Path(tempfile.mkdtemp(prefix=".projector-", dir=log_dir))
    try:
        for name, data in files.items():
            write_atomically(staging / name, data)
        for name in files:
            os.replace(staging / name, log_dir / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for name in stale:  # a sprite of an earlier call would no longer match
        (log_dir / name).unlink(missing_ok=True)
    return log_dir / "projector_config.pbtxt"
