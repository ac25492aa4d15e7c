# Authors: The skfashion developers
# SPDX-License-Identifier: BSD-3-Clause
"""Data home, checksummed downloads and the on-disk cache."""

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ChecksumError",
    "DataNotFoundError",
    "RemoteFileMetadata",
    "get_data_home",
]

DATA_HOME_ENV = "SKFASHION_DATA"


class DataNotFoundError(OSError):
    """Raised when dataset files are missing and cannot be downloaded."""


class ChecksumError(OSError):
    """Raised when a file's SHA-256 differs from the published record."""


@dataclass(frozen=True)
class RemoteFileMetadata:
    """Where a dataset file comes from and how to verify it.

    Parameters
    ----------
    filename : str
        Canonical file name, used in the cache as well.
    urls : tuple of str
        Mirrors, tried in order.
    sha256 : str
        SHA-256 of the file as downloaded (the ``.gz`` bytes).
    md5 : str, default=None
        The MD5 that the publishers print, kept for reference.
    """

    filename: str
    urls: tuple
    sha256: str
    md5: str = None


def get_data_home(data_home=None) -> str:
    """Return the folder where skfashion keeps its datasets.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder to use. If None, the ``SKFASHION_DATA`` environment variable
        is used, and if that is unset, ``~/skfashion_data``. A leading ``~`` is
        expanded. The folder is created if it does not exist.

    Returns
    -------
    data_home : str
        The absolute path of the folder.

    Examples
    --------
    >>> import tempfile
    >>> from skfashion.datasets import get_data_home
    >>> home = tempfile.mkdtemp()
    >>> get_data_home(home) == home
    True
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV) or os.path.join("~", "skfashion_data")
    data_home = os.path.abspath(os.path.expanduser(os.fspath(data_home)))
    os.makedirs(data_home, exist_ok=True)
    return data_home


def _sha256(path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _download(remote: RemoteFileMetadata, directory: Path) -> Path:
    """Download ``remote`` into ``directory`` atomically.

    Each mirror is fetched with :func:`keras.utils.get_file` into a private
    temporary folder inside ``directory``; only a file whose SHA-256 matches is
    moved to its final name, with :func:`os.replace`. Whatever happens, the
    temporary folder is removed, so no partial or unverified file is left.
    """
    from keras.utils import get_file  # heavy import: only when downloading

    directory.mkdir(parents=True, exist_ok=True)
    final = directory / remote.filename
    tmpdir = tempfile.mkdtemp(prefix=".download-", dir=directory)
    failures = []
    try:
        for url in remote.urls:
            try:
                path = get_file(
                    fname=remote.filename,
                    origin=url,
                    file_hash=remote.sha256,
                    hash_algorithm="sha256",
                    cache_dir=tmpdir,
                    cache_subdir=tmpdir,
                    force_download=True,
                )
                actual = _sha256(path)
                if actual != remote.sha256:  # get_file checked; check again
                    raise ChecksumError(
                        f"SHA-256 {actual} differs from expected {remote.sha256}"
                    )
            except Exception as exc:  # noqa: BLE001 - reported below, per mirror
                failures.append(f"  {url}: {exc}")
                for leftover in Path(tmpdir).iterdir():
                    leftover.unlink()
                continue
            os.replace(path, final)
            return final
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    raise DataNotFoundError(
        f"Could not download {remote.filename} into {directory}. Tried:\n"
        + "\n".join(failures)
    )


def _missing_message(dataset_name, missing, directory, reason):
    names = "\n".join(f"  {m.filename}" for m in missing)
    return (
        f"{reason}\n{dataset_name} files missing from {directory}:\n{names}\n"
        "To provide them, copy the files (canonical names, still gzipped) into "
        f"that folder, or point skfashion at a folder that has a "
        f"'{directory.name}/' subfolder with them: set the {DATA_HOME_ENV} "
        "environment variable or pass data_home=... . With "
        "download_if_missing=True they are downloaded from the official mirrors."
    )


def fetch_files(
    dataset_name, folder, remotes, *, data_home, download_if_missing, others=()
):
    """Return verified local paths of ``remotes``, downloading what is missing.

    Parameters
    ----------
    dataset_name : str
        Human-readable name used in messages.
    folder : str
        Sub-folder of the data home holding the files.
    remotes : sequence of RemoteFileMetadata
        Files to provide.
    data_home : str, path-like or None
        See :func:`get_data_home`.
    download_if_missing : bool
        Whether to download missing or corrupt files.
    others : sequence of RemoteFileMetadata, default=()
        The dataset's other files: when a file cannot be had, the error lists
        every missing one, these included, so that a user copying files by
        hand copies them all at once.

    Returns
    -------
    paths : list of Path
        One verified path per entry of ``remotes``.
    """
    directory = Path(get_data_home(data_home)) / folder

    def missing():
        wanted = {r.filename: r for r in (*remotes, *others)}.values()
        return [r for r in wanted if not (directory / r.filename).is_file()]

    def explain(reason):
        return DataNotFoundError(
            _missing_message(dataset_name, missing(), directory, reason)
        )

    if not download_if_missing and any(
        not (directory / r.filename).is_file() for r in remotes
    ):
        raise explain("download_if_missing=False.")
    paths = []
    for remote in remotes:
        path = directory / remote.filename
        if path.is_file():
            actual = _sha256(path)
            if actual != remote.sha256:
                if not download_if_missing:
                    raise ChecksumError(
                        f"{path} has SHA-256 {actual}, but the published "
                        f"{dataset_name} file has {remote.sha256}: the file is "
                        "corrupt or not the official one. Delete it, or fetch "
                        "with download_if_missing=True to replace it."
                    )
                # Never keep a file known to be corrupt, even if the download
                # that should replace it fails.
                path.unlink()
        if not path.is_file():
            try:
                path = _download(remote, directory)
            except DataNotFoundError as exc:
                raise explain(str(exc)) from None
        paths.append(path)
    return paths
