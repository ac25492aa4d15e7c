"""Hyper-parameter search on a dask.distributed cluster through joblib."""

import os

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skfashion import ANNClassifier, ImagePreprocessor

distributed = pytest.importorskip("distributed", reason="the 'dask' extra")


@pytest.fixture
def restore_environ():
    """Undo what dask's nannies write into this process' environment.

    A nanny sets its ``pre-spawn-environ`` (``OMP_NUM_THREADS=1``, ...) in
    ``os.environ`` of the process that runs it, here pytest's, and leaves it
    there; later subprocesses would inherit it.
    """
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="module")
def serial_search(digits):
    """The images, labels and a local n_jobs=1 search to compare with."""
    X, y, _ = digits
    raw = (X * 16).round().astype(np.uint8)
    pipe = make_pipeline(
        ImagePreprocessor(input_range=(0, 16)),
        ANNClassifier(epochs=3, batch_size=64, random_state=0),
    )
    grid = {
        "annclassifier__hidden_layer_sizes": [(16,), (32,)],
        "annclassifier__optimizer": ["adam", "rmsprop"],
    }
    return raw, y, GridSearchCV(pipe, grid, cv=3, n_jobs=1).fit(raw, y)


@pytest.mark.parametrize(
    "n_workers, threads_per_worker",
    [(2, 1), (1, 2)],
    ids=["two workers of one thread", "one worker of two threads"],
)
def test_grid_search_on_local_cluster(
    n_workers, threads_per_worker, serial_search, restore_environ
):
    """The cluster evaluates the same candidates as a local n_jobs=1 search,
    with the same scores, however many fits share a worker process.

    The scores once differed: Keras drew layer seeds from Python's global
    RNG, which the worker's event loop also draws from, and shuffled from
    process-wide generators, which fits in threads of one worker share. Each
    fit now draws from random_state alone (test_reproducibility.py).
    """
    import joblib

    raw, y, local = serial_search
    pipe, grid = local.estimator, local.param_grid

    with (
        distributed.LocalCluster(
            n_workers=n_workers,
            threads_per_worker=threads_per_worker,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with joblib.parallel_config(backend="dask"):
            remote = GridSearchCV(pipe, grid, cv=3, n_jobs=-1, error_score="raise").fit(
                raw, y
            )
        worker_pids = client.run(os.getpid)
    assert len(set(worker_pids.values())) == n_workers
    assert os.getpid() not in worker_pids.values()
    assert remote.cv_results_["params"] == local.cv_results_["params"]
    for split in range(3):
        key = f"split{split}_test_score"
        assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    assert remote.best_estimator_.score(raw, y) > 0.8  # 0.844 with seed 0
