"""Tests for the IDX reader, the cache and the dataset fetchers."""

import dataclasses
import gzip
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
from _idx_helpers import LocalServer, idx_bytes, sha256, write_idx
from numpy.testing import assert_array_equal

import skfashion.datasets._mnist as mnist_module
from skfashion.datasets import (
    ChecksumError,
    DataNotFoundError,
    IDXFormatError,
    RemoteFileMetadata,
    fetch_fashion_mnist,
    fetch_mnist,
    get_data_home,
    read_idx,
)

# --------------------------------------------------------------------- read_idx


@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize(
    "array",
    [
        np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4),
        np.array([-3, 0, 5], dtype=np.int8),
        np.array([[1, -70000], [3, 2**30]], dtype=np.int32),
        np.array([0.5, -1.25], dtype=np.float32),
        np.array([1e-300, 3.0], dtype=np.float64),
        np.array([-2, 30000], dtype=np.int16),
    ],
)
def test_read_idx_round_trip(tmp_path, array, compress):
    path = write_idx(tmp_path / "a-idx", array, compress=compress)
    out = read_idx(path)
    assert out.dtype == array.dtype.newbyteorder("=")
    assert out.dtype.isnative
    assert out.flags.writeable
    assert_array_equal(out, array)


def test_read_idx_expected_shape(tmp_path):
    path = write_idx(tmp_path / "x", np.zeros((3, 2, 2), dtype=np.uint8))
    assert read_idx(path, expected_shape=(3, 2, 2)).shape == (3, 2, 2)
    with pytest.raises(
        IDXFormatError, match=r"shape \(3, 2, 2\), expected \(4, 2, 2\)"
    ):
        read_idx(path, expected_shape=(4, 2, 2))


def _write_raw(tmp_path, data, compress=False):
    path = tmp_path / "bad"
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


GOOD = idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3))


@pytest.mark.parametrize(
    "data, match",
    [
        (b"\x00\x00", "too short"),
        (b"\x01\x02\x08\x01" + GOOD[4:], "invalid IDX magic number"),
        (b"\x00\x00\x07\x02" + GOOD[4:], "unknown IDX type code 0x07"),
        (b"\x00\x00\x08\x00", "0 dimensions"),
        (GOOD[:6], "header declares 2 dimensions"),
        (GOOD[:-1], "truncated"),
        (GOOD + b"\x00", "followed by extra data"),
    ],
)
@pytest.mark.parametrize("compress", [True, False])
def test_read_idx_rejects_malformed_files(tmp_path, data, match, compress):
    path = _write_raw(tmp_path, data, compress=compress)
    with pytest.raises(IDXFormatError, match=match):
        read_idx(path)


