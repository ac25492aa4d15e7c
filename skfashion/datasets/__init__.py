# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Fetchers for Fashion-MNIST and MNIST, an IDX file reader, and a loader for
a folder of your own images."""

from skfashion.datasets._base import (
    ChecksumError,
    DataNotFoundError,
    RemoteFileMetadata,
    get_data_home,
)
from skfashion.datasets._idx import IDXFormatError, read_idx
from skfashion.datasets._image_folder import ImageFolderError, load_image_folder
from skfashion.datasets._mnist import fetch_fashion_mnist, fetch_mnist

__all__ = [
    "ChecksumError",
    "DataNotFoundError",
    "IDXFormatError",
    "ImageFolderError",
    "RemoteFileMetadata",
    "fetch_fashion_mnist",
    "fetch_mnist",
    "get_data_home",
    "load_image_folder",
    "read_idx",
]
