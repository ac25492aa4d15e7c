# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Fetchers for Fashion-MNIST and MNIST."""

from dataclasses import dataclass
from numbers import Integral
from os import PathLike

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from skfashion.datasets._base import RemoteFileMetadata, fetch_files
from skfashion.datasets._descr import FASHION_MNIST_DESCR, MNIST_DESCR
from skfashion.datasets._idx import IDXFormatError, read_idx

__all__ = ["fetch_fashion_mnist", "fetch_mnist"]

_FASHION_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_MNIST_URLS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)


def _remote(filename, sha256, md5, bases):
    return RemoteFileMetadata(
        filename=filename,
        urls=tuple(base + filename for base in bases),
        sha256=sha256,
        md5=md5,
    )


@dataclass(frozen=True)
class _IDXDataset:
    """Everything needed to fetch and describe one IDX image dataset."""

    name: str
    folder: str
    files: dict  # subset -> (images RemoteFileMetadata, labels RemoteFileMetadata)
    sizes: dict  # subset -> number of samples
    target_names: tuple
    descr: str


FASHION_MNIST = _IDXDataset(
    name="Fashion-MNIST",
    folder="fashion-mnist",
    files={
        "train": (
            _remote(
                "train-images-idx3-ubyte.gz",
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                (_FASHION_URL,),
            ),
            _remote(
                "train-labels-idx1-ubyte.gz",
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                "25c81989df183df01b3e8a0aad5dffbe",
                (_FASHION_URL,),
            ),
        ),
        "test": (
            _remote(
                "t10k-images-idx3-ubyte.gz",
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                "bef4ecab320f06d8554ea6380940ec79",
                (_FASHION_URL,),
            ),
            _remote(
                "t10k-labels-idx1-ubyte.gz",
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                "bb300cfdad3c16e7a12a480ee83cd310",
                (_FASHION_URL,),
            ),
        ),
    },
    sizes={"train": 60000, "test": 10000},
    target_names=(
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
    descr=FASHION_MNIST_DESCR,
)

MNIST = _IDXDataset(
    name="MNIST",
    folder="mnist",
    files={
        "train": (
            _remote(
                "train-images-idx3-ubyte.gz",
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                _MNIST_URLS,
            ),
            _remote(
                "train-labels-idx1-ubyte.gz",
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                "d53e105ee54ea40749a09fcbcd1e9432",
                _MNIST_URLS,
            ),
        ),
        "test": (
            _remote(
                "t10k-images-idx3-ubyte.gz",
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                "9fb629c4189551a2d022fa330f9573f3",
                _MNIST_URLS,
            ),
            _remote(
                "t10k-labels-idx1-ubyte.gz",
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                "ec29112dd5afa0611ce80d1b7f02629c",
                _MNIST_URLS,
            ),
        ),
    },
    sizes={"train": 60000, "test": 10000},
    target_names=tuple(str(d) for d in range(10)),
    descr=MNIST_DESCR,
)


def _load_subset(dataset, subset, data_home, download_if_missing):
    images_remote, labels_remote = dataset.files[subset]
    images_path, labels_path = fetch_files(
        dataset.name,
        dataset.folder,
        (images_remote, labels_remote),
        data_home=data_home,
        download_if_missing=download_if_missing,
        others=[r for pair in dataset.files.values() for r in pair],
    )
    n = dataset.sizes[subset]
    images = read_idx(images_path, expected_shape=(n, 28, 28))
    labels = read_idx(labels_path, expected_shape=(n,))
    if images.dtype != np.uint8 or labels.dtype != np.uint8:
        raise IDXFormatError(
            f"{dataset.name} {subset} files must hold uint8 values, got "
            f"{images.dtype} images and {labels.dtype} labels."
        )
    return images, labels


def _stratified_rows(target, n_samples, random_state, subset):
    """Sorted indices of a class-stratified random subset of ``n_samples``."""
    if n_samples > len(target):
        raise ValueError(
            f"n_samples={n_samples} is more than the {len(target)} images of "
            f"subset={subset!r}."
        )
    if n_samples == len(target):
        return np.arange(len(target))
    rows, _ = train_test_split(
        np.arange(len(target)),
        train_size=n_samples,
        stratify=target,
        random_state=random_state,
    )
    return np.sort(rows)


def _fetch(
    dataset,
    *,
    data_home,
    subset,
    n_samples,
    random_state,
    download_if_missing,
    return_X_y,
    as_frame,
):
    subsets = ("train", "test") if subset == "all" else (subset,)
    parts = [_load_subset(dataset, s, data_home, download_if_missing) for s in subsets]
    images = parts[0][0] if len(parts) == 1 else np.concatenate([p[0] for p in parts])
    target = np.concatenate([p[1] for p in parts]).astype(np.int64)
    if n_samples is not None:
        rows = _stratified_rows(target, n_samples, random_state, subset)
        images, target = images[rows], target[rows]
    data = images.reshape(len(images), -1)  # a view: no copy
    feature_names = [f"pixel_{r}_{c}" for r in range(28) for c in range(28)]
    target_names = np.asarray(dataset.target_names)

    frame = None
    if as_frame:
        import pandas as pd

        frame = pd.DataFrame(data, columns=feature_names)
        frame["target"] = target
        data, target = frame[feature_names], frame["target"]

    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        frame=frame,
        images=images,
        feature_names=feature_names,
        target_names=target_names,
        DESCR=dataset.descr,
    )


