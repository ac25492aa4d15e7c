# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Fetchers for Fashion-MNIST and MNIST, and an IDX file reader."""

from skfashion.datasets._base import (
    ChecksumError,
    DataNotFoundError,
    RemoteFileMetadata,
    get_data_home,
)
from skfashion.datasets._idx import IDXFormatError, read_idx
from skfashion.datasets._mnist import fetch_fashion_mnist, fetch_mnist

__all__ = [
    "ChecksumError",
    "DataNotFoundError",
    "IDXFormatError",
    "RemoteFileMetadata",
    "fetch_fashion_mnist",
    "fetch_mnist",
    "get_data_home",
    "read_idx",
]
