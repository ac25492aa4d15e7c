"""The training input: tf.data pipelines without autotuning under TensorFlow,
in each epoch's order drawn from the fit's seed.

Keras' own pipeline for arrays autotunes, and destroying its iterator at the
start of the next epoch waited up to 10 s for the autotuning thread's sleep
(``skfashion/_input.py``). These tests check the mechanism, not the time:
what reaches ``Model.fit``, and that it holds the same batches.
"""

import keras
import numpy as np
import pytest

from skfashion import ANNClassifier, CNNClassifier
from skfashion._input import epoch_order, training_input

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="a tf.data pipeline"
)


def _epoch(dataset):
    return [tuple(np.asarray(t) for t in batch) for batch in dataset]


def _arrays(n=50):
    X = np.arange(n * 3, dtype="float32").reshape(n, 3)
    return X, np.arange(n) % 7, np.linspace(0.5, 2.0, n).astype("float32")


def test_pipeline_has_no_autotuning_and_the_batches_of_keras():
    X, y, w = _arrays()
    kwargs, (order_callback,) = training_input(
        X, y, w, (X[:9], y[:9]), batch_size=16, options={}, seed=3
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
        rows = np.concatenate([b[0] for b in epoch])
        order = (rows[:, 0] // 3).astype(int)
        np.testing.assert_array_equal(order, epoch_order(3, number, 50))
        np.testing.assert_array_equal(np.concatenate([b[1] for b in epoch]), y[order])
        np.testing.assert_array_equal(np.concatenate([b[2] for b in epoch]), w[order])
    assert not np.array_equal(first[0][0], second[0][0])  # reshuffled
    (val,) = _epoch(validation)
    np.testing.assert_array_equal(val[0], X[:9])  # in order
    assert len(val) == 2  # no weights


def test_shuffle_false_keeps_the_order():
    X, y, _ = _arrays()
    options = {"shuffle": False, "validation_freq": 2}
    kwargs, callbacks = training_input(
        X, y, None, None, batch_size=20, options=options, seed=0
    )
    assert callbacks == []
    assert kwargs["validation_freq"] == 2 and kwargs["validation_data"] is None
    assert kwargs["shuffle"] is False
    rows = np.concatenate([b[0] for b in _epoch(kwargs["x"])])
    np.testing.assert_array_equal(rows, X)


@pytest.mark.parametrize(
    "options", [{"validation_split": 0.2}, {"shuffle": "batch"}, {"steps_per_epoch": 2}]
)
def test_options_that_need_arrays_get_arrays(options):
    X, y, w = _arrays()
    kwargs, callbacks = training_input(
        X, y, w, None, batch_size=8, options=options, seed=0
    )
    assert callbacks == []
    assert kwargs["x"] is X and kwargs["y"] is y and kwargs["sample_weight"] is w
    assert kwargs["batch_size"] == 8 and all(kwargs[k] == v for k, v in options.items())


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
