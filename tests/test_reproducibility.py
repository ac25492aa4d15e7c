"""Same random_state, same network, however the fits are scheduled.

As scikit-learn's estimators do, a fit draws from its own generators only:
each epoch's order of the rows is a function of the fit's seed and the epoch
number alone. Keras' own shuffling drew from process-wide generators, which
fits that overlap in threads of one process share, so a threaded search
gave other scores than the serial one, and other ones each run.
"""

import random
import threading
from concurrent.futures import ThreadPoolExecutor

import joblib
import keras
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.model_selection import GridSearchCV

from skfashion import ANNClassifier, CNNClassifier
from skfashion._keras.input import Rows, epoch_order, training_input


def test_epoch_order_is_a_function_of_seed_and_epoch():
    order = epoch_order(7, 3, 50)
    assert sorted(order) == list(range(50))
    assert_array_equal(order, epoch_order(7, 3, 50))
    assert not np.array_equal(order, epoch_order(7, 4, 50))
    assert not np.array_equal(order, epoch_order(8, 3, 50))


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="the tf.data pipeline"
)
def test_each_epoch_reads_the_rows_in_its_order():
    X = np.arange(23, dtype=np.float32)[:, None]
    y = np.arange(23)
    kwargs, callbacks = training_input(
        Rows(X, y, None, np.arange(23)), None, batch_size=5, options={}, seed=11
    )
    assert kwargs["shuffle"] is False
    for epoch in (0, 1, 5):
        callbacks[0].on_epoch_begin(epoch)
        batches = list(kwargs["x"])
        assert [len(b[0]) for b in batches] == [5, 5, 5, 5, 3]
        rows = np.concatenate([b[1].numpy() for b in batches])
        assert_array_equal(rows, epoch_order(11, epoch, 23))


class _Neighbour:
    """A thread that keeps drawing from every process-wide generator."""

    def __enter__(self):
        self.stop = threading.Event()

        def draw():
            while not self.stop.is_set():
                random.random()
                np.random.rand()
                keras.random.uniform((1,))  # the backend's global seed stream

        self.thread = threading.Thread(target=draw, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def _fit(make, X, y):
    return [w.copy() for w in make().fit(X, y).model_.get_weights()]


MAKERS = {
    "ann": lambda: ANNClassifier(
        hidden_layer_sizes=(16,), epochs=3, batch_size=32, random_state=0
    ),
    "cnn early stopping": lambda: CNNClassifier(
        filters=(4,), epochs=2, batch_size=32, early_stopping=True, random_state=1
    ),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_overlapping_fits_in_threads_give_the_serial_networks(name, digits):
    X, y, _ = digits
    make = MAKERS[name]
    serial = _fit(make, X, y)
    with _Neighbour(), ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(_fit, make, X, y) for _ in range(2)]
        threaded = [f.result() for f in futures]
    for weights in threaded:
        for got, expected in zip(weights, serial):
            assert_array_equal(got, expected)


def test_threaded_search_gives_the_serial_scores(digits):
    X, y, _ = digits
    search = GridSearchCV(
        ANNClassifier(epochs=2, random_state=0),
        {"hidden_layer_sizes": [(16,), (32,)], "learning_rate_init": [1e-3, 3e-3]},
        cv=2,
    )
    serial = search.fit(X, y).cv_results_
    with joblib.parallel_config(backend="threading", n_jobs=2):
        threaded = GridSearchCV(**search.get_params(deep=False)).fit(X, y)
    for key in ("split0_test_score", "split1_test_score"):
        assert_array_equal(threaded.cv_results_[key], serial[key])
