"""Shared fixtures: seeding and small image datasets."""

import os
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

# Where the fetchers look (skfashion.datasets.get_data_home), as the scripts
# set it: SKFASHION_DATA, else ~/skfashion_data, where a first run of
# scripts/main.sh downloads the datasets.
REAL_DATA = os.environ.get("SKFASHION_DATA") or os.path.expanduser("~/skfashion_data")
HAS_REAL_DATA = all(
    Path(REAL_DATA, name).is_dir() for name in ("fashion-mnist", "mnist")
)
NO_DATA = (
    f"the real Fashion-MNIST and MNIST are not in {REAL_DATA} (SKFASHION_DATA, "
    "else ~/skfashion_data; bash scripts/main.sh downloads them there)"
)
# CI sets this: there a real-data test fails, rather than skips, without data.
REQUIRE_DATA = os.environ.get("SKFASHION_REQUIRE_DATA") == "1"


def skip_or_fail_without_data():
    """Skip a test that needs the real datasets, or fail it where they are
    required (SKFASHION_REQUIRE_DATA=1)."""
    if HAS_REAL_DATA:
        return
    if REQUIRE_DATA:
        pytest.fail(f"{NO_DATA}, and SKFASHION_REQUIRE_DATA=1 requires them")
    pytest.skip(NO_DATA)


def pytest_runtest_setup(item):
    if item.get_closest_marker("realdata"):
        skip_or_fail_without_data()


def pytest_terminal_summary(terminalreporter):
    """Say once which real-data tests skipped, and why."""
    skipped = [
        report.nodeid
        for report in terminalreporter.stats.get("skipped", [])
        if NO_DATA in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_sep("=", "real-data tests skipped")
        terminalreporter.write_line(
            f"{len(skipped)} tests that need the real datasets skipped: {NO_DATA}."
        )


@pytest.fixture(autouse=True)
def _seed():
    """Seed Python's and NumPy's global generators for every test."""
    random.seed(0)
    np.random.seed(0)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the matplotlib figures a test opened."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's 8x8 digits, pixels scaled to [0, 1]: (X, y, images)."""
    bunch = load_digits()
    X = (bunch.data / 16.0).astype(np.float32)
    return X, bunch.target, bunch.images.astype(np.float32) / 16.0


@pytest.fixture(scope="session")
def fashion_small():
    """3,000 training and 1,000 test rows of real Fashion-MNIST, raw uint8."""
    skip_or_fail_without_data()
    from skfashion.datasets import fetch_fashion_mnist

    X, y = fetch_fashion_mnist(return_X_y=True, download_if_missing=False)
    X_test, y_test = fetch_fashion_mnist(
        subset="test", return_X_y=True, download_if_missing=False
    )
    rng = np.random.default_rng(0)
    train = rng.choice(len(X), 3000, replace=False)
    test = rng.choice(len(X_test), 1000, replace=False)
    return X[train], y[train], X_test[test], y_test[test]
