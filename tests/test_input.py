"""The training input: tf.data pipelines without autotuning under TensorFlow,
in each epoch's order drawn from the fit's seed.

Keras' own pipeline for arrays autotunes, and destroying its iterator at the
start of the next epoch waited up to 10 s for the autotuning thread's sleep
(``skfashion/_keras/input.py``). These tests check the mechanism, not the time:
what reaches ``Model.fit``, and that it holds the same batches.
"""

import keras
import numpy as np
import pytest

from skfashion import ANNClassifier, CNNClassifier
from skfashion._keras.input import Rows, epoch_order, training_input

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="a tf.data pipeline"
)


def _epoch(dataset):
    return [tuple(np.asarray(t) for t in batch) for batch in dataset]


def _arrays(n=50):
    X = np.arange(n * 3, dtype="float32").reshape(n, 3)
    return X, np.arange(n) % 7, np.linspace(0.5, 2.0, n).astype("float32")


def _rows(X, y, w=None, rows=None):
    return Rows(X, y, w, np.arange(len(X)) if rows is None else rows)


def test_pipeline_has_no_autotuning_and_the_batches_of_keras():
    X, y, w = _arrays()
    kwargs, (order_callback,) = training_input(
        _rows(X, y, w), _rows(X[:9], y[:9]), batch_size=16, options={}, seed=3
    )
    # No arrays and no batch_size; the pipeline shuffles, not Keras.
    assert set(kwargs) == {"x", "validation_data", "shuffle"} and not kwargs["shuffle"]
    train, validation = kwargs["x"], kwargs["validation_data"]
    for dataset in (train, validation):
        assert dataset.options().autotune.enabled is False
    epochs = []
    for epoch in (0, 1):
        order_callback.on_epoch_begin(epoch)
        epochs.append(_epoch(train))
    first, second = epochs
    assert [len(b[0]) for b in first] == [16, 16, 16, 2]
    for number, epoch in enumerate(epochs):
        order = epoch_order(3, number, 50)
        for i, batch in enumerate(epoch):
            # Each batch holds the rows of its stretch of the epoch's order,
            # with their labels and weights.
            rows = order[i * 16 : (i + 1) * 16]
            np.testing.assert_array_equal(batch[0], X[rows])
            np.testing.assert_array_equal(batch[1], y[rows])
            np.testing.assert_array_equal(batch[2], w[rows])
    assert not np.array_equal(first[0][0], second[0][0])  # reshuffled
    (val,) = _epoch(validation)
    np.testing.assert_array_equal(val[0], X[:9])  # in order
    assert len(val) == 2  # no weights


def test_batches_are_read_from_the_rows_and_converted_one_at_a_time():
    # uint8 X (a memmap too) stays uint8; each batch is float32.
    X = (np.arange(40 * 4) % 251).astype(np.uint8).reshape(40, 4)
    y = np.arange(40) % 3
    part = _rows(X, y, rows=np.array([5, 1, 30, 2]))
    kwargs, _ = training_input(
        part, None, batch_size=3, options={"shuffle": False}, seed=0
    )
    batches = _epoch(kwargs["x"])
    assert [b[0].dtype for b in batches] == [np.float32, np.float32]
    np.testing.assert_array_equal(batches[0][0], X[[5, 1, 30]].astype(np.float32))
    np.testing.assert_array_equal(batches[1][0], X[[2]].astype(np.float32))


def test_shuffle_false_keeps_the_order():
    X, y, _ = _arrays()
    options = {"shuffle": False, "validation_freq": 2}
    kwargs, callbacks = training_input(
        _rows(X, y), None, batch_size=20, options=options, seed=0
    )
    assert callbacks == []
    assert kwargs["validation_freq"] == 2 and "validation_data" not in kwargs
    assert kwargs["shuffle"] is False
    rows = np.concatenate([b[0] for b in _epoch(kwargs["x"])])
    np.testing.assert_array_equal(rows, X)


def test_shuffle_batch_shuffles_chunks_from_the_seed():
    # Keras' shuffle="batch": each batch is one stretch of batch_size rows.
    X, y, _ = _arrays(50)
    kwargs, (callback,) = training_input(
        _rows(X, y), None, batch_size=16, options={"shuffle": "batch"}, seed=4
    )
    callback.on_epoch_begin(0)
    batches = _epoch(kwargs["x"])
    starts = sorted(int(b[0][:, 0].min() // 3) for b in batches)
    assert starts == [0, 16, 32, 48]
    for batch in batches:
        first = int(batch[0][:, 0].min() // 3)
        rows = np.sort(batch[0][:, 0] // 3).astype(int)
        np.testing.assert_array_equal(rows, np.arange(first, min(first + 16, 50)))
    order = epoch_order(4, 0, 50, chunk=16)
    assert sorted(order.tolist()) == list(range(50))
    assert not np.array_equal(order, np.arange(50))
    np.testing.assert_array_equal(order, epoch_order(4, 0, 50, chunk=16))
    assert not np.array_equal(order, epoch_order(4, 1, 50, chunk=16))


def test_validation_batch_size_is_honoured():
    X, y, _ = _arrays(50)
    kwargs, _ = training_input(
        _rows(X, y), _rows(X[:20], y[:20]), batch_size=16,
        options={"validation_batch_size": 7}, seed=0,
    )  # fmt: skip
    assert [len(b[0]) for b in _epoch(kwargs["validation_data"])] == [7, 7, 6]


@pytest.mark.parametrize("value", ["yes", 2])
def test_shuffle_other_values_are_refused(value):
    X, y, _ = _arrays()
    with pytest.raises(ValueError, match="fit__shuffle must be True, False or"):
        training_input(
            _rows(X, y), None, batch_size=8, options={"shuffle": value}, seed=0
        )


@pytest.mark.parametrize("estimator", [ANNClassifier, CNNClassifier])
def test_fit_trains_on_the_pipeline(estimator, monkeypatch, digits):
    X, y, _ = digits
    seen = []
    fit = keras.Model.fit

    def spy(self, *args, **kwargs):
        seen.append(kwargs)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", spy)
    clf = estimator(epochs=2, early_stopping=True, validation_fraction=0.2,
                    random_state=0)  # fmt: skip
    if estimator is CNNClassifier:
        clf.set_params(filters=(4,), hidden_layer_sizes=(8,), augmentation=None)
    clf.fit(X[:300], y[:300])
    (kwargs,) = seen
    for key in ("x", "validation_data"):
        assert kwargs[key].options().autotune.enabled is False
    # The same fit twice gives the same network: the shuffling is seeded.
    again = estimator(**clf.get_params()).fit(X[:300], y[:300])
    np.testing.assert_array_equal(
        clf.predict_proba(X[300:]), again.predict_proba(X[300:])
    )