def test_read_idx_truncated_gzip(tmp_path):
    compressed = gzip.compress(GOOD * 100)
    path = _write_raw(tmp_path, compressed[: len(compressed) // 2])
    with pytest.raises(IDXFormatError, match="truncated or corrupt gzip"):
        read_idx(path)
    # It is still a ValueError, so generic handlers catch it.
    assert issubclass(IDXFormatError, ValueError)


# ---------------------------------------------------------------- get_data_home


def test_get_data_home_order(tmp_path, monkeypatch):
    monkeypatch.setenv("SKFASHION_DATA", str(tmp_path / "from_env"))
    assert get_data_home(tmp_path / "arg") == str(tmp_path / "arg")
    assert get_data_home() == str(tmp_path / "from_env")
    assert (tmp_path / "from_env").is_dir()
    monkeypatch.delenv("SKFASHION_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert get_data_home() == str(tmp_path / "home" / "skfashion_data")


# ------------------------------------------------------------ fetchers (small)

N_TRAIN, N_TEST = 30, 10


def _make_source(folder, seed=0):
    """Write small Fashion-MNIST-like files and return their metadata."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(
            0, 256, (N_TRAIN, 28, 28), dtype=np.uint8
        ),
        "train-labels-idx1-ubyte.gz": np.arange(N_TRAIN, dtype=np.uint8) % 10,
        "t10k-images-idx3-ubyte.gz": rng.integers(
            0, 256, (N_TEST, 28, 28), dtype=np.uint8
        ),
        "t10k-labels-idx1-ubyte.gz": np.arange(N_TEST, dtype=np.uint8)[::-1] % 10,
    }
    for name, array in arrays.items():
        write_idx(folder / name, array)
    return arrays


def _small_dataset(source, urls=()):
    """The Fashion-MNIST record, pointed at small files and local URLs."""

    def remote(name):
        return RemoteFileMetadata(
            filename=name,
            urls=tuple(url + name for url in urls),
            sha256=sha256(source / name),
        )

    return dataclasses.replace(
        mnist_module.FASHION_MNIST,
        files={
            "train": (
                remote("train-images-idx3-ubyte.gz"),
                remote("train-labels-idx1-ubyte.gz"),
            ),
            "test": (
                remote("t10k-images-idx3-ubyte.gz"),
                remote("t10k-labels-idx1-ubyte.gz"),
            ),
        },
        sizes={"train": N_TRAIN, "test": N_TEST},
    )


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "server"
    arrays = _make_source(folder)
    return folder, arrays


def _leftovers(directory):
    """Anything in the cache folder other than complete, final files."""
    return sorted(p.name for p in Path(directory).iterdir() if p.name.startswith("."))


def _cached_home(home, source, monkeypatch):
    """A data home holding the small files, with the dataset pointed at them."""
    folder, arrays = source
    (home / "fashion-mnist").mkdir(parents=True)
    for name in arrays:
        (home / "fashion-mnist" / name).write_bytes((folder / name).read_bytes())
    monkeypatch.setattr(mnist_module, "FASHION_MNIST", _small_dataset(folder))
    return home


def test_fetch_from_local_cache(tmp_path, source, monkeypatch):
    arrays = source[1]
    home = _cached_home(tmp_path / "home", source, monkeypatch)

    bunch = fetch_fashion_mnist(data_home=home, download_if_missing=False)
    assert bunch.data.shape == (N_TRAIN, 784) and bunch.data.dtype == np.uint8
    assert bunch.images.shape == (N_TRAIN, 28, 28) and bunch.images.dtype == np.uint8
    assert_array_equal(bunch.images, arrays["train-images-idx3-ubyte.gz"])
    assert_array_equal(bunch.data, bunch.images.reshape(N_TRAIN, -1))
    assert_array_equal(bunch.target, arrays["train-labels-idx1-ubyte.gz"])
    assert np.issubdtype(bunch.target.dtype, np.integer)
    assert list(bunch.target_names) == [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]  # fmt: skip
    assert bunch.feature_names[:2] == ["pixel_0_0", "pixel_0_1"]
    assert len(bunch.feature_names) == 784
    assert "Xiao" in bunch.DESCR and "MIT" in bunch.DESCR
    assert bunch.frame is None

    X, y = fetch_fashion_mnist(data_home=home, subset="test", return_X_y=True)
    assert X.shape == (N_TEST, 784)
    assert_array_equal(y, arrays["t10k-labels-idx1-ubyte.gz"])

    both = fetch_fashion_mnist(data_home=home, subset="all")
    assert both.data.shape == (N_TRAIN + N_TEST, 784)
    assert_array_equal(both.data[N_TRAIN:], X)

    framed = fetch_fashion_mnist(data_home=home, as_frame=True)
    assert list(framed.frame.columns) == framed.feature_names + ["target"]
    assert framed.data.shape == (N_TRAIN, 784)
    assert framed.target.name == "target"
    Xf, yf = fetch_fashion_mnist(data_home=home, as_frame=True, return_X_y=True)
    assert_array_equal(Xf.to_numpy(), bunch.data)


def test_fetch_stratified_subset(tmp_path, source, monkeypatch):
    home = _cached_home(tmp_path / "subsethome", source, monkeypatch)
    full = fetch_fashion_mnist(data_home=home)
    part = fetch_fashion_mnist(data_home=home, n_samples=20)
    assert part.data.shape == (20, 784) and part.images.shape == (20, 28, 28)
    # Each row is a row of the full set, in the original order, with its label.
    rows = [int(np.flatnonzero((full.data == row).all(axis=1))[0]) for row in part.data]
    assert rows == sorted(rows)
    assert_array_equal(full.target[rows], part.target)
    assert_array_equal(part.images.reshape(20, -1), part.data)
    # Stratified: each class in about its share of the full set.
    full_counts = np.bincount(full.target, minlength=10) * 20 / N_TRAIN
    assert np.abs(np.bincount(part.target, minlength=10) - full_counts).max() <= 1
    again = fetch_fashion_mnist(data_home=home, n_samples=20)
    assert_array_equal(again.data, part.data)  # random_state=0 by default
    other = fetch_fashion_mnist(data_home=home, n_samples=20, random_state=1)
    assert not np.array_equal(other.data, part.data)
    X, y = fetch_fashion_mnist(data_home=home, n_samples=N_TRAIN, return_X_y=True)
    assert_array_equal(X, full.data)
    with pytest.raises(ValueError, match=f"n_samples={N_TRAIN + 1} is more than"):
        fetch_fashion_mnist(data_home=home, n_samples=N_TRAIN + 1)
    with pytest.raises(ValueError, match="n_samples"):
        fetch_fashion_mnist(data_home=home, n_samples=0)


def test_fetch_uses_environment_variable(tmp_path, source, monkeypatch):
    home = _cached_home(tmp_path / "envhome", source, monkeypatch)
    monkeypatch.setenv("SKFASHION_DATA", str(home))
    assert fetch_fashion_mnist(download_if_missing=False).data.shape == (N_TRAIN, 784)


def test_missing_files_without_download(tmp_path, source, monkeypatch):
    folder, _ = source
    monkeypatch.setattr(mnist_module, "FASHION_MNIST", _small_dataset(folder))
    home = tmp_path / "empty"
    with pytest.raises(DataNotFoundError) as excinfo:
        fetch_fashion_mnist(data_home=home, download_if_missing=False)
    message = str(excinfo.value)
    # Every missing file of the dataset, so that all are copied at once.
    for name in ALL_FILES:
        assert f"  {name}\n" in message
    assert str(home / "fashion-mnist") in message
    assert "SKFASHION_DATA" in message and "data_home" in message
    assert not (home / "fashion-mnist").exists()


ALL_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


def test_offline_error_lists_every_missing_file(tmp_path, source, monkeypatch):
    """Offline, the error names each missing file, not only the first."""
    folder, _ = source
    home = tmp_path / "home"
    (home / "fashion-mnist").mkdir(parents=True)
    present = "t10k-labels-idx1-ubyte.gz"
    (home / "fashion-mnist" / present).write_bytes((folder / present).read_bytes())
    # Port 9 (discard) on 127.0.0.1: refused at once, as with no network.
    dataset = _small_dataset(folder, urls=("http://127.0.0.1:9/",))
    monkeypatch.setattr(mnist_module, "FASHION_MNIST", dataset)
    with pytest.raises(DataNotFoundError) as excinfo:
        fetch_fashion_mnist(data_home=home, subset="test")
    message = str(excinfo.value)
    listed = message.split("files missing from", 1)[1]
    for name in ALL_FILES:
        assert (f"  {name}\n" in listed) == (name != present), name
    assert sorted(p.name for p in (home / "fashion-mnist").iterdir()) == [present]


@pytest.mark.parametrize("subset", ["train", "test", "all"])
def test_download_success(tmp_path, source, monkeypatch, subset):
    folder, arrays = source
    home = tmp_path / "home"
    with LocalServer(folder) as server:
        monkeypatch.setattr(
            mnist_module, "FASHION_MNIST", _small_dataset(folder, [server.url])
        )
        bunch = fetch_fashion_mnist(data_home=home, subset=subset)
        n_requests = len(server.requests)
        # A second call reads the verified cache, without any request.
        again = fetch_fashion_mnist(data_home=home, subset=subset)
        assert len(server.requests) == n_requests
    expected = {"train": N_TRAIN, "test": N_TEST, "all": N_TRAIN + N_TEST}[subset]
    assert bunch.data.shape == (expected, 784)
    assert_array_equal(again.data, bunch.data)
    cached = home / "fashion-mnist"
    for name in os.listdir(cached):
        assert (cached / name).read_bytes() == (folder / name).read_bytes()
    assert _leftovers(cached) == []


def test_download_checksum_mismatch(tmp_path, source, monkeypatch):
    folder, _ = source
    home = tmp_path / "home"
    with LocalServer(folder) as server:
        dataset = _small_dataset(folder, [server.url])
        # The server now serves other bytes than the record describes.
        _make_source(folder, seed=1)
        monkeypatch.setattr(mnist_module, "FASHION_MNIST", dataset)
        with pytest.raises(DataNotFoundError, match="(?i)hash|sha-256") as excinfo:
            fetch_fashion_mnist(data_home=home)
    assert "train-images-idx3-ubyte.gz" in str(excinfo.value)
    cached = home / "fashion-mnist"
    assert not (cached / "train-images-idx3-ubyte.gz").exists()
    assert _leftovers(cached) == []


def test_download_truncated_transfer(tmp_path, source, monkeypatch):
    folder, _ = source
    home = tmp_path / "home"
    with LocalServer(folder) as server:
        server.truncate.add("train-labels-idx1-ubyte.gz")
        monkeypatch.setattr(
            mnist_module, "FASHION_MNIST", _small_dataset(folder, [server.url])
        )
        with pytest.raises(DataNotFoundError, match="train-labels-idx1-ubyte.gz"):
            fetch_fashion_mnist(data_home=home)
    cached = home / "fashion-mnist"
    # The images arrived whole and verified; the labels left nothing behind.
    assert (cached / "train-images-idx3-ubyte.gz").is_file()
    assert not (cached / "train-labels-idx1-ubyte.gz").exists()
    assert _leftovers(cached) == []


def test_download_404(tmp_path, source, monkeypatch):
    folder, _ = source
    home = tmp_path / "home"
    (folder / "train-images-idx3-ubyte.gz").unlink()
    with LocalServer(folder) as server:
        monkeypatch.setattr(
            mnist_module, "FASHION_MNIST", _small_dataset_keep(folder, server.url)
        )
        with pytest.raises(DataNotFoundError) as excinfo:
            fetch_fashion_mnist(data_home=home)
    message = str(excinfo.value)
    assert "404" in message
    assert "train-images-idx3-ubyte.gz" in message
    assert "SKFASHION_DATA" in message
    assert not (home / "fashion-mnist" / "train-images-idx3-ubyte.gz").exists()
    assert _leftovers(home / "fashion-mnist") == []


def _small_dataset_keep(folder, url):
    """Like _small_dataset, tolerating a file the server no longer has."""
    records = {}
    for subset, names in {
        "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
        "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
    }.items():
        records[subset] = tuple(
            RemoteFileMetadata(
                filename=n,
                urls=(url + n,),
                sha256=sha256(folder / n) if (folder / n).exists() else "0" * 64,
            )
            for n in names
        )
    return dataclasses.replace(
        mnist_module.FASHION_MNIST,
        files=records,
        sizes={"train": N_TRAIN, "test": N_TEST},
    )


def test_download_falls_back_to_next_mirror(tmp_path, source, monkeypatch):
    folder, _ = source
    home = tmp_path / "home"
    with LocalServer(tmp_path / "nothing-here") as dead, LocalServer(folder) as live:
        monkeypatch.setattr(
            mnist_module,
            "FASHION_MNIST",
            _small_dataset(folder, [dead.url, live.url]),
        )
        bunch = fetch_fashion_mnist(data_home=home, subset="test")
        assert dead.requests and live.requests
    assert bunch.data.shape == (N_TEST, 784)


def test_corrupt_cache_file(tmp_path, source, monkeypatch):
    folder, arrays = source
    home = tmp_path / "home"
    cached = home / "fashion-mnist"
    cached.mkdir(parents=True)
    for name in arrays:
        (cached / name).write_bytes((folder / name).read_bytes())
    bad = cached / "t10k-images-idx3-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:-10])  # truncated on disk

    with LocalServer(folder) as server:
        monkeypatch.setattr(
            mnist_module, "FASHION_MNIST", _small_dataset(folder, [server.url])
        )
        with pytest.raises(ChecksumError, match="t10k-images-idx3-ubyte.gz"):
            fetch_fashion_mnist(
                data_home=home, subset="test", download_if_missing=False
            )
        assert bad.exists()  # never deleted without permission to download
        bunch = fetch_fashion_mnist(data_home=home, subset="test")
    assert_array_equal(bunch.images, arrays["t10k-images-idx3-ubyte.gz"])
    assert bad.read_bytes() == (folder / bad.name).read_bytes()


def test_wrong_shape_in_verified_file(tmp_path, monkeypatch):
    """A file with the right checksum but the wrong shape is still refused."""
    folder = tmp_path / "src"
    _make_source(folder)
    write_idx(
        folder / "t10k-images-idx3-ubyte.gz", np.zeros((N_TEST, 27, 28), np.uint8)
    )
    monkeypatch.setattr(mnist_module, "FASHION_MNIST", _small_dataset(folder))
    home = tmp_path / "home"
    (home / "fashion-mnist").mkdir(parents=True)
    for name in os.listdir(folder):
        (home / "fashion-mnist" / name).write_bytes((folder / name).read_bytes())
    with pytest.raises(IDXFormatError, match=r"expected \(10, 28, 28\)"):
        fetch_fashion_mnist(data_home=home, subset="test", download_if_missing=False)


@pytest.mark.parametrize("fetch", [fetch_fashion_mnist, fetch_mnist])
def test_invalid_arguments(fetch, tmp_path):
    with pytest.raises(ValueError, match="subset"):
        fetch(data_home=tmp_path, subset="validation")
    with pytest.raises(TypeError):
        fetch(tmp_path)  # keyword-only


def test_official_records():
    """The built-in records point at the official mirrors, one entry per file."""
    for dataset in (mnist_module.FASHION_MNIST, mnist_module.MNIST):
        for images, labels in dataset.files.values():
            for remote in (images, labels):
                assert len(remote.sha256) == 64 and len(remote.md5) == 32
                assert all(url.endswith("/" + remote.filename) for url in remote.urls)
    fashion_urls = mnist_module.FASHION_MNIST.files["train"][0].urls
    assert fashion_urls[0].startswith("http://fashion-mnist.s3-website")


# ------------------------------------------------------------- real datasets

REAL_HOME = os.environ.get("SKFASHION_DATA")


@pytest.mark.realdata
@pytest.mark.parametrize(
    "fetch, n_per_class_train",
    [(fetch_fashion_mnist, [6000] * 10), (fetch_mnist, None)],
)
def test_real_datasets(fetch, n_per_class_train):
    train = fetch(download_if_missing=False)
    test = fetch(subset="test", download_if_missing=False)
    for bunch, n in ((train, 60000), (test, 10000)):
        assert bunch.data.shape == (n, 784) and bunch.data.dtype == np.uint8
        assert bunch.images.shape == (n, 28, 28)
        assert bunch.target.shape == (n,)
        assert set(np.unique(bunch.target)) == set(range(10))
        assert bunch.data.max() == 255 and bunch.data.min() == 0
    counts = np.bincount(train.target, minlength=10)
    if n_per_class_train is not None:
        assert counts.tolist() == n_per_class_train
        assert np.bincount(test.target).tolist() == [1000] * 10
    else:  # MNIST's published train counts
        assert counts.tolist() == [
            5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949
        ]  # fmt: skip
    # The files are the published ones: their MD5s are those the publishers
    # print, copied here by hand, not from the fetcher's own constants.
    dataset = (
        mnist_module.FASHION_MNIST
        if fetch is fetch_fashion_mnist
        else mnist_module.MNIST
    )
    published = PUBLISHED_MD5[dataset.folder]
    folder = Path(REAL_HOME, dataset.folder)
    for images, labels in dataset.files.values():
        for remote in (images, labels):
            digest = hashlib.md5((folder / remote.filename).read_bytes()).hexdigest()
            assert digest == published[remote.filename], remote.filename
            assert remote.md5 == published[remote.filename]
    assert len(published) == 4


# zalandoresearch/fashion-mnist's README, and torchvision's datasets/mnist.py.
PUBLISHED_MD5 = {
    "fashion-mnist": {
        "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
        "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
        "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
    },
    "mnist": {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    },
}


def test_datasets_import_does_not_load_keras():
    """The fetchers are usable without paying for a TensorFlow import."""
    import subprocess
    import sys

    code = (
        "import sys, skfashion.datasets, skfashion; "
        "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules; "
        "from skfashion import ImagePreprocessor, ANNClassifier; "
        "assert 'keras' in sys.modules; print('ok')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )
    assert out.stdout.strip() == "ok", out.stderr[-2000:]