_FETCH_PARAMS = {
    "data_home": [str, PathLike, None],
    "subset": [StrOptions({"train", "test", "all"})],
    "n_samples": [Interval(Integral, 1, None, closed="left"), None],
    "random_state": ["random_state"],
    "download_if_missing": ["boolean"],
    "return_X_y": ["boolean"],
    "as_frame": ["boolean"],
}

_FETCH_DOC = """Load the {name} dataset ({n_classes} classes, 28x28 grayscale).

    =================   ==============
    Classes             10
    Samples total       70000
    Samples (train)     60000
    Samples (test)      10000
    Dimensionality      784
    Features            integers 0-255
    =================   ==============

    Files are looked for in ``<data_home>/{folder}/`` under their canonical
    names (``train-images-idx3-ubyte.gz`` ...). Missing files are downloaded
    from the official mirrors with a progress bar; every file's SHA-256 is
    checked against the published one each time it is loaded.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Where to look for and cache the files. By default the ``SKFASHION_DATA``
        environment variable, else ``~/skfashion_data``; see
        :func:`get_data_home`.

    subset : {{"train", "test", "all"}}, default="train"
        Which part to load. "all" is the training set followed by the test set.

    n_samples : int, default=None
        Load a random subset of this many images of ``subset``, with the
        classes in the same proportions (stratified), in their original
        order. None loads them all. Handy for quick experiments.

    random_state : int, RandomState instance or None, default=0
        Draws the ``n_samples`` subset; an int gives the same subset on
        every call.

    download_if_missing : bool, default=True
        If False, raise an error naming the missing files instead of
        downloading them.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        If True, ``data`` is a pandas DataFrame with one column per pixel,
        ``target`` a Series, and ``frame`` holds both.

    Returns
    -------
    dataset : :class:`~sklearn.utils.Bunch`
        With the following attributes.

        data : ndarray of shape (n_samples, 784), dtype=uint8, or DataFrame
            One row per image, pixels in row-major order.
        target : ndarray of shape (n_samples,), dtype=int64, or Series
            Class labels 0-9.
        frame : DataFrame or None
            ``data`` and ``target`` together when ``as_frame=True``.
        images : ndarray of shape (n_samples, 28, 28), dtype=uint8
            The same pixels as ``data``, as images.
        feature_names : list of str
            ``pixel_<row>_<col>``.
        target_names : ndarray of shape (10,)
            Class names in label order: {target_names}.
        DESCR : str
            Description, citation and license.

    (data, target) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    DataNotFoundError
        If files are missing and ``download_if_missing=False``, or every
        mirror failed. The message lists the files and where they were looked
        for.
    ChecksumError
        If a cached file is corrupt and ``download_if_missing=False``.
    IDXFormatError
        If a file is not a valid IDX file of the expected shape.

    Examples
    --------
    >>> from skfashion.datasets import {func}
    >>> X, y = {func}(subset="test", return_X_y=True)  # doctest: +SKIP
    >>> X.shape, y.shape  # doctest: +SKIP
    ((10000, 784), (10000,))
    """


@validate_params(_FETCH_PARAMS, prefer_skip_nested_validation=True)
def fetch_fashion_mnist(
    *,
    data_home=None,
    subset="train",
    n_samples=None,
    random_state=0,
    download_if_missing=True,
    return_X_y=False,
    as_frame=False,
):
    return _fetch(
        FASHION_MNIST,
        data_home=data_home,
        subset=subset,
        n_samples=n_samples,
        random_state=random_state,
        download_if_missing=download_if_missing,
        return_X_y=return_X_y,
        as_frame=as_frame,
    )


@validate_params(_FETCH_PARAMS, prefer_skip_nested_validation=True)
def fetch_mnist(
    *,
    data_home=None,
    subset="train",
    n_samples=None,
    random_state=0,
    download_if_missing=True,
    return_X_y=False,
    as_frame=False,
):
    return _fetch(
        MNIST,
        data_home=data_home,
        subset=subset,
        n_samples=n_samples,
        random_state=random_state,
        download_if_missing=download_if_missing,
        return_X_y=return_X_y,
        as_frame=as_frame,
    )


fetch_fashion_mnist.__doc__ = _FETCH_DOC.format(
    name="Fashion-MNIST",
    n_classes=10,
    folder="fashion-mnist",
    target_names=", ".join(FASHION_MNIST.target_names),
    func="fetch_fashion_mnist",
)
fetch_mnist.__doc__ = _FETCH_DOC.format(
    name="MNIST handwritten digits",
    n_classes=10,
    folder="mnist",
    target_names='"0" to "9"',
    func="fetch_mnist",
)
